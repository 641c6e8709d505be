//! Reading jsonb arguments.
//!
//! pgrx's `JsonB` conversion panics (an internal error, XX000) on valid jsonb that serde_json
//! cannot represent: numbers beyond float8's range (`1e400`) and nesting deeper than
//! serde_json's 128 levels. So no function takes `pgrx::JsonB`:
//!
//! - the aggregates over a prediction log (`features_agg`, `schema_violations_agg`) read each
//!   payload natively (`payload_arg`): the top-level object read in place by
//!   `mlobs_core::jsonb_binary` (PostgreSQL's jsonb iterator only when that reader declines),
//!   nested containers only as their kind (any depth), numerics straight from their stored
//!   digits to f64 (±Infinity beyond float8's range). One such row is counted, never an error;
//! - every other jsonb argument is a `JsonbArg`, read as serde_json only by `JsonbArg::value`,
//!   which raises ERROR 22023 naming the argument when it cannot be represented.

use crate::errors::invalid_parameter;
use mlobs_core::jsonb_binary;
use mlobs_core::payload::{pg_numeric_to_f64, Scalar};
use pgrx::pg_sys;
use pgrx::pg_sys::jbvType as jbv;
use pgrx::pg_sys::JsonbIteratorToken::{WJB_BEGIN_OBJECT, WJB_KEY, WJB_VALUE};
use serde_json::Value;
use std::ffi::CStr;
use std::marker::PhantomData;

/// A jsonb datum as serde_json; ERROR 22023 naming `arg` when serde_json cannot represent it.
///
/// # Safety
/// `datum` must be a (possibly toasted) jsonb.
unsafe fn datum_to_value(datum: pg_sys::Datum, arg: &str) -> Value {
    let text: &CStr = unsafe { pgrx::direct_function_call(pg_sys::jsonb_out, &[Some(datum)]) }
        .expect("jsonb_out");
    let text = text
        .to_str()
        .unwrap_or_else(|_| invalid_parameter(format!("{arg}: not valid UTF-8")));
    serde_json::from_str(text).unwrap_or_else(|e| {
        invalid_parameter(format!(
            "{arg}: this jsonb value cannot be read ({e}); numbers must fit in float8 and nesting must stay within 128 levels"
        ))
    })
}

/// Argument `i` (a jsonb) as a serde_json value; `None` when NULL.
///
/// # Safety
/// Argument `i` of `fcinfo` must be a jsonb.
pub unsafe fn jsonb_arg(fcinfo: pg_sys::FunctionCallInfo, i: usize, arg: &str) -> Option<Value> {
    let datum = unsafe { pgrx::fcinfo::pg_getarg_datum(fcinfo, i) }?;
    Some(unsafe { datum_to_value(datum, arg) })
}

/// A jsonb argument of a `#[pg_extern]` function, unread until `value` names it. Declared as
/// `jsonb` in SQL, exactly as `pgrx::JsonB` was.
pub struct JsonbArg(pg_sys::Datum);

impl JsonbArg {
    /// Argument `i` of the current call, unread; `None` when NULL.
    ///
    /// # Safety
    /// Argument `i` of `fcinfo` must be a jsonb.
    pub unsafe fn arg(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<JsonbArg> {
        unsafe { pgrx::fcinfo::pg_getarg_datum(fcinfo, i) }.map(JsonbArg)
    }

    /// The argument as serde_json; ERROR 22023 naming `arg` when serde_json cannot represent it
    /// (a number beyond float8's range, nesting deeper than 128 levels).
    pub fn value(&self, arg: &str) -> Value {
        // SAFETY: the datum came from a jsonb argument of the current call.
        unsafe { datum_to_value(self.0, arg) }
    }
}

impl pgrx::datum::FromDatum for JsonbArg {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _: pg_sys::Oid,
    ) -> Option<Self> {
        (!is_null).then_some(JsonbArg(datum))
    }
}

