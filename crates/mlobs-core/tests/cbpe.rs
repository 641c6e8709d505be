//! CBPE on synthetic data with covariate shift only: P(y | x) is fixed, the distribution of x
//! moves between windows. The model's scores are monotone in x but miscalibrated, so the
//! isotonic map fitted on the labelled reference is what makes the estimate right. The estimated
//! accuracy, precision, recall, F1 and ROC AUC must track the realized ones across windows whose
//! realized metrics differ far more than the estimation error.

use mlobs_core::metrics::calibration::{expected_roc_auc, CalibrationMap};
use mlobs_core::metrics::confusion::{Average, Confusion};
use mlobs_core::metrics::label::Label;
use mlobs_core::metrics::ranking::RankSample;

struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// (model score, true label) rows with x ~ N(mean, 1).
fn window(rng: &mut Rng, mean: f64, n: usize) -> Vec<(f64, bool)> {
    (0..n)
        .map(|_| {
            let x = mean + rng.normal();
            let y = rng.uniform() < sigmoid(1.5 * x - 0.3);
            // Overconfident and shifted: monotone in x, not calibrated.
            let score = sigmoid(3.0 * x + 0.4);
            (score, y)
        })
        .collect()
}

struct Metrics {
    accuracy: f64,
    precision: f64,
    recall: f64,
    f1: f64,
    auc: f64,
}

fn metrics(c: &Confusion, auc: f64) -> Metrics {
    let b = Average::Binary;
    Metrics {
        accuracy: c.accuracy().unwrap(),
        precision: c.precision(b, None).unwrap().unwrap(),
        recall: c.recall(b, None).unwrap().unwrap(),
        f1: c.f1(b, None).unwrap().unwrap(),
        auc,
    }
}

#[test]
fn estimate_tracks_realized_performance_under_covariate_shift() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let reference = window(&mut rng, 0.0, 50_000);
    let rows = reference
        .iter()
        .map(|&(s, y)| (s, y as u8 as f64, 1.0))
        .collect();
    let map = CalibrationMap::fit(rows).unwrap().unwrap();

    let mut realized_acc = Vec::new();
    for mean in [-1.0, -0.5, 0.0, 0.5, 1.0] {
        let rows = window(&mut rng, mean, 50_000);
        let (mut est, mut real, mut exact) = (
            Confusion::default(),
            Confusion::default(),
            RankSample::default(),
        );
        let mut calibrated = Vec::new();
        for &(score, y) in &rows {
            let predicted = score >= 0.5;
            let p = map.predict(score).unwrap();
            calibrated.push(p);
            est.add_expected(p, predicted).unwrap();
            real.add(Label::Int(y as i64), Label::Int(predicted as i64), 1.0)
                .unwrap();
            exact.add(score, y).unwrap();
        }
        let e = metrics(&est, expected_roc_auc(&mut calibrated).unwrap());
        let r = metrics(&real, exact.roc_auc().unwrap());
        for (name, a, b) in [
            ("accuracy", e.accuracy, r.accuracy),
            ("precision", e.precision, r.precision),
            ("recall", e.recall, r.recall),
            ("f1", e.f1, r.f1),
            ("roc_auc", e.auc, r.auc),
        ] {
            assert!(
                (a - b).abs() < 0.015,
                "shift {mean}: estimated {name} {a:.4} vs realized {b:.4}"
            );
        }
        eprintln!(
            "shift {mean:+.1}: acc {:.4}/{:.4} f1 {:.4}/{:.4} auc {:.4}/{:.4}",
            e.accuracy, r.accuracy, e.f1, r.f1, e.auc, r.auc
        );
        realized_acc.push(r.accuracy);
    }
    // The shift moves the realized metric by much more than the estimation error.
    let spread = realized_acc.iter().cloned().fold(f64::MIN, f64::max)
        - realized_acc.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread > 0.05, "realized accuracy spread {spread}");
}

#[test]
fn uncalibrated_scores_would_be_wrong() {
    // Guards the test above: without the map, the raw scores misestimate accuracy badly.
    let mut rng = Rng(7);
    let rows = window(&mut rng, 1.0, 50_000);
    let (mut raw, mut real) = (Confusion::default(), Confusion::default());
    for &(score, y) in &rows {
        raw.add_expected(score, score >= 0.5).unwrap();
        real.add(Label::Int(y as i64), Label::Int((score >= 0.5) as i64), 1.0)
            .unwrap();
    }
    assert!((raw.accuracy().unwrap() - real.accuracy().unwrap()).abs() > 0.05);
}
