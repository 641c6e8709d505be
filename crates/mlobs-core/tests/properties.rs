//! Merge laws, serialization round trips and forged-input safety of the summaries.

use mlobs_core::drift::psi::{psi_reference_quantile_weighted, to_weighted};
use mlobs_core::{Histogram, NumericProfile, Summary};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Option<f64>> {
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

fn profile_of(values: &[Option<f64>]) -> NumericProfile {
    let mut p = NumericProfile::default();
    for &v in values {
        p.add(v);
    }
    p
}

/// Equal up to rounding; moments of data near ±1.8e308 overflow, and then both must.
fn close(a: f64, b: f64, scale: f64) -> bool {
    if !(a.is_finite() && b.is_finite() && scale.is_finite()) {
        return !a.is_finite() && !b.is_finite() || a == b;
    }
    (a - b).abs() <= 1e-9 * scale.max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn profile_merge_equals_profile_of_union(a in prop::collection::vec(value(), 0..200),
                                             b in prop::collection::vec(value(), 0..200)) {
        let mut merged = profile_of(&a);
        merged.merge(&profile_of(&b)).unwrap();
        let whole = profile_of(&[a.clone(), b.clone()].concat());
        // Counts, extremes and the sketch are exact; moments agree up to rounding.
        prop_assert_eq!(merged.n, whole.n);
        prop_assert_eq!(merged.null_count, whole.null_count);
        prop_assert_eq!(merged.nan_count, whole.nan_count);
        prop_assert_eq!(merged.pos_inf_count, whole.pos_inf_count);
        prop_assert_eq!(merged.neg_inf_count, whole.neg_inf_count);
        prop_assert_eq!(merged.min, whole.min);
        prop_assert_eq!(merged.max, whole.max);
        prop_assert_eq!(merged.sketch.canonical(), whole.sketch.canonical());
        let scale = whole.min.map_or(1.0, |lo| lo.abs().max(whole.max.unwrap().abs()));
        prop_assert!(close(merged.mean().unwrap_or(0.0), whole.mean().unwrap_or(0.0), scale));
        prop_assert_eq!(merged.scale, whole.scale);
        if whole.scale == 0 {
            prop_assert!(close(merged.m2, whole.m2, whole.m2.abs().max(scale * scale)));
        }
        // Scaled moments (data beyond 2^440): compare what they stand for, finite at any scale.
        prop_assert!(close(
            merged.stddev_pop().unwrap_or(0.0),
            whole.stddev_pop().unwrap_or(0.0),
            scale
        ));
    }

    #[test]
    fn profile_merge_is_commutative_and_associative(a in prop::collection::vec(value(), 0..100),
                                                    b in prop::collection::vec(value(), 0..100),
                                                    c in prop::collection::vec(value(), 0..100)) {
        let (pa, pb, pc) = (profile_of(&a), profile_of(&b), profile_of(&c));
        let mut ab_c = pa.clone(); ab_c.merge(&pb).unwrap(); ab_c.merge(&pc).unwrap();
        let mut bc = pb.clone(); bc.merge(&pc).unwrap();
        let mut a_bc = pa.clone(); a_bc.merge(&bc).unwrap();
        let mut ba = pb.clone(); ba.merge(&pa).unwrap();
        let mut ab = pa.clone(); ab.merge(&pb).unwrap();
        prop_assert_eq!(ab_c.sketch.canonical(), a_bc.sketch.canonical());
        prop_assert_eq!(ab.sketch.canonical(), ba.sketch.canonical());
        prop_assert_eq!((ab.n, ab.min, ab.max), (ba.n, ba.min, ba.max));
    }

    #[test]
    fn profile_bytes_and_json_round_trip(a in prop::collection::vec(value(), 0..300)) {
        let p = profile_of(&a);
        let back = NumericProfile::from_bytes(&p.to_bytes()).unwrap();
        prop_assert_eq!(&back.to_bytes(), &p.to_bytes());
        let from_json = NumericProfile::from_json(&p.to_json()).unwrap();
        prop_assert_eq!(from_json.to_bytes(), p.to_bytes());
    }

    #[test]
    fn forged_profile_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = NumericProfile::from_bytes(&bytes);
        let mut tagged = b"MLpf\x01".to_vec();
        tagged.extend_from_slice(&bytes);
        if let Ok(p) = NumericProfile::from_bytes(&tagged) {
            // Whatever decodes must be usable.
            let _ = p.quantile(0.5);
            let _ = p.discretised();
        }
    }

    #[test]
    fn mutated_profile_bytes_never_panic(a in prop::collection::vec(value(), 1..100), pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = profile_of(&a).to_bytes();
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        if let Ok(p) = NumericProfile::from_bytes(&bytes) {
            let _ = p.quantile(0.9);
            // Forged counts may overflow when doubled: an error, never a panic.
            let mut q = p.clone();
            let _ = q.merge(&p);
        }
    }

    #[test]
    fn histogram_merge_and_round_trip(a in prop::collection::vec(value(), 0..200),
                                      b in prop::collection::vec(value(), 0..200)) {
        let edges = vec![-10.0, -1.0, 0.0, 1.0, 10.0, 1000.0];
        let of = |vs: &[Option<f64>]| { let mut h = Histogram::new(edges.clone(), "edges").unwrap(); for &v in vs { h.add(v) } h };
        let mut merged = of(&a);
        merged.merge(&of(&b)).unwrap();
        prop_assert_eq!(&merged, &of(&[a.clone(), b.clone()].concat()));
        prop_assert_eq!(&Histogram::from_bytes(&merged.to_bytes()).unwrap(), &merged);
        prop_assert_eq!(&Histogram::from_json(&merged.to_json()).unwrap(), &merged);
    }

    #[test]
    fn forged_histogram_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut tagged = b"MLhg\x01".to_vec();
        tagged.extend_from_slice(&bytes);
        let _ = Histogram::from_bytes(&bytes);
        if let Ok(h) = Histogram::from_bytes(&tagged) {
            let _ = mlobs_core::drift::psi::psi_histograms(&h, &h);
        }
    }

    #[test]
    fn quantile_within_documented_error(values in prop::collection::vec(-1e6f64..1e6, 1..500), q in 0.0f64..=1.0) {
        let p = profile_of(&values.iter().map(|&v| Some(v)).collect::<Vec<_>>());
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let exact = mlobs_core::binning::quantiles_linear(&sorted, &[q])[0];
        let approx = p.quantile(q).unwrap().unwrap();
        // Bound: ALPHA times the larger magnitude of the two neighbouring order statistics.
        let h = (sorted.len() - 1) as f64 * q;
        let lo = sorted[h.floor() as usize].abs();
        let hi = sorted[(h.floor() as usize + 1).min(sorted.len() - 1)].abs();
        let bound = mlobs_core::sketch::ALPHA * lo.max(hi) * (1.0 + 1e-9) + 1e-300;
        prop_assert!((approx - exact).abs() <= bound, "q={} exact={} approx={} bound={}", q, exact, approx, bound);
    }

    #[test]
    fn profile_psi_is_exact_psi_of_discretised_data(r in prop::collection::vec(-1e3f64..1e3, 1..300),
                                                     c in prop::collection::vec(-1e3f64..1e3, 1..300),
                                                     bins in 1i32..20) {
        let pr = profile_of(&r.iter().map(|&v| Some(v)).collect::<Vec<_>>());
        let pc = profile_of(&c.iter().map(|&v| Some(v)).collect::<Vec<_>>());
        let from_profiles = psi_reference_quantile_weighted(&pr.discretised(), &pc.discretised(), bins).unwrap().unwrap();
        // The documented statement: same as exact PSI after moving every value to its bucket.
        // Extremes stay exact, every other value moves to its bucket's (clamped) value.
        let move_to_bucket = |xs: &[f64], p: &NumericProfile| -> Vec<(f64, u64)> {
            let mut sorted = xs.to_vec();
            sorted.sort_by(f64::total_cmp);
            let n = sorted.len();
            let out: Vec<f64> = sorted.iter().enumerate().map(|(i, &x)| {
                if i == 0 || i == n - 1 { return x; }
                let mut one = NumericProfile::default();
                one.add(Some(x));
                one.sketch.buckets()[0].0.clamp(p.min.unwrap(), p.max.unwrap())
            }).collect();
            to_weighted(&out)
        };
        let exact = psi_reference_quantile_weighted(&move_to_bucket(&r, &pr), &move_to_bucket(&c, &pc), bins).unwrap().unwrap();
        prop_assert!((from_profiles - exact).abs() <= 1e-12 * exact.abs().max(1.0));
    }
}

