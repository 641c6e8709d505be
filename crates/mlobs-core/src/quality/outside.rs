//! How many values of a stored profile lie outside a band [lower, upper], read from the sketch.
//!
//! Every finite value sits in a logarithmic sketch bucket, and the profile knows the exact min and
//! max. The estimate classifies each bucket by its representative value (the same discretised
//! sample every other approximate statistic of a profile uses, see
//! `NumericProfile::discretised`); the bounds classify it by the bucket's whole value range, so a
//! bucket straddling a fence counts towards the upper bound only.
//!
//! Error: a bucket's representative r is within relative distance α = `sketch::ALPHA` (1 %) of
//! every value x in it, |r − x| ≤ α·|x|. A value can only be misclassified when a fence lies
//! between x and r, i.e. when |x − fence| ≤ α·|x|. So |estimate − exact| is at most the number of
//! values within 1 % (relative to the value) of either fence, and the exact count always lies in
//! [lower_bound, upper_bound]. Values tinier in magnitude than the sketch's folded lowest bucket
//! (data spanning more than ~2048 buckets ≈ 18 decades) lose relative accuracy; the bounds
//! account for that too.

use crate::profile::NumericProfile;
use crate::sketch::{Store, ALPHA, MAX_BUCKETS};

/// The sketch's bucket ratio γ = (1 + α)/(1 − α): bucket k holds magnitudes in (γ^(k−1), γ^k].
/// Mirrors `sketch::GAMMA` (private there); `bucket_ranges_contain_their_values` checks the two
/// agree.
const GAMMA: f64 = (1.0 + ALPHA) / (1.0 - ALPHA);
/// Relative widening of each bucket range: the sketch computes keys with ln and a float
/// multiplication (relative error ~1e-12 at the extreme keys), so exact γ^k boundaries are
/// widened by far more than that rounding to keep the bounds rigorous.
const SLACK: f64 = 1e-9;

/// Count of a profile's finite values outside [lower, upper] (x < lower or x > upper).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutsideEstimate {
    /// Finite values in the profile (the denominator of the shares).
    pub n: u64,
    /// Values whose bucket representative lies outside.
    pub estimate: u64,
    /// Values certainly outside (their whole bucket range is).
    pub lower_bound: u64,
    /// Values possibly outside (some of their bucket range is).
    pub upper_bound: u64,
}

impl OutsideEstimate {
    /// estimate / n.
    pub fn share(&self) -> f64 {
        self.estimate as f64 / self.n as f64
    }

    /// (lower_bound / n, upper_bound / n).
    pub fn share_bounds(&self) -> (f64, f64) {
        (
            self.lower_bound as f64 / self.n as f64,
            self.upper_bound as f64 / self.n as f64,
        )
    }

    /// The bounds coincide, so the estimate is the exact count.
    pub fn is_exact(&self) -> bool {
        self.lower_bound == self.upper_bound
    }
}

/// Values represented by `rep`, all lying in [lo, hi].
#[derive(Debug, Clone, Copy)]
struct Cell {
    lo: f64,
    hi: f64,
    rep: f64,
    count: u64,
}

/// Magnitude range of bucket `key` of a store; the folded lowest bucket of a store that reached
/// MAX_BUCKETS reaches down to zero.
fn magnitude_range(key: i64, folded: bool) -> (f64, f64) {
    let powi = |k: i64| GAMMA.powi(k.clamp(i32::MIN as i64, i32::MAX as i64) as i32);
    let hi = powi(key) * (1.0 + SLACK);
    let lo = if folded {
        0.0
    } else {
        powi(key - 1) * (1.0 - SLACK)
    };
    (lo, hi)
}

/// (key, count, may be folded) of the non-empty buckets of a store, in increasing key order.
fn store_buckets(s: &Store) -> Vec<(i64, u64, bool)> {
    let first = s.counts.iter().position(|&c| c > 0);
    let last = s.counts.iter().rposition(|&c| c > 0);
    // A store that ever folded spans exactly MAX_BUCKETS keys from then on (its top key stays
    // and the folded bucket is non-empty), so a narrower store never folded.
    let may_fold = matches!((first, last), (Some(f), Some(l)) if l - f + 1 >= MAX_BUCKETS);
    s.counts
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c > 0)
        .map(|(i, &c)| (s.offset as i64 + i as i64, c, may_fold && Some(i) == first))
        .collect()
}

/// The sketch's buckets as value ranges, in increasing value order (the order of
/// `QuantileSketch::buckets`, whose representatives they carry).
fn sketch_cells(p: &NumericProfile) -> Vec<Cell> {
    let sketch = &p.sketch;
    let mut ranges: Vec<(f64, f64)> = Vec::new();
    for (key, _, folded) in store_buckets(&sketch.negative).into_iter().rev() {
        let (lo, hi) = magnitude_range(key, folded);
        ranges.push((-hi, -lo));
    }
    if sketch.zero_count > 0 {
        ranges.push((-f64::MIN_POSITIVE, f64::MIN_POSITIVE));
    }
    for (key, _, folded) in store_buckets(&sketch.positive) {
        ranges.push(magnitude_range(key, folded));
    }
    ranges
        .into_iter()
        .zip(sketch.buckets())
        .map(|((lo, hi), (rep, count))| Cell { lo, hi, rep, count })
        .collect()
}

