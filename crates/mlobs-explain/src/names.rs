//! Feature names carried by an export: optional, but when present one unique name per feature
//! (features given as jsonb are looked up by name).

use crate::error::{ExplainError, Result};
use serde_json::Value;
use std::collections::HashSet;

/// The names at `model[key]` (a JSON pointer-free lookup of one key), `None` when absent, null
/// or empty (XGBoost writes `[]` for models trained without names).
pub fn feature_names_at(v: Option<&Value>, path: &str, n: usize) -> Result<Option<Vec<String>>> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let a = v
        .as_array()
        .ok_or_else(|| ExplainError::at(path, "expected an array of names"))?;
    if a.is_empty() {
        return Ok(None);
    }
    check_names(
        a.iter()
            .enumerate()
            .map(|(i, s)| {
                s.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ExplainError::at(&format!("{path}[{i}]"), "expected a string"))
            })
            .collect::<Result<Vec<_>>>()?,
        path,
        n,
    )
    .map(Some)
}

/// `model.feature_names` of a top-level export.
pub fn feature_names(model: &Value, path: &str, n: usize) -> Result<Option<Vec<String>>> {
    feature_names_at(model.get("feature_names"), path, n)
}

/// One name per feature, all distinct.
pub fn check_names(names: Vec<String>, path: &str, n: usize) -> Result<Vec<String>> {
    if names.len() != n {
        return Err(ExplainError::at(
            path,
            format!("has {} names, the model has {n} features", names.len()),
        ));
    }
    let mut seen = HashSet::new();
    if let Some(dup) = names.iter().find(|s| !seen.insert(s.as_str())) {
        return Err(ExplainError::at(
            path,
            format!("name '{dup}' appears twice"),
        ));
    }
    Ok(names)
}
