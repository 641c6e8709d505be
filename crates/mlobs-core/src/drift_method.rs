//! The drift-method registry: names, default thresholds and drift rules as Evidently 0.7's
//! registry has them, options, the `auto` choice, and dispatch to the statistics in `drift`.

use crate::drift::{self, Sample};
use crate::error::{CoreError, Result};
use crate::profile::NumericProfile;
use crate::psi::{
    counts_on_edges, evidently_bins_weighted, occupied_bins, psi_of_counts,
    reference_quantile_edges,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// How a result becomes a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Distances: drift when statistic ≥ threshold.
    StatisticAtLeast,
    /// Energy distance (Evidently): drift when statistic > threshold.
    StatisticAbove,
    /// Tests: drift when p < threshold.
    PValueBelow,
    /// KS (Evidently): drift when p ≤ threshold.
    PValueAtMost,
}

pub struct MethodSpec {
    pub name: &'static str,
    /// `None`: no default (the statistic has units); drifted is NULL unless a threshold is given.
    pub default_threshold: Option<f64>,
    pub rule: Rule,
    /// Option keys the method accepts.
    pub options: &'static [&'static str],
    /// Inputs the method runs on.
    pub inputs: &'static [Source],
}

const BINNED: &[&str] = &["binning", "bins"];
const ALL: &[Source] = &[Source::Exact, Source::Profile, Source::Categorical];
const NUMERIC: &[Source] = &[Source::Exact, Source::Profile];
const COUNTS: &[Source] = &[Source::Exact, Source::Categorical];
const CATEGORICAL: &[Source] = &[Source::Categorical];

/// The methods, as Evidently 0.7 registers them (thresholds, rules), plus `wasserstein_raw`
/// (scipy's W1, no default threshold) and NannyML's `l_infinity`.
pub const METHODS: &[MethodSpec] = &[
    MethodSpec {
        name: "psi",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        options: BINNED,
        inputs: ALL,
    },
    MethodSpec {
        name: "kl_div",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        options: BINNED,
        inputs: ALL,
    },
    MethodSpec {
        name: "jensenshannon",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        options: &["binning", "bins", "base"],
        inputs: ALL,
    },
    MethodSpec {
        name: "wasserstein",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        options: &[],
        inputs: NUMERIC,
    },
    MethodSpec {
        name: "wasserstein_raw",
        default_threshold: None,
        rule: Rule::StatisticAtLeast,
        options: &[],
        inputs: NUMERIC,
    },
    MethodSpec {
        name: "hellinger",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        options: &[],
        inputs: ALL,
    },
    MethodSpec {
        name: "ed",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAbove,
        options: &[],
        inputs: NUMERIC,
    },
    MethodSpec {
        name: "ks",
        default_threshold: Some(0.05),
        rule: Rule::PValueAtMost,
        options: &["p_value"],
        inputs: NUMERIC,
    },
    MethodSpec {
        name: "mannw",
        default_threshold: Some(0.05),
        rule: Rule::PValueBelow,
        options: &[],
        inputs: NUMERIC,
    },
    MethodSpec {
        name: "anderson",
        default_threshold: Some(0.1),
        rule: Rule::PValueBelow,
        options: &[],
        inputs: NUMERIC,
    },
    MethodSpec {
        name: "empirical_mmd",
        default_threshold: Some(0.1),
        rule: Rule::PValueBelow,
        options: &[],
        inputs: NUMERIC,
    },
    MethodSpec {
        name: "cramer_von_mises",
        default_threshold: Some(0.1),
        rule: Rule::PValueAtMost,
        options: &[],
        inputs: NUMERIC,
    },
    MethodSpec {
        name: "t_test",
        default_threshold: Some(0.05),
        rule: Rule::PValueBelow,
        options: &[],
        inputs: NUMERIC,
    },
    MethodSpec {
        name: "chisquare",
        default_threshold: Some(0.05),
        rule: Rule::PValueBelow,
        options: &[],
        inputs: COUNTS,
    },
    MethodSpec {
        name: "z",
        default_threshold: Some(0.05),
        rule: Rule::PValueBelow,
        options: &[],
        inputs: COUNTS,
    },
    MethodSpec {
        name: "g_test",
        default_threshold: Some(0.1),
        rule: Rule::PValueBelow,
        options: &[],
        inputs: CATEGORICAL,
    },
    MethodSpec {
        name: "fisher_exact",
        default_threshold: Some(0.1),
        rule: Rule::PValueBelow,
        options: &[],
        inputs: CATEGORICAL,
    },
    MethodSpec {
        name: "TVD",
        default_threshold: Some(0.1),
        rule: Rule::PValueBelow,
        options: &[],
        inputs: CATEGORICAL,
    },
    MethodSpec {
        name: "l_infinity",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        options: &[],
        inputs: CATEGORICAL,
    },
];

