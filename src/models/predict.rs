//! `predict`, `predict_margin` and `predict_proba`: positional (float8[]) or named (jsonb)
//! features, latest version or `(model, version)` (a NULL version is the latest). NULL model or
//! features give NULL.

use super::registry::{resolve, Resolved};
use super::{class_arg, FeaturesArg};
use crate::errors::OrRaise;
use pgrx::pg_sys;
use pgrx::prelude::*;
use std::rc::Rc;

/// The model and the feature vector, or None for a NULL model or features (read only then).
///
/// # Safety
/// `fcinfo` must be the current call's.
unsafe fn model_and_row(
    fcinfo: pg_sys::FunctionCallInfo,
    model: Option<&str>,
    version: Option<i32>,
    features: Option<FeaturesArg>,
) -> Option<(Rc<Resolved>, Vec<f64>)> {
    let (name, features) = (model?, features?);
    let r = unsafe { resolve(fcinfo, name, version) };
    let x = features.into_row(&r.model);
    Some((r, x))
}

model_fn! {
    /// The library's prediction (regression value, or the probability of `class`; binary
    /// classifiers default to class 1).
    fn "predict"(class: default!(Option<i32>, "NULL"),)
        |fcinfo, model, features, version| unsafe { model_and_row(fcinfo, model, version, features) }
            .map(|(r, x)| r.model.predict(&x, class_arg(class)).or_raise());
    float8[] -> (Option<f64>): predict_array, predict_version_array;
    jsonb -> (Option<f64>): predict_json, predict_version_json;
}

model_fn! {
    /// The raw margin of `class` (log-odds for logistic models, the class's margin for softmax
    /// models, the prediction for forests and regressors).
    fn "predict_margin"(class: default!(Option<i32>, "NULL"),)
        |fcinfo, model, features, version| unsafe { model_and_row(fcinfo, model, version, features) }
            .map(|(r, x)| r.model.margin(&x, class_arg(class)).or_raise());
    float8[] -> (Option<f64>): predict_margin_array, predict_margin_version_array;
    jsonb -> (Option<f64>): predict_margin_json, predict_margin_version_json;
}

model_fn! {
    /// Every class's probability (classifiers, as `predict_proba`), or the one prediction.
    fn "predict_proba"()
        |fcinfo, model, features, version| unsafe { model_and_row(fcinfo, model, version, features) }
            .map(|(r, x)| r.model.predict_proba(&x).or_raise());
    float8[] -> (Option<Vec<f64>>): predict_proba_array, predict_proba_version_array;
    jsonb -> (Option<Vec<f64>>): predict_proba_json, predict_proba_version_json;
}
