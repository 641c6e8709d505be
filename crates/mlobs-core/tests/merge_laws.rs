//! The merge laws (tests/common/laws.rs) for every summary type of mlobs-core; mlobs-explain's
//! tests/merge_laws.rs covers its `ImportanceState`. Per type: a generator of rows, the
//! one-pass summary of rows, and equality within the type's documented error.

#[path = "common/laws.rs"]
mod laws;

use laws::{close, eq, exact, merge_laws, sql_number as value, three};
use mlobs_core::categories::Categories;
use mlobs_core::category_counter::CategoryCounter;
use mlobs_core::features::FeatureProfiles;
use mlobs_core::payload::Scalar;
use mlobs_core::quality::{Violation, ViolationCounts, ViolationKind};
use mlobs_core::Summary;
use mlobs_core::{Histogram, NumericProfile};
use proptest::collection::vec;
use proptest::prelude::*;

// ---- numeric profile: counts, extremes and sketch exact; Welford/Chan moments up to rounding.

fn profile_of(values: &[Option<f64>]) -> NumericProfile {
    let mut p = NumericProfile::default();
    values.iter().for_each(|&v| p.add(v));
    p
}

/// The moments' tolerance of properties.rs: 1e-9 of the data's magnitude (its square for M2).
fn same_profile(a: &NumericProfile, b: &NumericProfile) -> Result<(), String> {
    eq("n", a.n, b.n)?;
    eq("null_count", a.null_count, b.null_count)?;
    eq("nan_count", a.nan_count, b.nan_count)?;
    eq("pos_inf_count", a.pos_inf_count, b.pos_inf_count)?;
    eq("neg_inf_count", a.neg_inf_count, b.neg_inf_count)?;
    // Bit for bit: min of {0.0, −0.0} is −0.0 and max is 0.0 whatever the row order.
    eq("min", a.min.map(f64::to_bits), b.min.map(f64::to_bits))?;
    eq("max", a.max.map(f64::to_bits), b.max.map(f64::to_bits))?;
    eq("sketch", a.sketch.canonical(), b.sketch.canonical())?;
    eq("scale", a.scale, b.scale)?;
    // The distinct sketch (exact set, then HyperLogLog registers) merges exactly.
    eq("distinct", &a.distinct, &b.distinct)?;
    let scale = b
        .min
        .map_or(1.0, |lo| lo.abs().max(b.max.unwrap().abs()).max(1.0));
    let m = |p: &NumericProfile| p.mean().unwrap_or(0.0);
    close("mean", m(a), m(b), 1e-9, scale)?;
    if b.scale == 0 {
        close("m2", a.m2, b.m2, 1e-9, b.m2.abs().max(scale * scale))?;
    }
    let s = |p: &NumericProfile| p.stddev_pop().unwrap_or(0.0);
    close("stddev_pop", s(a), s(b), 1e-9, scale)
}

// ---- categories (text), feature profiles (JSON payloads), violation counts: exact.

fn category() -> impl Strategy<Value = Option<String>> {
    prop_oneof![8 => "[a-e]{0,2}".prop_map(Some), 1 => Just(None)]
}

fn categories_of(values: &[Option<String>]) -> Categories {
    let mut c = Categories::default();
    values.iter().for_each(|v| c.add(v.as_deref()));
    c
}

#[derive(Debug, Clone)]
enum Json {
    Number(f64),
    String(String),
    Bool(bool),
    Null,
    Object,
    Array,
}

impl Json {
    fn scalar(&self) -> Scalar<'_> {
        match self {
            Json::Number(x) => Scalar::Number(*x),
            Json::String(s) => Scalar::String(s),
            Json::Bool(b) => Scalar::Bool(*b),
            Json::Null => Scalar::Null,
            Json::Object => Scalar::Object,
            Json::Array => Scalar::Array,
        }
    }
}

fn json_value() -> impl Strategy<Value = Json> {
    prop_oneof![
        6 => value().prop_map(|v| Json::Number(v.unwrap_or(0.0))),
        4 => "[a-c]{0,2}".prop_map(Json::String),
        2 => any::<bool>().prop_map(Json::Bool),
        1 => Just(Json::Null),
        1 => Just(Json::Object),
        1 => Just(Json::Array),
    ]
}

