//! The per-bin values of a score summary's grid: a hash map while few bins are filled (an
//! hourly window of a few hundred rows), a dense array once a quarter of the grid is (a summary
//! over millions of rows fills nearly all 10 000 bins). Issue 20's profile of `score_agg` found
//! two cache misses per row in the hash map (control bytes, then the bucket); the dense array
//! has one, and at a quarter of the grid it takes no more memory than the map. An all-zero
//! value is an absent bin: a stored bin always has a row (and a positive weight).

use serde::{Deserialize, Deserializer};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// Bin keys are small integers: a multiplicative hash is enough.
#[derive(Default)]
pub struct BinHasher(u64);

impl Hasher for BinHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = (v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type Sparse<T> = HashMap<u32, T, BuildHasherDefault<BinHasher>>;

/// A bin's value: counts or weight sums per class; all zero means absent.
pub trait BinValue: Copy + Default + PartialEq + std::fmt::Debug {
    fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}
impl BinValue for [u64; 2] {}
impl BinValue for [f64; 2] {}

#[derive(Debug, Clone)]
pub enum GridBins<T> {
    Sparse(Sparse<T>),
    /// Indexed by bin; zero = absent.
    Dense(Vec<T>),
}

impl<T> Default for GridBins<T> {
    fn default() -> Self {
        GridBins::Sparse(Sparse::default())
    }
}

impl<T: BinValue> GridBins<T> {
    /// The value of bin `b` (a bin of a `grid`-bin summary), added as zero when absent.
    #[inline]
    pub fn slot(&mut self, b: u32, grid: u32) -> &mut T {
        if let GridBins::Sparse(m) = self
            && m.len() >= (grid / 4) as usize
            && !m.contains_key(&b)
        {
            self.densify(grid);
        }
        match self {
            GridBins::Sparse(m) => m.entry(b).or_default(),
            GridBins::Dense(v) => {
                let i = b as usize;
                if i >= v.len() {
                    v.resize(i + 1, T::default());
                }
                &mut v[i]
            }
        }
    }

    fn densify(&mut self, grid: u32) {
        if let GridBins::Sparse(m) = self {
            let top = m.keys().max().map_or(0, |&b| b as usize + 1);
            let mut v = vec![T::default(); (grid as usize).max(top)];
            for (&b, &c) in m.iter() {
                v[b as usize] = c;
            }
            *self = GridBins::Dense(v);
        }
    }

    pub fn get(&self, b: u32) -> Option<&T> {
        match self {
            GridBins::Sparse(m) => m.get(&b),
            GridBins::Dense(v) => v.get(b as usize).filter(|c| !c.is_zero()),
        }
    }

    pub fn get_mut(&mut self, b: u32) -> Option<&mut T> {
        match self {
            GridBins::Sparse(m) => m.get_mut(&b),
            GridBins::Dense(v) => v.get_mut(b as usize).filter(|c| !c.is_zero()),
        }
    }

    /// Sets bin `b`; returns whether it was present.
    pub fn insert(&mut self, b: u32, value: T) -> bool {
        match self {
            GridBins::Sparse(m) => m.insert(b, value).is_some(),
            GridBins::Dense(_) => {
                let present = self.get(b).is_some();
                *self.slot(b, 0) = value;
                present
            }
        }
    }

    /// Present bins (sparse: in no particular order; dense: ascending).
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> + '_ {
        let (sparse, dense) = match self {
            GridBins::Sparse(m) => (Some(m.iter().map(|(&b, c)| (b, c))), None),
            GridBins::Dense(v) => (
                None,
                Some(
                    v.iter()
                        .enumerate()
                        .filter(|(_, c)| !c.is_zero())
                        .map(|(b, c)| (b as u32, c)),
                ),
            ),
        };
        sparse
            .into_iter()
            .flatten()
            .chain(dense.into_iter().flatten())
    }

    pub fn keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.iter().map(|(b, _)| b)
    }

    pub fn values(&self) -> impl Iterator<Item = &T> + '_ {
        self.iter().map(|(_, c)| c)
    }

    pub fn len(&self) -> usize {
        match self {
            GridBins::Sparse(m) => m.len(),
            GridBins::Dense(v) => v.iter().filter(|c| !c.is_zero()).count(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// The same bins, each value mapped (a dense summary stays dense).
    pub fn map<U: BinValue>(&self, f: impl Fn(&T) -> U) -> GridBins<U> {
        match self {
            GridBins::Sparse(m) => GridBins::Sparse(m.iter().map(|(&b, c)| (b, f(c))).collect()),
            GridBins::Dense(v) => GridBins::Dense(
                v.iter()
                    .map(|c| if c.is_zero() { U::default() } else { f(c) })
                    .collect(),
            ),
        }
    }

    /// Present bins in ascending order.
    pub fn sorted(&self) -> BTreeMap<u32, T> {
        self.iter().map(|(b, &c)| (b, c)).collect()
    }
}

impl<T: BinValue> PartialEq for GridBins<T> {
    fn eq(&self, o: &Self) -> bool {
        self.sorted() == o.sorted()
    }
}

impl<T: BinValue> FromIterator<(u32, T)> for GridBins<T> {
    fn from_iter<I: IntoIterator<Item = (u32, T)>>(iter: I) -> Self {
        GridBins::Sparse(iter.into_iter().collect())
    }
}

impl<T: BinValue + serde::Serialize> serde::Serialize for GridBins<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.sorted().serialize(s)
    }
}

impl<'de, T: BinValue + Deserialize<'de>> Deserialize<'de> for GridBins<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(BTreeMap::<u32, T>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_hold_the_same_bins() {
        let mut sparse = GridBins::<[u64; 2]>::default();
        let mut dense = GridBins::<[u64; 2]>::default();
        for (i, b) in [7u32, 3, 7, 99, 0, 3, 3].into_iter().enumerate() {
            sparse.slot(b, 1_000_000)[i % 2] += 1;
            dense.slot(b, 8)[i % 2] += 1; // a quarter of 8 bins: dense from the third bin
        }
        assert!(matches!(sparse, GridBins::Sparse(_)));
        assert!(matches!(dense, GridBins::Dense(_)));
        assert_eq!(sparse, dense);
        assert_eq!((sparse.len(), dense.len()), (4, 4));
        assert_eq!(dense.get(5), None);
        assert_eq!(dense.get(3), Some(&[1, 2]));
        assert_eq!(dense.keys().collect::<Vec<_>>(), [0, 3, 7, 99]);
        let weights = dense.map(|c| [c[0] as f64, c[1] as f64]);
        assert_eq!(weights.get(99), Some(&[0.0, 1.0]));
        assert_eq!(
            serde_json::to_string(&dense).unwrap(),
            serde_json::to_string(&sparse).unwrap()
        );
    }
}
