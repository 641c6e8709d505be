//! Running a drift method: the entry points for each input kind (raw numbers, profiles,
//! categories and category summaries), which look the method up in the registry, check the
//! threshold and options, and turn the scores into a verdict.

use super::methods::{auto_method, lookup, Inputs, Source};
use super::options::check_options;
use super::sample::Sample;
use crate::categories::Categories;
use crate::error::{CoreError, Result};
use crate::profile::NumericProfile;
use serde_json::Value;
use std::collections::BTreeMap;

/// The outcome of one drift check.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftResult {
    pub method: &'static str,
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    pub threshold: Option<f64>,
    pub drifted: Option<bool>,
}

/// Drift between two samples; `None` when either side is empty.
pub fn drift_samples(
    reference: Option<&Sample>,
    current: Option<&Sample>,
    source: Source,
    method: &str,
    threshold: Option<f64>,
    options: &Value,
) -> Result<Option<DriftResult>> {
    let named = if method == "auto" {
        None
    } else {
        Some(lookup(method, source)?)
    };
    if let Some(t) = threshold
        && !t.is_finite()
    {
        return Err(CoreError::invalid_parameter(format!(
            "threshold must be finite, got {t}"
        )));
    }
    if let Some(s) = named {
        check_options(s, options)?;
    }
    let (Some(reference), Some(current)) = (reference, current) else {
        return Ok(None);
    };
    let spec = match named {
        Some(s) => s,
        None => {
            let s = lookup(auto_method(reference, current, source), source)?;
            check_options(s, options)?;
            s
        }
    };
    let (statistic, p_value) = (spec.compute)(&Inputs {
        reference,
        current,
        source,
        options,
    })?;
    // Undefined results (NaN) are reported as NULL, never as NaN.
    let statistic = statistic.filter(|s| !s.is_nan());
    let p_value = p_value.filter(|p| !p.is_nan());
    let threshold = threshold.or(spec.default_threshold);
    let drifted = spec.rule.drifted(threshold, statistic, p_value);
    Ok(Some(DriftResult {
        method: spec.name,
        statistic,
        p_value,
        threshold,
        drifted,
    }))
}

/// Drift between two raw samples (finite values).
pub fn drift_numeric(
    reference: &[f64],
    current: &[f64],
    method: &str,
    threshold: Option<f64>,
    options: &Value,
) -> Result<Option<DriftResult>> {
    let (r, c) = (Sample::from_values(reference), Sample::from_values(current));
    drift_samples(
        r.as_ref(),
        c.as_ref(),
        Source::Exact,
        method,
        threshold,
        options,
    )
}

/// Drift between two categorical samples (text values; NULLs already dropped).
pub fn drift_categories(
    reference: &[&str],
    current: &[&str],
    method: &str,
    threshold: Option<f64>,
    options: &Value,
) -> Result<Option<DriftResult>> {
    fn count<'a>(values: &[&'a str]) -> BTreeMap<&'a str, u64> {
        let mut counts = BTreeMap::new();
        for &v in values {
            *counts.entry(v).or_default() += 1;
        }
        counts
    }
    drift_category_counts(
        (&count(reference), 0),
        (&count(current), 0),
        method,
        threshold,
        options,
    )
}

/// Drift between two sets of category counts, each with a count of values folded into "other"
/// (one extra category when non-zero). Categories are coded by their position in the sorted
/// union of keys, so every categorical method sees the same bins.
fn drift_category_counts(
    reference: (&BTreeMap<&str, u64>, u64),
    current: (&BTreeMap<&str, u64>, u64),
    method: &str,
    threshold: Option<f64>,
    options: &Value,
) -> Result<Option<DriftResult>> {
    let mut keys: Vec<&str> = reference
        .0
        .keys()
        .chain(current.0.keys())
        .copied()
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let other_code = keys.len() as f64;
    let sample = |(counts, other): (&BTreeMap<&str, u64>, u64)| -> Option<Sample> {
        let mut values: Vec<(f64, u64)> = counts
            .iter()
            .map(|(k, &n)| (keys.binary_search(k).expect("key present") as f64, n))
            .collect();
        if other > 0 {
            values.push((other_code, other));
        }
        Sample::from_weighted(values)
    };
    let (r, c) = (sample(reference), sample(current));
    drift_samples(
        r.as_ref(),
        c.as_ref(),
        Source::Categorical,
        method,
        threshold,
        options,
    )
}

/// Drift between two stored profiles: the exact result on their discretised samples. When both
/// count their values (at most 256 distinct each) the samples are the rows themselves, and
/// 'auto' chooses as for rows (Evidently's few-values branch: z, chisquare, jensenshannon).
pub fn drift_profiles(
    reference: &NumericProfile,
    current: &NumericProfile,
    method: &str,
    threshold: Option<f64>,
    options: &Value,
) -> Result<Option<DriftResult>> {
    let (r, c) = (
        Sample::from_profile(reference),
        Sample::from_profile(current),
    );
    let counted = |p: &NumericProfile| p.distinct.as_ref().is_some_and(|d| d.is_counted());
    let source = if method == "auto" && counted(reference) && counted(current) {
        Source::Exact
    } else {
        Source::Profile
    };
    drift_samples(r.as_ref(), c.as_ref(), source, method, threshold, options)
}

/// Drift between two category summaries. When either summary hit its cap, its folded values
/// form one extra category ("other"), compared like any other.
pub fn drift_category_summaries(
    reference: &Categories,
    current: &Categories,
    method: &str,
    threshold: Option<f64>,
    options: &Value,
) -> Result<Option<DriftResult>> {
    fn borrowed(c: &Categories) -> BTreeMap<&str, u64> {
        c.counts.iter().map(|(k, &n)| (&**k, n)).collect()
    }
    drift_category_counts(
        (&borrowed(reference), reference.other_count),
        (&borrowed(current), current.other_count),
        method,
        threshold,
        options,
    )
}