/// How pgrx unboxes an argument of type `$ty` (which implements `FromDatum`): through its
/// `FromDatum`, NULL as `None`. Argument-only types add their SQL name with `argument_type!`;
/// the summary types (`summary_type!`) are return types too.
#[macro_export]
macro_rules! arg_abi {
    ($ty:ty) => {
        unsafe impl<'fcx> ::pgrx::callconv::ArgAbi<'fcx> for $ty {
            unsafe fn unbox_arg_unchecked(arg: ::pgrx::callconv::Arg<'_, 'fcx>) -> Self {
                let index = arg.index();
                unsafe { arg.unbox_arg_using_from_datum() }
                    .unwrap_or_else(|| panic!("argument {index} must not be null"))
            }
            unsafe fn unbox_nullable_arg(
                arg: ::pgrx::callconv::Arg<'_, 'fcx>,
            ) -> ::pgrx::nullable::Nullable<Self> {
                unsafe { arg.unbox_arg_using_from_datum() }.into()
            }
        }
    };
}

/// A `#[pg_extern]` argument-only type `$ty` declared as `$sql` in the generated SQL.
#[macro_export]
macro_rules! argument_type {
    ($ty:ty, $sql:literal) => {
        $crate::arg_abi!($ty);
        ::pgrx::impl_sql_translatable!($ty, arg_only = $sql);
    };
}

crate::argument_type!(JsonbArg, "jsonb");

/// A payload: an object's top-level entries, or not an object (SQL NULL, array, scalar).
pub enum Payload<'a> {
    Object(JsonbObject<'a>),
    NotAnObject,
}

/// A jsonb object read in place; iterating it yields its top-level `(key, Scalar)` entries
/// (iterable again: each iteration walks the container afresh).
#[derive(Clone, Copy)]
pub struct JsonbObject<'a> {
    root: *mut pg_sys::JsonbContainer,
    /// The root container's bytes (the jsonb after its varlena header).
    bytes: &'a [u8],
    arg: &'a str,
}

/// Argument `i` (a jsonb) as a payload, read natively.
///
/// # Safety
/// Argument `i` of `fcinfo` must be a jsonb; the result must not outlive the call.
pub unsafe fn payload_arg<'a>(
    fcinfo: pg_sys::FunctionCallInfo,
    i: usize,
    arg: &'a str,
) -> Payload<'a> {
    let Some(datum) = (unsafe { pgrx::fcinfo::pg_getarg_datum(fcinfo, i) }) else {
        return Payload::NotAnObject;
    };
    unsafe { datum_payload(datum, arg) }
}

impl JsonbArg {
    /// The argument as a payload, read natively (as `payload_arg`).
    pub fn payload<'a>(&'a self, arg: &'a str) -> Payload<'a> {
        // SAFETY: the datum came from a jsonb argument of the current call.
        unsafe { datum_payload(self.0, arg) }
    }

    /// The argument's bytes (detoasted), e.g. as a cache key.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the datum came from a varlena (jsonb) argument of the current call.
        unsafe { crate::varlena_io::varlena_bytes(self.0) }
    }
}

/// A jsonb datum as a payload.
///
/// # Safety
/// `datum` must be a (possibly toasted) jsonb; the result must not outlive the call.
unsafe fn datum_payload<'a>(datum: pg_sys::Datum, arg: &'a str) -> Payload<'a> {
    // As DatumGetJsonbP: the 4-byte-header, uncompressed form (a copy only when toasted or
    // short-headered).
    let jsonb = unsafe { pg_sys::pg_detoast_datum(datum.cast_mut_ptr()) } as *mut pg_sys::Jsonb;
    let root = unsafe { &raw mut (*jsonb).root };
    if unsafe { (*root).header } & pg_sys::JB_FOBJECT == 0 {
        return Payload::NotAnObject;
    }
    // SAFETY: a detoasted varlena with a 4-byte header; the container is the rest of it.
    let bytes = unsafe {
        let v = jsonb as *const pg_sys::varlena;
        std::slice::from_raw_parts(root as *const u8, pgrx::varsize(v) - pg_sys::VARHDRSZ)
    };
    Payload::Object(JsonbObject { root, bytes, arg })
}

