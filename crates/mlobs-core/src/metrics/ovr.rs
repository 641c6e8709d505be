//! Multiclass ROC AUC as scikit-learn's `roc_auc_score(multi_class=..., average=...)`:
//! one-vs-rest (column k of the probability array scores class k against the rest) with macro
//! or prevalence-weighted average, and one-vs-one (Hand & Till) with macro or weighted average;
//! one-vs-rest average precision (`average_precision_score` of the one-hot labels, macro or
//! weighted) on the same state. Rows must be probability vectors (sum 1 within numpy's
//! `allclose` tolerance), as scikit-learn requires for AUC.
//!
//! Sample weights (scikit-learn's `sample_weight`) apply to the one-vs-rest AUC and average
//! precision, and to their class-prevalence averages (supports are weight sums); scikit-learn's
//! one-vs-one AUC takes none, so the one-vs-one results ignore weights (and leave out rows of
//! weight 0). Weights are kept only once a row's weight is not 1; a row of weight 0 is kept, so
//! that its class counts as present (with weight 0) in the weighted averages.

use super::loss::class_index;
use super::probability;
use super::ranking::{
    average_precision_sorted, average_precision_weighted, check_weight, roc_auc_sorted,
    roc_auc_weighted, Weighted, MAX_SCORES,
};
use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLov";
const VERSION: u8 = 1;
/// Format of a state holding sample weights: version 1 plus the rows' weights. Unweighted states
/// keep writing version 1.
const VERSION_WEIGHTED: u8 = 2;
pub const MAX_CLASSES: usize = 1000;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OvrSample {
    pub classes: u32,
    /// Row-major probabilities, `classes` per row.
    pub probs: Vec<f64>,
    pub labels: Vec<u32>,
    /// One sample weight per row; `None` while every row has weight 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<f64>>,
}

impl OvrSample {
    pub fn add(&mut self, probs: &[f64], label: i64) -> Result<()> {
        self.add_weighted(probs, label, 1.0)
    }

    /// Adds one row with a sample weight (finite, ≥ 0); a row of weight 0 is checked and dropped.
    pub fn add_weighted(&mut self, probs: &[f64], label: i64, weight: f64) -> Result<()> {
        check_weight(weight)?;
        let k = probs.len();
        if !(2..=MAX_CLASSES).contains(&k) {
            return Err(CoreError::invalid_parameter(format!(
                "probabilities must have between 2 and {MAX_CLASSES} classes, got {k}"
            )));
        }
        if !self.labels.is_empty() && self.classes as usize != k {
            return Err(CoreError::mismatch(format!(
                "every row must have {} class probabilities, got {k}",
                self.classes
            )));
        }
        for (i, &p) in probs.iter().enumerate() {
            probability(p, &format!("probabilities[{}]", i + 1))?;
        }
        let sum: f64 = probs.iter().sum();
        if (sum - 1.0).abs() > 1e-8 + 1e-5 {
            return Err(CoreError::invalid_parameter(format!(
                "probabilities must sum to 1 for multiclass AUC and average precision, got {sum}"
            )));
        }
        let y = class_index(label, k)?;
        if self.probs.len() + k > MAX_SCORES {
            return Err(CoreError::limit_exceeded(format!(
                "exact multiclass AUC keeps at most {MAX_SCORES} probabilities"
            )));
        }
        // A row of weight 0 is kept: its class is then present with weight 0, which
        // scikit-learn's weighted one-vs-rest average drops (a class without rows raises there).
        if weight != 1.0 && self.weights.is_none() {
            self.weights = Some(vec![1.0; self.labels.len()]);
        }
        if let Some(w) = &mut self.weights {
            w.push(weight);
        }
        self.classes = k as u32;
        self.probs.extend_from_slice(probs);
        self.labels.push(y as u32);
        Ok(())
    }

