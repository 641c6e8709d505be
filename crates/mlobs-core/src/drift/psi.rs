//! Population Stability Index, PSI = Σ (r_i − c_i) · ln(r_i / c_i) over bin shares.
//!
//! Binnings:
//! - `evidently`: reproduces Evidently 0.7 — more than 20 distinct reference values → equal-width
//!   bins over reference ∪ current with Sturges' count (numpy's edges); otherwise one bin per
//!   distinct value of reference ∪ current.
//! - reference quantiles: `bins` quantile edges of the reference (numpy "linear"), duplicates
//!   removed, plus an underflow and an overflow bin for current values outside the reference range.
//! - explicit edges: the bins of a `Histogram`.
//!
//! In every binning shares are counts / n and empty bins are filled as Evidently does (each
//! vector on its own, no renormalisation).

use crate::binning::{
    bin_index, histogram_counts_weighted, linspace, sturges_edges_for, weighted_quantiles,
};
use crate::error::{CoreError, Result};
use crate::histogram::Histogram;

/// Bins of the `evidently` rule switch from distinct values to Sturges above this many distinct
/// reference values.
pub const EVIDENTLY_DISTINCT_LIMIT: usize = 20;

/// Evidently's empty-bin fill: a zero share becomes min_nonzero / 1e6 when min_nonzero ≤ 1e-4,
/// else 1e-4.
pub fn fill_empty_bins(shares: &mut [f64]) {
    let min_nonzero = shares
        .iter()
        .copied()
        .filter(|&s| s != 0.0)
        .fold(f64::INFINITY, f64::min);
    if !min_nonzero.is_finite() {
        return;
    }
    let fill = if min_nonzero <= 1e-4 {
        min_nonzero / 1e6
    } else {
        1e-4
    };
    for s in shares.iter_mut().filter(|s| **s == 0.0) {
        *s = fill;
    }
}

/// PSI of two filled share vectors of equal length.
pub fn psi_of_shares(reference: &[f64], current: &[f64]) -> f64 {
    reference
        .iter()
        .zip(current)
        .map(|(r, c)| (r - c) * (r / c).ln())
        .sum()
}

fn shares(counts: &[u64], n: u64) -> Vec<f64> {
    let mut s: Vec<f64> = counts.iter().map(|&c| c as f64 / n as f64).collect();
    fill_empty_bins(&mut s);
    s
}

/// PSI from bin counts; `None` when either side is empty.
pub fn psi_of_counts(reference: &[u64], current: &[u64]) -> Option<f64> {
    let (nr, nc): (u64, u64) = (reference.iter().sum(), current.iter().sum());
    if nr == 0 || nc == 0 {
        return None;
    }
    Some(psi_of_shares(&shares(reference, nr), &shares(current, nc)))
}

/// The bins that hold a value on at least one side. Reference-fitted and explicit-edge binnings
/// use this before PSI/KL: a bin empty on both sides (typically an under/overflow bin when the
/// current stays within the reference range) says nothing about drift, but the empty-bin fill
/// gives it a different share per side (each side's own fill), which added e.g. 0.00145 to the
/// PSI of 1..20000 against 1..20000 ∪ {30000}. Evidently's own binning keeps such bins (its
/// `get_binned_data` fills every zero share, so an empty Sturges bin between two clusters counts
/// there), and so does mlobs' `evidently` binning, to stay identical.
pub fn occupied_bins(reference: &[u64], current: &[u64]) -> (Vec<u64>, Vec<u64>) {
    reference
        .iter()
        .zip(current)
        .filter(|&(&r, &c)| r != 0 || c != 0)
        .map(|(&r, &c)| (r, c))
        .unzip()
}

/// Bins chosen by the `evidently` rule, with the per-side counts.
pub struct EvidentlyBins {
    pub kind: &'static str,
    pub reference: Vec<u64>,
    pub current: Vec<u64>,
}

/// Evidently 0.7's binning of two finite samples (non-empty).
pub fn evidently_bins(reference: &[f64], current: &[f64]) -> EvidentlyBins {
    evidently_bins_weighted(&to_weighted(reference), &to_weighted(current))
}

