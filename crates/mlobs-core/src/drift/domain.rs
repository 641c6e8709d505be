//! Domain-classifier drift (NannyML's multivariate "domain classifier"): can a model tell
//! reference rows from current rows? A random forest (smartcore) is trained on a bounded,
//! deterministic sample of both windows with the window as a 0/1 target; its out-of-bag
//! predictions — each row scored only by trees that did not see it — give an honest ROC AUC.
//! AUC ≈ 0.5: indistinguishable, no drift; towards 1: the windows differ (in any feature or in
//! their joint structure).

use crate::error::{CoreError, Result};
use smartcore::ensemble::random_forest_regressor::{
    RandomForestRegressor, RandomForestRegressorParameters,
};
use smartcore::linalg::basic::matrix::DenseMatrix;

/// Rows used per window; larger windows are thinned to this many evenly spaced rows.
pub const MAX_ROWS_PER_SIDE: usize = 5000;
/// Fewer complete rows than this on a side leave too few out-of-bag scores to mean anything.
pub const MIN_ROWS_PER_SIDE: usize = 10;
/// Forest size and shape (fixed, documented; the seed makes the result reproducible).
pub const TREES: usize = 50;
pub const MAX_DEPTH: u16 = 8;
pub const MIN_SAMPLES_LEAF: usize = 5;
pub const SEED: u64 = 20261127;

fn thin(rows: &[Vec<f64>]) -> Vec<&Vec<f64>> {
    if rows.len() <= MAX_ROWS_PER_SIDE {
        return rows.iter().collect();
    }
    (0..MAX_ROWS_PER_SIDE)
        .map(|i| &rows[i * rows.len() / MAX_ROWS_PER_SIDE])
        .collect()
}

/// ROC AUC of scores for labels (true = positive), ties counting ½ (scikit-learn's rule).
pub fn roc_auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let n_pos = positive.iter().filter(|&&p| p).count() as f64;
    let n_neg = positive.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let mid_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum_pos += order[i..=j].iter().filter(|&&k| positive[k]).count() as f64 * mid_rank;
        i = j + 1;
    }
    Some((rank_sum_pos - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg))
}

/// (AUC, rows used per side) of the domain classifier; `None` when a side has no rows.
pub fn domain_classifier_auc(
    reference: &[Vec<f64>],
    current: &[Vec<f64>],
) -> Result<Option<(f64, usize, usize)>> {
    let (r, c) = (thin(reference), thin(current));
    if r.is_empty() || c.is_empty() {
        return Ok(None);
    }
    if r.len() < MIN_ROWS_PER_SIDE || c.len() < MIN_ROWS_PER_SIDE {
        return Err(CoreError::invalid_parameter(format!(
            "the domain classifier needs at least {MIN_ROWS_PER_SIDE} complete rows per window, got {} and {}",
            r.len(),
            c.len()
        )));
    }
    let d = r[0].len();
    if d == 0 || r.iter().chain(&c).any(|row| row.len() != d) {
        return Err(CoreError::invalid_parameter(
            "reference and current rows must all have the same, non-zero number of columns",
        ));
    }
    let x: Vec<Vec<f64>> = r.iter().chain(&c).map(|row| row.to_vec()).collect();
    let y: Vec<f64> = std::iter::repeat_n(0.0, r.len())
        .chain(std::iter::repeat_n(1.0, c.len()))
        .collect();
    let matrix = DenseMatrix::from_2d_vec(&x)
        .map_err(|e| CoreError::invalid_parameter(format!("domain classifier: {e}")))?;
    let params = RandomForestRegressorParameters::default()
        .with_n_trees(TREES)
        .with_max_depth(MAX_DEPTH)
        .with_min_samples_leaf(MIN_SAMPLES_LEAF)
        .with_seed(SEED)
        .with_keep_samples(true);
    let positive: Vec<bool> = y.iter().map(|&v| v == 1.0).collect();
    // smartcore's fit polls for no cancellation (5000 rows of 500 keys: ~20 s, and neither a
    // statement_timeout nor pg_terminate_backend stopped it): it runs where the caller can stop
    // waiting for it (an abandoned fit finishes on its thread and is dropped).
    let scores = crate::interrupt::run_cancellable(move || {
        let forest = RandomForestRegressor::fit(&matrix, &y, params)
            .map_err(|e| CoreError::invalid_parameter(format!("domain classifier: {e}")))?;
        forest
            .predict_oob(&matrix)
            .map_err(|e| CoreError::invalid_parameter(format!("domain classifier: {e}")))
    })?;
    Ok(roc_auc(&scores, &positive).map(|auc| (auc, r.len(), c.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize, seed: &mut u64, f: impl Fn(f64, f64) -> Vec<f64>) -> Vec<Vec<f64>> {
        let mut next = || {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (*seed >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n).map(|_| f(next(), next())).collect()
    }

    #[test]
    fn auc_follows_sklearn_ties() {
        assert_eq!(
            roc_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]),
            Some(0.75)
        );
        assert_eq!(roc_auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(roc_auc(&[0.5], &[true]), None);
    }

    #[test]
    fn same_windows_near_half_changed_correlation_high() {
        let mut seed = 3;
        let reference = rows(1500, &mut seed, |a, b| vec![a, a + 0.05 * b]);
        let same = rows(1500, &mut seed, |a, b| vec![a, a + 0.05 * b]);
        let changed = rows(1500, &mut seed, |a, b| vec![a, 1.0 - a + 0.05 * b]);
        let (auc_same, _, _) = domain_classifier_auc(&reference, &same).unwrap().unwrap();
        let (auc_changed, _, _) = domain_classifier_auc(&reference, &changed)
            .unwrap()
            .unwrap();
        assert!((auc_same - 0.5).abs() < 0.07, "{auc_same}");
        assert!(auc_changed > 0.9, "{auc_changed}");
    }
}
