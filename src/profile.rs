//! `mlobs.profile`: profile_agg(float8), rollup, accessors.

use crate::errors::{bigint, bigint_sum, OrRaise};
use mlobs_core::NumericProfile;
use pgrx::prelude::*;

crate::summary_type!(Profile, NumericProfile, "mlobs.profile", mlobs_profile);

crate::v1!(
    mlobs_profile_trans,
    pg_finfo_mlobs_profile_trans,
    |fcinfo| {
        let value =
            pgrx::fcinfo::pg_getarg_datum(fcinfo, 1).map(|d| f64::from_bits(d.value() as u64));
        crate::agg::transition(
            fcinfo,
            "mlobs.profile_trans",
            NumericProfile::default,
            |p: &mut NumericProfile| p.add(value),
        )
    }
);

const NAME: &str = "mlobs.profile";

/// Finite values summarised.
#[pg_extern(immutable, parallel_safe)]
fn count(p: Profile) -> i64 {
    bigint(p.0.n, NAME, "count")
}

#[pg_extern(immutable, parallel_safe)]
fn null_count(p: Profile) -> i64 {
    bigint(p.0.null_count, NAME, "null_count")
}

#[pg_extern(immutable, parallel_safe)]
fn nan_count(p: Profile) -> i64 {
    bigint(p.0.nan_count, NAME, "nan_count")
}

/// +Infinity and −Infinity values seen.
#[pg_extern(immutable, parallel_safe)]
fn inf_count(p: Profile) -> i64 {
    bigint_sum(&[p.0.pos_inf_count, p.0.neg_inf_count], NAME, "inf_count")
}

/// Rows seen, NULL/NaN/±Infinity included.
#[pg_extern(immutable, parallel_safe)]
fn total_count(p: Profile) -> i64 {
    let q = &p.0;
    bigint_sum(
        &[
            q.n,
            q.null_count,
            q.nan_count,
            q.pos_inf_count,
            q.neg_inf_count,
        ],
        NAME,
        "total_count",
    )
}

#[pg_extern(immutable, parallel_safe)]
fn mean(p: Profile) -> Option<f64> {
    p.0.mean()
}

/// A moment of finite data that exceeds float8 (the data spans nearly its whole range): 22003,
/// as PostgreSQL's own `variance` and `stddev` raise, never +Infinity.
fn finite_moment(v: Option<f64>, what: &str, detail: impl FnOnce() -> String) -> Option<f64> {
    v.inspect(|v| {
        if v.is_infinite() {
            crate::errors::raise(mlobs_core::CoreError::out_of_range(format!(
                "{what} of the profile exceeds the float8 range{}",
                detail()
            )));
        }
    })
}

/// Sample standard deviation (n − 1), as PostgreSQL's `stddev`.
#[pg_extern(immutable, parallel_safe)]
fn stddev(p: Profile) -> Option<f64> {
    finite_moment(p.0.stddev(), "stddev", String::new)
}

/// Population standard deviation (n), as numpy's `std`.
#[pg_extern(immutable, parallel_safe)]
fn stddev_pop(p: Profile) -> Option<f64> {
    finite_moment(p.0.stddev_pop(), "stddev_pop", String::new)
}

/// Sample variance (n − 1), as PostgreSQL's `variance`.
#[pg_extern(immutable, parallel_safe)]
fn variance(p: Profile) -> Option<f64> {
    finite_moment(p.0.variance(), "variance", || match p.0.stddev() {
        Some(sd) if sd.is_finite() => format!(" (stddev is {sd:e})"),
        _ => String::new(),
    })
}

#[pg_extern(immutable, parallel_safe)]
fn min(p: Profile) -> Option<f64> {
    p.0.min
}

#[pg_extern(immutable, parallel_safe)]
fn max(p: Profile) -> Option<f64> {
    p.0.max
}

/// Quantile from the sketch (numpy "linear" interpolation); within 1 % of the magnitude of the
/// true neighbouring order statistics; q = 0 and q = 1 are the exact min and max.
#[pg_extern(immutable, parallel_safe)]
fn quantile(p: Profile, q: f64) -> Option<f64> {
    p.0.quantile(q).or_raise()
}

/// Several quantiles at once.
#[pg_extern(immutable, parallel_safe, name = "quantile")]
fn quantiles(p: Profile, q: Vec<Option<f64>>) -> Option<Vec<f64>> {
    let q = crate::errors::no_null_elements(q, "q");
    q.iter().map(|&q| p.0.quantile(q).or_raise()).collect()
}

/// Distinct non-NULL values, as `count(DISTINCT x)` counts them (NaN, +Infinity and −Infinity
/// one each): exact up to 256 distinct finite values, else a HyperLogLog estimate (relative
/// standard error 1.625 %). NULL for a profile stored before 0.3.0, or merged with one. Named
/// after `pg_stats.n_distinct`: `mlobs.distinct_count` is the categories' accessor, and an
/// overload would make the 0.2.0 call `mlobs.distinct_count(NULL)` ambiguous.
#[pg_extern(immutable, parallel_safe)]
fn n_distinct(p: Profile) -> Option<i64> {
    p.0.distinct_count().map(|c| c as i64)
}

/// `{lower, upper}` around `n_distinct`: equal when exact, else ±3 standard errors.
#[pg_extern(immutable, parallel_safe)]
fn n_distinct_bounds(p: Profile) -> Option<Vec<i64>> {
    p.0.distinct_count_bounds()
        .map(|(lo, hi)| vec![lo as i64, hi as i64])
}

/// Whether `n_distinct` is exact (at most 256 distinct finite values).
#[pg_extern(immutable, parallel_safe)]
fn n_distinct_is_exact(p: Profile) -> Option<bool> {
    p.0.distinct_is_exact()
}
