//! Schema violations of many rows, as a mergeable summary: rows checked, rows with at least one
//! violation, and how often each (kind, key) occurred.
//!
//! Bounded: at most `MAX_VIOLATION_ENTRIES` (kind, key) pairs — the smallest in (kind, key)
//! order, so the summary depends only on the multiset of violations and merges are exactly
//! associative and commutative (the rule of `Categories`) — the rest, and keys longer than
//! `MAX_VIOLATION_KEY_BYTES`, are counted in `other_count`.

use super::{Schema, Violation, ViolationKind};
use crate::codec::{Reader, Writer};
use crate::error::Result;
use crate::payload::Scalar;
use crate::sketch::add_counts;
use crate::summary::Summary;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const TAG: &[u8; 4] = b"MLqv";
const VERSION: u8 = 1;
/// (kind, key) pairs counted exactly.
pub const MAX_VIOLATION_ENTRIES: usize = 10_000;
/// Longest key counted by name, in bytes (as `features::MAX_KEY_BYTES`).
pub const MAX_VIOLATION_KEY_BYTES: usize = crate::features::MAX_KEY_BYTES;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ViolationCounts {
    /// Rows checked (SQL NULL payloads included).
    pub rows: u64,
    /// Rows with at least one violation.
    pub rows_with_violations: u64,
    /// kind → key → rows with that violation.
    pub by_kind: BTreeMap<ViolationKind, BTreeMap<String, u64>>,
    /// Violations beyond the entry cap or of over-long keys.
    pub other_count: u64,
}

impl ViolationCounts {
    /// Transition for one row; `None` is SQL NULL, counted as `not_an_object`. Fails only when a
    /// (forged) count would overflow 2^64.
    pub fn add(&mut self, schema: &Schema, payload: Option<&Value>) -> Result<()> {
        let violations = match payload {
            Some(v) => schema.violations(v),
            None => vec![Violation {
                kind: ViolationKind::NotAnObject,
                key: String::new(),
            }],
        };
        self.add_violations(&violations)
    }

    /// Transition for a row whose payload is an object, given as its top-level entries.
    pub fn add_entries<'a, I>(&mut self, schema: &Schema, entries: I) -> Result<()>
    where
        I: IntoIterator<Item = (&'a str, Scalar<'a>)> + Clone,
    {
        self.add_violations(&schema.violations_of_entries(entries))
    }

    /// Transition for a row whose payload is SQL NULL or not a JSON object.
    pub fn add_non_object(&mut self) -> Result<()> {
        self.add_violations(&[Violation {
            kind: ViolationKind::NotAnObject,
            key: String::new(),
        }])
    }

    /// Transition for one row whose violations are already known.
    pub fn add_violations(&mut self, violations: &[Violation]) -> Result<()> {
        self.rows = add_counts(self.rows, 1)?;
        if !violations.is_empty() {
            self.rows_with_violations = add_counts(self.rows_with_violations, 1)?;
        }
        for v in violations {
            self.bump(v.kind, &v.key, 1)?;
        }
        self.trim()
    }

    /// (kind, key) pairs counted by name.
    pub fn entries(&self) -> usize {
        self.by_kind.values().map(BTreeMap::len).sum()
    }

    fn bump(&mut self, kind: ViolationKind, key: &str, count: u64) -> Result<()> {
        if key.len() > MAX_VIOLATION_KEY_BYTES {
            self.other_count = add_counts(self.other_count, count)?;
            return Ok(());
        }
        let keys = self.by_kind.entry(kind).or_default();
        match keys.get_mut(key) {
            Some(c) => *c = add_counts(*c, count)?,
            None => {
                keys.insert(key.to_owned(), count);
            }
        }
        Ok(())
    }

    /// Folds the largest (kind, key) pairs beyond the cap into `other_count`.
    fn trim(&mut self) -> Result<()> {
        let mut excess = self.entries().saturating_sub(MAX_VIOLATION_ENTRIES);
        while excess > 0 {
            let Some(mut last) = self.by_kind.last_entry() else {
                break;
            };
            if let Some((_, c)) = last.get_mut().pop_last() {
                self.other_count = add_counts(self.other_count, c)?;
                excess -= 1;
            }
            if last.get().is_empty() {
                last.remove();
            }
        }
        Ok(())
    }

    /// `{"rows": 10, "rows_with_violations": 3, "by_kind": {"missing_required": {"amount": 2}},
    /// "other": 0}`.
    pub fn to_report_json(&self) -> Value {
        let by_kind: Map<String, Value> = self
            .by_kind
            .iter()
            .map(|(kind, keys)| {
                let keys: Map<String, Value> = keys
                    .iter()
                    .map(|(k, &c)| (k.clone(), Value::from(c)))
                    .collect();
                (kind.name().to_owned(), Value::Object(keys))
            })
            .collect();
        json!({
            "rows": self.rows,
            "rows_with_violations": self.rows_with_violations,
            "by_kind": by_kind,
            "other": self.other_count,
        })
    }
}

