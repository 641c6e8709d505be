//! `summary_type!` turns a core `Summary` into a SQL type: a Rust newtype usable as a
//! `#[pg_extern]` argument/result, text I/O as JSON, binary send/recv, and the aggregate support
//! functions shared by its aggregates and its `rollup`. Every input path validates.

use crate::errors::OrRaise;
use crate::varlena_io::{bytes_to_datum, varlena_bytes};
use mlobs_core::Summary;
use pgrx::pg_sys;
use std::any::TypeId;
use std::ffi::CStr;

/// Decodes a stored summary datum, raising on invalid bytes.
///
/// # Safety
/// `datum` must be a non-NULL varlena.
pub unsafe fn decode_datum<T: Summary>(datum: pg_sys::Datum) -> T {
    T::from_bytes(unsafe { varlena_bytes(datum) }).or_raise()
}

/// Text input: JSON → validated summary → stored bytes. Large texts are looked up first: one
/// this backend wrote lately (`crate::text_cache`: the runtime's window summaries), or the one this
/// call site parsed last (the runtime casts a monitor's ~70 kB reference summary once per window).
/// Parsing is deterministic and JSON round trips are exact, so a hit gives what parsing would.
///
/// # Safety
/// Argument 0 must be a cstring, and no other code may use this function's fn_extra.
pub unsafe fn text_in<T: Summary + 'static>(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    let ptr = unsafe { pgrx::fcinfo::pg_getarg_datum(fcinfo, 0) }
        .expect("STRICT")
        .cast_mut_ptr::<std::ffi::c_char>();
    let raw = unsafe { CStr::from_ptr(ptr) };
    let parse = || {
        let text = raw.to_str().unwrap_or("\u{FFFD}");
        T::from_json(text).or_raise().to_bytes()
    };
    let flinfo = unsafe { (*fcinfo).flinfo };
    if raw.to_bytes().len() >= crate::text_cache::MIN_LEN {
        if let Some(bytes) = crate::text_cache::lookup(TypeId::of::<T>(), raw.to_bytes()) {
            return bytes_to_datum(&bytes);
        }
        if !flinfo.is_null() {
            // SAFETY: this input function's fn_extra holds nothing else, always a Vec<u8>.
            let bytes = unsafe { crate::arg_cache::cached_by_key(flinfo, raw.to_bytes(), parse) };
            return bytes_to_datum(bytes);
        }
    }
    bytes_to_datum(&parse())
}

/// Text output: JSON (a large one remembered, `crate::text_cache`).
///
/// # Safety
/// Argument 0 must be a varlena of the summary's type.
pub unsafe fn text_out<T: Summary + 'static>(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    let datum = unsafe { pgrx::fcinfo::pg_getarg_datum(fcinfo, 0) }.expect("STRICT");
    let bytes = unsafe { varlena_bytes(datum) };
    let value = T::from_bytes(bytes).or_raise();
    let json = std::ffi::CString::new(value.to_json()).expect("JSON has no NUL");
    crate::text_cache::remember(TypeId::of::<T>(), json.as_bytes(), bytes);
    pg_sys::Datum::from(unsafe { pg_sys::pstrdup(json.as_ptr()) })
}

/// Binary receive: the rest of the message buffer must be one valid summary.
///
/// # Safety
/// Argument 0 must be a StringInfo.
pub unsafe fn binary_recv<T: Summary>(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    let buf = unsafe { pgrx::fcinfo::pg_getarg_datum(fcinfo, 0) }
        .expect("STRICT")
        .cast_mut_ptr::<pg_sys::StringInfoData>();
    let bytes = unsafe {
        let b = &mut *buf;
        let start = b.cursor as usize;
        let len = (b.len - b.cursor).max(0) as usize;
        let s = std::slice::from_raw_parts((b.data as *const u8).add(start), len);
        b.cursor = b.len;
        s
    };
    let value = T::from_bytes(bytes).or_raise();
    bytes_to_datum(&value.to_bytes())
}

/// Binary send: the versioned bytes (re-encoded after validation).
///
/// # Safety
/// Argument 0 must be a varlena of the summary's type.
pub unsafe fn binary_send<T: Summary>(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    let datum = unsafe { pgrx::fcinfo::pg_getarg_datum(fcinfo, 0) }.expect("STRICT");
    let value: T = unsafe { decode_datum(datum) };
    bytes_to_datum(&value.to_bytes())
}

