//! One compute function per registry row (`methods::METHODS`): the adapter from the checked
//! inputs and options to the statistic in its family module.

use super::methods::{Inputs, Scores, Source};
use super::options::{binned_counts, option_f64};
use super::rank_tests;
use super::sample::{category_counts, shares};
use super::{categorical, cvm, distance, divergence, ks as ks_test, mmd, psi as psi_index};
use crate::error::{CoreError, Result};
use serde_json::Value;

/// A test's (statistic, p) as optional scores.
fn test((statistic, p): (f64, f64)) -> Result<Scores> {
    Ok((Some(statistic), Some(p)))
}

/// A distance (no p-value) as optional scores.
fn distance(statistic: f64) -> Result<Scores> {
    Ok((Some(statistic), None))
}

/// The category counts (reference, current) over the union of values.
fn counts(i: &Inputs) -> (Vec<u64>, Vec<u64>) {
    let (_, r, c) = category_counts(i.reference, i.current);
    (r, c)
}

pub fn psi(i: &Inputs) -> Result<Scores> {
    let (r, c, _) = binned_counts(i.reference, i.current, i.source, i.options)?;
    Ok((psi_index::psi_of_counts(&r, &c), None))
}

pub fn kl_div(i: &Inputs) -> Result<Scores> {
    let (r, c, _) = binned_counts(i.reference, i.current, i.source, i.options)?;
    distance(divergence::kl_div_of_counts(&r, &c))
}

pub fn jensenshannon(i: &Inputs) -> Result<Scores> {
    let (r, c, reference_fitted) = binned_counts(i.reference, i.current, i.source, i.options)?;
    // Base e as scipy/Evidently; base 2 (range [0, 1]) in the reference-fitted mode, as NannyML.
    let base = match option_f64(i.options, "base")? {
        Some(b) if b <= 0.0 || b == 1.0 => {
            return Err(CoreError::invalid_parameter(format!(
                "options.base must be positive and not 1, got {b}"
            )))
        }
        Some(b) => Some(b),
        None if reference_fitted => Some(2.0),
        None => None,
    };
    distance(divergence::jensenshannon_of_shares(
        &shares(&r),
        &shares(&c),
        base,
    ))
}

pub fn wasserstein(i: &Inputs) -> Result<Scores> {
    distance(distance::wasserstein_normed(i.reference, i.current))
}

pub fn wasserstein_raw(i: &Inputs) -> Result<Scores> {
    distance(distance::wasserstein_raw(i.reference, i.current))
}

pub fn hellinger(i: &Inputs) -> Result<Scores> {
    if i.source == Source::Categorical {
        let (r, c) = counts(i);
        return distance(divergence::hellinger_categorical(&r, &c));
    }
    distance(divergence::hellinger(i.reference, i.current))
}

pub fn ed(i: &Inputs) -> Result<Scores> {
    distance(distance::energy_distance(i.reference, i.current))
}

pub fn ks(i: &Inputs) -> Result<Scores> {
    let mode = match i.options.get("p_value") {
        None | Some(Value::Null) => ks_test::KsPValue::Auto,
        Some(Value::String(s)) if s == "auto" => ks_test::KsPValue::Auto,
        Some(Value::String(s)) if s == "asymptotic" => ks_test::KsPValue::Asymptotic,
        Some(Value::String(s)) if s == "exact" => ks_test::KsPValue::Exact,
        Some(v) => {
            return Err(CoreError::invalid_parameter(format!(
                "options.p_value must be 'auto', 'exact' or 'asymptotic', got {v}"
            )))
        }
    };
    let alternative = match i.options.get("alternative") {
        None | Some(Value::Null) => ks_test::Alternative::TwoSided,
        Some(Value::String(s)) if s == "two-sided" => ks_test::Alternative::TwoSided,
        Some(Value::String(s)) if s == "less" => ks_test::Alternative::Less,
        Some(Value::String(s)) if s == "greater" => ks_test::Alternative::Greater,
        Some(v) => {
            return Err(CoreError::invalid_parameter(format!(
                "options.alternative must be 'two-sided', 'less' or 'greater', got {v}"
            )))
        }
    };
    test(ks_test::ks_2samp_alt(
        i.reference,
        i.current,
        alternative,
        mode,
    ))
}

pub fn mannw(i: &Inputs) -> Result<Scores> {
    test(rank_tests::mann_whitney_less(i.reference, i.current))
}

pub fn anderson(i: &Inputs) -> Result<Scores> {
    test(rank_tests::anderson_2samp(i.reference, i.current))
}

pub fn empirical_mmd(i: &Inputs) -> Result<Scores> {
    test(mmd::empirical_mmd(i.reference, i.current))
}

pub fn cramer_von_mises(i: &Inputs) -> Result<Scores> {
    test(cvm::cramer_von_mises(i.reference, i.current))
}

pub fn t_test(i: &Inputs) -> Result<Scores> {
    test(rank_tests::t_test(i.reference, i.current))
}

pub fn chisquare(i: &Inputs) -> Result<Scores> {
    let (r, c) = counts(i);
    test(categorical::chisquare(&r, &c))
}

pub fn z(i: &Inputs) -> Result<Scores> {
    if category_counts(i.reference, i.current).0.len() > 2 {
        return Err(CoreError::invalid_parameter(
            "method 'z' needs binary data: reference ∪ current has more than 2 distinct values",
        ));
    }
    test(categorical::z_test(i.reference, i.current))
}

pub fn g_test(i: &Inputs) -> Result<Scores> {
    let (r, c) = counts(i);
    test(categorical::g_test(&r, &c))
}

pub fn fisher_exact(i: &Inputs) -> Result<Scores> {
    let (r, c) = counts(i);
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
    test(categorical::fisher_exact(pair(&r), pair(&c)))
}

pub fn tvd(i: &Inputs) -> Result<Scores> {
    let n = i.reference.n + i.current.n;
    if n > divergence::TVD_MAX_VALUES {
        return Err(CoreError::limit_exceeded(format!(
            "method 'TVD' permutes the pooled sample and accepts at most {} values, got {n}; use 'l_infinity' or 'jensenshannon'",
            divergence::TVD_MAX_VALUES
        )));
    }
    let (r, c) = counts(i);
    test((
        divergence::total_variation(&r, &c),
        divergence::tvd_permutation_p(&r, &c),
    ))
}

pub fn l_infinity(i: &Inputs) -> Result<Scores> {
    let (r, c) = counts(i);
    distance(divergence::l_infinity(&r, &c))
}
