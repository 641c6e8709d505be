//! Training time of the core (no PostgreSQL): 100k rows × 10 features, as in
//! benches/training.sh's comparison with scikit-learn.
use criterion::{criterion_group, criterion_main, Criterion};
use mlobs_train::{Dataset, Params, Target, Task};
use serde_json::json;

fn synthetic(n: usize, p: usize, classify: bool) -> Dataset {
    let mut state = 42u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / (1u64 << 53) as f64
    };
    let mut x = Vec::with_capacity(n * p);
    let mut y = Vec::with_capacity(n);
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let row: Vec<f64> = (0..p).map(|_| next() * 2.0 - 1.0).collect();
        let s = row[0] * 2.0 - row[1] + row[2] * row[3] + 0.3 * (next() - 0.5);
        y.push(u32::from(s > 0.0));
        v.push(s);
        x.extend(row);
    }
    Dataset {
        n_features: p,
        feature_names: (0..p).map(|i| format!("f{i}")).collect(),
        x,
        y: if classify {
            Target::Classes {
                index: y,
                labels: vec!["0".into(), "1".into()],
            }
        } else {
            Target::Values(v)
        },
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("train_100k_x10");
    g.sample_size(10);
    let cls = synthetic(100_000, 10, true);
    let reg = synthetic(100_000, 10, false);
    for (name, algo, params, data) in [
        (
            "random_forest_20_trees_depth_10",
            "random_forest",
            json!({"n_trees": 20}),
            &cls,
        ),
        ("decision_tree_depth_10", "decision_tree", json!({}), &cls),
        (
            "logistic_regression",
            "logistic_regression",
            json!({}),
            &cls,
        ),
        ("ridge", "ridge", json!({}), &reg),
    ] {
        let task = if matches!(data.y, Target::Classes { .. }) {
            Task::Classification
        } else {
            Task::Regression
        };
        let p = Params::parse(algo, task, &params).unwrap();
        g.bench_function(name, |b| b.iter(|| mlobs_train::train(&p, data).unwrap()));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
