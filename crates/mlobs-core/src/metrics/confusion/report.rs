//! scikit-learn's `classification_report` and `zero_division` on [`Confusion`]: per-class
//! precision, recall, F1 and support, their averages, and the value of a ratio with an empty
//! denominator.

use super::Confusion;
use crate::error::{CoreError, Result};

impl Confusion {
    /// Per-class precision, recall, F1 and support, then the `accuracy`, `macro avg` and
    /// `weighted avg` rows: scikit-learn's `classification_report(output_dict=True)`. Classes in
    /// label order, support is the (weighted) number of rows whose label is the class. A ratio
    /// with an empty denominator is `zero_division` (0 or 1), or `None` (scikit-learn's `np.nan`),
    /// which the averages then leave out. The accuracy row carries only F1 (= accuracy, the
    /// micro average) and the total support, as scikit-learn's printed report. Empty: no rows.
    pub fn class_report(&self, zero_division: ZeroDivision) -> Vec<ReportRow> {
        if self.is_empty() {
            return Vec::new();
        }
        let div = |parts| zero_division.divide(parts);
        // The ratios and the averages' weights from unit-scaled counts (the same bits, and no
        // sum overflows: weights near 1e308 gave recall 0 and F1 NaN); supports in the rows'
        // own weights, scaled back (±Infinity only where the true sum is beyond float8).
        let f = self.unit_factor();
        let counts = self.unit_class_counts();
        let mut rows: Vec<ReportRow> = counts
            .iter()
            .map(|(label, c)| ReportRow {
                class: label.to_string(),
                precision: div(c.precision()),
                recall: div(c.recall()),
                f1: div(c.f1()),
                support: c.support / f,
            })
            .collect();
        let scaled_total: f64 = counts.values().map(|c| c.support).sum();
        let total = scaled_total / f;
        let correct: f64 = counts.values().map(|c| c.tp).sum();
        let supports: Vec<f64> = counts.values().map(|c| c.support).collect();
        let average = |weights: Option<&[f64]>, pick: fn(&ReportRow) -> Option<f64>| {
            let values: Vec<Option<f64>> = rows.iter().map(pick).collect();
            nan_average(&values, weights)
        };
        let mut averages = Vec::with_capacity(3);
        averages.push(ReportRow {
            class: "accuracy".into(),
            precision: None,
            recall: None,
            // micro F1 = 2·ΣTP / (Σtrue + Σpredicted), both sums the total weight
            f1: div((2.0 * correct, 2.0 * scaled_total)),
            support: total,
        });
        for (name, weights) in [("macro avg", None), ("weighted avg", Some(&supports[..]))] {
            averages.push(ReportRow {
                class: name.into(),
                precision: average(weights, |r| r.precision),
                recall: average(weights, |r| r.recall),
                f1: average(weights, |r| r.f1),
                support: total,
            });
        }
        rows.extend(averages);
        rows
    }
}

/// scikit-learn's `zero_division`: the value of a ratio whose denominator is 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ZeroDivision {
    Zero,
    One,
    /// `np.nan`: undefined, left out of averages.
    Undefined,
}

impl ZeroDivision {
    /// 0, 1, or NULL / NaN (undefined).
    pub fn parse(value: Option<f64>) -> Result<Self> {
        match value {
            Some(0.0) => Ok(ZeroDivision::Zero),
            Some(1.0) => Ok(ZeroDivision::One),
            Some(v) if v.is_nan() => Ok(ZeroDivision::Undefined),
            None => Ok(ZeroDivision::Undefined),
            Some(v) => Err(CoreError::invalid_parameter(format!(
                "zero_division must be 0, 1, NaN or NULL, got {v}"
            ))),
        }
    }

    fn value(self) -> Option<f64> {
        match self {
            ZeroDivision::Zero => Some(0.0),
            ZeroDivision::One => Some(1.0),
            ZeroDivision::Undefined => None,
        }
    }

    /// num / den, or this value when den is 0 (`None`: undefined).
    pub(super) fn divide(self, (num, den): (f64, f64)) -> Option<f64> {
        if den == 0.0 {
            self.value()
        } else {
            Some(num / den)
        }
    }
}

/// One row of [`Confusion::class_report`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub class: String,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
    pub support: f64,
}

/// scikit-learn's `_nanaverage`: the (weighted) mean of the defined values; `None` when none is;
/// the plain mean when their weights sum to 0.
pub(super) fn nan_average(values: &[Option<f64>], weights: Option<&[f64]>) -> Option<f64> {
    let defined: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (v, weights.map_or(1.0, |w| w[i]))))
        .collect();
    if defined.is_empty() {
        return None;
    }
    let weight: f64 = defined.iter().map(|(_, w)| w).sum();
    if weights.is_none() || weight == 0.0 {
        return Some(defined.iter().map(|(v, _)| v).sum::<f64>() / defined.len() as f64);
    }
    Some(defined.iter().map(|(v, w)| v * w).sum::<f64>() / weight)
}
