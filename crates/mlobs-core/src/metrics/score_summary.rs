//! `mlobs.score_summary`: per-class counts of probability scores on a fine grid of equal-width
//! bins over [0, 1]. Bounded (sparse; at most `grid` bins), exactly mergeable, and good for
//! ROC AUC and average precision over any window without rescanning rows.
//!
//! Error bound: the summary cannot order a positive and a negative that share a bin. Counting
//! those pairs as ties (½) gives the AUC estimate, and the exact AUC lies within
//! ±½·Σ_b pos_b·neg_b / (P·N) of it, a bound computed from the summary itself. For average
//! precision each positive's precision is bracketed by the counts above its bin (see
//! `pr_auc_bounds`). Finer grids tighten both; scores that are already rounded to the grid are
//! exact.
//!
//! Sample weights (`score_agg(score, label, weight)`): a weighted summary keeps, beside each bin's
//! row counts, its summed weights per class, and every result uses weight sums where the
//! unweighted one uses counts (the bounds too; a row's own weight is not kept, so the AP lower
//! bound uses the weight above the bin only). The weights are stored only once a row's weight is
//! not 1, so a summary of unit weights is the unweighted one, byte for byte; weighted and
//! unweighted summaries merge (an unweighted row weighs 1). Rows of weight 0 change no result
//! and are not summarised. The equal-count calibration bins stay equal in rows (as `ece_agg`).
//! The weighted transition and AUC / AP are in score_weights.rs.

use super::log_product::LogProduct;
use super::probability;
use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};
use crate::sketch::add_counts;
use crate::summary::Summary;
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLsc";
const VERSION: u8 = 1;
/// Format of a weighted summary: version 1, then per stored bin (in bin order) the summed
/// weights of negatives and positives. Unweighted summaries keep writing version 1.
pub(crate) const VERSION_WEIGHTED: u8 = 2;
pub const DEFAULT_GRID: u32 = 10_000;
pub const MAX_GRID: u32 = 1_000_000;

use super::grid_bins::GridBins;

/// Bin → [negatives, positives].
pub type Bins = GridBins<[u64; 2]>;
/// Bin → [summed weight of negatives, of positives].
pub type WeightBins = GridBins<[f64; 2]>;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, into = "ScoreSummaryJson")]
pub struct ScoreSummary {
    /// Number of equal-width bins over [0, 1].
    pub grid: u32,
    /// Bin → [negatives, positives]; only non-empty bins are stored.
    pub bins: Bins,
    /// Σ log loss and Σ Brier score of the exact probabilities (scikit-learn's definitions), so
    /// both merge across windows exactly up to float rounding. The log loss of the rows of unit
    /// weight added since the summary was decoded is −ln of `log_true` (`log_loss_total`).
    #[serde(default)]
    pub log_loss_sum: f64,
    #[serde(default)]
    pub brier_sum: f64,
    /// Bin → [summed weight of negatives, of positives], for every stored bin; `None` while
    /// every row has weight 1. The loss sums are then weighted sums.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<WeightBins>,
    /// The product of the clipped probabilities of the true class of unit-weight rows.
    #[serde(skip)]
    log_true: LogProduct,
}

/// The JSON form: `log_loss_sum` is the whole sum.
#[derive(Serialize)]
struct ScoreSummaryJson {
    grid: u32,
    bins: Bins,
    log_loss_sum: f64,
    brier_sum: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    weights: Option<WeightBins>,
}

impl From<ScoreSummary> for ScoreSummaryJson {
    fn from(s: ScoreSummary) -> Self {
        ScoreSummaryJson {
            log_loss_sum: s.log_loss_total(),
            grid: s.grid,
            bins: s.bins,
            brier_sum: s.brier_sum,
            weights: s.weights,
        }
    }
}

/// Equal summaries: equal fields, the log loss compared as a whole.
impl PartialEq for ScoreSummary {
    fn eq(&self, o: &Self) -> bool {
        self.grid == o.grid
            && self.bins == o.bins
            && self.log_loss_total() == o.log_loss_total()
            && self.brier_sum == o.brier_sum
            && self.weights == o.weights
    }
}

