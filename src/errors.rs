//! Core and explanation errors → PostgreSQL ERRORs with a SQLSTATE per error kind.

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
        ErrorKind::OutOfRange => PgSqlErrorCode::ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
    }
}

/// An error of the numerical crates with the SQLSTATE it is raised with.
pub trait SqlError {
    fn sqlstate(&self) -> PgSqlErrorCode;
    fn into_message(self) -> String;
}

impl SqlError for CoreError {
    fn sqlstate(&self) -> PgSqlErrorCode {
        sqlstate(&self.kind)
    }
    fn into_message(self) -> String {
        self.message
    }
}

/// Explanation errors are all bad arguments (22023); the message names the argument or field.
impl SqlError for mlobs_explain::ExplainError {
    fn sqlstate(&self) -> PgSqlErrorCode {
        PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE
    }
    fn into_message(self) -> String {
        self.message
    }
}

pub fn raise(e: impl SqlError) -> ! {
    ereport!(ERROR, e.sqlstate(), e.into_message());
}

pub trait OrRaise<T> {
    /// The value, or an ERROR carrying the error's SQLSTATE and message.
    fn or_raise(self) -> T;
}

impl<T, E: SqlError> OrRaise<T> for Result<T, E> {
    #[inline]
    fn or_raise(self) -> T {
        match self {
            Ok(v) => v,
            Err(e) => raise(e),
        }
    }
}

/// A count of a summary as bigint, or ERROR 22003 naming the summary and the count: only a
/// forged summary holds a count above i64::MAX (merges refuse to build one), and `as i64` would
/// read it as a negative number.
pub fn bigint(value: u64, summary: &str, what: &str) -> i64 {
    i64::try_from(value).unwrap_or_else(|_| {
        raise(CoreError::out_of_range(format!(
            "{summary}: {what} = {value} is out of range for type bigint"
        )))
    })
}

/// The sum of counts of a summary as bigint, or ERROR 22003 as `bigint`.
pub fn bigint_sum(values: &[u64], summary: &str, what: &str) -> i64 {
    match values.iter().try_fold(0u64, |a, &c| a.checked_add(c)) {
        Some(total) => bigint(total, summary, what),
        None => raise(CoreError::out_of_range(format!(
            "{summary}: {what} is out of range for type bigint"
        ))),
    }
}

/// ERROR 25006 (`read_only_sql_transaction`) when this server is a hot standby, raised by a
/// writer before it does any work (instead of an internal error, XX000 "cannot assign
/// TransactionIds during recovery", at its first SPI write). `what` names the function. The SQL
/// writers call it as `mlobs._require_primary`, so every writer gives the same error.
pub fn require_primary(what: &str) {
    // SAFETY: reads shared memory state; callable from any backend at any time.
    if unsafe { pgrx::pg_sys::RecoveryInProgress() } {
        pgrx::pg_sys::panic::ErrorReport::new(
            PgSqlErrorCode::ERRCODE_READ_ONLY_SQL_TRANSACTION,
            format!(
                "{what} writes, and this server is a hot standby (in recovery, read-only): run it on the primary"
            ),
            "require_primary",
        )
        .set_hint(STANDBY_HINT)
        .report(PgLogLevel::ERROR);
    }
}

/// `mlobs._require_primary(writer)`: `require_primary` for the writers written in SQL.
#[pg_extern(stable, parallel_safe, name = "_require_primary")]
fn require_primary_sql(writer: crate::db_text::DbStr<'_>) {
    let writer: &str = &writer;
    require_primary(writer)
}

/// The hint of `require_primary`'s error.
const STANDBY_HINT: &str = "Schedule pg_cron jobs on the primary only (after a failover, on the promoted server). \
On the standby the read-only functions work: predict, shap, drift, the metric points and dashboards.";

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
