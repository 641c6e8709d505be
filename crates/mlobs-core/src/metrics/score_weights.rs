//! Sample weights of `mlobs.score_summary` (`score_agg(score, label, weight)`): the weighted
//! transition, the bins' weight sums, and ROC AUC / average precision with their bounds from weight
//! sums. The rest of the summary (format, merge, calibration error, losses) reads them through
//! `ordered_weights` and `weight_totals`; see score_summary.rs for the format.

use super::probability;
use super::score_summary::{Bounded, ScoreSummary};
use crate::error::{CoreError, Result};

impl ScoreSummary {
    /// Adds one row with a sample weight (finite, ≥ 0); a row of weight 0 is checked and not
    /// summarised.
    pub fn add_weighted(&mut self, score: f64, positive: bool, weight: f64) -> Result<()> {
        super::ranking::check_weight(weight)?;
        if weight == 1.0 {
            return self.add(score, positive);
        }
        probability(score, "score")?;
        if weight == 0.0 {
            return Ok(());
        }
        self.materialize_weights();
        let b = self.bin(score);
        self.bins.slot(b, self.grid)[positive as usize] += 1;
        if let Some(w) = &mut self.weights {
            w.slot(b, self.grid)[positive as usize] += weight;
        }
        let (p_true, y) = if positive {
            (score, 1.0)
        } else {
            (1.0 - score, 0.0)
        };
        self.log_loss_sum -= weight * p_true.clamp(f64::EPSILON, 1.0 - f64::EPSILON).ln();
        self.brier_sum += weight * (y - score) * (y - score);
        let bin_weight = self.weights.as_ref().and_then(|w| w.get(b)).copied();
        self.check_overflow(bin_weight.into_iter())
    }

    /// Weighted sums must stay finite: a summary holding ±Infinity is refused when it is read
    /// back (validate), so one stored by the aggregate could no longer be read or dumped.
    /// `bins`: the bin weights that changed.
    pub(crate) fn check_overflow(&self, mut bins: impl Iterator<Item = [f64; 2]>) -> Result<()> {
        if self.log_loss_sum.is_finite()
            && self.brier_sum.is_finite()
            && bins.all(|w| w[0].is_finite() && w[1].is_finite())
        {
            Ok(())
        } else {
            Err(CoreError::out_of_range(
                "the weighted sums overflow float8 (sample weights near 1.8e308)",
            ))
        }
    }

    /// Gives every row summarised so far its weight 1 explicitly.
    pub(crate) fn materialize_weights(&mut self) {
        if self.weights.is_none() {
            self.weights = Some(self.bins.map(|c| [c[0] as f64, c[1] as f64]));
        }
    }

    pub fn is_weighted(&self) -> bool {
        self.weights.is_some()
    }

    /// Non-empty bins in ascending order with their [negative, positive] weight sums (the
    /// counts when unweighted).
    pub(crate) fn ordered_weights(&self) -> Vec<(u32, [f64; 2])> {
        self.ordered()
            .into_iter()
            .map(|(b, c)| {
                let w = match &self.weights {
                    Some(w) => *w.get(b).expect("weights cover the stored bins"),
                    None => [c[0] as f64, c[1] as f64],
                };
                (b, w)
            })
            .collect()
    }

    /// Summed weight of [negatives, positives].
    pub(crate) fn weight_totals(&self) -> (f64, f64) {
        self.ordered_weights()
            .iter()
            .fold((0.0, 0.0), |(n, p), (_, w)| (n + w[0], p + w[1]))
    }

    /// `roc_auc` with weight sums for counts: pairs weigh w⁺·w⁻, the bound is
    /// ±½·Σ_b W⁺_b·W⁻_b / (W⁺·W⁻).
    pub(crate) fn roc_auc_weighted(&self) -> Option<Bounded> {
        // Each class's weights scaled to unit size: w⁺·w⁻ near 1e±155 stay in range.
        let bins = self.ordered_weights();
        let unit = |c: usize| super::unit_scale(bins.iter().fold(0.0, |m, (_, w)| m.max(w[c])));
        let (fn_, fp) = (unit(0), unit(1));
        let (mut below, mut above, mut num, mut same) = (0.0, 0.0, 0.0, 0.0);
        for (_, [n, p]) in &bins {
            let (n, p) = (n * fn_, p * fp);
            num += p * (below + 0.5 * n);
            same += p * n;
            below += n;
            above += p;
        }
        // (Scaling keeps a positive total positive: `None` when a class has no weight.)
        if !(below > 0.0 && above > 0.0) {
            return None;
        }
        let pairs = above * below;
        let estimate = num / pairs;
        let half_width = 0.5 * same / pairs;
        Some(Bounded {
            estimate,
            lower: (estimate - half_width).max(0.0),
            upper: (estimate + half_width).min(1.0),
        })
    }

