//! Properties of training on arbitrary small datasets: it returns a model or an error, never
//! panics; a returned model decodes, gives probabilities that sum to 1, SHAP values additive to
//! the margin, the training median for a missing value; the same seed gives the same model.
use mlobs_train::{Dataset, Params, Target, Task};
use proptest::prelude::*;
use serde_json::json;

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -100.0..100.0f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(1e300),
    ]
}

fn dataset() -> impl Strategy<Value = (Dataset, bool)> {
    (1usize..4, 12usize..60, any::<bool>()).prop_flat_map(|(p, n, classify)| {
        (
            proptest::collection::vec(value(), n * p),
            proptest::collection::vec(0u32..3, n),
            proptest::collection::vec(-50.0..50.0f64, n),
        )
            .prop_map(move |(x, index, values)| {
                let data = Dataset {
                    n_features: p,
                    feature_names: (0..p).map(|i| format!("f{i}")).collect(),
                    x,
                    y: if classify {
                        Target::Classes {
                            index,
                            labels: vec!["a".into(), "b".into(), "c".into()],
                        }
                    } else {
                        Target::Values(values)
                    },
                };
                (data, classify)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn trains_or_refuses((data, classify) in dataset(), algo in 0usize..5, seed in 0u64..4) {
        let algorithm = ["random_forest", "decision_tree", "logistic_regression", "linear_regression", "ridge"][algo];
        let task = if classify { Task::Classification } else { Task::Regression };
        let params = json!({"n_trees": 3, "max_depth": 4, "seed": seed});
        let params = match Params::parse(algorithm, task, &if algo == 0 { params } else { json!({"seed": seed}) }) {
            Ok(p) => p,
            Err(_) => return Ok(()),
        };
        let Ok(trained) = mlobs_train::train(&params, &data) else { return Ok(()) };
        let again = mlobs_train::train(&params, &data).unwrap();
        prop_assert_eq!(&trained.body, &again.body);
        let model = mlobs_explain::decode(trained.format, &trained.body).unwrap();
        let row = vec![0.25; data.n_features];
        if model.is_classifier() {
            let proba = model.predict_proba(&row).unwrap();
            prop_assert!((proba.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{:?}", proba);
            prop_assert!(proba.iter().all(|p| (0.0..=1.0).contains(p)));
        }
        let class = model.is_classifier().then_some(0);
        let phi: f64 = model.shap(&row, class).unwrap().iter().sum();
        let margin = model.margin(&row, class).unwrap();
        let base = model.shap_base_value(class).unwrap();
        prop_assert!((base + phi - margin).abs() < 1e-6 * (1.0 + margin.abs()), "{} + {} != {}", base, phi, margin);
        if params.algorithm.is_tree() {
            let median = trained.metadata["imputation"]["median"][0].as_f64().unwrap();
            let mut missing = row.clone();
            missing[0] = f64::NAN;
            let mut at_median = row.clone();
            at_median[0] = median;
            prop_assert_eq!(model.predict(&missing, class).unwrap(), model.predict(&at_median, class).unwrap());
        }
    }
}