    /// Column `col`'s (score, weight) pairs split into rows labelled `positive` and the rest,
    /// each sorted; `None` when unweighted.
    fn split_weighted(&self, col: usize, positive: usize) -> Option<(Weighted, Weighted)> {
        let weights = self.weights.as_ref()?;
        let k = self.classes as usize;
        let (mut pos, mut neg) = (Vec::new(), Vec::new());
        for (row, (&y, &w)) in self.labels.iter().zip(weights).enumerate() {
            let p = (self.probs[row * k + col], w);
            if y as usize == positive {
                pos.push(p);
            } else {
                neg.push(p);
            }
        }
        let order = |a: &(f64, f64), b: &(f64, f64)| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1));
        pos.sort_unstable_by(order);
        neg.sort_unstable_by(order);
        Some((pos, neg))
    }

    /// Column `col`'s scores of the rows whose label `keep` accepts, split into those labelled
    /// `positive` and the rest, each ascending.
    fn split(
        &self,
        col: usize,
        positive: usize,
        keep: impl Fn(usize) -> bool,
    ) -> (Vec<f64>, Vec<f64>) {
        let k = self.classes as usize;
        let (mut pos, mut neg) = (Vec::new(), Vec::new());
        for (row, &y) in self.labels.iter().enumerate() {
            let y = y as usize;
            if !keep(y) {
                continue;
            }
            let p = self.probs[row * k + col];
            if y == positive {
                pos.push(p);
            } else {
                neg.push(p);
            }
        }
        pos.sort_unstable_by(f64::total_cmp);
        neg.sort_unstable_by(f64::total_cmp);
        (pos, neg)
    }

    /// AUC of column `col` with `positive` as the positive class, over the rows whose label
    /// `keep` accepts; `None` without a positive or a negative row.
    fn auc(&self, col: usize, positive: usize, keep: impl Fn(usize) -> bool) -> Option<f64> {
        let (pos, neg) = self.split(col, positive, keep);
        roc_auc_sorted(&pos, &neg)
    }

    /// Rows per class.
    fn counts(&self) -> Vec<f64> {
        let mut n = vec![0.0; self.classes as usize];
        for &y in &self.labels {
            n[y as usize] += 1.0;
        }
        n
    }

    /// Summed sample weight per class (rows per class when unweighted), summed in ascending
    /// order so that the result does not depend on row order (parallel = serial).
    fn supports(&self) -> Vec<f64> {
        let Some(weights) = &self.weights else {
            return self.counts();
        };
        let mut per_class = vec![Vec::new(); self.classes as usize];
        for (&y, &w) in self.labels.iter().zip(weights) {
            per_class[y as usize].push(w);
        }
        per_class
            .into_iter()
            .map(|mut v| {
                v.sort_unstable_by(f64::total_cmp);
                v.iter().sum()
            })
            .collect()
    }

    /// One-vs-rest AUC of every class; `None` when empty or when a class has no positive or no
    /// negative row (scikit-learn raises there: every column must be a class of y_true).
    fn ovr_aucs(&self) -> Option<Vec<f64>> {
        if self.labels.is_empty() {
            return None;
        }
        (0..self.classes as usize)
            .map(|c| self.ovr_auc(c))
            .collect()
    }

    /// One-vs-rest AUC of class `c`; `None` when it has no positive or no negative row (or no
    /// weight on either side).
    fn ovr_auc(&self, c: usize) -> Option<f64> {
        match self.split_weighted(c, c) {
            Some((pos, neg)) => roc_auc_weighted(&pos, &neg),
            None => self.auc(c, c, |_| true),
        }
    }

    /// Macro-average of per-class AUCs; `None` when empty or when a class has no positive or
    /// no negative row (scikit-learn raises there).
    pub fn roc_auc_macro(&self) -> Option<f64> {
        let aucs = self.ovr_aucs()?;
        Some(aucs.iter().sum::<f64>() / aucs.len() as f64)
    }

    /// One-vs-rest AUCs averaged with the class prevalences as weights
    /// (`roc_auc_score(multi_class="ovr", average="weighted")`). A class whose rows all weigh 0
    /// has weight 0 and drops out, as scikit-learn forces its (undefined) score to 0 there;
    /// `None` when empty, when a class has no row at all (scikit-learn raises), when the total
    /// weight is 0, or when a weighted class has no negative weight.
    pub fn roc_auc_ovr_weighted(&self) -> Option<f64> {
        if self.labels.is_empty() || self.counts().contains(&0.0) {
            return None;
        }
        let n = self.supports();
        let total: f64 = n.iter().sum();
        if total <= 0.0 {
            return None;
        }
        let mut sum = 0.0;
        for (c, &w) in n.iter().enumerate() {
            if w > 0.0 {
                sum += self.ovr_auc(c)? * w;
            }
        }
        Some(sum / total)
    }

    /// One-vs-one AUC (Hand & Till 2001), `roc_auc_score(multi_class="ovo")`: for every pair of
    /// classes a < b, over the rows labelled a or b, the mean of AUC(column a, a positive) and
    /// AUC(column b, b positive); then the mean over pairs (`macro`) or the mean weighted by the
    /// share of rows in the pair (`weighted`). `None` when empty or a class has no row. Sample
    /// weights are ignored (scikit-learn's one-vs-one AUC takes none).
    pub fn roc_auc_ovo(&self, weighted: bool) -> Option<f64> {
        if self.weights.as_ref().is_some_and(|w| w.contains(&0.0)) {
            return self.without_zero_weights().roc_auc_ovo(weighted);
        }
        let k = self.classes as usize;
        if self.labels.is_empty() {
            return None;
        }
        let n = self.counts();
        if n.contains(&0.0) {
            return None;
        }
        let total = self.labels.len() as f64;
        let (mut sum, mut weights) = (0.0, 0.0);
        for a in 0..k {
            for b in a + 1..k {
                let pair = |y: usize| y == a || y == b;
                let score = (self.auc(a, a, pair)? + self.auc(b, b, pair)?) / 2.0;
                let w = if weighted { (n[a] + n[b]) / total } else { 1.0 };
                sum += score * w;
                weights += w;
            }
        }
        Some(sum / weights)
    }

    /// The rows of positive weight.
    fn without_zero_weights(&self) -> Self {
        let k = self.classes as usize;
        let mut out = OvrSample {
            classes: self.classes,
            weights: Some(Vec::new()),
            ..Default::default()
        };
        let weights = self.weights.as_deref().unwrap_or(&[]);
        for (row, (&y, &w)) in self.labels.iter().zip(weights).enumerate() {
            if w > 0.0 {
                out.labels.push(y);
                out.probs
                    .extend_from_slice(&self.probs[row * k..(row + 1) * k]);
                if let Some(ws) = &mut out.weights {
                    ws.push(w);
                }
            }
        }
        out
    }

    /// One-vs-rest average precision of every class: column c scored against "label = c", the
    /// step sum of `pr_auc_agg` (`average_precision_sorted`); `None` for a class without a
    /// positive row (scikit-learn warns and counts 0 there).
    fn ovr_aps(&self) -> Vec<Option<f64>> {
        (0..self.classes as usize)
            .map(|c| match self.split_weighted(c, c) {
                Some((pos, neg)) => average_precision_weighted(&pos, &neg),
                None => {
                    let (pos, neg) = self.split(c, c, |_| true);
                    average_precision_sorted(&pos, &neg)
                }
            })
            .collect()
    }

    /// Macro-average of the one-vs-rest average precisions, scikit-learn's
    /// `average_precision_score(label_binarize(y, classes=range(K)), p, average="macro")`.
    /// `None` when empty or when a class has no positive row: its AP is undefined (NULL in
    /// `pr_auc_agg`), where scikit-learn warns and averages in a 0.
    pub fn average_precision_macro(&self) -> Option<f64> {
        if self.labels.is_empty() {
            return None;
        }
        let aps = self.ovr_aps().into_iter().collect::<Option<Vec<f64>>>()?;
        Some(aps.iter().sum::<f64>() / aps.len() as f64)
    }

    /// One-vs-rest average precisions weighted by the class prevalences (`average="weighted"`);
    /// a class without rows has weight 0 and drops out, as in scikit-learn. `None` when empty.
    pub fn average_precision_weighted(&self) -> Option<f64> {
        if self.labels.is_empty() {
            return None;
        }
        let n = self.supports();
        let total: f64 = n.iter().sum();
        let sum: f64 = self
            .ovr_aps()
            .iter()
            .zip(&n)
            .filter_map(|(ap, &w)| ap.map(|a| a * w))
            .sum();
        Some(sum / total)
    }
}