impl Summary for ViolationCounts {
    const NAME: &'static str = "mlobs.violation_counts";

    fn merge(&mut self, o: &Self) -> Result<()> {
        self.rows = add_counts(self.rows, o.rows)?;
        self.rows_with_violations = add_counts(self.rows_with_violations, o.rows_with_violations)?;
        self.other_count = add_counts(self.other_count, o.other_count)?;
        for (&kind, keys) in &o.by_kind {
            for (key, &c) in keys {
                self.bump(kind, key, c)?;
            }
        }
        self.trim()
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        w.u64(self.rows);
        w.u64(self.rows_with_violations);
        w.u64(self.other_count);
        w.u32(self.entries() as u32);
        for (kind, keys) in &self.by_kind {
            for (key, &c) in keys {
                w.u8(kind.code());
                w.bytes(key.as_bytes());
                w.u64(c);
            }
        }
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open_versioned(bytes, TAG, VERSION, Self::NAME)?;
        let rows = r.u64()?;
        let rows_with_violations = r.u64()?;
        let other_count = r.u64()?;
        let len = r.u32()? as usize;
        if len > MAX_VIOLATION_ENTRIES {
            return Err(r.error(&format!(
                "{len} entries exceed the limit {MAX_VIOLATION_ENTRIES}"
            )));
        }
        let mut by_kind: BTreeMap<ViolationKind, BTreeMap<String, u64>> = BTreeMap::new();
        let mut previous: Option<(ViolationKind, String)> = None;
        for _ in 0..len {
            let kind = ViolationKind::from_code(r.u8()?)
                .ok_or_else(|| r.error("unknown violation kind"))?;
            let key = String::from_utf8(r.bytes(MAX_VIOLATION_KEY_BYTES)?.to_vec())
                .map_err(|_| r.error("key is not valid UTF-8"))?;
            let count = r.u64()?;
            // Canonical form: strictly ascending (kind, key), which also rules out duplicates.
            if previous
                .as_ref()
                .is_some_and(|(pk, pkey)| (*pk, pkey.as_str()) >= (kind, key.as_str()))
            {
                return Err(r.error("entries are not in strictly ascending order"));
            }
            previous = Some((kind, key.clone()));
            by_kind.entry(kind).or_default().insert(key, count);
        }
        r.finish()?;
        let s = Self {
            rows,
            rows_with_violations,
            by_kind,
            other_count,
        };
        s.decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.entries() > MAX_VIOLATION_ENTRIES {
            return Err(format!("more than {MAX_VIOLATION_ENTRIES} entries"));
        }
        if self.rows_with_violations > self.rows {
            return Err("rows_with_violations exceeds rows".into());
        }
        if self.other_count > 0 && self.rows_with_violations == 0 {
            return Err("other_count without rows with violations".into());
        }
        for (kind, keys) in &self.by_kind {
            if keys.is_empty() {
                return Err(format!("no keys under {}", kind.name()));
            }
            for (key, &c) in keys {
                if key.len() > MAX_VIOLATION_KEY_BYTES {
                    return Err(format!(
                        "key of {} bytes exceeds {MAX_VIOLATION_KEY_BYTES}",
                        key.len()
                    ));
                }
                if *kind == ViolationKind::NotAnObject && !key.is_empty() {
                    return Err("not_an_object must have the empty key".into());
                }
                // A row has at most one violation per (kind, key).
                if c == 0 || c > self.rows_with_violations {
                    return Err(format!(
                        "count of {} for key {key:?} must be between 1 and rows_with_violations",
                        kind.name()
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        Schema::parse(&json!({"version": 1, "additional_keys": false, "keys": {
            "amount": {"type": "number", "required": true, "nullable": false, "min": 0.0}}}))
        .unwrap()
    }

    fn counts_of(rows: &[Option<Value>]) -> ViolationCounts {
        let s = schema();
        let mut c = ViolationCounts::default();
        for r in rows {
            c.add(&s, r.as_ref()).unwrap();
        }
        c
    }

    #[test]
    fn counts_rows_and_report() {
        let c = counts_of(&[
            Some(json!({"amount": 1})),
            Some(json!({})),
            Some(json!({"amount": -1, "x": 1})),
            None,
            Some(json!([])),
        ]);
        assert_eq!(
            c.to_report_json(),
            json!({"rows": 5, "rows_with_violations": 4, "other": 0, "by_kind": {
                "not_an_object": {"": 2},
                "missing_required": {"amount": 1},
                "unexpected_key": {"x": 1},
                "below_min": {"amount": 1}}})
        );
        assert_eq!(ViolationCounts::from_bytes(&c.to_bytes()).unwrap(), c);
        assert_eq!(ViolationCounts::from_json(&c.to_json()).unwrap(), c);
        let empty = ViolationCounts::default();
        assert_eq!(
            ViolationCounts::from_bytes(&empty.to_bytes()).unwrap(),
            empty
        );
    }

    #[test]
    fn cap_folds_largest_entries_and_long_keys() {
        let s = Schema {
            additional_keys: false,
            keys: BTreeMap::new(),
        };
        let mut c = ViolationCounts::default();
        let mut row = Map::new();
        for i in 0..MAX_VIOLATION_ENTRIES + 5 {
            row.insert(format!("k{i:06}"), Value::from(1));
        }
        row.insert("y".repeat(MAX_VIOLATION_KEY_BYTES + 1), Value::from(1));
        c.add(&s, Some(&Value::Object(row))).unwrap();
        assert_eq!(c.entries(), MAX_VIOLATION_ENTRIES);
        assert_eq!(c.other_count, 6);
        assert_eq!(ViolationCounts::from_bytes(&c.to_bytes()).unwrap(), c);
    }

    #[test]
    fn merge_at_the_cap_equals_one_pass() {
        let s = Schema {
            additional_keys: false,
            keys: BTreeMap::new(),
        };
        let row = |range: std::ops::Range<usize>| {
            let m: Map<String, Value> = range.map(|i| (format!("k{i:06}"), Value::Null)).collect();
            Some(Value::Object(m))
        };
        let rows = [row(0..7000), row(5000..12000), row(11000..11500)];
        let mut whole = ViolationCounts::default();
        rows.iter().for_each(|r| whole.add(&s, r.as_ref()).unwrap());
        let parts: Vec<ViolationCounts> = rows
            .iter()
            .map(|r| {
                let mut c = ViolationCounts::default();
                c.add(&s, r.as_ref()).unwrap();
                c
            })
            .collect();
        let mut backward = parts[2].clone();
        backward.merge(&parts[1]).unwrap();
        backward.merge(&parts[0]).unwrap();
        assert_eq!(backward, whole);
        assert_eq!(whole.entries(), MAX_VIOLATION_ENTRIES);
        // 7000 + 7000 + 500 violations, 10,000 of them on kept keys, 2000 of those twice.
        let kept: u64 = whole.by_kind.values().flat_map(|m| m.values()).sum();
        assert_eq!(kept + whole.other_count, 14_500);
        assert_eq!(kept, 12_000);
    }

    #[test]
    fn forged_bytes_are_errors() {
        let c = counts_of(&[Some(json!({"amount": -1, "b": 2})), None]);
        let good = c.to_bytes();
        // Every truncation and every single-byte corruption: an error or a valid summary.
        for end in 0..good.len() {
            assert!(ViolationCounts::from_bytes(&good[..end]).is_err());
        }
        for i in 0..good.len() {
            for b in [0u8, 1, 7, 0x7f, 0xff] {
                let mut forged = good.clone();
                forged[i] = b;
                if let Ok(s) = ViolationCounts::from_bytes(&forged) {
                    assert!(s.validate().is_ok());
                }
            }
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(ViolationCounts::from_bytes(&trailing).is_err());
        // Huge declared length, unknown kind, wrong version.
        let mut w = Writer::new(TAG, VERSION);
        w.u64(1);
        w.u64(1);
        w.u64(0);
        w.u32(u32::MAX);
        assert!(ViolationCounts::from_bytes(&w.finish()).is_err());
        let mut w = Writer::new(TAG, VERSION);
        w.u64(1);
        w.u64(1);
        w.u64(0);
        w.u32(1);
        w.u8(200);
        w.bytes(b"a");
        w.u64(1);
        let e = ViolationCounts::from_bytes(&w.finish()).unwrap_err();
        assert!(
            e.message.contains("unknown violation kind"),
            "{}",
            e.message
        );
        let mut v2 = good.clone();
        v2[4] = 2;
        assert!(ViolationCounts::from_bytes(&v2).is_err());
        assert!(ViolationCounts::from_json(r#"{"rows": 1}"#).is_err());
        assert!(ViolationCounts::from_json(
            r#"{"rows":1,"rows_with_violations":2,"by_kind":{},"other_count":0}"#
        )
        .is_err());
    }

    #[test]
    fn merge_is_exact() {
        let rows: Vec<Option<Value>> = vec![
            Some(json!({"amount": 1})),
            Some(json!({"b": 1})),
            None,
            Some(json!({"amount": "x", "c": 1})),
            Some(json!({"amount": -3})),
        ];
        let whole = counts_of(&rows);
        let (a, b, c) = (
            counts_of(&rows[..2]),
            counts_of(&rows[2..3]),
            counts_of(&rows[3..]),
        );
        let mut ab_c = a.clone();
        ab_c.merge(&b).unwrap();
        ab_c.merge(&c).unwrap();
        let mut bc = b.clone();
        bc.merge(&c).unwrap();
        let mut a_bc = a.clone();
        a_bc.merge(&bc).unwrap();
        let mut cba = c.clone();
        cba.merge(&b).unwrap();
        cba.merge(&a).unwrap();
        for m in [&ab_c, &a_bc, &cba] {
            assert_eq!(m.to_bytes(), whole.to_bytes());
        }
        let mut overflow = whole.clone();
        overflow.rows = u64::MAX;
        assert!(overflow.merge(&whole).is_err());
    }
}
