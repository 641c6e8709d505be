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
    /// A result does not fit its SQL type, e.g. a count beyond bigint (SQLSTATE 22003
    /// numeric_value_out_of_range).
    OutOfRange,
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
    pub fn out_of_range(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::OutOfRange,
            message: message.into(),
        }
    }

    /// The error with the summary type named in front (`mlobs.profile: …`), for messages raised
    /// by the generic merge paths that do not know which summary they merge.
    pub fn in_summary(self, name: &str) -> Self {
        if self.message.starts_with(name) {
            return self;
        }
        Self {
            kind: self.kind,
            message: format!("{name}: {}", self.message),
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
