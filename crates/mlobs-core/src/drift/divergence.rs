//! Divergences between binned or categorical distributions as Evidently 0.7 and scipy 1.17
//! compute them: KL, Jensen–Shannon, Hellinger, total variation (with its permutation p) and L∞.

use super::psi::{evidently_bins_weighted, fill_empty_bins};
use super::rng::xorshift64star;
use super::sample::{pooled, shares, Sample};
use crate::binning::{histogram_counts_weighted, sturges_edges_for};

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

/// Evidently `hellinger` for a categorical column: √(1 − clip(Σ √(p_i·q_i), 0, 1)) over shares.
pub fn hellinger_categorical(reference_counts: &[u64], current_counts: &[u64]) -> f64 {
    let (p, q) = (shares(reference_counts), shares(current_counts));
    let bc: f64 = p.iter().zip(&q).map(|(a, b)| (a * b).sqrt()).sum();
    (1.0 - bc.clamp(0.0, 1.0)).sqrt()
}

/// Total variation distance of the two share vectors: ½ Σ |p_i − q_i|.
pub fn total_variation(reference_counts: &[u64], current_counts: &[u64]) -> f64 {
    let (p, q) = (shares(reference_counts), shares(current_counts));
    0.5 * p.iter().zip(&q).map(|(a, b)| (a - b).abs()).sum::<f64>()
}

/// Most values (reference + current) the TVD permutation test accepts: 1000 permutations of
/// the pooled sample.
pub const TVD_MAX_VALUES: u64 = 200_000;
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
    let mut next = xorshift64star(TVD_SEED);
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
