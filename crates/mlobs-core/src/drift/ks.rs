//! Two-sample Kolmogorov–Smirnov test as `scipy.stats.ks_2samp` computes it: exact lattice-path
//! p-values up to 10 000 values a side, scipy's finite-n Kolmogorov distribution (`kstwo`) beyond.

use super::distance::cdf_gaps;
use super::kolmogorov::kstwo_sf;
use super::sample::Sample;

/// Samples up to this size get scipy's exact two-sample KS p-value (scipy's `MAX_AUTO_N`): in
/// `Auto` mode the exact lattice value while max(n1, n2) ≤ 10 000, the asymptotic one above.
pub const KS_EXACT_MAX_N: usize = 10_000;

/// Two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp(a, b)`: (D, p).
pub fn ks_2samp(a: &Sample, b: &Sample) -> (f64, f64) {
    ks_2samp_with(a, b, KsPValue::Auto)
}

/// How the KS p-value is computed (the `p_value` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KsPValue {
    /// scipy's `method='auto'`: exact while max(n1, n2) ≤ 10 000, else the asymptotic value;
    /// an exact value that fails (outside [0, 1], overflow) falls back to the asymptotic one.
    Auto,
    /// The exact lattice value at every size (interruptible; can take minutes), with scipy's
    /// fallback to the asymptotic value when the exact computation fails.
    Exact,
    /// scipy's `method='asymp'`: `kstwo.sf(D, round(n·m/(n+m)))` for the two-sided test,
    /// Hodges' approximation (eq. 5.3) for the one-sided ones.
    Asymptotic,
}

/// The alternative hypothesis (`ks_2samp(..., alternative=...)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alternative {
    TwoSided,
    /// D = max(F2 − F1) ≥ 0 (scipy's 'less': the CDF of `a` lies below that of `b`).
    Less,
    /// D = max(F1 − F2) ≥ 0.
    Greater,
}

/// `ks_2samp` with the p-value mode of the `p_value` option (two-sided).
pub fn ks_2samp_with(a: &Sample, b: &Sample, mode: KsPValue) -> (f64, f64) {
    ks_2samp_alt(a, b, Alternative::TwoSided, mode)
}

/// `scipy.stats.ks_2samp(a, b, alternative, method)`: (D, p).
pub fn ks_2samp_alt(a: &Sample, b: &Sample, alt: Alternative, mode: KsPValue) -> (f64, f64) {
    let (n1, n2) = (a.n as usize, b.n as usize);
    // F1 − F2 over the pooled points (numpy searchsorted side="right").
    let (mut max_s, mut min_s): (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);
    cdf_gaps(a, b, |diff, _| {
        max_s = max_s.max(diff);
        min_s = min_s.min(diff);
    });
    // The last pooled point (both CDFs at 1) closes the walk with a difference of 0.
    let max_s = max_s.max(0.0);
    let min_s = (-min_s.min(0.0)).clamp(0.0, 1.0);
    let d = match alt {
        Alternative::Less => min_s,
        Alternative::Greater => max_s,
        Alternative::TwoSided => {
            if min_s > max_s {
                min_s
            } else {
                max_s
            }
        }
    };
    let exact = match mode {
        KsPValue::Auto => n1.max(n2) <= KS_EXACT_MAX_N,
        KsPValue::Exact => true,
        KsPValue::Asymptotic => false,
    };
    let mut d = d;
    if exact {
        match exact_2kssamp(n1 as u64, n2 as u64, d, alt) {
            (d_exact, Some(p)) => return (d_exact, p),
            // scipy: "Exact calculation unsuccessful. Switching to method=asymp", with the
            // statistic already rounded to the lattice.
            (d_exact, None) => d = d_exact,
        }
    }
    (d, asymptotic_p(n1 as f64, n2 as f64, d, alt))
}

/// scipy's `method='asymp'` p-value for statistic `d`.
fn asymptotic_p(n1: f64, n2: f64, d: f64, alt: Alternative) -> f64 {
    let (m, n) = (n1.max(n2), n1.min(n2));
    let en = m * n / (m + n);
    let p = match alt {
        Alternative::TwoSided => kstwo_sf(en.round_ties_even() as u64, d),
        _ => {
            // Hodges (1958) eq. 5.3, m the larger size.
            let z = en.sqrt() * d;
            let expt = -2.0 * z * z - 2.0 * z * (m + 2.0 * n) / (m * n * (m + n)).sqrt() / 3.0;
            expt.exp()
        }
    };
    p.clamp(0.0, 1.0)
}