/// Whether the database encoding is UTF-8 (fixed for a backend's life), so that the text in a
/// jsonb is valid UTF-8 by PostgreSQL's own checks and needs no second validation per row.
pub(crate) fn database_is_utf8() -> bool {
    use std::sync::atomic::{AtomicU8, Ordering};
    static UTF8: AtomicU8 = AtomicU8::new(0);
    match UTF8.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: reads the backend's database encoding, set at connection.
            let utf8 = unsafe { pg_sys::GetDatabaseEncoding() } == pg_sys::pg_enc::PG_UTF8 as i32;
            UTF8.store(if utf8 { 1 } else { 2 }, Ordering::Relaxed);
            utf8
        }
        v => v == 1,
    }
}

/// Text bytes of the database (a text value, a jsonb key or string) as `&str`; ERROR 22023
/// naming `what()` when the database is not UTF-8 and they are not valid UTF-8.
pub fn database_text(bytes: &[u8], what: impl FnOnce() -> String) -> &str {
    if database_is_utf8() {
        // SAFETY: PostgreSQL validated this text in the database encoding, UTF-8, on input.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    } else {
        std::str::from_utf8(bytes)
            .unwrap_or_else(|_| invalid_parameter(format!("{} is not valid UTF-8", what())))
    }
}

/// A key or string of a jsonb as text; ERROR 22023 naming the argument when it is not UTF-8.
fn jsonb_text<'a>(bytes: &'a [u8], arg: &str, what: &str) -> &'a str {
    database_text(bytes, || format!("{arg}: {what}"))
}

impl<'a> IntoIterator for JsonbObject<'a> {
    type Item = (&'a str, Scalar<'a>);
    type IntoIter = PayloadEntries<'a>;

    fn into_iter(self) -> PayloadEntries<'a> {
        if let Some(entries) = jsonb_binary::object_entries(self.bytes) {
            return PayloadEntries::InPlace(entries, self.arg);
        }
        // SAFETY: `root` is the root container of a detoasted jsonb object of this call.
        let it = unsafe { pg_sys::JsonbIteratorInit(self.root) };
        PayloadEntries::Iterator(JsonbEntries {
            it,
            arg: self.arg,
            _data: PhantomData,
        })
    }
}

/// The entries of a payload object: read in place, or (when the in-place reader declines the
/// container) with PostgreSQL's iterator.
pub enum PayloadEntries<'a> {
    InPlace(jsonb_binary::ObjectEntries<'a>, &'a str),
    Iterator(JsonbEntries<'a>),
}

impl<'a> Iterator for PayloadEntries<'a> {
    type Item = (&'a str, Scalar<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            PayloadEntries::InPlace(entries, arg) => match entries.next() {
                Some((key, value)) => Some((
                    jsonb_text(key, arg, "a key"),
                    value.scalar(|s| jsonb_text(s, arg, "a string")),
                )),
                None if entries.malformed => {
                    pgrx::ereport!(
                        ERROR,
                        pgrx::PgSqlErrorCode::ERRCODE_DATA_CORRUPTED,
                        format!("{arg}: this jsonb value is malformed")
                    );
                }
                None => None,
            },
            PayloadEntries::Iterator(it) => it.next(),
        }
    }
}

pub struct JsonbEntries<'a> {
    /// NULL once the object's end was returned (the iterator frees itself there).
    it: *mut pg_sys::JsonbIterator,
    arg: &'a str,
    _data: PhantomData<&'a [u8]>,
}

