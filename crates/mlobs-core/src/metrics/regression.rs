//! `mlobs.regression_summary`: everything scikit-learn's regression metrics need, mergeable.
//! Moments of the target and of the error e = prediction − target are kept as (mean, M2) and
//! merged with Chan's formula, which stays accurate where raw power sums cancel; the absolute
//! error also goes to the profile's relative-error sketch for the median absolute error.

use super::finite;
use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};
use crate::sketch::{add_counts, QuantileSketch};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLrg";
const VERSION: u8 = 1;

/// Count, mean and sum of squared deviations, merged with Chan et al.'s pairwise update.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    pub n: u64,
    pub mean: f64,
    pub m2: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    fn merge(&mut self, o: &Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *o;
            return;
        }
        let (na, nb) = (self.n as f64, o.n as f64);
        let n = na + nb;
        let delta = o.mean - self.mean;
        self.mean += delta * (nb / n);
        self.m2 += o.m2 + delta * delta * (na * nb / n);
        self.n += o.n;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegressionSummary {
    /// Rows skipped because the target or the prediction was NULL.
    pub skipped: u64,
    pub target: Moments,
    pub error: Moments,
    pub sum_abs_error: f64,
    /// Σ |e| / max(|y|, ε) with ε = f64::EPSILON (scikit-learn's MAPE).
    pub sum_abs_pct_error: f64,
    pub max_abs_error: f64,
    pub abs_error_sketch: QuantileSketch,
}

/// scikit-learn's "force_finite" rule for R² and explained variance: 1 − num/den, with
/// den = 0 giving 1 for a perfect fit and 0 otherwise.
fn one_minus_ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        if num == 0.0 {
            1.0
        } else {
            0.0
        }
    } else {
        1.0 - num / den
    }
}

impl RegressionSummary {
    pub fn add(&mut self, target: f64, prediction: f64) -> Result<()> {
        finite(target, "target")?;
        finite(prediction, "prediction")?;
        let e = prediction - target;
        if !e.is_finite() {
            return Err(CoreError::invalid_parameter(format!(
                "prediction − target overflows for target {target} and prediction {prediction}"
            )));
        }
        self.target.add(target);
        self.error.add(e);
        let abs = e.abs();
        self.sum_abs_error += abs;
        self.sum_abs_pct_error += abs / target.abs().max(f64::EPSILON);
        self.max_abs_error = self.max_abs_error.max(abs);
        self.abs_error_sketch.add(abs);
        Ok(())
    }

    pub fn n(&self) -> u64 {
        self.error.n
    }

    fn mean_of(&self, sum: f64) -> Option<f64> {
        (self.n() > 0).then(|| sum / self.n() as f64)
    }

    /// Σ e² = M2 + n·ē².
    fn sum_sq_error(&self) -> f64 {
        self.error.m2 + self.n() as f64 * self.error.mean * self.error.mean
    }

    pub fn mse(&self) -> Option<f64> {
        self.mean_of(self.sum_sq_error())
    }

    pub fn rmse(&self) -> Option<f64> {
        self.mse().map(f64::sqrt)
    }

    pub fn mae(&self) -> Option<f64> {
        self.mean_of(self.sum_abs_error)
    }

    pub fn mape(&self) -> Option<f64> {
        self.mean_of(self.sum_abs_pct_error)
    }

    /// Mean of prediction − target (Evidently's "mean error": positive = over-prediction).
    pub fn mean_error(&self) -> Option<f64> {
        (self.n() > 0).then_some(self.error.mean)
    }

    pub fn max_error(&self) -> Option<f64> {
        (self.n() > 0).then_some(self.max_abs_error)
    }

    /// R² = 1 − SS_res/SS_tot; `None` below two rows (scikit-learn returns NaN there).
    pub fn r2(&self) -> Option<f64> {
        (self.n() >= 2).then(|| one_minus_ratio(self.sum_sq_error(), self.target.m2))
    }

    /// 1 − Var(y − ŷ)/Var(y).
    pub fn explained_variance(&self) -> Option<f64> {
        (self.n() > 0).then(|| one_minus_ratio(self.error.m2, self.target.m2))
    }

