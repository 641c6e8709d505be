//! Drift statistics between a reference and a current sample, defined as Evidently 0.7 and scipy
//! 1.17 compute them (see docs/drift.md for each definition and its reference).
//!
//! Every statistic works on a `Sample`: the finite values as ascending (value, count) pairs plus
//! the exact size, mean and variance. Raw arrays give exact samples; a stored profile gives its
//! discretised sample (each value within 1 % of its true value, extremes exact) with exact
//! moments — so every profile-based result is the exact result on that discretised data.

use crate::binning::{histogram_counts_weighted, sturges_edges_for};
use crate::profile::NumericProfile;
use crate::psi::{evidently_bins_weighted, fill_empty_bins, to_weighted};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// A finite, non-empty sample as drift statistics need it.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Ascending, distinct values with their counts.
    pub values: Vec<(f64, u64)>,
    pub n: u64,
    pub mean: f64,
    /// Population variance (divisor n).
    pub var_pop: f64,
}

impl Sample {
    /// From raw finite values; `None` when empty.
    pub fn from_values(values: &[f64]) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var_pop = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        Some(Self {
            values: to_weighted(values),
            n: values.len() as u64,
            mean,
            var_pop,
        })
    }

    /// From ascending (value, count) pairs with distinct values; `None` when empty.
    pub fn from_weighted(values: Vec<(f64, u64)>) -> Option<Self> {
        let n: u64 = values.iter().map(|v| v.1).sum();
        if n == 0 {
            return None;
        }
        let nf = n as f64;
        let mean = values.iter().map(|&(x, c)| x * c as f64).sum::<f64>() / nf;
        let var_pop = values
            .iter()
            .map(|&(x, c)| (x - mean) * (x - mean) * c as f64)
            .sum::<f64>()
            / nf;
        Some(Self {
            values,
            n,
            mean,
            var_pop,
        })
    }

    /// From a stored profile; `None` when it holds no finite value.
    pub fn from_profile(p: &NumericProfile) -> Option<Self> {
        Some(Self {
            values: p.discretised(),
            n: p.n,
            mean: p.mean()?,
            var_pop: p.variance_pop()?,
        })
    }
}

/// Bin counts as shares of their total.
pub fn shares(counts: &[u64]) -> Vec<f64> {
    let n: u64 = counts.iter().sum();
    counts.iter().map(|&c| c as f64 / n as f64).collect()
}

fn normalized(v: &[f64]) -> Vec<f64> {
    let s: f64 = v.iter().sum();
    v.iter().map(|x| x / s).collect()
}

/// scipy.special.rel_entr: x·ln(x/y), 0 at x = 0, +∞ when only y = 0.
fn rel_entr(x: f64, y: f64) -> f64 {
    if x == 0.0 && y >= 0.0 {
        0.0
    } else if x > 0.0 && y > 0.0 {
        x * (x / y).ln()
    } else {
        f64::INFINITY
    }
}

/// Evidently `kl_div`: `scipy.stats.entropy(ref, cur)` on Evidently's bins with its empty-bin
/// fill; entropy renormalises both vectors. Natural log.
pub fn kl_div(reference: &Sample, current: &Sample) -> f64 {
    let bins = evidently_bins_weighted(&reference.values, &current.values);
    kl_div_of_counts(&bins.reference, &bins.current)
}

/// `scipy.stats.entropy` of two bin-count vectors after Evidently's empty-bin fill.
pub fn kl_div_of_counts(reference: &[u64], current: &[u64]) -> f64 {
    let (mut r, mut c) = (shares(reference), shares(current));
    fill_empty_bins(&mut r);
    fill_empty_bins(&mut c);
    let (p, q) = (normalized(&r), normalized(&c));
    p.iter().zip(&q).map(|(&a, &b)| rel_entr(a, b)).sum()
}

