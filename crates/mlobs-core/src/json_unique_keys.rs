//! Refuses JSON text with a key repeated within one object. serde_json keeps the last of
//! repeated keys when it fills a map, so `{"a": 1, "a": 2}` as a summary's counts would silently
//! drop a count; PostgreSQL's `jsonb` also keeps the last, but a summary's text is a stored
//! value (what pg_dump writes and COPY reads), where a repeated key can only be a forged or
//! damaged value.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// The first key repeated within one object of `text`, anywhere in it; `Ok` for text without
/// one (and for text that is not JSON: the summary's own parse reports that).
pub fn check(text: &str) -> Result<(), String> {
    let mut d = serde_json::Deserializer::from_str(text);
    match Walk.deserialize(&mut d) {
        Err(e) if e.is_data() => Err(e.to_string()),
        _ => Ok(()),
    }
}

/// Walks any JSON value, failing on the first repeated key.
struct Walk;

impl<'de> DeserializeSeed<'de> for Walk {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(Walk)
    }
}

impl<'de> Visitor<'de> for Walk {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Walk)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!(
                    "key \"{key}\" repeated in one object"
                )));
            }
            map.next_value_seed(Walk)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn repeated_keys_are_found_at_any_depth() {
        assert!(check(r#"{"a": 1, "b": {"x": [1, {"y": 2}]}}"#).is_ok());
        let e = check(r#"{"counts": {"a": 1, "a": 2}}"#).unwrap_err();
        assert!(e.contains("key \"a\" repeated in one object"), "{e}");
        assert!(check(r#"[{"k": 1}, {"k": 2}]"#).is_ok());
        assert!(check(r#"[{"k": 1, "k": 2}]"#).is_err());
        // Escapes name the same key.
        assert!(check(r#"{"a": 1, "\u0061": 2}"#).is_err());
        // Not JSON: left to the summary's own parse.
        assert!(check("{").is_ok());
        assert!(check("").is_ok());
        // Numbers beyond f64 and the summaries' "Infinity"/"NaN" strings are plain values here.
        assert!(check(r#"{"x": 1e400, "y": "Infinity"}"#).is_ok());
    }
}
