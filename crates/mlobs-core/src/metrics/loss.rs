//! Per-row losses as scikit-learn 1.7 defines them, accumulated as mergeable sums:
//! log loss (probabilities clipped to [ε, 1−ε] with ε = f64::EPSILON, rows not renormalised),
//! the Brier score (binary: (y − p)²; multiclass: Σ_k (1[y=k] − p_k)², range [0, 2], halved for
//! two columns as scikit-learn's `scale_by_half="auto"`), and the
//! regression losses `mean_tweedie_deviance(power)` (Poisson: power 1, Gamma: power 2) and
//! `mean_pinball_loss(alpha)`, whose parameter is part of the kind.
//!
//! Rows may carry a sample weight (scikit-learn's `sample_weight`): the mean is then
//! Σ w·loss / Σ w, and a state whose total weight is 0 has no mean.
//!
//! Format version 2 adds the parameterised kinds (a kind byte 2 or 3 followed by the parameter);
//! version 3 adds the total weight after the row count. Versions 1 (log loss and Brier only)
//! and 2 are still read, their total weight being the row count.

use super::log_product::LogProduct;
use super::{probability, sample_weight};
use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLls";
const VERSION: u8 = 3;
/// Versions `from_bytes` reads.
const VERSIONS: [u8; 3] = [1, 2, 3];
/// Classes of a probability array.
pub const MAX_CLASSES: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum LossKind {
    LogLoss,
    Brier,
    /// Mean Tweedie deviance with this power (0: squared error, 1: Poisson, 2: Gamma).
    Tweedie(f64),
    /// Mean pinball (quantile) loss at this alpha.
    Pinball(f64),
}

impl LossKind {
    /// `mean_tweedie_deviance`'s power: finite and outside (0, 1), as scikit-learn's
    /// parameter validation.
    pub fn tweedie(power: f64) -> Result<Self> {
        if !power.is_finite() || (power > 0.0 && power < 1.0) {
            return Err(CoreError::invalid_parameter(format!(
                "power must be finite and <= 0 or >= 1 (0 < power < 1 has no Tweedie distribution), got {power}"
            )));
        }
        Ok(LossKind::Tweedie(power))
    }

    /// `mean_pinball_loss`'s alpha: in [0, 1].
    pub fn pinball(alpha: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&alpha) {
            return Err(CoreError::invalid_parameter(format!(
                "alpha must be between 0 and 1, got {alpha}"
            )));
        }
        Ok(LossKind::Pinball(alpha))
    }

    fn is_regression(self) -> bool {
        matches!(self, LossKind::Tweedie(_) | LossKind::Pinball(_))
    }
}

