//! Bytes ⇄ varlena. Detoasting copes with compressed, external and short-header (unaligned)
//! values, the forms that have crashed other extensions' readers.

use pgrx::pg_sys;

/// The payload of a varlena datum, detoasted. The slice lives in the current memory context.
/// A short-header or plain value (nearly every row of an aggregate) is read in place; only a
/// compressed or out-of-line one goes through `pg_detoast_datum_packed`, which pgrx calls
/// behind a `sigsetjmp` guard (issue 20: per row, a visible share of `category_agg`).
///
/// # Safety
/// `datum` must be a non-NULL varlena datum.
pub unsafe fn varlena_bytes<'a>(datum: pg_sys::Datum) -> &'a [u8] {
    unsafe {
        let mut v = datum.cast_mut_ptr::<pg_sys::varlena>();
        if pgrx::varlena::varatt_is_1b_e(v) || pgrx::varlena::varatt_is_4b_c(v) {
            v = pg_sys::pg_detoast_datum_packed(v);
        }
        let len = pgrx::varlena::varsize_any_exhdr(v);
        let data = pgrx::varlena::vardata_any(v) as *const u8;
        std::slice::from_raw_parts(data, len)
    }
}

/// A new varlena (palloc'd in the current memory context) holding `bytes`.
pub fn bytes_to_datum(bytes: &[u8]) -> pg_sys::Datum {
    pg_sys::Datum::from(pgrx::varlena::rust_byte_slice_to_bytea(bytes).into_pg())
}
