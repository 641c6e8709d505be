//! Bytes ⇄ varlena. Detoasting copes with compressed, external and short-header (unaligned)
//! values, the forms that have crashed other extensions' readers.

use pgrx::pg_sys;

/// The payload of a varlena datum, detoasted. The slice lives in the current memory context.
///
/// # Safety
/// `datum` must be a non-NULL varlena datum.
pub unsafe fn varlena_bytes<'a>(datum: pg_sys::Datum) -> &'a [u8] {
    unsafe {
        let v = pg_sys::pg_detoast_datum_packed(datum.cast_mut_ptr());
        let len = pgrx::varlena::varsize_any_exhdr(v);
        let data = pgrx::varlena::vardata_any(v) as *const u8;
        std::slice::from_raw_parts(data, len)
    }
}

/// A new varlena (palloc'd in the current memory context) holding `bytes`.
pub fn bytes_to_datum(bytes: &[u8]) -> pg_sys::Datum {
    pg_sys::Datum::from(pgrx::varlena::rust_byte_slice_to_bytea(bytes).into_pg())
}