/// scipy's `_attempt_exact_2kssamp`: (D rounded to the lattice, Some(p)) or None on failure.
fn exact_2kssamp(n1: u64, n2: u64, d: f64, alt: Alternative) -> (f64, Option<f64>) {
    let g = gcd(n1, n2);
    let lcm = (n1 / g) as f64 * n2 as f64;
    let h = (d * lcm).round_ties_even();
    let d = h / lcm;
    if h == 0.0 {
        return (d, Some(1.0));
    }
    let h = h as u64;
    let p = match alt {
        Alternative::TwoSided => {
            if n1 == n2 {
                prob_outside_square(n1, h)
            } else {
                outer_prob_inside(n1, n2, g, h)
            }
        }
        _ => {
            if n1 == n2 {
                (0..h).fold(1.0, |p, j| {
                    p * ((n1 - j) as f64 / (n1 as f64 + j as f64 + 1.0))
                })
            } else {
                // scipy counts paths with binom(n1 + n2, n1) and gives up when it overflows.
                if ln_binom(n1 + n2, n1) > f64::MAX.ln() {
                    return (d, None);
                }
                one_sided_outside(n1, n2, g, h)
            }
        }
    };
    if (0.0..=1.0).contains(&p) {
        (d, Some(p))
    } else {
        (d, None)
    }
}

fn ln_binom(n: u64, k: u64) -> f64 {
    let k = k.min(n - k);
    (0..k).map(|j| ((n - j) as f64 / (j + 1) as f64).ln()).sum()
}

/// Share of monotone lattice paths (0,0)→(n1,n2) that reach x/n1 − y/n2 ≥ h/lcm: the exact
/// one-sided p-value (symmetric in the direction by path reversal). Tracks 1 − (share still
/// below the line) per cell, like `outer_prob_inside`, so no cancellation near p ≈ 0.
fn one_sided_outside(n1: u64, n2: u64, g: u64, h: u64) -> f64 {
    let (n1i, n2i) = (n1 as i64, n2 as i64);
    let hg = (h * g) as i64;
    let outside = |x: i64, y: i64| x * n2i - y * n1i >= hg;
    let mut col = vec![0.0f64; n2 as usize + 1];
    // x = 0: y ≥ 0 gives −y·n1 < hg always inside.
    for x in 1..=n1i {
        if x % 64 == 0 {
            crate::interrupt::check();
        }
        let xf = x as f64;
        for y in 0..=n2i {
            let yu = y as usize;
            col[yu] = if outside(x, y) {
                1.0
            } else if y == 0 {
                col[0]
            } else {
                let yf = y as f64;
                (xf * col[yu] + yf * col[yu - 1]) / (xf + yf)
            };
        }
    }
    col[n2 as usize]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::sample::of as sample;

    #[test]
    fn ks_auto_switches_at_max_auto_n_like_scipy() {
        // Auto is exact up to 10 000 values a side, scipy's asymptotic kstwo above.
        let small: Vec<f64> = (0..5000).map(|i| (i as f64 * 0.37).sin()).collect();
        let small2: Vec<f64> = (0..4000).map(|i| (i as f64 * 0.11).cos() * 0.9).collect();
        let (a, b) = (sample(&small), sample(&small2));
        assert_eq!(ks_2samp(&a, &b), ks_2samp_with(&a, &b, KsPValue::Exact));
        let big: Vec<f64> = (0..40_000).map(|i| (i as f64 * 0.37).sin()).collect();
        let big2: Vec<f64> = (0..30_000)
            .map(|i| (i as f64 * 0.23).sin() * 1.004)
            .collect();
        let (a, b) = (sample(&big), sample(&big2));
        let (d_exact, p_exact) = ks_2samp_with(&a, &b, KsPValue::Exact);
        let (d_asym, p_asym) = ks_2samp_with(&a, &b, KsPValue::Asymptotic);
        assert_eq!(ks_2samp(&a, &b), (d_asym, p_asym));
        assert!((d_exact - d_asym).abs() < 1e-12);
        // Same D; the asymptotic distribution is within a few percent of the exact p here.
        assert!(
            p_asym > 0.0 && (p_asym - p_exact).abs() <= 0.05 * p_exact,
            "{d_exact} {p_exact} {p_asym}"
        );
    }

    #[test]
    fn ks_failed_exact_falls_back_to_kstwo() {
        // Regression: scipy 1.17.1 ks_2samp([1..5], [1.5..5.5]) → (0.2, 1.0): the exact value
        // leaves [0, 1] and scipy falls back to kstwo.sf(0.2, round(2.5) = 2); mlobs gave
        // 0.99997 (the Kolmogorov limit).
        let a = sample(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let b = sample(&[1.5, 2.5, 3.5, 4.5, 5.5]);
        assert_eq!(ks_2samp(&a, &b), (0.2, 1.0));
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
        // Auto is scipy's method='auto': asymptotic above 10 000 values a side.
        let (_, p_auto) = ks_2samp(&a, &b);
        assert!(
            (p_auto / 0.0013387418070210974 - 1.0).abs() < 1e-12,
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
