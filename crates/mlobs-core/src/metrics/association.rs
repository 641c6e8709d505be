//! Feature–target association: Pearson's χ² test of independence on the contingency table a
//! `mlobs.confusion` summary holds when it is built over (feature, target) instead of (label,
//! prediction), as `scipy.stats.chi2_contingency`, and Cramér's V as
//! `scipy.stats.contingency.association(method="cramer")`.
//!
//! scipy 1.17 definitions:
//!  * expected_ij = row_i · col_j / n; dof = (r − 1)(c − 1); dof 0 gives (0, p = 1);
//!  * with `correction` (scipy's default) and dof 1 (a 2×2 table), Yates: every observed cell
//!    moves toward its expected value by min(0.5, |expected − observed|);
//!  * statistic Σ (observed − expected)² / expected, p = χ²_dof.sf(statistic);
//!  * Cramér's V = √(χ² / n / min(r − 1, c − 1)) with the *uncorrected* χ² (`association`'s
//!    default is `correction=False`); undefined (`None`) with one row or one column.
//!
//! scipy raises when an expected frequency is 0, which here only a category whose rows all have
//! weight 0 can cause: such rows and columns are left out of the table.

use super::confusion::Confusion;
use super::label::Label;
use crate::drift::categorical::chi2_sf;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Chi2Contingency {
    pub statistic: f64,
    pub p_value: f64,
    pub dof: u64,
    pub cramers_v: Option<f64>,
}

/// Row-major observed table (first column of the summary × second), margins > 0 only, every
/// weight times `f`.
fn table(c: &Confusion, f: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rows: BTreeMap<&Label, f64> = BTreeMap::new();
    let mut cols: BTreeMap<&Label, f64> = BTreeMap::new();
    for ((a, p), &w) in &c.cells {
        *rows.entry(a).or_insert(0.0) += w * f;
        *cols.entry(p).or_insert(0.0) += w * f;
    }
    rows.retain(|_, s| *s > 0.0);
    cols.retain(|_, s| *s > 0.0);
    let ri: BTreeMap<&Label, usize> = rows.keys().enumerate().map(|(i, l)| (*l, i)).collect();
    let ci: BTreeMap<&Label, usize> = cols.keys().enumerate().map(|(i, l)| (*l, i)).collect();
    let mut observed = vec![0.0; ri.len() * ci.len()];
    for ((a, p), &w) in &c.cells {
        if let (Some(i), Some(j)) = (ri.get(a), ci.get(p)) {
            observed[i * ci.len() + j] += w * f;
        }
    }
    (
        observed,
        rows.into_values().collect(),
        cols.into_values().collect(),
    )
}

/// Pearson's statistic of `observed` against `expected`.
fn pearson(observed: &[f64], expected: &[f64]) -> f64 {
    observed
        .iter()
        .zip(expected)
        .map(|(o, e)| (o - e) * (o - e) / e)
        .sum()
}

/// χ² test of independence of the summary's two columns; `None` when it is empty or all its
/// weight is 0.
pub fn chi2_contingency(c: &Confusion, correction: bool) -> Option<Chi2Contingency> {
    // On the table scaled to unit size (a power of two: exact), so that products of margins
    // neither overflow nor underflow (weights of 1e160 or 1e-200 gave NaN): χ² scales with the
    // weights, so it is scaled back; Cramér's V does not; Yates' 0.5 is in the rows' own units.
    let f = c.unit_factor();
    let (observed, row_sums, col_sums) = table(c, f);
    if observed.is_empty() {
        return None;
    }
    let n: f64 = row_sums.iter().sum();
    let (r, k) = (row_sums.len(), col_sums.len());
    let expected: Vec<f64> = row_sums
        .iter()
        .flat_map(|ri| col_sums.iter().map(move |cj| ri * cj / n))
        .collect();
    let dof = ((r - 1) * (k - 1)) as u64;
    let uncorrected = pearson(&observed, &expected);
    let cramers_v = (r.min(k) > 1).then(|| (uncorrected / n / (r.min(k) - 1) as f64).sqrt());
    let (statistic, p_value) = if dof == 0 {
        (0.0, 1.0)
    } else {
        let statistic = if dof == 1 && correction {
            let moved: Vec<f64> = observed
                .iter()
                .zip(&expected)
                .map(|(o, e)| {
                    let diff = e - o;
                    o + diff.signum() * diff.abs().min(0.5 * f)
                })
                .collect();
            pearson(&moved, &expected)
        } else {
            uncorrected
        };
        let statistic = statistic / f;
        (statistic, chi2_sf(statistic, dof as f64))
    };
    Some(Chi2Contingency {
        statistic,
        p_value,
        dof,
        cramers_v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(cells: &[(&str, &str, f64)]) -> Confusion {
        let mut c = Confusion::default();
        for &(a, p, w) in cells {
            c.add(Label::Text(a.into()), Label::Text(p.into()), w)
                .unwrap();
        }
        c
    }

    #[test]
    fn weights_near_float8_limits_scale() {
        // scipy on the unit table: statistic 0.41667 (Yates), Cramér's V 0.40825 (review of
        // 2026-12-07: ×1e160 and ×1e-200 gave NaN).
        let cells = [
            ("1", "1", 3.0),
            ("0", "1", 1.0),
            ("0", "0", 4.0),
            ("1", "0", 2.0),
        ];
        let base = chi2_contingency(&summary(&cells), true).unwrap();
        for k in [1e-200, 1e-160, 1e160, 1e300] {
            let scaled: Vec<(&str, &str, f64)> =
                cells.iter().map(|&(a, p, w)| (a, p, w * k)).collect();
            let r = chi2_contingency(&summary(&scaled), false).unwrap();
            let plain = chi2_contingency(&summary(&cells), false).unwrap();
            assert!(
                (r.statistic / (plain.statistic * k) - 1.0).abs() < 1e-12,
                "{k}: {r:?}"
            );
            assert!(
                (r.cramers_v.unwrap() - plain.cramers_v.unwrap()).abs() < 1e-12,
                "{k}: {r:?}"
            );
        }
        assert!((base.cramers_v.unwrap() - 0.408_248_290_463_863).abs() < 1e-12);
    }

    #[test]
    fn one_row_has_no_degrees_of_freedom() {
        let c = summary(&[("a", "x", 1.0), ("a", "y", 2.0)]);
        let r = chi2_contingency(&c, true).unwrap();
        assert_eq!(
            (r.statistic, r.p_value, r.dof, r.cramers_v),
            (0.0, 1.0, 0, None)
        );
    }

    #[test]
    fn zero_weight_categories_are_left_out() {
        let c = summary(&[
            ("a", "x", 3.0),
            ("b", "y", 3.0),
            ("c", "x", 0.0),
            ("a", "z", 0.0),
        ]);
        let r = chi2_contingency(&c, false).unwrap();
        assert_eq!(r.dof, 1);
        assert_eq!(r.statistic, 6.0);
        assert_eq!(r.cramers_v, Some(1.0));
        assert!(chi2_contingency(&Confusion::default(), true).is_none());
        assert!(chi2_contingency(&summary(&[("a", "x", 0.0)]), true).is_none());
    }
}
