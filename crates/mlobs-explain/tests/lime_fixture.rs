//! LIME against the lime package (0.2.0.1, tests/fixtures/generate_lime.py → models/lime.json).
//! lime's random samples come from numpy's stream, which mlobs does not reproduce; the fixture
//! records them, so everything downstream of the sampling is checked exactly: the quartile
//! discretiser's statistics, the bin names, the kernel weights, the feature selection (highest
//! weights and forward selection) and the weighted ridge (intercept, weights, score, local
//! prediction), for the discretised and the continuous mode.

use mlobs_explain::lime::{explain, fit_local, quartile_bins, LimeOptions};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/models/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(numbers).collect()
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol * (1.0 + b.abs()),
        "{what}: mlobs {a} vs lime {b}"
    );
}

#[test]
fn discretiser_matches_lime() {
    let f = load("lime.json");
    let training = matrix(&f["training"]);
    let d = &f["explainer_discretized"];
    for j in 0..6 {
        let column: Vec<f64> = training.iter().map(|r| r[j]).collect();
        let b = quartile_bins(&column);
        let (q, mean, std, lo, hi) = (b.quartiles, b.means, b.stds, b.mins, b.maxs);
        for (ours, key) in [
            (&q, "quartiles"),
            (&mean, "bin_means"),
            (&std, "bin_stds"),
            (&lo, "bin_mins"),
            (&hi, "bin_maxs"),
        ] {
            let theirs = numbers(&d[key][j]);
            assert_eq!(ours.len(), theirs.len(), "{key}[{j}]");
            for (a, b) in ours.iter().zip(&theirs) {
                close(*a, *b, 1e-12, &format!("{key}[{j}]"));
            }
        }
    }
}

#[test]
fn local_fit_matches_lime_on_its_samples() {
    let f = load("lime.json");
    for (run, width) in [
        (
            "discretized_k10",
            &f["explainer_discretized"]["kernel_width"],
        ),
        (
            "discretized_k3",
            &f["explainer_discretized"]["kernel_width"],
        ),
        ("continuous_k10", &f["explainer_continuous"]["kernel_width"]),
    ] {
        let r = &f["runs"][run];
        // The representation lime regresses on: the binary matrix, or the standardised samples.
        let data = matrix(if r["scaled_data"].is_array() {
            &r["scaled_data"]
        } else {
            &r["data"]
        });
        let y = numbers(&r["yss_1"]);
        let k = r["num_features"].as_u64().unwrap() as usize;
        let fit = fit_local(&data, &y, width.as_f64().unwrap(), k).unwrap();
        close(
            fit.intercept,
            r["intercept"].as_f64().unwrap(),
            1e-9,
            &format!("{run} intercept"),
        );
        close(
            fit.score,
            r["score"].as_f64().unwrap(),
            1e-9,
            &format!("{run} score"),
        );
        close(
            fit.local_prediction,
            r["local_pred"].as_f64().unwrap(),
            1e-9,
            &format!("{run} local_pred"),
        );
        let theirs = r["local_exp"].as_array().unwrap();
        assert_eq!(fit.weights.len(), theirs.len(), "{run}: features used");
        for ((f_ours, w_ours), t) in fit.weights.iter().zip(theirs) {
            assert_eq!(
                *f_ours as u64,
                t[0].as_u64().unwrap(),
                "{run}: feature order"
            );
            close(
                *w_ours,
                t[1].as_f64().unwrap(),
                1e-9,
                &format!("{run} weight {f_ours}"),
            );
        }
    }
}

#[test]
fn bin_names_and_prediction_match_lime() {
    let f = load("lime.json");
    let model = mlobs_explain::decode("xgboost", &load("fraud_xgb.json")).unwrap();
    let training = matrix(&f["training"]);
    let x = numbers(&f["instance"]);
    let e = explain(&model, &x, &training, &LimeOptions::default()).unwrap();
    assert_eq!(e.prediction, f["instance_prediction"][1].as_f64().unwrap());
    let mut ours = e.conditions.clone();
    ours.sort();
    let mut theirs: Vec<String> = f["runs"]["discretized_k10"]["as_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap().to_string())
        .collect();
    theirs.sort();
    assert_eq!(ours, theirs);
}