/// Most values (reference + current) the TVD permutation test accepts: 1000 permutations of
/// the pooled sample.
pub const TVD_MAX_VALUES: u64 = 200_000;

/// The outcome of one drift check.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftResult {
    pub method: &'static str,
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    pub threshold: Option<f64>,
    pub drifted: Option<bool>,
}

fn spec(name: &str, source: Source) -> Result<&'static MethodSpec> {
    let valid: Vec<&MethodSpec> = METHODS
        .iter()
        .filter(|m| m.inputs.contains(&source))
        .collect();
    if let Some(m) = valid.iter().find(|m| m.name == name) {
        return Ok(m);
    }
    let names: Vec<String> = valid.iter().map(|m| format!("'{}'", m.name)).collect();
    let what = match source {
        Source::Exact => "numeric values",
        Source::Profile => "profiles",
        Source::Categorical => "categories",
    };
    let hint = if source == Source::Profile && METHODS.iter().any(|m| m.name == name) {
        " (categorical tests need exact counts: pass the raw values)"
    } else {
        ""
    };
    Err(CoreError::invalid_parameter(format!(
        "method for {what} must be one of 'auto', {}; got '{name}'{hint}",
        names.join(", ")
    )))
}

/// Evidently 0.7's default choice for a numeric column (its `registry.py`): with at most 5
/// distinct values in reference ∪ current the column is treated as categorical. References of
/// at most 1000 rows get `z` (≤ 2 values), `chisquare` (3–5 values) or `ks`; larger ones get
/// `jensenshannon` (≤ 5 values) or `wasserstein`. Profiles only know values to 1 %, so there
/// the choice is by reference size alone: `ks` or `wasserstein`. Categorical data (text) follows
/// Evidently's categorical branch.
pub fn auto_method(reference: &Sample, current: &Sample, source: Source) -> &'static str {
    if source == Source::Categorical {
        // Categorical columns: chisquare / z up to 1000 reference rows, jensenshannon above.
        let n_values = drift::category_counts(reference, current).0.len();
        return match (reference.n <= AUTO_KS_MAX_REFERENCE, n_values <= 2) {
            (true, true) => "z",
            (true, false) => "chisquare",
            (false, _) => "jensenshannon",
        };
    }
    let few_values = source == Source::Exact
        && drift::category_counts(reference, current).0.len() <= AUTO_CATEGORICAL_MAX_DISTINCT;
    let n_values = if few_values {
        drift::category_counts(reference, current).0.len()
    } else {
        usize::MAX
    };
    match (reference.n <= AUTO_KS_MAX_REFERENCE, few_values) {
        (true, true) if n_values <= 2 => "z",
        (true, true) => "chisquare",
        (true, false) => "ks",
        (false, true) => "jensenshannon",
        (false, false) => "wasserstein",
    }
}

/// At most this many distinct values in reference ∪ current make a numeric column categorical.
pub const AUTO_CATEGORICAL_MAX_DISTINCT: usize = 5;
/// Smaller tests (KS, χ², z) are chosen for references of at most this many rows.
pub const AUTO_KS_MAX_REFERENCE: u64 = 1000;

