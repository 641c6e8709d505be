//! Models in the database: `mlobs.register_model` validates and stores a model export as a new
//! version in `mlobs.models`; `predict`, `predict_margin`, `shap` and `shap_base_value` use the
//! latest version, decoded once per backend and cached by (name, version) — a newly registered
//! version is a new cache key, so it is picked up by the next call.

use mlobs_explain::tree::Ensemble;
use mlobs_explain::{lightgbm, sklearn, treeshap, xgboost};
use pgrx::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

thread_local! {
    static CACHE: RefCell<HashMap<(String, i32), Rc<Ensemble>>> = RefCell::new(HashMap::new());
}

fn decode(format: &str, body: &serde_json::Value) -> Ensemble {
    let decoded = match format {
        "xgboost" => xgboost::decode(body),
        "lightgbm" => lightgbm::decode(body),
        // Classifiers explain the probability of the second class (index 1), as for binary models.
        "sklearn" => sklearn::decode(body, 1),
        other => crate::errors::invalid_parameter(format!(
            "format must be xgboost, lightgbm or sklearn, got '{other}'"
        )),
    };
    decoded.unwrap_or_else(|e| crate::errors::invalid_parameter(format!("invalid model: {e}")))
}

/// Validates `body` as a `format` model and stores it as the next version of `name`.
#[pg_extern(volatile, parallel_unsafe)]
fn register_model(
    name: &str,
    format: &str,
    body: pgrx::JsonB,
    feature_names: default!(Option<Vec<String>>, "NULL"),
) -> i32 {
    let model = decode(format, &body.0);
    if let Some(names) = &feature_names {
        if names.len() != model.n_features {
            crate::errors::invalid_parameter(format!(
                "feature_names has {} names, the model has {} features",
                names.len(),
                model.n_features
            ));
        }
    }
    Spi::get_one_with_args::<i32>(
        "INSERT INTO mlobs.models (name, version, format, body, feature_names, n_features)
         SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5 FROM mlobs.models WHERE name = $1
         RETURNING version",
        &[
            name.into(),
            format.into(),
            body.into(),
            feature_names.into(),
            (model.n_features as i32).into(),
        ],
    )
    .expect("insert into mlobs.models")
    .expect("RETURNING version")
}

/// The latest version of `name`, decoded (cached per backend).
fn latest(name: &str) -> Rc<Ensemble> {
    let version = Spi::get_one_with_args::<i32>(
        "SELECT max(version) FROM mlobs.models WHERE name = $1",
        &[name.into()],
    )
    .expect("read mlobs.models");
    let Some(version) = version else {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
            format!("model '{name}' is not registered")
        );
    };
    let key = (name.to_owned(), version);
    if let Some(m) = CACHE.with(|c| c.borrow().get(&key).cloned()) {
        return m;
    }
    let (format, body) = Spi::get_two_with_args::<String, String>(
        "SELECT format, body::text FROM mlobs.models WHERE name = $1 AND version = $2",
        &[name.into(), version.into()],
    )
    .expect("read mlobs.models");
    let body: serde_json::Value =
        serde_json::from_str(&body.expect("body")).expect("jsonb text is JSON");
    let model = Rc::new(decode(&format.expect("format"), &body));
    CACHE.with(|c| c.borrow_mut().insert(key, model.clone()));
    model
}

/// The feature vector: NULL elements are missing values (NaN), routed as the library routes them.
fn row(model: &Ensemble, features: &[Option<f64>]) -> Vec<f64> {
    if features.len() != model.n_features {
        crate::errors::invalid_parameter(format!(
            "features has {} values, the model has {} features",
            features.len(),
            model.n_features
        ));
    }
    features.iter().map(|v| v.unwrap_or(f64::NAN)).collect()
}

/// The library's prediction (probability for classifiers) of the latest version of `model`.
#[pg_extern(stable, parallel_restricted)]
fn predict(model: &str, features: Vec<Option<f64>>) -> f64 {
    let m = latest(model);
    m.predict(&row(&m, &features))
}

/// The raw margin (log-odds for binary XGBoost/LightGBM; the probability for forests).
#[pg_extern(stable, parallel_restricted)]
fn predict_margin(model: &str, features: Vec<Option<f64>>) -> f64 {
    let m = latest(model);
    m.margin(&row(&m, &features))
}

/// Path-dependent TreeSHAP values (as `shap.TreeExplainer(model)`), one per feature, in margin
/// space: their sum plus `shap_base_value` is the margin.
#[pg_extern(stable, parallel_restricted)]
fn shap(model: &str, features: Vec<Option<f64>>) -> Vec<f64> {
    let m = latest(model);
    treeshap::shap_values(&m, &row(&m, &features))
}

/// TreeSHAP's base value (expected margin under the trees' cover).
#[pg_extern(stable, parallel_restricted)]
fn shap_base_value(model: &str) -> f64 {
    latest(model).expected_value()
}
