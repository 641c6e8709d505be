//! Exact ranking metrics over every (score, label) pair of a window: ROC AUC (ties count ½, as
//! scikit-learn's trapezoidal curve), average precision (scikit-learn's step sum) and expected
//! calibration error on scikit-learn's `calibration_curve(strategy="quantile")` bins.
//!
//! The state keeps the scores of positives and negatives (8 bytes per row, capped at
//! `MAX_SCORES`); it merges by concatenation and every result is computed from the sorted
//! values, so parallel plans give exactly the serial answer.
//!
//! Sample weights (scikit-learn's `sample_weight`): a weighted aggregate keeps each row's weight
//! beside its score (8 more bytes per row), only once a row's weight is not 1, so unweighted
//! windows cost what they did. A row of weight 0 adds nothing to any result and is not kept.

use super::{finite, probability};
use crate::binning::{linspace, quantiles_linear};
use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLrk";
const VERSION: u8 = 1;
/// Format of a state holding sample weights: version 1 plus, after the scores, the weights of the
/// positives and of the negatives. Unweighted states keep writing version 1.
const VERSION_WEIGHTED: u8 = 2;
/// Rows an exact ranking aggregate keeps (400 MB of scores).
pub const MAX_SCORES: usize = 50_000_000;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RankSample {
    pub positive: Vec<f64>,
    pub negative: Vec<f64>,
    /// Sample weights of `positive` and `negative`, element by element; `None` while every row
    /// has weight 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<RankWeights>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RankWeights {
    pub positive: Vec<f64>,
    pub negative: Vec<f64>,
}

/// A sample weight must be finite and non-negative (scikit-learn rejects the rest).
pub fn check_weight(weight: f64) -> Result<f64> {
    if weight.is_finite() && weight >= 0.0 {
        Ok(weight)
    } else {
        Err(CoreError::invalid_parameter(format!(
            "weight must be finite and non-negative, got {weight}"
        )))
    }
}

/// (score, weight) pairs of one class.
pub type Weighted = Vec<(f64, f64)>;

/// (score, weight) pairs sorted by score, then weight: every sum over them is independent of
/// row order.
fn sort_pairs(v: &mut [(f64, f64)]) {
    v.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
}

fn sort(v: &mut [f64]) {
    v.sort_unstable_by(f64::total_cmp);
}

impl RankSample {
    /// Adds one scored row; the score must be finite.
    pub fn add(&mut self, score: f64, positive: bool) -> Result<()> {
        self.add_weighted(score, positive, 1.0)
    }

    /// Adds one scored row with a sample weight (finite, ≥ 0). A row of weight 0 is checked and
    /// then dropped: it changes no result, as in scikit-learn.
    pub fn add_weighted(&mut self, score: f64, positive: bool, weight: f64) -> Result<()> {
        check_weight(weight)?;
        finite(score, "score")?;
        if weight == 0.0 {
            return Ok(());
        }
        if self.len() >= MAX_SCORES {
            return Err(CoreError::limit_exceeded(format!(
                "exact ranking metrics keep at most {MAX_SCORES} rows; use mlobs.score_agg for larger windows"
            )));
        }
        if weight != 1.0 {
            self.materialize_weights();
        }
        if let Some(w) = &mut self.weights {
            if positive {
                &mut w.positive
            } else {
                &mut w.negative
            }
            .push(weight);
        }
        if positive {
            self.positive.push(score);
        } else {
            self.negative.push(score);
        }
        Ok(())
    }

    /// Gives every row kept so far its weight 1 explicitly.
    fn materialize_weights(&mut self) {
        if self.weights.is_none() {
            self.weights = Some(RankWeights {
                positive: vec![1.0; self.positive.len()],
                negative: vec![1.0; self.negative.len()],
            });
        }
    }

    /// Positives and negatives as (score, weight), sorted; `None` when unweighted.
    fn sorted_weighted(&self) -> Option<(Weighted, Weighted)> {
        let w = self.weights.as_ref()?;
        let pair = |s: &[f64], w: &[f64]| {
            let mut v: Vec<(f64, f64)> = s.iter().copied().zip(w.iter().copied()).collect();
            sort_pairs(&mut v);
            v
        };
        Some((
            pair(&self.positive, &w.positive),
            pair(&self.negative, &w.negative),
        ))
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
        if let Some((p, n)) = self.sorted_weighted() {
            return roc_auc_weighted(&p, &n);
        }
        let (p, n) = self.sorted();
        roc_auc_sorted(&p, &n)
    }

