//! SHAP in SQL: path-dependent TreeSHAP (no background), interventional SHAP against background
//! rows (a 2-D float8 array, e.g. `(SELECT array_agg(features) FROM background_sample)`), linear
//! SHAP, and the base values; float8[] in → float8[] out, jsonb in → jsonb {feature: φ} out.

use super::registry::{call_site, resolve};
use super::{by_feature, class_arg, FeaturesArg};
use crate::errors::{required, OrRaise};
use crate::varlena_io::varlena_bytes;
use pgrx::prelude::*;
use pgrx::{pg_sys, JsonB};
use std::rc::Rc;

/// Argument `i` as a background matrix, decoded once while its bytes are unchanged.
///
/// # Safety
/// Argument `i` must be a float8[] (or NULL).
pub unsafe fn background_arg(
    fcinfo: pg_sys::FunctionCallInfo,
    i: usize,
    what: &str,
) -> Option<Rc<Vec<Vec<f64>>>> {
    let datum = unsafe { pgrx::fcinfo::pg_getarg_datum(fcinfo, i) }?;
    let bytes = unsafe { varlena_bytes(datum) };
    let site = unsafe { call_site(fcinfo) };
    if let Some((b, m)) = &site.background
        && b.as_slice() == bytes
    {
        return Some(m.clone());
    }
    let m = Rc::new(super::arrays::matrix(bytes, what));
    site.background = Some((bytes.to_vec(), m.clone()));
    Some(m)
}

/// # Safety
/// `fcinfo` must be the current call's; `background` the index of a float8[] argument.
unsafe fn values(
    fcinfo: pg_sys::FunctionCallInfo,
    model: &str,
    version: Option<i32>,
    features: &FeaturesArg,
    background: Option<usize>,
    class: Option<i32>,
) -> (Rc<super::registry::Resolved>, Vec<f64>) {
    let r = unsafe { resolve(fcinfo, model, version) };
    let x = features.row(&r.model);
    let phi = match background {
        None => r.model.shap(&x, class_arg(class)).or_raise(),
        Some(i) => {
            let Some(bg) = (unsafe { background_arg(fcinfo, i, "background") }) else {
                crate::errors::invalid_parameter("background must not be NULL")
            };
            r.model
                .shap_interventional(&x, &bg, class_arg(class))
                .or_raise()
        }
    };
    (r, phi)
}

/// SHAP values with the model they explain: float8[] for positional features, jsonb {feature: φ}
/// for named ones.
struct Shap {
    r: Rc<super::registry::Resolved>,
    phi: Vec<f64>,
}

impl From<Shap> for Vec<f64> {
    fn from(s: Shap) -> Self {
        s.phi
    }
}

impl From<Shap> for JsonB {
    fn from(s: Shap) -> Self {
        JsonB(by_feature(&s.r.model, &s.phi))
    }
}

model_fn! {
    /// Path-dependent TreeSHAP (as `shap.TreeExplainer(model)`), or linear SHAP against the
    /// export's feature means, in margin space: Σφ + shap_base_value = predict_margin.
    fn "shap"(class: default!(Option<i32>, "NULL"),)
        |fcinfo, model, features, version| {
            // A NULL model or row gives NULL, as predict does.
            let (model, features) = (model?, features?);
            let (r, phi) = unsafe { values(fcinfo, model, version, &features, None, class) };
            Some(Shap { r, phi })
        };
    float8[] -> (Option<Vec<f64>>): shap_array, shap_version_array;
    jsonb -> (Option<JsonB>): shap_json, shap_version_json;
}

model_fn! {
    /// Interventional SHAP against background rows (as `shap.TreeExplainer(model, data)` and
    /// `shap.LinearExplainer(model, data)`): Σφ + shap_base_value(model, background) = margin.
    fn "shap"(
        background: Option<Vec<Option<f64>>>,
        class: default!(Option<i32>, "NULL"),
    )
        |fcinfo, model, features| {
            // A NULL model or row gives NULL (as predict does); a NULL background is an ERROR.
            let (model, features) = (model?, features?);
            drop(required(background, "background")); // read again as a matrix (pgrx flattens arrays)
            let (r, phi) = unsafe { values(fcinfo, model, None, &features, Some(2), class) };
            Some(Shap { r, phi })
        };
    float8[] -> (Option<Vec<f64>>): shap_background_array;
    jsonb -> (Option<JsonB>): shap_background_json;
}

/// The base value of path-dependent SHAP (the trees' cover-weighted expectation; the margin at
/// the feature means for linear models), in margin space.
#[pg_extern(stable, parallel_safe, name = "shap_base_value")]
fn shap_base_value(model: crate::db_text::DbStr<'_>, fcinfo: pg_sys::FunctionCallInfo) -> f64 {
    let model: &str = &model;
    let r = unsafe { resolve(fcinfo, model, None) };
    r.model.shap_base_value(None).or_raise()
}

#[pg_extern(stable, parallel_safe, name = "shap_base_value")]
fn shap_base_value_version(
    model: Option<crate::db_text::DbStr<'_>>,
    version: Option<i32>,
    class: default!(Option<i32>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<f64> {
    let model = model.as_deref();
    let r = unsafe { resolve(fcinfo, model?, version) };
    Some(r.model.shap_base_value(class_arg(class)).or_raise())
}

/// The base value of interventional SHAP: the mean margin over the background rows.
#[pg_extern(stable, parallel_safe, name = "shap_base_value")]
fn shap_base_value_background(
    model: Option<crate::db_text::DbStr<'_>>,
    background: Option<Vec<Option<f64>>>,
    class: default!(Option<i32>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<f64> {
    let model = model.as_deref();
    drop(required(background, "background"));
    let r = unsafe { resolve(fcinfo, model?, None) };
    let Some(bg) = (unsafe { background_arg(fcinfo, 1, "background") }) else {
        crate::errors::invalid_parameter("background must not be NULL")
    };
    Some(
        r.model
            .shap_base_value_interventional(&bg, class_arg(class))
            .or_raise(),
    )
}
