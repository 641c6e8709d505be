//! Concept drift: has the relationship feature → target changed, independent of how the feature
//! itself moved? Bins are reference quantiles of the feature (under/overflow bins included, as for
//! PSI); in each bin the target's mean (the label rate for 0/1 labels) is compared between the
//! windows:
//!
//!   score = Σ_b w_b · |ȳ_cur(b) − ȳ_ref(b)|,  w_b = current share of bin b
//!
//! over the bins populated on both sides (weights renormalised over them). A pure covariate shift
//! (P(x) moves, P(y | x) stays) scores ≈ 0; a changed P(y | x) scores the average change of the
//! conditional mean where the current data lives.

use super::psi::{reference_quantile_edges, slot_on_edges, to_weighted};
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub struct ConceptDrift {
    pub score: f64,
    /// Share of current rows that fell in bins also populated in the reference.
    pub covered_share: f64,
    pub bins_compared: usize,
}

fn pairs(x: &[Option<f64>], y: &[Option<f64>], which: &str) -> Result<Vec<(f64, f64)>> {
    if x.len() != y.len() {
        return Err(CoreError::invalid_parameter(format!(
            "{which}_x and {which}_y must have the same length, got {} and {}",
            x.len(),
            y.len()
        )));
    }
    // Rows with a missing or non-finite feature or target are dropped.
    Ok(x.iter()
        .zip(y)
        .filter_map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) if a.is_finite() && b.is_finite() => Some((*a, *b)),
            _ => None,
        })
        .collect())
}

/// Per bin: (rows, sum of targets), bins as `counts_on_edges` orders them.
fn bin_means(rows: &[(f64, f64)], edges: &[f64]) -> Vec<(u64, f64)> {
    let inner = edges.len().saturating_sub(1).max(1);
    let mut out = vec![(0u64, 0.0f64); inner + 2];
    for &(x, y) in rows {
        let slot = slot_on_edges(x, edges);
        out[slot].0 += 1;
        out[slot].1 += y;
    }
    out
}

/// The reference side of concept drift, computed once: its quantile edges and, per bin, the rows
/// and the sum of targets. A monitor stores it (as JSON) beside its reference summary, so a window
/// is compared without reading the reference rows again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConceptReference {
    pub edges: Vec<f64>,
    pub rows: Vec<u64>,
    pub sums: Vec<f64>,
}

impl ConceptReference {
    /// `None` when the reference has no complete pair.
    pub fn new(x: &[Option<f64>], y: &[Option<f64>], bins: i32) -> Result<Option<Self>> {
        let r = pairs(x, y, "reference")?;
        if r.is_empty() {
            reference_quantile_edges(&[(0.0, 1)], bins)?;
            return Ok(None);
        }
        let xs: Vec<f64> = r.iter().map(|p| p.0).collect();
        let edges = reference_quantile_edges(&to_weighted(&xs), bins)?;
        let (rows, sums) = bin_means(&r, &edges).into_iter().unzip();
        Ok(Some(Self { edges, rows, sums }))
    }

    /// Compares a current sample with this reference; `None` when it has no complete pair.
    pub fn compare(&self, x: &[Option<f64>], y: &[Option<f64>]) -> Result<Option<ConceptDrift>> {
        self.check()?;
        self.compare_pairs(&pairs(x, y, "current")?)
    }

    /// A stored reference (the JSON `mlobs.concept_reference` gives), parsed and checked.
    pub fn from_json(value: serde_json::Value) -> Result<Self> {
        let reference: Self = serde_json::from_value(value).map_err(|e| {
            CoreError::invalid_parameter(format!(
                "reference is not a concept reference (mlobs.concept_reference): {e}"
            ))
        })?;
        reference.check()?;
        Ok(reference)
    }

    /// The shape every comparison relies on (a stored reference is user data).
    pub fn check(&self) -> Result<()> {
        if self.edges.is_empty()
            || self.rows.len() != self.sums.len()
            || self.rows.len() != self.edges.len().saturating_sub(1).max(1) + 2
        {
            return Err(CoreError::invalid_parameter(
                "reference is not a concept reference (mlobs.concept_reference)",
            ));
        }
        Ok(())
    }

    /// The comparison itself, over the current sample's complete pairs.
    fn compare_pairs(&self, c: &[(f64, f64)]) -> Result<Option<ConceptDrift>> {
        Ok(self.compare_bins(&bin_means(c, &self.edges)))
    }

    /// Empty current-side bins for `add` (one pass over a window: `mlobs.concept_drift_agg`).
    pub fn empty_bins(&self) -> Vec<(u64, f64)> {
        vec![(0, 0.0); self.rows.len()]
    }

    /// Adds one current pair to `bins`; a missing or non-finite feature or target is dropped,
    /// as `compare` drops it.
    pub fn add(&self, bins: &mut [(u64, f64)], x: Option<f64>, y: Option<f64>) {
        if let (Some(x), Some(y)) = (x, y)
            && x.is_finite()
            && y.is_finite()
        {
            let slot = &mut bins[slot_on_edges(x, &self.edges)];
            slot.0 += 1;
            slot.1 += y;
        }
    }

