//! Model decoders (XGBoost JSON, LightGBM dump, scikit-learn tree/forest export, linear export),
//! prediction with each library's exact routing, and explanations (path-dependent and
//! interventional TreeSHAP, linear SHAP, LIME, counterfactuals). Pure Rust, no PostgreSQL: the
//! extension glue only translates.

#![forbid(unsafe_code)]

pub mod counterfactual;
pub mod error;
pub mod importance;
pub mod interventional;
pub mod lightgbm;
pub mod lime;
pub mod linear;
pub mod model;
pub mod names;
pub mod perfect;
pub mod ridge;
pub mod sklearn;
pub mod tree;
pub mod treeshap;
pub mod xgboost;

pub use error::{ExplainError, Result};
pub use model::{Link, Model, Output};
pub use tree::{Ensemble, Missing, Node, Split, Tree};

/// Decodes a model export of `format` (xgboost, lightgbm, sklearn, linear).
pub fn decode(format: &str, body: &serde_json::Value) -> Result<Model> {
    match format {
        "xgboost" => xgboost::decode(body),
        "lightgbm" => lightgbm::decode(body),
        "sklearn" => sklearn::decode(body),
        "linear" => linear::decode(body),
        other => Err(ExplainError::at(
            "format",
            format!("must be xgboost, lightgbm, sklearn or linear, got '{other}'"),
        )),
    }
}