    /// Median absolute error from the sketch: within 1 % of the magnitude of the exact
    /// (numpy-linear) median of |e| (`percentile_cont(0.5)` gives it exactly).
    pub fn median_absolute_error(&self) -> Option<f64> {
        if self.n() == 0 {
            return None;
        }
        Some(crate::binning::weighted_quantiles(&self.abs_error_sketch.buckets(), &[0.5])[0])
    }
}

impl Summary for RegressionSummary {
    const NAME: &'static str = "mlobs.regression_summary";

    fn merge(&mut self, o: &Self) -> Result<()> {
        add_counts(self.n(), o.n())?;
        self.skipped = add_counts(self.skipped, o.skipped)?;
        self.target.merge(&o.target);
        self.error.merge(&o.error);
        self.sum_abs_error += o.sum_abs_error;
        self.sum_abs_pct_error += o.sum_abs_pct_error;
        self.max_abs_error = self.max_abs_error.max(o.max_abs_error);
        self.abs_error_sketch.merge(&o.abs_error_sketch)
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        w.u64(self.skipped);
        for m in [&self.target, &self.error] {
            w.u64(m.n);
            w.f64(m.mean);
            w.f64(m.m2);
        }
        w.f64(self.sum_abs_error);
        w.f64(self.sum_abs_pct_error);
        w.f64(self.max_abs_error);
        self.abs_error_sketch.encode(&mut w);
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open_versioned(bytes, TAG, VERSION, Self::NAME)?;
        let skipped = r.u64()?;
        let mut moments = [Moments::default(); 2];
        for m in &mut moments {
            m.n = r.u64()?;
            m.mean = r.f64()?;
            m.m2 = r.f64()?;
        }
        let s = RegressionSummary {
            skipped,
            target: moments[0],
            error: moments[1],
            sum_abs_error: r.f64()?,
            sum_abs_pct_error: r.f64()?,
            max_abs_error: r.f64()?,
            abs_error_sketch: QuantileSketch::decode(&mut r)?,
        };
        r.finish()?;
        s.decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.target.n != self.error.n {
            return Err("target and error counts differ".into());
        }
        if self.abs_error_sketch.count() != self.n() {
            return Err("sketch count differs from n".into());
        }
        self.abs_error_sketch.validate()?;
        let sums = [
            self.target.mean,
            self.error.mean,
            self.target.m2,
            self.error.m2,
            self.sum_abs_error,
            self.sum_abs_pct_error,
            self.max_abs_error,
        ];
        if sums.iter().any(|v| !v.is_finite()) {
            return Err("moments must be finite".into());
        }
        if [
            self.target.m2,
            self.error.m2,
            self.sum_abs_error,
            self.sum_abs_pct_error,
            self.max_abs_error,
        ]
        .iter()
        .any(|v| *v < 0.0)
        {
            return Err("sums of squares and absolute values must be non-negative".into());
        }
        if self.n() == 0 && sums.iter().any(|v| *v != 0.0) {
            return Err("empty summary with non-zero moments".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_example() {
        let mut s = RegressionSummary::default();
        for (y, p) in [(3.0, 2.5), (-0.5, 0.0), (2.0, 2.0), (7.0, 8.0)] {
            s.add(y, p).unwrap();
        }
        // sklearn docs: MSE 0.375, MAE 0.5, R² 0.9486081370449679, max_error 1
        assert!((s.mse().unwrap() - 0.375).abs() < 1e-15);
        assert_eq!(s.mae(), Some(0.5));
        assert!((s.r2().unwrap() - 0.948_608_137_044_967_9).abs() < 1e-15);
        assert_eq!(s.max_error(), Some(1.0));
    }

    #[test]
    fn edge_cases() {
        let mut s = RegressionSummary::default();
        assert_eq!(s.rmse(), None);
        s.add(1.0, 1.0).unwrap();
        assert_eq!(s.r2(), None);
        s.add(1.0, 2.0).unwrap();
        assert_eq!(s.r2(), Some(0.0));
        assert!(s.add(f64::NAN, 1.0).is_err());
        assert!(s.add(1.0, f64::INFINITY).is_err());
        let b = s.to_bytes();
        assert_eq!(RegressionSummary::from_bytes(&b).unwrap(), s);
        for cut in 0..b.len() {
            assert!(RegressionSummary::from_bytes(&b[..cut]).is_err());
        }
    }
}