/// Evidently 0.7's binning of two non-empty weighted samples, ascending (value, count) pairs
/// with distinct values (as `to_weighted` builds them).
pub fn evidently_bins_weighted(reference: &[(f64, u64)], current: &[(f64, u64)]) -> EvidentlyBins {
    if reference.len() > EVIDENTLY_DISTINCT_LIMIT {
        let lo = reference[0].0.min(current[0].0);
        let hi = reference[reference.len() - 1]
            .0
            .max(current[current.len() - 1].0);
        let n: u64 = reference.iter().chain(current).map(|s| s.1).sum();
        let edges = sturges_edges_for(lo, hi, n);
        EvidentlyBins {
            kind: "sturges",
            reference: histogram_counts_weighted(reference, &edges),
            current: histogram_counts_weighted(current, &edges),
        }
    } else {
        // One bin per distinct value of reference ∪ current.
        let mut keys: Vec<f64> = reference.iter().chain(current).map(|s| s.0).collect();
        keys.sort_by(f64::total_cmp);
        keys.dedup();
        let count = |xs: &[(f64, u64)]| {
            let mut c = vec![0u64; keys.len()];
            for &(x, n) in xs {
                c[keys.partition_point(|&k| k < x)] += n;
            }
            c
        };
        EvidentlyBins {
            kind: "distinct",
            reference: count(reference),
            current: count(current),
        }
    }
}

/// PSI exactly as Evidently 0.7 computes it. Inputs must be finite; `None` when a side is empty.
pub fn psi_evidently(reference: &[f64], current: &[f64]) -> Option<f64> {
    if reference.is_empty() || current.is_empty() {
        return None;
    }
    let bins = evidently_bins(reference, current);
    psi_of_counts(&bins.reference, &bins.current)
}

/// The default PSI binning of every entry point (arrays, profiles, `drift(..., 'psi')`).
pub const DEFAULT_BINNING: &str = "evidently";

/// PSI of two weighted samples by binning name — the one place where `mlobs.psi` over arrays
/// and over profiles choose their bins, so both have the same default and the same errors.
/// `bins` is only for `reference_quantile` (default 10).
pub fn psi_binned_weighted(
    reference: &[(f64, u64)],
    current: &[(f64, u64)],
    binning: &str,
    bins: Option<i32>,
) -> Result<Option<f64>> {
    match binning {
        "evidently" => {
            if let Some(b) = bins {
                return Err(CoreError::invalid_parameter(format!(
                    "bins = {b} is not used by binning 'evidently' (it picks Sturges or distinct-value bins); pass NULL or use binning 'reference_quantile'"
                )));
            }
            if reference.is_empty() || current.is_empty() {
                return Ok(None);
            }
            let b = evidently_bins_weighted(reference, current);
            Ok(psi_of_counts(&b.reference, &b.current))
        }
        "reference_quantile" => {
            psi_reference_quantile_weighted(reference, current, bins.unwrap_or(10))
        }
        other => Err(CoreError::invalid_parameter(format!(
            "binning must be one of 'evidently', 'reference_quantile'; got '{other}'"
        ))),
    }
}

/// Ascending (value, count) pairs of a finite sample.
pub fn to_weighted(values: &[f64]) -> Vec<(f64, u64)> {
    let mut sorted: Vec<f64> = values.iter().map(|&x| x + 0.0).collect();
    sorted.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, u64)> = Vec::new();
    for x in sorted {
        match out.last_mut() {
            Some(last) if last.0 == x => last.1 += 1,
            _ => out.push((x, 1)),
        }
    }
    out
}

/// Edges at the reference's `bins`-quantiles (numpy linear, q from `linspace(0, 1, bins + 1)`),
/// duplicates removed.
pub fn reference_quantile_edges(reference: &[(f64, u64)], bins: i32) -> Result<Vec<f64>> {
    if bins < 1 {
        return Err(CoreError::invalid_parameter(format!(
            "bins must be at least 1, got {bins}"
        )));
    }
    if bins > crate::histogram::MAX_EDGES as i32 - 1 {
        return Err(CoreError::limit_exceeded(format!(
            "bins must be at most {}, got {bins}",
            crate::histogram::MAX_EDGES - 1
        )));
    }
    let qs = linspace(0.0, 1.0, bins as usize + 1);
    let mut edges = weighted_quantiles(reference, &qs);
    edges.dedup();
    Ok(edges)
}

/// Slot of `x` among [underflow, quantile bins…, overflow] for `edges` (non-empty). With a
/// single edge the middle slot holds the values equal to it.
pub fn slot_on_edges(x: f64, edges: &[f64]) -> usize {
    let inner = edges.len().saturating_sub(1).max(1);
    let (first, last) = (edges[0], edges[edges.len() - 1]);
    if x < first {
        0
    } else if x > last {
        inner + 1
    } else if edges.len() == 1 {
        1
    } else {
        1 + bin_index(edges, x).expect("x within edges")
    }
}

