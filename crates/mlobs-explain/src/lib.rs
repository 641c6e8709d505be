//! Model decoders (XGBoost JSON, LightGBM dump, scikit-learn export, linear), prediction and
//! explanations (TreeSHAP, linear SHAP, LIME, counterfactuals).
//!
//! Skeleton only: the model registry and explainability issue fills this crate. It exists now so
//! the workspace layout, CI and clippy already cover it.
