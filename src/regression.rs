//! `mlobs.regression_summary`: regression_agg(target, prediction[, weight]), rollup, metrics; the
//! regression losses (Tweedie/Poisson/Gamma deviance, pinball loss) over the shared loss state.

use crate::agg::{f64_arg, transition};
use crate::errors::OrRaise;
use mlobs_core::metrics::loss::{LossKind, MeanLoss};
use mlobs_core::metrics::regression::RegressionSummary as CoreRegression;
use pgrx::prelude::*;
use pgrx::JsonB;

crate::summary_type!(
    RegressionSummary,
    CoreRegression,
    "mlobs.regression_summary",
    mlobs_regression_summary
);

crate::v1!(
    mlobs_regression_trans,
    pg_finfo_mlobs_regression_trans,
    |fcinfo| {
        let target = f64_arg(fcinfo, 1);
        let prediction = f64_arg(fcinfo, 2);
        // regression_agg(target, prediction, weight) shares this symbol.
        let weight = if (*fcinfo).nargs > 3 {
            f64_arg(fcinfo, 3)
        } else {
            Some(1.0)
        };
        transition(
            fcinfo,
            "mlobs.regression_agg",
            CoreRegression::default,
            |s: &mut CoreRegression| match (target, prediction, weight) {
                (Some(y), Some(p), Some(w)) => s.add_weighted(y, p, w).or_raise(),
                _ => s.skipped += 1,
            },
        )
    }
);

macro_rules! regression_metric {
    ($($name:ident => $doc:literal;)*) => {$(
        #[doc = $doc]
        #[pg_extern(immutable, parallel_safe)]
        fn $name(s: RegressionSummary) -> Option<f64> {
            s.0.$name()
        }
    )*};
}

regression_metric! {
    rmse => "Root mean squared error.";
    mse => "Mean squared error.";
    mae => "Mean absolute error.";
    mape => "Mean absolute percentage error as a fraction, |e| / max(|y|, f64 epsilon) (scikit-learn).";
    r2 => "Coefficient of determination; NULL below two rows; constant target gives 1 (perfect) or 0.";
    mean_error => "Mean of prediction − target (positive: over-prediction).";
    explained_variance => "1 − Var(y − ŷ)/Var(y), scikit-learn's force_finite rule.";
    max_error => "Largest absolute error (over rows of positive weight).";
    median_absolute_error => "Median absolute error from the sketch (within 1 % of the exact value); NULL when weighted.";
}

/// Rows summarised.
#[pg_extern(immutable, parallel_safe, name = "count")]
fn regression_count(s: RegressionSummary) -> i64 {
    crate::errors::bigint(s.0.n(), "mlobs.regression_summary", "count")
}

/// Every regression metric as one jsonb object.
#[pg_extern(immutable, parallel_safe)]
fn regression_report(s: RegressionSummary) -> JsonB {
    let s = &s.0;
    JsonB(serde_json::json!({
        "rows": s.n(), "skipped": s.skipped,
        "rmse": s.rmse(), "mse": s.mse(), "mae": s.mae(), "mape": s.mape(), "r2": s.r2(),
        "mean_error": s.mean_error(), "explained_variance": s.explained_variance(),
        "max_error": s.max_error(), "median_absolute_error": s.median_absolute_error(),
    }))
}

/// (current − reference) / |reference|: the relative change of a metric between windows.
/// NULL when either is NULL or the reference is 0.
#[pg_extern(immutable, parallel_safe)]
pub(crate) fn relative_change(reference: Option<f64>, current: Option<f64>) -> Option<f64> {
    let (r, c) = (reference?, current?);
    if !r.is_finite() || !c.is_finite() {
        crate::errors::invalid_parameter("reference and current must be finite");
    }
    (r != 0.0).then(|| (c - r) / r.abs())
}

/// Whether a metric degraded by more than `max_drop` (relative) from the reference window:
/// a drop for metrics where higher is better (accuracy, F1, AUC), a rise otherwise (RMSE).
#[pg_extern(immutable, parallel_safe)]
fn degraded(
    reference: Option<f64>,
    current: Option<f64>,
    max_drop: default!(Option<f64>, 0.1),
    higher_is_better: default!(Option<bool>, true),
) -> Option<bool> {
    degraded_by(
        reference,
        current,
        crate::errors::required(max_drop, "max_drop"),
        crate::errors::required(higher_is_better, "higher_is_better"),
    )
}

