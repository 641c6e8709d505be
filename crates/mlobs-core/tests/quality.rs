//! Data quality properties: the sketch estimate's bounds contain the exact count, violation
//! counts obey the merge laws, a reference passes its own inferred schema, and forged input
//! (schemas, summary bytes) only ever produces errors.

use mlobs_core::features::FeatureProfiles;
use mlobs_core::quality::outliers::{count_outside, outside_share_estimate};
use mlobs_core::quality::schema::{infer_schema, Schema, ViolationCounts};
use mlobs_core::sketch::{ALPHA, MAX_BUCKETS};
use mlobs_core::{NumericProfile, Summary};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        10 => -1e3f64..1e3,
        4 => (0i32..20).prop_map(f64::from),
        2 => -1e-3f64..1e-3,
        1 => prop::num::f64::NORMAL,
        1 => Just(0.0),
    ]
}

fn fence(values: &[f64]) -> impl Strategy<Value = f64> + use<> {
    let picks = values.to_vec();
    prop_oneof![
        3 => -2e3f64..2e3,
        // On, or a hair beside, a data value: where misclassification happens.
        3 => (any::<prop::sample::Index>(), -1e-2f64..1e-2).prop_map(move |(i, d)| {
            if picks.is_empty() { d } else { picks[i.index(picks.len())] * (1.0 + d) }
        }),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(f64::INFINITY),
    ]
}

fn data_and_fences() -> impl Strategy<Value = (Vec<f64>, f64, f64)> {
    prop::collection::vec(value(), 0..300)
        .prop_flat_map(|v| (Just(v.clone()), fence(&v), fence(&v)))
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1e6f64..1e6).prop_map(|x| json!(x)),
        any::<i64>().prop_map(|x| json!(x)),
        "[a-z]{0,3}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{0,6}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Payloads over a few keys, each key of one type (number, string or boolean), sometimes null or
/// absent; now and then a non-object row.
fn payloads() -> impl Strategy<Value = Vec<Option<Value>>> {
    let row = prop::collection::vec(
        prop_oneof![
            4 => (-100f64..100.0).prop_map(|x| Some(json!(x))),
            1 => Just(Some(Value::Null)),
            1 => Just(None),
        ],
        3,
    )
    .prop_flat_map(|cells| (Just(cells), "[ab]{0,2}", any::<bool>(), 0u8..20));
    prop::collection::vec(row, 0..40).prop_map(|rows| {
        rows.into_iter()
            .map(|(cells, s, b, kind)| match kind {
                0 => None,
                1 => Some(json!("scalar")),
                _ => {
                    let mut m = Map::new();
                    for (i, cell) in cells.into_iter().enumerate() {
                        let Some(v) = cell else { continue };
                        let v = match (i, v.is_null()) {
                            (_, true) | (0, _) => v,
                            (1, _) => json!(s),
                            _ => json!(b),
                        };
                        m.insert(["num", "text", "flag"][i].to_string(), v);
                    }
                    Some(Value::Object(m))
                }
            })
            .collect()
    })
}

