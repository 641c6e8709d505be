//! Paired significance tests for comparing two model versions scored on the same labelled rows
//! (champion vs challenger): McNemar on the rows only one model classifies right, DeLong on two
//! correlated ROC AUCs, and the paired t-test on per-row losses. Pairing matters: both models see
//! the same rows, so their errors are correlated and unpaired tests would overstate the variance.
//!
//! Reference values: tests/fixtures/generate_paired.py (scipy 1.17, scikit-learn 1.7).

use super::finite;
use crate::drift::categorical::chi2_sf;
use crate::error::{CoreError, Result};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Discordant pairs below which McNemar uses the exact binomial test.
pub const MCNEMAR_EXACT_BELOW: u64 = 25;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct McNemar {
    /// Rows model A classifies right and model B wrong.
    pub b: u64,
    /// Rows model B classifies right and model A wrong.
    pub c: u64,
    /// min(b, c) for the exact test, the corrected χ² otherwise.
    pub statistic: f64,
    pub p_value: f64,
    /// Whether the exact binomial test was used.
    pub exact: bool,
}

/// McNemar's test of "both models have the same error rate" from the discordant counts, with
/// the conventions of statsmodels' `mcnemar`. statsmodels leaves exact-vs-χ² to the caller; here
/// b + c < 25 picks the exact test (the commonly cited rule: below it the χ² approximation is
/// poor): statistic min(b, c), p = min(1, 2·P(X ≤ min(b, c))) for X ~ Binomial(b + c, ½).
/// Otherwise the χ² test with continuity correction: statistic (|b − c| − 1)² / (b + c) and
/// p = χ²₁ survival. No discordant rows (b = c = 0): statistic 0, p 1, exact.
pub fn mcnemar(b: u64, c: u64) -> McNemar {
    let n = b.saturating_add(c);
    if n < MCNEMAR_EXACT_BELOW {
        let k = b.min(c);
        // n ≤ 24: the binomial coefficients and 2ⁿ are exact in f64, so p is exact too.
        let mut choose = 1u64; // C(n, i)
        let mut tail = 0u64;
        for i in 0..=k {
            tail += choose;
            choose = choose * (n - i) / (i + 1);
        }
        let p = (2.0 * tail as f64 / (1u64 << n) as f64).min(1.0);
        return McNemar {
            b,
            c,
            statistic: k as f64,
            p_value: p,
            exact: true,
        };
    }
    let excess = b.abs_diff(c) as f64 - 1.0;
    let statistic = excess * excess / (b as f64 + c as f64);
    McNemar {
        b,
        c,
        statistic,
        p_value: chi2_sf(statistic, 1.0),
        exact: false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeLong {
    pub auc_a: f64,
    pub auc_b: f64,
    /// auc_a − auc_b.
    pub difference: f64,
    pub variance_a: f64,
    pub variance_b: f64,
    pub covariance: f64,
    pub z: f64,
    /// Two-sided, from the standard normal.
    pub p_value: f64,
}

/// DeLong, DeLong & Clarke-Pearson (1988) test of two correlated ROC AUCs on the same rows
/// (`y` true = positive), with Sun & Xu's (2014) midrank algorithm: O(n log n) instead of
/// comparing every positive with every negative. Ties count ½, so the AUCs equal scikit-learn's
/// `roc_auc_score`.
///
/// The covariance of the AUCs is S10/n⁺ + S01/n⁻, the sample covariances (n − 1 denominator) of
/// the placement values of positives and of negatives. z = difference / √(var_a + var_b − 2·cov),
/// that variance computed as the same covariance formula on the differences of the placement
/// values: equal in exact arithmetic, but never negative and exactly 0 when the models rank
/// alike. With no variance: z = 0 and p = 1 if the difference is 0, else z = ±∞ and p = 0.
///
/// `None` when a class has fewer than two rows: with one row its sample covariance is 0/0
/// (NaN in the textbook formula), with none the AUC is undefined. Scores must be finite.
pub fn delong(y: &[bool], score_a: &[f64], score_b: &[f64]) -> Result<Option<DeLong>> {
    same_length(y.len(), score_a.len(), "y", "score_a")?;
    same_length(y.len(), score_b.len(), "y", "score_b")?;
    for (scores, arg) in [(score_a, "score_a"), (score_b, "score_b")] {
        for &s in scores {
            finite(s, arg)?;
        }
    }
    let n_pos = y.iter().filter(|&&p| p).count();
    let n_neg = y.len() - n_pos;
    if n_pos < 2 || n_neg < 2 {
        return Ok(None);
    }
    let a = Placements::new(y, score_a);
    let b = Placements::new(y, score_b);
    let (m, n) = (n_pos as f64, n_neg as f64);
    let pairs = m * n;
    let auc_a = a.sum() / pairs;
    let auc_b = b.sum() / pairs;
    // Placements are counts of half units: sums and differences exact below 2⁵² pairs.
    let difference = (a.sum() - b.sum()) / pairs;
    // S10/n⁺ + S01/n⁻; positives are placed among n⁻ negatives and vice versa.
    let cov = |x: &Placements, mx: f64, z: &Placements, mz: f64| {
        sample_cov(&x.pos, &z.pos, 2.0 * n, mx, mz) / m
            + sample_cov(&x.neg, &z.neg, 2.0 * m, mx, mz) / n
    };
    let variance_a = cov(&a, auc_a, &a, auc_a);
    let variance_b = cov(&b, auc_b, &b, auc_b);
    let covariance = cov(&a, auc_a, &b, auc_b);
    let minus = |x: &[f64], z: &[f64]| x.iter().zip(z).map(|(x, z)| x - z).collect();
    let d = Placements {
        pos: minus(&a.pos, &b.pos),
        neg: minus(&a.neg, &b.neg),
    };
    let variance = cov(&d, difference, &d, difference);
    let (z, p_value) = if variance > 0.0 {
        let z = difference / variance.sqrt();
        (z, two_sided_normal(z))
    } else if difference == 0.0 {
        (0.0, 1.0)
    } else {
        (f64::INFINITY.copysign(difference), 0.0)
    };
    Ok(Some(DeLong {
        auc_a,
        auc_b,
        difference,
        variance_a,
        variance_b,
        covariance,
        z,
        p_value,
    }))
}

/// One model's placement values in half units, unscaled so they stay exact: for each positive,
/// 2·(negatives scored below it + ½ tied); for each negative, 2·(positives scored above it + ½
/// tied). V10 = pos / 2n⁻ and V01 = neg / 2n⁺.
struct Placements {
    pos: Vec<f64>,
    neg: Vec<f64>,
}

impl Placements {
    /// Sun & Xu: a row's midrank among all rows minus its midrank within its own class counts
    /// the rows of the other class below it (ties ½).
    fn new(y: &[bool], scores: &[f64]) -> Self {
        let all = midranks(scores);
        let (mut pos_scores, mut pos_ranks, mut neg_scores, mut neg_ranks) =
            (vec![], vec![], vec![], vec![]);
        for ((&s, &r), &positive) in scores.iter().zip(&all).zip(y) {
            if positive {
                pos_scores.push(s);
                pos_ranks.push(r);
            } else {
                neg_scores.push(s);
                neg_ranks.push(r);
            }
        }
        let n_pos = pos_scores.len() as f64;
        let below = |ranks: &[f64], scores: &[f64]| -> Vec<f64> {
            let own = midranks(scores);
            ranks.iter().zip(own).map(|(r, w)| r - w).collect()
        };
        Placements {
            pos: below(&pos_ranks, &pos_scores)
                .into_iter()
                .map(|x| 2.0 * x)
                .collect(),
            neg: below(&neg_ranks, &neg_scores)
                .into_iter()
                .map(|x| 2.0 * (n_pos - x))
                .collect(),
        }
    }

    /// Σ V10·n⁻ = AUC·n⁺n⁻, exact.
    fn sum(&self) -> f64 {
        self.pos.iter().sum::<f64>() / 2.0
    }
}

/// Sample covariance (n − 1 denominator) of two placement vectors in half units, scaled by
/// 1/`scale` to V units, around their means `mx` and `mz` (the AUCs).
fn sample_cov(x: &[f64], z: &[f64], scale: f64, mx: f64, mz: f64) -> f64 {
    let s: f64 = x
        .iter()
        .zip(z)
        .map(|(&xi, &zi)| (xi / scale - mx) * (zi / scale - mz))
        .sum();
    s / (x.len() as f64 - 1.0)
}

/// 1-based ranks of `x`, tied values sharing the mean of their ranks (half-integers: exact).
fn midranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_unstable_by(|&i, &j| x[i].total_cmp(&x[j]));
    let mut ranks = vec![0.0; x.len()];
    let mut start = 0;
    while start < order.len() {
        // −0.0 and 0.0 are adjacent in the total order and equal under ==: one tie group.
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        let mid = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = mid;
        }
        start = end;
    }
    ranks
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedT {
    /// Mean of loss_a − loss_b: negative when model A has the lower loss.
    pub mean_difference: f64,
    pub statistic: f64,
    /// Two-sided, from Student's t with `df` degrees of freedom.
    pub p_value: f64,
    /// Pairs − 1.
    pub df: u64,
}

/// Paired t-test of per-row losses (e.g. squared errors of two regressors on the same rows), as
/// `scipy.stats.ttest_rel(loss_a, loss_b)` two-sided. `None` with fewer than two pairs.
///
/// Differences that are all equal have no variance: scipy divides by zero, giving NaN (mean 0)
/// or ±∞; here statistic 0 / p 1 when the mean difference is 0, ±∞ / p 0 otherwise. All-equal
/// differences are detected exactly, so a constant difference like 0.1 gives ±∞ where scipy's
/// rounded mean leaves a tiny variance and a huge finite t. Losses must be finite.
pub fn paired_t(loss_a: &[f64], loss_b: &[f64]) -> Result<Option<PairedT>> {
    same_length(loss_a.len(), loss_b.len(), "loss_a", "loss_b")?;
    let mut d = Vec::with_capacity(loss_a.len());
    for (&a, &b) in loss_a.iter().zip(loss_b) {
        d.push(finite(a, "loss_a")? - finite(b, "loss_b")?);
    }
    if d.len() < 2 {
        return Ok(None);
    }
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let constant = d.iter().all(|&x| x == d[0]);
    let variance = if constant {
        0.0
    } else {
        d.iter().map(|&x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
    };
    if !(mean.is_finite() && variance.is_finite()) {
        return Err(CoreError::out_of_range(
            "loss_a - loss_b is too large: its mean or variance overflows double precision",
        ));
    }
    let df = d.len() as u64 - 1;
    let (statistic, p_value) = if variance > 0.0 {
        let t = mean / (variance / n).sqrt();
        let dist = StudentsT::new(0.0, 1.0, df as f64).expect("df ≥ 1");
        (t, (2.0 * dist.sf(t.abs())).min(1.0))
    } else if mean == 0.0 {
        (0.0, 1.0)
    } else {
        (f64::INFINITY.copysign(mean), 0.0)
    };
    Ok(Some(PairedT {
        mean_difference: mean,
        statistic,
        p_value,
        df,
    }))
}

fn same_length(n: usize, m: usize, first: &str, second: &str) -> Result<()> {
    if n == m {
        Ok(())
    } else {
        Err(CoreError::mismatch(format!(
            "{first} and {second} must have the same length, got {n} and {m}"
        )))
    }
}

/// Two-sided p of a standard normal z, 2·P(Z > |z|), as P(χ²₁ > z²): statrs 0.19's `erfc`
/// (behind `Normal::sf`) is off by ~5e-11 relative, its regularised gamma by ~1e-14.
fn two_sided_normal(z: f64) -> f64 {
    chi2_sf(z * z, 1.0).min(1.0)
}
