//! Concept drift glue (docs/drift.md): from two samples, or from a stored reference (a function
//! over arrays, or an aggregate over a window's rows).

use crate::agg::{f64_arg, finalize_with, transition};
use crate::errors::OrRaise;
use crate::varlena_io::varlena_bytes;
use mlobs_core::drift::concept::{ConceptDrift, ConceptReference};
use pgrx::fcinfo::{pg_getarg_datum, pg_return_null};
use pgrx::pg_sys;
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
    let reference = ConceptReference::from_json(reference.value("reference")).or_raise();
    let (x, y) = (
        collect(current_x, "current_x"),
        collect(current_y, "current_y"),
    );
    reference.compare(&x, &y).or_raise().map(result)
}

/// `concept_drift_agg` state: the group's reference, read from its first row with a reference,
/// and the current side's bins. Every row must pass the same reference (its bytes are kept).
struct ConceptWindow {
    reference_bytes: Vec<u8>,
    reference: ConceptReference,
    bins: Vec<(u64, f64)>,
}

/// The reference argument as a concept reference; ERROR 22023 when it is not one.
///
/// # Safety
/// Argument 1 of `fcinfo` must be a non-NULL jsonb.
unsafe fn reference_arg(fcinfo: pg_sys::FunctionCallInfo) -> ConceptReference {
    let value = unsafe { crate::jsonb_arg::jsonb_arg(fcinfo, 1, "reference") }.expect("not NULL");
    ConceptReference::from_json(value).or_raise()
}

// concept_drift_agg(reference, x, y): one pass over a window, each pair binned on the reference's
// edges as it arrives, so a window's concept drift needs no arrays of its rows. A NULL reference
// skips the row (a group of such rows gives NULL, as does a group without a complete pair).
crate::v1!(
    mlobs_concept_window_trans,
    pg_finfo_mlobs_concept_window_trans,
    |fcinfo| {
        let Some(reference) = pg_getarg_datum(fcinfo, 1) else {
            return match crate::agg::state_arg::<ConceptWindow>(fcinfo, 0) {
                Some(s) => pg_sys::Datum::from(s as *mut ConceptWindow),
                None => pg_return_null(fcinfo),
            };
        };
        let bytes = varlena_bytes(reference);
        let (x, y) = (f64_arg(fcinfo, 2), f64_arg(fcinfo, 3));
        transition(
            fcinfo,
            "mlobs.concept_drift_agg",
            || {
                let reference = reference_arg(fcinfo);
                ConceptWindow {
                    reference_bytes: bytes.to_vec(),
                    bins: reference.empty_bins(),
                    reference,
                }
            },
            |s: &mut ConceptWindow| {
                if s.reference_bytes != bytes {
                    crate::errors::invalid_parameter(
                        "reference must be the same for every row of a group",
                    );
                }
                s.reference.add(&mut s.bins, x, y);
            },
        )
    }
);
crate::v1!(
    mlobs_concept_window_final,
    pg_finfo_mlobs_concept_window_final,
    |fcinfo| {
        finalize_with(fcinfo, |s: &ConceptWindow| {
            s.reference.compare_bins(&s.bins).map(result)
        })
    }
);
