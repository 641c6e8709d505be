//! Distinct-value sketch of a profile's finite values: the exact set while it holds at most
//! `EXACT_MAX` values, then a HyperLogLog of `M = 2^P` one-byte registers read with Ertl's
//! improved estimator (O. Ertl, "New cardinality estimation algorithms for HyperLogLog sketches",
//! 2017, algorithm 6: no bias tables, unbiased from 0 to 2^64).
//!
//! * Error: relative standard error 1.04 / √M = 1.625 % in HLL mode; exact below it.
//! * Hash: `hash_f64`, a fixed-seed 64-bit mix of the value's bits (−0.0 as 0.0, every NaN as one
//!   value), identical on every machine, process and version: stored sketches stay mergeable.
//! * Merge: set union, then register maximum. The state is a function of the set of distinct
//!   values seen only, so any merge order (and a parallel plan) gives the same sketch as a serial
//!   pass, bit for bit.
//! * Counts: while exact, each value's row count too, so that a profile of a column of at most
//!   `EXACT_MAX` distinct values (counts, years, codes, ratings) gives its exact distribution:
//!   its sketch's 1 % buckets hold 2019 and 2020 as one value. A set read from the form without
//!   counts (0.3.0 development builds), or merged with one, keeps none.
//! * Size: in memory at most `EXACT_MAX` × 16 bytes or `M` bytes; serialized as the sorted values
//!   (and their counts), then as (gap to the previous set register, register) while at most
//!   `SPARSE_MAX` registers are set (about 2 bytes each), then as the `M` registers.

use crate::codec::{Reader, Writer};
use serde::{Deserialize, Serialize};

/// Distinct values kept exactly.
pub const EXACT_MAX: usize = 256;
/// Precision: register index bits.
pub const P: u32 = 12;
/// Registers.
pub const M: usize = 1 << P;
/// Largest register value: 64 − P bits of rank, plus one.
const Q: usize = 64 - P as usize;
const MAX_RANK: u8 = (Q + 1) as u8;
/// Set registers stored sparsely: beyond this the dense form is smaller.
pub const SPARSE_MAX: usize = M / 4;
/// Relative standard error of the HLL estimate.
pub fn relative_standard_error() -> f64 {
    1.04 / (M as f64).sqrt()
}

const SEED: u64 = 0x6d6c_6f62_735f_6868; // "mlobs_hh"

