//! Class labels of a classification summary. SQL columns are int, text or bool; one summary holds
//! one kind, and labels sort as scikit-learn's `unique_labels` does (numerically for ints,
//! lexicographically for text, false < true).

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Label {
    Bool(bool),
    Int(i64),
    Text(String),
}

/// One word per label (the derived hash wrote the discriminant and the value separately, and a
/// confusion summary hashes two labels per row). Equal labels hash equally; one summary holds one
/// kind, so a bool and an int sharing a word cannot collide in practice.
impl std::hash::Hash for Label {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        match self {
            Label::Bool(b) => h.write_u64(*b as u64),
            Label::Int(i) => h.write_u64(*i as u64),
            Label::Text(t) => t.hash(h),
        }
    }
}

impl Label {
    pub fn kind(&self) -> &'static str {
        match self {
            Label::Bool(_) => "bool",
            Label::Int(_) => "int",
            Label::Text(_) => "text",
        }
    }

    /// Parses a label given as text (e.g. a `pos_label` argument) as the same kind as `like`.
    pub fn parse_like(text: &str, like: &Label, arg: &str) -> Result<Label> {
        let bad = || {
            CoreError::invalid_parameter(format!(
                "{arg} '{text}' is not a valid {} label",
                like.kind()
            ))
        };
        Ok(match like {
            Label::Bool(_) => match text {
                "true" | "t" | "1" => Label::Bool(true),
                "false" | "f" | "0" => Label::Bool(false),
                _ => return Err(bad()),
            },
            Label::Int(_) => Label::Int(text.trim().parse().map_err(|_| bad())?),
            Label::Text(_) => Label::Text(text.to_owned()),
        })
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Bool(b) => write!(f, "{b}"),
            Label::Int(i) => write!(f, "{i}"),
            Label::Text(t) => f.write_str(t),
        }
    }
}
