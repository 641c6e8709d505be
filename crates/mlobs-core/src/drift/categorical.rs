//! Tests on category counts, as Evidently 0.7 / scipy 1.17 compute them: χ², G, the
//! two-proportion z-test and Fisher's exact test.

use super::sample::{category_counts, Sample};
use statrs::distribution::ContinuousCDF;

/// Evidently `chisquare`: `scipy.stats.chisquare(f_obs = current counts, f_exp = reference
/// counts · n_cur / n_ref)` over the union of categories: (statistic, p). A category absent from
/// the reference makes the statistic +∞ and p = 0. One category: p is NaN (no degrees of freedom).
pub fn chisquare(reference_counts: &[u64], current_counts: &[u64]) -> (f64, f64) {
    let nr: u64 = reference_counts.iter().sum();
    let nc: u64 = current_counts.iter().sum();
    let k_norm = nc as f64 / nr as f64;
    let mut stat = 0.0;
    for (&r, &c) in reference_counts.iter().zip(current_counts) {
        let e = r as f64 * k_norm;
        let d = c as f64 - e;
        stat += d * d / e;
    }
    let df = reference_counts.len() as f64 - 1.0;
    (stat, chi2_sf(stat, df))
}

/// `scipy.stats.chi2.sf(x, df)`; NaN for df ≤ 0 or NaN x, 0 for x = +∞.
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    use statrs::distribution::ChiSquared;
    if x.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    ChiSquared::new(df).expect("df > 0").sf(x)
}

/// Evidently `z` for binary categories: pooled two-proportion z-test on "is not the smallest
/// category", two-sided: (z, p). Identical single-valued samples give (0, 1).
pub fn z_test(reference: &Sample, current: &Sample) -> (f64, f64) {
    use statrs::distribution::Normal;
    let (keys, r, c) = category_counts(reference, current);
    if keys.len() == 1 {
        return (0.0, 1.0);
    }
    let (n1, n2) = (reference.n as f64, current.n as f64);
    // Share of values different from keys[0].
    let p1 = (n1 - r[0] as f64) / n1;
    let p2 = (n2 - c[0] as f64) / n2;
    let pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    let z = (p1 - p2) / (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let normal = Normal::new(0.0, 1.0).expect("standard normal");
    (z, 2.0 * (1.0 - normal.cdf(z.abs())))
}

/// G-test (log-likelihood ratio) of current counts against reference proportions:
/// G = 2 Σ o·ln(o/e) with e = reference · n_cur / n_ref, df = k − 1. Evidently passes the raw
/// reference counts as e, which scipy only accepts when both samples have the same size; there
/// the two agree exactly, otherwise Evidently raises and mlobs scales.
pub fn g_test(reference_counts: &[u64], current_counts: &[u64]) -> (f64, f64) {
    let nr: u64 = reference_counts.iter().sum();
    let nc: u64 = current_counts.iter().sum();
    let k_norm = nc as f64 / nr as f64;
    let mut g = 0.0;
    for (&r, &c) in reference_counts.iter().zip(current_counts) {
        let (o, e) = (c as f64, r as f64 * k_norm);
        if o > 0.0 {
            g += if e > 0.0 {
                o * (o / e).ln()
            } else {
                f64::INFINITY
            };
        }
    }
    let g = 2.0 * g;
    (g, chi2_sf(g, reference_counts.len() as f64 - 1.0))
}

/// Fisher's exact test on the 2×2 table [[current b, current a], [reference b, reference a]] of a
/// binary column, two-sided as `scipy.stats.fisher_exact`: (odds ratio, p). p sums the
/// hypergeometric probabilities of all tables no more likely than the observed one (relative
/// tolerance 1e-14, as scipy). A zero row or column margin gives (NaN, 1).
pub fn fisher_exact(reference: [u64; 2], current: [u64; 2]) -> (f64, f64) {
    use statrs::function::gamma::ln_gamma;
    let c = [[current[1], current[0]], [reference[1], reference[0]]];
    if c[0][0] + c[1][0] == 0
        || c[0][1] + c[1][1] == 0
        || c[0][0] + c[0][1] == 0
        || c[1][0] + c[1][1] == 0
    {
        return (f64::NAN, 1.0);
    }
    let odds = if c[1][0] > 0 && c[0][1] > 0 {
        (c[0][0] * c[1][1]) as f64 / (c[1][0] * c[0][1]) as f64
    } else {
        f64::INFINITY
    };
    let (n1, n2, n) = (c[0][0] + c[0][1], c[1][0] + c[1][1], c[0][0] + c[1][0]);
    let ln_choose = |a: u64, b: u64| {
        ln_gamma(a as f64 + 1.0) - ln_gamma(b as f64 + 1.0) - ln_gamma((a - b) as f64 + 1.0)
    };
    let total = ln_choose(n1 + n2, n);
    // P(X = x) for X ~ Hypergeometric(population n1 + n2, successes n1, draws n).
    let pmf = |x: u64| (ln_choose(n1, x) + ln_choose(n2, n - x) - total).exp();
    let (lo, hi) = (n.saturating_sub(n2), n.min(n1));
    let pexact = pmf(c[0][0]);
    let mode = ((n + 1) as f64 * (n1 + 1) as f64 / (n1 + n2 + 2) as f64) as u64;
    let pmode = pmf(mode.clamp(lo, hi));
    if (pexact - pmode).abs() / pexact.max(pmode) <= 1e-14 {
        return (odds, 1.0);
    }
    let limit = pexact * (1.0 + 1e-14);
    let p: f64 = (lo..=hi).map(pmf).filter(|&q| q <= limit).sum();
    (odds, p.min(1.0))
}
