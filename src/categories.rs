//! `mlobs.categories`: category_agg(text), rollup, accessors, drift.

use crate::errors::{bigint, required, OrRaise};
use mlobs_core::categories::Categories as CoreCategories;
use mlobs_core::category_counter::CategoryCounter;
use mlobs_core::drift::run::drift_category_summaries;
use pgrx::prelude::*;

crate::summary_type!(
    Categories,
    CoreCategories,
    state = CategoryCounter,
    "mlobs.categories",
    mlobs_categories
);

crate::v1!(
    mlobs_categories_trans,
    pg_finfo_mlobs_categories_trans,
    |fcinfo| {
        let value = crate::agg::text_arg(fcinfo, 1);
        crate::agg::transition(
            fcinfo,
            "mlobs.categories_trans",
            CategoryCounter::default,
            |c: &mut CategoryCounter| c.add(value),
        )
    }
);

const NAME: &str = "mlobs.categories";

/// Non-NULL values counted (kept categories and `other`).
#[pg_extern(immutable, parallel_safe, name = "count")]
fn categories_count(c: Categories) -> i64 {
    bigint(c.0.total(), NAME, "count")
}

#[pg_extern(immutable, parallel_safe, name = "null_count")]
fn categories_null_count(c: Categories) -> i64 {
    bigint(c.0.null_count, NAME, "null_count")
}

/// Values not kept as their own category (beyond the cap of 10 000, or longer than 1 KiB).
#[pg_extern(immutable, parallel_safe)]
fn other_count(c: Categories) -> i64 {
    bigint(c.0.other_count, NAME, "other_count")
}

/// Distinct categories kept.
#[pg_extern(immutable, parallel_safe)]
fn distinct_count(c: Categories) -> i64 {
    c.0.counts.len() as i64
}

/// Category → count as jsonb.
#[pg_extern(immutable, parallel_safe)]
fn category_counts(c: Categories) -> pgrx::JsonB {
    pgrx::JsonB(serde_json::to_value(&c.0.counts).expect("counts serialize"))
}

/// Drift between two category summaries with a method of `mlobs.drift_methods()` whose inputs
/// include 'categories' ('auto' as Evidently's categorical branch). Empty sides give NULL.
#[pg_extern(immutable, parallel_safe, name = "drift")]
fn drift_of_categories(
    reference: Option<Categories>,
    current: Option<Categories>,
    method: default!(Option<crate::db_text::DbStr<'_>>, "'auto'"),
    threshold: default!(Option<f64>, "NULL"),
    options: default!(Option<crate::jsonb_arg::JsonbArg>, "'{}'"),
) -> Option<pgrx::composite_type!('static, "mlobs.drift_result")> {
    let method = method.as_deref();
    let method = required(method, "method");
    let options = required(options, "options");
    drift_category_summaries(
        &reference?.0,
        &current?.0,
        method,
        threshold,
        &options.value("options"),
    )
    .or_raise()
    .map(crate::drift::to_tuple)
}