/// The 64-bit hash of a float8: −0.0 hashes as 0.0 and every NaN as the canonical NaN, then the
/// bits are mixed with a fixed seed (the murmur3 / splitmix finalizer, a bijection on u64).
#[inline]
pub fn hash_f64(x: f64) -> u64 {
    let bits = if x == 0.0 {
        0
    } else if x.is_nan() {
        0x7ff8_0000_0000_0000
    } else {
        x.to_bits()
    };
    let mut z = bits ^ SEED;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Register index and rank of a hash: the top P bits pick the register, the rank is one plus the
/// number of leading zeros of the remaining 64 − P bits (Q + 1 when they are all zero).
#[inline]
fn index_rank(h: u64) -> (usize, u8) {
    let w = h << P;
    let rank = if w == 0 {
        MAX_RANK
    } else {
        w.leading_zeros() as u8 + 1
    };
    ((h >> (64 - P)) as usize, rank)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Repr", into = "Repr")]
pub enum DistinctSketch {
    /// The distinct finite values (−0.0 stored as 0.0).
    Exact(ExactSet),
    /// HLL registers (`M` of them).
    Hll(Box<[u8]>),
}

impl Default for DistinctSketch {
    fn default() -> Self {
        DistinctSketch::Exact(ExactSet::default())
    }
}

/// Marks an empty slot: a NaN bit pattern, never the bits of a finite value.
const EMPTY: u64 = u64::MAX;

/// At most `EXACT_MAX` finite values in an open-addressing table of their bits (linear probing,
/// at most half full, grown by doubling from 16 slots): one hash and about one probe per value,
/// no allocation but the doublings.
#[derive(Debug, Clone)]
pub struct ExactSet {
    slots: Vec<u64>,
    /// Rows of each slot's value while `counted` (beside `slots`); empty otherwise.
    counts: Vec<u64>,
    len: usize,
    counted: bool,
}

impl Default for ExactSet {
    fn default() -> Self {
        ExactSet {
            slots: Vec::new(),
            counts: Vec::new(),
            len: 0,
            counted: true,
        }
    }
}

impl ExactSet {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Inserts the bits of a finite value (−0.0 already as 0.0) with their hash, `rows` times;
    /// true when new.
    #[inline]
    fn insert(&mut self, bits: u64, h: u64, rows: u64) -> bool {
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            match self.slots[i] {
                EMPTY => {
                    self.slots[i] = bits;
                    if self.counted {
                        self.counts[i] = rows;
                    }
                    self.len += 1;
                    return true;
                }
                b if b == bits => {
                    if self.counted {
                        self.counts[i] = self.counts[i].saturating_add(rows);
                    }
                    return false;
                }
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        let old_counts = std::mem::take(&mut self.counts);
        if self.counted {
            self.counts = vec![0; size];
        }
        self.len = 0;
        for (k, b) in old.into_iter().enumerate().filter(|&(_, b)| b != EMPTY) {
            let rows = old_counts.get(k).copied().unwrap_or(0);
            self.insert(b, hash_f64(f64::from_bits(b)), rows);
        }
    }

    /// Stops counting (a union with a set without counts).
    fn forget_counts(&mut self) {
        self.counted = false;
        self.counts = Vec::new();
    }

    /// (value, rows) ascending, when the rows are counted.
    pub fn counted_values(&self) -> Option<Vec<(f64, u64)>> {
        if !self.counted {
            return None;
        }
        let mut v: Vec<(f64, u64)> = self
            .slots
            .iter()
            .zip(&self.counts)
            .filter(|&(&b, _)| b != EMPTY)
            .map(|(&b, &c)| (f64::from_bits(b), c))
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        Some(v)
    }

    /// The values, ascending.
    pub fn values(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self
            .slots
            .iter()
            .filter(|&&b| b != EMPTY)
            .map(|&b| f64::from_bits(b))
            .collect();
        v.sort_by(f64::total_cmp);
        v
    }
}

/// Equal when they hold the same values and counts (the slot layout depends on insertion order).
impl PartialEq for ExactSet {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len
            && self.values() == other.values()
            && self.counted_values() == other.counted_values()
    }
}

/// The stored forms (JSON mirrors the binary form).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Repr {
    /// Values without counts (0.3.0 development builds).
    Exact(Vec<f64>),
    ExactCounts(Vec<(f64, u64)>),
    Sparse(Vec<(u16, u8)>),
    Dense(Vec<u8>),
}

impl From<DistinctSketch> for Repr {
    fn from(s: DistinctSketch) -> Self {
        match s {
            DistinctSketch::Exact(v) => match v.counted_values() {
                Some(counted) => Repr::ExactCounts(counted),
                None => Repr::Exact(v.values()),
            },
            DistinctSketch::Hll(r) => {
                if set_registers(&r) <= SPARSE_MAX {
                    Repr::Sparse(sparse(&r))
                } else {
                    Repr::Dense(r.into_vec())
                }
            }
        }
    }
}

impl TryFrom<Repr> for DistinctSketch {
    type Error = String;
    fn try_from(r: Repr) -> Result<Self, String> {
        let s = match r {
            Repr::Exact(v) => DistinctSketch::Exact(exact_set(&v, None)?),
            Repr::ExactCounts(pairs) => {
                let (values, counts): (Vec<f64>, Vec<u64>) = pairs.into_iter().unzip();
                DistinctSketch::Exact(exact_set(&values, Some(&counts))?)
            }
            Repr::Sparse(pairs) => {
                if pairs.len() > SPARSE_MAX {
                    return Err(format!(
                        "distinct sketch: more than {SPARSE_MAX} sparse registers"
                    ));
                }
                let mut regs = vec![0u8; M];
                let mut previous: Option<u16> = None;
                for (i, rank) in pairs {
                    if previous.is_some_and(|p| p >= i) {
                        return Err("distinct sketch: register indexes not ascending".into());
                    }
                    if i as usize >= M || rank == 0 {
                        return Err("distinct sketch: bad sparse register".into());
                    }
                    regs[i as usize] = rank;
                    previous = Some(i);
                }
                DistinctSketch::Hll(regs.into_boxed_slice())
            }
            Repr::Dense(regs) => {
                if regs.len() != M {
                    return Err(format!(
                        "distinct sketch: {} registers, expected {M}",
                        regs.len()
                    ));
                }
                if set_registers(&regs) <= SPARSE_MAX {
                    return Err("distinct sketch: dense form of a sparse sketch".into());
                }
                DistinctSketch::Hll(regs.into_boxed_slice())
            }
        };
        s.validate()?;
        Ok(s)
    }
}

/// A stored exact set, checked: at most `EXACT_MAX` finite values (no −0), strictly ascending;
/// the counts, when stored, none 0.
fn exact_set(values: &[f64], counts: Option<&[u64]>) -> Result<ExactSet, String> {
    if values.len() > EXACT_MAX {
        return Err(format!(
            "distinct sketch: more than {EXACT_MAX} exact values"
        ));
    }
    if values
        .iter()
        .any(|x| !x.is_finite() || x.to_bits() == (-0.0f64).to_bits())
    {
        return Err("distinct sketch: exact values must be finite, not -0".into());
    }
    if values.windows(2).any(|w| w[0] >= w[1]) {
        return Err("distinct sketch: exact values not strictly ascending".into());
    }
    let mut set = ExactSet::default();
    match counts {
        None => set.forget_counts(),
        Some(c) if c.len() != values.len() || c.contains(&0) => {
            return Err("distinct sketch: one count for each exact value, none 0".into())
        }
        Some(_) => {}
    }
    for (k, &x) in values.iter().enumerate() {
        set.insert(x.to_bits(), hash_f64(x), counts.map_or(0, |c| c[k]));
    }
    Ok(set)
}

fn set_registers(r: &[u8]) -> usize {
    r.iter().filter(|&&x| x != 0).count()
}

fn sparse(r: &[u8]) -> Vec<(u16, u8)> {
    r.iter()
        .enumerate()
        .filter(|&(_, &x)| x != 0)
        .map(|(i, &x)| (i as u16, x))
        .collect()
}

const FORM_EXACT: u8 = 0;
const FORM_SPARSE: u8 = 1;
const FORM_DENSE: u8 = 2;
const FORM_EXACT_COUNTS: u8 = 3;

impl DistinctSketch {
    /// Adds one finite value (callers count NaN and ±Infinity separately).
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.add_rows(x, 1);
    }

    #[inline]
    fn add_rows(&mut self, x: f64, rows: u64) {
        let x = if x == 0.0 { 0.0 } else { x };
        let h = hash_f64(x);
        match self {
            DistinctSketch::Exact(set) => {
                if set.insert(x.to_bits(), h, rows) && set.len() > EXACT_MAX {
                    *self = DistinctSketch::Hll(registers_of(&set.values()));
                }
            }
            DistinctSketch::Hll(regs) => insert_hash(regs, h),
        }
    }

    /// Whether each value's rows are counted (exact, and not merged with an uncounted set).
    pub fn is_counted(&self) -> bool {
        matches!(self, DistinctSketch::Exact(set) if set.counted)
    }

    /// (value, rows) ascending while exact and counted.
    pub fn counted_values(&self) -> Option<Vec<(f64, u64)>> {
        match self {
            DistinctSketch::Exact(set) => set.counted_values(),
            DistinctSketch::Hll(_) => None,
        }
    }

    /// Union (register maximum once either side is a HLL).
    pub fn merge(&mut self, other: &Self) {
        match (&mut *self, other) {
            (DistinctSketch::Hll(a), DistinctSketch::Hll(b)) => {
                a.iter_mut()
                    .zip(b.iter())
                    .for_each(|(x, &y)| *x = (*x).max(y));
            }
            (DistinctSketch::Hll(a), DistinctSketch::Exact(b)) => {
                b.values().iter().for_each(|&x| insert_hash(a, hash_f64(x)));
            }
            (DistinctSketch::Exact(a), DistinctSketch::Hll(b)) => {
                let mut regs = b.clone();
                a.values()
                    .iter()
                    .for_each(|&x| insert_hash(&mut regs, hash_f64(x)));
                *self = DistinctSketch::Hll(regs);
            }
            (DistinctSketch::Exact(a), DistinctSketch::Exact(b)) => match b.counted_values() {
                Some(pairs) => pairs.into_iter().for_each(|(x, c)| self.add_rows(x, c)),
                None => {
                    a.forget_counts();
                    b.values().into_iter().for_each(|x| self.add_rows(x, 0));
                }
            },
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, DistinctSketch::Exact(_))
    }

    /// Distinct values: exact, or the HLL estimate (not rounded).
    pub fn estimate(&self) -> f64 {
        match self {
            DistinctSketch::Exact(v) => v.len() as f64,
            DistinctSketch::Hll(regs) => ertl_estimate(regs),
        }
    }

    /// Bytes of the serialized form.
    pub fn encoded_len(&self) -> usize {
        let mut w = Writer::new(b"size", 0);
        self.encode(&mut w);
        w.finish().len() - 5
    }

    pub fn encode(&self, w: &mut Writer) {
        match self {
            DistinctSketch::Exact(v) => match v.counted_values() {
                Some(pairs) => {
                    // The values, then each count as LEB128 (1 byte below 128).
                    w.u8(FORM_EXACT_COUNTS);
                    w.f64s(&pairs.iter().map(|p| p.0).collect::<Vec<_>>());
                    for &(_, mut c) in &pairs {
                        while c >= 0x80 {
                            w.u8(0x80 | (c & 0x7f) as u8);
                            c >>= 7;
                        }
                        w.u8(c as u8);
                    }
                }
                None => {
                    w.u8(FORM_EXACT);
                    w.f64s(&v.values());
                }
            },
            DistinctSketch::Hll(regs) => {
                if set_registers(regs) <= SPARSE_MAX {
                    let pairs = sparse(regs);
                    // Gaps between set registers (LEB128, 1 byte below 128, else 2), then
                    // the register: about 2 bytes a set register.
                    w.u8(FORM_SPARSE);
                    w.u32(pairs.len() as u32);
                    let mut next = 0u16;
                    for (i, rank) in pairs {
                        let gap = i - next;
                        if gap < 0x80 {
                            w.u8(gap as u8);
                        } else {
                            w.u8(0x80 | (gap & 0x7f) as u8);
                            w.u8((gap >> 7) as u8);
                        }
                        w.u8(rank);
                        next = i + 1;
                    }
                } else {
                    w.u8(FORM_DENSE);
                    for &r in regs.iter() {
                        w.u8(r);
                    }
                }
            }
        }
    }

    pub fn decode(r: &mut Reader<'_>) -> crate::Result<Self> {
        let repr = match r.u8()? {
            FORM_EXACT => Repr::Exact(r.f64s(EXACT_MAX)?),
            FORM_EXACT_COUNTS => {
                let values = r.f64s(EXACT_MAX)?;
                let mut pairs = Vec::with_capacity(values.len());
                for x in values {
                    let mut c = 0u64;
                    for shift in (0..64).step_by(7) {
                        let b = r.u8()?;
                        if shift == 63 && b > 1 {
                            return Err(r.error("distinct sketch: a count beyond 64 bits"));
                        }
                        if b == 0 && shift > 0 {
                            return Err(
                                r.error("distinct sketch: a count not in its shortest form")
                            );
                        }
                        c |= u64::from(b & 0x7f) << shift;
                        if b < 0x80 {
                            break;
                        }
                        if shift == 63 {
                            return Err(r.error("distinct sketch: a count beyond 64 bits"));
                        }
                    }
                    pairs.push((x, c));
                }
                Repr::ExactCounts(pairs)
            }
            FORM_SPARSE => {
                let len = r.u32()? as usize;
                if len > SPARSE_MAX {
                    return Err(r.error(&format!(
                        "distinct sketch: {len} sparse registers exceed {SPARSE_MAX}"
                    )));
                }
                let mut pairs = Vec::with_capacity(len);
                let mut next = 0usize;
                for _ in 0..len {
                    let b = r.u8()?;
                    let gap = if b < 0x80 {
                        usize::from(b)
                    } else {
                        usize::from(b & 0x7f) | usize::from(r.u8()?) << 7
                    };
                    let i = next + gap;
                    if i >= M {
                        return Err(r.error("distinct sketch: bad sparse register"));
                    }
                    pairs.push((i as u16, r.u8()?));
                    next = i + 1;
                }
                Repr::Sparse(pairs)
            }
            FORM_DENSE => Repr::Dense(r.fixed(M)?.to_vec()),
            f => return Err(r.error(&format!("distinct sketch: unknown form {f}"))),
        };
        DistinctSketch::try_from(repr).map_err(|e| r.error(&e))
    }

    /// Invariants of a stored sketch.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            // Built from checked values (`Repr`) or by `add`: finite, distinct, at most EXACT_MAX.
            DistinctSketch::Exact(_) => {}
            DistinctSketch::Hll(regs) => {
                // One vectorised max over the registers (a profile's sketch is checked on every
                // decode): it bounds every rank, and it is 0 exactly when no register is set.
                let top = regs.iter().fold(0u8, |top, &r| top.max(r));
                if regs.len() != M || top > MAX_RANK {
                    return Err("distinct sketch: bad registers".into());
                }
                if top == 0 {
                    return Err("distinct sketch: empty HLL".into());
                }
            }
        }
        Ok(())
    }
}

