//! PCA reconstruction error against scikit-learn 1.7.2 (tests/fixtures/generate_multivariate.py).

mod common;
use common::{fixture, rows};
use mlobs_core::drift::multivariate::fit;

#[test]
fn reconstruction_error_matches_sklearn() {
    let fx = fixture("multivariate.json");
    for case in fx["pca"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let reference = rows(&case["reference"]);
        let model = fit(&reference, case["share"].as_f64().unwrap()).unwrap();
        assert_eq!(
            model.components() as u64,
            case["components"].as_u64().unwrap(),
            "{name}: components"
        );
        let close = |got: f64, want: f64, what: &str| {
            assert!(
                (got - want).abs() <= 1e-9 * want.abs(),
                "{name} {what}: {got} vs {want}"
            );
        };
        close(
            model.mean_error(&reference).unwrap(),
            case["reference_error"].as_f64().unwrap(),
            "reference",
        );
        for (i, (cur, want)) in case["current"]
            .as_array()
            .unwrap()
            .iter()
            .zip(case["current_error"].as_array().unwrap())
            .enumerate()
        {
            close(
                model.mean_error(&rows(cur)).unwrap(),
                want.as_f64().unwrap(),
                &format!("current {i}"),
            );
        }
    }
}
