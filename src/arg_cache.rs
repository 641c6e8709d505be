//! A decoded argument cached in the function's fn_extra and reused while the argument's bytes
//! stay equal: arguments such as a calibration map or a schema are normally one value for the
//! whole query, and decoding them per row would dominate the transition. Comparing bytes (not
//! datum pointers) keeps it correct when the value does change between rows; the bytes compared
//! are the datum's raw (possibly compressed or toast-pointer) form, so a hit costs no detoast.

use crate::varlena_io::varlena_bytes;
use pgrx::pg_sys;
use pgrx::PgMemoryContexts;

struct Cached<T> {
    bytes: Vec<u8>,
    value: T,
}

/// The varlena argument `i` decoded by `decode(bytes)`, cached per call site; `None` when NULL.
/// One function uses one `T` (fn_extra belongs to the function's FmgrInfo).
///
/// # Safety
/// Argument `i` must be a varlena, and no other code may use this function's fn_extra.
pub unsafe fn cached_arg<'a, T: 'static>(
    fcinfo: pg_sys::FunctionCallInfo,
    i: usize,
    decode: impl FnOnce(&[u8]) -> T,
) -> Option<&'a T> {
    let datum = unsafe { pgrx::fcinfo::pg_getarg_datum(fcinfo, i) }?;
    unsafe {
        // The key is the datum as passed, still compressed or a toast pointer: detoasting a
        // compressed 20 kB schema or map on every row cost 30 µs a row (benches/suite.sql).
        // Equal raw bytes mean an equal value; unequal ones at worst cost a decode.
        let raw = datum.cast_mut_ptr::<pg_sys::varlena>();
        let key = std::slice::from_raw_parts(raw as *const u8, pgrx::varlena::varsize_any(raw));
        Some(cached_by_key((*fcinfo).flinfo, key, || {
            decode(varlena_bytes(datum))
        }))
    }
}

/// The value `decode()` gave for `key` the last time this call site (`flinfo`) saw that key,
/// kept in its fn_extra; decoded and kept when the key differs.
///
/// # Safety
/// `flinfo` must be the calling function's valid FmgrInfo, its fn_extra used by no other code,
/// and one call site must always use the same `T`.
pub unsafe fn cached_by_key<'a, T: 'static>(
    flinfo: *mut pg_sys::FmgrInfo,
    key: &[u8],
    decode: impl FnOnce() -> T,
) -> &'a T {
    unsafe {
        let cached = (*flinfo).fn_extra as *mut Cached<T>;
        if !cached.is_null() && (*cached).bytes == key {
            return &(*cached).value;
        }
        let entry = Cached {
            bytes: key.to_vec(),
            value: decode(),
        };
        let ptr = if cached.is_null() {
            PgMemoryContexts::For((*flinfo).fn_mcxt).leak_and_drop_on_delete(entry)
        } else {
            *cached = entry;
            cached
        };
        (*flinfo).fn_extra = ptr.cast();
        &(*ptr).value
    }
}