fn registers_of(values: &[f64]) -> Box<[u8]> {
    let mut regs = vec![0u8; M].into_boxed_slice();
    values
        .iter()
        .for_each(|&x| insert_hash(&mut regs, hash_f64(x)));
    regs
}

#[inline]
fn insert_hash(regs: &mut [u8], h: u64) {
    let (i, rank) = index_rank(h);
    if regs[i] < rank {
        regs[i] = rank;
    }
}

/// Ertl's improved raw estimator (his algorithm 6) with α∞ = 1 / (2 ln 2).
fn ertl_estimate(regs: &[u8]) -> f64 {
    let mut c = [0u32; Q + 2];
    regs.iter().for_each(|&r| c[r as usize] += 1);
    let m = M as f64;
    let mut z = m * tau(1.0 - f64::from(c[Q + 1]) / m);
    for k in (1..=Q).rev() {
        z = 0.5 * (z + f64::from(c[k]));
    }
    z += m * sigma(f64::from(c[0]) / m);
    m * m / (2.0 * std::f64::consts::LN_2 * z)
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let (mut y, mut z) = (1.0, x);
    loop {
        x *= x;
        let z_old = z;
        z += x * y;
        y += y;
        if z == z_old {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let (mut y, mut z) = (1.0, 1.0 - x);
    loop {
        x = x.sqrt();
        let z_old = z;
        y *= 0.5;
        z -= (1.0 - x).powi(2) * y;
        if z == z_old {
            return z / 3.0;
        }
    }
}