impl Default for ScoreSummary {
    fn default() -> Self {
        Self::new(i64::from(DEFAULT_GRID)).expect("valid default")
    }
}

/// An estimate with the interval the exact value is guaranteed to lie in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounded {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
}

impl ScoreSummary {
    /// `grid` as SQL passes it (any integer): out of range, it is reported as given.
    pub fn new(grid: i64) -> Result<Self> {
        if !(10..=i64::from(MAX_GRID)).contains(&grid) {
            return Err(CoreError::invalid_parameter(format!(
                "grid must be between 10 and {MAX_GRID} bins, got {grid}"
            )));
        }
        Ok(Self {
            grid: grid as u32,
            bins: Bins::default(),
            log_loss_sum: 0.0,
            brier_sum: 0.0,
            weights: None,
            log_true: LogProduct::default(),
        })
    }

    pub(crate) fn bin(&self, score: f64) -> u32 {
        ((score * self.grid as f64) as u32).min(self.grid - 1)
    }

    /// Adds one row; the score must be a probability.
    pub fn add(&mut self, score: f64, positive: bool) -> Result<()> {
        let b = self.add_uncounted(score, positive)?;
        self.count_row(b, positive);
        Ok(())
    }

    /// `add` but for the row's bin count, which the caller owes: `count_row(bin, positive)`
    /// with the bin returned (`ScoreAccumulator` defers it). Integer counts commute, so a later
    /// count leaves every result as it was.
    #[inline]
    pub(crate) fn add_uncounted(&mut self, score: f64, positive: bool) -> Result<u32> {
        probability(score, "score")?;
        let b = self.bin(score);
        let (p_true, y) = if positive {
            (score, 1.0)
        } else {
            (1.0 - score, 0.0)
        };
        let brier = (y - score) * (y - score);
        if let Some(w) = &mut self.weights {
            w.slot(b, self.grid)[positive as usize] += 1.0;
        }
        self.log_true
            .push(p_true.clamp(f64::EPSILON, 1.0 - f64::EPSILON));
        self.brier_sum += brier;
        Ok(b)
    }

    /// Counts one row in bin `b`.
    #[inline]
    pub(crate) fn count_row(&mut self, b: u32, positive: bool) {
        self.bins.slot(b, self.grid)[positive as usize] += 1;
    }

    /// Non-empty bins in ascending order.
    pub(crate) fn ordered(&self) -> Vec<(u32, [u64; 2])> {
        let mut v: Vec<(u32, [u64; 2])> = self.bins.iter().map(|(b, &c)| (b, c)).collect();
        v.sort_unstable_by_key(|e| e.0);
        v
    }

    fn totals(&self) -> (u64, u64) {
        self.bins
            .values()
            .fold((0, 0), |(n, p), c| (n + c[0], p + c[1]))
    }

    pub fn count(&self) -> u64 {
        let (n, p) = self.totals();
        n + p
    }

