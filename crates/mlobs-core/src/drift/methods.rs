//! The drift-method registry: one row per method with its name, inputs, options, default
//! threshold and drift rule as Evidently 0.7's registry has them, what its statistic is, and the
//! function that computes it. The row is the single source of truth: `mlobs.drift_methods()`
//! lists it, the docs and tests are checked against it, and a method cannot exist without its
//! compute function. Adding a method: a row here, its compute function in `compute.rs`, a fixture
//! case in `tests/drift_fixtures.rs` and a docs row in `docs/drift.md` (the tests say which is
//! missing).

use super::compute;
use super::sample::{category_counts, Sample};
use crate::error::{CoreError, Result};
use serde_json::Value;

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

impl Source {
    /// Every input kind, in the order `mlobs.drift_methods()` lists them.
    pub const ALL: [Source; 3] = [Source::Exact, Source::Profile, Source::Categorical];

    /// The name `mlobs.drift_methods()` reports.
    pub fn name(self) -> &'static str {
        match self {
            Source::Exact => "numeric",
            Source::Profile => "profile",
            Source::Categorical => "categories",
        }
    }

    /// How error messages name the input.
    fn what(self) -> &'static str {
        match self {
            Source::Exact => "numeric values",
            Source::Profile => "profiles",
            Source::Categorical => "categories",
        }
    }
}

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

impl Rule {
    /// The rule as `mlobs.drift_methods()` reports it.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::StatisticAtLeast => "statistic >= threshold",
            Rule::StatisticAbove => "statistic > threshold",
            Rule::PValueBelow => "p_value < threshold",
            Rule::PValueAtMost => "p_value <= threshold",
        }
    }

    /// The verdict; `None` without a threshold or a value to judge.
    pub fn drifted(
        self,
        threshold: Option<f64>,
        statistic: Option<f64>,
        p_value: Option<f64>,
    ) -> Option<bool> {
        let t = threshold?;
        match self {
            Rule::StatisticAtLeast => statistic.map(|s| s >= t),
            Rule::StatisticAbove => statistic.map(|s| s > t),
            Rule::PValueBelow => p_value.map(|p| p < t),
            Rule::PValueAtMost => p_value.map(|p| p <= t),
        }
    }
}

/// What a compute function sees: two non-empty samples, where they came from, and the options
/// (already checked against the row's `options`).
pub struct Inputs<'a> {
    pub reference: &'a Sample,
    pub current: &'a Sample,
    pub source: Source,
    pub options: &'a Value,
}

/// (statistic, p-value): `None` where the method has none; NaN (undefined) is reported as NULL by
/// the caller.
pub type Scores = (Option<f64>, Option<f64>);

pub struct MethodSpec {
    pub name: &'static str,
    /// Inputs the method runs on.
    pub inputs: &'static [Source],
    /// Option keys the method accepts.
    pub options: &'static [&'static str],
    /// `None`: no default (the statistic has units); drifted is NULL unless a threshold is given.
    pub default_threshold: Option<f64>,
    pub rule: Rule,
    /// What the statistic is (the p-value, when there is one, is always the test's).
    pub statistic: &'static str,
    /// Computes the scores; errors are the method's own limits (e.g. binary data only).
    pub compute: fn(&Inputs) -> Result<Scores>,
}

const BINNED: &[&str] = &["binning", "bins"];
const ALL: &[Source] = &Source::ALL;
const NUMERIC: &[Source] = &[Source::Exact, Source::Profile];
const COUNTS: &[Source] = &[Source::Exact, Source::Categorical];
const CATEGORICAL: &[Source] = &[Source::Categorical];

