//! Text arguments that are checked, not trusted, in a database whose encoding is not UTF-8.
//!
//! pgrx converts a `text` argument to `&str`/`String` by panicking on any non-ASCII byte when
//! the database is not UTF-8 (an internal error, XX000, whatever the value), and converts the
//! elements of a `text[]` without any check. `DbStr` (for `text`) and `DbString` (for the
//! elements of `text[]`) take the same SQL type, accept valid UTF-8 (what every jsonb key the
//! aggregates read is held to) and refuse anything else with ERROR 22023 naming the argument.
//! In a UTF-8 database PostgreSQL validated the text on input and nothing is checked again.

use crate::jsonb_arg::database_text;
use pgrx::callconv::{Arg, ArgAbi};
use pgrx::datum::{Datum, FromDatum, UnboxDatum};
use pgrx::pg_sys;
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use std::ops::Deref;

/// A `text` argument as `&str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbStr<'a>(&'a str);

impl Deref for DbStr<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

fn checked(bytes: &[u8], index: usize) -> &str {
    database_text(bytes, || format!("text argument {}", index + 1))
}

// SAFETY: the argument is a text (the SQL type below); `&[u8]` reads any varlena's bytes.
unsafe impl<'fcx> ArgAbi<'fcx> for DbStr<'fcx> {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        let index = arg.index();
        // SAFETY: as the trait requires, a text argument that is not NULL.
        match unsafe { Self::unbox_nullable_arg(arg) } {
            pgrx::nullable::Nullable::Valid(s) => s,
            _ => panic!("argument {index} must not be null"),
        }
    }

    unsafe fn unbox_nullable_arg(arg: Arg<'_, 'fcx>) -> pgrx::nullable::Nullable<Self> {
        let index = arg.index();
        // SAFETY: a text argument; NULL gives None.
        match unsafe { arg.unbox_arg_using_from_datum::<&'fcx [u8]>() } {
            Some(bytes) => pgrx::nullable::Nullable::Valid(DbStr(checked(bytes, index))),
            None => pgrx::nullable::Nullable::Null,
        }
    }
}

// SAFETY: the same SQL type as `str` (TEXT).
unsafe impl SqlTranslatable for DbStr<'_> {
    const TYPE_IDENT: &'static str = <str as SqlTranslatable>::TYPE_IDENT;
    const TYPE_ORIGIN: TypeOrigin = <str as SqlTranslatable>::TYPE_ORIGIN;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> =
        <str as SqlTranslatable>::ARGUMENT_SQL;
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> = <str as SqlTranslatable>::RETURN_SQL;
}

/// An element of a `text[]` argument as `String`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbString(pub String);

impl DbString {
    fn from_bytes(bytes: &[u8]) -> Self {
        DbString(database_text(bytes, || "an element of a text[] argument".into()).to_owned())
    }
}

impl FromDatum for DbString {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        typoid: pg_sys::Oid,
    ) -> Option<Self> {
        // SAFETY: the caller passes a text datum (the SQL type below).
        unsafe { <&[u8]>::from_polymorphic_datum(datum, is_null, typoid) }.map(Self::from_bytes)
    }
}

// SAFETY: elements of a text[] are text varlenas, detoasted with the array.
unsafe impl UnboxDatum for DbString {
    type As<'src> = DbString;
    unsafe fn unbox<'src>(datum: Datum<'src>) -> Self::As<'src>
    where
        Self: 'src,
    {
        // SAFETY: an element of a text array, not NULL (the array iterator checks).
        let bytes = unsafe { crate::varlena_io::varlena_bytes(datum.sans_lifetime()) };
        Self::from_bytes(bytes)
    }
}

// SAFETY: a text argument (pgrx asks it of array element types too).
unsafe impl<'fcx> ArgAbi<'fcx> for DbString {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        let index = arg.index();
        // SAFETY: as the trait requires, a text argument that is not NULL.
        unsafe { arg.unbox_arg_using_from_datum::<DbString>() }
            .unwrap_or_else(|| panic!("argument {index} must not be null"))
    }
}

// SAFETY: the same SQL type as `String` (TEXT).
unsafe impl SqlTranslatable for DbString {
    const TYPE_IDENT: &'static str = <String as SqlTranslatable>::TYPE_IDENT;
    const TYPE_ORIGIN: TypeOrigin = <String as SqlTranslatable>::TYPE_ORIGIN;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> =
        <String as SqlTranslatable>::ARGUMENT_SQL;
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> = <String as SqlTranslatable>::RETURN_SQL;
}

/// The elements of a `text[]` argument as `String`s (NULL elements kept as `None`).
pub fn strings(v: Option<Vec<Option<DbString>>>) -> Option<Vec<Option<String>>> {
    v.map(|v| v.into_iter().map(|s| s.map(|s| s.0)).collect())
}

/// A text value read by SPI (a source row's value, a key, a name) as its bytes, checked as text
/// where it is used, with what it is (`text`): pgrx's `String` conversion of a query result
/// panics (XX000) on a non-ASCII byte in a database that is not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextBytes(pub Vec<u8>);

impl TextBytes {
    /// The bytes as text; ERROR 22023 naming `what()` when the database is not UTF-8 and they are
    /// not valid UTF-8.
    pub fn text(&self, what: impl FnOnce() -> String) -> &str {
        database_text(&self.0, what)
    }
}

impl FromDatum for TextBytes {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        typoid: pg_sys::Oid,
    ) -> Option<Self> {
        // SAFETY: the caller passes a text datum (`type_oid` below is checked by SPI).
        unsafe { <&[u8]>::from_polymorphic_datum(datum, is_null, typoid) }
            .map(|b| TextBytes(b.to_vec()))
    }
}

impl pgrx::datum::IntoDatum for TextBytes {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        self.0.as_slice().into_datum()
    }
    fn type_oid() -> pg_sys::Oid {
        pg_sys::TEXTOID
    }
}

// SAFETY: elements of a text[] are text varlenas.
unsafe impl UnboxDatum for TextBytes {
    type As<'src> = TextBytes;
    unsafe fn unbox<'src>(datum: Datum<'src>) -> Self::As<'src>
    where
        Self: 'src,
    {
        // SAFETY: an element of a text array, not NULL (the array iterator checks).
        TextBytes(unsafe { crate::varlena_io::varlena_bytes(datum.sans_lifetime()) }.to_vec())
    }
}
