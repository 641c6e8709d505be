//! Learned thresholds (NannyML's standard-deviation thresholds): a metric computed on reference
//! windows defines the band mean ± k·σ (σ with divisor n, numpy's default, as NannyML); a value
//! of the metric outside the band on a current window is an alert.

use crate::error::{CoreError, Result};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub lower: f64,
    pub upper: f64,
    pub mean: f64,
    pub stddev: f64,
}

/// The band of the finite `values`; `None` when there are none. `k` must be finite and ≥ 0.
/// `limits` clip the band to the metric's natural range (e.g. [0, ∞) for a distance).
pub fn learned_threshold(
    values: &[f64],
    k: f64,
    limits: (Option<f64>, Option<f64>),
) -> Result<Option<Band>> {
    if !(k.is_finite() && k >= 0.0) {
        return Err(CoreError::invalid_parameter(format!(
            "k must be a finite number >= 0, got {k}"
        )));
    }
    if let (Some(lo), Some(hi)) = limits
        && (lo.is_nan() || hi.is_nan() || lo > hi)
    {
        return Err(CoreError::invalid_parameter(format!(
            "lower_limit {lo} must not exceed upper_limit {hi}"
        )));
    }
    let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if finite.is_empty() {
        return Ok(None);
    }
    let n = finite.len() as f64;
    let mean = finite.iter().sum::<f64>() / n;
    let stddev = (finite.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt();
    let mut lower = mean - k * stddev;
    let mut upper = mean + k * stddev;
    if let Some(lo) = limits.0 {
        lower = lower.max(lo);
    }
    if let Some(hi) = limits.1 {
        upper = upper.min(hi);
    }
    Ok(Some(Band {
        lower,
        upper,
        mean,
        stddev,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_is_mean_plus_minus_k_sigma() {
        let b = learned_threshold(&[1.0, 2.0, 3.0, 4.0, f64::NAN], 3.0, (None, None))
            .unwrap()
            .unwrap();
        let sigma = 1.25f64.sqrt();
        assert_eq!((b.mean, b.stddev), (2.5, sigma));
        assert_eq!((b.lower, b.upper), (2.5 - 3.0 * sigma, 2.5 + 3.0 * sigma));
        let clipped = learned_threshold(&[0.01, 0.02, 0.03], 3.0, (Some(0.0), None))
            .unwrap()
            .unwrap();
        assert_eq!(clipped.lower, 0.0);
        assert!(learned_threshold(&[], 3.0, (None, None)).unwrap().is_none());
        assert!(learned_threshold(&[1.0], -1.0, (None, None)).is_err());
    }
}
