//! `mlobs.drift` over numeric arrays: dispatch to the core registry, composite result.

use crate::errors::OrRaise;
use crate::psi::finite_array;
use mlobs_core::drift_method::drift_numeric;
use pgrx::prelude::*;

/// Drift between two numeric samples with one of Evidently's methods (docs/drift.md). NULL,
/// NaN and ±Infinity are dropped; an empty side gives NULL.
#[pg_extern(immutable, parallel_safe, name = "drift")]
fn drift_arrays(
    reference: Array<'_, f64>,
    current: Array<'_, f64>,
    method: default!(&str, "'auto'"),
    threshold: default!(Option<f64>, "NULL"),
    options: default!(pgrx::JsonB, "'{}'"),
) -> Option<pgrx::composite_type!('static, "mlobs.drift_result")> {
    let reference = finite_array(reference, "reference");
    let current = finite_array(current, "current");
    let result = drift_numeric(&reference, &current, method, threshold, &options.0).or_raise()?;
    let mut tuple = PgHeapTuple::new_composite_type("mlobs.drift_result")
        .expect("type mlobs.drift_result exists");
    tuple
        .set_by_name("method", result.method)
        .expect("field method");
    tuple
        .set_by_name("statistic", result.statistic)
        .expect("field statistic");
    tuple
        .set_by_name("p_value", result.p_value)
        .expect("field p_value");
    tuple
        .set_by_name("threshold", result.threshold)
        .expect("field threshold");
    tuple
        .set_by_name("drifted", result.drifted)
        .expect("field drifted");
    Some(tuple)
}
