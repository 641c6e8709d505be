//! Scores a model on labelled rows: the holdout metrics stored with a trained version, and the
//! per-row outcomes `compare_models` pairs between two versions.
//!
//! Definitions follow scikit-learn: accuracy; log_loss with probabilities clipped to
//! [1e-15, 1 − 1e-15]; roc_auc (binary: the last class is positive; multiclass: macro one-vs-rest);
//! f1 of the positive class (binary); rmse, mae and r2 for regression.

use mlobs_core::metrics::ranking::roc_auc_sorted;
use mlobs_explain::Model;
use serde_json::{json, Value};

/// One scored row: the true class index or value, and the model's probabilities or prediction.
#[derive(Debug, Clone, PartialEq)]
pub enum Scored {
    Class { label: usize, proba: Vec<f64> },
    Value { label: f64, prediction: f64 },
}

impl Scored {
    /// Whether the predicted class (highest probability, first on ties) is right.
    pub fn correct(&self) -> Option<bool> {
        match self {
            Scored::Class { label, proba } => Some(argmax(proba) == *label),
            Scored::Value { .. } => None,
        }
    }
    /// Squared error (regression).
    pub fn squared_error(&self) -> Option<f64> {
        match self {
            Scored::Value { label, prediction } => Some((label - prediction).powi(2)),
            Scored::Class { .. } => None,
        }
    }
}

fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in p.iter().enumerate() {
        if *v > p[best] {
            best = i;
        }
    }
    best
}

/// Scores one row with `model`: None when the model cannot take it (a linear model and a
/// missing value).
pub fn score(model: &Model, x: &[f64], label: Result<usize, f64>) -> Option<Scored> {
    if model.check_row(x, "features").is_err() {
        return None;
    }
    match label {
        Ok(class) => {
            let mut proba = model.predict_proba(x).ok()?;
            if proba.len() == 1 {
                proba = vec![1.0 - proba[0], proba[0]];
            }
            Some(Scored::Class {
                label: class,
                proba,
            })
        }
        Err(value) => Some(Scored::Value {
            label: value,
            prediction: model.predict(x, None).ok()?,
        }),
    }
}

/// AUC of one class against the rest; None when either side is empty.
pub fn auc_of_class(rows: &[Scored], class: usize) -> Option<f64> {
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    for r in rows {
        if let Scored::Class { label, proba } = r {
            let s = proba.get(class).copied().unwrap_or(0.0);
            if *label == class {
                pos.push(s)
            } else {
                neg.push(s)
            }
        }
    }
    pos.sort_by(f64::total_cmp);
    neg.sort_by(f64::total_cmp);
    roc_auc_sorted(&pos, &neg)
}

/// The metrics of scored rows as a jsonb object (`rows` included; empty input gives nulls).
pub fn metrics(rows: &[Scored], n_classes: usize) -> Value {
    let n = rows.len() as f64;
    if rows.is_empty() {
        return json!({"rows": 0});
    }
    match &rows[0] {
        Scored::Class { .. } => {
            let acc = rows.iter().filter(|r| r.correct() == Some(true)).count() as f64 / n;
            let eps = 1e-15;
            let log_loss = rows
                .iter()
                .map(|r| match r {
                    Scored::Class { label, proba } => -proba
                        .get(*label)
                        .copied()
                        .unwrap_or(0.0)
                        .clamp(eps, 1.0 - eps)
                        .ln(),
                    Scored::Value { .. } => 0.0,
                })
                .sum::<f64>()
                / n;
            let auc = if n_classes == 2 {
                auc_of_class(rows, 1)
            } else {
                let per: Vec<Option<f64>> = (0..n_classes).map(|c| auc_of_class(rows, c)).collect();
                per.iter()
                    .all(Option::is_some)
                    .then(|| per.iter().flatten().sum::<f64>() / n_classes as f64)
            };
            let mut m =
                json!({"rows": rows.len(), "accuracy": acc, "log_loss": log_loss, "roc_auc": auc});
            if n_classes == 2 {
                let (mut tp, mut fp, mut fneg) = (0.0, 0.0, 0.0);
                for r in rows {
                    if let Scored::Class { label, proba } = r {
                        match (argmax(proba) == 1, *label == 1) {
                            (true, true) => tp += 1.0,
                            (true, false) => fp += 1.0,
                            (false, true) => fneg += 1.0,
                            _ => {}
                        }
                    }
                }
                let f1 = if tp + fp + fneg > 0.0 {
                    2.0 * tp / (2.0 * tp + fp + fneg)
                } else {
                    0.0
                };
                m["f1"] = json!(f1);
            }
            m
        }
        Scored::Value { .. } => {
            let pairs: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|r| match r {
                    Scored::Value { label, prediction } => Some((*label, *prediction)),
                    Scored::Class { .. } => None,
                })
                .collect();
            let mse = pairs.iter().map(|(y, p)| (y - p).powi(2)).sum::<f64>() / n;
            let mae = pairs.iter().map(|(y, p)| (y - p).abs()).sum::<f64>() / n;
            let mean = pairs.iter().map(|(y, _)| y).sum::<f64>() / n;
            let tss = pairs.iter().map(|(y, _)| (y - mean).powi(2)).sum::<f64>();
            let rss = mse * n;
            // sklearn's r2_score: 1 when both are 0, 0 when only the total is 0.
            let r2 = if tss > 0.0 {
                1.0 - rss / tss
            } else if rss == 0.0 {
                1.0
            } else {
                0.0
            };
            json!({"rows": rows.len(), "rmse": mse.sqrt(), "mae": mae, "r2": r2})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_metrics() {
        let rows = vec![
            Scored::Class {
                label: 1,
                proba: vec![0.2, 0.8],
            },
            Scored::Class {
                label: 0,
                proba: vec![0.6, 0.4],
            },
            Scored::Class {
                label: 1,
                proba: vec![0.7, 0.3],
            },
            Scored::Class {
                label: 0,
                proba: vec![0.9, 0.1],
            },
        ];
        let m = metrics(&rows, 2);
        assert_eq!(m["accuracy"], json!(0.75));
        assert_eq!(m["roc_auc"], json!(0.75));
        assert!((m["f1"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-15);
        let ll = -(0.8f64.ln() + 0.6f64.ln() + 0.3f64.ln() + 0.9f64.ln()) / 4.0;
        assert!((m["log_loss"].as_f64().unwrap() - ll).abs() < 1e-15);
    }

    #[test]
    fn regression_metrics() {
        let rows = vec![
            Scored::Value {
                label: 1.0,
                prediction: 2.0,
            },
            Scored::Value {
                label: 3.0,
                prediction: 3.0,
            },
        ];
        let m = metrics(&rows, 0);
        assert_eq!(m["mae"], json!(0.5));
        assert_eq!(m["r2"], json!(0.5));
    }
}
