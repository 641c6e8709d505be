//! Reading a jsonb argument without pgrx's conversion, which panics (an internal error, XX000)
//! on valid jsonb that serde_json cannot represent: numbers beyond float8's range (1e400) and
//! nesting deeper than serde_json's 128 levels. The aggregates over a prediction log read every
//! payload through here, so one such row is a clear ERROR naming the argument.

use crate::errors::invalid_parameter;
use pgrx::pg_sys;
use serde_json::Value;
use std::ffi::CStr;

/// Argument `i` (a jsonb) as a serde_json value; `None` when NULL.
///
/// # Safety
/// Argument `i` of `fcinfo` must be a jsonb.
pub unsafe fn jsonb_arg(fcinfo: pg_sys::FunctionCallInfo, i: usize, arg: &str) -> Option<Value> {
    let datum = unsafe { pgrx::fcinfo::pg_getarg_datum(fcinfo, i) }?;
    let text: &CStr = unsafe { pgrx::direct_function_call(pg_sys::jsonb_out, &[Some(datum)]) }
        .expect("jsonb_out");
    let text = text
        .to_str()
        .unwrap_or_else(|_| invalid_parameter(format!("{arg}: not valid UTF-8")));
    Some(serde_json::from_str(text).unwrap_or_else(|e| {
        invalid_parameter(format!(
            "{arg}: this jsonb value cannot be read ({e}); numbers must fit in float8 and nesting must stay within 128 levels"
        ))
    }))
}
