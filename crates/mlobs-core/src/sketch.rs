//! Relative-error quantile sketch (the DDSketch construction): every finite value falls in a
//! logarithmic bucket, so a quantile read from the sketch is within `ALPHA` (1 %) of the magnitude
//! of the true order statistic. Bucket counts add exactly, so merge is exactly associative and
//! commutative and a parallel plan gives the same sketch as a serial one.
//!
//! Size bound: at most `MAX_BUCKETS` buckets per sign; beyond that the buckets closest to zero are
//! folded into one (values of tiny magnitude then lose relative accuracy, not absolute accuracy).
//! Worst case 2 × 2048 × 8 bytes = 32 KiB; typical data spanning six decades needs ~700 buckets.

use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};

/// Largest count a summary may reach by merging: SQL reads counts as bigint, so a merged count or
/// total above i64::MAX would come out negative. Only forged summaries get near it.
pub const MAX_COUNT: u64 = i64::MAX as u64;

/// The error of a merge whose counts would leave the bigint range (SQLSTATE 22003).
pub fn count_overflow() -> CoreError {
    CoreError::out_of_range(format!(
        "summary counts overflow bigint: a merged count or total would exceed {MAX_COUNT}"
    ))
}

/// Adds two counts, failing instead of wrapping or leaving the bigint range.
pub fn add_counts(a: u64, b: u64) -> Result<u64> {
    a.checked_add(b)
        .filter(|&s| s <= MAX_COUNT)
        .ok_or_else(count_overflow)
}

/// Sum of counts within the bigint range, or the overflow error.
pub fn sum_counts(counts: impl IntoIterator<Item = u64>) -> Result<u64> {
    counts.into_iter().try_fold(0u64, add_counts)
}
use serde::{Deserialize, Serialize};

/// Relative accuracy of a value read from the sketch.
pub const ALPHA: f64 = 0.01;
/// Buckets kept per sign before the ones nearest zero are folded together.
pub const MAX_BUCKETS: usize = 2048;

const GAMMA: f64 = (1.0 + ALPHA) / (1.0 - ALPHA);

fn inv_ln_gamma() -> f64 {
    1.0 / GAMMA.ln()
}

/// Magnitudes below this (zero and subnormals) go to the zero bucket.
const MIN_INDEXABLE: f64 = f64::MIN_POSITIVE;

#[inline]
fn key_of(magnitude: f64, inv_ln_gamma: f64) -> i32 {
    // Bucket k holds (γ^(k-1), γ^k]. Keys of normal f64 lie within ±36000.
    let v = magnitude.ln() * inv_ln_gamma;
    // `v.ceil() as i32` without the libm call `ceil` is on x86-64's baseline (no SSE4.1 round):
    // 3 % of a drift report's scan (issue 20). Equal for every v, saturating alike.
    let t = v as i32;
    if (t as f64) < v {
        t.saturating_add(1)
    } else {
        t
    }
}

/// Representative value of bucket `k`: the point with equal relative distance to both ends.
#[inline]
fn value_of(key: i32) -> f64 {
    // Reading a sketch (quantiles, drift bins) takes the value of every bucket; `powi` was ~7 % of
    // a drift report. Keys within ±VALUE_TABLE_KEYS (magnitudes 1e-36 to 1e36) come from a table.
    match usize::try_from(key + VALUE_TABLE_KEYS) {
        Ok(i) if i <= 2 * VALUE_TABLE_KEYS as usize => value_table()[i],
        _ => bucket_value(key),
    }
}

/// The value of bucket `key`, always by the scalar `powi` (an optimiser that vectorises or
/// constant-folds `powi` may round differently in the last bit, so the table and every other key
/// go through this one opaque call).
fn bucket_value(key: i32) -> f64 {
    2.0 * GAMMA.powi(std::hint::black_box(key)) / (1.0 + GAMMA)
}

const VALUE_TABLE_KEYS: i32 = 4096;

fn value_table() -> &'static [f64] {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (-VALUE_TABLE_KEYS..=VALUE_TABLE_KEYS)
            .map(bucket_value)
            .collect()
    })
}

/// Dense counts for consecutive keys starting at `offset`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Store {
    pub offset: i32,
    pub counts: Vec<u64>,
}

impl Store {
    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    #[inline]
    fn add(&mut self, key: i32, count: u64) {
        if let Some(i) = self.index(key) {
            self.counts[i] += count;
        } else {
            self.add_slow(key, count);
        }
    }

