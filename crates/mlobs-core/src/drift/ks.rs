//! Two-sample Kolmogorov–Smirnov test as `scipy.stats.ks_2samp` computes it: exact lattice-path
//! p-values while affordable, the Kolmogorov limiting distribution beyond.

use super::distance::cdf_gaps;
use super::sample::Sample;

/// Samples up to this size get scipy's exact two-sample KS p-value (scipy's `MAX_AUTO_N`).
pub const KS_EXACT_MAX_N: usize = 10_000;

/// Above KS_EXACT_MAX_N the exact recursion is still used while its work (cells of the lattice
/// walk, ~40 ns each) stays below this — a few tens of milliseconds; beyond it the Kolmogorov
/// limiting distribution is used unless the caller asks for `Exact`. (It was 2e9 — over a minute
/// for 45 000 vs 15 001 values, found by the scale-out test.)
pub const KS_EXACT_MAX_WORK: f64 = 1e6;

/// Two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp(a, b)`: (D, p).
/// Exact p-value (Hodges' lattice-path method in Viehmann's 1 − p form, or the closed form for
/// equal sizes) — scipy's "auto" mode for samples of at most 10 000. For larger samples scipy
/// switches to an asymptotic distribution; mlobs keeps the exact value while it is affordable
/// (see KS_EXACT_MAX_WORK) and documents the difference.
pub fn ks_2samp(a: &Sample, b: &Sample) -> (f64, f64) {
    ks_2samp_with(a, b, KsPValue::Auto)
}

/// How the KS p-value is computed above scipy's exact range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KsPValue {
    /// Exact up to 10 000 values per side, then exact while it stays within KS_EXACT_MAX_WORK.
    Auto,
    /// Always the exact value, whatever it costs (interruptible; can take minutes).
    Exact,
    /// Exact up to 10 000 values per side, then the Kolmogorov limiting distribution: constant
    /// time, for large windows under a latency budget (the exact walk can take a second).
    Asymptotic,
}

/// `ks_2samp` with the p-value mode of the `p_value` option.
pub fn ks_2samp_with(a: &Sample, b: &Sample, mode: KsPValue) -> (f64, f64) {
    let (n1, n2) = (a.n as usize, b.n as usize);
    // D = max |F1 − F2| over the pooled points (numpy searchsorted side="right").
    let mut d: f64 = 0.0;
    cdf_gaps(a, b, |diff, _| d = d.max(diff.abs()));
    let d = d.min(1.0);
    let g = gcd(n1 as u64, n2 as u64);
    let lcm = (n1 as u64 / g) as f64 * n2 as f64;
    let h = (d * lcm).round_ties_even();
    if h == 0.0 {
        return (0.0, 1.0);
    }
    let d_exact = h / lcm;
    let (m, n) = (n1.max(n2) as f64, n1.min(n2) as f64);
    let window = (2.0 * d_exact * n + 2.0).min(n + 1.0);
    // `Exact` is exact at every size (scipy's method='exact' too); only `Auto` weighs the cost.
    let exact_affordable = n1.max(n2) <= KS_EXACT_MAX_N
        || mode == KsPValue::Exact
        || (mode == KsPValue::Auto && m * window <= KS_EXACT_MAX_WORK);
    if exact_affordable {
        let p = if n1 == n2 {
            prob_outside_square(n1 as u64, h as u64)
        } else {
            outer_prob_inside(n1 as u64, n2 as u64, g, h as u64)
        };
        if (0.0..=1.0).contains(&p) {
            return (d_exact, p);
        }
    }
    let en = m * n / (m + n);
    (d, kolmogorov_sf(en.sqrt() * d))
}

pub(super) fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// P(D_{n,n} ≥ h/n) for equal sample sizes: 2·Σ_k (−1)^{k+1} C(2n, n−kh)/C(2n, n), evaluated in
/// nested (Horner) form so no binomial coefficient is ever formed.
fn prob_outside_square(n: u64, h: u64) -> f64 {
    let (nf, hf) = (n as f64, h as f64);
    let mut p = 0.0;
    let mut k = n / h;
    loop {
        crate::interrupt::check();
        let kf = k as f64;
        let mut term = 1.0;
        for j in 0..h {
            let jf = j as f64;
            term = (nf - kf * hf - jf) * term / (nf + kf * hf + jf + 1.0);
        }
        p = term * (1.0 - p);
        if k == 0 {
            break;
        }
        k -= 1;
    }
    2.0 * p
}