impl<'a> JsonbEntries<'a> {
    fn text(&self, s: &pg_sys::JsonbValue__bindgen_ty_1__bindgen_ty_1, what: &str) -> &'a str {
        // SAFETY: a jsonb string: `len` bytes inside the jsonb, which outlives 'a.
        let bytes = unsafe { std::slice::from_raw_parts(s.val as *const u8, s.len as usize) };
        jsonb_text(bytes, self.arg, what)
    }

    /// The kind of a value returned with `WJB_VALUE` (skipNested: containers as jbv::jbvBinary).
    fn scalar(&self, v: &pg_sys::JsonbValue) -> Scalar<'a> {
        // SAFETY: the union member read is the one `type_` names.
        unsafe {
            match v.type_ {
                jbv::jbvNull => Scalar::Null,
                jbv::jbvBool => Scalar::Bool(v.val.boolean),
                jbv::jbvString => Scalar::String(self.text(&v.val.string, "a string")),
                jbv::jbvNumeric => {
                    let n = v.val.numeric as *const pg_sys::varlena;
                    let data = std::slice::from_raw_parts(
                        pgrx::vardata_any(n) as *const u8,
                        pgrx::varsize_any_exhdr(n),
                    );
                    Scalar::Number(pg_numeric_to_f64(data).unwrap_or(f64::NAN))
                }
                jbv::jbvBinary if (*v.val.binary.data).header & pg_sys::JB_FOBJECT != 0 => {
                    Scalar::Object
                }
                jbv::jbvBinary | jbv::jbvArray => Scalar::Array,
                jbv::jbvObject => Scalar::Object,
                other => {
                    invalid_parameter(format!("{}: unexpected jsonb value type {other}", self.arg))
                }
            }
        }
    }
}

impl<'a> Iterator for JsonbEntries<'a> {
    type Item = (&'a str, Scalar<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let mut v = pg_sys::JsonbValue::default();
        let mut key = None;
        while !self.it.is_null() {
            // SAFETY: a live iterator of this call's jsonb; skipNested keeps it at the top level.
            let token = unsafe { pg_sys::JsonbIteratorNext(&mut self.it, &mut v, true) };
            match token {
                WJB_BEGIN_OBJECT => {}
                // SAFETY: a key is a jbv::jbvString.
                WJB_KEY => key = Some(self.text(unsafe { &v.val.string }, "a key")),
                WJB_VALUE => {
                    return Some((
                        key.take().expect("a key precedes its value"),
                        self.scalar(&v),
                    ))
                }
                // WJB_END_OBJECT (the iterator freed itself and is now NULL) or WJB_DONE.
                _ => self.it = std::ptr::null_mut(),
            }
        }
        None
    }
}

/// Test aid: a jsonb object's entries read in place and by PostgreSQL's iterator, each as
/// `key=value` lines (`None` for the in-place reader when it declines the container).
///
/// # Safety
/// `datum` must be a jsonb object of the current call.
#[cfg(any(test, feature = "pg_test"))]
pub unsafe fn entries_both_ways(datum: pg_sys::Datum) -> (Option<Vec<String>>, Vec<String>) {
    let Payload::Object(object) = (unsafe { datum_payload(datum, "test") }) else {
        panic!("not an object");
    };
    let show = |(k, v): (&str, Scalar<'_>)| match v {
        Scalar::Number(x) => format!("{k}={:?}", x.to_bits()),
        other => format!("{k}={other:?}"),
    };
    let in_place = jsonb_binary::object_entries(object.bytes).map(|e| {
        let out: Vec<String> = PayloadEntries::InPlace(e, "test").map(show).collect();
        out
    });
    // SAFETY: as in `into_iter`.
    let it = unsafe { pg_sys::JsonbIteratorInit(object.root) };
    let by_iterator = JsonbEntries {
        it,
        arg: "test",
        _data: PhantomData,
    }
    .map(show)
    .collect();
    (in_place, by_iterator)
}
