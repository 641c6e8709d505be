//! Feature profiles: one pass over a JSON feature payload per row (`{"amount": 12.5,
//! "merchant": "grocery", ...}`) keeps, per key, a numeric profile of its numbers, category counts
//! of its strings and booleans, and how often each JSON type (and absence) occurred. This is the
//! summary behind whole-input drift and schema checks.
//!
//! Bounded: at most `MAX_FEATURES` keys — the lexicographically smallest, so the summary depends
//! on the data only and merges exactly — further keys are counted in `dropped_keys`.

use crate::categories::Categories;
use crate::codec::{Reader, Writer};
use crate::error::Result;
use crate::ordered_map::OrderedMap;
use crate::payload::{entries_of, Scalar};
use crate::profile::NumericProfile;
use crate::sketch::add_counts;
use crate::summary::Summary;
use serde::{Deserialize, Serialize};
use serde_json::Value;

const TAG: &[u8; 4] = b"MLfp";
const VERSION: u8 = 1;
/// Keys tracked per summary.
pub const MAX_FEATURES: usize = 1000;
/// Longest key tracked, in bytes.
pub const MAX_KEY_BYTES: usize = 256;

/// How often each JSON type occurred for a key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeCounts {
    pub number: u64,
    pub string: u64,
    pub boolean: u64,
    pub null: u64,
    pub object: u64,
    pub array: u64,
}

impl TypeCounts {
    fn fields(&mut self) -> [&mut u64; 6] {
        [
            &mut self.number,
            &mut self.string,
            &mut self.boolean,
            &mut self.null,
            &mut self.object,
            &mut self.array,
        ]
    }

    pub fn present(&self) -> u64 {
        self.number + self.string + self.boolean + self.null + self.object + self.array
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureSummary {
    pub types: TypeCounts,
    /// The key's numbers.
    pub numeric: NumericProfile,
    /// The key's strings, and booleans as "true"/"false".
    pub categories: Categories,
}

/// Whether a feature is compared as a number or as a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Numeric,
    Categorical,
    /// Only nulls, objects or arrays: nothing to compare.
    Other,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Numeric => "numeric",
            Kind::Categorical => "categorical",
            Kind::Other => "other",
        }
    }
}

