//! `composite!`: a row of one of the extension's composite result types (`mlobs.drift_result`,
//! `mlobs.fences`, …), its fields set by name. The types are created with the extension, so a
//! failure here means they were altered: an ERROR naming the type or field, not a panic.

use pgrx::heap_tuple::PgHeapTuple;
use pgrx::prelude::*;
use pgrx::{AllocatedByRust, IntoDatum, PgSqlErrorCode};

/// The same Rust type as `pgrx::composite_type!('static, "…")` in `#[pg_extern]` signatures.
pub type Row = PgHeapTuple<'static, AllocatedByRust>;

/// A row of `type_name` with every field NULL.
pub fn new(type_name: &str) -> Row {
    PgHeapTuple::new_composite_type(type_name).unwrap_or_else(|e| {
        error(
            PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
            format!("{type_name}: {e}"),
        )
    })
}

/// Sets field `field` of `row` (of type `type_name`).
pub fn set<T: IntoDatum>(row: &mut Row, type_name: &str, field: &str, value: T) {
    if let Err(e) = row.set_by_name(field, value) {
        error(
            PgSqlErrorCode::ERRCODE_DATATYPE_MISMATCH,
            format!("{type_name}.{field}: {e}"),
        )
    }
}

fn error(code: PgSqlErrorCode, message: String) -> ! {
    ereport!(ERROR, code, message);
}

/// `composite!("mlobs.fences" { lower: f.lower, upper: f.upper })`: a row of the named type with
/// those fields set (the others NULL).
#[macro_export]
macro_rules! composite {
    ($type_name:literal { $($field:ident: $value:expr),+ $(,)? }) => {{
        let mut row = $crate::composite::new($type_name);
        $($crate::composite::set(&mut row, $type_name, stringify!($field), $value);)+
        row
    }};
}
