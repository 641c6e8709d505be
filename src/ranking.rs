//! Exact ranking aggregates (roc_auc_agg, pr_auc_agg, ece_agg, roc_auc_ovr_agg and its weighted
//! and one-vs-one variants, pr_auc_ovr_agg and pr_auc_ovr_weighted_agg), probabilistic
//! losses (log_loss_agg, brier_agg) and the mergeable `mlobs.score_summary` (score_agg).
//! The `_w` transitions take a sample weight after the label (scikit-learn's `sample_weight`);
//! a row with a NULL weight is skipped like a row with a NULL score.

use crate::agg::{bool_arg, f64_arg, finalize_with, i64_arg, transition};
use crate::errors::OrRaise;
use mlobs_core::metrics::binary_label;
use mlobs_core::metrics::loss::{LossKind, MeanLoss};
use mlobs_core::metrics::ovr::{in_top_k as in_top_k_core, OvrSample};
use mlobs_core::metrics::ranking::RankSample;
use mlobs_core::metrics::score_accumulator::ScoreAccumulator;
use mlobs_core::metrics::score_summary::ScoreSummary as CoreScoreSummary;
use pgrx::prelude::*;

/// The label argument (index 2) as "positive?": bool as is, int 1 / 0 (or −1).
unsafe fn positive_arg(fcinfo: pg_sys::FunctionCallInfo, is_bool: bool) -> Option<bool> {
    if is_bool {
        unsafe { bool_arg(fcinfo, 2) }
    } else {
        unsafe { i64_arg(fcinfo, 2) }.map(|l| binary_label(l, "label").or_raise())
    }
}

/// The sample weight (argument `i`) of a weighted transition; 1 for an unweighted one.
unsafe fn weight_arg(fcinfo: pg_sys::FunctionCallInfo, i: usize, weighted: bool) -> Option<f64> {
    if weighted {
        unsafe { f64_arg(fcinfo, i) }
    } else {
        Some(1.0)
    }
}

// --- exact ranking sample -------------------------------------------------------------------

crate::state_functions!(RankSample, mlobs_ranking);

/// Rows with a NULL score, label or weight are skipped.
unsafe fn ranking_step(
    fcinfo: pg_sys::FunctionCallInfo,
    is_bool: bool,
    weighted: bool,
) -> pg_sys::Datum {
    let score = unsafe { f64_arg(fcinfo, 1) };
    let positive = unsafe { positive_arg(fcinfo, is_bool) };
    let weight = unsafe { weight_arg(fcinfo, 3, weighted) };
    unsafe {
        transition(
            fcinfo,
            "mlobs.ranking_trans",
            RankSample::default,
            |s: &mut RankSample| {
                if let (Some(x), Some(y), Some(w)) = (score, positive, weight) {
                    s.add_weighted(x, y, w).or_raise();
                }
            },
        )
    }
}

crate::v1!(
    mlobs_ranking_trans_int,
    pg_finfo_mlobs_ranking_trans_int,
    |fcinfo| { ranking_step(fcinfo, false, false) }
);
crate::v1!(
    mlobs_ranking_trans_bool,
    pg_finfo_mlobs_ranking_trans_bool,
    |fcinfo| { ranking_step(fcinfo, true, false) }
);
crate::v1!(
    mlobs_ranking_trans_int_w,
    pg_finfo_mlobs_ranking_trans_int_w,
    |fcinfo| { ranking_step(fcinfo, false, true) }
);
crate::v1!(
    mlobs_ranking_trans_bool_w,
    pg_finfo_mlobs_ranking_trans_bool_w,
    |fcinfo| { ranking_step(fcinfo, true, true) }
);
crate::v1!(
    mlobs_roc_auc_final,
    pg_finfo_mlobs_roc_auc_final,
    |fcinfo| { finalize_with(fcinfo, RankSample::roc_auc) }
);
crate::v1!(mlobs_pr_auc_final, pg_finfo_mlobs_pr_auc_final, |fcinfo| {
    finalize_with(fcinfo, RankSample::average_precision)
});
crate::v1!(mlobs_ece_final, pg_finfo_mlobs_ece_final, |fcinfo| {
    finalize_with(fcinfo, |s: &RankSample| s.calibration_error(10).or_raise())
});

