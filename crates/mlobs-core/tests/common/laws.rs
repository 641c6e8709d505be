//! The merge laws every `Summary` promises, as one generic check (used by tests/merge_laws.rs and
//! tests/merge_laws_metrics.rs here and by mlobs-explain's tests/merge_laws.rs through `#[path]`):
//!
//! - union: merge(of(a), of(b)) is of(a ∪ b), the one-pass summary of both;
//! - commutative: merge(of(a), of(b)) is merge(of(b), of(a));
//! - associative: merge(merge(a, b), c) is merge(a, merge(b, c));
//! - identity: the summary of no rows (the aggregate's initial state) changes nothing, on
//!   either side;
//! - round trips: `to_bytes`/`from_bytes` and `to_json`/`from_json` give back the same bytes,
//!   and every state passes `validate`.
//!
//! "is" means the type's `same`: exact, or within the error the type documents (float rounding
//! of sums and moments; a sample kept in row order compares as a multiset).

#![allow(dead_code)] // each test binary uses a subset

use mlobs_core::Summary;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::fmt::Debug;

/// Rows per side: enough for ties, duplicates and every branch, few enough for a fast suite.
pub const ROWS: std::ops::Range<usize> = 0..40;

/// Three row sets: a, b and c.
pub type Three<R> = (Vec<R>, Vec<R>, Vec<R>);

/// Three row sets of the rows `row()` generates.
pub fn three<S: Strategy>(row: impl Fn() -> S) -> impl Strategy<Value = Three<S::Value>> {
    (vec(row(), ROWS), vec(row(), ROWS), vec(row(), ROWS))
}

/// Numbers as SQL hands them over: ordinary, tiny, any bit pattern, NULL, NaN, ±Infinity, ±0.
pub fn sql_number() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        20 => (-1e6f64..1e6).prop_map(Some),
        4 => (-1e-3f64..1e-3).prop_map(Some),
        2 => prop::num::f64::ANY.prop_map(Some),
        1 => Just(None),
        1 => Just(Some(f64::NAN)),
        1 => Just(Some(f64::INFINITY)),
        1 => Just(Some(f64::NEG_INFINITY)),
        1 => Just(Some(0.0)),
        1 => Just(Some(-0.0)),
    ]
}

/// `Ok` when two states stand for the same summary, else what differs.
pub type Same<S> = fn(&S, &S) -> Result<(), String>;

fn merged<S: Summary + Debug>(a: &S, b: &S, what: &str) -> Result<S, TestCaseError> {
    let mut m = a.clone();
    m.merge(b)
        .map_err(|e| TestCaseError::fail(format!("{what}: merge failed: {e:?}")))?;
    Ok(m)
}

fn expect<S: Debug>(same: Same<S>, law: &str, got: &S, want: &S) -> Result<(), TestCaseError> {
    same(got, want)
        .map_err(|e| TestCaseError::fail(format!("{law}: {e}\n  got:  {got:?}\n  want: {want:?}")))
}

/// The bytes and the text form give back the same state, and the state is valid.
pub fn round_trips<S: Summary + Debug>(s: &S) -> Result<(), TestCaseError> {
    let name = S::NAME;
    s.validate()
        .map_err(|e| TestCaseError::fail(format!("{name}: invalid state {s:?}: {e}")))?;
    let bytes = s.to_bytes();
    let text = s.to_json();
    let decoded = [
        ("bytes", S::from_bytes(&bytes)),
        ("text", S::from_json(&text)),
    ];
    for (form, back) in decoded {
        let back =
            back.map_err(|e| TestCaseError::fail(format!("{name}: {form}: {e:?} ({text})")))?;
        if back.to_bytes() != bytes {
            return Err(TestCaseError::fail(format!(
                "{name}: {form} do not round trip: {s:?} -> {back:?}"
            )));
        }
    }
    Ok(())
}

/// Every law for the summaries `of` makes of the row sets `a`, `b` and `c`.
pub fn merge_laws<S: Summary + Debug, R: Clone>(
    of: impl Fn(&[R]) -> S,
    same: Same<S>,
    a: &[R],
    b: &[R],
    c: &[R],
) -> Result<(), TestCaseError> {
    let name = S::NAME;
    let (sa, sb, sc) = (of(a), of(b), of(c));
    let ab = merged(&sa, &sb, name)?;

    let union: Vec<R> = a.iter().chain(b).cloned().collect();
    expect(
        same,
        &format!("{name}: merge(a, b) = of(a ∪ b)"),
        &ab,
        &of(&union),
    )?;

    let ba = merged(&sb, &sa, name)?;
    expect(
        same,
        &format!("{name}: merge(a, b) = merge(b, a)"),
        &ab,
        &ba,
    )?;

    let ab_c = merged(&ab, &sc, name)?;
    let a_bc = merged(&sa, &merged(&sb, &sc, name)?, name)?;
    expect(
        same,
        &format!("{name}: merge(merge(a, b), c) = merge(a, merge(b, c))"),
        &ab_c,
        &a_bc,
    )?;

    let empty = of(&[]);
    expect(
        same,
        &format!("{name}: merge(a, empty) = a"),
        &merged(&sa, &empty, name)?,
        &sa,
    )?;
    expect(
        same,
        &format!("{name}: merge(empty, a) = a"),
        &merged(&empty, &sa, name)?,
        &sa,
    )?;

    for s in [&empty, &sa, &ab, &ab_c] {
        round_trips(s)?;
    }
    Ok(())
}

/// `Ok` when `a == b`, else both (for the types whose merge is exact).
pub fn exact<S: PartialEq + Debug>(a: &S, b: &S) -> Result<(), String> {
    if a == b {
        Ok(())
    } else {
        Err("not equal".into())
    }
}

/// Float rounding: |a − b| ≤ rel · scale (scale at least 1e-300). Non-finite values (sums
/// that overflow float8) must agree exactly.
pub fn close(what: &str, a: f64, b: f64, rel: f64, scale: f64) -> Result<(), String> {
    let ok = if a.is_finite() && b.is_finite() && scale.is_finite() {
        (a - b).abs() <= rel * scale.max(1e-300)
    } else {
        !a.is_finite() && !b.is_finite() || a == b
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{what}: {a:e} vs {b:e} (allowed {:e})",
            rel * scale
        ))
    }
}

/// Relative error of a float sum of n terms with Σ|terms| = scale: n·ε·scale bounds it; 1e-12
/// leaves room for any row count a property test generates (up to ~4500 rows).
pub const SUM_REL: f64 = 1e-12;

/// Two equal values, or what differs.
pub fn eq<T: PartialEq + Debug>(what: &str, a: T, b: T) -> Result<(), String> {
    if a == b {
        Ok(())
    } else {
        Err(format!("{what}: {a:?} vs {b:?}"))
    }
}

/// A sample kept in row order, as the multiset it stands for (bitwise, in total order).
pub fn multiset(v: &[f64]) -> Vec<u64> {
    let mut bits: Vec<f64> = v.to_vec();
    bits.sort_by(f64::total_cmp);
    bits.into_iter().map(f64::to_bits).collect()
}
