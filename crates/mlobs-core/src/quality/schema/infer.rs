//! A schema inferred from a reference's feature profiles: what the reference looked like becomes
//! what current payloads are checked against.

use super::{JsonType, KeySchema, Schema};
use crate::features::{FeatureProfiles, FeatureSummary, TypeCounts};
use serde_json::Value;

/// Above this many distinct reference values a key gets no category list (any value allowed):
/// a list that long describes identifiers, not categories.
pub const MAX_SCHEMA_CATEGORIES: usize = 1000;

/// The most frequent non-null JSON type of a key; ties go to the first of number, string,
/// boolean, object, array. `Any` when the key only ever held null.
pub fn dominant_type(t: &TypeCounts) -> JsonType {
    let candidates = [
        (JsonType::Number, t.number),
        (JsonType::String, t.string),
        (JsonType::Boolean, t.boolean),
        (JsonType::Object, t.object),
        (JsonType::Array, t.array),
    ];
    // max_by_key keeps the last maximum; scanning in reverse makes ties go to the first.
    candidates
        .into_iter()
        .rev()
        .max_by_key(|c| c.1)
        .filter(|c| c.1 > 0)
        .map_or(JsonType::Any, |c| c.0)
}

fn key_schema(f: &FeatureSummary, object_rows: u64) -> KeySchema {
    let ty = dominant_type(&f.types);
    let (min, max) = if ty == JsonType::Number {
        (f.numeric.min, f.numeric.max)
    } else {
        (None, None)
    };
    let c = &f.categories;
    let categories = match ty {
        // The category summary holds strings and booleans alike ("true"/"false"); a boolean key
        // only takes the boolean ones.
        JsonType::String | JsonType::Boolean
            if !c.capped() && c.counts.len() <= MAX_SCHEMA_CATEGORIES =>
        {
            Some(
                c.counts
                    .str_keys()
                    .filter(|k| ty == JsonType::String || *k == "true" || *k == "false")
                    .map(str::to_owned)
                    .collect(),
            )
        }
        _ => None,
    };
    KeySchema {
        ty,
        required: f.types.present() >= object_rows,
        nullable: f.types.null > 0,
        min,
        max,
        categories,
    }
}

/// The schema of a reference: every tracked key with its dominant type, `required` when present
/// in every object row, `nullable` when JSON null occurred, exact min/max for numbers and the
/// category list for strings/booleans (omitted when capped or over `MAX_SCHEMA_CATEGORIES`).
/// Additional keys are rejected unless the reference dropped keys beyond its cap (then the key
/// list is incomplete and rejecting unknown keys would flag the dropped ones).
pub fn infer_schema(reference: &FeatureProfiles) -> Schema {
    let object_rows = reference.rows.saturating_sub(reference.non_object_rows);
    Schema {
        additional_keys: reference.dropped_keys > 0,
        keys: reference
            .features
            .iter()
            .map(|(k, f)| (k.to_string(), key_schema(f, object_rows)))
            .collect(),
    }
}

/// `infer_schema` in its JSON form (see `Schema::to_json`).
pub fn schema_of(reference: &FeatureProfiles) -> Value {
    infer_schema(reference).to_json()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn profiles(rows: &[Value]) -> FeatureProfiles {
        let mut p = FeatureProfiles::default();
        rows.iter().for_each(|r| p.add(Some(r)));
        p
    }

    #[test]
    fn schema_from_reference() {
        let mut p = profiles(&[
            json!({"amount": 0.5, "merchant": "a", "flag": true, "tags": [1], "n": null}),
            json!({"amount": 950, "merchant": null, "flag": false, "tags": [], "n": null}),
            json!({"amount": 12, "merchant": "b", "mixed": "x"}),
        ]);
        p.add(None);
        let s = schema_of(&p);
        assert_eq!(
            s,
            json!({"version": 1, "additional_keys": false, "keys": {
                "amount": {"type": "number", "required": true, "nullable": false, "min": 0.5, "max": 950.0},
                "merchant": {"type": "string", "required": true, "nullable": true, "categories": ["a", "b"]},
                "flag": {"type": "boolean", "required": false, "nullable": false, "categories": [false, true]},
                "tags": {"type": "array", "required": false, "nullable": false},
                "n": {"type": "any", "required": false, "nullable": true},
                "mixed": {"type": "string", "required": false, "nullable": false, "categories": ["x"]},
            }})
        );
        // The inferred schema accepts its own reference rows (bar the non-object row).
        let schema = Schema::parse(&s).unwrap();
        assert!(schema
            .violations(&json!({"amount": 12, "merchant": "b"}))
            .is_empty());
    }

    #[test]
    fn dominant_type_ties_and_nulls() {
        let t = TypeCounts {
            number: 2,
            string: 2,
            ..Default::default()
        };
        assert_eq!(dominant_type(&t), JsonType::Number);
        let t = TypeCounts {
            boolean: 1,
            object: 3,
            ..Default::default()
        };
        assert_eq!(dominant_type(&t), JsonType::Object);
        let t = TypeCounts {
            null: 5,
            ..Default::default()
        };
        assert_eq!(dominant_type(&t), JsonType::Any);
    }

    #[test]
    fn many_or_capped_categories_are_omitted() {
        let many: Vec<Value> = (0..=MAX_SCHEMA_CATEGORIES)
            .map(|i| json!({"id": format!("u{i}")}))
            .collect();
        let s = infer_schema(&profiles(&many));
        assert_eq!(s.keys["id"].categories, None);
        let mut p = profiles(&[json!({"id": "a"})]);
        let f = p.features.get_mut("id").unwrap();
        f.categories.other_count = 1;
        f.types.string += 1;
        p.rows += 1;
        assert_eq!(infer_schema(&p).keys["id"].categories, None);
    }

    #[test]
    fn empty_reference() {
        assert_eq!(
            schema_of(&FeatureProfiles::default()),
            json!({"version": 1, "additional_keys": false, "keys": {}})
        );
    }
}
