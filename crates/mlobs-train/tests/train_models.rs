//! Trained models decode in the registry's formats, predict what was learned, are deterministic
//! for a seed, and refuse bad data with errors naming the problem.
use mlobs_train::{Dataset, Params, Target, Task};
use serde_json::json;

fn rows(n: usize, seed: u64) -> (Vec<f64>, Vec<u32>, Vec<f64>) {
    let mut state = seed;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / (1u64 << 53) as f64
    };
    let (mut x, mut y, mut v) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let a = next() * 4.0 - 2.0;
        let b = next() * 4.0 - 2.0;
        let c = next();
        let s = 1.5 * a - b + 0.2 * (next() - 0.5);
        x.extend([a, b, c]);
        y.push(u32::from(s > 0.0));
        v.push(3.0 * a - 2.0 * b + 1.0 + 0.1 * (next() - 0.5));
    }
    (x, y, v)
}

fn dataset(n: usize, classify: bool) -> Dataset {
    let (x, y, v) = rows(n, 7);
    Dataset {
        n_features: 3,
        feature_names: vec!["a".into(), "b".into(), "c".into()],
        x,
        y: if classify {
            Target::Classes {
                index: y,
                labels: vec!["false".into(), "true".into()],
            }
        } else {
            Target::Values(v)
        },
    }
}

fn trained(algo: &str, params: serde_json::Value, data: &Dataset) -> mlobs_train::Trained {
    let task = if matches!(data.y, Target::Classes { .. }) {
        Task::Classification
    } else {
        Task::Regression
    };
    mlobs_train::train(&Params::parse(algo, task, &params).unwrap(), data).unwrap()
}

#[test]
fn every_algorithm_learns_and_decodes() {
    let cls = dataset(600, true);
    let reg = dataset(600, false);
    for (algo, data, metric, bound) in [
        ("random_forest", &cls, "accuracy", 0.9),
        ("decision_tree", &cls, "accuracy", 0.85),
        ("logistic_regression", &cls, "accuracy", 0.95),
        ("random_forest", &reg, "r2", 0.9),
        ("decision_tree", &reg, "r2", 0.85),
        ("linear_regression", &reg, "r2", 0.99),
        ("ridge", &reg, "r2", 0.99),
    ] {
        let params = if algo == "random_forest" {
            json!({"n_trees": 20})
        } else {
            json!({})
        };
        let t = trained(algo, params, data);
        let m = mlobs_explain::decode(t.format, &t.body).unwrap();
        assert_eq!(m.n_features, 3);
        let got = t.metadata["holdout_metrics"][metric].as_f64().unwrap();
        assert!(got > bound, "{algo} {metric} {got}: {}", t.metadata);
        assert_eq!(t.metadata["holdout_rows"], json!(120));
        // SHAP is additive on the served model.
        let x = [0.5, -0.25, 0.3];
        let class = matches!(data.y, Target::Classes { .. }).then_some(1);
        let phi: f64 = m.shap(&x, class).unwrap().iter().sum();
        let base = m.shap_base_value(class).unwrap();
        let margin = m.margin(&x, class).unwrap();
        assert!(
            (base + phi - margin).abs() < 1e-9,
            "{algo}: {base} + {phi} != {margin}"
        );
    }
}

#[test]
fn deterministic_for_a_seed() {
    let cls = dataset(300, true);
    let a = trained("random_forest", json!({"n_trees": 5, "seed": 3}), &cls);
    let b = trained("random_forest", json!({"n_trees": 5, "seed": 3}), &cls);
    let c = trained("random_forest", json!({"n_trees": 5, "seed": 4}), &cls);
    assert_eq!(a.body, b.body);
    assert_ne!(a.body, c.body);
}

#[test]
fn logistic_matches_the_closed_form_optimum_direction() {
    // Unpenalised fit on separable-ish data: the decision boundary 1.5a − b = 0 is recovered.
    let cls = dataset(2000, true);
    let t = trained("logistic_regression", json!({"alpha": 0.0}), &cls);
    let w = t.body["coefficients"][0].as_array().unwrap();
    let ratio = w[1].as_f64().unwrap() / w[0].as_f64().unwrap();
    assert!((ratio + 1.0 / 1.5).abs() < 0.05, "{ratio}");
}

#[test]
fn missing_values_follow_the_median() {
    let mut cls = dataset(400, true);
    for i in (0..400).step_by(7) {
        cls.x[i * 3] = f64::NAN;
    }
    cls.x[5] = f64::INFINITY;
    let t = trained("random_forest", json!({"n_trees": 10}), &cls);
    assert!(t.metadata["missing_values"]["a"].as_u64().unwrap() > 40);
    let m = mlobs_explain::decode(t.format, &t.body).unwrap();
    let median = t.metadata["imputation"]["median"][0].as_f64().unwrap();
    let p_missing = m.predict(&[f64::NAN, 0.3, 0.5], Some(1)).unwrap();
    let p_median = m.predict(&[median, 0.3, 0.5], Some(1)).unwrap();
    assert_eq!(p_missing, p_median);
    // Linear models leave incomplete rows out.
    let t = trained("logistic_regression", json!({}), &cls);
    assert!(
        t.metadata["fitted_rows"].as_u64().unwrap() < t.metadata["train_rows"].as_u64().unwrap()
    );
}

#[test]
fn refusals_name_the_problem() {
    let task = Task::Classification;
    let mut one_class = dataset(50, true);
    if let Target::Classes { index, .. } = &mut one_class.y {
        index.iter_mut().for_each(|c| *c = 1);
    }
    let p = Params::parse("random_forest", task, &json!({})).unwrap();
    let e = mlobs_train::train(&p, &one_class).unwrap_err();
    assert!(e.message.contains("1 class"), "{}", e.message);
    let e = mlobs_train::train(&p, &dataset(8, true)).unwrap_err();
    assert!(e.message.contains("too few rows"), "{}", e.message);
    let mut constant = dataset(50, true);
    (0..50).for_each(|i| constant.x[i * 3 + 2] = 4.0);
    let e = mlobs_train::train(&p, &constant).unwrap_err();
    assert!(
        e.message.contains("feature \"c\" is constant"),
        "{}",
        e.message
    );
    let p = Params::parse(
        "random_forest",
        task,
        &json!({"n_trees": 1000, "max_depth": 60, "min_samples_leaf": 1}),
    )
    .unwrap();
    let big = dataset(20, true);
    assert!(mlobs_train::train(&p, &big).is_ok());
}