/// Expected calibration error of arrays on `bins` equal-count bins (scikit-learn's
/// calibration_curve with strategy "quantile"); NULL elements are skipped in pairs.
#[pg_extern(immutable, parallel_safe)]
fn calibration_error(
    probabilities: Vec<Option<f64>>,
    labels: Vec<Option<i64>>,
    bins: default!(i32, 10),
) -> Option<f64> {
    if probabilities.len() != labels.len() {
        crate::errors::invalid_parameter(format!(
            "probabilities and labels must have equal lengths, got {} and {}",
            probabilities.len(),
            labels.len()
        ));
    }
    let mut s = RankSample::default();
    for (p, y) in probabilities.into_iter().zip(labels) {
        if let (Some(p), Some(y)) = (p, y) {
            s.add(p, binary_label(y, "labels").or_raise()).or_raise();
        }
    }
    s.calibration_error(bins).or_raise()
}

// --- multiclass one-vs-rest -----------------------------------------------------------------

crate::state_functions!(OvrSample, mlobs_ovr);

/// Reads a float8[] argument; an array with a NULL element counts as a NULL row (skipped, as a
/// NULL score is).
unsafe fn probs_arg(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<Vec<f64>> {
    let arr: Option<pgrx::Array<f64>> = unsafe { pgrx::fcinfo::pg_getarg(fcinfo, i) };
    arr.and_then(|a| a.iter().collect::<Option<Vec<f64>>>())
}

/// Rows with NULL probabilities (or a NULL element), label or weight are skipped.
unsafe fn ovr_step(fcinfo: pg_sys::FunctionCallInfo, weighted: bool) -> pg_sys::Datum {
    let probs = unsafe { probs_arg(fcinfo, 1) };
    let label = unsafe { i64_arg(fcinfo, 2) };
    let weight = unsafe { weight_arg(fcinfo, 3, weighted) };
    unsafe {
        transition(
            fcinfo,
            "mlobs.ovr_trans",
            OvrSample::default,
            |s: &mut OvrSample| {
                if let (Some(p), Some(y), Some(w)) = (probs, label, weight) {
                    s.add_weighted(&p, y, w).or_raise();
                }
            },
        )
    }
}

crate::v1!(mlobs_ovr_trans, pg_finfo_mlobs_ovr_trans, |fcinfo| {
    ovr_step(fcinfo, false)
});
crate::v1!(mlobs_ovr_trans_w, pg_finfo_mlobs_ovr_trans_w, |fcinfo| {
    ovr_step(fcinfo, true)
});
crate::v1!(
    mlobs_ovr_auc_final,
    pg_finfo_mlobs_ovr_auc_final,
    |fcinfo| { finalize_with(fcinfo, OvrSample::roc_auc_macro) }
);
crate::v1!(
    mlobs_ovr_auc_weighted_final,
    pg_finfo_mlobs_ovr_auc_weighted_final,
    |fcinfo| { finalize_with(fcinfo, OvrSample::roc_auc_ovr_weighted) }
);
crate::v1!(mlobs_ovr_ap_final, pg_finfo_mlobs_ovr_ap_final, |fcinfo| {
    finalize_with(fcinfo, OvrSample::average_precision_macro)
});
crate::v1!(
    mlobs_ovr_ap_weighted_final,
    pg_finfo_mlobs_ovr_ap_weighted_final,
    |fcinfo| { finalize_with(fcinfo, OvrSample::average_precision_weighted) }
);
crate::v1!(
    mlobs_ovo_auc_final,
    pg_finfo_mlobs_ovo_auc_final,
    |fcinfo| { finalize_with(fcinfo, |s: &OvrSample| s.roc_auc_ovo(false)) }
);
crate::v1!(
    mlobs_ovo_auc_weighted_final,
    pg_finfo_mlobs_ovo_auc_weighted_final,
    |fcinfo| { finalize_with(fcinfo, |s: &OvrSample| s.roc_auc_ovo(true)) }
);

/// Whether `label` is among the `k` best-scored classes of one row (element i of `scores` scores
/// class i − 1): scikit-learn's top_k_accuracy_score per row, so `avg(in_top_k(...)::int)` is
/// top-k accuracy. NULL when the scores, one of them, or the label is NULL.
#[pg_extern(immutable, parallel_safe)]
fn in_top_k(
    scores: Option<Vec<Option<f64>>>,
    label: Option<i64>,
    k: default!(Option<i32>, 2),
) -> Option<bool> {
    let k = crate::errors::required(k, "k");
    let scores: Vec<f64> = scores?.into_iter().collect::<Option<_>>()?;
    Some(in_top_k_core(&scores, label?, k).or_raise())
}

// --- log loss and Brier -----------------------------------------------------------------------

crate::state_functions!(MeanLoss, mlobs_loss);

/// The arguments of one loss row: a binary probability or a probability array, and the label.
enum LossRow {
    Binary(Option<f64>, Option<bool>),
    Multiclass(Option<Vec<f64>>, Option<i64>),
}

/// Rows with a NULL probability, label or weight are skipped. The weighted aggregates
/// (argument 3, the sample weight) share the unweighted ones' C symbols.
unsafe fn loss_step(
    fcinfo: pg_sys::FunctionCallInfo,
    kind: LossKind,
    label: Option<&str>,
) -> pg_sys::Datum {
    // No per-row allocation for the scalar forms.
    let row = match label {
        Some("array") => unsafe { LossRow::Multiclass(probs_arg(fcinfo, 1), i64_arg(fcinfo, 2)) },
        other => unsafe {
            LossRow::Binary(
                f64_arg(fcinfo, 1),
                positive_arg(fcinfo, other == Some("bool")),
            )
        },
    };
    let weight = if unsafe { (*fcinfo).nargs } > 3 {
        unsafe { f64_arg(fcinfo, 3) }
    } else {
        Some(1.0)
    };
    unsafe {
        transition(
            fcinfo,
            "mlobs.loss_trans",
            || MeanLoss::new(kind),
            |s: &mut MeanLoss| match (row, weight) {
                (LossRow::Binary(Some(p), Some(y)), Some(w)) => {
                    s.add_binary_weighted(p, y, w).or_raise()
                }
                (LossRow::Multiclass(Some(p), Some(y)), Some(w)) => {
                    s.add_multiclass_weighted(&p, y, w).or_raise()
                }
                _ => {}
            },
        )
    }
}

crate::v1!(
    mlobs_log_loss_trans_int,
    pg_finfo_mlobs_log_loss_trans_int,
    |fcinfo| { loss_step(fcinfo, LossKind::LogLoss, None) }
);
crate::v1!(
    mlobs_log_loss_trans_bool,
    pg_finfo_mlobs_log_loss_trans_bool,
    |fcinfo| { loss_step(fcinfo, LossKind::LogLoss, Some("bool")) }
);
crate::v1!(
    mlobs_log_loss_trans_array,
    pg_finfo_mlobs_log_loss_trans_array,
    |fcinfo| { loss_step(fcinfo, LossKind::LogLoss, Some("array")) }
);
crate::v1!(
    mlobs_brier_trans_int,
    pg_finfo_mlobs_brier_trans_int,
    |fcinfo| { loss_step(fcinfo, LossKind::Brier, None) }
);
crate::v1!(
    mlobs_brier_trans_bool,
    pg_finfo_mlobs_brier_trans_bool,
    |fcinfo| { loss_step(fcinfo, LossKind::Brier, Some("bool")) }
);
crate::v1!(
    mlobs_brier_trans_array,
    pg_finfo_mlobs_brier_trans_array,
    |fcinfo| { loss_step(fcinfo, LossKind::Brier, Some("array")) }
);
crate::v1!(mlobs_loss_final, pg_finfo_mlobs_loss_final, |fcinfo| {
    finalize_with(fcinfo, MeanLoss::mean)
});

// --- mergeable score summary --------------------------------------------------------------------

crate::summary_type!(
    ScoreSummary,
    CoreScoreSummary,
    state = ScoreAccumulator,
    "mlobs.score_summary",
    mlobs_score_summary
);

/// Rows with a NULL score, label or weight are skipped; the grid must not be NULL.
unsafe fn score_step(
    fcinfo: pg_sys::FunctionCallInfo,
    is_bool: bool,
    gridded: bool,
    weighted: bool,
) -> pg_sys::Datum {
    let score = unsafe { f64_arg(fcinfo, 1) };
    let positive = unsafe { positive_arg(fcinfo, is_bool) };
    let weight = unsafe { weight_arg(fcinfo, 3, weighted) };
    let grid = if gridded {
        let g: Option<i32> = unsafe { pgrx::fcinfo::pg_getarg(fcinfo, 3 + weighted as usize) };
        g.unwrap_or_else(|| crate::errors::invalid_parameter("grid must not be NULL"))
    } else {
        mlobs_core::metrics::score_summary::DEFAULT_GRID as i32
    };
    let init = || ScoreAccumulator::new(grid.into()).or_raise();
    unsafe {
        transition(
            fcinfo,
            "mlobs.score_agg",
            init,
            |s: &mut ScoreAccumulator| {
                if s.grid() as i64 != grid as i64 {
                    crate::errors::invalid_parameter(
                        "grid must be the same for every row of a group",
                    );
                }
                if let (Some(x), Some(y), Some(w)) = (score, positive, weight) {
                    s.add_weighted(x, y, w).or_raise();
                }
            },
        )
    }
}

crate::v1!(
    mlobs_score_trans_int,
    pg_finfo_mlobs_score_trans_int,
    |fcinfo| { score_step(fcinfo, false, false, false) }
);
crate::v1!(
    mlobs_score_trans_bool,
    pg_finfo_mlobs_score_trans_bool,
    |fcinfo| { score_step(fcinfo, true, false, false) }
);
crate::v1!(
    mlobs_score_trans_int_grid,
    pg_finfo_mlobs_score_trans_int_grid,
    |fcinfo| { score_step(fcinfo, false, true, false) }
);
crate::v1!(
    mlobs_score_trans_bool_grid,
    pg_finfo_mlobs_score_trans_bool_grid,
    |fcinfo| { score_step(fcinfo, true, true, false) }
);

crate::v1!(
    mlobs_score_trans_int_w,
    pg_finfo_mlobs_score_trans_int_w,
    |fcinfo| { score_step(fcinfo, false, false, true) }
);
crate::v1!(
    mlobs_score_trans_bool_w,
    pg_finfo_mlobs_score_trans_bool_w,
    |fcinfo| { score_step(fcinfo, true, false, true) }
);
crate::v1!(
    mlobs_score_trans_int_w_grid,
    pg_finfo_mlobs_score_trans_int_w_grid,
    |fcinfo| { score_step(fcinfo, false, true, true) }
);
crate::v1!(
    mlobs_score_trans_bool_w_grid,
    pg_finfo_mlobs_score_trans_bool_w_grid,
    |fcinfo| { score_step(fcinfo, true, true, true) }
);

/// Approximate ROC AUC (pairs sharing a grid bin count ½); NULL when a class is absent.
#[pg_extern(immutable, parallel_safe, name = "roc_auc")]
fn score_roc_auc(s: ScoreSummary) -> Option<f64> {
    s.0.roc_auc().map(|b| b.estimate)
}

/// `{lower, upper}`: the exact ROC AUC of the summarised rows is guaranteed to lie within.
#[pg_extern(immutable, parallel_safe)]
fn roc_auc_bounds(s: ScoreSummary) -> Option<Vec<f64>> {
    s.0.roc_auc().map(|b| vec![b.lower, b.upper])
}

/// Approximate average precision (each grid bin one threshold); NULL without positives.
#[pg_extern(immutable, parallel_safe, name = "pr_auc")]
fn score_pr_auc(s: ScoreSummary) -> Option<f64> {
    s.0.pr_auc().map(|b| b.estimate)
}

/// `{lower, upper}`: the exact average precision is guaranteed to lie within.
#[pg_extern(immutable, parallel_safe)]
fn pr_auc_bounds(s: ScoreSummary) -> Option<Vec<f64>> {
    s.0.pr_auc().map(|b| vec![b.lower, b.upper])
}

/// Mean log loss of the summarised rows (exact: the sum is kept, probabilities clipped to
/// [ε, 1 − ε] as scikit-learn); NULL when empty.
#[pg_extern(immutable, parallel_safe, name = "log_loss")]
fn score_log_loss(s: ScoreSummary) -> Option<f64> {
    s.0.log_loss()
}

/// Mean Brier score (y − p)² of the summarised rows (exact); NULL when empty.
#[pg_extern(immutable, parallel_safe, name = "brier")]
fn score_brier(s: ScoreSummary) -> Option<f64> {
    s.0.brier()
}

/// Expected calibration error on `bins` equal-count bins, estimated from the grid (mergeable
/// counterpart of `ece_agg`); NULL when empty.
#[pg_extern(immutable, parallel_safe, name = "calibration_error")]
fn score_calibration_error(s: ScoreSummary, bins: default!(i32, 10)) -> Option<f64> {
    s.0.calibration_error(bins).or_raise().map(|b| b.estimate)
}

/// `{lower, upper}`: the exact calibration error (as `ece_agg` / `calibration_error` on arrays)
/// is guaranteed to lie within.
#[pg_extern(immutable, parallel_safe)]
fn calibration_error_bounds(s: ScoreSummary, bins: default!(i32, 10)) -> Option<Vec<f64>> {
    s.0.calibration_error(bins)
        .or_raise()
        .map(|b| vec![b.lower, b.upper])
}

/// Rows summarised.
#[pg_extern(immutable, parallel_safe, name = "count")]
fn score_count(s: ScoreSummary) -> i64 {
    crate::errors::bigint(s.0.count(), "mlobs.score_summary", "count")
}