/// Counts of a weighted sample in [underflow, quantile bins…, overflow].
pub fn counts_on_edges(sample: &[(f64, u64)], edges: &[f64]) -> Vec<u64> {
    let mut counts = vec![0u64; edges.len().saturating_sub(1).max(1) + 2];
    for &(x, c) in sample {
        counts[slot_on_edges(x, edges)] += c;
    }
    counts
}

/// PSI on reference-quantile bins of two weighted samples; `None` when a side is empty.
pub fn psi_reference_quantile_weighted(
    reference: &[(f64, u64)],
    current: &[(f64, u64)],
    bins: i32,
) -> Result<Option<f64>> {
    if reference.is_empty() || current.is_empty() {
        // Still validate the parameter so a bad call fails even on empty windows.
        reference_quantile_edges(&[(0.0, 1)], bins)?;
        return Ok(None);
    }
    let edges = reference_quantile_edges(reference, bins)?;
    let (r, c) = occupied_bins(
        &counts_on_edges(reference, &edges),
        &counts_on_edges(current, &edges),
    );
    Ok(psi_of_counts(&r, &c))
}

/// PSI on reference-quantile bins of two finite samples.
pub fn psi_reference_quantile(
    reference: &[f64],
    current: &[f64],
    bins: i32,
) -> Result<Option<f64>> {
    psi_reference_quantile_weighted(&to_weighted(reference), &to_weighted(current), bins)
}

/// PSI of two histograms with identical edges (underflow and overflow bins included).
pub fn psi_histograms(reference: &Histogram, current: &Histogram) -> Result<Option<f64>> {
    reference.check_same_edges(current, "psi")?;
    let (r, c) = occupied_bins(&reference.all_counts(), &current.all_counts());
    Ok(psi_of_counts(&r, &c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_rule_branches() {
        let mut s = vec![0.5, 0.5, 0.0];
        fill_empty_bins(&mut s);
        assert_eq!(s[2], 1e-4);
        let mut s = vec![0.99995, 0.00005, 0.0];
        fill_empty_bins(&mut s);
        assert_eq!(s[2], 0.00005 / 1e6);
    }

    #[test]
    fn identical_samples_have_zero_psi() {
        let x: Vec<f64> = (0..100).map(|i| (i as f64).sin()).collect();
        assert_eq!(psi_evidently(&x, &x), Some(0.0));
        assert_eq!(psi_reference_quantile(&x, &x, 10).unwrap(), Some(0.0));
    }

    #[test]
    fn bins_empty_on_both_sides_add_nothing() {
        // Regression: 1..20000 against 1..20000 ∪ {30000} on 10 reference-quantile bins. Only the
        // overflow bin differs (0 vs 1 value); the underflow bin is empty on both sides but was
        // filled with 1e-4 (reference) vs 1/20001/1e6 (current) and added ≈ 0.00145.
        let r: Vec<f64> = (1..=20_000).map(f64::from).collect();
        let mut c = r.clone();
        c.push(30_000.0);
        let got = psi_reference_quantile(&r, &c, 10).unwrap().unwrap();
        // By hand over the 11 occupied bins: reference shares 0.1 ×10 and fill 1e-4 for the
        // overflow bin (its smallest non-zero share is 0.1 > 1e-4); current 2000/20001 ×10 and
        // 1/20001.
        let mut want = 0.0;
        let (rs, cs): (f64, f64) = (0.1, 2000.0 / 20001.0);
        want += 10.0 * (rs - cs) * (rs / cs).ln();
        let (ro, co): (f64, f64) = (1e-4, 1.0 / 20001.0);
        want += (ro - co) * (ro / co).ln();
        assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        assert!(got < 1e-4, "{got}");
        // Same through explicit edges (underflow and overflow bins of a histogram).
        let edges: Vec<f64> = (0..=10).map(|i| 0.5 + 2000.0 * i as f64).collect();
        let hist = |xs: &[f64]| {
            let mut h = Histogram::new(edges.clone(), "edges").unwrap();
            xs.iter().for_each(|&x| h.add(Some(x)));
            h
        };
        let (hr, hc) = (hist(&r), hist(&c));
        let h = psi_histograms(&hr, &hc).unwrap().unwrap();
        assert!((h - want).abs() < 1e-15, "{h} vs {want}");
        // Identical samples: every occupied bin matches, PSI 0 whatever the empty bins.
        assert_eq!(psi_reference_quantile(&r, &r, 10).unwrap(), Some(0.0));
    }

    #[test]
    fn empty_side_is_none() {
        assert_eq!(psi_evidently(&[], &[1.0]), None);
        assert_eq!(psi_reference_quantile(&[1.0], &[], 10).unwrap(), None);
        assert!(psi_reference_quantile(&[], &[], 0).is_err());
    }
}
