//! Drift of whole feature-profile summaries (Evidently's DataDriftPreset): one result per feature
//! and the dataset-level verdict.

use super::methods::{lookup, Source};
use super::run::{drift_category_summaries, drift_profiles, DriftResult};
use crate::error::{CoreError, Result};
use crate::features::{FeatureProfiles, FeatureSummary, Kind};
use serde_json::Value;

/// Drift of one feature of a feature-profile pair.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureDrift {
    pub feature: String,
    pub kind: Kind,
    /// `None` when a side has no values of the feature.
    pub result: Option<DriftResult>,
}

/// One row per feature of reference ∪ current (Evidently's DataDriftPreset, per column):
/// numeric features through their profiles with `numeric_method`, categorical ones through their
/// category counts with `categorical_method`. The kind comes from the reference when it has the
/// feature, else from the current side.
pub fn drift_report(
    reference: &FeatureProfiles,
    current: &FeatureProfiles,
    numeric_method: &str,
    categorical_method: &str,
) -> Result<Vec<FeatureDrift>> {
    // Validate both methods up front so a bad name fails even on empty summaries.
    if numeric_method != "auto" {
        lookup(numeric_method, Source::Profile)?;
    }
    if categorical_method != "auto" {
        lookup(categorical_method, Source::Categorical)?;
    }
    let empty = FeatureSummary::default();
    let mut keys: Vec<&str> = reference
        .features
        .str_keys()
        .chain(current.features.str_keys())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let none = Value::Object(Default::default());
    keys.into_iter()
        .map(|key| {
            let r = reference.features.get(key).unwrap_or(&empty);
            let c = current.features.get(key).unwrap_or(&empty);
            let kind = if reference.features.contains_key(key) {
                r.kind()
            } else {
                c.kind()
            };
            let result = match kind {
                Kind::Numeric => {
                    drift_profiles(&r.numeric, &c.numeric, numeric_method, None, &none)?
                }
                Kind::Categorical => drift_category_summaries(
                    &r.categories,
                    &c.categories,
                    categorical_method,
                    None,
                    &none,
                )?,
                Kind::Other => None,
            };
            Ok(FeatureDrift {
                feature: key.to_owned(),
                kind,
                result,
            })
        })
        .collect()
}

/// Dataset-level verdict (Evidently's DataDriftPreset): the share of features with a verdict that
/// drifted, and whether it reaches `drift_share`.
pub fn dataset_drift(
    report: &[FeatureDrift],
    drift_share: f64,
) -> Result<(u64, u64, Option<f64>, Option<bool>)> {
    if !(drift_share.is_finite() && (0.0..=1.0).contains(&drift_share)) {
        return Err(CoreError::invalid_parameter(format!(
            "drift_share must be between 0 and 1, got {drift_share}"
        )));
    }
    let judged: Vec<bool> = report
        .iter()
        .filter_map(|f| f.result.as_ref().and_then(|r| r.drifted))
        .collect();
    let drifted = judged.iter().filter(|&&d| d).count() as u64;
    let total = judged.len() as u64;
    if total == 0 {
        return Ok((0, 0, None, None));
    }
    let share = drifted as f64 / total as f64;
    Ok((drifted, total, Some(share), Some(share >= drift_share)))
}
