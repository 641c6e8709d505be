//! LIME checks for interrupts while it draws samples and fits its local models, not only while
//! it predicts them (1M samples ran 10 s past a cancel). Its own test binary: the check is
//! registered once per process.

use mlobs_explain::lime::{explain, LimeOptions};
use std::sync::atomic::{AtomicUsize, Ordering};

static CALLS: AtomicUsize = AtomicUsize::new(0);

fn count() {
    CALLS.fetch_add(1, Ordering::Relaxed);
}

#[test]
fn lime_checks_while_sampling_and_fitting() {
    mlobs_core::interrupt::set_check(count);
    let body =
        serde_json::json!({"coefficients": [[1, 2, 3]], "intercept": [0], "link": "identity"});
    let model = mlobs_explain::decode("linear", &body).unwrap();
    let training: Vec<Vec<f64>> = (0..200)
        .map(|i| vec![i as f64, (i % 7) as f64, (i % 13) as f64])
        .collect();
    let options = LimeOptions {
        num_samples: 20_480,
        num_features: 2,
        discretize: false,
        ..LimeOptions::default()
    };
    let before = CALLS.load(Ordering::Relaxed);
    explain(&model, &[5.0, 3.0, 1.0], &training, &options).unwrap();
    let calls = CALLS.load(Ordering::Relaxed) - before;
    // Predicting the samples alone checks 20 times; drawing them and the six ridge fits of the
    // forward selection and the final fit add 20 each.
    assert!(calls >= 100, "{calls} checks");
}