/// `degraded` for callers holding the parameters already (the performance reports).
pub(crate) fn degraded_by(
    reference: Option<f64>,
    current: Option<f64>,
    max_drop: f64,
    higher_is_better: bool,
) -> Option<bool> {
    if !(max_drop.is_finite() && max_drop >= 0.0) {
        crate::errors::invalid_parameter(format!(
            "max_drop must be finite and non-negative, got {max_drop}"
        ));
    }
    let change = relative_change(reference, current)?;
    Some(if higher_is_better {
        change < -max_drop
    } else {
        change > max_drop
    })
}

/// Regression metrics of a current window next to a reference window (rmse, mae, mape, r2,
/// mean_error), with the relative change and whether each degraded by more than `max_drop`
/// (a rise for errors, a drop for R²; mean_error is reported without a verdict).
#[pg_extern(immutable, parallel_safe, name = "performance_report")]
#[allow(clippy::type_complexity)]
fn regression_performance_report(
    reference: RegressionSummary,
    current: RegressionSummary,
    max_drop: default!(f64, 0.1),
) -> TableIterator<
    'static,
    (
        name!(metric, String),
        name!(reference_value, Option<f64>),
        name!(current_value, Option<f64>),
        name!(relative_change, Option<f64>),
        name!(degraded, Option<bool>),
    ),
> {
    let (r, c) = (&reference.0, &current.0);
    let rows: Vec<_> = [
        ("rmse", r.rmse(), c.rmse(), Some(false)),
        ("mae", r.mae(), c.mae(), Some(false)),
        ("mape", r.mape(), c.mape(), Some(false)),
        ("r2", r.r2(), c.r2(), Some(true)),
        ("mean_error", r.mean_error(), c.mean_error(), None),
    ]
    .into_iter()
    .map(|(name, rv, cv, higher_is_better)| {
        (
            name.to_string(),
            rv,
            cv,
            relative_change(rv, cv),
            higher_is_better.and_then(|h| degraded_by(rv, cv, max_drop, h)),
        )
    })
    .collect();
    TableIterator::new(rows)
}

// --- regression losses over the shared loss state (combine / serial / final: ranking.rs) -------

/// Transition of a regression loss: skip a row with a NULL target or prediction; `param` is the
/// power or alpha argument (argument 3 when the aggregate has one, else `default`).
unsafe fn regression_loss_step(
    fcinfo: pg_sys::FunctionCallInfo,
    function: &str,
    default: f64,
    kind: fn(f64) -> mlobs_core::Result<LossKind>,
    param_name: &str,
) -> pg_sys::Datum {
    let target = unsafe { f64_arg(fcinfo, 1) };
    let prediction = unsafe { f64_arg(fcinfo, 2) };
    let param = if unsafe { (*fcinfo).nargs } > 3 {
        unsafe { f64_arg(fcinfo, 3) }
    } else {
        Some(default)
    };
    let kind = kind(crate::errors::required(param, param_name)).or_raise();
    unsafe {
        transition(
            fcinfo,
            function,
            || MeanLoss::new(kind),
            |s: &mut MeanLoss| {
                if s.kind != kind {
                    let value = |k: LossKind| match k {
                        LossKind::Tweedie(v) | LossKind::Pinball(v) => v,
                        _ => f64::NAN,
                    };
                    crate::errors::invalid_parameter(format!(
                        "{param_name} must be the same on every row ({} then {})",
                        value(s.kind),
                        value(kind)
                    ));
                }
                if let (Some(y), Some(p)) = (target, prediction) {
                    s.add_regression(y, p).or_raise();
                }
            },
        )
    }
}

crate::v1!(
    mlobs_tweedie_deviance_trans,
    pg_finfo_mlobs_tweedie_deviance_trans,
    |fcinfo| {
        regression_loss_step(
            fcinfo,
            "mlobs.tweedie_deviance_agg",
            0.0,
            LossKind::tweedie,
            "power",
        )
    }
);
crate::v1!(
    mlobs_poisson_deviance_trans,
    pg_finfo_mlobs_poisson_deviance_trans,
    |fcinfo| {
        regression_loss_step(
            fcinfo,
            "mlobs.poisson_deviance_agg",
            1.0,
            LossKind::tweedie,
            "power",
        )
    }
);
crate::v1!(
    mlobs_gamma_deviance_trans,
    pg_finfo_mlobs_gamma_deviance_trans,
    |fcinfo| {
        regression_loss_step(
            fcinfo,
            "mlobs.gamma_deviance_agg",
            2.0,
            LossKind::tweedie,
            "power",
        )
    }
);
crate::v1!(
    mlobs_pinball_loss_trans,
    pg_finfo_mlobs_pinball_loss_trans,
    |fcinfo| {
        regression_loss_step(
            fcinfo,
            "mlobs.pinball_loss_agg",
            0.5,
            LossKind::pinball,
            "alpha",
        )
    }
);
