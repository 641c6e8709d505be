//! Options of the quality report: alert thresholds (the platform defaults: missing > 5 %,
//! outliers > 10 %) and the outlier fences, parsed from a JSON object so that SQL passes one
//! `jsonb` argument; an unknown option is an error rather than silently ignored.

use super::outliers::{FenceMethod, FENCE_METHODS};
use crate::error::{CoreError, Result};
use serde_json::Value;

/// Alert thresholds and outlier fences of the report. Every field is an option of the same name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityOptions {
    /// Flag missing share > this (0.05).
    pub missing_share: f64,
    /// Flag non-finite share > this (0: any ±Infinity/NaN number).
    pub non_finite_share: f64,
    /// Flag out-of-reference-range share > this (0.10).
    pub out_of_range_share: f64,
    /// Flag outlier share > this (0.10).
    pub outlier_share: f64,
    /// Fences fitted on the reference: "iqr" (default), "zscore" or "zscore_sample".
    pub outlier_method: FenceMethod,
    /// Fence width k (1.5).
    pub outlier_k: f64,
    /// Flag new-category share > this (0: any new category).
    pub new_category_share: f64,
    /// Flag top value share ≥ this (0.95).
    pub almost_constant: f64,
    /// Flag type-mismatch share > this (0: any mismatch).
    pub type_mismatch_share: f64,
}

impl Default for QualityOptions {
    fn default() -> Self {
        Self {
            missing_share: 0.05,
            non_finite_share: 0.0,
            out_of_range_share: 0.10,
            outlier_share: 0.10,
            outlier_method: FenceMethod::Iqr,
            outlier_k: 1.5,
            new_category_share: 0.0,
            almost_constant: 0.95,
            type_mismatch_share: 0.0,
        }
    }
}

const OPTION_NAMES: [&str; 9] = [
    "missing_share",
    "non_finite_share",
    "out_of_range_share",
    "outlier_share",
    "outlier_method",
    "outlier_k",
    "new_category_share",
    "almost_constant",
    "type_mismatch_share",
];

fn share_option(v: &Value, name: &str) -> Result<f64> {
    v.as_f64()
        .filter(|x| (0.0..=1.0).contains(x))
        .ok_or_else(|| {
            CoreError::invalid_parameter(format!(
                "options.{name} must be a number between 0 and 1, got {v}"
            ))
        })
}

impl QualityOptions {
    /// Options from a JSON object (JSON null: all defaults); omitted options keep their default,
    /// an unknown option is an error naming it.
    pub fn from_json(options: &Value) -> Result<Self> {
        let mut o = Self::default();
        let map = match options {
            Value::Null => return Ok(o),
            Value::Object(map) => map,
            other => {
                return Err(CoreError::invalid_parameter(format!(
                    "options must be a JSON object, got {other}"
                )))
            }
        };
        for (name, v) in map {
            match name.as_str() {
                "missing_share" => o.missing_share = share_option(v, name)?,
                "non_finite_share" => o.non_finite_share = share_option(v, name)?,
                "out_of_range_share" => o.out_of_range_share = share_option(v, name)?,
                "outlier_share" => o.outlier_share = share_option(v, name)?,
                "new_category_share" => o.new_category_share = share_option(v, name)?,
                "almost_constant" => o.almost_constant = share_option(v, name)?,
                "type_mismatch_share" => o.type_mismatch_share = share_option(v, name)?,
                "outlier_k" => {
                    o.outlier_k = v.as_f64().filter(|k| *k >= 0.0).ok_or_else(|| {
                        CoreError::invalid_parameter(format!(
                            "options.outlier_k must be a finite number >= 0, got {v}"
                        ))
                    })?
                }
                "outlier_method" => {
                    let Some(s) = v.as_str() else {
                        return Err(CoreError::invalid_parameter(format!(
                            "options.outlier_method must be {FENCE_METHODS}, got {v}"
                        )));
                    };
                    o.outlier_method = FenceMethod::parse(s).map_err(|_| {
                        CoreError::invalid_parameter(format!(
                            "options.outlier_method must be {FENCE_METHODS}, got '{s}'"
                        ))
                    })?;
                }
                other => {
                    return Err(CoreError::invalid_parameter(format!(
                        "option '{other}' is not valid (valid options: {})",
                        OPTION_NAMES.join(", ")
                    )))
                }
            }
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn options_defaults_and_errors() {
        assert_eq!(
            QualityOptions::from_json(&Value::Null).unwrap(),
            QualityOptions::default()
        );
        let o = QualityOptions::from_json(
            &json!({"missing_share": 0.2, "outlier_method": "zscore", "outlier_k": 3}),
        )
        .unwrap();
        assert_eq!(
            (o.missing_share, o.outlier_method, o.outlier_k),
            (0.2, FenceMethod::ZScore, 3.0)
        );
        let o = QualityOptions::from_json(&json!({"outlier_method": "zscore_sample"})).unwrap();
        assert_eq!(o.outlier_method, FenceMethod::ZScoreSample);
        for (v, msg) in [
            (json!({"bogus": 1}), "option 'bogus' is not valid"),
            (json!({"missing_share": 2}), "options.missing_share must be"),
            (
                json!({"almost_constant": "x"}),
                "options.almost_constant must be",
            ),
            (json!({"outlier_k": -1}), "options.outlier_k must be"),
            (
                json!({"outlier_method": "mad"}),
                "options.outlier_method must be",
            ),
            (json!([1]), "options must be a JSON object"),
        ] {
            let e = QualityOptions::from_json(&v).unwrap_err();
            assert!(e.message.starts_with(msg), "{}", e.message);
        }
    }
}
