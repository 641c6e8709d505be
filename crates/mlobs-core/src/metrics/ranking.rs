//! Exact ranking metrics over every (score, label) pair of a window: ROC AUC (ties count ½, as
//! scikit-learn's trapezoidal curve), average precision (scikit-learn's step sum) and expected
//! calibration error on scikit-learn's `calibration_curve(strategy="quantile")` bins.
//!
//! The state keeps the scores of positives and negatives (8 bytes per row, capped at
//! `MAX_SCORES`); it merges by concatenation and every result is computed from the sorted
//! values, so parallel plans give exactly the serial answer.

use super::{finite, probability};
use crate::binning::{linspace, quantiles_linear};
use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLrk";
const VERSION: u8 = 1;
/// Rows an exact ranking aggregate keeps (400 MB of scores).
pub const MAX_SCORES: usize = 50_000_000;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RankSample {
    pub positive: Vec<f64>,
    pub negative: Vec<f64>,
}

fn sort(v: &mut [f64]) {
    v.sort_unstable_by(f64::total_cmp);
}

impl RankSample {
    /// Adds one scored row; the score must be finite.
    pub fn add(&mut self, score: f64, positive: bool) -> Result<()> {
        finite(score, "score")?;
        if self.len() >= MAX_SCORES {
            return Err(CoreError::limit_exceeded(format!(
                "exact ranking metrics keep at most {MAX_SCORES} rows; use mlobs.score_agg for larger windows"
            )));
        }
        if positive {
            self.positive.push(score);
        } else {
            self.negative.push(score);
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.positive.len() + self.negative.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn sorted(&self) -> (Vec<f64>, Vec<f64>) {
        let (mut p, mut n) = (self.positive.clone(), self.negative.clone());
        sort(&mut p);
        sort(&mut n);
        (p, n)
    }

    /// ROC AUC = P(score⁺ > score⁻) + ½·P(score⁺ = score⁻). `None` when either class is absent
    /// (scikit-learn warns and returns NaN there).
    pub fn roc_auc(&self) -> Option<f64> {
        let (p, n) = self.sorted();
        roc_auc_sorted(&p, &n)
    }

    /// Average precision: Σ_k (R_k − R_{k−1})·P_k over descending distinct thresholds.
    /// `None` without positives (scikit-learn warns and returns 0 there).
    pub fn average_precision(&self) -> Option<f64> {
        let (p, n) = self.sorted();
        average_precision_sorted(&p, &n)
    }

    /// Expected calibration error on `bins` equal-count (quantile) bins, exactly as
    /// `sklearn.calibration.calibration_curve(strategy="quantile")` bins: edges are numpy-linear
    /// percentiles of the probabilities, a value equal to an edge goes to the lower bin (numpy's
    /// `searchsorted` default), empty bins drop.
    /// ECE = Σ_b (n_b/N)·|mean label_b − mean prob_b|. Scores must be probabilities.
    pub fn calibration_error(&self, bins: i32) -> Result<Option<f64>> {
        let bins = calibration_bins(bins)?;
        if self.is_empty() {
            return Ok(None);
        }
        for &s in self.positive.iter().chain(&self.negative) {
            probability(s, "probability")?;
        }
        // Sorted inputs make every sum below independent of row order (parallel = serial).
        let (pos, neg) = self.sorted();
        let mut all: Vec<f64> = pos.iter().chain(&neg).copied().collect();
        sort(&mut all);
        let edges = quantiles_linear(&all, &calibration_quantiles(bins));
        let inner = &edges[1..edges.len() - 1];
        // numpy.searchsorted(inner, x) with the default side="left": a value equal to an edge
        // goes to the lower bin.
        let bin_of = |x: f64| inner.partition_point(|&e| e < x);
        let mut total = vec![0u64; bins];
        let mut prob_sum = vec![0.0; bins];
        let mut label_sum = vec![0u64; bins];
        for (values, label) in [(&pos, 1), (&neg, 0)] {
            for &x in values {
                let b = bin_of(x);
                total[b] += 1;
                prob_sum[b] += x;
                label_sum[b] += label;
            }
        }
        let n = self.len() as f64;
        let ece = (0..bins)
            .filter(|&b| total[b] > 0)
            .map(|b| {
                let t = total[b] as f64;
                (t / n) * (label_sum[b] as f64 / t - prob_sum[b] / t).abs()
            })
            .sum();
        Ok(Some(ece))
    }
}

/// The quantiles of `calibration_curve`'s equal-count edges: numpy's
/// `percentile(p, linspace(0, 100, bins + 1))`, as fractions.
pub(crate) fn calibration_quantiles(bins: usize) -> Vec<f64> {
    linspace(0.0, 100.0, bins + 1)
        .into_iter()
        .map(|q| q / 100.0)
        .collect()
}

pub(crate) fn calibration_bins(bins: i32) -> Result<usize> {
    if !(1..=10_000).contains(&bins) {
        return Err(CoreError::invalid_parameter(format!(
            "bins must be between 1 and 10000, got {bins}"
        )));
    }
    Ok(bins as usize)
}

/// AUC of ascending positive and negative scores (Mann–Whitney U / (P·N), ties ½), counted in
/// integers so the result is exact up to the final division.
pub fn roc_auc_sorted(pos: &[f64], neg: &[f64]) -> Option<f64> {
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    let (mut below, mut upto) = (0usize, 0usize);
    let mut twice_u: u128 = 0;
    for &s in pos {
        while below < neg.len() && neg[below] < s {
            below += 1;
        }
        upto = upto.max(below);
        while upto < neg.len() && neg[upto] <= s {
            upto += 1;
        }
        twice_u += (below + upto) as u128; // 2·below + ties
    }
    Some(twice_u as f64 / (2.0 * pos.len() as f64 * neg.len() as f64))
}

/// Average precision of ascending positive and negative scores.
pub fn average_precision_sorted(pos: &[f64], neg: &[f64]) -> Option<f64> {
    if pos.is_empty() {
        return None;
    }
    let total_pos = pos.len() as f64;
    let (mut i, mut j) = (pos.len(), neg.len());
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut ap = 0.0;
    while i > 0 {
        // Next threshold: the largest remaining score; take every row tied with it.
        let t = match j {
            0 => pos[i - 1],
            _ => pos[i - 1].max(neg[j - 1]),
        };
        let tp_before = tp;
        while i > 0 && pos[i - 1] == t {
            i -= 1;
            tp += 1;
        }
        while j > 0 && neg[j - 1] == t {
            j -= 1;
            fp += 1;
        }
        if tp > tp_before {
            let precision = tp as f64 / (tp + fp) as f64;
            ap += (tp - tp_before) as f64 / total_pos * precision;
        }
    }
    Some(ap)
}

impl Summary for RankSample {
    const NAME: &'static str = "ranking state";

    fn merge(&mut self, o: &Self) -> Result<()> {
        if self.len() + o.len() > MAX_SCORES {
            return Err(CoreError::limit_exceeded(format!(
                "exact ranking metrics keep at most {MAX_SCORES} rows; use mlobs.score_agg for larger windows"
            )));
        }
        self.positive.extend_from_slice(&o.positive);
        self.negative.extend_from_slice(&o.negative);
        Ok(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        w.f64s(&self.positive);
        w.f64s(&self.negative);
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open_versioned(bytes, TAG, VERSION, Self::NAME)?;
        let positive = r.f64s(MAX_SCORES)?;
        let negative = r.f64s(MAX_SCORES)?;
        r.finish()?;
        let s = RankSample { positive, negative };
        s.decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.len() > MAX_SCORES {
            return Err("too many scores".into());
        }
        if self
            .positive
            .iter()
            .chain(&self.negative)
            .any(|s| !s.is_finite())
        {
            return Err("scores must be finite".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(rows: &[(f64, bool)]) -> RankSample {
        let mut s = RankSample::default();
        for &(x, y) in rows {
            s.add(x, y).unwrap();
        }
        s
    }

    #[test]
    fn auc_with_ties() {
        let s = sample(&[(0.1, false), (0.4, false), (0.35, true), (0.8, true)]);
        assert_eq!(s.roc_auc(), Some(0.75));
        let s = sample(&[(0.5, false), (0.5, true)]);
        assert_eq!(s.roc_auc(), Some(0.5));
        assert_eq!(sample(&[(0.5, true)]).roc_auc(), None);
    }

    #[test]
    fn average_precision_matches_sklearn_doc_example() {
        // sklearn docs: y=[0,0,1,1], scores=[0.1,0.4,0.35,0.8] → 0.8333…
        let s = sample(&[(0.1, false), (0.4, false), (0.35, true), (0.8, true)]);
        assert!((s.average_precision().unwrap() - 0.833_333_333_333_333_4).abs() < 1e-15);
    }

    #[test]
    fn rejects_non_finite() {
        let mut s = RankSample::default();
        assert!(s.add(f64::NAN, true).is_err());
        assert!(s.add(f64::INFINITY, true).is_err());
    }
}
