//! Errors name the JSON path of the offending field, so a rejected model says exactly where.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainError {
    pub message: String,
}

impl ExplainError {
    pub fn at(path: &str, what: impl fmt::Display) -> Self {
        Self {
            message: format!("{path}: {what}"),
        }
    }
}

impl fmt::Display for ExplainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExplainError {}

pub type Result<T> = std::result::Result<T, ExplainError>;
