//! Models in the database: the registry (`registry`), predictions (`predict`), SHAP
//! (`shap`), global importance (`importance`), LIME, what-if and counterfactuals (`explain`).
//! The numerical work is `mlobs-explain`; this is translation between SQL values and it.

mod arrays;
mod explain;
mod importance;
mod predict;
mod registry;
mod shap;

use crate::errors::invalid_parameter;
use mlobs_explain::Model;
use serde_json::Value;

/// A positional feature vector: NULL (and NaN) elements are missing values.
pub fn row_from_array(features: &[Option<f64>]) -> Vec<f64> {
    features.iter().map(|v| v.unwrap_or(f64::NAN)).collect()
}

/// A feature vector from a jsonb object keyed by the model's feature names: null or absent keys
/// are missing values; unknown keys and non-numbers are errors (a misspelt feature would
/// otherwise silently become missing).
pub fn row_from_json(model: &Model, features: &Value) -> Vec<f64> {
    row_from_json_arg(model, features, "features")
}

/// `row_from_json` for an argument named `arg` in the error messages.
pub fn row_from_json_arg(model: &Model, features: &Value, arg: &str) -> Vec<f64> {
    let Some(names) = &model.feature_names else {
        invalid_parameter(format!(
            "{arg}: the model has no feature names; register it with feature_names or pass float8[]",
        ))
    };
    let Some(object) = features.as_object() else {
        invalid_parameter(format!(
            "{arg}: expected a jsonb object {{feature: number}}"
        ))
    };
    let mut row = vec![f64::NAN; names.len()];
    for (key, value) in object {
        let Some(i) = names.iter().position(|n| n == key) else {
            invalid_parameter(format!(
                "{arg}.{key}: not a feature of the model (its features: {})",
                names.join(", ")
            ))
        };
        row[i] = match value {
            Value::Null => f64::NAN,
            Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
            other => invalid_parameter(format!("{arg}.{key}: expected a number, got {other}")),
        };
    }
    row
}

/// Per-feature values as a jsonb object keyed by feature name (positions when unnamed).
pub fn by_feature(model: &Model, values: &[f64]) -> Value {
    Value::Object(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (model.feature_label(i), json_number(*v)))
            .collect(),
    )
}

pub fn json_number(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

pub fn class_arg(class: Option<i32>) -> Option<i64> {
    class.map(i64::from)
}