    /// Average precision: Σ_k (R_k − R_{k−1})·P_k over descending distinct thresholds.
    /// `None` without positives (scikit-learn warns and returns 0 there).
    pub fn average_precision(&self) -> Option<f64> {
        if let Some((p, n)) = self.sorted_weighted() {
            return average_precision_weighted(&p, &n);
        }
        let (p, n) = self.sorted();
        average_precision_sorted(&p, &n)
    }

    /// Expected calibration error on `bins` equal-count (quantile) bins, exactly as
    /// `sklearn.calibration.calibration_curve(strategy="quantile")` bins: edges are numpy-linear
    /// percentiles of the probabilities, a value equal to an edge goes to the lower bin (numpy's
    /// `searchsorted` default), empty bins drop.
    /// ECE = Σ_b (n_b/N)·|mean label_b − mean prob_b|. Scores must be probabilities.
    ///
    /// With sample weights (no scikit-learn counterpart): the edges are the same unweighted
    /// percentiles of the kept rows (weight > 0), and n_b, N, the mean label and the mean
    /// probability of a bin are weighted: ECE = Σ_b (W_b/W)·|Σ_b w·y / W_b − Σ_b w·p / W_b|.
    pub fn calibration_error(&self, bins: i32) -> Result<Option<f64>> {
        let bins = calibration_bins(bins)?;
        if self.is_empty() {
            return Ok(None);
        }
        for &s in self.positive.iter().chain(&self.negative) {
            probability(s, "probability")?;
        }
        // Sorted inputs make every sum below independent of row order (parallel = serial).
        let (pos, neg) = match self.sorted_weighted() {
            Some(pair) => pair,
            None => {
                let (p, n) = self.sorted();
                let unit = |v: Vec<f64>| v.into_iter().map(|x| (x, 1.0)).collect::<Vec<_>>();
                (unit(p), unit(n))
            }
        };
        let mut all: Vec<f64> = pos.iter().chain(&neg).map(|r| r.0).collect();
        sort(&mut all);
        let edges = quantiles_linear(&all, &calibration_quantiles(bins));
        let inner = &edges[1..edges.len() - 1];
        // numpy.searchsorted(inner, x) with the default side="left": a value equal to an edge
        // goes to the lower bin.
        let bin_of = |x: f64| inner.partition_point(|&e| e < x);
        let mut total = vec![0.0; bins];
        let mut prob_sum = vec![0.0; bins];
        let mut label_sum = vec![0.0; bins];
        let mut n = 0.0;
        for (values, label) in [(&pos, 1.0), (&neg, 0.0)] {
            for &(x, w) in values {
                let b = bin_of(x);
                total[b] += w;
                prob_sum[b] += w * x;
                label_sum[b] += w * label;
                n += w;
            }
        }
        let ece = (0..bins)
            .filter(|&b| total[b] > 0.0)
            .map(|b| {
                let t = total[b];
                (t / n) * (label_sum[b] / t - prob_sum[b] / t).abs()
            })
            .sum();
        Ok(Some(ece))
    }
}

