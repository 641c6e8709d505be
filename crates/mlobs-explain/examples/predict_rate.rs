//! Rows per second of `predict` on the fixture fraud model, the fastest of N passes over the
//! 10 000 rows of `benches/explain.rs`. On a shared machine interference only ever adds time, so
//! the fastest pass is the steady estimate; `benches/python_shap_peer.py --predict-only N`
//! measures XGBoost's `inplace_predict` the same way. Run the two alternately
//! (docs/performance.md, "Fourth pass"):
//!
//!     cargo run --release -p mlobs-explain --example predict_rate -- 300

use std::hint::black_box;
use std::time::Instant;

#[path = "../benches/common/fraud_rows.rs"]
mod fraud_rows;
use fraud_rows::{model, row, ROWS};

fn main() {
    let passes: usize = match std::env::args().nth(1) {
        None => 300,
        Some(a) => a.parse().expect("usage: predict_rate [passes]"),
    };
    let model = model();
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
