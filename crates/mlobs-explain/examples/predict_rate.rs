//! Rows per second of `predict` on the fixture fraud model, the fastest of N passes over the
//! 10 000 rows of `benches/explain.rs`. On a shared machine interference only ever adds time, so
//! the fastest pass is the steady estimate; `benches/python_shap_peer.py --predict-only N`
//! measures XGBoost's `inplace_predict` the same way. Run the two alternately
//! (docs/performance.md, "Fourth pass"):
//!
//!     cargo run --release -p mlobs-explain --example predict_rate -- 300

use std::hint::black_box;
use std::time::Instant;

const ROWS: usize = 10_000;

/// Row i of the benchmark table (as in benches/explain.rs and benches/python_shap_peer.py).
fn row(i: usize) -> Vec<f64> {
    vec![
        (i * 7 % 400 + 5) as f64,
        (18 + i % 60) as f64,
        (i % 24) as f64,
        (i * 3 % 120) as f64,
        (i % 12) as f64,
        (i % 10) as f64 / 10.0,
    ]
}

fn main() {
    let passes: usize = match std::env::args().nth(1) {
        None => 300,
        Some(a) => a.parse().expect("usage: predict_rate [passes]"),
    };
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/models/fraud_xgb.json"
    );
    let body: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON");
    let model = mlobs_explain::decode("xgboost", &body).expect("valid model");
    let rows: Vec<Vec<f64>> = (0..ROWS).map(row).collect();
    let mut fastest = f64::INFINITY;
    let mut checksum = 0.0;
    for _ in 0..passes.max(1) {
        let t = Instant::now();
        checksum += rows
            .iter()
            .map(|x| model.predict(black_box(x), None).unwrap())
            .sum::<f64>();
        fastest = fastest.min(t.elapsed().as_secs_f64());
    }
    println!(
        "mlobs predict: {:.0} rows/s (fastest of {passes} passes; checksum {checksum:.6})",
        ROWS as f64 / fastest
    );
}
