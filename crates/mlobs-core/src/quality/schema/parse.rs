//! The JSON form of a schema, both ways. Parsing is strict — unknown fields, wrong types and
//! contradictory bounds are errors naming the JSON path at fault — because a typo in a
//! hand-written schema would otherwise silently disable a check.
//!
//! ```json
//! {"version": 1, "additional_keys": false,
//!  "keys": {"amount":   {"type": "number", "required": true, "nullable": false, "min": 0.5, "max": 950.0},
//!           "merchant": {"type": "string", "required": true, "nullable": true, "categories": ["a", "b"]}}}
//! ```
//!
//! Defaults of omitted fields never add a constraint: `additional_keys` true, `required` false,
//! `nullable` true, no bounds, any category. `version` (1) and each key's `type` are required.

use super::{JsonType, KeySchema, Schema, SCHEMA_VERSION};
use crate::error::{CoreError, Result};
use serde_json::{Map, Number, Value};
use std::collections::{BTreeMap, BTreeSet};

fn err(path: &str, detail: impl std::fmt::Display) -> CoreError {
    CoreError::invalid_parameter(format!("{path}: {detail}"))
}

/// `schema.keys.amount`, or `schema.keys["odd key"]` when the key is not a plain identifier.
pub(crate) fn key_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{parent}.{key}")
    } else {
        format!("{parent}[{}]", Value::String(key.to_owned()))
    }
}

fn object<'a>(v: &'a Value, path: &str, allowed: &[&str]) -> Result<&'a Map<String, Value>> {
    let Value::Object(map) = v else {
        return Err(err(
            path,
            format!("expected an object, got {}", super::type_name(v)),
        ));
    };
    if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(err(
            &key_path(path, k),
            format!("unknown field (expected one of {})", allowed.join(", ")),
        ));
    }
    Ok(map)
}

fn boolean(map: &Map<String, Value>, path: &str, field: &str, default: bool) -> Result<bool> {
    match map.get(field) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(err(
            &format!("{path}.{field}"),
            format!("expected a boolean, got {}", super::type_name(v)),
        )),
    }
}

fn number(map: &Map<String, Value>, path: &str, field: &str) -> Result<Option<f64>> {
    match map.get(field) {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| {
                err(
                    &format!("{path}.{field}"),
                    format!("expected a number, got {}", super::type_name(v)),
                )
            }),
    }
}

fn type_list() -> String {
    JsonType::ALL.map(JsonType::name).join(", ")
}

fn parse_key(v: &Value, path: &str) -> Result<KeySchema> {
    let map = object(
        v,
        path,
        &["type", "required", "nullable", "min", "max", "categories"],
    )?;
    let type_path = format!("{path}.type");
    let ty = match map.get("type") {
        None => {
            return Err(err(
                &type_path,
                format!("missing (expected one of {})", type_list()),
            ))
        }
        Some(Value::String(s)) => JsonType::parse(s).ok_or_else(|| {
            err(
                &type_path,
                format!("expected one of {}, got \"{s}\"", type_list()),
            )
        })?,
        Some(v) => {
            return Err(err(
                &type_path,
                format!("expected a string, got {}", super::type_name(v)),
            ))
        }
    };
    let required = boolean(map, path, "required", false)?;
    let nullable = boolean(map, path, "nullable", true)?;
    let min = number(map, path, "min")?;
    let max = number(map, path, "max")?;
    if (min.is_some() || max.is_some()) && ty != JsonType::Number {
        let field = if min.is_some() { "min" } else { "max" };
        return Err(err(
            &format!("{path}.{field}"),
            format!("only allowed for type number, not {}", ty.name()),
        ));
    }
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        return Err(err(path, format!("min {lo} exceeds max {hi}")));
    }
    let categories = match map.get("categories") {
        None => None,
        Some(v) => Some(parse_categories(v, ty, &format!("{path}.categories"))?),
    };
    Ok(KeySchema {
        ty,
        required,
        nullable,
        min,
        max,
        categories,
    })
}

