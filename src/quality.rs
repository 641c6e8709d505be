//! Data quality in SQL: outlier fences and counts, checks on profiles and category counts,
//! payload schemas (schema_of, schema_violations, schema_violations_agg) and quality_report.

use crate::agg::{f64_arg, finalize_with, transition};
use crate::categories::Categories;
use crate::errors::{required, OrRaise};
use crate::features::FeatureProfiles;
use crate::jsonb_arg::{JsonbArg, Payload};
use crate::profile::Profile;
use mlobs_core::quality::checks;
use mlobs_core::quality::{
    fences_from_profile, fences_from_values, outside_share_estimate, quality_report as core_report,
    FenceMethod, Fences, QualityOptions, Schema, ViolationCounts,
};
use pgrx::prelude::*;
use pgrx::JsonB;

type FencesTuple = pgrx::composite_type!('static, "mlobs.fences");

fn fences_tuple(f: Fences) -> FencesTuple {
    crate::composite!("mlobs.fences" { lower: f.lower, upper: f.upper })
}

/// The default k: 1.5 for IQR fences, 3 for z-scores.
fn method_and_k(method: Option<&str>, k: Option<f64>) -> (FenceMethod, f64) {
    let m = FenceMethod::parse(required(method, "method")).or_raise();
    let k = k.unwrap_or(match m {
        FenceMethod::Iqr => 1.5,
        FenceMethod::ZScore | FenceMethod::ZScoreSample => 3.0,
    });
    (m, k)
}

/// Outlier fences of a reference profile: IQR (q25 − k·IQR, q75 + k·IQR; quantiles from the
/// sketch, within 1 %) or z-score (mean ± k·σ_pop, exact). NULL for an empty profile.
#[pg_extern(immutable, parallel_safe)]
fn outlier_fences(
    reference: Option<Profile>,
    method: default!(Option<crate::db_text::DbStr<'_>>, "'iqr'"),
    k: default!(Option<f64>, "NULL"),
) -> Option<pgrx::composite_type!('static, "mlobs.fences")> {
    let method = method.as_deref();
    let (m, k) = method_and_k(method, k);
    fences_from_profile(&reference?.0, m, k)
        .or_raise()
        .map(fences_tuple)
}

/// Exact outlier fences of reference values (numpy-linear quartiles; NaN/±Inf skipped).
#[pg_extern(immutable, parallel_safe, name = "outlier_fences")]
fn outlier_fences_of_values(
    reference: Option<Vec<Option<f64>>>,
    method: default!(Option<crate::db_text::DbStr<'_>>, "'iqr'"),
    k: default!(Option<f64>, "NULL"),
) -> Option<pgrx::composite_type!('static, "mlobs.fences")> {
    let method = method.as_deref();
    let (m, k) = method_and_k(method, k);
    let values: Vec<f64> = reference?.into_iter().flatten().collect();
    fences_from_values(&values, m, k)
        .or_raise()
        .map(fences_tuple)
}

// outlier_count_agg(x, lower, upper): exact count of x < lower or x > upper. State int8,
// STRICT transition (rows with a NULL value or fence are skipped), combined with int8pl.
crate::v1!(
    mlobs_outlier_count_trans,
    pg_finfo_mlobs_outlier_count_trans,
    |fcinfo| {
        let count = crate::agg::i64_arg(fcinfo, 0).unwrap_or(0);
        let (x, lower, upper) = (f64_arg(fcinfo, 1), f64_arg(fcinfo, 2), f64_arg(fcinfo, 3));
        let outside = match (x, lower, upper) {
            (Some(x), Some(l), Some(u)) => (x < l || x > u) as i64,
            _ => 0,
        };
        // Checked: the state is an ordinary int8 argument a caller can pass directly.
        let total = count.checked_add(outside).unwrap_or_else(|| {
            crate::errors::raise(mlobs_core::CoreError::limit_exceeded(
                "outlier count out of range for bigint",
            ))
        });
        pg_sys::Datum::from(total)
    }
);

/// Estimated share of a profile's finite values outside [lower, upper], from the sketch.
/// Exactly 0 when min and max lie inside; otherwise only values within 1 % (relative) of a fence
/// can be misclassified — `outside_share_bounds` gives the guaranteed interval.
#[pg_extern(immutable, parallel_safe)]
fn outside_share(current: Profile, lower: f64, upper: f64) -> Option<f64> {
    outside_share_estimate(&current.0, lower, upper).map(|e| e.share())
}

/// `{lower, upper}` bounds on the exact share of values outside [lower, upper].
#[pg_extern(immutable, parallel_safe)]
fn outside_share_bounds(current: Profile, lower: f64, upper: f64) -> Option<Vec<f64>> {
    outside_share_estimate(&current.0, lower, upper).map(|e| {
        let (lo, hi) = e.share_bounds();
        vec![lo, hi]
    })
}

/// Share of the current profile's values outside the reference's [min, max] (estimate as
/// `outside_share`).
#[pg_extern(immutable, parallel_safe)]
fn out_of_range_share(reference: Profile, current: Profile) -> Option<f64> {
    checks::out_of_range(&reference.0, &current.0).map(|e| e.share())
}

/// (NULL + NaN + ±Infinity) / all rows, as Evidently counts missing numeric values.
#[pg_extern(immutable, parallel_safe)]
fn missing_share(p: Profile) -> Option<f64> {
    checks::missing_share(&p.0)
}

/// (NULL + empty string) / all rows of a categorical column.
#[pg_extern(immutable, parallel_safe, name = "missing_share")]
fn categories_missing_share(c: Categories) -> Option<f64> {
    checks::categories_missing_share(&c.0)
}

/// Categories of the current window never seen in the reference, sorted; NULL when a summary is
/// capped so that the list would be wrong (see checks::new_categories).
#[pg_extern(immutable, parallel_safe)]
fn new_categories(reference: Categories, current: Categories) -> Option<Vec<String>> {
    checks::new_categories(&reference.0, &current.0).map(|n| n.keys)
}

/// Share of the current window's non-NULL values whose category is not in the reference; NULL
/// as `new_categories`, or when the current window has no non-NULL value.
#[pg_extern(immutable, parallel_safe)]
fn new_category_share(reference: Categories, current: Categories) -> Option<f64> {
    checks::new_categories(&reference.0, &current.0).and_then(|n| n.share)
}

/// Share of the most frequent category among non-NULL values.
#[pg_extern(immutable, parallel_safe)]
fn top_share(c: Categories) -> Option<f64> {
    checks::categories_constant(&c.0, checks::ALMOST_CONSTANT_THRESHOLD)
        .or_raise()
        .map(|k| k.top_share)
}

/// Top category share ≥ threshold (Evidently's "almost constant", 0.95).
#[pg_extern(immutable, parallel_safe)]
fn almost_constant(c: Categories, threshold: default!(f64, 0.95)) -> Option<bool> {
    checks::categories_constant(&c.0, threshold)
        .or_raise()
        .map(|k| k.almost_constant)
}

/// For a numeric profile: constant is exact (min = max); almost-constant reads the sketch's
/// largest bucket share, an upper bound on the top value's share, so it may over-flag.
#[pg_extern(immutable, parallel_safe, name = "almost_constant")]
fn profile_almost_constant(p: Profile, threshold: default!(f64, 0.95)) -> Option<bool> {
    checks::numeric_constant(&p.0, threshold)
        .or_raise()
        .map(|k| k.almost_constant)
}

/// Whether every finite value of the profile is the same (min = max).
#[pg_extern(immutable, parallel_safe)]
fn is_constant(p: Profile) -> Option<bool> {
    checks::numeric_constant(&p.0, checks::ALMOST_CONSTANT_THRESHOLD)
        .or_raise()
        .map(|k| k.constant)
}

// --- schemas ------------------------------------------------------------------------------------

/// The schema a reference window's payloads follow: per key its JSON type, whether it is
/// required and nullable, numeric range and category set.
#[pg_extern(immutable, parallel_safe)]
fn schema_of(reference: FeatureProfiles) -> JsonB {
    JsonB(mlobs_core::quality::schema_of(&reference.0))
}

/// Violations of one payload against a schema, as a jsonb array of {key, kind, ...}; `[]` when
/// valid. A malformed schema is an ERROR naming the path.
#[pg_extern(immutable, parallel_safe)]
fn schema_violations(features: Option<JsonbArg>, schema: Option<JsonbArg>) -> JsonB {
    let schema = Schema::parse(&required(schema, "schema").value("schema")).or_raise();
    match features {
        Some(f) => JsonB(schema.violations_json(&f.value("features"))),
        None => JsonB(serde_json::json!([{"key": "", "kind": "not_an_object", "got": "null"}])),
    }
}

/// The schema argument, parsed once per query (see `arg_cache`).
unsafe fn schema_arg<'a>(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> &'a Schema {
    let schema = unsafe {
        crate::arg_cache::cached_arg(fcinfo, i, |_| {
            let json = crate::jsonb_arg::jsonb_arg(fcinfo, i, "schema");
            Schema::parse(&json.expect("not NULL")).or_raise()
        })
    };
    schema.unwrap_or_else(|| crate::errors::invalid_parameter("schema must not be NULL"))
}

crate::state_functions!(ViolationCounts, mlobs_violations);

crate::v1!(
    mlobs_violations_trans,
    pg_finfo_mlobs_violations_trans,
    |fcinfo| {
        let schema = schema_arg(fcinfo, 2);
        let payload = crate::jsonb_arg::payload_arg(fcinfo, 1, "features");
        transition(
            fcinfo,
            "mlobs.schema_violations_agg",
            ViolationCounts::default,
            |c: &mut ViolationCounts| {
                match payload {
                    Payload::Object(entries) => c.add_entries(schema, entries),
                    Payload::NotAnObject => c.add_non_object(),
                }
                .or_raise()
            },
        )
    }
);

crate::v1!(
    mlobs_violations_final,
    pg_finfo_mlobs_violations_final,
    |fcinfo| {
        finalize_with(fcinfo, |c: &ViolationCounts| {
            Some(JsonB(c.to_report_json()))
        })
    }
);

/// One row per feature and check of the current window against the reference (see
/// docs/quality.md for the checks and the `options` thresholds).
#[pg_extern(immutable, parallel_safe)]
#[allow(clippy::type_complexity)]
fn quality_report(
    reference: FeatureProfiles,
    current: FeatureProfiles,
    options: default!(crate::jsonb_arg::JsonbArg, "'{}'"),
) -> TableIterator<
    'static,
    (
        name!(feature, String),
        name!(check_name, String),
        name!(value, Option<f64>),
        name!(reference_value, Option<f64>),
        name!(threshold, Option<f64>),
        name!(flagged, Option<bool>),
    ),
> {
    let options = QualityOptions::from_json(&options.value("options")).or_raise();
    let rows = core_report(&reference.0, &current.0, &options).or_raise();
    TableIterator::new(rows.into_iter().map(|r| {
        (
            r.feature,
            r.check.to_string(),
            r.value,
            r.reference_value,
            r.threshold,
            r.flagged,
        )
    }))
}
