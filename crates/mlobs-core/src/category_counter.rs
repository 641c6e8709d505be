//! The transition state of `category_agg`: `Categories` with its eviction deferred.
//!
//! `Categories` keeps the `MAX_CATEGORIES` smallest keys in order and evicts the largest key each
//! time a new one arrives at the cap: a tree insertion, a tree removal and two key allocations
//! (~0.3 µs). A column with far more distinct values than the cap pays that for every admitted
//! key, and a parallel plan pays it once per participant (issue 20: 100 000 distinct values with
//! 2 workers cost 1.4× `avg`). Here the keys live in a hash map only and are allowed up to twice
//! the cap; then one selection keeps the `MAX_CATEGORIES` smallest, and the largest kept key
//! becomes the bound above which new keys go straight to `other_count`.
//!
//! The result is exactly `Categories`': a key among the `MAX_CATEGORIES` smallest of the
//! multiset is never evicted (fewer than `MAX_CATEGORIES` keys are smaller) and is never rejected
//! (the bound is the largest of `MAX_CATEGORIES` smaller-or-equal keys held), so its count is
//! exact; every other value ends in `other_count`. Merges keep that property, and `settled`
//! trims to the cap. Reading, writing or comparing a counter goes through its settled form.

use crate::categories::{
    read_categories, write_categories, Categories, MAX_CATEGORIES, MAX_KEY_BYTES,
};
use crate::error::Result;
use crate::sketch::{add_counts, sum_counts};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Keys held before a trim: twice the cap bounds the memory at that of `Categories`' tree and
/// index (which store each key twice) and amortizes a trim over `MAX_CATEGORIES` admissions.
const HELD: usize = 2 * MAX_CATEGORIES;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(into = "Categories", from = "Categories")]
pub struct CategoryCounter {
    counts: HashMap<Box<str>, u64, foldhash::fast::RandomState>,
    /// Set by a trim: `MAX_CATEGORIES` held keys are at most this one, so a larger key is not kept.
    bound: Option<Box<str>>,
    other_count: u64,
    null_count: u64,
}

impl CategoryCounter {
    /// Transition for one value; NULL is `None`. Counts as `Categories::add` does.
    #[inline]
    pub fn add(&mut self, value: Option<&str>) {
        match value {
            None => self.null_count += 1,
            Some(v) if v.len() > MAX_KEY_BYTES => self.other_count += 1,
            Some(v) if self.bound.as_deref().is_some_and(|b| v > b) => self.other_count += 1,
            Some(v) => {
                if let Some(c) = self.counts.get_mut(v) {
                    *c += 1;
                } else {
                    self.counts.insert(v.into(), 1);
                    if self.counts.len() >= HELD {
                        self.trim();
                    }
                }
            }
        }
    }

    /// From counts read or converted whole: a full summary's largest key bounds new ones, as
    /// after a trim.
    fn from_parts(
        counts: HashMap<Box<str>, u64, foldhash::fast::RandomState>,
        other_count: u64,
        null_count: u64,
    ) -> Self {
        let bound = (counts.len() >= MAX_CATEGORIES)
            .then(|| counts.keys().max().cloned())
            .flatten();
        Self {
            counts,
            bound,
            other_count,
            null_count,
        }
    }

    /// Keeps the `MAX_CATEGORIES` smallest keys, the rest into `other_count`.
    fn trim(&mut self) {
        if self.counts.len() <= MAX_CATEGORIES {
            return;
        }
        let mut all: Vec<(Box<str>, u64)> = self.counts.drain().collect();
        self.other_count += keep_smallest(&mut all);
        self.bound = Some(all[MAX_CATEGORIES - 1].0.clone());
        self.counts.extend(all);
    }

    /// The kept (key, count) pairs in ascending key order, and the other count with the
    /// evicted keys' counts added: the settled summary, without building it.
    fn kept(&self) -> (Vec<(&str, u64)>, u64) {
        let mut kept: Vec<(&str, u64)> = self.counts.iter().map(|(k, &c)| (&**k, c)).collect();
        let other_count = self.other_count + keep_smallest(&mut kept);
        kept.sort_unstable_by(|a, b| a.0.cmp(b.0));
        (kept, other_count)
    }

    /// The summary these values make (what `category_agg` returns).
    pub fn settled(&self) -> Categories {
        let (kept, other_count) = self.kept();
        Categories {
            counts: kept.into_iter().map(|(k, c)| (k.into(), c)).collect(),
            other_count,
            null_count: self.null_count,
        }
    }
}

impl From<CategoryCounter> for Categories {
    fn from(c: CategoryCounter) -> Self {
        c.settled()
    }
}

impl From<Categories> for CategoryCounter {
    fn from(c: Categories) -> Self {
        let counts = c.counts.iter().map(|(k, &n)| (k.clone(), n)).collect();
        Self::from_parts(counts, c.other_count, c.null_count)
    }
}

/// Keeps the `MAX_CATEGORIES` smallest keys of `entries` (in no order) and returns the summed
/// count of the others, which it removes.
fn keep_smallest<K: Ord>(entries: &mut Vec<(K, u64)>) -> u64 {
    if entries.len() <= MAX_CATEGORIES {
        return 0;
    }
    entries.select_nth_unstable_by(MAX_CATEGORIES - 1, |a, b| a.0.cmp(&b.0));
    entries.drain(MAX_CATEGORIES..).map(|(_, c)| c).sum()
}

impl PartialEq for CategoryCounter {
    fn eq(&self, o: &Self) -> bool {
        self.settled() == o.settled()
    }
}

