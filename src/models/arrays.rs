//! A float8[] argument read as a matrix straight from its bytes (PostgreSQL's ArrayType
//! layout): pgrx flattens arrays, but background and training samples are 2-D (rows ×
//! features), and keeping the bytes lets a call site reuse the decoded matrix while the
//! argument is unchanged. Every offset is bounds-checked.

use crate::errors::invalid_parameter;

fn i32_at(b: &[u8], at: usize, what: &str) -> i32 {
    b.get(at..at + 4)
        .map(|s| i32::from_ne_bytes(s.try_into().expect("4 bytes")))
        .unwrap_or_else(|| invalid_parameter(format!("{what}: malformed array")))
}

/// The header of a float8 array: its dimensions, where its null bitmap is (if any) and where
/// its data starts, as offsets into `payload` (the array's bytes after the varlena header).
fn header(payload: &[u8], what: &str) -> (Vec<usize>, Option<usize>, usize) {
    // The ArrayType header after vl_len_: ndim, dataoffset, elemtype, dims[ndim], lbound[ndim].
    let ndim = i32_at(payload, 0, what);
    let dataoffset = i32_at(payload, 4, what);
    let elemtype = i32_at(payload, 8, what) as u32;
    if elemtype != u32::from(pgrx::pg_sys::FLOAT8OID) {
        invalid_parameter(format!("{what}: expected a float8 array"));
    }
    if !(0..=6).contains(&ndim) {
        invalid_parameter(format!("{what}: malformed array"));
    }
    let ndim = ndim as usize;
    let dims = (0..ndim)
        .map(|d| i32_at(payload, 12 + 4 * d, what).max(0) as usize)
        .collect();
    // Offsets in the struct count the 4-byte varlena header, absent from `payload`.
    let header_end = 12 + 8 * ndim;
    if dataoffset != 0 {
        let data = (dataoffset as usize)
            .checked_sub(4)
            .unwrap_or_else(|| invalid_parameter(format!("{what}: malformed array")));
        (dims, Some(header_end), data)
    } else {
        (dims, None, (16 + 8 * ndim).next_multiple_of(8) - 4)
    }
}

/// `nitems` elements from `data_start`; NULL elements (per the bitmap) are NaN.
fn values(
    payload: &[u8],
    what: &str,
    bitmap: Option<usize>,
    data_start: usize,
    nitems: usize,
) -> Vec<f64> {
    let malformed = || -> ! { invalid_parameter(format!("{what}: malformed array")) };
    if nitems > 100_000_000 {
        invalid_parameter(format!("{what}: too large"));
    }
    let Some(bitmap) = bitmap else {
        // No NULLs: the data is nitems consecutive float8s.
        let end = nitems
            .checked_mul(8)
            .and_then(|n| n.checked_add(data_start));
        let data = end
            .and_then(|e| payload.get(data_start..e))
            .unwrap_or_else(|| malformed());
        return data
            .chunks_exact(8)
            .map(|s| f64::from_ne_bytes(s.try_into().expect("8 bytes")))
            .collect();
    };
    let mut out = Vec::with_capacity(nitems);
    let mut at = data_start;
    for k in 0..nitems {
        let byte = *payload.get(bitmap + k / 8).unwrap_or_else(|| malformed());
        if byte & (1 << (k % 8)) == 0 {
            out.push(f64::NAN);
        } else {
            let s = payload.get(at..at + 8).unwrap_or_else(|| malformed());
            at += 8;
            out.push(f64::from_ne_bytes(s.try_into().expect("8 bytes")));
        }
    }
    out
}

/// Every element of a float8 array of any shape, in storage order (as one feature row); NULL
/// elements become NaN (missing).
pub fn flat(payload: &[u8], what: &str) -> Vec<f64> {
    let (dims, bitmap, data) = header(payload, what);
    let nitems = dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    let nitems = if dims.is_empty() { Some(0) } else { nitems };
    values(payload, what, bitmap, data, nitems.unwrap_or(usize::MAX))
}

/// Rows of a 2-D float8 array (a 1-D array is one row); NULL elements become NaN (missing).
/// `payload` is the array's bytes after the varlena header.
pub fn matrix(payload: &[u8], what: &str) -> Vec<Vec<f64>> {
    let (dims, bitmap, data) = header(payload, what);
    let (rows, cols) = match dims[..] {
        [] => invalid_parameter(format!("{what}: needs at least one row")),
        [cols] => (1usize, cols),
        [rows, cols] => (rows, cols),
        _ => invalid_parameter(format!("{what}: expected a 2-D array (rows × features)")),
    };
    let nitems = rows.saturating_mul(cols);
    let all = values(payload, what, bitmap, data, nitems);
    if cols == 0 {
        return Vec::new();
    }
    all.chunks(cols).map(<[f64]>::to_vec).collect()
}
