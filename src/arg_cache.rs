//! A decoded argument cached in the function's fn_extra and reused while the argument's bytes
//! stay equal: arguments such as a calibration map or a schema are normally one value for the
//! whole query, and decoding them per row would dominate the transition. Comparing bytes (not
//! datum pointers) keeps it correct when the value does change between rows.

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
    let bytes = unsafe { varlena_bytes(datum) };
    unsafe {
        let flinfo = (*fcinfo).flinfo;
        let cached = (*flinfo).fn_extra as *mut Cached<T>;
        if !cached.is_null() && (*cached).bytes == bytes {
            return Some(&(*cached).value);
        }
        let entry = Cached {
            bytes: bytes.to_vec(),
            value: decode(bytes),
        };
        let ptr = if cached.is_null() {
            PgMemoryContexts::For((*flinfo).fn_mcxt).leak_and_drop_on_delete(entry)
        } else {
            *cached = entry;
            cached
        };
        (*flinfo).fn_extra = ptr.cast();
        Some(&(*ptr).value)
    }
}
