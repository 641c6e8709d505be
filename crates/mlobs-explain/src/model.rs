//! A decoded model of any supported library: its outputs (one per class for multiclass models),
//! the link from margins to the library's prediction, and the operations mlobs offers on it —
//! prediction, margins, path-dependent and interventional SHAP — for a chosen class.
//!
//! Classes: a regressor has one output; a binary model with a logistic link has one output (the
//! log-odds of class 1; class 0 is its negation, as `1 − p`); softmax models and forests have one
//! output per class.

use crate::error::{ExplainError, Result};
use crate::interventional;
use crate::linear::Linear;
use crate::tree::Ensemble;
use crate::treeshap;

/// Features accepted per model, by every decoder.
pub const MAX_FEATURES: usize = 100_000;
/// Background rows accepted by interventional SHAP (each costs a walk of every tree).
pub const MAX_BACKGROUND: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Link {
    /// The margin is the prediction (regression; forests' averaged class fractions).
    Identity,
    /// One output, the log-odds of class 1.
    Logistic,
    /// One output per class; probabilities are their softmax.
    Softmax,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    Trees(Ensemble),
    Linear(Linear),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub n_features: usize,
    /// From the export when it carries them (XGBoost, LightGBM, sklearn export, linear export).
    pub feature_names: Option<Vec<String>>,
    /// The library's objective, e.g. `binary:logistic`, `regression`, `classifier`.
    pub objective: String,
    /// 0 for regressors.
    pub n_classes: usize,
    pub link: Link,
    /// XGBoost sums leaves and applies its link in float32.
    pub float32: bool,
    pub outputs: Vec<Output>,
    /// Linear exports may carry the training means, the background of linear SHAP without
    /// explicit background rows.
    pub feature_means: Option<Vec<f64>>,
}

/// Which output a class reads, and whether it is negated (class 0 of a logistic model).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Selected {
    pub output: usize,
    pub sign: f64,
    pub class: usize,
}

fn sigmoid(m: f64, float32: bool) -> f64 {
    if float32 {
        (1.0f32 / (1.0f32 + (-(m as f32)).exp())) as f64
    } else {
        1.0 / (1.0 + (-m).exp())
    }
}

