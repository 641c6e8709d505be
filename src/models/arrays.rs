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

/// Rows of a 2-D float8 array (a 1-D array is one row); NULL elements become NaN (missing).
/// `payload` is the array's bytes after the varlena header.
pub fn matrix(payload: &[u8], what: &str) -> Vec<Vec<f64>> {
    // The ArrayType header after vl_len_: ndim, dataoffset, elemtype, dims[ndim], lbound[ndim].
    let ndim = i32_at(payload, 0, what);
    let dataoffset = i32_at(payload, 4, what);
    let elemtype = i32_at(payload, 8, what) as u32;
    if elemtype != u32::from(pgrx::pg_sys::FLOAT8OID) {
        invalid_parameter(format!("{what}: expected a float8 array"));
    }
    let (rows, cols) = match ndim {
        0 => invalid_parameter(format!("{what}: needs at least one row")),
        1 => (1usize, i32_at(payload, 12, what) as usize),
        2 => (
            i32_at(payload, 12, what) as usize,
            i32_at(payload, 16, what) as usize,
        ),
        _ => invalid_parameter(format!("{what}: expected a 2-D array (rows × features)")),
    };
    let nitems = rows
        .checked_mul(cols)
        .filter(|&n| n <= 100_000_000)
        .unwrap_or_else(|| invalid_parameter(format!("{what}: too large")));
    let ndim = ndim as usize;
    // Offsets in the struct count the 4-byte varlena header, absent from `payload`.
    let header_end = 12 + 8 * ndim;
    let (bitmap, data_start) = if dataoffset != 0 {
        (
            Some(header_end),
            (dataoffset as usize)
                .checked_sub(4)
                .unwrap_or_else(|| invalid_parameter(format!("{what}: malformed array"))),
        )
    } else {
        (None, (16 + 8 * ndim).next_multiple_of(8) - 4)
    };
    let mut out = Vec::with_capacity(rows);
    let mut at = data_start;
    let mut row = Vec::with_capacity(cols);
    for k in 0..nitems {
        let is_null = bitmap.is_some_and(|b| {
            let byte = payload
                .get(b + k / 8)
                .unwrap_or_else(|| invalid_parameter(format!("{what}: malformed array")));
            byte & (1 << (k % 8)) == 0
        });
        let v = if is_null {
            f64::NAN
        } else {
            let s = payload
                .get(at..at + 8)
                .unwrap_or_else(|| invalid_parameter(format!("{what}: malformed array")));
            at += 8;
            f64::from_ne_bytes(s.try_into().expect("8 bytes"))
        };
        row.push(v);
        if row.len() == cols {
            out.push(std::mem::replace(&mut row, Vec::with_capacity(cols)));
        }
    }
    out
}
