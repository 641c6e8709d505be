//! Per-row cost of prediction and SHAP on the fixture fraud model (XGBoost, 20 trees of depth
//! ≤ 4, 6 features), one thread. The rows are the same deterministic table the Python peer
//! (`benches/python_shap_peer.py`) feeds XGBoost and shap, so rows/second compare directly.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

#[path = "common/fraud_rows.rs"]
mod fraud_rows;
use fraud_rows::{model, row, ROWS};

fn bench(c: &mut Criterion) {
    let m = model();
    let rows: Vec<Vec<f64>> = (0..ROWS).map(row).collect();
    let background: Vec<Vec<f64>> = (0..50).map(|i| row(i * 37 + 11)).collect();
    let mut g = c.benchmark_group("fraud_xgb");
    g.throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("predict", |b| {
        b.iter(|| {
            rows.iter()
                .map(|x| m.predict(black_box(x), None).unwrap())
                .sum::<f64>()
        })
    });
    g.bench_function("shap_path_dependent", |b| {
        b.iter(|| {
            rows.iter()
                .map(|x| m.shap(black_box(x), None).unwrap()[0])
                .sum::<f64>()
        })
    });
    g.sample_size(10);
    g.throughput(Throughput::Elements(1000));
    g.bench_function("shap_interventional_50_background", |b| {
        b.iter(|| {
            rows[..1000]
                .iter()
                .map(|x| {
                    m.shap_interventional(black_box(x), &background, None)
                        .unwrap()[0]
                })
                .sum::<f64>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
