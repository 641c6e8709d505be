//! `mlobs.drift` over numeric arrays and over stored profiles: dispatch to the core registry,
//! composite result; `mlobs.drift_methods()`, the registry itself.

use crate::errors::{required, OrRaise};
use crate::profile::Profile;
use crate::psi::finite_array;
use mlobs_core::drift::methods::{Source, METHODS};
use mlobs_core::drift::run::{drift_categories, drift_numeric, drift_profiles, DriftResult};
use pgrx::prelude::*;

// pgrx reads `composite_type!` in #[pg_extern] signatures literally, so they spell it out.
type DriftTuple = pgrx::composite_type!('static, "mlobs.drift_result");

pub fn to_tuple(result: DriftResult) -> DriftTuple {
    crate::composite!("mlobs.drift_result" {
        method: result.method,
        statistic: result.statistic,
        p_value: result.p_value,
        threshold: result.threshold,
        drifted: result.drifted,
    })
}

/// Drift between two numeric samples with one of Evidently's methods (docs/drift.md). NULL,
/// NaN and ±Infinity are dropped; an empty side gives NULL.
#[pg_extern(immutable, parallel_safe, name = "drift")]
fn drift_arrays(
    reference: Option<Array<'_, f64>>,
    current: Option<Array<'_, f64>>,
    method: default!(Option<crate::db_text::DbStr<'_>>, "'auto'"),
    threshold: default!(Option<f64>, "NULL"),
    options: default!(Option<crate::jsonb_arg::JsonbArg>, "'{}'"),
) -> Option<pgrx::composite_type!('static, "mlobs.drift_result")> {
    let method = method.as_deref();
    let method = required(method, "method");
    let options = required(options, "options");
    // NULL data (an empty window's array_agg) gives NULL, as for the STRICT functions.
    let reference = finite_array(reference?, "reference");
    let current = finite_array(current?, "current");
    drift_numeric(
        &reference,
        &current,
        method,
        threshold,
        &options.value("options"),
    )
    .or_raise()
    .map(to_tuple)
}

/// Drift between two stored profiles, no raw rows: the exact result on the profiles'
/// discretised samples (values within 1 %, extremes and moments exact). Profiles with no finite
/// value give NULL.
#[pg_extern(immutable, parallel_safe, name = "drift")]
fn drift_of_profiles(
    reference: Option<Profile>,
    current: Option<Profile>,
    method: default!(Option<crate::db_text::DbStr<'_>>, "'auto'"),
    threshold: default!(Option<f64>, "NULL"),
    options: default!(Option<crate::jsonb_arg::JsonbArg>, "'{}'"),
) -> Option<pgrx::composite_type!('static, "mlobs.drift_result")> {
    let method = method.as_deref();
    let method = required(method, "method");
    let options = required(options, "options");
    drift_profiles(
        &reference?.0,
        &current?.0,
        method,
        threshold,
        &options.value("options"),
    )
    .or_raise()
    .map(to_tuple)
}

/// Drift between two categorical samples (text). NULL elements are dropped; an empty side gives
/// NULL. Methods: those of `mlobs.drift_methods()` whose inputs include 'categories'.
#[pg_extern(immutable, parallel_safe, name = "drift")]
fn drift_text_arrays(
    reference: Option<Array<'_, crate::db_text::DbString>>,
    current: Option<Array<'_, crate::db_text::DbString>>,
    method: default!(Option<crate::db_text::DbStr<'_>>, "'auto'"),
    threshold: default!(Option<f64>, "NULL"),
    options: default!(Option<crate::jsonb_arg::JsonbArg>, "'{}'"),
) -> Option<pgrx::composite_type!('static, "mlobs.drift_result")> {
    let method = method.as_deref();
    let method = required(method, "method");
    let options = required(options, "options");
    let reference = categories(&reference?, "reference");
    let current = categories(&current?, "current");
    let (r, c): (Vec<&str>, Vec<&str>) = (
        reference.iter().map(String::as_str).collect(),
        current.iter().map(String::as_str).collect(),
    );
    drift_categories(&r, &c, method, threshold, &options.value("options"))
        .or_raise()
        .map(to_tuple)
}

/// The non-NULL elements (copied: the array's borrow does not outlive the call).
fn categories(values: &Array<'_, crate::db_text::DbString>, arg: &str) -> Vec<String> {
    crate::psi::check_array_len(values.len(), arg);
    values.iter().flatten().map(|s| s.0).collect()
}

/// The methods of `mlobs.drift`, one row per entry of the core registry
/// (`mlobs_core::drift::methods::METHODS`): the input kinds it accepts ('numeric' for float8[],
/// 'profile', 'categories' for text[] and category summaries), its option keys, default
/// threshold, drift rule and what its statistic is. Docs and tests are checked against it.
#[pg_extern(immutable, parallel_safe)]
#[allow(clippy::type_complexity)]
fn drift_methods() -> TableIterator<
    'static,
    (
        name!(name, String),
        name!(inputs, Vec<String>),
        name!(options, Vec<String>),
        name!(default_threshold, Option<f64>),
        name!(drifted_when, String),
        name!(statistic, String),
    ),
> {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    TableIterator::new(METHODS.iter().map(move |m| {
        let inputs: Vec<&str> = m.inputs.iter().map(|s: &Source| s.name()).collect();
        (
            m.name.to_string(),
            strings(&inputs),
            strings(m.options),
            m.default_threshold,
            m.rule.describe().to_string(),
            m.statistic.to_string(),
        )
    }))
}

/// NannyML-style learned threshold: the band mean ± k·σ of a metric computed on reference
/// windows, optionally clipped to the metric's range. NULL/NaN/±Infinity are ignored; no finite
/// value gives NULL.
#[pg_extern(immutable, parallel_safe)]
fn learned_threshold(
    values: Option<Array<'_, f64>>,
    k: default!(Option<f64>, 3.0),
    lower_limit: default!(Option<f64>, "NULL"),
    upper_limit: default!(Option<f64>, "NULL"),
) -> Option<pgrx::composite_type!('static, "mlobs.threshold_band")> {
    let k = required(k, "k");
    let values = finite_array(values?, "values");
    let band =
        mlobs_core::drift::threshold::learned_threshold(&values, k, (lower_limit, upper_limit))
            .or_raise()?;
    Some(crate::composite!("mlobs.threshold_band" {
        lower: band.lower,
        upper: band.upper,
        mean: band.mean,
        stddev: band.stddev,
    }))
}
