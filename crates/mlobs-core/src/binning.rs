//! Bin edges, counts and quantiles computed exactly as numpy does, so shares and PSI agree with
//! Evidently (which calls numpy) to the last bit where the arithmetic allows.

use crate::error::{CoreError, Result};

/// `numpy.linspace(start, stop, num)`: `i * step + start`, last point set to `stop`.
pub fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let div = num.saturating_sub(1).max(1) as f64;
    let step = (stop - start) / div;
    if !step.is_finite() && start.is_finite() && stop.is_finite() {
        // stop − start overflows float8 (a range wider than 1.8e308, numpy gives NaN edges
        // there): the same points computed on halves, which cannot overflow; halving and
        // doubling are exact at these magnitudes.
        let half_step = (stop * 0.5 - start * 0.5) / div;
        let mut out: Vec<f64> = (0..num)
            .map(|i| 2.0 * (i as f64 * half_step + start * 0.5))
            .collect();
        if num > 1 {
            out[num - 1] = stop;
        }
        return out;
    }
    let mut out: Vec<f64> = (0..num)
        .map(|i| {
            if step == 0.0 {
                (i as f64 / div) * (stop - start) + start
            } else {
                i as f64 * step + start
            }
        })
        .collect();
    if num > 1 {
        out[num - 1] = stop;
    }
    out
}

/// `numpy.histogram_bin_edges(values, "sturges")` for finite, non-empty `values`.
pub fn sturges_edges(values: &[f64]) -> Vec<f64> {
    let (lo, hi) = min_max(values);
    sturges_edges_for(lo, hi, values.len() as u64)
}

/// Sturges edges of a sample known only by its min, max and size (what numpy computes from it).
pub fn sturges_edges_for(mut lo: f64, mut hi: f64, n: u64) -> Vec<f64> {
    let ptp = hi - lo;
    if lo == hi {
        lo -= 0.5;
        hi += 0.5;
    }
    let width = ptp / ((n as f64).log2() + 1.0);
    let n_bins = if !ptp.is_finite() {
        // The range overflows float8: the same count from half the range and half the width.
        let half_ptp = hi * 0.5 - lo * 0.5;
        (half_ptp / (half_ptp / ((n as f64).log2() + 1.0))).ceil() as usize
    } else if width != 0.0 {
        ((hi - lo) / width).ceil() as usize
    } else {
        1
    };
    linspace(lo, hi, n_bins + 1)
}

/// `numpy.histogram_bin_edges(values, "doane")` for a weighted sample (ascending (value, count)
/// pairs, non-empty): width = ptp / (1 + log2 n + log2(1 + |g1| / σ_g1)) with g1 the (biased)
/// sample skewness; one bin when n ≤ 2 or the sample is constant.
pub fn doane_edges_weighted(sample: &[(f64, u64)]) -> Vec<f64> {
    let n: u64 = sample.iter().map(|s| s.1).sum();
    let (lo, hi) = (sample[0].0, sample[sample.len() - 1].0);
    let nf = n as f64;
    let mut width = 0.0;
    if n > 2 {
        let sg1 = (6.0 * (nf - 2.0) / ((nf + 1.0) * (nf + 3.0))).sqrt();
        let mean = sample.iter().map(|&(x, c)| x * c as f64).sum::<f64>() / nf;
        let sigma = (sample
            .iter()
            .map(|&(x, c)| (x - mean).powi(2) * c as f64)
            .sum::<f64>()
            / nf)
            .sqrt();
        if sigma > 0.0 {
            let g1 = sample
                .iter()
                .map(|&(x, c)| ((x - mean) / sigma).powi(3) * c as f64)
                .sum::<f64>()
                / nf;
            width = (hi - lo) / (1.0 + nf.log2() + (1.0 + g1.abs() / sg1).log2());
        }
    }
    let (mut first, mut last) = (lo, hi);
    if first == last {
        first -= 0.5;
        last += 0.5;
    }
    let n_bins = if width != 0.0 {
        ((last - first) / width).ceil() as usize
    } else {
        1
    };
    linspace(first, last, n_bins + 1)
}

pub fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

/// Index of the bin of `x` under numpy's rule: bins are [e_i, e_{i+1}) except the last, which is
/// closed. `None` when x is outside [e_0, e_last].
#[inline]
pub fn bin_index(edges: &[f64], x: f64) -> Option<usize> {
    let last = edges.len() - 1;
    if !(x >= edges[0] && x <= edges[last]) {
        return None;
    }
    // Number of edges <= x, minus one; x == last edge belongs to the last bin.
    let i = edges.partition_point(|&e| e <= x);
    Some((i - 1).min(last - 1))
}

/// `numpy.histogram(values, edges)[0]`: values outside the edges are not counted.
pub fn histogram_counts(values: &[f64], edges: &[f64]) -> Vec<u64> {
    let mut counts = vec![0u64; edges.len() - 1];
    for &x in values {
        if let Some(i) = bin_index(edges, x) {
            counts[i] += 1;
        }
    }
    counts
}