    /// `pr_auc` with weight sums for counts. A positive of weight w in bin b, with weight a of
    /// positives and c of negatives in higher bins, has precision between (a+w)/(a+w+c+n_b) and
    /// (a+p_b)/(a+p_b+c); w is not kept, and the lower end only grows with it, so the lower bound
    /// takes w → 0: a/(a+c+n_b).
    pub(crate) fn pr_auc_weighted(&self) -> Option<Bounded> {
        let (_, total) = self.weight_totals();
        if total <= 0.0 {
            return None;
        }
        let (mut a, mut c) = (0.0, 0.0);
        let (mut est, mut lo, mut hi) = (0.0, 0.0, 0.0);
        for (_, [n, p]) in self.ordered_weights().into_iter().rev() {
            if p > 0.0 {
                let share = p / total;
                est += share * (a + p) / (a + p + c + n);
                if a > 0.0 {
                    lo += share * a / (a + c + n);
                }
                hi += share * (a + p) / (a + p + c);
            }
            a += p;
            c += n;
        }
        Some(Bounded {
            estimate: est,
            lower: lo.min(est),
            upper: hi.max(est),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::score_summary::VERSION_WEIGHTED;
    use super::*;
    use crate::summary::Summary;

    /// A summary stored before weights existed (format version 1) still decodes and merges with
    /// a weighted one (its rows weigh 1); weighted summaries write version 2 and round trip.
    #[test]
    fn decodes_version_1_and_merges_it_with_weighted() {
        let v1: &[u8] = &[
            77, 76, 115, 99, 1, 10, 0, 0, 0, 126, 253, 67, 128, 121, 122, 1, 64, 174, 71, 225, 122,
            20, 174, 235, 63, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
            0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        let old = ScoreSummary::from_bytes(v1).unwrap();
        let mut plain = ScoreSummary::new(10).unwrap();
        plain.add(0.25, true).unwrap();
        plain.add(0.55, false).unwrap();
        assert_eq!(old, plain);
        assert_eq!(plain.to_bytes(), v1);
        let mut w = ScoreSummary::new(10).unwrap();
        w.add_weighted(0.95, true, 2.5).unwrap();
        w.add_weighted(0.05, false, 0.0).unwrap(); // not summarised
        let bytes = w.to_bytes();
        assert_eq!(bytes[4], VERSION_WEIGHTED);
        assert_eq!(ScoreSummary::from_bytes(&bytes).unwrap(), w);
        assert_eq!(ScoreSummary::from_json(&w.to_json()).unwrap(), w);
        for cut in 0..bytes.len() {
            assert!(ScoreSummary::from_bytes(&bytes[..cut]).is_err());
        }
        let mut rolled = old.clone();
        rolled.merge(&w).unwrap();
        let mut direct = ScoreSummary::new(10).unwrap();
        direct.add_weighted(0.25, true, 1.0).unwrap();
        direct.add_weighted(0.55, false, 1.0).unwrap();
        direct.add_weighted(0.95, true, 2.5).unwrap();
        assert_eq!(rolled.count(), 3);
        assert_eq!(rolled.weights, direct.weights);
        // Positives weigh 3.5 (0.25 ×1, 0.95 ×2.5) against one negative at 0.55.
        let auc = rolled.roc_auc().unwrap();
        assert!((auc.estimate - 2.5 / 3.5).abs() < 1e-15, "{auc:?}");
        assert!((rolled.log_loss().unwrap() - direct.log_loss().unwrap()).abs() < 1e-15);
        // A forged weight for a class without rows is refused.
        let mut bad = w.clone();
        bad.weights.as_mut().unwrap().get_mut(9).unwrap()[0] = 1.0;
        assert!(ScoreSummary::from_bytes(&bad.to_bytes()).is_err());
    }
}
