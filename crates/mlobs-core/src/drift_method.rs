//! The drift-method registry: names, default thresholds and drift rules as Evidently 0.7's
//! registry has them, and dispatch to the statistics in `drift`/`psi`.

use crate::drift;
use crate::error::{CoreError, Result};
use crate::psi::psi_evidently;
use serde_json::Value;

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
    /// `None`: no default (the statistic has units), drifted is NULL unless a threshold is given.
    pub default_threshold: Option<f64>,
    pub rule: Rule,
    /// Option keys the method accepts.
    pub options: &'static [&'static str],
}

/// Methods for numeric samples.
pub const NUMERIC_METHODS: &[MethodSpec] = &[
    MethodSpec {
        name: "psi",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        options: &[],
    },
    MethodSpec {
        name: "kl_div",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        options: &[],
    },
    MethodSpec {
        name: "jensenshannon",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        options: &["base"],
    },
    MethodSpec {
        name: "wasserstein",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        options: &[],
    },
    MethodSpec {
        name: "wasserstein_raw",
        default_threshold: None,
        rule: Rule::StatisticAtLeast,
        options: &[],
    },
    MethodSpec {
        name: "hellinger",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        options: &[],
    },
    MethodSpec {
        name: "ed",
        default_threshold: Some(0.1),
        rule: Rule::StatisticAbove,
        options: &[],
    },
    MethodSpec {
        name: "ks",
        default_threshold: Some(0.05),
        rule: Rule::PValueAtMost,
        options: &[],
    },
    MethodSpec {
        name: "t_test",
        default_threshold: Some(0.05),
        rule: Rule::PValueBelow,
        options: &[],
    },
    MethodSpec {
        name: "chisquare",
        default_threshold: Some(0.05),
        rule: Rule::PValueBelow,
        options: &[],
    },
    MethodSpec {
        name: "z",
        default_threshold: Some(0.05),
        rule: Rule::PValueBelow,
        options: &[],
    },
];

/// The outcome of one drift check.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftResult {
    pub method: &'static str,
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    pub threshold: Option<f64>,
    pub drifted: Option<bool>,
}

fn spec(name: &str) -> Result<&'static MethodSpec> {
    NUMERIC_METHODS
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = NUMERIC_METHODS.iter().map(|m| m.name).collect();
            CoreError::invalid_parameter(format!(
                "method must be one of 'auto', {}; got '{name}'",
                names
                    .iter()
                    .map(|n| format!("'{n}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// Evidently 0.7's default choice for a numeric column: few distinct values make it categorical
/// (z for two categories, chisquare otherwise); then KS up to 1000 reference rows, normed
/// Wasserstein above.
pub fn auto_method(reference: &[f64], current: &[f64]) -> &'static str {
    let reference_distinct = drift::category_counts(reference, &[]).0.len();
    if reference_distinct <= AUTO_CATEGORICAL_MAX_DISTINCT {
        if drift::category_counts(reference, current).0.len() <= 2 {
            "z"
        } else {
            "chisquare"
        }
    } else if reference.len() <= AUTO_KS_MAX_REFERENCE {
        "ks"
    } else {
        "wasserstein"
    }
}

/// A numeric column with at most this many distinct reference values is treated as categorical.
pub const AUTO_CATEGORICAL_MAX_DISTINCT: usize = 5;
/// KS is chosen for references of at most this many rows.
pub const AUTO_KS_MAX_REFERENCE: usize = 1000;

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

/// Drift between two finite numeric samples. `None` when either side is empty.
pub fn drift_numeric(
    reference: &[f64],
    current: &[f64],
    method: &str,
    threshold: Option<f64>,
    options: &Value,
) -> Result<Option<DriftResult>> {
    let name = if method == "auto" {
        None
    } else {
        Some(spec(method)?.name)
    };
    if let Some(t) = threshold {
        if !t.is_finite() {
            return Err(CoreError::invalid_parameter(format!(
                "threshold must be finite, got {t}"
            )));
        }
    }
    if reference.is_empty() || current.is_empty() {
        if let Some(n) = name {
            check_options(spec(n)?, options)?;
        }
        return Ok(None);
    }
    let spec = spec(name.unwrap_or_else(|| auto_method(reference, current)))?;
    check_options(spec, options)?;
    let (statistic, p_value) = match spec.name {
        "psi" => (psi_evidently(reference, current), None),
        "kl_div" => (Some(drift::kl_div(reference, current)), None),
        "jensenshannon" => {
            let base = option_f64(options, "base")?;
            if let Some(b) = base {
                if b <= 0.0 || b == 1.0 {
                    return Err(CoreError::invalid_parameter(format!(
                        "options.base must be positive and not 1, got {b}"
                    )));
                }
            }
            let bins = crate::psi::evidently_bins(reference, current);
            let share = |c: &[u64]| {
                let n: u64 = c.iter().sum();
                c.iter().map(|&x| x as f64 / n as f64).collect::<Vec<_>>()
            };
            (
                Some(drift::jensenshannon_of_shares(
                    &share(&bins.reference),
                    &share(&bins.current),
                    base,
                )),
                None,
            )
        }
        "wasserstein" => (Some(drift::wasserstein_normed(reference, current)), None),
        "wasserstein_raw" => (Some(drift::wasserstein_raw(reference, current)), None),
        "hellinger" => (Some(drift::hellinger(reference, current)), None),
        "ed" => (Some(drift::energy_distance(reference, current)), None),
        "ks" => {
            let (d, p) = drift::ks_2samp(reference, current);
            (Some(d), Some(p))
        }
        "t_test" => {
            let (t, p) = drift::t_test(reference, current);
            (Some(t), Some(p))
        }
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
