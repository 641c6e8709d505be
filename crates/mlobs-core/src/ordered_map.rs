//! A string-keyed map for summaries that are looked up once per row and read in key order:
//! a hash index for the per-row lookup, and an ordered key set for everything that needs order
//! (serialization, evicting the largest key at a cap, sorted iteration). A `BTreeMap<String, _>`
//! alone cost ~10 string comparisons per lookup at 1 000 keys (issue 20's profile: the largest
//! symbol of `category_agg`, and of `features_agg` with its per-key lookups); a hash lookup is
//! one hash of the key and usually one comparison. The ordered set changes only when a key is
//! added or removed. The hasher is seeded per process, so logged values cannot be chosen to
//! collide.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Key → value, iterated in ascending key order.
#[derive(Debug, Clone)]
pub struct OrderedMap<V> {
    index: HashMap<Box<str>, V, foldhash::fast::RandomState>,
    order: BTreeSet<Box<str>>,
}

/// Category → count.
pub type CategoryMap = OrderedMap<u64>;

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        Self {
            index: HashMap::default(),
            order: BTreeSet::new(),
        }
    }
}

impl<V> OrderedMap<V> {
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    #[inline]
    pub fn get(&self, key: &str) -> Option<&V> {
        self.index.get(key)
    }

    #[inline]
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.index.get_mut(key)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    /// Sets the value of `key` (adding the key when new).
    pub fn insert(&mut self, key: &str, value: V) {
        match self.index.get_mut(key) {
            Some(v) => *v = value,
            None => {
                self.index.insert(key.into(), value);
                self.order.insert(key.into());
            }
        }
    }

    /// Removes the largest key and returns it with its value.
    pub fn pop_last(&mut self) -> Option<(Box<str>, V)> {
        let key = self.order.pop_last()?;
        let value = self
            .index
            .remove(&key)
            .expect("index and order hold the same keys");
        Some((key, value))
    }

    /// The largest key.
    pub fn last_key(&self) -> Option<&str> {
        self.order.last().map(|k| &**k)
    }

    /// (key, value) in ascending key order.
    pub fn iter(&self) -> Iter<'_, V> {
        Iter {
            keys: self.order.iter(),
            index: &self.index,
        }
    }

    /// Keys in ascending order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + '_ {
        self.order.iter().map(|k| &**k)
    }

    /// Values in ascending key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }
}

/// The iterator of `OrderedMap::iter`.
pub struct Iter<'a, V> {
    keys: std::collections::btree_set::Iter<'a, Box<str>>,
    index: &'a HashMap<Box<str>, V, foldhash::fast::RandomState>,
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a str, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.keys.next().map(|k| (&**k, &self.index[k]))
    }
}

impl<V> DoubleEndedIterator for Iter<'_, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.keys.next_back().map(|k| (&**k, &self.index[k]))
    }
}

impl<'a, V> IntoIterator for &'a OrderedMap<V> {
    type Item = (&'a str, &'a V);
    type IntoIter = Iter<'a, V>;

    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

impl<V> std::ops::Index<&str> for OrderedMap<V> {
    type Output = V;

    fn index(&self, key: &str) -> &V {
        &self.index[key]
    }
}

impl<V: PartialEq> PartialEq for OrderedMap<V> {
    fn eq(&self, o: &Self) -> bool {
        self.index == o.index
    }
}

impl<V> FromIterator<(String, V)> for OrderedMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(iter: I) -> Self {
        let mut m = OrderedMap::default();
        for (k, v) in iter {
            m.insert(&k, v);
        }
        m
    }
}

/// As a JSON object with keys in ascending order (the form `BTreeMap` had).
impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(BTreeMap::<String, V>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_views_and_eviction_follow_the_keys() {
        let mut m = CategoryMap::default();
        for (k, c) in [("b", 2), ("a", 1), ("c", 3)] {
            m.insert(k, c);
        }
        *m.get_mut("a").unwrap() += 10;
        let all: Vec<(&str, u64)> = m.iter().map(|(k, &c)| (k, c)).collect();
        assert_eq!(all, [("a", 11), ("b", 2), ("c", 3)]);
        assert_eq!(m.iter().next_back().map(|(k, _)| k), Some("c"));
        assert_eq!(m.last_key(), Some("c"));
        assert_eq!(m.pop_last(), Some(("c".into(), 3)));
        assert_eq!((m.len(), m.contains_key("c"), m["b"]), (2, false, 2));
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"a":11,"b":2}"#);
        let back: CategoryMap = serde_json::from_str(r#"{"b":2,"a":11}"#).unwrap();
        assert_eq!(back, m);
    }
}