mod category_summaries {
    use mlobs_core::categories::Categories;
    use mlobs_core::Summary;
    use proptest::prelude::*;

    fn of(values: &[Option<String>]) -> Categories {
        let mut c = Categories::default();
        values.iter().for_each(|v| c.add(v.as_deref()));
        c
    }

    fn value() -> impl Strategy<Value = Option<String>> {
        prop_oneof![8 => "[a-e]{0,2}".prop_map(Some), 1 => Just(None)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn merge_equals_summary_of_union(a in prop::collection::vec(value(), 0..100), b in prop::collection::vec(value(), 0..100)) {
            let mut merged = of(&a);
            merged.merge(&of(&b)).unwrap();
            prop_assert_eq!(merged, of(&[a, b].concat()));
        }

        #[test]
        fn bytes_and_json_round_trip(a in prop::collection::vec(value(), 0..100)) {
            let c = of(&a);
            prop_assert_eq!(&Categories::from_bytes(&c.to_bytes()).unwrap(), &c);
            prop_assert_eq!(&Categories::from_json(&c.to_json()).unwrap(), &c);
        }

        #[test]
        fn forged_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let mut tagged = b"MLct\x01".to_vec();
            tagged.extend_from_slice(&bytes);
            let _ = Categories::from_bytes(&bytes);
            if let Ok(c) = Categories::from_bytes(&tagged) {
                let mut d = c.clone();
                let _ = d.merge(&c);
            }
        }
    }
}
