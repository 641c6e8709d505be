//! LIME and counterfactuals against their documented behaviour: LIME's local weights recover a
//! model that is locally what its interpretable representation says (a step at a quartile; a
//! linear model's coefficient × std), and counterfactuals are verified by re-predicting and by an
//! independent dense scan for smaller solutions.

use mlobs_explain::counterfactual::{counterfactual, what_if};
use mlobs_explain::lime::{explain, LimeOptions};
use mlobs_explain::linear::Linear;
use mlobs_explain::tree::{Ensemble, Node, Tree};
use mlobs_explain::{Link, Model, Output};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/models/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Deterministic pseudo-random training rows in [0, 100)^n.
fn training(rows: usize, n: usize) -> Vec<Vec<f64>> {
    let mut s = 12345u64;
    (0..rows)
        .map(|_| {
            (0..n)
                .map(|_| {
                    s = s
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (s >> 11) as f64 / (1u64 << 53) as f64 * 100.0
                })
                .collect()
        })
        .collect()
}

fn single_tree_model(n: usize, tree: Tree) -> Model {
    Model {
        n_features: n,
        feature_names: None,
        objective: "regression".into(),
        n_classes: 0,
        link: Link::Identity,
        float32: false,
        outputs: vec![Output::Trees(Ensemble::new(vec![tree], 0.0))],
        feature_means: None,
    }
}

#[test]
fn lime_recovers_a_step_at_a_quartile() {
    let train = training(400, 4);
    let mut col: Vec<f64> = train.iter().map(|r| r[0]).collect();
    col.sort_by(f64::total_cmp);
    let q75 = mlobs_core::binning::quantiles_linear(&col, &[0.75])[0];
    let tree = Tree {
        nodes: vec![
            Node::split(0, q75, 1, 2, 1.0),
            Node::leaf(0.0, 1.0),
            Node::leaf(1.0, 1.0),
        ],
    };
    tree.validate(4, "tree").unwrap();
    let model = single_tree_model(4, tree);
    let x = [q75 + 5.0, 10.0, 50.0, 90.0];
    let e = explain(&model, &x, &train, &LimeOptions::default()).unwrap();
    // The step is exactly "feature 0 in the row's (top) quartile": weight ≈ 1 (ridge shrinks it
    // slightly), the others ≈ 0, and the local model predicts the row.
    assert_eq!(e.weights[0].0, 0);
    assert!((e.weights[0].1 - 1.0).abs() < 0.01, "{e:?}");
    assert!(e.weights[1..].iter().all(|w| w.1.abs() < 0.01), "{e:?}");
    assert!((e.local_prediction - 1.0).abs() < 0.01 && e.score > 0.99);
    assert_eq!(e.prediction, 1.0);
    assert!(e.conditions[0].starts_with("1 > "), "{:?}", e.conditions);
    // Same seed, same explanation; another seed, another sample.
    assert_eq!(
        e,
        explain(&model, &x, &train, &LimeOptions::default()).unwrap()
    );
    let other = LimeOptions {
        seed: 7,
        ..LimeOptions::default()
    };
    assert_ne!(e, explain(&model, &x, &train, &other).unwrap());
}

#[test]
fn lime_without_discretisation_recovers_linear_coefficients() {
    let train = training(500, 3);
    let coef = [2.0, -1.0, 0.5];
    let model = Model {
        n_features: 3,
        feature_names: Some(vec!["a".into(), "b".into(), "c".into()]),
        objective: "regression".into(),
        n_classes: 0,
        link: Link::Identity,
        float32: false,
        outputs: vec![Output::Linear(Linear {
            coefficients: coef.to_vec(),
            intercept: 3.0,
        })],
        feature_means: None,
    };
    let options = LimeOptions {
        discretize: false,
        ..LimeOptions::default()
    };
    let e = explain(&model, &[20.0, 40.0, 60.0], &train, &options).unwrap();
    for (f, w) in &e.weights {
        let col: Vec<f64> = train.iter().map(|r| r[*f]).collect();
        let m = col.iter().sum::<f64>() / col.len() as f64;
        let sd = (col.iter().map(|v| (v - m).powi(2)).sum::<f64>() / col.len() as f64).sqrt();
        // Regressed on standardised features: weight = coefficient × std (ridge α = 1 shrinks
        // by far less than 1 %).
        assert!(
            (w - coef[*f] * sd).abs() < 0.01 * (coef[*f] * sd).abs(),
            "{f}: {w} vs {}",
            coef[*f] * sd
        );
    }
    assert!(e.score > 0.9999 && (e.local_prediction - e.prediction).abs() < 0.1);
    assert_eq!(e.conditions, ["a", "b", "c"]);
}

