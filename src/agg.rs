//! Aggregate plumbing shared by every summary: the state is a core struct owned by the
//! aggregate memory context (dropped by a reset callback when Postgres frees that context, also
//! on error), and combine / serialize / deserialize / final work for any `Summary`.
//!
//! Why hand-written support functions instead of `#[pg_aggregate]`: pgrx 0.18.1 cannot build a
//! parallel aggregate with an `internal` state (the deserial function is not generated), and its
//! array-state fallback runs ~7× slower than `avg()`.

use crate::errors::OrRaise;
use crate::varlena_io::{bytes_to_datum, varlena_bytes};
use mlobs_core::Summary;
use pgrx::fcinfo::{pg_getarg_datum, pg_return_null};
use pgrx::pg_sys;
use pgrx::prelude::*;
use pgrx::PgMemoryContexts;

/// The aggregate memory context, or an ERROR when a support function is called directly.
///
/// # Safety
/// `fcinfo` must be the call's valid FunctionCallInfo.
#[inline]
pub unsafe fn agg_context(
    fcinfo: pg_sys::FunctionCallInfo,
    function: &str,
) -> pg_sys::MemoryContext {
    let mut ctx: pg_sys::MemoryContext = std::ptr::null_mut();
    if unsafe { pg_sys::AggCheckCallContext(fcinfo, &mut ctx) } == 0 {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            format!("{function} can only be called as part of an aggregate")
        );
    }
    ctx
}

/// Moves `value` into `ctx`: it is dropped when Postgres resets or deletes that context.
#[inline]
pub fn new_state<T>(ctx: pg_sys::MemoryContext, value: T) -> *mut T {
    PgMemoryContexts::For(ctx).leak_and_drop_on_delete(value)
}

/// The state behind an `internal` argument, if not NULL.
///
/// # Safety
/// Argument `i` must be an `internal` that this module created for type `T`.
#[inline]
pub unsafe fn state_arg<'a, T>(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<&'a mut T> {
    unsafe { pg_getarg_datum(fcinfo, i).map(|d| &mut *d.cast_mut_ptr::<T>()) }
}

/// Transition: fetch or create the state (argument 0), then apply `step`.
///
/// # Safety
/// As for `state_arg`.
#[inline]
pub unsafe fn transition<T>(
    fcinfo: pg_sys::FunctionCallInfo,
    function: &str,
    init: impl FnOnce() -> T,
    step: impl FnOnce(&mut T),
) -> pg_sys::Datum {
    let state: *mut T = match unsafe { state_arg::<T>(fcinfo, 0) } {
        Some(s) => s,
        None => new_state(unsafe { agg_context(fcinfo, function) }, init()),
    };
    step(unsafe { &mut *state });
    pg_sys::Datum::from(state)
}

/// A count overflow of a merge names the summary type (the core's message cannot know which
/// rollup it is in); other merge errors already say what disagrees and are left as they are.
fn name_overflow<T: Summary>(e: mlobs_core::CoreError) -> mlobs_core::CoreError {
    if e.kind == mlobs_core::ErrorKind::OutOfRange {
        e.in_summary(T::NAME)
    } else {
        e
    }
}

/// Rollup transition: merge a stored summary (argument 1) into the state; NULL summaries skip.
///
/// # Safety
/// As for `state_arg`; argument 1 must be a varlena of the summary's SQL type.
pub unsafe fn rollup_transition<T: Summary>(
    fcinfo: pg_sys::FunctionCallInfo,
    function: &str,
) -> pg_sys::Datum {
    let ctx = unsafe { agg_context(fcinfo, function) };
    let state = unsafe { state_arg::<T>(fcinfo, 0) };
    let Some(datum) = (unsafe { pg_getarg_datum(fcinfo, 1) }) else {
        return match state {
            Some(s) => pg_sys::Datum::from(s as *mut T),
            None => unsafe { pg_return_null(fcinfo) },
        };
    };
    let incoming = T::from_bytes(unsafe { varlena_bytes(datum) }).or_raise();
    match state {
        Some(s) => {
            s.merge(&incoming).map_err(name_overflow::<T>).or_raise();
            pg_sys::Datum::from(s as *mut T)
        }
        None => pg_sys::Datum::from(new_state(ctx, incoming)),
    }
}