fn option_f64(options: &Value, key: &str) -> Result<Option<f64>> {
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

fn check_options(spec: &MethodSpec, options: &Value) -> Result<()> {
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
fn binned_counts(
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
        let (_, r, c) = drift::category_counts(reference, current);
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
            let edges = crate::binning::doane_edges_weighted(&reference.values);
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

/// Which input the samples came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Raw numeric values.
    Exact,
    /// A profile's discretised sample: categorical tests need exact counts.
    Profile,
    /// Categories (text values), coded as numbers in sorted order.
    Categorical,
}

/// A test's (statistic, p) as the optional pair the dispatch returns.
fn statistic_and_p((statistic, p): (f64, f64)) -> (Option<f64>, Option<f64>) {
    (Some(statistic), Some(p))
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
        Some(spec(method, source)?)
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
            let s = spec(auto_method(reference, current, source), source)?;
            check_options(s, options)?;
            s
        }
    };
    let (statistic, p_value) = match spec.name {
        "psi" => {
            let (r, c, _) = binned_counts(reference, current, source, options)?;
            (psi_of_counts(&r, &c), None)
        }
        "kl_div" => {
            let (r, c, _) = binned_counts(reference, current, source, options)?;
            (Some(drift::kl_div_of_counts(&r, &c)), None)
        }
        "jensenshannon" => {
            let (r, c, reference_fitted) = binned_counts(reference, current, source, options)?;
            // Base e as scipy/Evidently; base 2 (range [0, 1]) in the reference-fitted mode, as NannyML.
            let base = match option_f64(options, "base")? {
                Some(b) if b <= 0.0 || b == 1.0 => {
                    return Err(CoreError::invalid_parameter(format!(
                        "options.base must be positive and not 1, got {b}"
                    )))
                }
                Some(b) => Some(b),
                None if reference_fitted => Some(2.0),
                None => None,
            };
            (
                Some(drift::jensenshannon_of_shares(
                    &drift::shares(&r),
                    &drift::shares(&c),
                    base,
                )),
                None,
            )
        }
        "wasserstein" => (Some(drift::wasserstein_normed(reference, current)), None),
        "wasserstein_raw" => (Some(drift::wasserstein_raw(reference, current)), None),
        "hellinger" if source == Source::Categorical => {
            let (_, r, c) = drift::category_counts(reference, current);
            (Some(drift::hellinger_categorical(&r, &c)), None)
        }
        "hellinger" => (Some(drift::hellinger(reference, current)), None),
        "g_test" => {
            let (_, r, c) = drift::category_counts(reference, current);
            let (g, p) = drift::g_test(&r, &c);
            (Some(g), Some(p))
        }
        "fisher_exact" => {
            let (_, r, c) = drift::category_counts(reference, current);
            if r.len() > 2 {
                return Err(CoreError::invalid_parameter(
                    "method 'fisher_exact' needs binary data: reference ∪ current has more than 2 categories",
                ));
            }
            // A single category is the table with an empty second column (p = 1).
            let pair = |v: &[u64]| {
                if v.len() == 2 {
                    [v[0], v[1]]
                } else {
                    [v[0], 0]
                }
            };
            let (odds, p) = drift::fisher_exact(pair(&r), pair(&c));
            (Some(odds), Some(p))
        }
        "TVD" => {
            if reference.n + current.n > TVD_MAX_VALUES {
                return Err(CoreError::limit_exceeded(format!(
                    "method 'TVD' permutes the pooled sample and accepts at most {TVD_MAX_VALUES} values, got {}; use 'l_infinity' or 'jensenshannon'",
                    reference.n + current.n
                )));
            }
            let (_, r, c) = drift::category_counts(reference, current);
            (
                Some(drift::total_variation(&r, &c)),
                Some(drift::tvd_permutation_p(&r, &c)),
            )
        }
        "l_infinity" => {
            let (_, r, c) = drift::category_counts(reference, current);
            (Some(drift::l_infinity(&r, &c)), None)
        }
        "ed" => (Some(drift::energy_distance(reference, current)), None),
        "ks" => {
            let p_value = match options.get("p_value") {
                None | Some(Value::Null) => drift::KsPValue::Auto,
                Some(Value::String(s)) if s == "auto" => drift::KsPValue::Auto,
                Some(Value::String(s)) if s == "asymptotic" => drift::KsPValue::Asymptotic,
                Some(Value::String(s)) if s == "exact" => drift::KsPValue::Exact,
                Some(v) => {
                    return Err(CoreError::invalid_parameter(format!(
                        "options.p_value must be 'auto', 'exact' or 'asymptotic', got {v}"
                    )))
                }
            };
            statistic_and_p(drift::ks_2samp_with(reference, current, p_value))
        }
        "anderson" => statistic_and_p(drift::anderson_2samp(reference, current)),
        "empirical_mmd" => statistic_and_p(drift::empirical_mmd(reference, current)),
        "cramer_von_mises" => statistic_and_p(crate::cvm::cramer_von_mises(reference, current)),
        "mannw" => statistic_and_p(drift::mann_whitney_less(reference, current)),
        "t_test" => statistic_and_p(drift::t_test(reference, current)),
        "chisquare" => {
            let (_, r, c) = drift::category_counts(reference, current);
            let (s, p) = drift::chisquare(&r, &c);
            (Some(s), Some(p))
        }
        "z" => {
            if drift::category_counts(reference, current).0.len() > 2 {
                return Err(CoreError::invalid_parameter(
                    "method 'z' needs binary data: reference ∪ current has more than 2 distinct values",
                ));
            }
            let (z, p) = drift::z_test(reference, current);
            (Some(z), Some(p))
        }
        _ => unreachable!("every registered method is dispatched"),
    };
    // Undefined results (NaN) are reported as NULL, never as NaN.
    let statistic = statistic.filter(|s| !s.is_nan());
    let p_value = p_value.filter(|p| !p.is_nan());
    let threshold = threshold.or(spec.default_threshold);
    let drifted = match (spec.rule, threshold) {
        (_, None) => None,
        (Rule::StatisticAtLeast, Some(t)) => statistic.map(|s| s >= t),
        (Rule::StatisticAbove, Some(t)) => statistic.map(|s| s > t),
        (Rule::PValueBelow, Some(t)) => p_value.map(|p| p < t),
        (Rule::PValueAtMost, Some(t)) => p_value.map(|p| p <= t),
    };
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

/// Drift between two stored profiles: the exact result on their discretised samples.
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
    drift_samples(
        r.as_ref(),
        c.as_ref(),
        Source::Profile,
        method,
        threshold,
        options,
    )
}

