//! Checking one payload against a schema. The result is a list of (kind, key) pairs in a fixed
//! order — by key, then by kind — so equal payloads give equal answers and the counts in
//! `ViolationCounts` do not depend on map iteration order.

use super::{type_name, KeySchema, Schema};
use crate::payload::{entries_of, Scalar};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What is wrong. The declaration order is the order of violations of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// The payload is not a JSON object (or is SQL NULL); its key is "".
    NotAnObject,
    MissingRequired,
    /// A key the schema does not list, when `additional_keys` is false.
    UnexpectedKey,
    NullNotAllowed,
    WrongType,
    BelowMin,
    AboveMax,
    /// A string (or boolean) outside the schema's categories.
    UnseenCategory,
}

impl ViolationKind {
    pub const ALL: [ViolationKind; 8] = [
        ViolationKind::NotAnObject,
        ViolationKind::MissingRequired,
        ViolationKind::UnexpectedKey,
        ViolationKind::NullNotAllowed,
        ViolationKind::WrongType,
        ViolationKind::BelowMin,
        ViolationKind::AboveMax,
        ViolationKind::UnseenCategory,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ViolationKind::NotAnObject => "not_an_object",
            ViolationKind::MissingRequired => "missing_required",
            ViolationKind::UnexpectedKey => "unexpected_key",
            ViolationKind::NullNotAllowed => "null_not_allowed",
            ViolationKind::WrongType => "wrong_type",
            ViolationKind::BelowMin => "below_min",
            ViolationKind::AboveMax => "above_max",
            ViolationKind::UnseenCategory => "unseen_category",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Stable code of the binary format (the index in `ALL`).
    pub(crate) fn code(self) -> u8 {
        Self::ALL.iter().position(|&k| k == self).unwrap_or(0) as u8
    }

    pub(crate) fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(code as usize).copied()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Violation {
    pub kind: ViolationKind,
    /// The payload key; "" for `not_an_object`.
    pub key: String,
}

/// The value as a category: strings as is, booleans as "true"/"false".
fn category_of<'a>(v: &Scalar<'a>) -> Option<&'a str> {
    match *v {
        Scalar::String(s) => Some(s),
        Scalar::Bool(b) => Some(if b { "true" } else { "false" }),
        _ => None,
    }
}

/// The violation of one present value, if any (one per value: a wrong type skips the rest).
/// A number beyond float8's range is ±Infinity here, so it is below `min` / above `max`.
fn check_value(s: &KeySchema, v: &Scalar<'_>) -> Option<ViolationKind> {
    if *v == Scalar::Null {
        return (!s.nullable).then_some(ViolationKind::NullNotAllowed);
    }
    if !s.ty.accepts_scalar(v) {
        return Some(ViolationKind::WrongType);
    }
    if let Scalar::Number(x) = *v {
        if s.min.is_some_and(|lo| x < lo) {
            return Some(ViolationKind::BelowMin);
        }
        if s.max.is_some_and(|hi| x > hi) {
            return Some(ViolationKind::AboveMax);
        }
    }
    if let (Some(allowed), Some(c)) = (&s.categories, category_of(v))
        && !allowed.contains(c)
    {
        return Some(ViolationKind::UnseenCategory);
    }
    None
}

fn not_an_object() -> Vec<Violation> {
    vec![Violation {
        kind: ViolationKind::NotAnObject,
        key: String::new(),
    }]
}

impl Schema {
    /// Every violation of `payload`, ordered by key then kind.
    pub fn violations(&self, payload: &Value) -> Vec<Violation> {
        match entries_of(payload) {
            Some(entries) => self.violations_of_entries(entries),
            None => not_an_object(),
        }
    }

    /// Every violation of an object payload given as its top-level entries (keys unique, any
    /// order), ordered by key then kind. `entries` is iterated a second time only when a
    /// required key is missing; nothing is allocated for a valid payload.
    pub fn violations_of_entries<'a, I>(&self, entries: I) -> Vec<Violation>
    where
        I: IntoIterator<Item = (&'a str, Scalar<'a>)> + Clone,
    {
        let mut out = Vec::new();
        let mut required_present = 0usize;
        for (key, v) in entries.clone() {
            match self.keys.get(key) {
                Some(s) => {
                    required_present += s.required as usize;
                    if let Some(kind) = check_value(s, &v) {
                        out.push(Violation {
                            kind,
                            key: key.to_owned(),
                        });
                    }
                }
                None if !self.additional_keys => out.push(Violation {
                    kind: ViolationKind::UnexpectedKey,
                    key: key.to_owned(),
                }),
                None => {}
            }
        }
        if required_present < self.keys.values().filter(|s| s.required).count() {
            for (key, _) in self.keys.iter().filter(|(_, s)| s.required) {
                if !entries.clone().into_iter().any(|(k, _)| k == key) {
                    out.push(Violation {
                        kind: ViolationKind::MissingRequired,
                        key: key.clone(),
                    });
                }
            }
        }
        out.sort_unstable_by(|a, b| (&a.key, a.kind).cmp(&(&b.key, b.kind)));
        out
    }