impl FeatureSummary {
    /// Categorical when strings and booleans outnumber numbers, numeric otherwise; `Other` when
    /// the key never held a number, string or boolean.
    pub fn kind(&self) -> Kind {
        let (numbers, labels) = (self.types.number, self.types.string + self.types.boolean);
        if numbers == 0 && labels == 0 {
            Kind::Other
        } else if labels > numbers {
            Kind::Categorical
        } else {
            Kind::Numeric
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureProfiles {
    /// Rows summarised (NULL payloads included).
    pub rows: u64,
    /// Rows whose payload was SQL NULL or not a JSON object.
    pub non_object_rows: u64,
    /// Key occurrences not tracked (beyond MAX_FEATURES or longer than MAX_KEY_BYTES).
    pub dropped_keys: u64,
    pub features: OrderedMap<Box<str>, FeatureSummary>,
}

impl FeatureProfiles {
    /// Transition for one row; `None` is SQL NULL. The serde_json form of `add_object` /
    /// `add_non_object`.
    pub fn add(&mut self, payload: Option<&Value>) {
        match payload.and_then(entries_of) {
            Some(entries) => self.add_object(entries),
            None => self.add_non_object(),
        }
    }

    /// Transition for a row whose payload is SQL NULL or not a JSON object.
    pub fn add_non_object(&mut self) {
        self.rows += 1;
        self.non_object_rows += 1;
    }

    /// Transition for a row whose payload is an object, given as its top-level entries (keys
    /// unique, in any order). Allocates only for a key seen for the first time (and for new
    /// categories).
    pub fn add_object<'a>(&mut self, entries: impl IntoIterator<Item = (&'a str, Scalar<'a>)>) {
        self.rows += 1;
        for (key, value) in entries {
            self.add_entry(key, value);
        }
    }

    fn add_entry(&mut self, key: &str, value: Scalar<'_>) {
        if key.len() > MAX_KEY_BYTES {
            self.dropped_keys += 1;
            return;
        }
        let f = match self.features.get_mut(key) {
            Some(f) => f,
            None => {
                self.features.insert(key.into(), FeatureSummary::default());
                if self.trim() {
                    // The new key was the one evicted: it had no occurrence yet to count, so
                    // this one is counted here (it was lost before, depending on key order).
                    if !self.features.contains_key(key) {
                        self.dropped_keys += 1;
                        return;
                    }
                }
                self.features.get_mut(key).expect("just inserted")
            }
        };
        match value {
            // ±Infinity (a jsonb number beyond float8's range) and NaN are counted by the
            // profile's pos_inf/neg_inf/nan counts.
            Scalar::Number(x) => {
                f.types.number += 1;
                f.numeric.add(Some(x));
            }
            Scalar::String(s) => {
                f.types.string += 1;
                f.categories.add(Some(s));
            }
            Scalar::Bool(b) => {
                f.types.boolean += 1;
                f.categories.add(Some(if b { "true" } else { "false" }));
            }
            Scalar::Null => f.types.null += 1,
            Scalar::Object => f.types.object += 1,
            Scalar::Array => f.types.array += 1,
        }
    }

    /// Evicts the largest keys beyond the cap; their occurrences count as dropped. True when
    /// something was evicted.
    fn trim(&mut self) -> bool {
        let mut evicted = false;
        while self.features.len() > MAX_FEATURES {
            let (_, f) = self.features.pop_last().expect("non-empty");
            self.dropped_keys += f.types.present();
            evicted = true;
        }
        evicted
    }

    /// Rows in which `key` was absent (SQL NULL payloads included).
    pub fn missing(&self, key: &str) -> u64 {
        self.rows - self.features.get(key).map_or(0, |f| f.types.present())
    }
}

impl Summary for FeatureProfiles {
    const NAME: &'static str = "mlobs.feature_profiles";

    fn merge(&mut self, o: &Self) -> Result<()> {
        self.rows = add_counts(self.rows, o.rows)?;
        self.non_object_rows = add_counts(self.non_object_rows, o.non_object_rows)?;
        self.dropped_keys = add_counts(self.dropped_keys, o.dropped_keys)?;
        for (k, f) in &o.features {
            match self.features.get_mut(k) {
                Some(mine) => {
                    let mut theirs = f.types;
                    for (a, b) in mine.types.fields().into_iter().zip(theirs.fields()) {
                        *a = add_counts(*a, *b)?;
                    }
                    mine.numeric.merge(&f.numeric)?;
                    mine.categories.merge(&f.categories)?;
                }
                None => self.features.insert(k.clone(), f.clone()),
            }
        }
        self.trim();
        Ok(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        w.u64(self.rows);
        w.u64(self.non_object_rows);
        w.u64(self.dropped_keys);
        w.u32(self.features.len() as u32);
        for (k, f) in &self.features {
            w.bytes(k.as_bytes());
            let mut t = f.types;
            for c in t.fields() {
                w.u64(*c);
            }
            w.bytes(&f.numeric.to_bytes());
            w.bytes(&f.categories.to_bytes());
        }
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open_versioned(bytes, TAG, VERSION, Self::NAME)?;
        let rows = r.u64()?;
        let non_object_rows = r.u64()?;
        let dropped_keys = r.u64()?;
        let len = r.u32()? as usize;
        if len > MAX_FEATURES {
            return Err(r.error(&format!("{len} features exceed the limit {MAX_FEATURES}")));
        }
        let mut features = OrderedMap::default();
        let mut previous: Option<String> = None;
        for _ in 0..len {
            let key = String::from_utf8(r.bytes(MAX_KEY_BYTES)?.to_vec())
                .map_err(|_| r.error("key is not valid UTF-8"))?;
            if previous.as_deref().is_some_and(|p| p >= key.as_str()) {
                return Err(r.error("keys are not in strictly ascending order"));
            }
            let mut types = TypeCounts::default();
            for c in types.fields() {
                *c = r.u64()?;
            }
            // Nested summaries validate themselves; the length caps bound what is read.
            let numeric = NumericProfile::from_bytes(r.bytes(1 << 20)?)?;
            let categories = Categories::from_bytes(r.bytes(64 << 20)?)?;
            previous = Some(key.clone());
            features.insert(
                key.into_boxed_str(),
                FeatureSummary {
                    types,
                    numeric,
                    categories,
                },
            );
        }
        r.finish()?;
        let s = Self {
            rows,
            non_object_rows,
            dropped_keys,
            features,
        };
        s.decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.features.len() > MAX_FEATURES {
            return Err(format!("more than {MAX_FEATURES} features"));
        }
        if self.non_object_rows > self.rows {
            return Err("non_object_rows exceeds rows".into());
        }
        // Every count SQL reads from a feature profile is at most `rows` (or `dropped_keys`), so
        // bounding these keeps the bigint accessors from wrapping on forged input.
        if self.rows > crate::sketch::MAX_COUNT || self.dropped_keys > crate::sketch::MAX_COUNT {
            return Err("counts exceed the bigint range".into());
        }
        for (k, f) in &self.features {
            if k.len() > MAX_KEY_BYTES {
                return Err(format!("key of {} bytes exceeds {MAX_KEY_BYTES}", k.len()));
            }
            f.numeric
                .validate()
                .map_err(|e| format!("feature {k}: {e}"))?;
            f.categories
                .validate()
                .map_err(|e| format!("feature {k}: {e}"))?;
            let t = f.types;
            let present = [t.number, t.string, t.boolean, t.null, t.object, t.array]
                .iter()
                .try_fold(0u64, |a, &c| a.checked_add(c))
                .ok_or_else(|| format!("feature {k}: counts overflow"))?;
            if present > self.rows - self.non_object_rows {
                return Err(format!(
                    "feature {k}: present in more rows than there are objects"
                ));
            }
            if f.numeric.total_count() != t.number {
                return Err(format!(
                    "feature {k}: numeric profile count differs from number count"
                ));
            }
            if f.categories.total() != t.string + t.boolean || f.categories.null_count != 0 {
                return Err(format!(
                    "feature {k}: category counts differ from string/boolean counts"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_key_evicted_on_arrival_is_counted_as_dropped() {
        // Keys arrive in ascending order, so the 1001st is the largest and is evicted at once.
        let mut p = FeatureProfiles::default();
        for i in 0..=MAX_FEATURES {
            p.add(Some(&json!({ format!("k{i:05}"): 1 })));
        }
        assert_eq!(p.features.len(), MAX_FEATURES);
        assert_eq!(p.dropped_keys, 1);
    }

    #[test]
    fn one_pass_over_payloads() {
        let mut p = FeatureProfiles::default();
        p.add(Some(
            &json!({"amount": 10.5, "merchant": "grocery", "vip": true, "tags": [1]}),
        ));
        p.add(Some(&json!({"amount": 20, "merchant": null})));
        p.add(None);
        p.add(Some(&json!("not an object")));
        assert_eq!((p.rows, p.non_object_rows), (4, 2));
        let amount = &p.features["amount"];
        assert_eq!(amount.numeric.n, 2);
        assert_eq!(amount.kind(), Kind::Numeric);
        assert_eq!(p.features["merchant"].types.null, 1);
        assert_eq!(p.features["merchant"].kind(), Kind::Categorical);
        assert_eq!(p.features["vip"].categories.counts["true"], 1);
        assert_eq!(p.features["tags"].types.array, 1);
        assert_eq!(p.missing("vip"), 3);
        let back = FeatureProfiles::from_bytes(&p.to_bytes()).unwrap();
        assert_eq!(back, p);
        assert_eq!(FeatureProfiles::from_json(&p.to_json()).unwrap(), p);
    }

    #[test]
    fn entries_equal_values_and_count_infinities() {
        let payloads = [
            json!({"x": 1.5, "c": "a", "n": null, "o": {"deep": [1]}, "a": [], "b": false}),
            json!({"x": -2, "c": "b"}),
            json!([1, 2]),
        ];
        let mut by_value = FeatureProfiles::default();
        let mut by_entries = FeatureProfiles::default();
        for p in &payloads {
            by_value.add(Some(p));
            match entries_of(p) {
                Some(e) => by_entries.add_object(e.collect::<Vec<_>>()),
                None => by_entries.add_non_object(),
            }
        }
        by_entries.add_non_object();
        by_value.add(None);
        assert_eq!(by_value.to_bytes(), by_entries.to_bytes());
        // A number beyond float8's range arrives as ±Infinity and is counted, not an error.
        let mut p = FeatureProfiles::default();
        p.add_object([
            ("x", Scalar::Number(f64::INFINITY)),
            ("c", Scalar::String("a")),
        ]);
        p.add_object([("x", Scalar::Number(f64::NEG_INFINITY))]);
        p.add_object([("x", Scalar::Number(0.0))]);
        let x = &p.features["x"];
        assert_eq!((x.types.number, x.numeric.n), (3, 1));
        assert_eq!((x.numeric.pos_inf_count, x.numeric.neg_inf_count), (1, 1));
        assert_eq!(FeatureProfiles::from_bytes(&p.to_bytes()).unwrap(), p);
    }

    #[test]
    fn merge_equals_one_pass() {
        let rows = [
            json!({"a": 1, "b": "x"}),
            json!({"a": 2.5}),
            json!({"b": "y", "c": false}),
            json!(null),
        ];
        let mut whole = FeatureProfiles::default();
        rows.iter().for_each(|r| whole.add(Some(r)));
        let (mut left, mut right) = (FeatureProfiles::default(), FeatureProfiles::default());
        rows[..2].iter().for_each(|r| left.add(Some(r)));
        rows[2..].iter().for_each(|r| right.add(Some(r)));
        right.merge(&left).unwrap();
        assert_eq!(right.to_bytes(), whole.to_bytes());
    }
}