    /// The denominator of the mean losses: rows, or the summed weight of a weighted summary.
    fn loss_denominator(&self) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        match self.weights {
            None => Some(n as f64),
            Some(_) => {
                let (neg, pos) = self.weight_totals();
                Some(neg + pos)
            }
        }
    }

    /// Σ log loss (weighted by the sample weights).
    pub fn log_loss_total(&self) -> f64 {
        self.log_loss_sum - self.log_true.ln()
    }

    /// Mean log loss (probabilities clipped to [ε, 1 − ε]), weighted by the sample weights;
    /// `None` when empty.
    pub fn log_loss(&self) -> Option<f64> {
        self.loss_denominator().map(|n| self.log_loss_total() / n)
    }

    /// Mean Brier score (y − p)², weighted by the sample weights; `None` when empty.
    pub fn brier(&self) -> Option<f64> {
        self.loss_denominator().map(|n| self.brier_sum / n)
    }

    /// ROC AUC with pairs inside one bin counted as ties; `None` when a class is absent.
    pub fn roc_auc(&self) -> Option<Bounded> {
        if self.weights.is_some() {
            return self.roc_auc_weighted();
        }
        let (neg, pos) = self.totals();
        if neg == 0 || pos == 0 {
            return None;
        }
        let (mut below, mut twice_u, mut same) = (0u128, 0u128, 0u128);
        for (_, c) in self.ordered() {
            let (n, p) = (c[0] as u128, c[1] as u128);
            twice_u += p * (2 * below + n);
            same += p * n;
            below += n;
        }
        let pairs = 2.0 * pos as f64 * neg as f64;
        let estimate = twice_u as f64 / pairs;
        let half_width = same as f64 / pairs;
        Some(Bounded {
            estimate,
            lower: (estimate - half_width).max(0.0),
            upper: (estimate + half_width).min(1.0),
        })
    }

    /// Average precision with each bin one threshold (the exact AP of scores rounded to the
    /// grid), and bounds: a positive in bin b, with a positives and c negatives in higher bins,
    /// has precision between (a+1)/(a+1+c+n_b) and (a+p_b)/(a+p_b+c), whatever the order inside
    /// the bin. `None` without positives.
    pub fn pr_auc(&self) -> Option<Bounded> {
        if self.weights.is_some() {
            return self.pr_auc_weighted();
        }
        let (_, pos) = self.totals();
        if pos == 0 {
            return None;
        }
        let total = pos as f64;
        let (mut a, mut c) = (0u64, 0u64);
        let (mut est, mut lo, mut hi) = (0.0, 0.0, 0.0);
        for (_, counts) in self.ordered().into_iter().rev() {
            let (n, p) = (counts[0], counts[1]);
            if p > 0 {
                let share = p as f64 / total;
                est += share * (a + p) as f64 / (a + p + c + n) as f64;
                lo += share * (a + 1) as f64 / (a + 1 + c + n) as f64;
                hi += share * (a + p) as f64 / (a + p + c) as f64;
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

    /// Expected calibration error on `bins` equal-count bins (the definition of `ece_agg`),
    /// estimated from the grid: each grid bin counts as its midpoint and goes wholly to one
    /// equal-count bin. Bound: midpoints move Σ p by at most N/(2·grid), and only rows in the grid
    /// bins holding the order statistics next to an equal-count edge can change sides, each
    /// moving the sum by at most 2/N. `None` when empty.
    pub fn calibration_error(&self, bins: i32) -> Result<Option<Bounded>> {
        let bins = super::ranking::calibration_bins(bins)?;
        let ordered = self.ordered();
        let n = self.count();
        if n == 0 {
            return Ok(None);
        }
        let width = 1.0 / self.grid as f64;
        let mids: Vec<(f64, u64)> = ordered
            .iter()
            .map(|(b, c)| ((*b as f64 + 0.5) * width, c[0] + c[1]))
            .collect();
        let qs = super::ranking::calibration_quantiles(bins);
        let edges = crate::binning::weighted_quantiles(&mids, &qs);
        let inner = &edges[1..edges.len() - 1];
        // Grid bins (indices into `ordered`) holding the order statistics around each edge.
        let mut uncertain = std::collections::BTreeSet::new();
        let bin_of_rank = |rank: u64| {
            let mut seen = 0;
            for (i, (_, c)) in ordered.iter().enumerate() {
                seen += c[0] + c[1];
                if rank < seen {
                    return i;
                }
            }
            ordered.len() - 1
        };
        for &q in &qs[1..qs.len() - 1] {
            let h = q * (n - 1) as f64;
            uncertain.insert(bin_of_rank(h.floor() as u64));
            uncertain.insert(bin_of_rank(h.ceil() as u64));
        }
        // Residuals Σ w·y − Σ w·p per equal-count bin (weights are the counts when unweighted).
        let weights = self.ordered_weights();
        let mut residual = vec![0.0; bins];
        for (i, (_, [wn, wp])) in weights.iter().enumerate() {
            let (mid, _) = mids[i];
            let b = inner.partition_point(|&e| e < mid);
            residual[b] += wp - (wn + wp) * mid;
        }
        let (total, moved) = match self.weights {
            None => (
                n as f64,
                uncertain.iter().map(|&i| mids[i].1).sum::<u64>() as f64,
            ),
            Some(_) => {
                let (wn, wp) = self.weight_totals();
                let moved: f64 = uncertain
                    .iter()
                    .map(|&i| weights[i].1[0] + weights[i].1[1])
                    .sum();
                (wn + wp, moved)
            }
        };
        let estimate: f64 = residual.iter().map(|r| r.abs()).sum::<f64>() / total;
        let half_width = width / 2.0 + 2.0 * moved / total;
        Ok(Some(Bounded {
            estimate,
            lower: (estimate - half_width).max(0.0),
            upper: (estimate + half_width).min(1.0),
        }))
    }
}

impl Summary for ScoreSummary {
    const NAME: &'static str = "mlobs.score_summary";

    fn merge(&mut self, o: &Self) -> Result<()> {
        if self.grid != o.grid {
            return Err(CoreError::mismatch(format!(
                "cannot merge score summaries with grids of {} and {} bins",
                self.grid, o.grid
            )));
        }
        if o.weights.is_some() {
            self.materialize_weights();
        }
        for (b, c) in o.bins.iter() {
            let mine = self.bins.slot(b, self.grid);
            mine[0] = add_counts(mine[0], c[0])?;
            mine[1] = add_counts(mine[1], c[1])?;
            if let Some(w) = &mut self.weights {
                let theirs = match &o.weights {
                    Some(ow) => *ow.get(b).expect("weights cover the stored bins"),
                    None => [c[0] as f64, c[1] as f64],
                };
                let mine = w.slot(b, self.grid);
                mine[0] += theirs[0];
                mine[1] += theirs[1];
            }
        }
        self.log_loss_sum += o.log_loss_sum;
        self.log_true.merge(&o.log_true);
        self.brier_sum += o.brier_sum;
        crate::sketch::sum_counts(self.bins.values().flat_map(|c| [c[0], c[1]]))?;
        match &self.weights {
            Some(w) => self.check_overflow(w.values().copied()),
            None => self.check_overflow(std::iter::empty()),
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let version = match self.weights {
            None => VERSION,
            Some(_) => VERSION_WEIGHTED,
        };
        let mut w = Writer::new(TAG, version);
        w.u32(self.grid);
        w.f64(self.log_loss_total());
        w.f64(self.brier_sum);
        w.u32(self.bins.len() as u32);
        for (b, c) in self.ordered() {
            w.u32(b);
            w.u64(c[0]);
            w.u64(c[1]);
        }
        if self.weights.is_some() {
            for (_, [n, p]) in self.ordered_weights() {
                w.f64(n);
                w.f64(p);
            }
        }
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (mut r, version) =
            Reader::open_any_version(bytes, TAG, &[VERSION, VERSION_WEIGHTED], Self::NAME)?;
        let grid = r.u32()?;
        let log_loss_sum = r.f64()?;
        let brier_sum = r.f64()?;
        let len = r.u32()?;
        if len > grid || grid > MAX_GRID {
            return Err(r.error("bin count exceeds the grid"));
        }
        let mut bins = Bins::default();
        let mut order = Vec::with_capacity(len as usize);
        for _ in 0..len {
            let b = r.u32()?;
            let c = [r.u64()?, r.u64()?];
            if bins.insert(b, c) {
                return Err(r.error("duplicate bin"));
            }
            order.push(b);
        }
        let weights = if version == VERSION_WEIGHTED {
            let mut w = WeightBins::default();
            for b in order {
                w.insert(b, [r.f64()?, r.f64()?]);
            }
            Some(w)
        } else {
            None
        };
        r.finish()?;
        let s = ScoreSummary {
            grid,
            bins,
            log_loss_sum,
            brier_sum,
            weights,
            log_true: LogProduct::default(),
        };
        s.decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if !(10..=MAX_GRID).contains(&self.grid) {
            return Err(format!("grid {} outside 10..={MAX_GRID}", self.grid));
        }
        if let Some(b) = self.bins.keys().max()
            && b >= self.grid
        {
            return Err(format!("bin {b} outside the grid"));
        }
        for sum in [self.log_loss_total(), self.brier_sum] {
            if !(sum.is_finite() && sum >= 0.0) || (self.bins.is_empty() && sum != 0.0) {
                return Err("loss sums must be finite, non-negative, and 0 when empty".into());
            }
        }
        if self.bins.values().any(|c| c[0] == 0 && c[1] == 0) {
            return Err("empty bin stored".into());
        }
        if let Some(w) = &self.weights {
            if w.len() != self.bins.len() {
                return Err("weights must cover exactly the stored bins".into());
            }
            for (b, c) in self.bins.iter() {
                let Some(ws) = w.get(b) else {
                    return Err("weights must cover exactly the stored bins".into());
                };
                // A class's weight is positive exactly when it has rows in the bin.
                for k in 0..2 {
                    if !ws[k].is_finite() || ws[k] < 0.0 || (ws[k] > 0.0) != (c[k] > 0) {
                        return Err("bin weights must be finite, and positive exactly for classes with rows".into());
                    }
                }
            }
        }
        if self
            .bins
            .values()
            .try_fold(0u64, |t, c| t.checked_add(c[0])?.checked_add(c[1]))
            .is_none()
        {
            return Err("counts overflow 2^64".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::ranking::RankSample;

    #[test]
    fn bounds_contain_exact_values() {
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for grid in [10, 100, 10_000] {
            let (mut s, mut exact) = (ScoreSummary::new(grid).unwrap(), RankSample::default());
            for _ in 0..3000 {
                let y = next() < 0.3;
                let x = (next() * 0.7 + if y { 0.3 } else { 0.0 }).min(1.0);
                s.add(x, y).unwrap();
                exact.add(x, y).unwrap();
            }
            let (auc, ap) = (s.roc_auc().unwrap(), s.pr_auc().unwrap());
            for bins in [1, 5, 10, 15] {
                let ece = s.calibration_error(bins).unwrap().unwrap();
                let exact_ece = exact.calibration_error(bins).unwrap().unwrap();
                assert!(
                    ece.lower <= exact_ece && exact_ece <= ece.upper,
                    "{grid}/{bins}: {ece:?} {exact_ece}"
                );
                if grid == 10_000 {
                    // 3000 rows: a few rows per edge may change sides (2/N each).
                    assert!(ece.upper - ece.lower < 0.05, "{ece:?}");
                }
            }
            let (ea, ep) = (exact.roc_auc().unwrap(), exact.average_precision().unwrap());
            assert!(auc.lower <= ea && ea <= auc.upper, "{grid}: {auc:?} {ea}");
            assert!(ap.lower <= ep && ep <= ap.upper, "{grid}: {ap:?} {ep}");
            if grid == 10_000 {
                assert!((auc.estimate - ea).abs() < 1e-3);
                assert!((ap.estimate - ep).abs() < 1e-3);
            }
        }
    }

    #[test]
    fn rejects_out_of_range_and_grid_mismatch() {
        let mut s = ScoreSummary::default();
        assert!(s.add(1.5, true).is_err());
        assert!(s.add(f64::NAN, true).is_err());
        s.add(1.0, true).unwrap();
        assert_eq!(s.bins.keys().next(), Some(DEFAULT_GRID - 1));
        // −ln(1 − 2⁻⁵²) = 2⁻⁵² + 2⁻¹⁰⁵ + …, rounded: exactly f64::EPSILON (libm's `ln` gave one
        // ulp more before the log loss was summed as a product).
        assert_eq!(
            s.to_json(),
            format!(
                r#"{{"grid":{DEFAULT_GRID},"bins":{{"{}":[0,1]}},"log_loss_sum":2.220446049250313e-16,"brier_sum":0.0}}"#,
                DEFAULT_GRID - 1
            )
        );
        let mut other = ScoreSummary::new(100).unwrap();
        assert!(other.merge(&s).is_err());
        let b = s.to_bytes();
        assert_eq!(ScoreSummary::from_bytes(&b).unwrap(), s);
        for cut in 0..b.len() {
            assert!(ScoreSummary::from_bytes(&b[..cut]).is_err());
        }
    }
}