    /// `violations` as a JSON array of `{"key", "kind"}` objects with details where they help:
    /// `value` (the offending number or category) and `min`/`max`, `expected`/`got` types.
    pub fn violations_json(&self, payload: &Value) -> Value {
        let items = self
            .violations(payload)
            .into_iter()
            .map(|v| {
                let mut m = Map::new();
                m.insert("key".into(), Value::String(v.key.clone()));
                m.insert("kind".into(), Value::from(v.kind.name()));
                let value = payload.get(&v.key);
                let schema = self.keys.get(&v.key);
                match (v.kind, value, schema) {
                    (ViolationKind::NotAnObject, _, _) => {
                        m.insert("got".into(), Value::from(type_name(payload)));
                    }
                    (ViolationKind::WrongType, Some(x), Some(s)) => {
                        m.insert("expected".into(), Value::from(s.ty.name()));
                        m.insert("got".into(), Value::from(type_name(x)));
                    }
                    (ViolationKind::BelowMin, Some(x), Some(s)) => {
                        m.insert("value".into(), x.clone());
                        m.insert("min".into(), Value::from(s.min));
                    }
                    (ViolationKind::AboveMax, Some(x), Some(s)) => {
                        m.insert("value".into(), x.clone());
                        m.insert("max".into(), Value::from(s.max));
                    }
                    (ViolationKind::UnseenCategory, Some(x), _) => {
                        m.insert("value".into(), x.clone());
                    }
                    _ => {}
                }
                Value::Object(m)
            })
            .collect();
        Value::Array(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Schema {
        Schema::parse(&json!({"version": 1, "additional_keys": false, "keys": {
            "amount": {"type": "number", "required": true, "nullable": false, "min": 0.5, "max": 950.0},
            "merchant": {"type": "string", "required": true, "nullable": true, "categories": ["a", "b"]},
            "vip": {"type": "boolean", "categories": [false]},
            "meta": {"type": "any"}}}))
        .unwrap()
    }

    fn kinds(s: &Schema, v: Value) -> Vec<(String, &'static str)> {
        s.violations(&v)
            .into_iter()
            .map(|v| (v.key, v.kind.name()))
            .collect()
    }

    #[test]
    fn entries_as_values_and_infinities_out_of_bounds() {
        let s = schema();
        let payload = json!({"merchant": "z", "vip": true, "extra": {"deep": [1]}});
        let by_entries = s.violations_of_entries(crate::payload::entries_of(&payload).unwrap());
        assert_eq!(by_entries, s.violations(&payload));
        let kinds = |v: Vec<Violation>| {
            v.into_iter()
                .map(|v| (v.key, v.kind.name()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            kinds(by_entries),
            vec![
                ("amount".into(), "missing_required"),
                ("extra".into(), "unexpected_key"),
                ("merchant".into(), "unseen_category"),
                ("vip".into(), "unseen_category"),
            ]
        );
        // What schema_violations_agg makes of {"amount": 1e400} / {"amount": -1e400}.
        for (x, kind) in [
            (f64::INFINITY, "above_max"),
            (f64::NEG_INFINITY, "below_min"),
        ] {
            let entries = [("amount", Scalar::Number(x)), ("merchant", Scalar::Null)];
            assert_eq!(
                kinds(s.violations_of_entries(entries)),
                vec![("amount".into(), kind)]
            );
        }
    }

    #[test]
    fn valid_payload_has_no_violation() {
        let s = schema();
        let ok = json!({"amount": 0.5, "merchant": null, "vip": false, "meta": [1, {"x": 2}]});
        assert!(s.violations(&ok).is_empty());
        assert_eq!(s.violations_json(&ok), json!([]));
    }

    #[test]
    fn each_kind() {
        let s = schema();
        assert_eq!(
            kinds(&s, json!("x")),
            vec![(String::new(), "not_an_object")]
        );
        assert_eq!(
            kinds(&s, json!({"zz": 1, "b": 2, "vip": true})),
            vec![
                ("amount".into(), "missing_required"),
                ("b".into(), "unexpected_key"),
                ("merchant".into(), "missing_required"),
                ("vip".into(), "unseen_category"),
                ("zz".into(), "unexpected_key"),
            ]
        );
        assert_eq!(
            kinds(&s, json!({"amount": null, "merchant": 3})),
            vec![
                ("amount".into(), "null_not_allowed"),
                ("merchant".into(), "wrong_type"),
            ]
        );
        assert_eq!(
            kinds(&s, json!({"amount": 0.1, "merchant": "c"})),
            vec![
                ("amount".into(), "below_min"),
                ("merchant".into(), "unseen_category"),
            ]
        );
        assert_eq!(
            kinds(&s, json!({"amount": 1e9, "merchant": "a"})),
            vec![("amount".into(), "above_max")]
        );
    }

    #[test]
    fn json_rendering_has_details() {
        let s = schema();
        let v = s.violations_json(&json!({"amount": 1000, "merchant": ["x"], "vip": true, "q": 1}));
        assert_eq!(
            v,
            json!([
                {"key": "amount", "kind": "above_max", "value": 1000, "max": 950.0},
                {"key": "merchant", "kind": "wrong_type", "expected": "string", "got": "array"},
                {"key": "q", "kind": "unexpected_key"},
                {"key": "vip", "kind": "unseen_category", "value": true},
            ])
        );
        assert_eq!(
            s.violations_json(&json!(null)),
            json!([{"key": "", "kind": "not_an_object", "got": "null"}])
        );
        let below = s.violations_json(&json!({"amount": 0, "merchant": "a"}));
        assert_eq!(
            below,
            json!([{"key": "amount", "kind": "below_min", "value": 0, "min": 0.5}])
        );
    }

    #[test]
    fn kind_codes_round_trip() {
        for k in ViolationKind::ALL {
            assert_eq!(ViolationKind::from_code(k.code()), Some(k));
            assert_eq!(ViolationKind::parse(k.name()), Some(k));
        }
        assert_eq!(ViolationKind::from_code(8), None);
    }
}
