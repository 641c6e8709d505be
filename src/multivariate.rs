//! `mlobs.pca_drift`: multivariate drift by PCA reconstruction error over 2-D arrays.

use crate::errors::{invalid_parameter, OrRaise};
use mlobs_core::drift::multivariate::{fit, usable_rows};
use pgrx::array::RawArray;
use pgrx::prelude::*;

/// Most cells (rows × columns) accepted per argument.
const MAX_CELLS: usize = 50_000_000;

/// Rows of a 2-D float8 array (rows × columns); rows with NULL/NaN/±Inf are dropped.
pub(crate) fn matrix(values: Array<'_, f64>, arg: &str) -> (Vec<Vec<f64>>, usize) {
    if values.len() > MAX_CELLS {
        crate::errors::raise(mlobs_core::CoreError::limit_exceeded(format!(
            "{arg} has {} elements; at most {MAX_CELLS} are accepted",
            values.len()
        )));
    }
    let flat: Vec<f64> = values.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
    let dims: Vec<i32> =
        match std::ptr::NonNull::new(values.into_array_type() as *mut pg_sys::ArrayType) {
            // SAFETY: the pointer is the argument's detoasted array, valid for this call.
            Some(ptr) => unsafe { RawArray::from_ptr(ptr) }.dims().to_vec(),
            None => Vec::new(),
        };
    match dims.as_slice() {
        [] => (Vec::new(), 0),
        [rows, cols] => {
            let cols = *cols as usize;
            let rows = flat
                .chunks(cols.max(1))
                .take(*rows as usize)
                .map(<[f64]>::to_vec)
                .collect();
            (usable_rows(rows), cols)
        }
        other => invalid_parameter(format!(
            "{arg} must be a 2-dimensional array (rows × columns), got {} dimensions",
            other.len()
        )),
    }
}

/// PCA reconstruction-error drift (NannyML): fit standardisation and the components explaining
/// more than `variance` of the reference, then the mean reconstruction error of each window.
#[pg_extern(immutable, parallel_safe)]
fn pca_drift(
    reference: Array<'_, f64>,
    current: Array<'_, f64>,
    variance: default!(f64, 0.65),
) -> Option<pgrx::composite_type!('static, "mlobs.pca_drift_result")> {
    let (r, rc) = matrix(reference, "reference");
    let (c, cc) = matrix(current, "current");
    if rc != 0 && cc != 0 && rc != cc {
        invalid_parameter(format!("reference has {rc} columns but current has {cc}"));
    }
    if c.is_empty() || r.is_empty() {
        return None;
    }
    let model = fit(&r, variance).or_raise();
    Some(crate::composite!("mlobs.pca_drift_result" {
        reference_error: model.mean_error(&r),
        current_error: model.mean_error(&c),
        components: model.components() as i32,
        explained_share: model.explained_share,
    }))
}

/// Domain-classifier drift: out-of-bag ROC AUC of a seeded random forest telling reference rows
/// from current rows (docs/drift.md). 0.5 = no detectable difference.
#[pg_extern(immutable, parallel_safe)]
fn domain_classifier(
    reference: Array<'_, f64>,
    current: Array<'_, f64>,
) -> Option<pgrx::composite_type!('static, "mlobs.domain_classifier_result")> {
    let (r, rc) = matrix(reference, "reference");
    let (c, cc) = matrix(current, "current");
    if rc != 0 && cc != 0 && rc != cc {
        invalid_parameter(format!("reference has {rc} columns but current has {cc}"));
    }
    let (auc, nr, nc) = mlobs_core::drift::domain::domain_classifier_auc(&r, &c).or_raise()?;
    Some(crate::composite!("mlobs.domain_classifier_result" {
        auc: auc,
        reference_rows: nr as i32,
        current_rows: nc as i32,
    }))
}
