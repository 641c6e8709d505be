//! Concept drift glue (docs/drift.md): from two samples, or from a stored reference.

use crate::errors::OrRaise;
use mlobs_core::drift::concept::{ConceptDrift, ConceptReference};
use pgrx::prelude::*;
use pgrx::JsonB;

fn collect(a: Array<'_, f64>, arg: &str) -> Vec<Option<f64>> {
    crate::psi::check_array_len(a.len(), arg);
    a.iter().collect()
}

fn result(r: ConceptDrift) -> pgrx::composite_type!('static, "mlobs.concept_drift_result") {
    crate::composite!("mlobs.concept_drift_result" {
        score: (!r.score.is_nan()).then_some(r.score),
        covered_share: r.covered_share,
        bins_compared: r.bins_compared as i32,
    })
}

/// Concept drift: change of the target's conditional mean per reference-quantile bin of a
/// feature, weighted by the current bin shares (docs/drift.md). Rows with a NULL or non-finite
/// feature or target are dropped; an empty side gives NULL.
#[pg_extern(immutable, parallel_safe)]
fn concept_drift(
    reference_x: Array<'_, f64>,
    reference_y: Array<'_, f64>,
    current_x: Array<'_, f64>,
    current_y: Array<'_, f64>,
    bins: default!(i32, 10),
) -> Option<pgrx::composite_type!('static, "mlobs.concept_drift_result")> {
    let (rx, ry) = (
        collect(reference_x, "reference_x"),
        collect(reference_y, "reference_y"),
    );
    let (cx, cy) = (
        collect(current_x, "current_x"),
        collect(current_y, "current_y"),
    );
    let r = mlobs_core::drift::concept::concept_drift(&rx, &ry, &cx, &cy, bins).or_raise()?;
    Some(result(r))
}

/// The reference side of concept drift as JSON (its quantile edges and each bin's rows and target
/// sum), so windows are compared with `concept_drift(reference, x, y)` without the reference rows.
/// NULL when the reference has no complete pair.
#[pg_extern(immutable, parallel_safe)]
fn concept_reference(
    reference_x: Array<'_, f64>,
    reference_y: Array<'_, f64>,
    bins: default!(i32, 10),
) -> Option<JsonB> {
    let (x, y) = (
        collect(reference_x, "reference_x"),
        collect(reference_y, "reference_y"),
    );
    let r = ConceptReference::new(&x, &y, bins).or_raise()?;
    Some(JsonB(
        serde_json::to_value(r).expect("a concept reference serializes"),
    ))
}

/// Concept drift of a current sample against a stored `concept_reference`.
#[pg_extern(immutable, parallel_safe, name = "concept_drift")]
fn concept_drift_stored(
    reference: crate::jsonb_arg::JsonbArg,
    current_x: Array<'_, f64>,
    current_y: Array<'_, f64>,
) -> Option<pgrx::composite_type!('static, "mlobs.concept_drift_result")> {
    let reference: ConceptReference = serde_json::from_value(reference.value("reference"))
        .map_err(|e| {
            mlobs_core::CoreError::invalid_parameter(format!(
                "reference is not a concept reference (mlobs.concept_reference): {e}"
            ))
        })
        .or_raise();
    let (x, y) = (
        collect(current_x, "current_x"),
        collect(current_y, "current_y"),
    );
    reference.compare(&x, &y).or_raise().map(result)
}