/// Share of monotone lattice paths (0,0)→(m,n) that leave the band |x/m − y/n| < h/lcm(m, n):
/// the two-sided exact p-value for unequal sizes. The recursion tracks 1 − (share inside) per
/// column over a sliding window, which keeps every value in [0, 1] (no overflow, no cancellation).
fn outer_prob_inside(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n {
        (n as i64, m as i64)
    } else {
        (m as i64, n as i64)
    };
    let (g, h) = (g as i64, h as i64);
    let (mg, ng) = (m / g, n / g);
    let ceil_div = |a: i64, b: i64| -(-a).div_euclid(b);
    let mut minj: i64 = 0;
    let mut maxj: i64 = ceil_div(h, mg).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1) as usize;
    let mut col = vec![1.0f64; len_a];
    for v in col.iter_mut().take(maxj as usize) {
        *v = 0.0;
    }
    for i in 1..=m {
        if i % 1024 == 0 {
            crate::interrupt::check();
        }
        let (lastminj, lastlen) = (minj, curlen);
        minj = ((ng * i - h).div_euclid(mg) + 1).max(0).min(n);
        maxj = ceil_div(ng * i + h, mg).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let fi = i as f64;
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..(maxj - minj) {
            let j = (jj + minj) as f64;
            val = (col[(jj + minj - lastminj) as usize] * fi + val * j) / (fi + j);
            col[jj as usize] = val;
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let start = (maxj - minj) as usize;
            for v in &mut col[start..start + (lastlen - curlen) as usize] {
                *v = 1.0;
            }
        }
    }
    col[(maxj - minj - 1) as usize]
}

/// Survival function of the Kolmogorov limiting distribution, Q(λ) = 2 Σ (−1)^{k−1} e^{−2k²λ²}.
pub fn kolmogorov_sf(lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return 1.0;
    }
    if lambda < 0.2 {
        // The alternating series converges slowly here; Q is 1 to double precision.
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=200 {
        let kf = k as f64;
        let term = (-2.0 * kf * kf * lambda * lambda).exp();
        sum += if k % 2 == 1 { term } else { -term };
        if term < 1e-300 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::sample::of as sample;

    #[test]
    fn ks_asymptotic_mode_only_changes_large_samples() {
        let small: Vec<f64> = (0..5000).map(|i| (i as f64 * 0.37).sin()).collect();
        let small2: Vec<f64> = (0..4000).map(|i| (i as f64 * 0.11).cos() * 0.9).collect();
        let (a, b) = (sample(&small), sample(&small2));
        assert_eq!(
            ks_2samp_with(&a, &b, KsPValue::Asymptotic),
            ks_2samp(&a, &b)
        );
        let big: Vec<f64> = (0..40_000).map(|i| (i as f64 * 0.37).sin()).collect();
        let big2: Vec<f64> = (0..30_000)
            .map(|i| (i as f64 * 0.23).sin() * 1.004)
            .collect();
        let (a, b) = (sample(&big), sample(&big2));
        let (d_exact, p_exact) = ks_2samp_with(&a, &b, KsPValue::Exact);
        let (d_asym, p_asym) = ks_2samp_with(&a, &b, KsPValue::Asymptotic);
        assert!((d_exact - d_asym).abs() < 1e-12);
        // Same D; the limiting distribution is within a few percent of the exact p here.
        assert!(
            p_asym > 0.0 && (p_asym - p_exact).abs() <= 0.05 * p_exact,
            "{d_exact} {p_exact} {p_asym}"
        );
    }

    #[test]
    fn ks_exact_mode_is_exact_above_10000() {
        // Regression: `Exact` silently returned the limiting-distribution value above 10 000
        // values per side (0.00133874… from kolmogorov_sf instead of the exact 0.00133393…).
        // scipy 1.17.1: a = [(i·7919) mod 100003 for i < 12000], b = [(j·6007) mod 100003 + 2500
        // for j < 11000]; ks_2samp(a, b, method='exact') → (0.025204545454545455,
        // 0.001333933161374876); method='asymp' → 0.0013387418070210974.
        let a: Vec<f64> = (0..12_000u64)
            .map(|i| ((i * 7919) % 100_003) as f64)
            .collect();
        let b: Vec<f64> = (0..11_000u64)
            .map(|j| ((j * 6007) % 100_003 + 2500) as f64)
            .collect();
        let (a, b) = (sample(&a), sample(&b));
        let (d, p) = ks_2samp_with(&a, &b, KsPValue::Exact);
        assert!((d - 0.025204545454545455).abs() < 1e-15, "{d}");
        assert!((p / 0.001333933161374876 - 1.0).abs() < 1e-9, "{p}");
        // Auto keeps the cost guard here (work ≈ 6.7e6 cells > KS_EXACT_MAX_WORK) and differs.
        let (_, p_auto) = ks_2samp(&a, &b);
        assert!(
            (p_auto / 0.001333933161374876 - 1.0).abs() > 1e-3,
            "{p_auto}"
        );
    }

    #[test]
    fn ks_small_exact_values() {
        // scipy.stats.ks_2samp: ([1], [2]) → (1, 1.0); ([1, 2], [3, 4, 5]) → (1, 0.2).
        assert_eq!(ks_2samp(&sample(&[1.0]), &sample(&[2.0])), (1.0, 1.0));
        let (d, p) = ks_2samp(&sample(&[1.0, 2.0]), &sample(&[3.0, 4.0, 5.0]));
        assert_eq!(d, 1.0);
        assert!((p - 0.2).abs() < 1e-15);
    }
}