    #[inline]
    fn index(&self, key: i32) -> Option<usize> {
        let i = key.wrapping_sub(self.offset);
        if i >= 0 && (i as usize) < self.counts.len() {
            Some(i as usize)
        } else {
            None
        }
    }

    #[cold]
    fn add_slow(&mut self, key: i32, count: u64) {
        if self.counts.is_empty() {
            self.offset = key;
            self.counts.push(count);
            return;
        }
        let hi = self.offset + self.counts.len() as i32 - 1;
        if key > hi {
            self.counts.resize((key - self.offset + 1) as usize, 0);
        } else {
            // key < offset: grow at the front.
            let grow = (self.offset - key) as usize;
            let mut counts = vec![0; grow + self.counts.len()];
            counts[grow..].copy_from_slice(&self.counts);
            self.counts = counts;
            self.offset = key;
        }
        self.counts[(key - self.offset) as usize] += count;
        self.collapse();
    }

    /// Folds the lowest keys so that at most MAX_BUCKETS remain. The result depends only on the
    /// multiset of keys seen (all keys ≤ max_key − MAX_BUCKETS + 1 end up in that bucket), so it
    /// is the same whatever the order of inserts and merges.
    fn collapse(&mut self) {
        if self.counts.len() <= MAX_BUCKETS {
            return;
        }
        let excess = self.counts.len() - MAX_BUCKETS;
        // Validated stores total below 2^64 (see validate), so this sum cannot overflow.
        let folded: u64 = self.counts[..=excess]
            .iter()
            .fold(0u64, |a, &c| a.saturating_add(c));
        self.counts.drain(..excess);
        self.counts[0] = folded;
        self.offset += excess as i32;
    }

    fn merge(&mut self, other: &Store) -> Result<()> {
        if other.counts.is_empty() {
            return Ok(());
        }
        if self.counts.is_empty() {
            *self = other.clone();
            return Ok(());
        }
        let lo = self.offset.min(other.offset);
        let hi =
            (self.offset + self.counts.len() as i32).max(other.offset + other.counts.len() as i32);
        let mut counts = vec![0u64; (hi - lo) as usize];
        for (i, c) in self.counts.iter().enumerate() {
            counts[(self.offset - lo) as usize + i] += c;
        }
        for (i, c) in other.counts.iter().enumerate() {
            let slot = &mut counts[(other.offset - lo) as usize + i];
            *slot = add_counts(*slot, *c)?;
        }
        self.offset = lo;
        self.counts = counts;
        self.collapse();
        Ok(())
    }

    /// Trims zero buckets at both ends so that equal multisets have equal encodings.
    fn normalized(&self) -> (i32, &[u64]) {
        let start = self.counts.iter().position(|&c| c != 0);
        match start {
            None => (0, &[]),
            Some(s) => {
                let e = self.counts.iter().rposition(|&c| c != 0).unwrap();
                (self.offset + s as i32, &self.counts[s..=e])
            }
        }
    }

