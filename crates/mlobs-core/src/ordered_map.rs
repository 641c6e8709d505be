//! A map for summaries that are looked up once per row and read in key order:
//! a hash index for the per-row lookup, and an ordered key set for everything that needs order
//! (serialization, evicting the largest key at a cap, sorted iteration). A `BTreeMap<String, _>`
//! alone cost ~10 string comparisons per lookup at 1 000 keys (issue 20's profile: the largest
//! symbol of `category_agg`, and of `features_agg` with its per-key lookups; the (actual,
//! predicted) cells of `confusion_agg` mispredicted branches in the tree); a hash lookup is one
//! hash of the key and usually one comparison. The ordered set changes only when a key is
//! added or removed. The hasher is seeded per process, so logged values cannot be chosen to
//! collide.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;

type Index<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Key → value, iterated in ascending key order.
#[derive(Debug, Clone)]
pub struct OrderedMap<K, V> {
    index: Index<K, V>,
    order: BTreeSet<K>,
    /// The largest key, kept out of the tree: a capped category summary compares every row
    /// with it, and walking the tree to its last leaf each time cost ~4 % of that row.
    last: Option<K>,
}

/// Category → count.
pub type CategoryMap = OrderedMap<Box<str>, u64>;

impl<K, V> Default for OrderedMap<K, V> {
    fn default() -> Self {
        Self {
            index: HashMap::default(),
            order: BTreeSet::new(),
            last: None,
        }
    }
}

impl<K: Hash + Ord + Clone, V> OrderedMap<K, V> {
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    #[inline]
    pub fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.index.get(key)
    }

    #[inline]
    pub fn get_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.index.get_mut(key)
    }

    pub fn contains_key<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.index.contains_key(key)
    }

    /// Sets the value of `key` (adding the key when new).
    pub fn insert(&mut self, key: K, value: V) {
        if let Some(v) = self.index.get_mut(&key) {
            *v = value;
        } else {
            if self.last.as_ref().is_none_or(|l| &key > l) {
                self.last = Some(key.clone());
            }
            self.order.insert(key.clone());
            self.index.insert(key, value);
        }
    }

    /// Removes the largest key and returns it with its value.
    pub fn pop_last(&mut self) -> Option<(K, V)> {
        let key = self.order.pop_last()?;
        self.last = self.order.last().cloned();
        let value = self
            .index
            .remove(&key)
            .expect("index and order hold the same keys");
        Some((key, value))
    }

    /// The smallest key.
    pub fn first_key(&self) -> Option<&K> {
        self.order.first()
    }

    /// The largest key.
    #[inline]
    pub fn last_key(&self) -> Option<&K> {
        self.last.as_ref()
    }

    /// (key, value) in ascending key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            keys: self.order.iter(),
            index: &self.index,
        }
    }

    /// Keys in ascending order.
    pub fn keys(&self) -> std::collections::btree_set::Iter<'_, K> {
        self.order.iter()
    }

    /// Values in ascending key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }
}

impl<V> OrderedMap<Box<str>, V> {
    /// Keys in ascending order, as `&str`.
    pub fn str_keys(&self) -> impl DoubleEndedIterator<Item = &str> + '_ {
        self.order.iter().map(|k| &**k)
    }
}

/// The iterator of `OrderedMap::iter`.
pub struct Iter<'a, K, V> {
    keys: std::collections::btree_set::Iter<'a, K>,
    index: &'a Index<K, V>,
}

impl<'a, K: Hash + Eq, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.keys.next().map(|k| (k, &self.index[k]))
    }
}

impl<K: Hash + Eq, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.keys.next_back().map(|k| (k, &self.index[k]))
    }
}

impl<'a, K: Hash + Ord + Clone, V> IntoIterator for &'a OrderedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<K: Hash + Eq + Borrow<Q>, Q: Hash + Eq + ?Sized, V> std::ops::Index<&Q> for OrderedMap<K, V> {
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        &self.index[key]
    }
}

impl<K: Hash + Eq, V: PartialEq> PartialEq for OrderedMap<K, V> {
    fn eq(&self, o: &Self) -> bool {
        self.index == o.index
    }
}

impl<K: Hash + Ord + Clone, V> FromIterator<(K, V)> for OrderedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut m = OrderedMap::default();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

/// As a JSON object with keys in ascending order (the form `BTreeMap` had).
impl<K: Hash + Ord + Clone + Serialize, V: Serialize> Serialize for OrderedMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de, K, V> Deserialize<'de> for OrderedMap<K, V>
where
    K: Hash + Ord + Clone + Deserialize<'de>,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(BTreeMap::<K, V>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_views_and_eviction_follow_the_keys() {
        let mut m = CategoryMap::default();
        for (k, c) in [("b", 2), ("a", 1), ("c", 3)] {
            m.insert(k.into(), c);
        }
        *m.get_mut("a").unwrap() += 10;
        let all: Vec<(&str, u64)> = m.iter().map(|(k, &c)| (&**k, c)).collect();
        assert_eq!(all, [("a", 11), ("b", 2), ("c", 3)]);
        assert_eq!(m.iter().next_back().map(|(k, _)| &**k), Some("c"));
        assert_eq!(m.last_key().map(|k| &**k), Some("c"));
        assert_eq!(m.str_keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(m.pop_last(), Some(("c".into(), 3)));
        assert_eq!(m.last_key().map(|k| &**k), Some("b"));
        assert_eq!((m.len(), m.contains_key("c"), m["b"]), (2, false, 2));
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"a":11,"b":2}"#);
        let back: CategoryMap = serde_json::from_str(r#"{"b":2,"a":11}"#).unwrap();
        assert_eq!(back, m);
    }
}