/// Declares the SQL-facing newtype `$datum` for core type `$core` named `$sql` in SQL, and the
/// C functions of its I/O and aggregate support (declared in `src/sql/*.sql`): `<$prefix>_in`,
/// `_out`, `_recv`, `_send`, `_combine`, `_serial`, `_deserial`, `_final` and `_rollup_trans`,
/// each with its `pg_finfo_` record. In Rust they are the functions of module `$prefix`
/// (`crate::profile::mlobs_profile::deserial`).
#[macro_export]
macro_rules! summary_type {
    ($datum:ident, $core:ty, $sql:literal, $prefix:ident) => {
        $crate::summary_type!($datum, $core, state = $core, $sql, $prefix);
    };
    // `state`: the aggregates' transition state when it is not the summary itself; it reads and
    // writes the summary's bytes (`category_agg` defers its evictions in a `CategoryCounter`).
    ($datum:ident, $core:ty, state = $state:ty, $sql:literal, $prefix:ident) => {
        pub struct $datum(pub $core);

        impl ::pgrx::datum::FromDatum for $datum {
            unsafe fn from_polymorphic_datum(
                datum: ::pgrx::pg_sys::Datum,
                is_null: bool,
                _: ::pgrx::pg_sys::Oid,
            ) -> Option<Self> {
                if is_null {
                    None
                } else {
                    Some($datum(unsafe {
                        $crate::summary_type::decode_datum::<$core>(datum)
                    }))
                }
            }
        }

        impl ::pgrx::datum::IntoDatum for $datum {
            fn into_datum(self) -> Option<::pgrx::pg_sys::Datum> {
                Some($crate::varlena_io::bytes_to_datum(
                    &<$core as ::mlobs_core::Summary>::to_bytes(&self.0),
                ))
            }
            fn type_oid() -> ::pgrx::pg_sys::Oid {
                ::pgrx::regtypein($sql)
            }
        }

        $crate::arg_abi!($datum);

        unsafe impl ::pgrx::callconv::BoxRet for $datum {
            unsafe fn box_into<'fcx>(
                self,
                fcinfo: &mut ::pgrx::callconv::FcInfo<'fcx>,
            ) -> ::pgrx::datum::Datum<'fcx> {
                match ::pgrx::datum::IntoDatum::into_datum(self) {
                    Some(d) => unsafe { fcinfo.return_raw_datum(d) },
                    None => fcinfo.return_null(),
                }
            }
        }

        ::pgrx::impl_sql_translatable!($datum, $sql);

        #[doc(hidden)]
        pub mod $prefix {
            #[allow(unused_imports)]
            use super::*;

            $crate::v1!($prefix "in" => input / pg_finfo_input, |fcinfo| {
                $crate::summary_type::text_in::<$core>(fcinfo)
            });
            $crate::v1!($prefix "out" => output / pg_finfo_output, |fcinfo| {
                $crate::summary_type::text_out::<$core>(fcinfo)
            });
            $crate::v1!($prefix "recv" => recv / pg_finfo_recv, |fcinfo| {
                $crate::summary_type::binary_recv::<$core>(fcinfo)
            });
            $crate::v1!($prefix "send" => send / pg_finfo_send, |fcinfo| {
                $crate::summary_type::binary_send::<$core>(fcinfo)
            });
            $crate::state_functions!(@in_module $state, $prefix);
            $crate::v1!($prefix "final" => finalize / pg_finfo_finalize, |fcinfo| {
                $crate::agg::finalize::<$state>(fcinfo)
            });
            $crate::v1!($prefix "rollup_trans" => rollup_trans / pg_finfo_rollup_trans, |fcinfo| {
                $crate::agg::rollup_transition::<$state>(
                    fcinfo,
                    concat!(stringify!($prefix), "_rollup_trans"),
                )
            });
        }
    };
}

/// The parallel-aggregate support functions `<$prefix>_combine`, `_serial` and `_deserial` of an
/// `internal` state that is a core `Summary` but has no SQL type of its own (exact-sample states
/// whose final function returns a number); in Rust, the functions of module `$prefix`.
#[macro_export]
macro_rules! state_functions {
    ($core:ty, $prefix:ident) => {
        #[doc(hidden)]
        pub mod $prefix {
            #[allow(unused_imports)]
            use super::*;

            $crate::state_functions!(@in_module $core, $prefix);
        }
    };
    (@in_module $core:ty, $prefix:ident) => {
        $crate::v1!($prefix "combine" => combine / pg_finfo_combine, |fcinfo| {
            $crate::agg::combine::<$core>(fcinfo, concat!(stringify!($prefix), "_combine"))
        });
        $crate::v1!($prefix "serial" => serial / pg_finfo_serial, |fcinfo| {
            $crate::agg::serialize::<$core>(fcinfo)
        });
        $crate::v1!($prefix "deserial" => deserial / pg_finfo_deserial, |fcinfo| {
            $crate::agg::deserialize::<$core>(fcinfo)
        });
    };
}