/// Combine two partial states. Never returns its second input: that one lives in another
/// context, so a copy is made in the aggregate context instead.
///
/// # Safety
/// As for `state_arg`.
pub unsafe fn combine<T: Summary>(
    fcinfo: pg_sys::FunctionCallInfo,
    function: &str,
) -> pg_sys::Datum {
    let ctx = unsafe { agg_context(fcinfo, function) };
    let a = unsafe { state_arg::<T>(fcinfo, 0) };
    let b = unsafe { state_arg::<T>(fcinfo, 1) };
    match (a, b) {
        (None, None) => unsafe { pg_return_null(fcinfo) },
        (None, Some(b)) => {
            b.settle();
            pg_sys::Datum::from(new_state(ctx, b.clone()))
        }
        (Some(a), None) => pg_sys::Datum::from(a as *mut T),
        (Some(a), Some(b)) => {
            b.settle();
            a.merge(b).map_err(name_overflow::<T>).or_raise();
            pg_sys::Datum::from(a as *mut T)
        }
    }
}

/// Serialize (STRICT): the versioned binary form as bytea.
///
/// # Safety
/// As for `state_arg`.
pub unsafe fn serialize<T: Summary>(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    let state = unsafe { state_arg::<T>(fcinfo, 0) }.expect("serialize is STRICT");
    state.settle();
    bytes_to_datum(&state.to_bytes())
}

/// Deserialize (STRICT): validates every byte; the state lives in the current memory context.
///
/// # Safety
/// Argument 0 must be a bytea.
pub unsafe fn deserialize<T: Summary>(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    let datum = unsafe { pg_getarg_datum(fcinfo, 0) }.expect("deserialize is STRICT");
    let value = T::from_bytes(unsafe { varlena_bytes(datum) }).or_raise();
    pg_sys::Datum::from(new_state(unsafe { pg_sys::CurrentMemoryContext }, value))
}

/// Final (STRICT, read-only): the state as the summary's SQL type.
///
/// # Safety
/// As for `state_arg`.
pub unsafe fn finalize<T: Summary>(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
    let state = unsafe { state_arg::<T>(fcinfo, 0) }.expect("final is STRICT");
    // Settling leaves the value as it was (the state stays usable: READ_ONLY holds).
    state.settle();
    bytes_to_datum(&state.to_bytes())
}

/// Final (STRICT, read-only) computing a value from the state; `None` returns SQL NULL.
///
/// # Safety
/// As for `state_arg`.
pub unsafe fn finalize_with<T, R: IntoDatum>(
    fcinfo: pg_sys::FunctionCallInfo,
    f: impl FnOnce(&T) -> Option<R>,
) -> pg_sys::Datum {
    let state = unsafe { state_arg::<T>(fcinfo, 0) }.expect("final is STRICT");
    match f(state).and_then(IntoDatum::into_datum) {
        Some(d) => d,
        None => unsafe { pg_return_null(fcinfo) },
    }
}

/// Argument `i` as float8, `None` when NULL.
///
/// # Safety
/// Argument `i` must be a float8.
#[inline]
pub unsafe fn f64_arg(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<f64> {
    unsafe { pg_getarg_datum(fcinfo, i) }.map(|d| f64::from_bits(d.value() as u64))
}

/// Argument `i` as int8, `None` when NULL.
///
/// # Safety
/// Argument `i` must be an int8.
#[inline]
pub unsafe fn i64_arg(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<i64> {
    unsafe { pg_getarg_datum(fcinfo, i) }.map(|d| d.value() as i64)
}

/// Argument `i` as bool, `None` when NULL.
///
/// # Safety
/// Argument `i` must be a bool.
#[inline]
pub unsafe fn bool_arg(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<bool> {
    unsafe { pg_getarg_datum(fcinfo, i) }.map(|d| d.value() != 0)
}

/// Argument `i` as int4, `None` when NULL.
///
/// # Safety
/// Argument `i` must be an int4.
#[inline]
pub unsafe fn i32_arg(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<i32> {
    unsafe { pg_getarg_datum(fcinfo, i) }.map(|d| d.value() as i32)
}

/// Argument `i` as text, `None` when NULL, read in place (`varlena_bytes`) instead of through
/// pgrx's `&str` conversion, which detoasts through its `sigsetjmp` guard on every row.
///
/// # Safety
/// Argument `i` must be a text (or varchar) of the current call; the result must not outlive it.
#[inline]
pub unsafe fn text_arg<'a>(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<&'a str> {
    let datum = unsafe { pg_getarg_datum(fcinfo, i) }?;
    let bytes = unsafe { varlena_bytes(datum) };
    Some(crate::jsonb_arg::database_text(bytes, || {
        "text argument".into()
    }))
}