/// Jensen–Shannon *distance* (√ of the divergence) of two share vectors, as
/// `scipy.spatial.distance.jensenshannon(p, q, base)`: natural log unless `base` is given.
pub fn jensenshannon_of_shares(p: &[f64], q: &[f64], base: Option<f64>) -> f64 {
    let (p, q) = (normalized(p), normalized(q));
    let mut js = 0.0;
    for (&a, &b) in p.iter().zip(&q) {
        let m = (a + b) / 2.0;
        js += rel_entr(a, m) + rel_entr(b, m);
    }
    js /= 2.0;
    if let Some(b) = base {
        js /= b.ln();
    }
    js.sqrt()
}

/// Evidently `jensenshannon`: on Evidently's bins, without the empty-bin fill.
pub fn jensenshannon(reference: &Sample, current: &Sample, base: Option<f64>) -> f64 {
    let bins = evidently_bins_weighted(&reference.values, &current.values);
    jensenshannon_of_shares(&shares(&bins.reference), &shares(&bins.current), base)
}

/// The distinct values of u ∪ v in ascending order, each with its count in u and in v.
fn pooled(u: &Sample, v: &Sample) -> Vec<(f64, u64, u64)> {
    let mut out = Vec::with_capacity(u.values.len() + v.values.len());
    let (mut i, mut j) = (0usize, 0usize);
    while i < u.values.len() || j < v.values.len() {
        let x = match (u.values.get(i), v.values.get(j)) {
            (Some(a), Some(b)) => a.0.min(b.0),
            (Some(a), None) => a.0,
            (None, Some(b)) => b.0,
            (None, None) => unreachable!(),
        };
        let mut cu = 0;
        let mut cv = 0;
        if u.values.get(i).is_some_and(|a| a.0 == x) {
            cu = u.values[i].1;
            i += 1;
        }
        if v.values.get(j).is_some_and(|b| b.0 == x) {
            cv = v.values[j].1;
            j += 1;
        }
        out.push((x, cu, cv));
    }
    out
}

/// Walks F_u − F_v between consecutive distinct points of u ∪ v, calling `f(F_u − F_v, gap)`:
/// the terms scipy's `_cdf_distance` sums (zero-width gaps between duplicates add nothing). At the
/// last point both CDFs are 1, so it needs no call.
fn cdf_gaps(u: &Sample, v: &Sample, mut f: impl FnMut(f64, f64)) {
    let (nu, nv) = (u.n as f64, v.n as f64);
    let (mut cu, mut cv) = (0u64, 0u64);
    let points = pooled(u, v);
    for w in points.windows(2) {
        cu += w[0].1;
        cv += w[0].2;
        f(cu as f64 / nu - cv as f64 / nv, w[1].0 - w[0].0);
    }
}

/// `scipy.stats.wasserstein_distance(u, v)`: the first Wasserstein distance (W1).
pub fn wasserstein_raw(u: &Sample, v: &Sample) -> f64 {
    let mut total = 0.0;
    cdf_gaps(u, v, |d, gap| total += d.abs() * gap);
    total
}

/// Evidently `wasserstein` ("normed"): W1 / max(std_pop(reference), 0.001).
pub fn wasserstein_normed(reference: &Sample, current: &Sample) -> f64 {
    wasserstein_raw(reference, current) / reference.var_pop.sqrt().max(0.001)
}

/// `scipy.stats.energy_distance(u, v)` = √2 · (∫ (F_u − F_v)²)^½ (Evidently `ed`).
pub fn energy_distance(u: &Sample, v: &Sample) -> f64 {
    let mut total = 0.0;
    cdf_gaps(u, v, |d, gap| total += d * d * gap);
    std::f64::consts::SQRT_2 * total.sqrt()
}

