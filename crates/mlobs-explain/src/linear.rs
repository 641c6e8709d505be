//! Linear models in the JSON layout written by `tests/fixtures/export_sklearn.py`
//! (`export_linear`): one row of `coefficients` and one `intercept` per output, a `link`
//! (`identity` for regression, `logistic` for a binary classifier, `softmax` for a multinomial
//! one), optional `classes`, `feature_names` and `feature_means` (the training means, which
//! linear SHAP uses as its background when no background rows are given).
//!
//! Linear SHAP with independent features (`shap.LinearExplainer`, interventional) is
//! φᵢ = βᵢ·(xᵢ − E[xᵢ]), in margin space; its base value is the margin at the means.

use crate::error::{ExplainError, Result};
use crate::model::{Link, Model, Output, MAX_FEATURES};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    pub coefficients: Vec<f64>,
    pub intercept: f64,
}

impl Linear {
    pub fn margin(&self, x: &[f64]) -> f64 {
        self.intercept
            + self
                .coefficients
                .iter()
                .zip(x)
                .map(|(b, v)| b * v)
                .sum::<f64>()
    }

    pub fn shap(&self, x: &[f64], means: &[f64]) -> Vec<f64> {
        self.coefficients
            .iter()
            .zip(x.iter().zip(means))
            .map(|(b, (v, m))| b * (v - m))
            .collect()
    }
}

fn finite_numbers(v: &Value, path: &str, n: Option<usize>) -> Result<Vec<f64>> {
    let a = v
        .as_array()
        .ok_or_else(|| ExplainError::at(path, "expected an array of numbers"))?;
    if let Some(n) = n
        && a.len() != n
    {
        return Err(ExplainError::at(
            path,
            format!("expected {n} numbers, got {}", a.len()),
        ));
    }
    a.iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
                ExplainError::at(&format!("{path}[{i}]"), "expected a finite number")
            })
        })
        .collect()
}

/// Decodes and validates a linear export.
pub fn decode(model: &Value) -> Result<Model> {
    let rows = model
        .get("coefficients")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| ExplainError::at("model.coefficients", "expected an array of rows"))?;
    let n_features = rows[0].as_array().map_or(0, Vec::len);
    if n_features == 0 || n_features > MAX_FEATURES {
        return Err(ExplainError::at(
            "model.coefficients[0]",
            format!("expected 1 to {MAX_FEATURES} coefficients"),
        ));
    }
    let coefficients = rows
        .iter()
        .enumerate()
        .map(|(i, r)| finite_numbers(r, &format!("model.coefficients[{i}]"), Some(n_features)))
        .collect::<Result<Vec<_>>>()?;
    let intercept = finite_numbers(
        model
            .get("intercept")
            .ok_or_else(|| ExplainError::at("model.intercept", "missing"))?,
        "model.intercept",
        Some(rows.len()),
    )?;
    let link = match model.get("link").and_then(Value::as_str) {
        Some("identity") => Link::Identity,
        Some("logistic") => Link::Logistic,
        Some("softmax") => Link::Softmax,
        other => {
            return Err(ExplainError::at(
                "model.link",
                format!("expected identity, logistic or softmax, got {other:?}"),
            ))
        }
    };
    let (n_classes, objective) = match (link, rows.len()) {
        (Link::Identity, 1) => (0, "regression"),
        (Link::Logistic, 1) => (2, "binary"),
        (Link::Softmax, k) if k >= 2 => (k, "multiclass"),
        (_, k) => {
            return Err(ExplainError::at(
                "model.coefficients",
                format!("{k} rows do not fit link {link:?} (identity and logistic need 1, softmax 2 or more)"),
            ))
        }
    };
    let feature_means = match model.get("feature_means") {
        None | Some(Value::Null) => None,
        Some(v) => Some(finite_numbers(v, "model.feature_means", Some(n_features))?),
    };
    Ok(Model {
        n_features,
        feature_names: crate::names::feature_names(model, "model.feature_names", n_features)?,
        objective: objective.to_string(),
        n_classes,
        link,
        float32: false,
        outputs: coefficients
            .into_iter()
            .zip(intercept)
            .map(|(coefficients, intercept)| {
                Output::Linear(Linear {
                    coefficients,
                    intercept,
                })
            })
            .collect(),
        feature_means,
    })
}