/// A number in a message: plain, or in exponent form when plain would be very long.
fn show(v: f64) -> String {
    if v == 0.0 || (1e-6..1e16).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// The Tweedie unit deviance of one row, with scikit-learn's domain rules and formulas
/// (sklearn/metrics/_regression.py, `_mean_tweedie_deviance`).
pub fn tweedie_deviance(y: f64, p: f64, power: f64) -> Result<f64> {
    super::finite(y, "target")?;
    super::finite(p, "prediction")?;
    let bad = |what: &str| {
        Err(CoreError::invalid_parameter(format!(
            "mean Tweedie deviance with power {power} needs {what}, got target {} and prediction {}",
            show(y),
            show(p)
        )))
    };
    let dev = if power < 0.0 {
        if p <= 0.0 {
            return bad("a strictly positive prediction");
        }
        2.0 * (y.max(0.0).powf(2.0 - power) / ((1.0 - power) * (2.0 - power))
            - y * p.powf(1.0 - power) / (1.0 - power)
            + p.powf(2.0 - power) / (2.0 - power))
    } else if power == 0.0 {
        (y - p) * (y - p)
    } else if power < 2.0 {
        if y < 0.0 || p <= 0.0 {
            return bad("a non-negative target and a strictly positive prediction");
        }
        if power == 1.0 {
            // xlogy(y, y / p): 0 when y = 0.
            let xlogy = if y == 0.0 { 0.0 } else { y * (y / p).ln() };
            2.0 * (xlogy - y + p)
        } else {
            2.0 * (y.powf(2.0 - power) / ((1.0 - power) * (2.0 - power))
                - y * p.powf(1.0 - power) / (1.0 - power)
                + p.powf(2.0 - power) / (2.0 - power))
        }
    } else {
        if y <= 0.0 || p <= 0.0 {
            return bad("a strictly positive target and prediction");
        }
        if power == 2.0 {
            2.0 * ((p / y).ln() + y / p - 1.0)
        } else {
            2.0 * (y.powf(2.0 - power) / ((1.0 - power) * (2.0 - power))
                - y * p.powf(1.0 - power) / (1.0 - power)
                + p.powf(2.0 - power) / (2.0 - power))
        }
    };
    if !dev.is_finite() {
        return Err(CoreError::invalid_parameter(format!(
            "the Tweedie deviance with power {power} overflows for target {} and prediction {}",
            show(y),
            show(p)
        )));
    }
    Ok(dev)
}

/// The pinball loss of one row (scikit-learn's `mean_pinball_loss` term).
pub fn pinball_loss(y: f64, p: f64, alpha: f64) -> Result<f64> {
    super::finite(y, "target")?;
    super::finite(p, "prediction")?;
    let diff = y - p;
    let sign = (diff >= 0.0) as u8 as f64;
    let loss = alpha * sign * diff - (1.0 - alpha) * (1.0 - sign) * diff;
    if !loss.is_finite() {
        return Err(CoreError::invalid_parameter(format!(
            "target − prediction overflows for target {} and prediction {}",
            show(y),
            show(p)
        )));
    }
    Ok(loss)
}

/// Running mean of a per-row loss.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "MeanLossJson")]
pub struct MeanLoss {
    pub kind: LossKind,
    /// 0 for a scalar P(y = 1); the array length for class probabilities.
    pub classes: u32,
    pub n: u64,
    /// Σ w over the rows (the row count when every weight is 1).
    pub weight: f64,
    /// Σ w·loss, but for the log loss of unit-weight rows, which is −ln of `log_true`.
    pub sum: f64,
    /// The product of the (clipped) probabilities of the true class of unit-weight rows.
    #[serde(skip)]
    log_true: LogProduct,
}

/// The JSON form: `sum` is the whole Σ w·loss.
#[derive(Serialize)]
struct MeanLossJson {
    kind: LossKind,
    classes: u32,
    n: u64,
    weight: f64,
    sum: f64,
}

impl From<MeanLoss> for MeanLossJson {
    fn from(s: MeanLoss) -> Self {
        MeanLossJson {
            sum: s.total(),
            kind: s.kind,
            classes: s.classes,
            n: s.n,
            weight: s.weight,
        }
    }
}

/// Equal summaries: equal fields, the loss sum compared as a whole.
impl PartialEq for MeanLoss {
    fn eq(&self, o: &Self) -> bool {
        (self.kind, self.classes, self.n, self.weight) == (o.kind, o.classes, o.n, o.weight)
            && self.total() == o.total()
    }
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
            weight: 0.0,
            sum: 0.0,
            log_true: LogProduct::default(),
        }
    }

    /// Σ w·loss.
    pub fn total(&self) -> f64 {
        self.sum - self.log_true.ln()
    }

    /// A unit-weight row's log loss, −ln `p_true` (clipped): multiplied into `log_true`.
    fn push_log_loss(&mut self, p_true: f64) {
        self.log_true.push(clip(p_true));
        self.weight += 1.0;
        self.n += 1;
    }

    /// Adds one row's loss with its weight (checked by the caller). 1·loss is exactly the
    /// loss, so unweighted sums are those of an unweighted mean.
    fn push(&mut self, loss: f64, weight: f64) -> Result<()> {
        let (sum, total) = (self.sum + weight * loss, self.weight + weight);
        if !(sum.is_finite() && total.is_finite()) {
            return Err(CoreError::out_of_range(format!(
                "the weighted loss overflows (weight {weight:e})"
            )));
        }
        (self.sum, self.weight) = (sum, total);
        self.n += 1;
        Ok(())
    }

    /// One row with a binary probability P(y = 1).
    pub fn add_binary(&mut self, p: f64, positive: bool) -> Result<()> {
        self.add_binary_weighted(p, positive, 1.0)
    }

    /// `add_binary` with a sample weight.
    pub fn add_binary_weighted(&mut self, p: f64, positive: bool, weight: f64) -> Result<()> {
        self.probabilistic()?;
        probability(p, "probability")?;
        let weight = sample_weight(weight)?;
        self.set_classes(0)?;
        let y = positive as u8 as f64;
        let p_true = if positive { p } else { 1.0 - p };
        if self.kind == LossKind::LogLoss && weight == 1.0 {
            self.push_log_loss(p_true);
            return Ok(());
        }
        let loss = match self.kind {
            LossKind::LogLoss => -clip(p_true).ln(),
            LossKind::Brier => (y - p) * (y - p),
            _ => unreachable!("checked by probabilistic()"),
        };
        self.push(loss, weight)
    }

    /// One row with class probabilities (classes 0..k−1) and the true class index.
    pub fn add_multiclass(&mut self, probs: &[f64], label: i64) -> Result<()> {
        self.add_multiclass_weighted(probs, label, 1.0)
    }

    /// `add_multiclass` with a sample weight.
    pub fn add_multiclass_weighted(
        &mut self,
        probs: &[f64],
        label: i64,
        weight: f64,
    ) -> Result<()> {
        self.probabilistic()?;
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
        let weight = sample_weight(weight)?;
        self.set_classes(k as u32)?;
        if self.kind == LossKind::LogLoss && weight == 1.0 {
            self.push_log_loss(probs[y]);
            return Ok(());
        }
        let loss = match self.kind {
            LossKind::LogLoss => -clip(probs[y]).ln(),
            // scikit-learn 1.7 (`scale_by_half="auto"`) halves the sum for fewer than three
            // columns: two columns give the binary score, (y − p)² of a row summing to 1.
            LossKind::Brier => {
                let sum: f64 = probs
                    .iter()
                    .enumerate()
                    .map(|(i, &p)| {
                        let t = (i == y) as u8 as f64;
                        (t - p) * (t - p)
                    })
                    .sum();
                if k == 2 {
                    sum * 0.5
                } else {
                    sum
                }
            }
            _ => unreachable!("checked by probabilistic()"),
        };
        self.push(loss, weight)
    }

    /// One (target, prediction) row of a regression loss (Tweedie deviance or pinball loss).
    pub fn add_regression(&mut self, target: f64, prediction: f64) -> Result<()> {
        let loss = match self.kind {
            LossKind::Tweedie(power) => tweedie_deviance(target, prediction, power)?,
            LossKind::Pinball(alpha) => pinball_loss(target, prediction, alpha)?,
            _ => {
                return Err(CoreError::mismatch(
                    "a probabilistic loss takes probabilities and labels",
                ))
            }
        };
        self.push(loss, 1.0)
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

    fn probabilistic(&self) -> Result<()> {
        if self.kind.is_regression() {
            return Err(CoreError::mismatch(
                "a regression loss takes a target and a prediction",
            ));
        }
        Ok(())
    }

    /// Σ w·loss / Σ w; `None` without rows or when the total weight is 0.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0 && self.weight > 0.0).then(|| self.total() / self.weight)
    }
}