/// Evidently `hellinger` for a numeric column: Sturges edges over the *distinct* values of
/// reference ∪ current, density histograms, √(1 − clip(Σ √(p·q)·width, 0, 1)).
pub fn hellinger(reference: &Sample, current: &Sample) -> f64 {
    let keys: Vec<f64> = pooled(reference, current).iter().map(|p| p.0).collect();
    let edges = sturges_edges_for(keys[0], keys[keys.len() - 1], keys.len() as u64);
    let density = |s: &Sample| -> Vec<f64> {
        let counts = histogram_counts_weighted(&s.values, &edges);
        let total: u64 = counts.iter().sum();
        counts
            .iter()
            .zip(edges.windows(2))
            .map(|(&c, w)| c as f64 / (w[1] - w[0]) / total as f64)
            .collect()
    };
    let k = (edges.len() - 1) as f64;
    let (first, last) = (edges[0], edges[edges.len() - 1]);
    let width = (last - first) / k;
    let bc: f64 = if (1e-150..=1e150).contains(&width) {
        let (h1, h2) = (density(reference), density(current));
        h1.iter()
            .zip(&h2)
            .map(|(a, b)| (a * b).sqrt() * width)
            .sum()
    } else {
        // Densities (1/width) near 1e±308 would overflow or underflow in a·b: the same sum from
        // shares and width ratios, Σ √(r_i·c_i) · width / width_i, which stay near 1.
        let width = 2.0 * ((last * 0.5 - first * 0.5) / k);
        let share = |s: &Sample| -> Vec<f64> {
            let counts = histogram_counts_weighted(&s.values, &edges);
            let total: u64 = counts.iter().sum();
            counts.iter().map(|&c| c as f64 / total as f64).collect()
        };
        let (s1, s2) = (share(reference), share(current));
        s1.iter()
            .zip(&s2)
            .zip(edges.windows(2))
            .map(|((a, b), w)| (a * b).sqrt() * (width / (w[1] - w[0])))
            .sum()
    };
    (1.0 - bc.clamp(0.0, 1.0)).sqrt()
}

/// Two-sample t-test with pooled variance, as `scipy.stats.ttest_ind(a, b)`: (t, two-sided p),
/// from the exact moments. NaN when undefined (fewer than 3 values in all, or no variance).
pub fn t_test(a: &Sample, b: &Sample) -> (f64, f64) {
    let (na, nb) = (a.n as f64, b.n as f64);
    let df = na + nb - 2.0;
    if df <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let pooled = (a.var_pop * na + b.var_pop * nb) / df;
    let t = (a.mean - b.mean) / (pooled * (1.0 / na + 1.0 / nb)).sqrt();
    if !t.is_finite() {
        return (t, f64::NAN);
    }
    let dist = StudentsT::new(0.0, 1.0, df).expect("df > 0");
    (t, 2.0 * dist.sf(t.abs()))
}

/// Category counts of two samples over the union of their values, in ascending key order.
pub fn category_counts(reference: &Sample, current: &Sample) -> (Vec<f64>, Vec<u64>, Vec<u64>) {
    let points = pooled(reference, current);
    (
        points.iter().map(|p| p.0).collect(),
        points.iter().map(|p| p.1).collect(),
        points.iter().map(|p| p.2).collect(),
    )
}

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