#[test]
fn lime_on_the_fraud_model_and_bad_input() {
    let model = mlobs_explain::decode("xgboost", &load("fraud_xgb.json")).unwrap();
    let train: Vec<Vec<f64>> = training(300, 6);
    let x = [120.0, 35.0, 23.0, 80.0, 4.0, 0.9];
    let e = explain(&model, &x, &train, &LimeOptions::default()).unwrap();
    assert_eq!(e.weights.len(), 6);
    assert_eq!(e.prediction, model.predict(&x, None).unwrap());
    assert!((0.0..=1.0).contains(&e.score));
    // num_features below the model's: forward selection keeps that many.
    let two = LimeOptions {
        num_features: 2,
        ..LimeOptions::default()
    };
    assert_eq!(explain(&model, &x, &train, &two).unwrap().weights.len(), 2);
    let mut nan = x;
    nan[3] = f64::NAN;
    let err = explain(&model, &nan, &train, &LimeOptions::default()).unwrap_err();
    assert!(err.message.starts_with("features[distance]"), "{err}");
    assert!(explain(&model, &x, &train[..1], &LimeOptions::default()).is_err());
    // A kernel width whose square underflows made every weight NaN, and the SVD panicked.
    for width in [1e-200, 1e-155, 1e160] {
        let tiny = LimeOptions {
            kernel_width: Some(width),
            ..LimeOptions::default()
        };
        let err = explain(&model, &x, &train, &tiny).unwrap_err();
        assert!(err.message.starts_with("kernel_width"), "{err}");
    }
    let ok = LimeOptions {
        kernel_width: Some(1e-150),
        ..LimeOptions::default()
    };
    assert!(explain(&model, &x, &train, &ok).is_ok());
    // Training values whose deviation overflows: the error names the training data, not a
    // feature of the (finite) row.
    let huge: Vec<Vec<f64>> = (0..50)
        .map(|i| {
            let mut r = train[i].clone();
            r[0] = if i % 2 == 0 { 1.7e308 } else { -1.7e308 };
            r
        })
        .collect();
    let plain = LimeOptions {
        discretize: false,
        ..LimeOptions::default()
    };
    let err = explain(&model, &x, &huge, &plain).unwrap_err();
    assert!(err.message.starts_with("training"), "{err}");
}

#[test]
fn counterfactuals_cross_the_target_minimally() {
    let model = mlobs_explain::decode("xgboost", &load("fraud_xgb.json")).unwrap();
    let expected = load("expected.json");
    let mut found = 0;
    for row in expected["models"]["fraud_xgb"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .take(20)
    {
        let x: Vec<f64> = row["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap_or(f64::NAN))
            .collect();
        let before = model.predict(&x, None).unwrap();
        let target = if before < 0.5 { 0.5 } else { 0.1 };
        let Some(cf) = counterfactual(&model, &x, target, 2, &[1], None).unwrap() else {
            continue;
        };
        found += 1;
        let mut changed = x.clone();
        for c in &cf.changes {
            assert_ne!(c.feature, 1, "age is immutable");
            changed[c.feature] = c.to;
        }
        let after = model.predict(&changed, None).unwrap();
        assert_eq!(after, cf.prediction_after);
        assert!(if before < target {
            after >= target
        } else {
            after < target
        });
        if cf.changes.len() == 2 {
            // No single feature could do it: scan a dense grid independently.
            for f in [0usize, 2, 3, 4, 5] {
                for i in 0..=4000 {
                    let mut y = x.clone();
                    y[f] = -10.0 + i as f64 * 0.05 * (1.0 + f as f64 * 10.0);
                    let p = model.predict(&y, None).unwrap();
                    assert!(
                        !(if before < target {
                            p >= target
                        } else {
                            p < target
                        })
                    );
                }
            }
        }
        assert_eq!(
            Some(cf.clone()),
            counterfactual(&model, &x, target, 2, &[1], None).unwrap()
        );
    }
    assert!(found >= 10, "only {found} counterfactuals found");
    // Unreachable targets give None.
    let x = [50.0, 40.0, 12.0, 10.0, 5.0, 0.5];
    assert_eq!(counterfactual(&model, &x, 2.0, 2, &[], None).unwrap(), None);
}

#[test]
fn a_missing_feature_the_model_never_splits_on_is_no_candidate() {
    // price_lgbm never splits on score_ext (feature 5): a row without it used to get the
    // candidate +Infinity for it, which predict rejects, so the whole search failed.
    let model = mlobs_explain::decode("lightgbm", &load("price_lgbm.json")).unwrap();
    let x = [120.0, 35.0, 23.0, 8.0, 4.0, f64::NAN];
    let before = model.predict(&x, None).unwrap();
    let cf = counterfactual(&model, &x, before + 50.0, 2, &[], None)
        .unwrap()
        .expect("a counterfactual through the features the model uses");
    assert!(cf
        .changes
        .iter()
        .all(|c| c.feature != 5 && c.to.is_finite()));
}

#[test]
fn what_if_reports_prediction_and_shap_deltas() {
    let model = mlobs_explain::decode("lightgbm", &load("price_lgbm.json")).unwrap();
    let x = [50.0, 40.0, 12.0, 10.0, 5.0, 0.5];
    let w = what_if(&model, &x, &[(0, 500.0)], None).unwrap();
    let mut y = x;
    y[0] = 500.0;
    assert_eq!(w.prediction_after, model.predict(&y, None).unwrap());
    // SHAP deltas add up to the change in margin (identity link).
    let total: f64 = w.shap_delta.iter().sum();
    assert!((total - (w.prediction_after - w.prediction_before)).abs() < 1e-9);
}

#[test]
fn a_linear_output_that_overflows_is_an_error() {
    // Finite features near float8's limits: 2·1e308 − 2·1e308 was NaN, returned as a prediction.
    let body = serde_json::json!({"coefficients": [[2, 2]], "intercept": [0], "link": "identity"});
    let model = mlobs_explain::decode("linear", &body).unwrap();
    let x = [1e308, -1e308];
    for r in [model.predict(&x, None), model.margin(&x, None)] {
        assert!(r.unwrap_err().message.contains("overflows float8"));
    }
    assert!(model.predict_proba(&x).is_err());
    assert!(model
        .shap_interventional(&x, &[vec![0.0, 0.0]], None)
        .is_err());
    assert_eq!(model.predict(&[1.0, 2.0], None).unwrap(), 6.0);
    let logistic =
        serde_json::json!({"coefficients": [[1, 2]], "intercept": [0], "link": "logistic"});
    let model = mlobs_explain::decode("linear", &logistic).unwrap();
    assert!(model.predict_proba(&[1e308, 1e308]).is_err());
    assert!(model.predict_proba(&[1.0, 1.0]).is_ok());
}
