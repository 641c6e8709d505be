//! `mlobs.calibration` (an isotonic map fitted by calibration_agg) and CBPE: cbpe_agg gives the
//! expected confusion matrix of an unlabelled window, cbpe_roc_auc_agg its expected ROC AUC.

use crate::agg::{f64_arg, finalize_with, state_arg, transition};
use crate::errors::OrRaise;
use mlobs_core::metrics::calibration::{
    expected_roc_auc, CalibrationMap, IndexedCalibration, ProbabilitySample,
};
use mlobs_core::metrics::confusion::Confusion as CoreConfusion;
use mlobs_core::metrics::ranking::RankSample;
use mlobs_core::Summary;
use pgrx::prelude::*;

crate::summary_type!(
    Calibration,
    CalibrationMap,
    "mlobs.calibration",
    mlobs_calibration
);

// calibration_agg's final: fit the isotonic map on the collected (score, label) rows.
crate::v1!(
    mlobs_calibration_fit,
    pg_finfo_mlobs_calibration_fit,
    |fcinfo| {
        let state = state_arg::<RankSample>(fcinfo, 0).expect("final is STRICT");
        match CalibrationMap::fit_sample(state).or_raise() {
            Some(map) => crate::varlena_io::bytes_to_datum(&map.to_bytes()),
            None => pgrx::fcinfo::pg_return_null(fcinfo),
        }
    }
);

/// Calibrated probability of `score` under the map.
#[pg_extern(immutable, parallel_safe)]
fn calibrate(calibration: Calibration, score: f64) -> f64 {
    calibration.0.predict(score).or_raise()
}

/// The calibration argument, decoded and indexed once per query (see `arg_cache`).
unsafe fn calibration_arg<'a>(
    fcinfo: pg_sys::FunctionCallInfo,
    i: usize,
) -> Option<&'a IndexedCalibration> {
    unsafe {
        crate::arg_cache::cached_arg(fcinfo, i, |bytes| {
            IndexedCalibration::new(CalibrationMap::from_bytes(bytes).or_raise())
        })
    }
}

/// CBPE transition: predicted label = score ≥ threshold; the calibrated probability p̂ adds p̂
/// to (actual 1, predicted) and 1 − p̂ to (actual 0, predicted). NULL score or map skips.
unsafe fn cbpe_step(fcinfo: pg_sys::FunctionCallInfo, with_threshold: bool) -> pg_sys::Datum {
    let score = unsafe { f64_arg(fcinfo, 1) };
    let map = unsafe { calibration_arg(fcinfo, 2) };
    let threshold = if with_threshold {
        unsafe { f64_arg(fcinfo, 3) }
            .unwrap_or_else(|| crate::errors::invalid_parameter("threshold must not be NULL"))
    } else {
        0.5
    };
    // s >= NaN is false for every score: a NaN threshold would silently predict 0 everywhere.
    if !threshold.is_finite() {
        crate::errors::invalid_parameter(format!("threshold must be finite, got {threshold}"));
    }
    unsafe {
        transition(
            fcinfo,
            "mlobs.cbpe_agg",
            CoreConfusion::default,
            |c: &mut CoreConfusion| match (score, map) {
                (Some(s), Some(m)) => {
                    let p = m.predict(s).or_raise();
                    c.add_expected(p, s >= threshold).or_raise();
                }
                _ => c.skipped += 1,
            },
        )
    }
}

crate::v1!(mlobs_cbpe_trans, pg_finfo_mlobs_cbpe_trans, |fcinfo| {
    cbpe_step(fcinfo, false)
});
crate::v1!(
    mlobs_cbpe_trans_threshold,
    pg_finfo_mlobs_cbpe_trans_threshold,
    |fcinfo| { cbpe_step(fcinfo, true) }
);

crate::state_functions!(ProbabilitySample, mlobs_probability);

crate::v1!(
    mlobs_cbpe_auc_trans,
    pg_finfo_mlobs_cbpe_auc_trans,
    |fcinfo| {
        let score = f64_arg(fcinfo, 1);
        let map = calibration_arg(fcinfo, 2);
        transition(
            fcinfo,
            "mlobs.cbpe_roc_auc_agg",
            ProbabilitySample::default,
            |s: &mut ProbabilitySample| {
                if let (Some(x), Some(m)) = (score, map) {
                    s.add(m.predict(x).or_raise()).or_raise();
                }
            },
        )
    }
);
crate::v1!(
    mlobs_cbpe_auc_final,
    pg_finfo_mlobs_cbpe_auc_final,
    |fcinfo| {
        finalize_with(fcinfo, |s: &ProbabilitySample| {
            expected_roc_auc(&mut s.values.clone())
        })
    }
);