impl Summary for CategoryCounter {
    const NAME: &'static str = Categories::NAME;

    fn merge(&mut self, o: &Self) -> Result<()> {
        for (k, &c) in &o.counts {
            match self.counts.get_mut(k) {
                Some(mine) => *mine = add_counts(*mine, c)?,
                None => {
                    self.counts.insert(k.clone(), c);
                }
            }
        }
        self.other_count = add_counts(self.other_count, o.other_count)?;
        self.null_count = add_counts(self.null_count, o.null_count)?;
        // The smaller bound holds: its side's `MAX_CATEGORIES` keys are all held now.
        if let Some(b) = &o.bound
            && self.bound.as_ref().is_none_or(|mine| b < mine)
        {
            self.bound = Some(b.clone());
        }
        self.trim();
        sum_counts(
            self.counts
                .values()
                .copied()
                .chain([self.other_count, self.null_count]),
        )?;
        Ok(())
    }

    // A parallel plan writes every worker's state and reads it in the leader: straight between
    // the hash map and the stored form (building the ordered `Categories` on each side cost
    // ~40 ms for three 10 000-key states).
    fn to_bytes(&self) -> Vec<u8> {
        let (kept, other_count) = self.kept();
        write_categories(
            kept.iter().copied(),
            kept.len(),
            other_count,
            self.null_count,
        )
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut counts = HashMap::default();
        let (other_count, null_count) = read_categories(bytes, |k, c| {
            counts.insert(k.into(), c);
        })?;
        Ok(Self::from_parts(counts, other_count, null_count))
    }

    fn validate(&self) -> std::result::Result<(), String> {
        self.settled().validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn both(values: &[Option<String>]) -> (Categories, CategoryCounter) {
        let mut c = Categories::default();
        let mut d = CategoryCounter::default();
        for v in values {
            c.add(v.as_deref());
            d.add(v.as_deref());
        }
        (c, d)
    }

    #[test]
    fn equals_categories_beyond_the_cap_in_any_order() {
        // 3.5 caps of distinct keys, each three times (again after trims), in ascending,
        // descending and mixed order.
        let keys: Vec<Option<String>> = (0..105_000u64)
            .map(|i| Some(format!("{}", (i * 7919) % 35_000)))
            .chain((0..500).map(|i| Some(format!("{i}"))))
            .chain([None, Some("x".repeat(MAX_KEY_BYTES + 1))])
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        for order in [
            keys.clone(),
            sorted.clone(),
            sorted.into_iter().rev().collect(),
        ] {
            let (c, d) = both(&order);
            assert_eq!(d.settled(), c);
            assert_eq!(d.to_bytes(), c.to_bytes());
            assert_eq!(d.to_json(), c.to_json());
        }
    }

    #[test]
    fn kept_keys_count_every_occurrence_after_a_trim() {
        // Twice the same 2 caps of keys: the first pass ends in a trim to the final kept set, the
        // second must count each kept key again, the largest (the bound) included.
        let once: Vec<Option<String>> = (0..HELD as u64)
            .map(|i| Some(format!("{}", (i * 7919) % HELD as u64)))
            .collect();
        let twice: Vec<Option<String>> = once.iter().chain(&once).cloned().collect();
        let (c, d) = both(&twice);
        assert!(c.counts.values().all(|&n| n == 2));
        assert_eq!(d.settled(), c);
    }

    #[test]
    fn merges_of_parts_equal_one_pass() {
        let keys: Vec<Option<String>> = (0..60_000u64)
            .map(|i| Some(format!("k{}", (i * 104_729) % 45_000)))
            .collect();
        let (whole, _) = both(&keys);
        for parts in [2, 3, 7] {
            let mut acc = CategoryCounter::default();
            for chunk in keys.chunks(keys.len() / parts + 1) {
                let (_, part) = both(chunk);
                // Through the serialized form, as a parallel plan passes partial states.
                let part = CategoryCounter::from_bytes(&part.to_bytes()).unwrap();
                acc.merge(&part).unwrap();
            }
            assert_eq!(acc.settled(), whole, "{parts} parts");
        }
    }

    #[test]
    fn reads_and_rejects_what_categories_does() {
        let good = both(&[Some("a".into()), Some("b".into()), None])
            .0
            .to_bytes();
        let mut cases = vec![good.clone(), good[..good.len() - 1].to_vec()];
        // Flip each byte in turn: swapped keys, zero counts, bad lengths, bad UTF-8.
        for i in 0..good.len() {
            for x in [0x01, 0x80, 0xff] {
                let mut b = good.clone();
                b[i] ^= x;
                cases.push(b);
            }
        }
        for b in cases {
            let expected = Categories::from_bytes(&b);
            let got = CategoryCounter::from_bytes(&b);
            assert_eq!(got.is_ok(), expected.is_ok(), "{b:?}");
            if let (Ok(got), Ok(expected)) = (got, expected) {
                assert_eq!(got.settled(), expected);
                assert_eq!(got.to_bytes(), b);
            }
        }
    }

    proptest! {
        #[test]
        fn any_values_any_split_equal_categories(
            values in proptest::collection::vec(proptest::option::of("[a-c]{0,3}"), 0..300),
            split in 0usize..300,
        ) {
            let (whole, counter) = both(&values);
            prop_assert_eq!(counter.settled(), whole.clone());
            let split = split.min(values.len());
            let (_, mut left) = both(&values[..split]);
            let (_, right) = both(&values[split..]);
            left.merge(&right).unwrap();
            prop_assert_eq!(left.settled(), whole);
        }
    }
}
