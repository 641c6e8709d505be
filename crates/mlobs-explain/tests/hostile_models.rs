//! Models and calls built to exhaust a backend's memory or overflow float8, from the review of
//! 2026-12-07: each is refused with a clear error before the memory is taken.

use mlobs_explain::counterfactual::what_if;
use mlobs_explain::importance::ImportanceState;
use mlobs_explain::lime::{explain, LimeOptions};
use serde_json::json;

#[test]
fn a_classifier_of_many_classes_is_refused_before_its_trees_are_repeated_per_class() {
    // 401 nodes × 10 000 classes: 4 010 000 decoded nodes, refused at the tree's first array,
    // before its values are read (the JSON stays small).
    let tree = json!({"children_left": vec![-1; 401]});
    let body = json!({"n_features": 1, "kind": "classifier", "n_classes": 10000, "trees": [tree]});
    let err = mlobs_explain::decode("sklearn", &body).unwrap_err();
    assert!(err.to_string().contains("more than 4000000 nodes"), "{err}");
}

#[test]
fn lime_refuses_a_local_model_beyond_its_memory_bound() {
    let n = 12_000;
    let body = json!({"coefficients": [vec![0.001; n]], "intercept": [0], "link": "identity"});
    let model = mlobs_explain::decode("linear", &body).unwrap();
    let x = vec![1.0; n];
    let training = vec![vec![0.0; n], vec![2.0; n]];
    let err = explain(&model, &x, &training, &LimeOptions::default()).unwrap_err();
    assert!(err.to_string().contains("num_samples"), "{err}");
    // Fewer samples of fewer features fit.
    let small = json!({"coefficients": [[1.0, 2.0]], "intercept": [0], "link": "identity"});
    let model = mlobs_explain::decode("linear", &small).unwrap();
    let training = vec![vec![0.0, 1.0], vec![2.0, 3.0], vec![1.0, 0.5]];
    assert!(explain(&model, &[1.0, 1.0], &training, &LimeOptions::default()).is_ok());
}

#[test]
fn what_if_whose_change_overflows_is_an_error() {
    let body = json!({"coefficients": [[1.0, 1.0]], "intercept": [0], "link": "identity"});
    let model = mlobs_explain::decode("linear", &body).unwrap();
    let err = what_if(&model, &[1.5e308, 1.0], &[(0, -1.5e308)], None).unwrap_err();
    assert!(err.to_string().contains("overflows float8"), "{err}");
    assert!(what_if(&model, &[1.0, 1.0], &[(0, 2.0)], None).is_ok());
}

#[test]
fn shap_importance_whose_sum_overflows_is_an_error() {
    let mut s = ImportanceState::new("m", vec!["a".into(), "b".into()]);
    s.add(&[1.5e308, 1.0]).unwrap();
    let err = s.add(&[1.5e308, 1.0]).unwrap_err();
    assert!(err.to_string().contains("feature a"), "{err}");
}

#[test]
fn a_root_of_cover_zero_is_refused() {
    // An XGBoost export whose sum_hessian are all 0 registered, and its SHAP base value was NaN
    // (leaves weighed by cover / root cover): the attributions no longer added up to the margin.
    use mlobs_explain::tree::{Node, Tree};
    let zero = Tree {
        nodes: vec![
            Node::split(0, 0.5, 1, 2, 0.0),
            Node::leaf(1.0, 0.0),
            Node::leaf(2.0, 0.0),
        ],
    };
    let err = zero.validate(1, "model.trees[0]").unwrap_err();
    assert!(err.to_string().contains("cover"), "{err}");
    let ok = Tree {
        nodes: vec![
            Node::split(0, 0.5, 1, 2, 2.0),
            Node::leaf(1.0, 1.0),
            Node::leaf(2.0, 1.0),
        ],
    };
    assert!(ok.validate(1, "model.trees[0]").is_ok());
}
