//! `mlobs.psi` over arrays, histograms and profiles.

use crate::errors::{invalid_parameter, required, OrRaise};
use crate::histogram::Histogram;
use crate::profile::Profile;
use mlobs_core::psi;
use mlobs_core::sample::finite_values;
use pgrx::prelude::*;

/// Most elements accepted per array argument (exact one-shot form; use summaries beyond).
pub const MAX_ARRAY_LEN: usize = 50_000_000;

/// ERROR when an array argument is longer than MAX_ARRAY_LEN.
pub fn check_array_len(len: usize, arg: &str) {
    if len > MAX_ARRAY_LEN {
        crate::errors::raise(mlobs_core::CoreError::limit_exceeded(format!(
            "{arg} has {len} elements; at most {MAX_ARRAY_LEN} are accepted, use the summary form for more"
        )));
    }
}

pub fn finite_array(values: Array<'_, f64>, arg: &str) -> Vec<f64> {
    check_array_len(values.len(), arg);
    finite_values(values.iter()).0
}

/// PSI of two samples. binning 'evidently' (default) reproduces Evidently 0.7; binning
/// 'reference_quantile' uses `bins` (default 10) reference quantile edges plus under/overflow
/// bins. NULL, NaN and ±Infinity are dropped; an empty side gives NULL.
#[pg_extern(immutable, parallel_safe, name = "psi")]
fn psi_arrays(
    reference: Option<Array<'_, f64>>,
    current: Option<Array<'_, f64>>,
    binning: default!(Option<&str>, "'evidently'"),
    bins: default!(Option<i32>, "NULL"),
) -> Option<f64> {
    let binning = required(binning, "binning");
    let reference = finite_array(reference?, "reference");
    let current = finite_array(current?, "current");
    match binning {
        "evidently" => {
            if let Some(b) = bins {
                invalid_parameter(format!(
                    "bins = {b} is not used by binning 'evidently' (it picks Sturges or distinct-value bins); pass NULL or use binning 'reference_quantile'"
                ));
            }
            psi::psi_evidently(&reference, &current)
        }
        "reference_quantile" => {
            psi::psi_reference_quantile(&reference, &current, bins.unwrap_or(10)).or_raise()
        }
        other => invalid_parameter(format!(
            "binning must be one of 'evidently', 'reference_quantile'; got '{other}'"
        )),
    }
}

/// PSI of two histograms with identical edges (underflow and overflow bins included).
#[pg_extern(immutable, parallel_safe, name = "psi")]
fn psi_histograms(reference: Histogram, current: Histogram) -> Option<f64> {
    psi::psi_histograms(&reference.0, &current.0).or_raise()
}

/// PSI of two profiles on `bins` reference-quantile bins read from the sketches. Equals the exact
/// reference_quantile PSI of the data with each value moved to its sketch bucket (≤ 1 % relative).
#[pg_extern(immutable, parallel_safe, name = "psi")]
fn psi_profiles(reference: Profile, current: Profile, bins: default!(i32, 10)) -> Option<f64> {
    psi::psi_reference_quantile_weighted(&reference.0.discretised(), &current.0.discretised(), bins)
        .or_raise()
}
