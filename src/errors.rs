//! Core errors → PostgreSQL ERRORs with a SQLSTATE per error kind.

use mlobs_core::{CoreError, ErrorKind};
use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

pub fn sqlstate(kind: &ErrorKind) -> PgSqlErrorCode {
    match kind {
        ErrorKind::InvalidParameter => PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
        ErrorKind::InvalidBinary => PgSqlErrorCode::ERRCODE_INVALID_BINARY_REPRESENTATION,
        ErrorKind::InvalidText => PgSqlErrorCode::ERRCODE_INVALID_TEXT_REPRESENTATION,
        ErrorKind::Mismatch => PgSqlErrorCode::ERRCODE_DATA_EXCEPTION,
        ErrorKind::LimitExceeded => PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
    }
}

pub fn raise(e: CoreError) -> ! {
    ereport!(ERROR, sqlstate(&e.kind), e.message);
}

pub trait OrRaise<T> {
    /// The value, or an ERROR carrying the core error's SQLSTATE and message.
    fn or_raise(self) -> T;
}

impl<T> OrRaise<T> for Result<T, CoreError> {
    #[inline]
    fn or_raise(self) -> T {
        match self {
            Ok(v) => v,
            Err(e) => raise(e),
        }
    }
}

pub fn invalid_parameter(message: impl Into<String>) -> ! {
    raise(CoreError::invalid_parameter(message))
}

/// A required argument of a non-STRICT function (one with optional arguments): its value, or
/// ERROR 22004 naming it. Without this pgrx reports a NULL there as an internal error (XX000).
pub fn required<T>(value: Option<T>, arg: &str) -> T {
    match value {
        Some(v) => v,
        None => null_not_allowed(arg),
    }
}

fn null_not_allowed(arg: &str) -> ! {
    ereport!(
        ERROR,
        PgSqlErrorCode::ERRCODE_NULL_VALUE_NOT_ALLOWED,
        format!("{arg} must not be NULL")
    );
}

/// The elements of a required array argument: ERROR 22004 naming the first NULL element
/// (1-based, as SQL arrays), where pgrx would report an internal error.
pub fn no_null_elements<T>(values: Vec<Option<T>>, arg: &str) -> Vec<T> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| v.unwrap_or_else(|| null_not_allowed(&format!("{arg}[{}]", i + 1))))
        .collect()
}
