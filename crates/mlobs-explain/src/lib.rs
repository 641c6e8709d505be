//! Model decoders (XGBoost JSON so far; LightGBM dump, scikit-learn export and linear models to
//! follow), prediction with each library's exact routing, and explanations (path-dependent
//! TreeSHAP so far). Pure Rust, no PostgreSQL: the extension glue will only translate.

pub mod error;
pub mod lightgbm;
pub mod sklearn;
pub mod tree;
pub mod treeshap;
pub mod xgboost;

pub use error::{ExplainError, Result};
pub use tree::{Ensemble, Missing, Node, Split, Tree};
