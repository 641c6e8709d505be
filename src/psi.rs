//! `mlobs.psi` over arrays, histograms and profiles.

use crate::errors::{required, OrRaise};
use crate::histogram::Histogram;
use crate::profile::Profile;
use mlobs_core::drift::psi;
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

/// PSI of two samples. binning 'evidently' (default, the same for every PSI entry point)
/// reproduces Evidently 0.7; binning 'reference_quantile' uses `bins` (default 10) reference
/// quantile edges plus under/overflow bins. NULL, NaN and ±Infinity are dropped; an empty side
/// gives NULL.
#[pg_extern(immutable, parallel_safe, name = "psi")]
fn psi_arrays(
    reference: Option<Array<'_, f64>>,
    current: Option<Array<'_, f64>>,
    binning: default!(Option<crate::db_text::DbStr<'_>>, "'evidently'"),
    bins: default!(Option<i32>, "NULL"),
) -> Option<f64> {
    let binning = binning.as_deref();
    let binning = required(binning, "binning");
    let reference = psi::to_weighted(&finite_array(reference?, "reference"));
    let current = psi::to_weighted(&finite_array(current?, "current"));
    psi::psi_binned_weighted(&reference, &current, binning, bins).or_raise()
}

/// PSI of two histograms with identical edges (underflow and overflow bins included).
#[pg_extern(immutable, parallel_safe, name = "psi")]
fn psi_histograms(reference: Histogram, current: Histogram) -> Option<f64> {
    psi::psi_histograms(&reference.0, &current.0).or_raise()
}

/// PSI of two profiles, on the data as their sketches see it (`discretised`), with the same
/// binnings and the same default as the array form: 'evidently' (default; as
/// `mlobs.drift(p, p, 'psi')`) or 'reference_quantile' with `bins` (default 10) quantile edges.
#[pg_extern(immutable, parallel_safe, name = "psi")]
fn psi_profiles_binned(
    reference: Option<Profile>,
    current: Option<Profile>,
    binning: default!(Option<crate::db_text::DbStr<'_>>, "'evidently'"),
    bins: default!(Option<i32>, "NULL"),
) -> Option<f64> {
    let binning = binning.as_deref();
    let binning = required(binning, "binning");
    let (reference, current) = (reference?, current?);
    psi::psi_binned_weighted(
        &reference.0.discretised(),
        &current.0.discretised(),
        binning,
        bins,
    )
    .or_raise()
}

/// The 0.2.0 form with an explicit bin count: `reference_quantile_bins` reference-quantile bins,
/// i.e. `mlobs.psi(r, c, 'reference_quantile', n)`. Kept so stored queries `psi(r, c, 10)` and
/// installs of 0.2.0 running on this library (symbol `psi_profiles_wrapper`) keep their meaning.
#[pg_extern(immutable, parallel_safe, name = "psi")]
fn psi_profiles(reference: Profile, current: Profile, reference_quantile_bins: i32) -> Option<f64> {
    psi::psi_reference_quantile_weighted(
        &reference.0.discretised(),
        &current.0.discretised(),
        reference_quantile_bins,
    )
    .or_raise()
}
