//! `predict`, `predict_margin` and `predict_proba`: positional (float8[]) or named (jsonb)
//! features, latest version or `(model, version)` (a NULL version is the latest). NULL model or
//! features give NULL.

use super::registry::resolve;
use super::{class_arg, row_from_array, row_from_json};
use crate::errors::OrRaise;
use pgrx::pg_sys;
use pgrx::prelude::*;

#[derive(Clone, Copy)]
enum What {
    Prediction,
    Margin,
}

fn features_row(
    model: &mlobs_explain::Model,
    array: Option<&[Option<f64>]>,
    json: Option<&serde_json::Value>,
) -> Vec<f64> {
    match (array, json) {
        (Some(a), _) => row_from_array(a),
        (_, Some(j)) => row_from_json(model, j),
        _ => unreachable!("callers pass one form"),
    }
}

/// # Safety
/// `fcinfo` must be the current call's.
unsafe fn one(
    fcinfo: pg_sys::FunctionCallInfo,
    what: What,
    model: Option<&str>,
    version: Option<i32>,
    array: Option<&[Option<f64>]>,
    json: Option<&serde_json::Value>,
    class: Option<i32>,
) -> Option<f64> {
    let name = model?;
    if array.is_none() && json.is_none() {
        return None;
    }
    let r = unsafe { resolve(fcinfo, name, version) };
    let x = features_row(&r.model, array, json);
    Some(match what {
        What::Prediction => r.model.predict(&x, class_arg(class)).or_raise(),
        What::Margin => r.model.margin(&x, class_arg(class)).or_raise(),
    })
}

/// The library's prediction (regression value, or the probability of `class`; binary
/// classifiers default to class 1).
#[pg_extern(stable, parallel_safe, name = "predict")]
fn predict_array(
    model: Option<&str>,
    features: Option<Vec<Option<f64>>>,
    class: default!(Option<i32>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<f64> {
    unsafe {
        one(
            fcinfo,
            What::Prediction,
            model,
            None,
            features.as_deref(),
            None,
            class,
        )
    }
}

#[pg_extern(stable, parallel_safe, name = "predict")]
fn predict_json(
    model: Option<&str>,
    features: Option<crate::jsonb_arg::JsonbArg>,
    class: default!(Option<i32>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<f64> {
    let j = features.map(|j| j.value("features"));
    unsafe {
        one(
            fcinfo,
            What::Prediction,
            model,
            None,
            None,
            j.as_ref(),
            class,
        )
    }
}

#[pg_extern(stable, parallel_safe, name = "predict")]
fn predict_version_array(
    model: Option<&str>,
    version: Option<i32>,
    features: Option<Vec<Option<f64>>>,
    class: default!(Option<i32>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<f64> {
    unsafe {
        one(
            fcinfo,
            What::Prediction,
            model,
            version,
            features.as_deref(),
            None,
            class,
        )
    }
}

#[pg_extern(stable, parallel_safe, name = "predict")]
fn predict_version_json(
    model: Option<&str>,
    version: Option<i32>,
    features: Option<crate::jsonb_arg::JsonbArg>,
    class: default!(Option<i32>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<f64> {
    let j = features.map(|j| j.value("features"));
    unsafe {
        one(
            fcinfo,
            What::Prediction,
            model,
            version,
            None,
            j.as_ref(),
            class,
        )
    }
}

/// The raw margin of `class` (log-odds for logistic models, the class's margin for softmax
/// models, the prediction for forests and regressors).
#[pg_extern(stable, parallel_safe, name = "predict_margin")]
fn predict_margin_array(
    model: Option<&str>,
    features: Option<Vec<Option<f64>>>,
    class: default!(Option<i32>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<f64> {
    unsafe {
        one(
            fcinfo,
            What::Margin,
            model,
            None,
            features.as_deref(),
            None,
            class,
        )
    }
}

#[pg_extern(stable, parallel_safe, name = "predict_margin")]
fn predict_margin_json(
    model: Option<&str>,
    features: Option<crate::jsonb_arg::JsonbArg>,
    class: default!(Option<i32>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<f64> {
    let j = features.map(|j| j.value("features"));
    unsafe { one(fcinfo, What::Margin, model, None, None, j.as_ref(), class) }
}

#[pg_extern(stable, parallel_safe, name = "predict_margin")]
fn predict_margin_version_array(
    model: Option<&str>,
    version: Option<i32>,
    features: Option<Vec<Option<f64>>>,
    class: default!(Option<i32>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<f64> {
    unsafe {
        one(
            fcinfo,
            What::Margin,
            model,
            version,
            features.as_deref(),
            None,
            class,
        )
    }
}

#[pg_extern(stable, parallel_safe, name = "predict_margin")]
fn predict_margin_version_json(
    model: Option<&str>,
    version: Option<i32>,
    features: Option<crate::jsonb_arg::JsonbArg>,
    class: default!(Option<i32>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<f64> {
    let j = features.map(|j| j.value("features"));
    unsafe {
        one(
            fcinfo,
            What::Margin,
            model,
            version,
            None,
            j.as_ref(),
            class,
        )
    }
}

/// # Safety
/// `fcinfo` must be the current call's.
unsafe fn proba(
    fcinfo: pg_sys::FunctionCallInfo,
    model: Option<&str>,
    version: Option<i32>,
    array: Option<&[Option<f64>]>,
    json: Option<&serde_json::Value>,
) -> Option<Vec<f64>> {
    let name = model?;
    if array.is_none() && json.is_none() {
        return None;
    }
    let r = unsafe { resolve(fcinfo, name, version) };
    let x = features_row(&r.model, array, json);
    Some(r.model.predict_proba(&x).or_raise())
}

/// Every class's probability (classifiers, as `predict_proba`), or the one prediction.
#[pg_extern(stable, parallel_safe, name = "predict_proba")]
fn predict_proba_array(
    model: Option<&str>,
    features: Option<Vec<Option<f64>>>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<Vec<f64>> {
    unsafe { proba(fcinfo, model, None, features.as_deref(), None) }
}

#[pg_extern(stable, parallel_safe, name = "predict_proba")]
fn predict_proba_json(
    model: Option<&str>,
    features: Option<crate::jsonb_arg::JsonbArg>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<Vec<f64>> {
    let j = features.map(|j| j.value("features"));
    unsafe { proba(fcinfo, model, None, None, j.as_ref()) }
}

#[pg_extern(stable, parallel_safe, name = "predict_proba")]
fn predict_proba_version_array(
    model: Option<&str>,
    version: Option<i32>,
    features: Option<Vec<Option<f64>>>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<Vec<f64>> {
    unsafe { proba(fcinfo, model, version, features.as_deref(), None) }
}

#[pg_extern(stable, parallel_safe, name = "predict_proba")]
fn predict_proba_version_json(
    model: Option<&str>,
    version: Option<i32>,
    features: Option<crate::jsonb_arg::JsonbArg>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<Vec<f64>> {
    let j = features.map(|j| j.value("features"));
    unsafe { proba(fcinfo, model, version, None, j.as_ref()) }
}
