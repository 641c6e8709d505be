//! Category counts: the summary of a categorical (text) column over a window. Exact counts for
//! up to `MAX_CATEGORIES` distinct values; beyond that the lexicographically smallest
//! `MAX_CATEGORIES` are kept and the rest are counted in `other_count`. Keeping the smallest keys
//! (rather than the first seen or the most frequent) makes the result a function of the
//! multiset alone, so merges are exactly associative and commutative, and parallel plans and
//! rollups equal a single pass.

use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};
use crate::ordered_map::CategoryMap;
use crate::sketch::{add_counts, sum_counts};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLct";
const VERSION: u8 = 1;
/// Distinct categories kept exactly.
pub const MAX_CATEGORIES: usize = 10_000;
/// Longer values are not stored as categories; they are counted in `other_count`.
pub const MAX_KEY_BYTES: usize = 1024;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Categories {
    pub counts: CategoryMap,
    /// Values beyond the cap or longer than MAX_KEY_BYTES.
    pub other_count: u64,
    pub null_count: u64,
}

impl Categories {
    /// Transition for one value; NULL is `None`.
    pub fn add(&mut self, value: Option<&str>) {
        match value {
            None => self.null_count += 1,
            Some(v) if v.len() > MAX_KEY_BYTES => self.other_count += 1,
            Some(v) => {
                if self.counts.len() >= MAX_CATEGORIES
                    && self.counts.last_key().is_some_and(|last| v > &**last)
                {
                    // At the cap, a key above the largest kept one is not kept (it would be
                    // evicted at once): one comparison, no hash (most rows of a column with
                    // far more distinct values than the cap).
                    self.other_count += 1;
                } else if let Some(c) = self.counts.get_mut(v) {
                    *c += 1;
                } else {
                    self.counts.insert(v.into(), 1);
                    self.trim();
                }
            }
        }
    }

    /// Evicts the largest keys beyond the cap into `other_count`.
    fn trim(&mut self) {
        while self.counts.len() > MAX_CATEGORIES {
            let (_, c) = self.counts.pop_last().expect("non-empty");
            self.other_count += c;
        }
    }

    /// Non-NULL values counted (categories and other).
    pub fn total(&self) -> u64 {
        self.counts.values().sum::<u64>() + self.other_count
    }

    /// Whether some values were folded into `other_count`.
    pub fn capped(&self) -> bool {
        self.other_count > 0
    }

    /// Whether the category cap was reached and categories were dropped into `other_count`
    /// (not merely over-long values): which keys the summary saw is then unknown above its
    /// largest kept key.
    pub fn truncated(&self) -> bool {
        self.other_count > 0 && self.counts.len() >= MAX_CATEGORIES
    }
}

impl Summary for Categories {
    const NAME: &'static str = "mlobs.categories";

