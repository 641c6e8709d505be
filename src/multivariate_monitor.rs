//! The multivariate_drift monitor kind's functions (docs/monitoring.md, docs/drift.md):
//! `jsonb_floats` (a row of numbers from a jsonb payload, read natively), `pca_fit` /
//! `pca_error` (NannyML's reconstruction-error model, stored as JSON with the monitor's
//! reference, and applied to rows in the window scan) and `_row_sample_agg` (the bounded,
//! order-independent sample of a window's rows the domain classifier reads later).

use crate::errors::{invalid_parameter, OrRaise};
use crate::jsonb_arg::{JsonbArg, Payload};
use crate::multivariate::matrix;
use mlobs_core::drift::multivariate::{fit, PcaModel};
use mlobs_core::drift::row_sample::RowSample;
use mlobs_core::payload::Scalar;
use pgrx::prelude::*;
use pgrx::JsonB;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The values of `keys` in a jsonb object as float8, in the keys' order: NULL where the key is
/// absent, not a number, or a number beyond float8's range (read natively: never an error). A
/// payload that is not an object gives all NULLs.
#[pg_extern(immutable, parallel_safe)]
fn jsonb_floats(payload: JsonbArg, keys: Array<'_, crate::db_text::DbString>) -> Vec<Option<f64>> {
    let keys: Vec<Option<String>> = keys.iter().map(|k| k.map(|k| k.0)).collect();
    let keys: Vec<Option<&str>> = keys.iter().map(|k| k.as_deref()).collect();
    let mut out = vec![None; keys.len()];
    let mut index: HashMap<&str, Vec<usize>> = HashMap::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        if let Some(k) = k {
            index.entry(*k).or_default().push(i);
        }
    }
    if let Payload::Object(entries) = payload.payload("payload") {
        for (key, value) in entries {
            if let (Some(slots), Scalar::Number(x)) = (index.get(key), value)
                && x.is_finite()
            {
                for &i in slots {
                    out[i] = Some(x);
                }
            }
        }
    }
    out
}

/// Fits NannyML's reconstruction model on the reference rows (as `pca_drift` does): the model
/// as JSON, for `pca_error`.
#[pg_extern(immutable, parallel_safe)]
fn pca_fit(reference: Array<'_, f64>, variance: default!(f64, 0.65)) -> JsonB {
    let (rows, _) = matrix(reference, "reference");
    JsonB(fit(&rows, variance).or_raise().to_json())
}

thread_local! {
    /// The last model decoded, by its jsonb bytes: a model is one value for a whole scan, and
    /// decoding it per row would dominate `pca_error` (backends are single-threaded).
    static MODEL: RefCell<Option<(Vec<u8>, Rc<PcaModel>)>> = const { RefCell::new(None) };
}

fn model_arg(model: &JsonbArg) -> Rc<PcaModel> {
    let bytes = model.bytes();
    if let Some(m) = MODEL.with_borrow(|c| {
        c.as_ref()
            .filter(|(b, _)| b.as_slice() == bytes)
            .map(|(_, m)| m.clone())
    }) {
        return m;
    }
    let decoded = Rc::new(PcaModel::from_json(&model.value("pca_model")).or_raise());
    MODEL.set(Some((bytes.to_vec(), decoded.clone())));
    decoded
}

/// Mean reconstruction error of the complete rows (no NULL/NaN/±Inf) under a `pca_fit` model;
/// NULL when no row is complete.
#[pg_extern(immutable, parallel_safe)]
fn pca_error(pca_model: JsonbArg, rows: Array<'_, f64>) -> Option<f64> {
    let model = model_arg(&pca_model);
    let (rows, cols) = matrix(rows, "rows");
    if cols != 0 && cols != model.width() {
        invalid_parameter(format!(
            "rows have {cols} columns but the model was fitted on {}",
            model.width()
        ));
    }
    model.mean_error(&rows)
}

crate::v1!(
    mlobs_row_sample_trans,
    pg_finfo_mlobs_row_sample_trans,
    |fcinfo| {
        let cap = crate::agg::i32_arg(fcinfo, 2)
            .unwrap_or_else(|| invalid_parameter("sample must not be NULL"));
        let row: Option<Array<'_, f64>> = pgrx::fcinfo::pg_getarg(fcinfo, 1);
        crate::agg::transition(
            fcinfo,
            "mlobs._row_sample_agg",
            || RowSample::new(cap as i64).or_raise(),
            |s: &mut RowSample| {
                if let Some(row) = row {
                    let values: Vec<Option<f64>> = row.iter().collect();
                    s.add(&values).or_raise();
                }
            },
        )
    }
);

crate::v1!(
    mlobs_row_sample_final,
    pg_finfo_mlobs_row_sample_final,
    |fcinfo| {
        crate::agg::finalize_with(fcinfo, |s: &RowSample| {
            let rows = s.rows();
            if rows.is_empty() {
                return None;
            }
            // A float8[] literal with every value exact (Rust's shortest round-trip form), whatever
            // the session's extra_float_digits.
            let body: Vec<String> = rows
                .iter()
                .map(|r| {
                    let cells: Vec<String> = r.iter().map(|x| format!("{x:e}")).collect();
                    format!("{{{}}}", cells.join(","))
                })
                .collect();
            Some(format!("{{{}}}", body.join(",")))
        })
    }
);
