//! Schema checks for JSON feature payloads: a schema inferred from a reference's feature
//! profiles (or written by hand), validated strictly, and checked against each payload. The
//! violations of many rows add up in `ViolationCounts`, a mergeable summary, so a schema check
//! over a window is one aggregate and hourly results roll up.

mod counts;
mod infer;
mod parse;
mod violations;

pub use counts::{ViolationCounts, MAX_VIOLATION_ENTRIES, MAX_VIOLATION_KEY_BYTES};
pub use infer::{dominant_type, infer_schema, schema_of, MAX_SCHEMA_CATEGORIES};
pub use violations::{Violation, ViolationKind};

use crate::payload::Scalar;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The schema format version written by `Schema::to_json` and required by `Schema::parse`.
pub const SCHEMA_VERSION: u64 = 1;

/// The JSON type a key must have; `Any` accepts every value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JsonType {
    Number,
    String,
    Boolean,
    Object,
    Array,
    Any,
}

impl JsonType {
    pub const ALL: [JsonType; 6] = [
        JsonType::Number,
        JsonType::String,
        JsonType::Boolean,
        JsonType::Object,
        JsonType::Array,
        JsonType::Any,
    ];

    pub fn name(self) -> &'static str {
        match self {
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Any => "any",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The type of a non-null JSON value; `None` for null.
    pub fn of(v: &Value) -> Option<Self> {
        match v {
            Value::Null => None,
            Value::Bool(_) => Some(JsonType::Boolean),
            Value::Number(_) => Some(JsonType::Number),
            Value::String(_) => Some(JsonType::String),
            Value::Array(_) => Some(JsonType::Array),
            Value::Object(_) => Some(JsonType::Object),
        }
    }

    /// Whether a non-null `v` has this type.
    pub fn accepts(self, v: &Value) -> bool {
        self.accepts_scalar(&Scalar::of(v))
    }

    /// Whether a non-null top-level value has this type.
    pub fn accepts_scalar(self, v: &Scalar<'_>) -> bool {
        let ty = match v {
            Scalar::Null => None,
            Scalar::Bool(_) => Some(JsonType::Boolean),
            Scalar::Number(_) => Some(JsonType::Number),
            Scalar::String(_) => Some(JsonType::String),
            Scalar::Array => Some(JsonType::Array),
            Scalar::Object => Some(JsonType::Object),
        };
        self == JsonType::Any || ty == Some(self)
    }
}

/// Name of a JSON value's type for messages ("null" included).
pub(crate) fn type_name(v: &Value) -> &'static str {
    JsonType::of(v).map_or("null", JsonType::name)
}

/// Constraints on one key. An omitted constraint allows everything: `min`/`max` `None` is
/// unbounded, `categories` `None` accepts any value.
#[derive(Debug, Clone, PartialEq)]
pub struct KeySchema {
    pub ty: JsonType,
    /// The key must be present in every object (JSON null counts as present).
    pub required: bool,
    /// JSON null is allowed.
    pub nullable: bool,
    /// Bounds of numbers (type number only).
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Allowed values of strings, or of booleans as "true"/"false" (types string and boolean
    /// only).
    pub categories: Option<BTreeSet<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// Keys not listed in `keys` are allowed; when false each is an `unexpected_key` violation.
    pub additional_keys: bool,
    pub keys: BTreeMap<String, KeySchema>,
}