fn counts_of(schema: &Schema, rows: &[Option<Value>]) -> ViolationCounts {
    let mut c = ViolationCounts::default();
    for r in rows {
        c.add(schema, r.as_ref()).unwrap();
    }
    c
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn outside_bounds_contain_exact_count((values, a, b) in data_and_fences()) {
        let mut p = NumericProfile::default();
        values.iter().for_each(|&x| p.add(Some(x)));
        let Some(e) = outside_share_estimate(&p, a, b) else {
            prop_assert!(values.is_empty());
            return Ok(());
        };
        let exact = values.iter().filter(|&&x| x < a || x > b).count() as u64;
        prop_assert!(e.lower_bound <= exact && exact <= e.upper_bound, "{e:?} exact {exact}");
        prop_assert!(e.lower_bound <= e.estimate && e.estimate <= e.upper_bound);
        prop_assert_eq!(e.n, values.len() as u64);
        // Only values within α (relative) of a fence can be misclassified — unless the data span
        // so many decades that the sketch folded its lowest buckets (then only the bounds hold).
        let folded = [&p.sketch.positive, &p.sketch.negative]
            .iter()
            .any(|s| s.counts.len() >= MAX_BUCKETS);
        let near = values
            .iter()
            .filter(|&&x| [a, b].iter().any(|f| (x - f).abs() <= ALPHA * x.abs() * (1.0 + 1e-9)))
            .count() as u64;
        prop_assert!(
            folded || e.estimate.abs_diff(exact) <= near,
            "{e:?} exact {exact} near {near}"
        );
        if a <= b {
            let (below, above) = count_outside(&values, a, b);
            prop_assert_eq!(below + above, exact);
        }
    }

    #[test]
    fn violation_counts_merge_laws(rows in payloads(), cut1 in 0usize..40, cut2 in 0usize..40) {
        let reference: Vec<Option<Value>> = rows.iter().take(10).cloned().collect();
        let mut profiles = FeatureProfiles::default();
        reference.iter().for_each(|r| profiles.add(r.as_ref()));
        let schema = infer_schema(&profiles);
        let (i, j) = (cut1.min(cut2).min(rows.len()), cut1.max(cut2).min(rows.len()));
        let whole = counts_of(&schema, &rows);
        let (a, b, c) = (
            counts_of(&schema, &rows[..i]),
            counts_of(&schema, &rows[i..j]),
            counts_of(&schema, &rows[j..]),
        );
        let mut left = a.clone();
        left.merge(&b).unwrap();
        left.merge(&c).unwrap();
        let mut bc = b.clone();
        bc.merge(&c).unwrap();
        let mut right = a.clone();
        right.merge(&bc).unwrap();
        let mut reversed = c.clone();
        reversed.merge(&b).unwrap();
        reversed.merge(&a).unwrap();
        for m in [&left, &right, &reversed] {
            prop_assert_eq!(m.to_bytes(), whole.to_bytes());
        }
        prop_assert_eq!(ViolationCounts::from_bytes(&whole.to_bytes()).unwrap(), whole.clone());
        prop_assert_eq!(ViolationCounts::from_json(&whole.to_json()).unwrap(), whole);
    }

    #[test]
    fn reference_passes_its_own_schema(rows in payloads()) {
        let mut profiles = FeatureProfiles::default();
        rows.iter().for_each(|r| profiles.add(r.as_ref()));
        let schema = infer_schema(&profiles);
        prop_assert_eq!(Schema::parse(&schema.to_json()).unwrap(), schema.clone());
        for r in rows.iter().flatten().filter(|r| r.is_object()) {
            prop_assert!(schema.violations(r).is_empty(), "{r} violates {}", schema.to_json());
        }
    }

    #[test]
    fn schema_parse_and_check_never_panic(schema in json_value(), payload in json_value()) {
        let wrapped = json!({"version": 1, "keys": {"k": schema.clone()}});
        for candidate in [&schema, &wrapped] {
            if let Ok(s) = Schema::parse(candidate) {
                let v = s.violations(&payload);
                prop_assert_eq!(s.violations_json(&payload).as_array().map(Vec::len), Some(v.len()));
            }
        }
    }

    #[test]
    fn forged_violation_counts_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut forged = b"MLqv\x01".to_vec();
        forged.extend(&bytes);
        for b in [&bytes, &forged] {
            if let Ok(c) = ViolationCounts::from_bytes(b) {
                prop_assert!(c.validate().is_ok());
                prop_assert_eq!(c.to_bytes(), b.clone());
            }
        }
    }
}

#[test]
fn fences_on_one_to_ten() {
    use mlobs_core::quality::outliers::{fences_from_values, FenceMethod, Fences};
    let v: Vec<f64> = (1..=10).map(f64::from).collect();
    // numpy.quantile(v, [0.25, 0.75]) = [3.25, 7.75]
    assert_eq!(
        fences_from_values(&v, FenceMethod::Iqr, 1.5).unwrap(),
        Some(Fences {
            lower: -3.5,
            upper: 14.5
        })
    );
}
