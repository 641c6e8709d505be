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
