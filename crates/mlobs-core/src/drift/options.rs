//! Options of the drift methods: the keys a registry row accepts, numeric options, and the
//! binning of the binned methods (`psi`, `kl_div`, `jensenshannon`).

use super::methods::{MethodSpec, Source};
use super::psi::{
    counts_on_edges, evidently_bins_weighted, occupied_bins, reference_quantile_edges,
};
use super::sample::{category_counts, Sample};
use crate::binning::doane_edges_weighted;
use crate::error::{CoreError, Result};
use serde_json::Value;

/// A finite numeric option; `None` when absent or null.
pub fn option_f64(options: &Value, key: &str) -> Result<Option<f64>> {
    match options.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| {
                CoreError::invalid_parameter(format!(
                    "options.{key} must be a finite number, got {v}"
                ))
            }),
    }
}

pub fn check_options(spec: &MethodSpec, options: &Value) -> Result<()> {
    let Some(map) = options.as_object() else {
        return Err(CoreError::invalid_parameter(format!(
            "options must be a JSON object, got {options}"
        )));
    };
    for key in map.keys() {
        if !spec.options.contains(&key.as_str()) {
            let valid = if spec.options.is_empty() {
                "none".to_string()
            } else {
                spec.options.join(", ")
            };
            return Err(CoreError::invalid_parameter(format!(
                "option '{key}' is not valid for method '{}' (valid options: {valid})",
                spec.name
            )));
        }
    }
    Ok(())
}

/// Binning of the binned methods: `evidently` (default) or `reference_quantile` (`bins`
/// quantile edges of the reference, default 10, plus under/overflow bins).
pub fn binned_counts(
    reference: &Sample,
    current: &Sample,
    source: Source,
    options: &Value,
) -> Result<(Vec<u64>, Vec<u64>, bool)> {
    if source == Source::Categorical {
        if options.get("binning").is_some() || options.get("bins").is_some() {
            return Err(CoreError::invalid_parameter(
                "options.binning and options.bins do not apply to categories (one bin per category)",
            ));
        }
        let (_, r, c) = category_counts(reference, current);
        return Ok((r, c, false));
    }
    let binning = match options.get("binning") {
        None | Some(Value::Null) => "evidently",
        Some(Value::String(s)) => s.as_str(),
        Some(v) => {
            return Err(CoreError::invalid_parameter(format!(
                "options.binning must be a string, got {v}"
            )))
        }
    };
    let bins = option_f64(options, "bins")?;
    match binning {
        "evidently" => {
            if bins.is_some() {
                return Err(CoreError::invalid_parameter(
                    "options.bins is not used by binning 'evidently'; use \"binning\": \"reference_quantile\"",
                ));
            }
            let b = evidently_bins_weighted(&reference.values, &current.values);
            Ok((b.reference, b.current, false))
        }
        "reference_quantile" => {
            let bins = match bins {
                None => 10,
                Some(b) if b.fract() == 0.0 && (1.0..=1e4).contains(&b) => b as i32,
                Some(b) => {
                    return Err(CoreError::invalid_parameter(format!(
                        "options.bins must be an integer from 1 to 10000, got {b}"
                    )))
                }
            };
            let edges = reference_quantile_edges(&reference.values, bins)?;
            let (r, c) = occupied_bins(
                &counts_on_edges(&reference.values, &edges),
                &counts_on_edges(&current.values, &edges),
            );
            Ok((r, c, true))
        }
        "reference_doane" => {
            if bins.is_some() {
                return Err(CoreError::invalid_parameter(
                    "options.bins is not used by binning 'reference_doane' (Doane's rule picks the count)",
                ));
            }
            let edges = doane_edges_weighted(&reference.values);
            let (r, c) = occupied_bins(
                &counts_on_edges(&reference.values, &edges),
                &counts_on_edges(&current.values, &edges),
            );
            Ok((r, c, true))
        }
        other => Err(CoreError::invalid_parameter(format!(
            "options.binning must be 'evidently', 'reference_quantile' or 'reference_doane', got '{other}'"
        ))),
    }
}
