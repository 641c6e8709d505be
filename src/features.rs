//! `mlobs.feature_profiles`: features_agg(jsonb), rollup, accessors, drift_report, dataset_drift.

use crate::categories::Categories;
use crate::errors::OrRaise;
use crate::jsonb_arg::Payload;
use crate::profile::Profile;
use mlobs_core::drift::report::{
    dataset_drift as core_dataset_drift, drift_report as core_drift_report,
};
use mlobs_core::features::FeatureProfiles as CoreFeatureProfiles;
use pgrx::prelude::*;

crate::summary_type!(
    FeatureProfiles,
    CoreFeatureProfiles,
    "mlobs.feature_profiles",
    mlobs_feature_profiles
);

crate::v1!(
    mlobs_feature_profiles_trans,
    pg_finfo_mlobs_feature_profiles_trans,
    |fcinfo| {
        // Read natively: any nesting depth, numbers beyond float8's range counted as ±Infinity.
        let payload = crate::jsonb_arg::payload_arg(fcinfo, 1, "features");
        crate::agg::transition(
            fcinfo,
            "mlobs.feature_profiles_trans",
            CoreFeatureProfiles::default,
            |f: &mut CoreFeatureProfiles| match payload {
                Payload::Object(entries) => f.add_object(entries),
                Payload::NotAnObject => f.add_non_object(),
            },
        )
    }
);

/// Rows summarised (NULL payloads included).
#[pg_extern(immutable, parallel_safe, name = "count")]
fn feature_profiles_count(f: FeatureProfiles) -> i64 {
    f.0.rows as i64
}

/// The tracked feature keys, in order.
#[pg_extern(immutable, parallel_safe)]
fn features(f: FeatureProfiles) -> Vec<String> {
    f.0.features.str_keys().map(str::to_owned).collect()
}

/// The numeric profile of one feature's numbers; NULL when the key was never seen.
#[pg_extern(immutable, parallel_safe)]
fn feature_profile(f: FeatureProfiles, feature: crate::db_text::DbStr<'_>) -> Option<Profile> {
    let feature: &str = &feature;
    f.0.features
        .get(feature)
        .map(|s| Profile(s.numeric.clone()))
}

/// The category counts of one feature's strings and booleans; NULL when the key was never seen.
#[pg_extern(immutable, parallel_safe)]
fn feature_categories(
    f: FeatureProfiles,
    feature: crate::db_text::DbStr<'_>,
) -> Option<Categories> {
    let feature: &str = &feature;
    f.0.features
        .get(feature)
        .map(|s| Categories(s.categories.clone()))
}

/// Per feature: rows where the key was absent and the JSON types seen.
#[pg_extern(immutable, parallel_safe)]
#[allow(clippy::type_complexity)]
fn feature_types(
    f: FeatureProfiles,
) -> TableIterator<
    'static,
    (
        name!(feature, String),
        name!(kind, String),
        name!(missing, i64),
        name!(number, i64),
        name!(string, i64),
        name!(boolean, i64),
        name!(null, i64),
        name!(object, i64),
        name!(array, i64),
    ),
> {
    let rows: Vec<_> =
        f.0.features
            .iter()
            .map(|(k, s)| {
                let t = s.types;
                (
                    k.to_string(),
                    s.kind().name().to_string(),
                    f.0.missing(k) as i64,
                    t.number as i64,
                    t.string as i64,
                    t.boolean as i64,
                    t.null as i64,
                    t.object as i64,
                    t.array as i64,
                )
            })
            .collect();
    TableIterator::new(rows)
}

/// Whole-input drift: one row per feature of reference ∪ current (docs/drift.md).
#[pg_extern(immutable, parallel_safe)]
#[allow(clippy::type_complexity)]
fn drift_report(
    reference: FeatureProfiles,
    current: FeatureProfiles,
    method: default!(crate::db_text::DbStr<'_>, "'auto'"),
    categorical_method: default!(crate::db_text::DbStr<'_>, "'auto'"),
) -> TableIterator<
    'static,
    (
        name!(feature, String),
        name!(kind, String),
        name!(method, Option<String>),
        name!(statistic, Option<f64>),
        name!(p_value, Option<f64>),
        name!(threshold, Option<f64>),
        name!(drifted, Option<bool>),
    ),
> {
    let (method, categorical_method): (&str, &str) = (&method, &categorical_method);
    let report = core_drift_report(&reference.0, &current.0, method, categorical_method).or_raise();
    TableIterator::new(report.into_iter().map(|f| {
        let r = f.result;
        (
            f.feature,
            f.kind.name().to_string(),
            r.as_ref().map(|r| r.method.to_string()),
            r.as_ref().and_then(|r| r.statistic),
            r.as_ref().and_then(|r| r.p_value),
            r.as_ref().and_then(|r| r.threshold),
            r.as_ref().and_then(|r| r.drifted),
        )
    }))
}

/// Dataset-level verdict: share of judged features that drifted, and whether it reaches
/// `drift_share` (Evidently's DataDriftPreset default 0.5).
#[pg_extern(immutable, parallel_safe)]
fn dataset_drift(
    reference: FeatureProfiles,
    current: FeatureProfiles,
    method: default!(crate::db_text::DbStr<'_>, "'auto'"),
    drift_share: default!(f64, 0.5),
    categorical_method: default!(crate::db_text::DbStr<'_>, "'auto'"),
) -> TableIterator<
    'static,
    (
        name!(drifted_features, i64),
        name!(judged_features, i64),
        name!(share, Option<f64>),
        name!(dataset_drifted, Option<bool>),
    ),
> {
    let method: &str = &method;
    let categorical_method: &str = &categorical_method;
    let report = core_drift_report(&reference.0, &current.0, method, categorical_method).or_raise();
    let (drifted, judged, share, verdict) = core_dataset_drift(&report, drift_share).or_raise();
    TableIterator::once((drifted as i64, judged as i64, share, verdict))
}
