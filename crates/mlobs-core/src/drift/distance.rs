//! Distances between the empirical CDFs of two samples, as scipy 1.17 computes them:
//! Wasserstein (W1, and Evidently's normed form) and the energy distance.

use super::sample::{pooled, Sample};

/// Walks F_u − F_v between consecutive distinct points of u ∪ v, calling `f(F_u − F_v, gap)`:
/// the terms scipy's `_cdf_distance` sums (zero-width gaps between duplicates add nothing). At the
/// last point both CDFs are 1, so it needs no call.
pub(super) fn cdf_gaps(u: &Sample, v: &Sample, mut f: impl FnMut(f64, f64)) {
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
    wasserstein_raw(reference, current) / reference.sd_pop.max(0.001)
}

/// `scipy.stats.energy_distance(u, v)` = √2 · (∫ (F_u − F_v)²)^½ (Evidently `ed`).
pub fn energy_distance(u: &Sample, v: &Sample) -> f64 {
    let mut total = 0.0;
    cdf_gaps(u, v, |d, gap| total += d * d * gap);
    std::f64::consts::SQRT_2 * total.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::divergence::{hellinger, jensenshannon, kl_div};
    use crate::drift::ks::ks_2samp;
    use crate::drift::sample::of as sample;

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
}