/// Is `label` among the `k` best-scored classes of one row? The per-row hit of scikit-learn's
/// `top_k_accuracy_score(labels=range(K))`, whose (weighted) mean is top-k accuracy:
///  * K ≥ 3: classes ranked by `argsort(kind="mergesort")[::-1]`, so among equal scores the
///    higher class index ranks first; scores need only be finite (decision values work);
///  * K = 2 (scikit-learn's binary rule, on the probability of class 1): k = 1 predicts class 1
///    when `scores[2] > 0.5`, k ≥ 2 always hits; the scores must be probabilities in [0, 1].
pub fn in_top_k(scores: &[f64], label: i64, k: i32) -> Result<bool> {
    let n = scores.len();
    if !(2..=MAX_CLASSES).contains(&n) {
        return Err(CoreError::invalid_parameter(format!(
            "scores must have between 2 and {MAX_CLASSES} classes, got {n}"
        )));
    }
    if k < 1 {
        return Err(CoreError::invalid_parameter(format!(
            "k must be at least 1, got {k}"
        )));
    }
    for (i, &s) in scores.iter().enumerate() {
        if n == 2 {
            probability(s, &format!("scores[{}]", i + 1))?;
        } else {
            super::finite(s, &format!("scores[{}]", i + 1))?;
        }
    }
    let y = class_index(label, n)?;
    if n == 2 {
        return Ok(k >= 2 || (scores[1] > 0.5) == (y == 1));
    }
    let sy = scores[y];
    let ahead = scores
        .iter()
        .enumerate()
        .filter(|&(j, &s)| s > sy || (s == sy && j > y))
        .count();
    Ok(ahead < k as usize)
}