/// The methods, as Evidently 0.7 registers them (thresholds, rules), plus `wasserstein_raw`
/// (scipy's W1, no default threshold) and NannyML's `l_infinity`.
pub const METHODS: &[MethodSpec] = &[
    MethodSpec {
        name: "psi",
        inputs: ALL,
        options: BINNED,
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        statistic: "Population Stability Index of the binned shares",
        compute: compute::psi,
    },
    MethodSpec {
        name: "kl_div",
        inputs: ALL,
        options: BINNED,
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        statistic: "KL divergence KL(reference || current) of the binned shares, nats",
        compute: compute::kl_div,
    },
    MethodSpec {
        name: "jensenshannon",
        inputs: ALL,
        options: &["binning", "bins", "base"],
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        statistic: "Jensen-Shannon distance of the binned shares",
        compute: compute::jensenshannon,
    },
    MethodSpec {
        name: "wasserstein",
        inputs: NUMERIC,
        options: &[],
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        statistic: "Wasserstein distance W1 divided by the reference's standard deviation",
        compute: compute::wasserstein,
    },
    MethodSpec {
        name: "wasserstein_raw",
        inputs: NUMERIC,
        options: &[],
        default_threshold: None,
        rule: Rule::StatisticAtLeast,
        statistic: "Wasserstein distance W1 in the data's units",
        compute: compute::wasserstein_raw,
    },
    MethodSpec {
        name: "hellinger",
        inputs: ALL,
        options: &[],
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        statistic: "Hellinger distance of the densities (shares for categories)",
        compute: compute::hellinger,
    },
    MethodSpec {
        name: "ed",
        inputs: NUMERIC,
        options: &[],
        default_threshold: Some(0.1),
        rule: Rule::StatisticAbove,
        statistic: "energy distance",
        compute: compute::ed,
    },
    MethodSpec {
        name: "ks",
        inputs: NUMERIC,
        options: &["p_value", "alternative"],
        default_threshold: Some(0.05),
        rule: Rule::PValueAtMost,
        statistic: "Kolmogorov-Smirnov D (two-sided unless options.alternative)",
        compute: compute::ks,
    },
    MethodSpec {
        name: "mannw",
        inputs: NUMERIC,
        options: &[],
        default_threshold: Some(0.05),
        rule: Rule::PValueBelow,
        statistic: "Mann-Whitney U of the reference (one-sided test, less)",
        compute: compute::mannw,
    },
    MethodSpec {
        name: "anderson",
        inputs: NUMERIC,
        options: &[],
        default_threshold: Some(0.1),
        rule: Rule::PValueBelow,
        statistic: "standardised Anderson-Darling k-sample A2",
        compute: compute::anderson,
    },
    MethodSpec {
        name: "empirical_mmd",
        inputs: NUMERIC,
        options: &[],
        default_threshold: Some(0.1),
        rule: Rule::PValueBelow,
        statistic: "maximum mean discrepancy, RBF kernel (permutation test)",
        compute: compute::empirical_mmd,
    },
    MethodSpec {
        name: "cramer_von_mises",
        inputs: NUMERIC,
        options: &[],
        default_threshold: Some(0.1),
        rule: Rule::PValueAtMost,
        statistic: "Cramer-von Mises T (two-sample test)",
        compute: compute::cramer_von_mises,
    },
    MethodSpec {
        name: "t_test",
        inputs: NUMERIC,
        options: &[],
        default_threshold: Some(0.05),
        rule: Rule::PValueBelow,
        statistic: "Student t, pooled variance (two-sided test)",
        compute: compute::t_test,
    },
    MethodSpec {
        name: "chisquare",
        inputs: COUNTS,
        options: &[],
        default_threshold: Some(0.05),
        rule: Rule::PValueBelow,
        statistic: "chi-squared of the current counts against the reference shares",
        compute: compute::chisquare,
    },
    MethodSpec {
        name: "z",
        inputs: COUNTS,
        options: &[],
        default_threshold: Some(0.05),
        rule: Rule::PValueBelow,
        statistic: "pooled two-proportion z (binary data, two-sided test)",
        compute: compute::z,
    },
    MethodSpec {
        name: "g_test",
        inputs: CATEGORICAL,
        options: &[],
        default_threshold: Some(0.1),
        rule: Rule::PValueBelow,
        statistic: "G statistic (likelihood-ratio test)",
        compute: compute::g_test,
    },
    MethodSpec {
        name: "fisher_exact",
        inputs: CATEGORICAL,
        options: &[],
        default_threshold: Some(0.1),
        rule: Rule::PValueBelow,
        statistic: "odds ratio (Fisher's exact test, binary data, two-sided)",
        compute: compute::fisher_exact,
    },
    MethodSpec {
        name: "TVD",
        inputs: CATEGORICAL,
        options: &[],
        default_threshold: Some(0.1),
        rule: Rule::PValueBelow,
        statistic: "total variation distance (permutation test)",
        compute: compute::tvd,
    },
    MethodSpec {
        name: "l_infinity",
        inputs: CATEGORICAL,
        options: &[],
        default_threshold: Some(0.1),
        rule: Rule::StatisticAtLeast,
        statistic: "largest difference of a category's shares",
        compute: compute::l_infinity,
    },
];

/// The registered method `name` for `source`; the error lists the valid ones.
pub fn lookup(name: &str, source: Source) -> Result<&'static MethodSpec> {
    let valid: Vec<&MethodSpec> = METHODS
        .iter()
        .filter(|m| m.inputs.contains(&source))
        .collect();
    if let Some(m) = valid.iter().find(|m| m.name == name) {
        return Ok(m);
    }
    let names: Vec<String> = valid.iter().map(|m| format!("'{}'", m.name)).collect();
    let hint = if source == Source::Profile && METHODS.iter().any(|m| m.name == name) {
        " (categorical tests need exact counts: named, they are refused on profiles, and 'auto' picks them only when both profiles count their values, at most 256 distinct each; or pass the raw values)"
    } else {
        ""
    };
    Err(CoreError::invalid_parameter(format!(
        "method for {} must be one of 'auto', {}; got '{name}'{hint}",
        source.what(),
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
        let n_values = category_counts(reference, current).0.len();
        return match (reference.n <= AUTO_KS_MAX_REFERENCE, n_values <= 2) {
            (true, true) => "z",
            (true, false) => "chisquare",
            (false, _) => "jensenshannon",
        };
    }
    let few_values = source == Source::Exact
        && category_counts(reference, current).0.len() <= AUTO_CATEGORICAL_MAX_DISTINCT;
    let n_values = if few_values {
        category_counts(reference, current).0.len()
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