/// Drift between two category summaries. When either summary hit its cap, its folded values
/// form one extra category ("other"), compared like any other.
pub fn drift_category_summaries(
    reference: &crate::categories::Categories,
    current: &crate::categories::Categories,
    method: &str,
    threshold: Option<f64>,
    options: &Value,
) -> Result<Option<DriftResult>> {
    fn borrowed(c: &crate::categories::Categories) -> BTreeMap<&str, u64> {
        c.counts.iter().map(|(k, &n)| (k.as_str(), n)).collect()
    }
    drift_category_counts(
        (&borrowed(reference), reference.other_count),
        (&borrowed(current), current.other_count),
        method,
        threshold,
        options,
    )
}

/// Drift of one feature of a feature-profile pair.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureDrift {
    pub feature: String,
    pub kind: crate::features::Kind,
    /// `None` when a side has no values of the feature.
    pub result: Option<DriftResult>,
}

/// One row per feature of reference ∪ current (Evidently's DataDriftPreset, per column):
/// numeric features through their profiles with `numeric_method`, categorical ones through their
/// category counts with `categorical_method`. The kind comes from the reference when it has the
/// feature, else from the current side.
pub fn drift_report(
    reference: &crate::features::FeatureProfiles,
    current: &crate::features::FeatureProfiles,
    numeric_method: &str,
    categorical_method: &str,
) -> Result<Vec<FeatureDrift>> {
    use crate::features::{FeatureSummary, Kind};
    // Validate both methods up front so a bad name fails even on empty summaries.
    if numeric_method != "auto" {
        spec(numeric_method, Source::Profile)?;
    }
    if categorical_method != "auto" {
        spec(categorical_method, Source::Categorical)?;
    }
    let empty = FeatureSummary::default();
    let mut keys: Vec<&String> = reference
        .features
        .keys()
        .chain(current.features.keys())
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
                feature: key.clone(),
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