impl LossKind {
    fn describe(self) -> String {
        match self {
            LossKind::LogLoss => "log loss".into(),
            LossKind::Brier => "Brier score".into(),
            LossKind::Tweedie(p) => format!("Tweedie deviance with power {p}"),
            LossKind::Pinball(a) => format!("pinball loss with alpha {a}"),
        }
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
        if self.n == 0 {
            *self = o.clone();
            return Ok(());
        }
        if self.kind != o.kind {
            return Err(CoreError::mismatch(format!(
                "cannot merge different losses ({} and {})",
                self.kind.describe(),
                o.kind.describe()
            )));
        }
        if self.n > 0 && self.classes != o.classes {
            return Err(CoreError::mismatch(
                "every row must have the same number of class probabilities",
            ));
        }
        let (sum, total) = (self.sum + o.sum, self.weight + o.weight);
        if !(sum.is_finite() && total.is_finite()) {
            return Err(CoreError::out_of_range(
                "the merged weighted loss overflows",
            ));
        }
        self.classes = o.classes;
        self.n = crate::sketch::add_counts(self.n, o.n)?;
        (self.sum, self.weight) = (sum, total);
        self.log_true.merge(&o.log_true);
        Ok(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        match self.kind {
            LossKind::LogLoss => w.u8(0),
            LossKind::Brier => w.u8(1),
            LossKind::Tweedie(power) => {
                w.u8(2);
                w.f64(power);
            }
            LossKind::Pinball(alpha) => {
                w.u8(3);
                w.f64(alpha);
            }
        }
        w.u32(self.classes);
        w.u64(self.n);
        w.f64(self.weight);
        w.f64(self.total());
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (mut r, version) = Reader::open_any_version(bytes, TAG, &VERSIONS, Self::NAME)?;
        let kind = match (r.u8()?, version) {
            (0, _) => LossKind::LogLoss,
            (1, _) => LossKind::Brier,
            (2, 2..) => LossKind::Tweedie(r.f64()?),
            (3, 2..) => LossKind::Pinball(r.f64()?),
            _ => return Err(r.error("unknown loss")),
        };
        let classes = r.u32()?;
        let n = r.u64()?;
        let weight = if version >= 3 { r.f64()? } else { n as f64 };
        let s = MeanLoss {
            kind,
            classes,
            n,
            weight,
            sum: r.f64()?,
            log_true: LogProduct::default(),
        };
        r.finish()?;
        s.decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let sum = self.total();
        // Rounding can leave the deviance of a near-perfect row a hair below 0 (scikit-learn's
        // too): a Tweedie sum only has to be finite.
        let sum_ok = match self.kind {
            LossKind::Tweedie(power) => {
                LossKind::tweedie(power).map_err(|e| e.message)?;
                sum.is_finite()
            }
            LossKind::Pinball(alpha) => {
                LossKind::pinball(alpha).map_err(|e| e.message)?;
                sum.is_finite() && sum >= 0.0
            }
            _ => sum.is_finite() && sum >= 0.0,
        };
        if !sum_ok {
            return Err("sum must be finite (and non-negative but for a Tweedie deviance)".into());
        }
        if !(self.weight.is_finite() && self.weight >= 0.0) {
            return Err("total weight must be finite and non-negative".into());
        }
        if self.n == 0 && (self.weight != 0.0 || sum != 0.0) {
            return Err("a state without rows has no weight or loss".into());
        }
        if self.kind.is_regression() && self.classes != 0 {
            return Err("a regression loss has no classes".into());
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
        assert!(b.add_regression(1.0, 1.0).is_err());
    }

    #[test]
    fn regression_losses() {
        assert!(LossKind::tweedie(0.5).is_err());
        assert!(LossKind::tweedie(f64::NAN).is_err());
        assert!(LossKind::pinball(1.5).is_err());
        assert!(LossKind::pinball(-0.0).is_ok());
        let mut t = MeanLoss::new(LossKind::tweedie(1.0).unwrap());
        t.add_regression(0.0, 2.0).unwrap();
        assert_eq!(t.mean(), Some(4.0));
        assert!(t.add_regression(-1.0, 2.0).is_err());
        assert!(t.add_regression(1.0, 0.0).is_err());
        assert!(t.add_binary(0.5, true).is_err());
        let mut g = MeanLoss::new(LossKind::tweedie(2.0).unwrap());
        assert!(g.add_regression(0.0, 1.0).is_err());
        let mut n = MeanLoss::new(LossKind::tweedie(-1.0).unwrap());
        n.add_regression(-3.0, 1.0).unwrap();
        assert!(n.add_regression(1.0, 0.0).is_err());
        let mut q = MeanLoss::new(LossKind::pinball(0.9).unwrap());
        q.add_regression(2.0, 1.0).unwrap();
        q.add_regression(1.0, 2.0).unwrap();
        assert!((q.mean().unwrap() - (0.9 + 0.1) / 2.0).abs() < 1e-15);
        // different kinds or parameters do not merge; an empty state merges with anything
        let mut other = MeanLoss::new(LossKind::pinball(0.5).unwrap());
        other.add_regression(1.0, 1.0).unwrap();
        assert!(q.clone().merge(&other).is_err());
        assert!(t.clone().merge(&g).is_ok());
        assert!(t.clone().merge(&n).is_err());
        let mut empty = MeanLoss::new(LossKind::LogLoss);
        empty.merge(&q).unwrap();
        assert_eq!(empty, q);
        // round trip of the parameterised kinds
        for s in [&t, &n, &q] {
            assert_eq!(&MeanLoss::from_bytes(&s.to_bytes()).unwrap(), s);
        }
    }

    #[test]
    fn sample_weights() {
        let mut w = MeanLoss::new(LossKind::LogLoss);
        w.add_binary_weighted(0.9, true, 2.0).unwrap();
        w.add_binary_weighted(0.2, false, 0.5).unwrap();
        w.add_binary_weighted(0.01, true, 0.0).unwrap();
        let expected = (2.0 * -(0.9f64).ln() + 0.5 * -(0.8f64).ln()) / 2.5;
        assert!((w.mean().unwrap() - expected).abs() < 1e-15);
        assert_eq!((w.n, w.weight), (3, 2.5));
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let e = w.add_binary_weighted(0.5, true, bad).unwrap_err();
            assert!(e.message.starts_with("weight must be"), "{}", e.message);
        }
        assert_eq!(w.n, 3, "a refused row leaves the state as it was");
        let mut big = MeanLoss::new(LossKind::Brier);
        big.add_binary_weighted(0.5, true, f64::MAX).unwrap();
        assert!(big.add_binary_weighted(0.5, true, f64::MAX).is_err());
        assert!(big.clone().merge(&big).is_err());
        assert_eq!(MeanLoss::from_bytes(&w.to_bytes()).unwrap(), w);
        // a total weight of 0 has no mean; unit weights are the unweighted state
        let mut zero = MeanLoss::new(LossKind::Brier);
        zero.add_multiclass_weighted(&[0.2, 0.8], 1, 0.0).unwrap();
        assert_eq!(zero.mean(), None);
        let (mut a, mut b) = (
            MeanLoss::new(LossKind::Brier),
            MeanLoss::new(LossKind::Brier),
        );
        for (p, y) in [(&[0.2, 0.5, 0.3][..], 1), (&[0.6, 0.3, 0.1][..], 0)] {
            a.add_multiclass(p, y).unwrap();
            b.add_multiclass_weighted(p, y, 1.0).unwrap();
        }
        assert_eq!(a, b);
        // a forged state: weight without rows, negative weight
        let mut forged = MeanLoss::new(LossKind::LogLoss);
        forged.weight = 1.0;
        assert!(MeanLoss::from_bytes(&forged.to_bytes()).is_err());
        forged.n = 1;
        forged.weight = -1.0;
        assert!(MeanLoss::from_bytes(&forged.to_bytes()).is_err());
    }

    /// A version-2 state (before weights) reads with its row count as total weight.
    #[test]
    fn reads_version_2() {
        let mut w = Writer::new(TAG, 2);
        w.u8(3);
        w.f64(0.9);
        w.u32(0);
        w.u64(2);
        w.f64(1.0);
        let s = MeanLoss::from_bytes(&w.finish()).unwrap();
        assert_eq!(
            (s.kind, s.n, s.weight, s.mean()),
            (LossKind::Pinball(0.9), 2, 2.0, Some(0.5))
        );
    }

    /// A version-1 state (log loss / Brier only, as 0.1.0 and 0.2.0 wrote it) still reads.
    #[test]
    fn reads_version_1() {
        let mut l = MeanLoss::new(LossKind::Brier);
        l.add_binary(0.25, true).unwrap();
        let mut w = Writer::new(TAG, 1);
        w.u8(1);
        w.u32(0);
        w.u64(1);
        w.f64(0.5625);
        assert_eq!(MeanLoss::from_bytes(&w.finish()).unwrap(), l);
        // version 1 has no parameterised kinds
        let mut w = Writer::new(TAG, 1);
        w.u8(2);
        w.f64(1.0);
        w.u32(0);
        w.u64(1);
        w.f64(0.5);
        assert!(MeanLoss::from_bytes(&w.finish()).is_err());
        // a bad parameter is refused on decode
        let mut w = Writer::new(TAG, 2);
        w.u8(3);
        w.f64(1.5);
        w.u32(0);
        w.u64(1);
        w.f64(0.5);
        assert!(MeanLoss::from_bytes(&w.finish()).is_err());
    }
}
