//! `shap_importance_agg(model, features [, class])`: mean |φ| per feature over the rows, as jsonb
//! {feature: importance}; parallel safe (the partial states merge), and `importance_drift` /
//! `importance_shift` to compare two windows' importances.

use super::registry::resolve;
use super::{class_arg, json_number, row_from_jsonb, Float8Row};
use crate::agg::{finalize_with, transition};
use crate::errors::OrRaise;
use mlobs_explain::importance::{compare, ImportanceState};
use pgrx::prelude::*;
use pgrx::{pg_sys, JsonB};
use serde_json::{Map, Value};

crate::state_functions!(ImportanceState, mlobs_shap_importance);

/// Transition: rows with NULL features are skipped (and counted nowhere), as NULLs are by
/// built-in aggregates.
unsafe fn importance_step(
    fcinfo: pg_sys::FunctionCallInfo,
    json: bool,
    with_class: bool,
) -> pg_sys::Datum {
    // SAFETY: argument 1 is the model's text name; read as `text_arg` checks it (db_text.rs).
    let model: Option<String> = unsafe { crate::agg::text_arg(fcinfo, 1) }.map(str::to_owned);
    let Some(model) = model else {
        crate::errors::invalid_parameter("shap_importance_agg: model must not be NULL")
    };
    let class = if with_class {
        unsafe { pgrx::fcinfo::pg_getarg::<i32>(fcinfo, 3) }
    } else {
        None
    };
    let r = unsafe { resolve(fcinfo, &model, None) };
    let x: Option<Vec<f64>> = if json {
        let j = unsafe { crate::jsonb_arg::JsonbArg::arg(fcinfo, 2) };
        j.map(|j| row_from_jsonb(&r.model, &j, "features"))
    } else {
        unsafe { Float8Row::arg(fcinfo, 2) }.map(|a| a.0)
    };
    unsafe {
        transition(
            fcinfo,
            "mlobs.shap_importance_agg",
            || {
                ImportanceState::new(
                    &model,
                    (0..r.model.n_features)
                        .map(|i| r.model.feature_label(i))
                        .collect(),
                )
            },
            |s: &mut ImportanceState| {
                if let Some(x) = x {
                    if s.model != model {
                        crate::errors::invalid_parameter(
                            "shap_importance_agg: model must be the same for every row",
                        );
                    }
                    s.add(&r.model.shap(&x, class_arg(class)).or_raise())
                        .or_raise();
                }
            },
        )
    }
}

crate::v1!(
    mlobs_shap_importance_trans,
    pg_finfo_mlobs_shap_importance_trans,
    |fcinfo| { importance_step(fcinfo, false, false) }
);
crate::v1!(
    mlobs_shap_importance_json_trans,
    pg_finfo_mlobs_shap_importance_json_trans,
    |fcinfo| { importance_step(fcinfo, true, false) }
);
crate::v1!(
    mlobs_shap_importance_class_trans,
    pg_finfo_mlobs_shap_importance_class_trans,
    |fcinfo| { importance_step(fcinfo, false, true) }
);
crate::v1!(
    mlobs_shap_importance_json_class_trans,
    pg_finfo_mlobs_shap_importance_json_class_trans,
    |fcinfo| { importance_step(fcinfo, true, true) }
);

crate::v1!(
    mlobs_shap_importance_final,
    pg_finfo_mlobs_shap_importance_final,
    |fcinfo| {
        finalize_with(fcinfo, |s: &ImportanceState| {
            s.means().map(|m| {
                JsonB(Value::Object(
                    m.into_iter()
                        .map(|(f, a, _)| (f, json_number(a)))
                        .collect::<Map<_, _>>(),
                ))
            })
        })
    }
);

/// An importance object {feature: number} as pairs, in key order.
fn pairs(v: &Value, what: &str) -> Vec<(String, f64)> {
    let Some(o) = v.as_object() else {
        crate::errors::invalid_parameter(format!(
            "{what}: expected a jsonb object {{feature: importance}}"
        ))
    };
    o.iter()
        .map(|(k, v)| {
            let x = v
                .as_f64()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .unwrap_or_else(|| {
                    crate::errors::invalid_parameter(format!(
                        "{what}.{k}: expected a non-negative number"
                    ))
                });
            (k.clone(), x)
        })
        .collect()
}

/// Feature by feature, the importances of two windows (`shap_importance_agg` results), their
/// shares of the total and their ranks (1 = most important).
#[allow(clippy::type_complexity)]
#[pg_extern(immutable, parallel_safe)]
fn importance_drift(
    reference: crate::jsonb_arg::JsonbArg,
    current: crate::jsonb_arg::JsonbArg,
) -> TableIterator<
    'static,
    (
        name!(feature, String),
        name!(reference_importance, Option<f64>),
        name!(current_importance, Option<f64>),
        name!(reference_share, Option<f64>),
        name!(current_share, Option<f64>),
        name!(reference_rank, Option<i32>),
        name!(current_rank, Option<i32>),
    ),
> {
    let (rows, _) = compare(
        &pairs(&reference.value("reference"), "reference"),
        &pairs(&current.value("current"), "current"),
    );
    TableIterator::new(rows.into_iter().map(|c| {
        (
            c.feature,
            c.reference,
            c.current,
            c.reference_share,
            c.current_share,
            c.reference_rank.map(|r| r as i32),
            c.current_rank.map(|r| r as i32),
        )
    }))
}

/// How much the attribution profile moved: ½Σ|share_current − share_reference| over features
/// (0 = same shares, 1 = disjoint).
#[pg_extern(immutable, parallel_safe)]
fn importance_shift(
    reference: crate::jsonb_arg::JsonbArg,
    current: crate::jsonb_arg::JsonbArg,
) -> f64 {
    compare(
        &pairs(&reference.value("reference"), "reference"),
        &pairs(&current.value("current"), "current"),
    )
    .1
}