    /// The comparison from the current side's bins (`empty_bins` filled by `add`, or
    /// `bin_means`); `None` when they hold no pair.
    pub fn compare_bins(&self, cb: &[(u64, f64)]) -> Option<ConceptDrift> {
        let pairs: u64 = cb.iter().map(|b| b.0).sum();
        if pairs == 0 {
            return None;
        }
        let mut weight = 0u64;
        let mut total = 0.0;
        let mut compared = 0;
        for ((rn, rs), (cn, cs)) in self.rows.iter().zip(&self.sums).zip(cb) {
            if *rn > 0 && *cn > 0 {
                total += *cn as f64 * (cs / *cn as f64 - rs / *rn as f64).abs();
                weight += cn;
                compared += 1;
            }
        }
        if weight == 0 {
            return Some(ConceptDrift {
                score: f64::NAN,
                covered_share: 0.0,
                bins_compared: 0,
            });
        }
        Some(ConceptDrift {
            score: total / weight as f64,
            covered_share: weight as f64 / pairs as f64,
            bins_compared: compared,
        })
    }
}

pub fn concept_drift(
    reference_x: &[Option<f64>],
    reference_y: &[Option<f64>],
    current_x: &[Option<f64>],
    current_y: &[Option<f64>],
    bins: i32,
) -> Result<Option<ConceptDrift>> {
    let reference = ConceptReference::new(reference_x, reference_y, bins)?;
    // Lengths of the current side are checked even when the reference is empty.
    let current = pairs(current_x, current_y, "current")?;
    match reference {
        Some(r) => r.compare_pairs(&current),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    /// (x, y) with x uniform on [lo, hi) and y = 1 with probability p(x).
    fn sample(
        n: usize,
        lo: f64,
        hi: f64,
        p: impl Fn(f64) -> f64,
        seed: &mut u64,
    ) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for _ in 0..n {
            let x = lo + (hi - lo) * lcg(seed);
            xs.push(Some(x));
            ys.push(Some(if lcg(seed) < p(x) { 1.0 } else { 0.0 }));
        }
        (xs, ys)
    }

    #[test]
    fn changed_relationship_scores_high_covariate_shift_scores_low() {
        let mut seed = 7;
        let (rx, ry) = sample(20000, 0.0, 1.0, |x| x, &mut seed);
        // P(y|x) flips while P(x) is unchanged.
        let (cx, cy) = sample(20000, 0.0, 1.0, |x| 1.0 - x, &mut seed);
        let concept = concept_drift(&rx, &ry, &cx, &cy, 10).unwrap().unwrap();
        // P(x) moves to the upper half while P(y|x) is unchanged.
        let (sx, sy) = sample(20000, 0.5, 1.0, |x| x, &mut seed);
        let covariate = concept_drift(&rx, &ry, &sx, &sy, 10).unwrap().unwrap();
        assert!(concept.score > 0.4, "{concept:?}");
        assert!(covariate.score < 0.03, "{covariate:?}");
        assert!((covariate.covered_share - 1.0).abs() < 1e-12);
    }

    #[test]
    fn adding_pairs_one_by_one_gives_the_comparison_of_the_sample() {
        let mut seed = 13;
        let (rx, ry) = sample(3000, 0.0, 1.0, |x| x, &mut seed);
        let (mut cx, mut cy) = sample(500, -0.5, 1.5, |x| 1.0 - x, &mut seed);
        cx.extend([None, Some(f64::NAN), Some(0.5), Some(f64::INFINITY)]);
        cy.extend([Some(1.0), Some(1.0), None, Some(0.0)]);
        let r = ConceptReference::new(&rx, &ry, 10).unwrap().unwrap();
        let mut bins = r.empty_bins();
        for (x, y) in cx.iter().zip(&cy) {
            r.add(&mut bins, *x, *y);
        }
        assert_eq!(r.compare_bins(&bins), r.compare(&cx, &cy).unwrap());
        assert!(r.compare_bins(&bins).is_some());
        assert_eq!(r.compare_bins(&r.empty_bins()), None);
    }

    #[test]
    fn a_stored_reference_gives_the_same_result() {
        let mut seed = 11;
        let (rx, ry) = sample(5000, 0.0, 1.0, |x| x, &mut seed);
        let (cx, cy) = sample(700, 0.2, 1.0, |x| x * x, &mut seed);
        let direct = concept_drift(&rx, &ry, &cx, &cy, 10).unwrap().unwrap();
        let stored: ConceptReference = serde_json::from_str(
            &serde_json::to_string(&ConceptReference::new(&rx, &ry, 10).unwrap().unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(stored.compare(&cx, &cy).unwrap().unwrap(), direct);
        let bad = ConceptReference {
            edges: vec![],
            rows: vec![],
            sums: vec![],
        };
        assert!(bad
            .compare(&cx, &cy)
            .unwrap_err()
            .message
            .contains("concept reference"));
    }

    #[test]
    fn mismatched_lengths_name_the_argument() {
        let e = concept_drift(&[Some(1.0)], &[], &[], &[], 10).unwrap_err();
        assert!(
            e.message.contains("reference_x and reference_y"),
            "{}",
            e.message
        );
    }
}
