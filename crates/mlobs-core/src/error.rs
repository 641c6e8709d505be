//! Errors of the numerical core. Each kind maps to one SQLSTATE in the extension glue, so the
//! kind says *what class of mistake* it is and the message names the argument at fault.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A parameter value is out of its domain (SQLSTATE 22023 invalid_parameter_value).
    InvalidParameter,
    /// Serialized bytes of a summary are not a valid summary (SQLSTATE 22P03 invalid_binary_representation).
    InvalidBinary,
    /// Text form of a summary is not valid (SQLSTATE 22P02 invalid_text_representation).
    InvalidText,
    /// Two inputs that must agree do not, e.g. histogram edges (SQLSTATE 22000 data_exception).
    Mismatch,
    /// An input exceeds a documented cap (SQLSTATE 54000 program_limit_exceeded).
    LimitExceeded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreError {
    pub kind: ErrorKind,
    pub message: String,
}

impl CoreError {
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::InvalidParameter,
            message: message.into(),
        }
    }
    pub fn invalid_binary(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::InvalidBinary,
            message: message.into(),
        }
    }
    pub fn invalid_text(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::InvalidText,
            message: message.into(),
        }
    }
    pub fn mismatch(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Mismatch,
            message: message.into(),
        }
    }
    pub fn limit_exceeded(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::LimitExceeded,
            message: message.into(),
        }
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CoreError {}

pub type Result<T> = std::result::Result<T, CoreError>;