/// Strings for type string, booleans (kept as "true"/"false") for type boolean.
fn parse_categories(v: &Value, ty: JsonType, path: &str) -> Result<BTreeSet<String>> {
    if !matches!(ty, JsonType::String | JsonType::Boolean) {
        return Err(err(
            path,
            format!("only allowed for type string or boolean, not {}", ty.name()),
        ));
    }
    let Value::Array(items) = v else {
        return Err(err(
            path,
            format!("expected an array, got {}", super::type_name(v)),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match (ty, item) {
            (JsonType::String, Value::String(s)) => Ok(s.clone()),
            (JsonType::Boolean, Value::Bool(b)) => Ok(b.to_string()),
            _ => Err(err(
                &format!("{path}[{i}]"),
                format!("expected a {}, got {}", ty.name(), super::type_name(item)),
            )),
        })
        .collect()
}

impl Schema {
    /// Strict parse of the JSON form (see the module doc); errors are InvalidParameter and name
    /// the JSON path, e.g. `schema.keys.amount.min: expected a number, got string`.
    pub fn parse(v: &Value) -> Result<Schema> {
        let map = object(v, "schema", &["version", "additional_keys", "keys"])?;
        match map.get("version") {
            None => return Err(err("schema.version", "missing (expected 1)")),
            Some(v) if v.as_u64() == Some(SCHEMA_VERSION) => {}
            Some(v) => return Err(err("schema.version", format!("expected 1, got {v}"))),
        }
        let additional_keys = boolean(map, "schema", "additional_keys", true)?;
        let keys = match map.get("keys") {
            None => return Err(err("schema.keys", "missing (expected an object)")),
            Some(Value::Object(keys)) => keys,
            Some(v) => {
                return Err(err(
                    "schema.keys",
                    format!("expected an object, got {}", super::type_name(v)),
                ))
            }
        };
        let keys = keys
            .iter()
            .map(|(k, spec)| Ok((k.clone(), parse_key(spec, &key_path("schema.keys", k))?)))
            .collect::<Result<BTreeMap<_, _>>>()?;
        Ok(Schema {
            additional_keys,
            keys,
        })
    }

    /// The JSON form; `Schema::parse` reads it back to an equal schema.
    pub fn to_json(&self) -> Value {
        let keys: Map<String, Value> = self
            .keys
            .iter()
            .map(|(k, s)| (k.clone(), key_to_json(s)))
            .collect();
        let mut out = Map::new();
        out.insert("version".into(), Value::from(SCHEMA_VERSION));
        out.insert("additional_keys".into(), Value::Bool(self.additional_keys));
        out.insert("keys".into(), Value::Object(keys));
        Value::Object(out)
    }
}

fn key_to_json(s: &KeySchema) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), Value::from(s.ty.name()));
    m.insert("required".into(), Value::Bool(s.required));
    m.insert("nullable".into(), Value::Bool(s.nullable));
    for (field, bound) in [("min", s.min), ("max", s.max)] {
        if let Some(n) = bound.and_then(Number::from_f64) {
            m.insert(field.into(), Value::Number(n));
        }
    }
    if let Some(c) = &s.categories {
        let items = c
            .iter()
            .map(|v| match (s.ty, v.as_str()) {
                (JsonType::Boolean, "true") => Value::Bool(true),
                (JsonType::Boolean, "false") => Value::Bool(false),
                _ => Value::String(v.clone()),
            })
            .collect();
        m.insert("categories".into(), Value::Array(items));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    fn message(v: Value) -> String {
        let e = Schema::parse(&v).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        e.message
    }

    #[test]
    fn round_trip() {
        let v = json!({"version": 1, "additional_keys": false, "keys": {
            "amount": {"type": "number", "required": true, "nullable": false, "min": 0.5, "max": 950.0},
            "merchant": {"type": "string", "required": true, "nullable": true, "categories": ["a", "b"]},
            "flag": {"type": "boolean", "required": false, "nullable": false, "categories": [true]},
            "meta": {"type": "any", "required": false, "nullable": true}}});
        let s = Schema::parse(&v).unwrap();
        assert_eq!(s.to_json(), v);
        assert_eq!(Schema::parse(&s.to_json()).unwrap(), s);
        assert!(s.keys["flag"].categories.as_ref().unwrap().contains("true"));
    }

    #[test]
    fn defaults_add_no_constraint() {
        let s = Schema::parse(&json!({"version": 1, "keys": {"a": {"type": "number"}}})).unwrap();
        assert!(s.additional_keys);
        let a = &s.keys["a"];
        assert!(!a.required && a.nullable && a.min.is_none() && a.categories.is_none());
    }

    #[test]
    fn malformed_schemas_name_the_path() {
        let cases = [
            (json!([]), "schema: expected an object, got array"),
            (json!({"keys": {}}), "schema.version: missing"),
            (json!({"version": 2, "keys": {}}), "schema.version: expected 1, got 2"),
            (json!({"version": 1}), "schema.keys: missing"),
            (json!({"version": 1, "keys": []}), "schema.keys: expected an object"),
            (json!({"version": 1, "keys": {}, "extra": 1}), "schema.extra: unknown field"),
            (
                json!({"version": 1, "keys": {}, "additional_keys": "no"}),
                "schema.additional_keys: expected a boolean",
            ),
            (json!({"version": 1, "keys": {"a": 1}}), "schema.keys.a: expected an object"),
            (json!({"version": 1, "keys": {"a": {}}}), "schema.keys.a.type: missing"),
            (
                json!({"version": 1, "keys": {"a": {"type": "int"}}}),
                "schema.keys.a.type: expected one of number, string, boolean, object, array, any, got \"int\"",
            ),
            (
                json!({"version": 1, "keys": {"amount": {"type": "number", "min": "0"}}}),
                "schema.keys.amount.min: expected a number, got string",
            ),
            (
                json!({"version": 1, "keys": {"a": {"type": "number", "min": 2, "max": 1}}}),
                "schema.keys.a: min 2 exceeds max 1",
            ),
            (
                json!({"version": 1, "keys": {"a": {"type": "string", "max": 1}}}),
                "schema.keys.a.max: only allowed for type number",
            ),
            (
                json!({"version": 1, "keys": {"a": {"type": "number", "categories": []}}}),
                "schema.keys.a.categories: only allowed for type string or boolean",
            ),
            (
                json!({"version": 1, "keys": {"a": {"type": "string", "categories": ["x", 1]}}}),
                "schema.keys.a.categories[1]: expected a string, got number",
            ),
            (
                json!({"version": 1, "keys": {"a": {"type": "boolean", "categories": ["true"]}}}),
                "schema.keys.a.categories[0]: expected a boolean, got string",
            ),
            (
                json!({"version": 1, "keys": {"a b": {"type": "number", "nullable": null}}}),
                "schema.keys[\"a b\"].nullable: expected a boolean, got null",
            ),
            (
                json!({"version": 1, "keys": {"a": {"type": "number", "typo": 1}}}),
                "schema.keys.a.typo: unknown field",
            ),
        ];
        for (v, expected) in cases {
            let m = message(v);
            assert!(
                m.starts_with(expected),
                "{m} does not start with {expected}"
            );
        }
    }
}
