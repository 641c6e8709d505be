//! Probabilistic losses as scikit-learn 1.7 defines them, accumulated as mergeable sums:
//! log loss (probabilities clipped to [ε, 1−ε] with ε = f64::EPSILON, rows not renormalised)
//! and the Brier score (binary: (y − p)²; multiclass: Σ_k (1[y=k] − p_k)², range [0, 2]).

use super::probability;
use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLls";
const VERSION: u8 = 1;
/// Classes of a probability array.
pub const MAX_CLASSES: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LossKind {
    LogLoss,
    Brier,
}

/// Running mean of a per-row loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeanLoss {
    pub kind: LossKind,
    /// 0 for a scalar P(y = 1); the array length for class probabilities.
    pub classes: u32,
    pub n: u64,
    pub sum: f64,
}

fn clip(p: f64) -> f64 {
    p.clamp(f64::EPSILON, 1.0 - f64::EPSILON)
}

impl MeanLoss {
    pub fn new(kind: LossKind) -> Self {
        Self {
            kind,
            classes: 0,
            n: 0,
            sum: 0.0,
        }
    }

    /// One row with a binary probability P(y = 1).
    pub fn add_binary(&mut self, p: f64, positive: bool) -> Result<()> {
        probability(p, "probability")?;
        self.set_classes(0)?;
        let y = positive as u8 as f64;
        self.sum += match self.kind {
            LossKind::LogLoss => -(if positive { clip(p) } else { clip(1.0 - p) }).ln(),
            LossKind::Brier => (y - p) * (y - p),
        };
        self.n += 1;
        Ok(())
    }

    /// One row with class probabilities (classes 0..k−1) and the true class index.
    pub fn add_multiclass(&mut self, probs: &[f64], label: i64) -> Result<()> {
        let k = probs.len();
        if !(2..=MAX_CLASSES).contains(&k) {
            return Err(CoreError::invalid_parameter(format!(
                "probabilities must have between 2 and {MAX_CLASSES} classes, got {k}"
            )));
        }
        for (i, &p) in probs.iter().enumerate() {
            probability(p, &format!("probabilities[{}]", i + 1))?;
        }
        let y = class_index(label, k)?;
        self.set_classes(k as u32)?;
        self.sum += match self.kind {
            LossKind::LogLoss => -clip(probs[y]).ln(),
            LossKind::Brier => probs
                .iter()
                .enumerate()
                .map(|(i, &p)| {
                    let t = (i == y) as u8 as f64;
                    (t - p) * (t - p)
                })
                .sum(),
        };
        self.n += 1;
        Ok(())
    }

    fn set_classes(&mut self, k: u32) -> Result<()> {
        if self.n > 0 && self.classes != k {
            return Err(CoreError::mismatch(format!(
                "every row must have the same number of class probabilities ({} then {k})",
                self.classes
            )));
        }
        self.classes = k;
        Ok(())
    }

    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// The class index of `label` for a probability array of `k` classes.
pub fn class_index(label: i64, k: usize) -> Result<usize> {
    if label < 0 || label as usize >= k {
        return Err(CoreError::invalid_parameter(format!(
            "label {label} is outside the classes 0..{} of the probability array",
            k - 1
        )));
    }
    Ok(label as usize)
}

impl Summary for MeanLoss {
    const NAME: &'static str = "loss state";

    fn merge(&mut self, o: &Self) -> Result<()> {
        if o.n == 0 {
            return Ok(());
        }
        if self.kind != o.kind {
            return Err(CoreError::mismatch("cannot merge different losses"));
        }
        if self.n > 0 && self.classes != o.classes {
            return Err(CoreError::mismatch(
                "every row must have the same number of class probabilities",
            ));
        }
        self.classes = o.classes;
        self.n = crate::sketch::add_counts(self.n, o.n)?;
        self.sum += o.sum;
        Ok(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        w.u8(match self.kind {
            LossKind::LogLoss => 0,
            LossKind::Brier => 1,
        });
        w.u32(self.classes);
        w.u64(self.n);
        w.f64(self.sum);
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open_versioned(bytes, TAG, VERSION, Self::NAME)?;
        let kind = match r.u8()? {
            0 => LossKind::LogLoss,
            1 => LossKind::Brier,
            _ => return Err(r.error("unknown loss")),
        };
        let s = MeanLoss {
            kind,
            classes: r.u32()?,
            n: r.u64()?,
            sum: r.f64()?,
        };
        r.finish()?;
        s.decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if !(self.sum.is_finite() && self.sum >= 0.0) {
            return Err("sum must be finite and non-negative".into());
        }
        if self.classes as usize > MAX_CLASSES || self.classes == 1 {
            return Err("invalid class count".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_multiclass() {
        let mut l = MeanLoss::new(LossKind::LogLoss);
        l.add_binary(0.9, true).unwrap();
        l.add_binary(0.0, false).unwrap();
        let expected = (-(0.9f64).ln() - (1.0 - f64::EPSILON).ln()) / 2.0;
        assert!((l.mean().unwrap() - expected).abs() < 1e-15);
        assert!(l.add_multiclass(&[0.5, 0.5], 1).is_err());
        let mut b = MeanLoss::new(LossKind::Brier);
        b.add_multiclass(&[0.2, 0.8, 0.0], 0).unwrap();
        assert!((b.mean().unwrap() - (0.64 + 0.64)).abs() < 1e-15);
        assert!(b.add_multiclass(&[0.2, 0.8, 0.0], 3).is_err());
        assert!(b.add_multiclass(&[0.2, 1.8, 0.0], 0).is_err());
    }
}