impl Summary for OvrSample {
    const NAME: &'static str = "multiclass AUC state";

    fn merge(&mut self, o: &Self) -> Result<()> {
        if o.labels.is_empty() {
            return Ok(());
        }
        if !self.labels.is_empty() && self.classes != o.classes {
            return Err(CoreError::mismatch(
                "every row must have the same number of class probabilities",
            ));
        }
        if self.probs.len() + o.probs.len() > MAX_SCORES {
            return Err(CoreError::limit_exceeded(format!(
                "exact multiclass AUC keeps at most {MAX_SCORES} probabilities"
            )));
        }
        if o.weights.is_some() && self.weights.is_none() {
            self.weights = Some(vec![1.0; self.labels.len()]);
        }
        if let Some(w) = &mut self.weights {
            match &o.weights {
                Some(ow) => w.extend_from_slice(ow),
                None => w.resize(w.len() + o.labels.len(), 1.0),
            }
        }
        self.classes = o.classes;
        self.probs.extend_from_slice(&o.probs);
        self.labels.extend_from_slice(&o.labels);
        Ok(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        let version = match self.weights {
            None => VERSION,
            Some(_) => VERSION_WEIGHTED,
        };
        let mut w = Writer::new(TAG, version);
        w.u32(self.classes);
        w.f64s(&self.probs);
        w.u64s(&self.labels.iter().map(|&l| l as u64).collect::<Vec<_>>());
        if let Some(weights) = &self.weights {
            w.f64s(weights);
        }
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (mut r, version) =
            Reader::open_any_version(bytes, TAG, &[VERSION, VERSION_WEIGHTED], Self::NAME)?;
        let classes = r.u32()?;
        let probs = r.f64s(MAX_SCORES)?;
        let labels = r.u64s(MAX_SCORES)?;
        let weights = match version {
            VERSION_WEIGHTED => Some(r.f64s(MAX_SCORES)?),
            _ => None,
        };
        r.finish()?;
        if labels.iter().any(|&l| l >= classes as u64) {
            return Err(CoreError::invalid_binary(
                "invalid multiclass AUC state: label out of range",
            ));
        }
        let s = OvrSample {
            classes,
            probs,
            labels: labels.into_iter().map(|l| l as u32).collect(),
            weights,
        };
        s.decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let k = self.classes as usize;
        if let Some(w) = &self.weights {
            if w.len() != self.labels.len() {
                return Err("one weight per row".into());
            }
            if w.iter().any(|&x| !(x.is_finite() && x >= 0.0)) {
                return Err("weights must be finite and not negative".into());
            }
        }
        if self.labels.is_empty() {
            return if self.probs.is_empty() {
                Ok(())
            } else {
                Err("probabilities without labels".into())
            };
        }
        if !(2..=MAX_CLASSES).contains(&k) || self.probs.len() != k * self.labels.len() {
            return Err("inconsistent shape".into());
        }
        if self.probs.iter().any(|p| !(0.0..=1.0).contains(p)) {
            return Err("probabilities outside [0, 1]".into());
        }
        if self.labels.iter().any(|&l| l as usize >= k) {
            return Err("label out of range".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state written before weights existed (version 1) still decodes; weighted states write
    /// version 2 and round trip; one-vs-one ignores weights.
    #[test]
    fn decodes_version_1_and_weighted_states() {
        let v1: &[u8] = &[
            77, 76, 111, 118, 1, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 208, 63, 0, 0, 0, 0, 0,
            0, 232, 63, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
        ];
        let old = OvrSample::from_bytes(v1).unwrap();
        let mut plain = OvrSample::default();
        plain.add(&[0.25, 0.75], 1).unwrap();
        assert_eq!(old, plain);
        assert_eq!(plain.to_bytes(), v1);
        let mut w = old.clone();
        w.add_weighted(&[0.6, 0.4], 0, 3.0).unwrap();
        w.add_weighted(&[0.9, 0.1], 1, 0.0).unwrap(); // kept with weight 0, left out of OvO
        assert_eq!(w.labels.len(), 3);
        let bytes = w.to_bytes();
        assert_eq!(bytes[4], VERSION_WEIGHTED);
        assert_eq!(OvrSample::from_bytes(&bytes).unwrap(), w);
        for cut in 0..bytes.len() {
            assert!(OvrSample::from_bytes(&bytes[..cut]).is_err());
        }
        let mut unweighted = plain.clone();
        unweighted.add(&[0.6, 0.4], 0).unwrap();
        assert_eq!(w.roc_auc_ovo(true), unweighted.roc_auc_ovo(true));
        assert!(w.add_weighted(&[0.5, 0.5], 0, -1.0).is_err());
    }
}
