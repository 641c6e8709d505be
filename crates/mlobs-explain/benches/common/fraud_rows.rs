//! The fixture fraud model and the deterministic rows every predict/SHAP benchmark feeds it
//! (criterion's `explain.rs`, `examples/predict_rate.rs`, and `benches/python_shap_peer.py`,
//! which generates the same rows for XGBoost and shap).

use mlobs_explain::Model;

pub const ROWS: usize = 10_000;

/// Row i of the benchmark table.
pub fn row(i: usize) -> Vec<f64> {
    vec![
        (i * 7 % 400 + 5) as f64,
        (18 + i % 60) as f64,
        (i % 24) as f64,
        (i * 3 % 120) as f64,
        (i % 12) as f64,
        (i % 10) as f64 / 10.0,
    ]
}

pub fn model() -> Model {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/models/fraud_xgb.json"
    );
    let body: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON");
    mlobs_explain::decode("xgboost", &body).expect("valid model")
}
