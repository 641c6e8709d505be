//! Model performance metrics with scikit-learn's definitions: the confusion summary
//! (classification), exact ranking metrics (ROC AUC, average precision, calibration error),
//! the mergeable score summary (approximate AUC with a bound), probabilistic losses, the
//! regression summary, CBPE (performance estimated without labels from an isotonic calibration
//! map), and paired tests comparing two models scored on the same rows.

pub mod association;
pub mod calibration;
pub mod confusion;
pub mod grid_bins;
pub mod label;
pub mod log_product;
pub mod loss;
pub mod ovr;
pub mod paired;
pub mod ranking;
pub mod regression;
pub mod score_accumulator;
pub mod score_summary;
mod score_weights;

use crate::error::{CoreError, Result};

/// The power of two that brings `x` (a positive weight) into [1, 2) (subnormal `x`: see below). Weights scaled by it give a
/// scale-free metric (accuracy, MCC, ROC AUC) exactly the bits of unscaled ones, and keep sums and
/// products of weights near 1e±308 from overflowing to Infinity or underflowing to 0.
pub(crate) fn unit_scale(x: f64) -> f64 {
    if x > 0.0 && x.is_finite() {
        // A subnormal maximum (below 2^-1022) is scaled by at most 2^1000: 2^1023 and beyond
        // overflow to Infinity, and ~1e-9 is as good as 1 for the sums and products here.
        2f64.powi((-x.log2().floor() as i32).min(1000))
    } else {
        1.0
    }
}

/// `value` must be finite; the message names the argument.
pub(crate) fn finite(value: f64, arg: &str) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(CoreError::invalid_parameter(format!(
            "{arg} must be finite, got {value}"
        )))
    }
}

/// A sample weight (scikit-learn's `sample_weight`): finite and non-negative; the message
/// names `weight`.
pub fn sample_weight(weight: f64) -> Result<f64> {
    if weight.is_finite() && weight >= 0.0 {
        Ok(weight)
    } else {
        Err(CoreError::invalid_parameter(format!(
            "weight must be finite and non-negative, got {weight}"
        )))
    }
}

/// `value` must be a probability in [0, 1].
pub(crate) fn probability(value: f64, arg: &str) -> Result<f64> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(CoreError::invalid_parameter(format!(
            "{arg} must be in [0, 1], got {value}"
        )))
    }
}

/// Binary label → positive? Accepts 1 (positive) and 0 or −1 (negative), as scikit-learn infers
/// `pos_label = 1` for {0, 1} and {−1, 1}.
pub fn binary_label(label: i64, arg: &str) -> Result<bool> {
    match label {
        1 => Ok(true),
        0 | -1 => Ok(false),
        other => Err(CoreError::invalid_parameter(format!(
            "{arg} must be 0 or 1 (or -1 for negative) for a binary metric, got {other}"
        ))),
    }
}