/// A row's payload: SQL NULL / not an object, or an object with unique keys.
type Payload = Option<std::collections::BTreeMap<String, Json>>;

fn payload() -> impl Strategy<Value = Payload> {
    prop_oneof![
        1 => Just(None),
        8 => prop::collection::btree_map("[a-e]", json_value(), 0..4).prop_map(Some),
    ]
}

fn features_of(rows: &[Payload]) -> FeatureProfiles {
    let mut f = FeatureProfiles::default();
    for row in rows {
        match row {
            Some(entries) => f.add_object(entries.iter().map(|(k, v)| (k.as_str(), v.scalar()))),
            None => f.add_non_object(),
        }
    }
    f
}

fn same_features(a: &FeatureProfiles, b: &FeatureProfiles) -> Result<(), String> {
    eq("rows", a.rows, b.rows)?;
    eq("non_object_rows", a.non_object_rows, b.non_object_rows)?;
    eq("dropped_keys", a.dropped_keys, b.dropped_keys)?;
    eq(
        "keys",
        a.features.keys().collect::<Vec<_>>(),
        b.features.keys().collect(),
    )?;
    for (key, fa) in &a.features {
        let fb = &b.features[key];
        eq(&format!("{key}: types"), fa.types, fb.types)?;
        eq(
            &format!("{key}: categories"),
            &fa.categories,
            &fb.categories,
        )?;
        same_profile(&fa.numeric, &fb.numeric).map_err(|e| format!("{key}: {e}"))?;
    }
    Ok(())
}

/// A row's violations: distinct (kind, key) pairs (a row has at most one of each), the empty
/// key for `not_an_object`, sometimes a key too long to count by name.
fn violations() -> impl Strategy<Value = Vec<(usize, String)>> {
    let key = prop_oneof![8 => "[a-d]{0,1}", 1 => Just("k".repeat(300))];
    prop::collection::btree_set((0..ViolationKind::ALL.len(), key), 0..4).prop_map(|set| {
        let fixed: std::collections::BTreeSet<(usize, String)> = set
            .into_iter()
            .map(|(k, key)| {
                let not_an_object = ViolationKind::ALL[k] == ViolationKind::NotAnObject;
                (k, if not_an_object { String::new() } else { key })
            })
            .collect();
        fixed.into_iter().collect()
    })
}

fn violation_counts_of(rows: &[Vec<(usize, String)>]) -> ViolationCounts {
    let mut c = ViolationCounts::default();
    for row in rows {
        let v: Vec<Violation> = row
            .iter()
            .map(|(k, key)| Violation {
                kind: ViolationKind::ALL[*k],
                key: key.clone(),
            })
            .collect();
        c.add_violations(&v).unwrap();
    }
    c
}

fn histogram_of(edges: &[f64], values: &[Option<f64>]) -> Histogram {
    let mut h = Histogram::new(edges.to_vec(), "edges").unwrap();
    values.iter().for_each(|&v| h.add(v));
    h
}

/// Strictly increasing finite edges, 2 to 8 of them.
fn edges() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        Just(vec![-10.0, -1.0, 0.0, 1.0, 10.0, 1000.0]),
        vec(-1e6f64..1e6, 2..8).prop_filter_map("distinct edges", |mut e| {
            e.sort_by(f64::total_cmp);
            e.dedup();
            (e.len() >= 2).then_some(e)
        }),
    ]
}

/// Up to 600 multiples of 0.25 among 900: a few hundred distinct values.
fn quarters() -> impl Strategy<Value = Vec<Option<f64>>> {
    vec((0i32..900).prop_map(|k| Some(f64::from(k) * 0.25)), 0..600)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn numeric_profile((a, b, c) in three(value)) {
        merge_laws(profile_of, same_profile, &a, &b, &c)?;
    }

    /// Up to 600 values a side from a few hundred integers: the distinct sketch crosses from the
    /// exact set to the HyperLogLog in a side, in a merge, or not at all.
    #[test]
    fn numeric_profile_distinct_sketch(
        a in quarters(), b in quarters(), c in quarters()
    ) {
        merge_laws(profile_of, same_profile, &a, &b, &c)?;
    }

    #[test]
    fn histogram(e in edges(), (a, b, c) in three(value)) {
        merge_laws(|v: &[Option<f64>]| histogram_of(&e, v), exact, &a, &b, &c)?;
    }

    #[test]
    fn categories((a, b, c) in three(category)) {
        merge_laws(categories_of, exact, &a, &b, &c)?;
    }

    #[test]
    fn feature_profiles((a, b, c) in three(payload)) {
        merge_laws(features_of, same_features, &a, &b, &c)?;
    }

    #[test]
    fn violation_counts((a, b, c) in three(violations)) {
        merge_laws(violation_counts_of, exact, &a, &b, &c)?;
    }
}

