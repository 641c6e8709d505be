#![no_main]
//! The training entry (crates/mlobs-train) on arbitrary small datasets and parameters: it must
//! return a model or an error, never panic, and a model it returns must decode and serve
//! predictions and SHAP values.

use libfuzzer_sys::fuzz_target;
use mlobs_train::{Dataset, Params, Target, Task};

const ALGORITHMS: [&str; 6] = [
    "random_forest",
    "decision_tree",
    "logistic_regression",
    "linear_regression",
    "ridge",
    "svm",
];

/// Values a byte stands for, including the awkward ones.
fn value(b: u8) -> f64 {
    match b {
        250 => f64::NAN,
        251 => f64::INFINITY,
        252 => f64::NEG_INFINITY,
        253 => 1e300,
        254 => -1e300,
        255 => f64::MIN_POSITIVE,
        _ => (b as f64 - 125.0) / 7.0,
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let algorithm = ALGORITHMS[data[0] as usize % ALGORITHMS.len()];
    let p = 1 + data[1] as usize % 4;
    let classify = data[2] % 2 == 0;
    // The params: a JSON text from the input when it parses, else small numeric settings.
    let split = 3 + data[3] as usize % 40;
    let (head, rest) = data.split_at(split.min(data.len()));
    let params = serde_json::from_slice::<serde_json::Value>(&head[4.min(head.len())..])
        .unwrap_or_else(|_| {
            serde_json::json!({"n_trees": 1 + data[3] % 4, "max_depth": 1 + data[2] % 8, "seed": data[1]})
        });
    let task = if classify {
        Task::Classification
    } else {
        Task::Regression
    };
    let Ok(params) = Params::parse(algorithm, task, &params) else {
        return;
    };
    let rows = rest.len() / (p + 1);
    if rows == 0 || rows > 300 {
        return;
    }
    let mut x = Vec::with_capacity(rows * p);
    let mut index = Vec::with_capacity(rows);
    let mut values = Vec::with_capacity(rows);
    for r in rest.chunks_exact(p + 1).take(rows) {
        x.extend(r[..p].iter().map(|b| value(*b)));
        index.push(u32::from(r[p] % 3));
        values.push(value(r[p]));
    }
    let data = Dataset {
        n_features: p,
        feature_names: (0..p).map(|i| format!("f{i}")).collect(),
        x,
        y: if params.task == Task::Classification {
            Target::Classes {
                index,
                labels: vec!["a".into(), "b".into(), "c".into()],
            }
        } else {
            Target::Values(values)
        },
    };
    if let Ok(trained) = mlobs_train::train(&params, &data) {
        let model =
            mlobs_explain::decode(trained.format, &trained.body).expect("a trained model decodes");
        let row = vec![0.5; p];
        let class = model.is_classifier().then_some(0);
        model.predict(&row, class).expect("predicts");
        model.shap(&row, class).expect("explains");
    }
});