/// `histogram_counts` for a weighted sample of (value, count).
pub fn histogram_counts_weighted(sample: &[(f64, u64)], edges: &[f64]) -> Vec<u64> {
    let mut counts = vec![0u64; edges.len() - 1];
    for &(x, c) in sample {
        if let Some(i) = bin_index(edges, x) {
            counts[i] += c;
        }
    }
    counts
}

/// Checks user-supplied edges: at least two, no NaN, strictly increasing. `arg` names the
/// argument in the error message.
pub fn validate_edges(edges: &[f64], arg: &str) -> Result<()> {
    if edges.len() < 2 {
        return Err(CoreError::invalid_parameter(format!(
            "{arg} must have at least 2 elements, got {}",
            edges.len()
        )));
    }
    if let Some(i) = edges.iter().position(|e| e.is_nan()) {
        return Err(CoreError::invalid_parameter(format!(
            "{arg}[{}] is NaN",
            i + 1
        )));
    }
    if let Some(i) = edges.windows(2).position(|w| w[0] >= w[1]) {
        return Err(CoreError::invalid_parameter(format!(
            "{arg} must be strictly increasing: {arg}[{}] = {} is not below {arg}[{}] = {}",
            i + 1,
            edges[i],
            i + 2,
            edges[i + 1]
        )));
    }
    Ok(())
}

/// numpy's `_lerp`: the two-sided form it uses for accuracy near t = 1.
#[inline]
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if diff.is_infinite() && a.is_finite() && b.is_finite() {
        // b − a overflows float8 (neighbours on both sides of ±1e308; numpy gives ±inf or NaN):
        // the same interpolation on halves, exact to scale back.
        return 2.0 * lerp(a * 0.5, b * 0.5, t);
    }
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// numpy's "linear" quantile of a sample of `n` values whose k-th smallest is `order_stat(k)`.
fn linear_quantile(n: u64, q: f64, order_stat: impl Fn(u64) -> f64) -> f64 {
    let h = (n - 1) as f64 * q;
    let lo = h.floor();
    let i = (lo as u64).min(n - 1);
    let j = (i + 1).min(n - 1);
    lerp(order_stat(i), order_stat(j), h - lo)
}

/// `numpy.quantile(sorted, qs)` with the default "linear" method; `sorted` ascending, non-empty.
pub fn quantiles_linear(sorted: &[f64], qs: &[f64]) -> Vec<f64> {
    qs.iter()
        .map(|&q| linear_quantile(sorted.len() as u64, q, |k| sorted[k as usize]))
        .collect()
}

/// Same as `quantiles_linear` on a sample given as ascending (value, count) pairs.
pub fn weighted_quantiles(sample: &[(f64, u64)], qs: &[f64]) -> Vec<f64> {
    let n: u64 = sample.iter().map(|s| s.1).sum();
    let order_stat = |k: u64| -> f64 {
        let mut seen = 0u64;
        for &(v, c) in sample {
            seen += c;
            if k < seen {
                return v;
            }
        }
        sample.last().map_or(f64::NAN, |s| s.0)
    };
    qs.iter()
        .map(|&q| linear_quantile(n, q, order_stat))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_index_follows_numpy() {
        let e = [0.0, 1.0, 2.0];
        assert_eq!(bin_index(&e, -0.1), None);
        assert_eq!(bin_index(&e, 0.0), Some(0));
        assert_eq!(bin_index(&e, 0.999), Some(0));
        assert_eq!(bin_index(&e, 1.0), Some(1));
        assert_eq!(bin_index(&e, 2.0), Some(1));
        assert_eq!(bin_index(&e, 2.1), None);
        assert_eq!(bin_index(&e, f64::NAN), None);
    }

    #[test]
    fn sturges_constant_input() {
        assert_eq!(sturges_edges(&[3.0, 3.0]), vec![2.5, 3.5]);
    }

    #[test]
    fn quantiles_match_numpy_small() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(
            quantiles_linear(&s, &[0.0, 0.5, 1.0, 0.25]),
            vec![1.0, 2.5, 4.0, 1.75]
        );
        let w = [(1.0, 1), (2.0, 1), (3.0, 1), (4.0, 1)];
        assert_eq!(
            weighted_quantiles(&w, &[0.0, 0.5, 1.0, 0.25]),
            vec![1.0, 2.5, 4.0, 1.75]
        );
    }

    #[test]
    fn edges_validation_names_argument() {
        let e = validate_edges(&[1.0, 1.0], "edges").unwrap_err();
        assert!(e.message.contains("edges[1]"), "{}", e.message);
        assert!(validate_edges(&[f64::NAN, 1.0], "edges")
            .unwrap_err()
            .message
            .contains("NaN"));
        assert!(validate_edges(&[1.0], "edges").is_err());
    }
}