    fn merge(&mut self, o: &Self) -> Result<()> {
        for (k, &c) in &o.counts {
            match self.counts.get_mut(k) {
                Some(mine) => *mine = add_counts(*mine, c)?,
                None => self.counts.insert(k.clone(), c),
            }
        }
        self.other_count = add_counts(self.other_count, o.other_count)?;
        self.null_count = add_counts(self.null_count, o.null_count)?;
        self.trim();
        sum_counts(
            self.counts
                .values()
                .copied()
                .chain([self.other_count, self.null_count]),
        )?;
        Ok(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        write_categories(
            self.counts.iter().map(|(k, &c)| (&**k, c)),
            self.counts.len(),
            self.other_count,
            self.null_count,
        )
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut counts = CategoryMap::default();
        let (other_count, null_count) = read_categories(bytes, |k, c| counts.insert(k.into(), c))?;
        let s = Self {
            counts,
            other_count,
            null_count,
        };
        s.decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.counts.len() > MAX_CATEGORIES {
            return Err(format!("more than {MAX_CATEGORIES} categories"));
        }
        if let Some(k) = self.counts.keys().find(|k| k.len() > MAX_KEY_BYTES) {
            return Err(format!(
                "category of {} bytes exceeds {MAX_KEY_BYTES}",
                k.len()
            ));
        }
        if self.counts.values().any(|&c| c == 0) {
            return Err("category counts must be positive".into());
        }
        let total = self
            .counts
            .values()
            .try_fold(self.other_count, |a, &c| a.checked_add(c));
        if total.and_then(|t| t.checked_add(self.null_count)).is_none() {
            return Err("counts overflow".into());
        }
        Ok(())
    }
}

/// The stored form: `len` (key, count) pairs in strictly ascending key order, then the other
/// and NULL counts. Shared with `CategoryCounter`, which writes from its hash map.
pub(crate) fn write_categories<'a>(
    kept: impl Iterator<Item = (&'a str, u64)>,
    len: usize,
    other_count: u64,
    null_count: u64,
) -> Vec<u8> {
    let mut w = Writer::new(TAG, VERSION);
    w.u32(len as u32);
    for (k, c) in kept {
        w.bytes(k.as_bytes());
        w.u64(c);
    }
    w.u64(other_count);
    w.u64(null_count);
    w.finish()
}

/// Reads the stored form, checking everything `Categories::validate` checks, and hands each
/// (key, count) to `keep` in ascending order. Returns (other count, NULL count).
pub(crate) fn read_categories(bytes: &[u8], mut keep: impl FnMut(&str, u64)) -> Result<(u64, u64)> {
    let mut r = Reader::open_versioned(bytes, TAG, VERSION, Categories::NAME)?;
    let len = r.u32()? as usize;
    if len > MAX_CATEGORIES {
        return Err(r.error(&format!(
            "{len} categories exceed the limit {MAX_CATEGORIES}"
        )));
    }
    let mut previous: Option<&[u8]> = None;
    let mut total: u64 = 0;
    for _ in 0..len {
        let key = r.bytes(MAX_KEY_BYTES)?;
        let text = std::str::from_utf8(key).map_err(|_| r.error("category is not valid UTF-8"))?;
        // Canonical form: strictly ascending keys (also rules out duplicates); byte order is
        // `str` order.
        if previous.is_some_and(|p| p >= key) {
            return Err(r.error("categories are not in strictly ascending order"));
        }
        previous = Some(key);
        let c = r.u64()?;
        if c == 0 {
            return Err(r.error("category counts must be positive"));
        }
        total = total
            .checked_add(c)
            .ok_or_else(|| r.error("counts overflow"))?;
        keep(text, c);
    }
    let other_count = r.u64()?;
    let null_count = r.u64()?;
    r.finish()?;
    total
        .checked_add(other_count)
        .and_then(|t| t.checked_add(null_count))
        .ok_or_else(|| {
            CoreError::invalid_binary(format!("invalid {}: counts overflow", Categories::NAME))
        })?;
    Ok((other_count, null_count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(values: &[&str]) -> Categories {
        let mut c = Categories::default();
        values.iter().for_each(|v| c.add(Some(v)));
        c
    }

    #[test]
    fn counts_and_round_trip() {
        let mut c = of(&["b", "a", "b", ""]);
        c.add(None);
        assert_eq!(c.counts.get("b"), Some(&2));
        assert_eq!((c.total(), c.null_count), (4, 1));
        assert_eq!(Categories::from_bytes(&c.to_bytes()).unwrap(), c);
        assert_eq!(Categories::from_json(&c.to_json()).unwrap(), c);
    }

    #[test]
    fn cap_keeps_the_smallest_keys_whatever_the_order() {
        let keys: Vec<String> = (0..MAX_CATEGORIES + 50)
            .map(|i| format!("k{i:06}"))
            .collect();
        let mut forward = Categories::default();
        keys.iter().for_each(|k| forward.add(Some(k)));
        let mut backward = Categories::default();
        keys.iter().rev().for_each(|k| backward.add(Some(k)));
        assert_eq!(forward, backward);
        assert_eq!(forward.other_count, 50);
        assert_eq!(
            &**forward.counts.keys().last().unwrap(),
            format!("k{:06}", MAX_CATEGORIES - 1)
        );
    }
}
