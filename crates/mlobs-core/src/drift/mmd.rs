//! Maximum mean discrepancy with an RBF kernel (Evidently's `empirical_mmd`), with a
//! deterministic permutation p-value.

use super::rng::xorshift64star;
use super::sample::Sample;

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
    let mut next = xorshift64star(MMD_SEED);
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