/// The profile's finite values as cells: the exact min and max as points, every other value as
/// its bucket clamped to [min, max].
fn cells(p: &NumericProfile) -> Vec<Cell> {
    let (Some(min), Some(max)) = (p.min, p.max) else {
        return Vec::new();
    };
    let point = |x: f64| Cell {
        lo: x,
        hi: x,
        rep: x,
        count: 1,
    };
    if p.n == 1 {
        return vec![point(min)];
    }
    // At most 256 distinct values, counted: every value a point (estimate and bounds exact).
    if let Some(exact) = p.distinct.as_ref().and_then(|d| d.counted_values()) {
        return exact
            .into_iter()
            .map(|(x, count)| Cell { count, ..point(x) })
            .collect();
    }
    let mut inner = sketch_cells(p);
    // One value of the lowest bucket is the min, one of the highest the max.
    if let Some(c) = inner.first_mut() {
        c.count = c.count.saturating_sub(1);
    }
    if let Some(c) = inner.last_mut() {
        c.count = c.count.saturating_sub(1);
    }
    let mut out = Vec::with_capacity(inner.len() + 2);
    out.push(point(min));
    out.extend(inner.into_iter().filter(|c| c.count > 0).map(|c| Cell {
        // max/min instead of clamp: a forged profile may have buckets outside [min, max], and
        // then this must still not panic.
        lo: c.lo.max(min).min(max),
        hi: c.hi.min(max).max(min),
        rep: c.rep.max(min).min(max),
        count: c.count,
    }));
    out.push(point(max));
    out
}

/// Estimate and bounds of how many finite values of `p` are < `lower` or > `upper`. `None` when
/// the profile has no finite value or a fence is NaN. When min ≥ lower and max ≤ upper (or the
/// whole range is outside) the answer is exact, from the exact min/max. See the module doc for
/// the error.
pub fn outside_share_estimate(
    p: &NumericProfile,
    lower: f64,
    upper: f64,
) -> Option<OutsideEstimate> {
    if p.n == 0 || lower.is_nan() || upper.is_nan() {
        return None;
    }
    let mut e = OutsideEstimate {
        n: p.n,
        estimate: 0,
        lower_bound: 0,
        upper_bound: 0,
    };
    for c in cells(p) {
        let certain = c.hi < lower || c.lo > upper;
        let estimated = certain || c.rep < lower || c.rep > upper;
        let possible = estimated || c.lo < lower || c.hi > upper;
        if certain {
            e.lower_bound = e.lower_bound.saturating_add(c.count);
        }
        if estimated {
            e.estimate = e.estimate.saturating_add(c.count);
        }
        if possible {
            e.upper_bound = e.upper_bound.saturating_add(c.count);
        }
    }
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::outliers::count_outside;
    use crate::sketch::QuantileSketch;

    fn profile(values: &[f64]) -> NumericProfile {
        let mut p = NumericProfile::default();
        values.iter().for_each(|&x| p.add(Some(x)));
        p
    }

    #[test]
    fn bucket_ranges_contain_their_values() {
        let mut x = 1e-300;
        while x < 1e300 {
            for v in [x, -x, x * 1.0000001, x / 1.0000001] {
                let mut s = QuantileSketch::default();
                s.add(v);
                let p = NumericProfile {
                    n: 1,
                    sketch: s,
                    ..Default::default()
                };
                let c = sketch_cells(&p);
                assert_eq!(c.len(), 1);
                assert!(c[0].lo <= v && v <= c[0].hi, "{v} not in {:?}", c[0]);
                assert!((c[0].rep - v).abs() <= ALPHA * v.abs() * (1.0 + 1e-12));
            }
            x *= 1.37;
        }
    }

    #[test]
    fn empty_or_nan_fence_is_undefined() {
        let mut p = NumericProfile::default();
        p.add(None);
        p.add(Some(f64::NAN));
        assert_eq!(outside_share_estimate(&p, 0.0, 1.0), None);
        let p = profile(&[1.0, 2.0]);
        assert_eq!(outside_share_estimate(&p, f64::NAN, 1.0), None);
    }

    #[test]
    fn inside_range_is_exactly_zero() {
        let p = profile(&[1.0, 2.0, 3.0, 100.0]);
        let e = outside_share_estimate(&p, 1.0, 100.0).unwrap();
        assert_eq!(
            (e.estimate, e.lower_bound, e.upper_bound, e.n),
            (0, 0, 0, 4)
        );
        assert!(e.is_exact());
        let e = outside_share_estimate(&p, 101.0, 200.0).unwrap();
        assert_eq!((e.estimate, e.lower_bound, e.upper_bound), (4, 4, 4));
        assert_eq!(e.share(), 1.0);
    }

    #[test]
    fn straddling_bucket_counts_only_in_upper_bound() {
        // 10.0 and 10.05 share a bucket (γ ≈ 1.0202); a fence between them splits it. Counted
        // (at most 256 distinct values) the answer is exact; the sketch's, without the counts.
        let mut p = profile(&[0.0, 10.0, 10.05, 50.0]);
        let e = outside_share_estimate(&p, 10.02, 1000.0).unwrap();
        assert_eq!((e.estimate, e.lower_bound, e.upper_bound), (2, 2, 2));
        p.distinct = None;
        let e = outside_share_estimate(&p, 10.02, 1000.0).unwrap();
        let exact = count_outside(&[0.0, 10.0, 10.05, 50.0], 10.02, 1000.0);
        assert_eq!(exact, (2, 0));
        assert_eq!(e.lower_bound, 1);
        assert_eq!(e.upper_bound, 3);
        assert!(e.lower_bound <= e.estimate && e.estimate <= e.upper_bound);
        let (lo, hi) = e.share_bounds();
        assert_eq!((lo, hi), (0.25, 0.75));
    }

    #[test]
    fn forged_buckets_outside_min_max_do_not_panic() {
        let mut p = profile(&[1.0, 2.0, 3.0]);
        let other = profile(&[1e6, 2e6, 3e6]);
        p.sketch = other.sketch;
        let e = outside_share_estimate(&p, 1.5, 2.5).unwrap();
        assert!(e.lower_bound <= e.estimate && e.estimate <= e.upper_bound);
    }
}