fn softmax(margins: &[f64], float32: bool) -> Vec<f64> {
    let max = margins.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if float32 {
        // XGBoost: expf in float, the sum accumulated in double, then divided in float.
        let e: Vec<f32> = margins
            .iter()
            .map(|&m| (m as f32 - max as f32).exp())
            .collect();
        let sum = e.iter().map(|&v| v as f64).sum::<f64>() as f32;
        return e.iter().map(|&v| (v / sum) as f64).collect();
    }
    let e: Vec<f64> = margins.iter().map(|&m| (m - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

impl Model {
    pub fn is_classifier(&self) -> bool {
        self.n_classes > 0
    }

    /// The output and sign for `class` (None: the regressor's output, class 1 of a binary
    /// classifier; multiclass models need an explicit class).
    pub fn select(&self, class: Option<i64>) -> Result<Selected> {
        if !self.is_classifier() {
            return match class {
                None | Some(0) => Ok(Selected {
                    output: 0,
                    sign: 1.0,
                    class: 0,
                }),
                Some(k) => Err(ExplainError::at(
                    "class",
                    format!("the model is a regressor; class must be NULL or 0, got {k}"),
                )),
            };
        }
        let k = match class {
            Some(k) => k,
            None if self.n_classes == 2 => 1,
            None => {
                return Err(ExplainError::at(
                    "class",
                    format!(
                        "the model has {} classes: pass class => 0..{}",
                        self.n_classes,
                        self.n_classes - 1
                    ),
                ))
            }
        };
        if k < 0 || k as usize >= self.n_classes {
            return Err(ExplainError::at(
                "class",
                format!("must be in 0..{}, got {k}", self.n_classes - 1),
            ));
        }
        let k = k as usize;
        Ok(match (self.link, self.outputs.len()) {
            (Link::Logistic, 1) => Selected {
                output: 0,
                sign: if k == 1 { 1.0 } else { -1.0 },
                class: k,
            },
            _ => Selected {
                output: k,
                sign: 1.0,
                class: k,
            },
        })
    }

    /// Checks a feature vector: its length, and no missing values for linear models (they have
    /// no rule for them). NaN is a missing value.
    pub fn check_row(&self, x: &[f64], what: &str) -> Result<()> {
        if x.len() != self.n_features {
            return Err(ExplainError::at(
                what,
                format!(
                    "has {} values, the model has {} features",
                    x.len(),
                    self.n_features
                ),
            ));
        }
        if matches!(self.outputs[0], Output::Linear(_)) {
            if let Some(i) = x.iter().position(|v| !v.is_finite()) {
                return Err(ExplainError::at(
                    &format!("{what}[{}]", self.feature_label(i)),
                    "a linear model needs a finite value (it has no missing-value rule)",
                ));
            }
        } else if let Some(i) = x.iter().position(|v| v.is_infinite()) {
            // Trees could route ±Infinity, but the libraries reject it on input; so do we.
            return Err(ExplainError::at(
                &format!("{what}[{}]", self.feature_label(i)),
                "must not be infinite (NULL or NaN is a missing value)",
            ));
        }
        Ok(())
    }

    /// The feature's name, or its 1-based position.
    pub fn feature_label(&self, i: usize) -> String {
        match &self.feature_names {
            Some(n) => n[i].clone(),
            None => (i + 1).to_string(),
        }
    }

    fn output_margin(&self, output: usize, x: &[f64]) -> f64 {
        match &self.outputs[output] {
            Output::Trees(e) => e.margin(x, self.float32),
            Output::Linear(l) => l.margin(x),
        }
    }

    /// `output_margin`, or an error when it is not finite: a linear model's Σ coef·x overflows
    /// float8 for finite features near its limits (1e308·2 − 1e308·2 is NaN), and every
    /// prediction from it would be NaN or ±Infinity.
    fn finite_margin(&self, output: usize, x: &[f64]) -> Result<f64> {
        finite_output(self.output_margin(output, x))
    }

    /// Every output's raw margin, each finite (see `finite_margin`).
    fn finite_margins(&self, x: &[f64]) -> Result<Vec<f64>> {
        (0..self.outputs.len())
            .map(|o| self.finite_margin(o, x))
            .collect()
    }

    /// Every output's raw margin.
    pub fn margins(&self, x: &[f64]) -> Vec<f64> {
        (0..self.outputs.len())
            .map(|o| self.output_margin(o, x))
            .collect()
    }

    /// The raw margin of `class` (log-odds for logistic models, per-class margin for softmax).
    pub fn margin(&self, x: &[f64], class: Option<i64>) -> Result<f64> {
        self.check_row(x, "features")?;
        let s = self.select(class)?;
        Ok(s.sign * self.finite_margin(s.output, x)?)
    }

    /// The library's prediction: the regression value or the probability of `class`.
    pub fn predict(&self, x: &[f64], class: Option<i64>) -> Result<f64> {
        self.check_row(x, "features")?;
        let s = self.select(class)?;
        Ok(match self.link {
            Link::Identity => self.finite_margin(s.output, x)?,
            Link::Logistic => {
                let p = sigmoid(self.finite_margin(0, x)?, self.float32);
                match (s.class, self.float32) {
                    (1, _) => p,
                    (_, true) => (1.0f32 - p as f32) as f64,
                    (_, false) => 1.0 - p,
                }
            }
            Link::Softmax => softmax(&self.finite_margins(x)?, self.float32)[s.output],
        })
    }

    /// Every class's probability (classifiers) or the single prediction (regressors).
    pub fn predict_proba(&self, x: &[f64]) -> Result<Vec<f64>> {
        self.check_row(x, "features")?;
        if !self.is_classifier() {
            return Ok(vec![self.finite_margin(0, x)?]);
        }
        if self.link == Link::Softmax {
            // One softmax for every class (what `predict` computes per class): calling `predict`
            // per class would be quadratic in the class count (up to 10000).
            return Ok(softmax(&self.finite_margins(x)?, self.float32));
        }
        (0..self.n_classes as i64)
            .map(|k| self.predict(x, Some(k)))
            .collect()
    }

    /// Path-dependent TreeSHAP (trees), or linear SHAP against the export's feature means
    /// (linear models), in margin space of `class`.
    pub fn shap(&self, x: &[f64], class: Option<i64>) -> Result<Vec<f64>> {
        self.check_row(x, "features")?;
        let s = self.select(class)?;
        let mut phi = match &self.outputs[s.output] {
            Output::Trees(e) => treeshap::shap_values(e, self.n_features, x),
            Output::Linear(l) => l.shap(x, self.means()?),
        };
        phi.iter_mut().for_each(|v| *v *= s.sign);
        finite_values(phi)
    }

    /// The base value of `shap`: Σφ + base = margin.
    pub fn shap_base_value(&self, class: Option<i64>) -> Result<f64> {
        let s = self.select(class)?;
        Ok(s.sign
            * match &self.outputs[s.output] {
                Output::Trees(e) => e.expected_value(),
                Output::Linear(l) => l.margin(self.means()?),
            })
    }

    fn means(&self) -> Result<&[f64]> {
        self.feature_means.as_deref().ok_or_else(|| {
            ExplainError::at(
                "background",
                "this linear model carries no feature_means: pass background rows",
            )
        })
    }

    fn check_background(&self, background: &[Vec<f64>]) -> Result<()> {
        if background.is_empty() || background.len() > MAX_BACKGROUND {
            return Err(ExplainError::at(
                "background",
                format!("needs 1 to {MAX_BACKGROUND} rows, got {}", background.len()),
            ));
        }
        for (i, z) in background.iter().enumerate() {
            self.check_row(z, &format!("background[{}]", i + 1))?;
        }
        Ok(())
    }

    /// Interventional SHAP against `background` rows (what `shap.TreeExplainer(model, data)` and
    /// `shap.LinearExplainer(model, data)` compute), in margin space of `class`.
    pub fn shap_interventional(
        &self,
        x: &[f64],
        background: &[Vec<f64>],
        class: Option<i64>,
    ) -> Result<Vec<f64>> {
        self.check_row(x, "features")?;
        self.check_background(background)?;
        let s = self.select(class)?;
        let mut phi = match &self.outputs[s.output] {
            Output::Trees(e) => interventional::shap_values(e, self.n_features, x, background),
            Output::Linear(l) => l.shap(x, &column_means(background, self.n_features)),
        };
        phi.iter_mut().for_each(|v| *v *= s.sign);
        finite_values(phi)
    }

    /// The base value of interventional SHAP: the mean margin over the background.
    pub fn shap_base_value_interventional(
        &self,
        background: &[Vec<f64>],
        class: Option<i64>,
    ) -> Result<f64> {
        self.check_background(background)?;
        let s = self.select(class)?;
        Ok(s.sign
            * match &self.outputs[s.output] {
                Output::Trees(e) => {
                    background.iter().map(|z| e.margin(z, false)).sum::<f64>()
                        / background.len() as f64
                }
                Output::Linear(l) => l.margin(&column_means(background, self.n_features)),
            })
    }
}

fn column_means(rows: &[Vec<f64>], n: usize) -> Vec<f64> {
    let mut m = vec![0.0; n];
    for r in rows {
        for (a, v) in m.iter_mut().zip(r) {
            *a += v;
        }
    }
    m.iter_mut().for_each(|a| *a /= rows.len() as f64);
    m
}

/// A model output, or the error that it overflows float8 (finite features near its limits).
fn finite_output(v: f64) -> Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(ExplainError::at(
            "features",
            "the model's output overflows float8 for this row (values near float8's limits)",
        ))
    }
}

/// `values` when every one is finite (SHAP values of a linear model; see `finite_output`).
fn finite_values(values: Vec<f64>) -> Result<Vec<f64>> {
    values
        .iter()
        .try_for_each(|&v| finite_output(v).map(drop))?;
    Ok(values)
}