fn gcd(mut a: u64, mut b: u64) -> u64 {
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

/// Evidently `hellinger` for a categorical column: √(1 − clip(Σ √(p_i·q_i), 0, 1)) over shares.
pub fn hellinger_categorical(reference_counts: &[u64], current_counts: &[u64]) -> f64 {
    let (p, q) = (shares(reference_counts), shares(current_counts));
    let bc: f64 = p.iter().zip(&q).map(|(a, b)| (a * b).sqrt()).sum();
    (1.0 - bc.clamp(0.0, 1.0)).sqrt()
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

/// Total variation distance of the two share vectors: ½ Σ |p_i − q_i|.
pub fn total_variation(reference_counts: &[u64], current_counts: &[u64]) -> f64 {
    let (p, q) = (shares(reference_counts), shares(current_counts));
    0.5 * p.iter().zip(&q).map(|(a, b)| (a - b).abs()).sum::<f64>()
}

/// Permutations used for the TVD p-value, and the fixed seed that makes it deterministic.
pub const TVD_PERMUTATIONS: u32 = 1000;
pub const TVD_SEED: u64 = 0x6d6c_6f62_735f_7476;

/// Permutation p-value of the TVD (Evidently `TVD`): the share of random relabellings of the
/// pooled sample whose TVD is at least the observed one. Evidently draws its permutations from
/// numpy's global RNG; mlobs uses its own fixed-seed generator, so the p-value is deterministic
/// and statistically equivalent but not bit-identical to Evidently's.
pub fn tvd_permutation_p(reference_counts: &[u64], current_counts: &[u64]) -> f64 {
    let observed = total_variation(reference_counts, current_counts);
    let nr: u64 = reference_counts.iter().sum();
    let mut pooled: Vec<u32> = Vec::new();
    for (k, (&r, &c)) in reference_counts.iter().zip(current_counts).enumerate() {
        pooled.extend(std::iter::repeat_n(k as u32, (r + c) as usize));
    }
    let mut state = TVD_SEED;
    let mut next = move || {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let k = reference_counts.len();
    let mut at_least = 0u32;
    for _ in 0..TVD_PERMUTATIONS {
        crate::interrupt::check();
        // Fisher–Yates on the first nr positions is enough to draw the reference half.
        for i in 0..nr as usize {
            let j = i + (next() % (pooled.len() - i) as u64) as usize;
            pooled.swap(i, j);
        }
        let (mut r, mut c) = (vec![0u64; k], vec![0u64; k]);
        for (i, &v) in pooled.iter().enumerate() {
            if (i as u64) < nr {
                r[v as usize] += 1;
            } else {
                c[v as usize] += 1;
            }
        }
        if total_variation(&r, &c) >= observed - 1e-12 {
            at_least += 1;
        }
    }
    at_least as f64 / TVD_PERMUTATIONS as f64
}

/// L-infinity distance of the share vectors (NannyML): max_i |p_i − q_i|.
pub fn l_infinity(reference_counts: &[u64], current_counts: &[u64]) -> f64 {
    let (p, q) = (shares(reference_counts), shares(current_counts));
    p.iter()
        .zip(&q)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
}

/// Mann–Whitney U test, one-sided "less" as Evidently calls it (`scipy.stats.mannwhitneyu(x =
/// reference, y = current, alternative="less")`): (U1 of the reference, p). scipy's method
/// "auto": exact null distribution when a side has at most 8 values and there are no ties,
/// otherwise the normal approximation with tie and continuity corrections.
pub fn mann_whitney_less(x: &Sample, y: &Sample) -> (f64, f64) {
    let (n1, n2) = (x.n as f64, y.n as f64);
    // Mid-ranks over the pooled sample; tie group sizes for the variance correction.
    let mut rank_sum_x = 0.0;
    let mut tie_term = 0.0;
    let mut ties = false;
    let mut rank = 0.0; // ranks used so far
    for (_, cx, cy) in pooled(x, y) {
        let t = (cx + cy) as f64;
        let mid = rank + (t + 1.0) / 2.0;
        rank_sum_x += mid * cx as f64;
        rank += t;
        if t > 1.0 {
            ties = true;
            tie_term += t * t * t - t;
        }
    }
    let u1 = rank_sum_x - n1 * (n1 + 1.0) / 2.0;
    let u2 = n1 * n2 - u1; // "less" tests with U2
    let exact = (n1 <= 8.0 || n2 <= 8.0) && !ties && n1 * n2 <= MWU_EXACT_MAX_CELLS;
    let p = if exact {
        mwu_exact_sf(u2 as u64, x.n.min(y.n), x.n.max(y.n))
    } else {
        let n = n1 + n2;
        let s = (n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
        let z = (u2 - n1 * n2 / 2.0 - 0.5) / s;
        normal_sf(z)
    };
    (u1, p.clamp(0.0, 1.0))
}

/// Largest n1·n2 for which the exact U distribution is built (a vector of that length).
pub const MWU_EXACT_MAX_CELLS: f64 = 4e6;

/// P(U ≥ u) under H0 for sample sizes m ≤ n without ties: the coefficients of the Gaussian
/// binomial [m+n choose m]_q count the arrangements with each U, built exactly in integers as
/// Π_{i≤m} (1 − q^{n+i}) / (1 − q^i).
fn mwu_exact_sf(u: u64, m: u64, n: u64) -> f64 {
    let deg = (m * n) as usize;
    let mut c = vec![0i128; deg + 1];
    c[0] = 1;
    let mut top = 0usize; // current degree
    for i in 1..=m as usize {
        crate::interrupt::check();
        let shift = n as usize + i;
        // Multiply by (1 − q^shift).
        let new_top = (top + shift).min(deg + i); // degree before dividing
        if c.len() < new_top + 1 {
            c.resize(new_top + 1, 0);
        }
        for k in (shift..=new_top).rev() {
            c[k] -= c[k - shift];
        }
        // Divide by (1 − q^i): c'[k] = c[k] + c'[k − i].
        for k in i..=new_top {
            c[k] += c[k - i];
        }
        top = new_top - i;
    }
    let total: i128 = c[..=deg].iter().sum();
    let tail: i128 = c[(u as usize).min(deg + 1)..=deg].iter().sum();
    tail as f64 / total as f64
}

/// Standard normal survival function (scipy.special.ndtr(−z)).
fn normal_sf(z: f64) -> f64 {
    use statrs::distribution::Normal;
    Normal::new(0.0, 1.0).expect("standard normal").sf(z)
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

/// Anderson–Darling k-sample test for two samples, midrank variant, as
/// `scipy.stats.anderson_ksamp([reference, current])` (what Evidently calls): (standardised A²,
/// p). Like scipy, p is interpolated from Scholz & Stephens' table of critical values (quadratic
/// least-squares fit of ln p) and clipped to [0.001, 0.25]. NaN when the pooled sample has fewer
/// than two distinct values.
pub fn anderson_2samp(a: &Sample, b: &Sample) -> (f64, f64) {
    let samples = [a, b];
    let n_total = (a.n + b.n) as f64;
    // Per pooled distinct value: its pooled count and each sample's count.
    let rows: Vec<(u64, [u64; 2])> = pooled(a, b)
        .into_iter()
        .map(|(_, ca, cb)| (ca + cb, [ca, cb]))
        .collect();
    if rows.len() < 2 {
        return (f64::NAN, f64::NAN);
    }
    let mut a2 = 0.0;
    for (s, sample) in samples.iter().enumerate() {
        let n_i = sample.n as f64;
        let (mut below, mut below_i) = (0u64, 0u64); // pooled / sample counts strictly below
        let mut sum = 0.0;
        for &(l, f) in &rows {
            let lj = l as f64;
            let bj = below as f64 + lj / 2.0;
            let mij = (below_i + f[s]) as f64 - f[s] as f64 / 2.0;
            sum += lj / n_total * (n_total * mij - bj * n_i).powi(2)
                / (bj * (n_total - bj) - n_total * lj / 4.0);
            below += l;
            below_i += f[s];
        }
        a2 += sum / n_i;
    }
    a2 *= (n_total - 1.0) / n_total;

    let (k, big_n) = (2.0f64, n_total);
    let h_small = 1.0 / a.n as f64 + 1.0 / b.n as f64; // scipy's H
                                                       // hs_cs[j] = Σ_{t ≤ j} 1/(N − 1 − t), j = 0..N−3; h = hs_cs[last] + 1; g = Σ hs_cs[j]/(j + 2).
    let (mut cum, mut g) = (0.0, 0.0);
    let n_int = a.n + b.n;
    for jj in 0..n_int.saturating_sub(2) {
        cum += 1.0 / (n_int - 1 - jj) as f64;
        g += cum / (jj + 2) as f64;
    }
    let h = cum + 1.0;
    let ca = (4.0 * g - 6.0) * (k - 1.0) + (10.0 - 6.0 * g) * h_small;
    let cb = (2.0 * g - 4.0) * k * k + 8.0 * h * k + (2.0 * g - 14.0 * h - 4.0) * h_small - 8.0 * h
        + 4.0 * g
        - 6.0;
    let cc = (6.0 * h + 2.0 * g - 2.0) * k * k
        + (4.0 * h - 4.0 * g + 6.0) * k
        + (2.0 * h - 6.0) * h_small
        + 4.0 * h;
    let cd = (2.0 * h + 6.0) * k * k - 4.0 * h * k;
    let sigmasq = (ca * big_n.powi(3) + cb * big_n * big_n + cc * big_n + cd)
        / ((big_n - 1.0) * (big_n - 2.0) * (big_n - 3.0));
    let stat = (a2 - (k - 1.0)) / sigmasq.sqrt();
    (stat, anderson_p(stat))
}

/// Scholz & Stephens (1987) Table 2 interpolation for m = k − 1 = 1, as scipy does it.
fn anderson_p(a2: f64) -> f64 {
    const B0: [f64; 7] = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
    const B1: [f64; 7] = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
    const B2: [f64; 7] = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
    const SIG: [f64; 7] = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
    let critical: Vec<f64> = (0..7).map(|i| B0[i] + B1[i] + B2[i]).collect();
    let (cmin, cmax) = critical
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &c| {
            (lo.min(c), hi.max(c))
        });
    if a2 < cmin {
        return 0.25;
    }
    if a2 > cmax {
        return 0.001;
    }
    // Least-squares quadratic ln p ≈ c0 + c1·x + c2·x² through the 7 points (np.polyfit, deg 2),
    // solved from the normal equations.
    let mut m = [[0.0f64; 4]; 3];
    for (&x, &s) in critical.iter().zip(&SIG) {
        let y = s.ln();
        let powers = [1.0, x, x * x];
        for r in 0..3 {
            for c in 0..3 {
                m[r][c] += powers[r] * powers[c];
            }
            m[r][3] += powers[r] * y;
        }
    }
    // Gaussian elimination with partial pivoting on the 3×4 augmented matrix.
    for col in 0..3 {
        let pivot = (col..3)
            .max_by(|&p, &q| m[p][col].abs().total_cmp(&m[q][col].abs()))
            .expect("rows");
        m.swap(col, pivot);
        let pivot_row = m[col];
        for (r, row) in m.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (x, p) in row.iter_mut().zip(pivot_row.iter()).skip(col) {
                    *x -= f * p;
                }
            }
        }
    }
    let coef: Vec<f64> = (0..3).map(|r| m[r][3] / m[r][r]).collect();
    (coef[0] + coef[1] * a2 + coef[2] * a2 * a2).exp()
}

/// Most values per window the MMD test uses (its kernel matrix is (n + m)²); larger windows are
/// thinned to this many evenly spaced order statistics.
pub const MMD_MAX_PER_SIDE: usize = 1000;
/// Permutations of the MMD p-value (as Evidently) and their fixed seed.
pub const MMD_PERMUTATIONS: usize = 100;
pub const MMD_SEED: u64 = 0x6d6d_645f_7365_6564;

/// Expands a sample to `max` evenly spaced order statistics (all values when it is smaller).
fn expanded(s: &Sample, max: usize) -> Vec<f64> {
    let n = s.n as usize;
    let take = n.min(max);
    let mut out = Vec::with_capacity(take);
    let (mut k, mut seen) = (0usize, 0usize);
    for &(v, c) in &s.values {
        seen += c as usize;
        // Order statistic i·n/take for i = 0..take falls in this run of equal values while < seen.
        while k < take && k * n / take < seen {
            out.push(v);
            k += 1;
        }
    }
    out
}

/// Evidently `empirical_mmd`: maximum mean discrepancy with an RBF kernel whose σ is the median
/// heuristic on the reference (σ = √(½·median of squared pairwise reference distances), numpy's
/// "nearest" percentile), unbiased within-sample terms; p-value = share of permutations of the
/// pooled sample whose MMD is at least the observed one. Returns (MMD, p). The statistic is
/// Evidently's; the permutations come from a fixed-seed generator (Evidently uses numpy's global
/// one), so p is deterministic but not bit-identical to Evidently's.
pub fn empirical_mmd(reference: &Sample, current: &Sample) -> (f64, f64) {
    let x = expanded(reference, MMD_MAX_PER_SIDE);
    let y = expanded(current, MMD_MAX_PER_SIDE);
    let (n, m) = (x.len(), y.len());
    if n < 2 || m < 2 {
        return (f64::NAN, f64::NAN);
    }
    let mut dxx: Vec<f64> = Vec::with_capacity(n * n);
    for a in &x {
        for b in &x {
            dxx.push((a - b) * (a - b));
        }
    }
    // numpy.percentile(method="nearest", q=50): the element at round-half-even((N − 1)·0.5).
    let mut sorted = dxx.clone();
    sorted.sort_by(f64::total_cmp);
    let idx = ((sorted.len() - 1) as f64 * 0.5).round_ties_even() as usize;
    let mut sigma = (0.5 * sorted[idx]).sqrt();
    if sigma == 0.0 {
        sigma = 0.5f64.sqrt();
    }
    let gamma = 1.0 / (2.0 * sigma * sigma);
    let pooled: Vec<f64> = x.iter().chain(&y).copied().collect();
    let total = n + m;
    let mut k = vec![0.0f64; total * total];
    for i in 0..total {
        for j in 0..total {
            if i != j {
                let d = pooled[i] - pooled[j];
                k[i * total + j] = (-gamma * d * d).exp();
            }
        }
    }
    let mmd_of = |idx: &[usize]| -> f64 {
        let (xs, ys) = idx.split_at(n);
        let block = |a: &[usize], b: &[usize]| -> f64 {
            a.iter()
                .map(|&i| b.iter().map(|&j| k[i * total + j]).sum::<f64>())
                .sum()
        };
        block(xs, xs) / (n * (n - 1)) as f64 + block(ys, ys) / (m * (m - 1)) as f64
            - 2.0 * block(ys, xs) / (n * m) as f64
    };
    let mut idx: Vec<usize> = (0..total).collect();
    let observed = mmd_of(&idx);
    let mut state = MMD_SEED;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let mut at_least = 0;
    for _ in 0..MMD_PERMUTATIONS {
        crate::interrupt::check();
        for i in (1..total).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            idx.swap(i, j);
        }
        if observed <= mmd_of(&idx) {
            at_least += 1;
        }
    }
    (observed, at_least as f64 / MMD_PERMUTATIONS as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(v: &[f64]) -> Sample {
        Sample::from_values(v).unwrap()
    }

    #[test]
    fn identical_samples_are_zero() {
        let x = sample(&(0..50).map(|i| (i as f64 * 0.7).cos()).collect::<Vec<_>>());
        assert_eq!(wasserstein_raw(&x, &x), 0.0);
        assert_eq!(energy_distance(&x, &x), 0.0);
        assert_eq!(jensenshannon(&x, &x, None), 0.0);
        assert!(kl_div(&x, &x).abs() < 1e-15);
        assert!(hellinger(&x, &x) < 1e-7);
        assert_eq!(ks_2samp(&x, &x), (0.0, 1.0));
    }

    #[test]
    fn wasserstein_of_shift_is_the_shift() {
        let x: Vec<f64> = (0..100).map(|i| i as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| v + 2.5).collect();
        assert!((wasserstein_raw(&sample(&x), &sample(&y)) - 2.5).abs() < 1e-12);
    }

    #[test]
    fn mann_whitney_exact_distribution() {
        // m = n = 2: U takes 0..4 with counts 1, 1, 2, 1, 1 out of C(4, 2) = 6.
        assert_eq!(mwu_exact_sf(0, 2, 2), 1.0);
        assert_eq!(mwu_exact_sf(2, 2, 2), 4.0 / 6.0);
        assert_eq!(mwu_exact_sf(4, 2, 2), 1.0 / 6.0);
        assert_eq!(mwu_exact_sf(5, 2, 2), 0.0);
        // scipy.stats.mannwhitneyu([1, 2], [3, 4, 5], alternative="less") → (0.0, 0.1).
        let (u, p) = mann_whitney_less(&sample(&[1.0, 2.0]), &sample(&[3.0, 4.0, 5.0]));
        assert_eq!(u, 0.0);
        assert!((p - 0.1).abs() < 1e-15);
    }

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
