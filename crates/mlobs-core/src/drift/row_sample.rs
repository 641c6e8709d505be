//! A bounded, deterministic sample of rows (a window's rows for the domain classifier, kept with
//! the window's summary): the `cap` complete rows with the smallest hash of their values (a
//! bottom-k sample). It depends only on the multiset of rows, never on their order, so a window
//! summarised alone, in a shared scan grouped by window or in any other plan gives the same
//! sample; and it is a uniform pseudo-random sample of the window (an evenly thinned one would
//! depend on the scan order, which SQL does not fix). Memory: at most `cap` rows.

use super::multivariate::MAX_COLUMNS;
use crate::error::{CoreError, Result};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Most rows a sample may keep (as many as the domain classifier uses per side).
pub const MAX_CAP: usize = super::domain::MAX_ROWS_PER_SIDE;

#[derive(Debug, Clone)]
struct Entry {
    key: u64,
    row: Vec<f64>,
}

impl Entry {
    fn cmp_key(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key).then_with(|| {
            // Equal hashes: by the values' bits, so the order stays total and deterministic.
            let a = self.row.iter().map(|x| x.to_bits());
            let b = other.row.iter().map(|x| x.to_bits());
            a.cmp(b)
        })
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_key(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_key(other)
    }
}

/// splitmix64's finaliser: a fixed, platform-independent mix.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn row_hash(row: &[f64]) -> u64 {
    row.iter().fold(0x9e37_79b9_7f4a_7c15u64, |h, x| {
        // -0.0 and 0.0 are the same value: one hash.
        let bits = if *x == 0.0 { 0 } else { x.to_bits() };
        mix(h ^ bits).wrapping_add(0x9e37_79b9_7f4a_7c15)
    })
}

#[derive(Debug, Clone)]
pub struct RowSample {
    cap: usize,
    width: Option<usize>,
    /// Max-heap: the largest kept key is evicted first.
    kept: BinaryHeap<Entry>,
    /// Complete rows seen.
    pub complete: u64,
}

impl RowSample {
    /// An empty sample keeping at most `cap` rows (1 to `MAX_CAP`).
    pub fn new(cap: i64) -> Result<Self> {
        if cap < 1 || cap > MAX_CAP as i64 {
            return Err(CoreError::invalid_parameter(format!(
                "sample must be between 1 and {MAX_CAP}, got {cap}"
            )));
        }
        Ok(Self {
            cap: cap as usize,
            width: None,
            kept: BinaryHeap::new(),
            complete: 0,
        })
    }

    /// Adds a row; a row with a NULL (`None`), NaN or ±Infinity is incomplete and skipped.
    /// Rows must all have the same, non-zero width.
    pub fn add(&mut self, row: &[Option<f64>]) -> Result<()> {
        match self.width {
            Some(w) if w != row.len() => {
                return Err(CoreError::invalid_parameter(format!(
                    "every row must have {w} values, got {}",
                    row.len()
                )))
            }
            None if row.is_empty() || row.len() > MAX_COLUMNS => {
                return Err(CoreError::invalid_parameter(format!(
                    "rows must have 1 to {MAX_COLUMNS} values, got {}",
                    row.len()
                )))
            }
            _ => self.width = Some(row.len()),
        }
        let Some(values) = row
            .iter()
            .map(|v| v.filter(|x| x.is_finite()))
            .collect::<Option<Vec<f64>>>()
        else {
            return Ok(());
        };
        self.complete += 1;
        let entry = Entry {
            key: row_hash(&values),
            row: values,
        };
        if self.kept.len() < self.cap {
            self.kept.push(entry);
        } else if self.kept.peek().is_some_and(|top| entry < *top) {
            self.kept.pop();
            self.kept.push(entry);
        }
        Ok(())
    }

    /// The kept rows in their canonical order (by hash); empty when no complete row was seen.
    pub fn rows(&self) -> Vec<Vec<f64>> {
        let mut entries: Vec<&Entry> = self.kept.iter().collect();
        entries.sort();
        entries.into_iter().map(|e| e.row.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> Vec<Vec<Option<f64>>> {
        (0..n)
            .map(|i| vec![Some(i as f64 * 0.5), Some((i as f64).sin())])
            .collect()
    }

    #[test]
    fn bounded_order_independent_and_skips_incomplete_rows() {
        let all = rows(1000);
        let mut forward = RowSample::new(100).unwrap();
        let mut backward = RowSample::new(100).unwrap();
        for r in &all {
            forward.add(r).unwrap();
        }
        for r in all.iter().rev() {
            backward.add(r).unwrap();
        }
        backward.add(&[None, Some(1.0)]).unwrap();
        backward.add(&[Some(f64::INFINITY), Some(1.0)]).unwrap();
        assert_eq!(forward.rows().len(), 100);
        assert_eq!(forward.rows(), backward.rows());
        assert_eq!((forward.complete, backward.complete), (1000, 1000));
        // Spread over the whole window, not its first rows.
        let max_first = forward.rows().iter().map(|r| r[0]).fold(0.0, f64::max);
        assert!(max_first > 400.0, "{max_first}");
        // Fewer rows than the cap: all of them.
        let mut small = RowSample::new(100).unwrap();
        for r in &all[..7] {
            small.add(r).unwrap();
        }
        assert_eq!(small.rows().len(), 7);
    }

    #[test]
    fn rejects_bad_caps_and_widths() {
        assert!(RowSample::new(0).is_err());
        assert!(RowSample::new(MAX_CAP as i64 + 1).is_err());
        let mut s = RowSample::new(5).unwrap();
        s.add(&[Some(1.0), Some(2.0)]).unwrap();
        assert!(s.add(&[Some(1.0)]).is_err());
        assert!(RowSample::new(5).unwrap().add(&[]).is_err());
        assert!(RowSample::new(5)
            .unwrap()
            .add(&vec![Some(1.0); MAX_COLUMNS + 1])
            .is_err());
    }
}