/// The quantiles of `calibration_curve`'s equal-count edges, rounded as scikit-learn's
/// `percentile(p, linspace(0, 1, bins + 1) * 100)` rounds them: the fraction times 100, which
/// numpy divides by 100 again. For 3 bins that is 0.33333333333333326, not 1/3: the edge falls
/// a hair below an order statistic, and a probability equal to it goes to the upper bin
/// (`linspace(0, 100, 4) / 100`, used before, gave 0.33333333333333337 and the lower bin: ECE
/// 0.0771 where scikit-learn gives 0.1657, on 7 rounded probabilities).
pub(crate) fn calibration_quantiles(bins: usize) -> Vec<f64> {
    linspace(0.0, 1.0, bins + 1)
        .into_iter()
        .map(|q| (q * 100.0) / 100.0)
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

/// ROC AUC of ascending (score, weight) positives and negatives: Σ w⁺·w⁻ over pairs ordered
/// right plus ½ of the tied pairs, over W⁺·W⁻ — the area under scikit-learn's weighted
/// trapezoidal ROC curve. `None` when a class has no weight.
pub fn roc_auc_weighted(pos: &[(f64, f64)], neg: &[(f64, f64)]) -> Option<f64> {
    // Each class's weights scaled to unit size: w⁺·w⁻ of weights near 1e±155 stay in range.
    let unit = |rows: &[(f64, f64)]| super::unit_scale(rows.iter().fold(0.0, |m, r| m.max(r.1)));
    let (fp, fn_) = (unit(pos), unit(neg));
    let (mut i, mut j) = (0, 0);
    let (mut neg_below, mut num, mut pos_total) = (0.0, 0.0, 0.0);
    while i < pos.len() || j < neg.len() {
        let t = match (pos.get(i), neg.get(j)) {
            (Some(p), Some(n)) => p.0.min(n.0),
            (Some(p), None) => p.0,
            (None, Some(n)) => n.0,
            (None, None) => unreachable!(),
        };
        let (mut p, mut n) = (0.0, 0.0);
        while i < pos.len() && pos[i].0 == t {
            p += pos[i].1 * fp;
            i += 1;
        }
        while j < neg.len() && neg[j].0 == t {
            n += neg[j].1 * fn_;
            j += 1;
        }
        num += p * (neg_below + 0.5 * n);
        neg_below += n;
        pos_total += p;
    }
    (pos_total > 0.0 && neg_below > 0.0).then(|| num / (pos_total * neg_below))
}

/// Average precision of ascending (score, weight) positives and negatives: over descending
/// distinct thresholds, Σ (ΔTP_w / W⁺)·TP_w / (TP_w + FP_w), scikit-learn's weighted step sum.
/// `None` when the positives have no weight.
pub fn average_precision_weighted(pos: &[(f64, f64)], neg: &[(f64, f64)]) -> Option<f64> {
    let total_pos: f64 = pos.iter().map(|r| r.1).sum();
    if total_pos <= 0.0 {
        return None;
    }
    let (mut i, mut j) = (pos.len(), neg.len());
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut ap = 0.0;
    while i > 0 {
        let t = match j {
            0 => pos[i - 1].0,
            _ => pos[i - 1].0.max(neg[j - 1].0),
        };
        let mut dp = 0.0;
        while i > 0 && pos[i - 1].0 == t {
            i -= 1;
            dp += pos[i].1;
        }
        while j > 0 && neg[j - 1].0 == t {
            j -= 1;
            fp += neg[j].1;
        }
        tp += dp;
        if dp > 0.0 {
            ap += dp / total_pos * (tp / (tp + fp));
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
        if o.weights.is_some() {
            self.materialize_weights();
        }
        if let Some(w) = &mut self.weights {
            match &o.weights {
                Some(ow) => {
                    w.positive.extend_from_slice(&ow.positive);
                    w.negative.extend_from_slice(&ow.negative);
                }
                None => {
                    w.positive.resize(w.positive.len() + o.positive.len(), 1.0);
                    w.negative.resize(w.negative.len() + o.negative.len(), 1.0);
                }
            }
        }
        self.positive.extend_from_slice(&o.positive);
        self.negative.extend_from_slice(&o.negative);
        Ok(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        let version = match self.weights {
            None => VERSION,
            Some(_) => VERSION_WEIGHTED,
        };
        let mut w = Writer::new(TAG, version);
        w.f64s(&self.positive);
        w.f64s(&self.negative);
        if let Some(weights) = &self.weights {
            w.f64s(&weights.positive);
            w.f64s(&weights.negative);
        }
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (mut r, version) =
            Reader::open_any_version(bytes, TAG, &[VERSION, VERSION_WEIGHTED], Self::NAME)?;
        let positive = r.f64s(MAX_SCORES)?;
        let negative = r.f64s(MAX_SCORES)?;
        let weights = if version == VERSION_WEIGHTED {
            Some(RankWeights {
                positive: r.f64s(MAX_SCORES)?,
                negative: r.f64s(MAX_SCORES)?,
            })
        } else {
            None
        };
        r.finish()?;
        let s = RankSample {
            positive,
            negative,
            weights,
        };
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
        if let Some(w) = &self.weights {
            if w.positive.len() != self.positive.len() || w.negative.len() != self.negative.len() {
                return Err("one weight per score".into());
            }
            if w.positive
                .iter()
                .chain(&w.negative)
                .any(|&x| !(x.is_finite() && x > 0.0))
            {
                return Err("weights must be finite and positive".into());
            }
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
    fn weighted_auc_does_not_depend_on_the_scale_of_the_weights() {
        // scikit-learn: 0.75 whatever the (common) weight; Σ w⁺·w⁻ of 1e155 overflowed (NaN).
        let rows = [(0.1, true), (0.2, false), (0.3, true), (0.05, false)];
        for w in [1.0, 1e155, 1e300, 1e-200, 2f64.powi(-1000), 1e-310, 5e-324] {
            let mut s = RankSample::default();
            for &(x, y) in &rows {
                s.add_weighted(x, y, w).unwrap();
            }
            // Exactly for powers of two; otherwise to the rounding of the weights' sums.
            let tol = if w.log2().fract() == 0.0 { 0.0 } else { 1e-15 };
            assert!(
                (s.roc_auc().unwrap() - 0.75).abs() <= tol,
                "{w}: {:?}",
                s.roc_auc()
            );
            let mut summary = crate::metrics::score_summary::ScoreSummary::default();
            for &(x, y) in &rows {
                summary.add_weighted(x, y, w).unwrap();
            }
            let e = summary.roc_auc().unwrap().estimate;
            assert!((e - 0.75).abs() <= tol, "{w}: {e}");
        }
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

    /// A state written before weights existed (format version 1) still decodes; weighted states
    /// write version 2 and round trip; unweighted ones keep writing version 1.
    #[test]
    fn decodes_version_1_and_weighted_states() {
        let v1: &[u8] = &[
            77, 76, 114, 107, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 208, 63, 1, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 224, 63,
        ];
        let old = RankSample::from_bytes(v1).unwrap();
        assert_eq!(old, sample(&[(0.25, true), (0.5, false)]));
        assert_eq!(old.to_bytes(), v1);
        let mut w = old.clone();
        w.add_weighted(0.75, false, 2.5).unwrap();
        let bytes = w.to_bytes();
        assert_eq!(bytes[4], VERSION_WEIGHTED);
        assert_eq!(RankSample::from_bytes(&bytes).unwrap(), w);
        for cut in 0..bytes.len() {
            assert!(RankSample::from_bytes(&bytes[..cut]).is_err());
        }
        // A forged weight of 0 or a missing one is refused.
        let mut bad = w.clone();
        bad.weights.as_mut().unwrap().negative[0] = 0.0;
        assert!(RankSample::from_bytes(&bad.to_bytes()).is_err());
        bad.weights.as_mut().unwrap().negative.pop();
        assert!(RankSample::from_bytes(&bad.to_bytes()).is_err());
    }

    /// Integer weights are repeated rows; weight 0 is an absent row; the weight is checked.
    #[test]
    fn integer_weights_repeat_rows() {
        let rows = [
            (0.1, false, 2.0),
            (0.4, false, 0.0),
            (0.35, true, 3.0),
            (0.4, true, 1.0),
            (0.8, false, 1.0),
        ];
        let (mut w, mut rep) = (RankSample::default(), RankSample::default());
        for &(x, y, n) in &rows {
            w.add_weighted(x, y, n).unwrap();
            for _ in 0..n as usize {
                rep.add(x, y).unwrap();
            }
        }
        assert!((w.roc_auc().unwrap() - rep.roc_auc().unwrap()).abs() < 1e-15);
        let (a, b) = (
            w.average_precision().unwrap(),
            rep.average_precision().unwrap(),
        );
        assert!((a - b).abs() < 1e-15);
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let e = w.add_weighted(0.5, true, bad).unwrap_err();
            assert!(format!("{e:?}").contains("weight must be finite and non-negative"));
        }
    }

    #[test]
    fn rejects_non_finite() {
        let mut s = RankSample::default();
        assert!(s.add(f64::NAN, true).is_err());
        assert!(s.add(f64::INFINITY, true).is_err());
    }
}