    fn validate(&self, what: &str) -> std::result::Result<(), String> {
        if self.counts.len() > MAX_BUCKETS {
            return Err(format!("{what} store has more than {MAX_BUCKETS} buckets"));
        }
        let min_key = -40_000i64;
        let max_key = 40_000i64;
        let lo = self.offset as i64;
        let hi = lo + self.counts.len() as i64;
        if !self.counts.is_empty() && (lo < min_key || hi > max_key) {
            return Err(format!("{what} store keys out of range"));
        }
        // Canonical form: no zero bucket at either end (the size rule relies on it).
        if self.counts.first() == Some(&0) || self.counts.last() == Some(&0) {
            return Err(format!("{what} store is not trimmed"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QuantileSketch {
    pub zero_count: u64,
    pub positive: Store,
    pub negative: Store,
}

impl QuantileSketch {
    #[inline]
    pub fn add(&mut self, x: f64) {
        let m = x.abs();
        if m < MIN_INDEXABLE {
            self.zero_count += 1;
        } else if x > 0.0 {
            self.positive.add(key_of(m, inv_ln_gamma()), 1);
        } else {
            self.negative.add(key_of(m, inv_ln_gamma()), 1);
        }
    }

    /// `n` copies of x at once: a profile's counted values rebuild its sketch (validation).
    pub fn add_copies(&mut self, x: f64, n: u64) {
        let m = x.abs();
        if m < MIN_INDEXABLE {
            self.zero_count += n;
        } else if x > 0.0 {
            self.positive.add(key_of(m, inv_ln_gamma()), n);
        } else {
            self.negative.add(key_of(m, inv_ln_gamma()), n);
        }
    }

    pub fn count(&self) -> u64 {
        self.zero_count + self.positive.total() + self.negative.total()
    }

    pub fn merge(&mut self, other: &QuantileSketch) -> Result<()> {
        self.zero_count = add_counts(self.zero_count, other.zero_count)?;
        self.positive.merge(&other.positive)?;
        self.negative.merge(&other.negative)
    }

    /// The sketch as (representative value, count) in increasing value order. Every value of the
    /// input is represented by the value of its bucket, within ALPHA relative error.
    pub fn buckets(&self) -> Vec<(f64, u64)> {
        let mut out = Vec::new();
        for (i, &c) in self.negative.counts.iter().enumerate().rev() {
            if c > 0 {
                out.push((-value_of(self.negative.offset + i as i32), c));
            }
        }
        if self.zero_count > 0 {
            out.push((0.0, self.zero_count));
        }
        for (i, &c) in self.positive.counts.iter().enumerate() {
            if c > 0 {
                out.push((value_of(self.positive.offset + i as i32), c));
            }
        }
        out
    }

    pub fn encode(&self, w: &mut Writer) {
        w.u64(self.zero_count);
        for store in [&self.positive, &self.negative] {
            let (offset, counts) = store.normalized();
            w.i32(offset);
            w.u64s(counts);
        }
    }

    pub fn decode(r: &mut Reader) -> Result<Self> {
        let zero_count = r.u64()?;
        let mut stores = [Store::default(), Store::default()];
        for store in stores.iter_mut() {
            store.offset = r.i32()?;
            store.counts = r.u64s(MAX_BUCKETS)?;
        }
        let [positive, negative] = stores;
        let s = Self {
            zero_count,
            positive,
            negative,
        };
        s.validate().map_err(|e| r.error(&e))?;
        Ok(s)
    }

    pub fn validate(&self) -> std::result::Result<(), String> {
        self.positive.validate("positive")?;
        self.negative.validate("negative")?;
        // Totals must not overflow when summed later.
        let mut total = self.zero_count as u128;
        for c in self.positive.counts.iter().chain(&self.negative.counts) {
            total += *c as u128;
        }
        if total > u64::MAX as u128 {
            return Err("sketch counts overflow".into());
        }
        Ok(())
    }

    /// Canonical form (trimmed stores) so equal multisets compare equal.
    pub fn canonical(&self) -> Self {
        let norm = |s: &Store| {
            let (offset, counts) = s.normalized();
            Store {
                offset,
                counts: counts.to_vec(),
            }
        };
        Self {
            zero_count: self.zero_count,
            positive: norm(&self.positive),
            negative: norm(&self.negative),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_of_equals_the_libm_ceil() {
        let inv = inv_ln_gamma();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let m = f64::from_bits(x >> 1);
            if m.is_finite() && m >= MIN_INDEXABLE {
                assert_eq!(key_of(m, inv), (m.ln() * inv).ceil() as i32, "{m}");
            }
        }
        for m in [MIN_INDEXABLE, 1.0, f64::MAX, 1.0 + f64::EPSILON] {
            assert_eq!(key_of(m, inv), (m.ln() * inv).ceil() as i32, "{m}");
        }
    }

    #[test]
    fn bucket_values_from_the_table_are_bit_identical() {
        for key in [-40000, -4097, -4096, -1, 0, 1, 2, 4095, 4096, 4097, 36000] {
            assert_eq!(
                value_of(key).to_bits(),
                bucket_value(key).to_bits(),
                "key {key}"
            );
        }
        for key in -VALUE_TABLE_KEYS..=VALUE_TABLE_KEYS {
            assert_eq!(
                value_of(key).to_bits(),
                bucket_value(key).to_bits(),
                "key {key}"
            );
        }
    }

    #[test]
    fn bucket_value_within_alpha() {
        let inv = inv_ln_gamma();
        for &x in &[1e-300, 1e-10, 0.5, 1.0, 1.5, 3.0, 1234.5678, 1e10, 1e300] {
            let v = value_of(key_of(x, inv));
            assert!(((v - x) / x).abs() <= ALPHA * (1.0 + 1e-12), "x={x} v={v}");
        }
    }

    #[test]
    fn collapse_bounds_size_and_keeps_count() {
        let mut s = QuantileSketch::default();
        let mut x = 1e-300;
        while x < 1e300 {
            s.add(x);
            x *= 1.001;
        }
        assert!(s.positive.counts.len() <= MAX_BUCKETS);
        assert_eq!(s.count(), s.buckets().iter().map(|b| b.1).sum::<u64>());
    }
}
