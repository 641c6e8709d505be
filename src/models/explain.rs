//! LIME, what-if and counterfactuals in SQL; results are jsonb keyed by feature name.

use super::registry::resolve;
use super::shap::background_arg;
use super::{by_feature, class_arg, json_number, row_from_jsonb, FeaturesArg};
use crate::errors::{invalid_parameter, required, OrRaise};
use mlobs_explain::counterfactual::{counterfactual as search, what_if as apply};
use mlobs_explain::lime::{explain, LimeOptions};
use pgrx::prelude::*;
use pgrx::{pg_sys, JsonB};
use serde_json::{json, Map, Value};

#[allow(clippy::too_many_arguments)]
unsafe fn lime_impl(
    fcinfo: pg_sys::FunctionCallInfo,
    model: &str,
    features: &FeaturesArg,
    seed: i64,
    num_samples: i32,
    num_features: i32,
    discretize: bool,
    kernel_width: Option<f64>,
    class: Option<i32>,
) -> JsonB {
    let r = unsafe { resolve(fcinfo, model, None) };
    let x = features.row(&r.model);
    let Some(training) = (unsafe { background_arg(fcinfo, 2, "training") }) else {
        invalid_parameter("training must not be NULL")
    };
    let options = LimeOptions {
        // Negative counts go to the core's range check as 0, so 0 and -5 get one message.
        num_samples: usize::try_from(num_samples).unwrap_or(0),
        num_features: usize::try_from(num_features).unwrap_or(0),
        kernel_width,
        discretize,
        seed: seed as u64,
        class: class_arg(class),
    };
    let e = explain(&r.model, &x, &training, &options).or_raise();
    let weights: Map<String, Value> = e
        .weights
        .iter()
        .map(|&(f, w)| (r.model.feature_label(f), json_number(w)))
        .collect();
    let conditions: Map<String, Value> = e
        .weights
        .iter()
        .map(|&(f, _)| {
            (
                r.model.feature_label(f),
                Value::String(e.conditions[f].clone()),
            )
        })
        .collect();
    JsonB(json!({
        "intercept": json_number(e.intercept),
        "weights": weights,
        "conditions": conditions,
        "score": json_number(e.score),
        "local_prediction": json_number(e.local_prediction),
        "prediction": json_number(e.prediction),
        "order": e.weights.iter().map(|&(f, _)| r.model.feature_label(f)).collect::<Vec<_>>(),
    }))
}

model_fn! {
    /// LIME (tabular, the lime package's defaults) for one row, `training` standing for the
    /// training data (a 2-D float8 array: rows × features).
    fn "lime"(
        training: Option<Vec<Option<f64>>>,
        seed: default!(Option<i64>, 0),
        num_samples: default!(Option<i32>, 5000),
        num_features: default!(Option<i32>, 10),
        discretize: default!(Option<bool>, true),
        kernel_width: default!(Option<f64>, "NULL"),
        class: default!(Option<i32>, "NULL"),
    )
        |fcinfo, model, features| {
            // A NULL model or row gives NULL (as predict does); NULL parameters are an ERROR.
            let (model, features) = (model?, features?);
            drop(required(training, "training")); // read again as a matrix
            Some(unsafe {
                lime_impl(
                    fcinfo,
                    model,
                    &features,
                    required(seed, "seed"),
                    required(num_samples, "num_samples"),
                    required(num_features, "num_features"),
                    required(discretize, "discretize"),
                    kernel_width,
                    class,
                )
            })
        };
    float8[] -> (Option<JsonB>): lime_array;
    jsonb -> (Option<JsonB>): lime_json;
}

/// Predictions before and after setting `changes` ({feature: value or null}), and the change
/// of every feature's SHAP value.
#[pg_extern(stable, parallel_safe)]
fn what_if(
    model: Option<crate::db_text::DbStr<'_>>,
    features: Option<crate::jsonb_arg::JsonbArg>,
    changes: Option<crate::jsonb_arg::JsonbArg>,
    class: default!(Option<i32>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<JsonB> {
    let model = model.as_deref();
    let (model, features) = (model?, features?);
    let changes = required(changes, "changes");
    let r = unsafe { resolve(fcinfo, model, None) };
    let x = row_from_jsonb(&r.model, &features, "features");
    let mut changed: Vec<(usize, f64)> = Vec::new();
    super::for_each_feature(&r.model, &changes, "changes", |i, v| changed.push((i, v)));
    let w = apply(&r.model, &x, &changed, class_arg(class)).or_raise();
    Some(JsonB(json!({
        "prediction_before": json_number(w.prediction_before),
        "prediction_after": json_number(w.prediction_after),
        "change": json_number(w.prediction_after - w.prediction_before),
        "shap_delta": by_feature(&r.model, &w.shap_delta),
    })))
}

/// A smallest set of feature changes (at the trees' split thresholds) moving the prediction
/// past `target`, or NULL when none of at most `max_changes` mutable features does.
#[pg_extern(stable, parallel_safe)]
fn counterfactual(
    model: Option<crate::db_text::DbStr<'_>>,
    features: Option<crate::jsonb_arg::JsonbArg>,
    target: Option<f64>,
    max_changes: default!(Option<i32>, 1),
    immutable: default!(Option<Vec<Option<crate::db_text::DbString>>>, "'{}'"),
    class: default!(Option<i32>, "NULL"),
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<JsonB> {
    let model = model.as_deref();
    let immutable = crate::db_text::strings(immutable);
    let (model, features) = (model?, features?);
    let target = required(target, "target");
    let max_changes = required(max_changes, "max_changes");
    let immutable = crate::errors::no_null_elements(required(immutable, "immutable"), "immutable");
    let r = unsafe { resolve(fcinfo, model, None) };
    let x = row_from_jsonb(&r.model, &features, "features");
    let names = r
        .model
        .feature_names
        .as_ref()
        .expect("row_from_jsonb needs names");
    let fixed: Vec<usize> = immutable
        .iter()
        .map(|f| {
            names.iter().position(|n| n == f).unwrap_or_else(|| {
                invalid_parameter(format!("immutable: '{f}' is not a feature of the model"))
            })
        })
        .collect();
    let max_changes = usize::try_from(max_changes)
        .unwrap_or_else(|_| invalid_parameter("max_changes must be positive"));
    let found = search(&r.model, &x, target, max_changes, &fixed, class_arg(class)).or_raise()?;
    let changes: Map<String, Value> = found
        .changes
        .iter()
        .map(|c| {
            (
                r.model.feature_label(c.feature),
                json!({"from": json_number(c.from), "to": json_number(c.to)}),
            )
        })
        .collect();
    Some(JsonB(json!({
        "changes": changes,
        "n_changes": found.changes.len(),
        "prediction_before": json_number(found.prediction_before),
        "prediction_after": json_number(found.prediction_after),
        "evaluations": found.evaluations,
    })))
}