/// Shrunk failures that properties.rs's profile law tests persisted (before the laws moved
/// here): data beyond 2^440 (scaled moments) next to zero.
#[test]
fn numeric_profile_regressions() {
    let cases: [[&[Option<f64>]; 3]; 3] = [
        [&[Some(5.484101622614932e208), Some(0.0)], &[], &[]],
        [&[Some(9.366991707372056e257)], &[Some(0.0)], &[]],
        [&[Some(0.0), Some(-0.0)], &[Some(-0.0)], &[Some(0.0)]],
    ];
    for [a, b, c] in cases {
        merge_laws(profile_of, same_profile, a, b, c).unwrap();
    }
}

/// The caps, where the smallest keys are kept and the rest counted apart: the laws still hold
/// (a, b and c overlap, and each alone stays under the cap while their union does not).
#[test]
fn laws_at_the_caps() {
    use mlobs_core::categories::MAX_CATEGORIES;
    use mlobs_core::features::MAX_FEATURES;
    let keys = |from: usize, to: usize| (from..to).map(|i| format!("k{i:06}"));

    let cats = |from, to| keys(from, to).map(Some).collect::<Vec<_>>();
    let (n, third) = (MAX_CATEGORIES, MAX_CATEGORIES / 3);
    let (a, b, c) = (
        cats(0, n - 1),
        cats(third, n + third),
        cats(2 * third, n + 2 * third),
    );
    assert!(categories_of(&[a.clone(), b.clone()].concat()).truncated());
    merge_laws(categories_of, exact, &a, &b, &c).unwrap();

    // category_agg's state (evictions deferred to a trim at twice the cap) obeys the same laws
    // across trims, 2.5 caps a side, and settles to the summary of all the values.
    let counter_of = |v: &[Option<String>]| {
        let mut c = CategoryCounter::default();
        v.iter().for_each(|x| c.add(x.as_deref()));
        c
    };
    let (a, b, c) = (
        cats(0, 5 * n / 2),
        cats(n, 7 * n / 2),
        cats(2 * n, 9 * n / 2),
    );
    merge_laws(counter_of, exact, &a, &b, &c).unwrap();
    let mut all = counter_of(&a);
    all.merge(&counter_of(&b)).unwrap();
    all.merge(&counter_of(&c)).unwrap();
    assert_eq!(all.settled(), categories_of(&[a, b, c].concat()));

    let rows = |from, to| {
        keys(from, to)
            .map(|k| Some([(k, Json::Number(1.0))].into_iter().collect()))
            .collect::<Vec<Payload>>()
    };
    let (n, third) = (MAX_FEATURES, MAX_FEATURES / 3);
    let (a, b, c) = (
        rows(0, n - 1),
        rows(third, n + third),
        rows(2 * third, n + 2 * third),
    );
    assert!(features_of(&[a.clone(), b.clone()].concat()).dropped_keys > 0);
    merge_laws(features_of, same_features, &a, &b, &c).unwrap();
}

#[test]
fn histograms_with_edges_minus_zero_and_zero_merge() {
    // -0 and 0 bound the same bins: such histograms were refused as "different edges".
    let a = histogram_of(&[-0.0, 10.0], &[Some(1.0), Some(0.0)]);
    let b = histogram_of(&[0.0, 10.0], &[Some(2.0), Some(-0.0)]);
    assert_eq!(a.edges[0].to_bits(), 0.0f64.to_bits(), "stored as +0");
    let mut m = a.clone();
    m.merge(&b).unwrap();
    assert_eq!(m.counts, vec![4]);
}
