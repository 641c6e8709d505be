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
    let mut x = expanded(reference, MMD_MAX_PER_SIDE);
    let mut y = expanded(current, MMD_MAX_PER_SIDE);
    let (n, m) = (x.len(), y.len());
    if n < 2 || m < 2 {
        return (f64::NAN, f64::NAN);
    }
    // The statistic does not depend on the scale (σ is the median distance), but squared
    // distances of values beyond ~1e154 overflow: σ became +Infinity, every kernel entry NaN and
    // p = 0. Such data is scaled down by a power of two first, which changes no bit of the rest.
    let largest = x.iter().chain(&y).fold(0.0f64, |a, v| a.max(v.abs()));
    if largest > SCALE_ABOVE {
        let k = largest.log2().ceil() as i32 - SCALE_ABOVE.log2() as i32;
        let factor = 2f64.powi(-k);
        x.iter_mut().chain(y.iter_mut()).for_each(|v| *v *= factor);
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
    if !observed.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    (observed, at_least as f64 / MMD_PERMUTATIONS as f64)
}

/// Largest magnitude whose pairwise squared distances stay within float8 (2^500 ≈ 3.3e150).
const SCALE_ABOVE: f64 = 3.273390607896142e150;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_near_the_float8_limit_give_the_statistic_of_the_scaled_data() {
        let big = |v: &[f64]| Sample::from_values(v).unwrap();
        let (r, c) = (
            [1.7976931348623157e308, -1.7976931348623157e308, 1.0],
            [1.7e308, -1.7e308, 0.0],
        );
        let (mmd, p) = empirical_mmd(&big(&r), &big(&c));
        assert!(mmd.is_finite() && (0.0..=1.0).contains(&p), "{mmd} {p}");
        // The same data scaled down by hand (2^-524, just below the bound) gives the same bits.
        let f = 2f64.powi(-524);
        let scaled = |v: &[f64]| big(&v.iter().map(|x| x * f).collect::<Vec<_>>());
        assert_eq!(empirical_mmd(&scaled(&r), &scaled(&c)), (mmd, p));
        // Ordinary data is not rescaled.
        let (a, b) = ([1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 5.0, 8.0]);
        let f = 2f64.powi(-20);
        let small = |v: &[f64]| big(&v.iter().map(|x| x * f).collect::<Vec<_>>());
        assert_eq!(
            empirical_mmd(&big(&a), &big(&b)),
            empirical_mmd(&small(&a), &small(&b))
        );
    }
}
