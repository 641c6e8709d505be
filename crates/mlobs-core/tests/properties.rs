//! Forged-input safety of the summaries, the quantile sketch's error bound and PSI over
//! profiles. The merge laws and round trips of every summary are in merge_laws.rs.

use mlobs_core::drift::psi::{psi_reference_quantile_weighted, to_weighted};
use mlobs_core::{Histogram, NumericProfile, Summary};
use proptest::prelude::*;

#[path = "common/laws.rs"]
mod laws;
use laws::sql_number as value;

fn profile_of(values: &[Option<f64>]) -> NumericProfile {
    let mut p = NumericProfile::default();
    for &v in values {
        p.add(v);
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

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
        // Extremes stay exact, every other value moves to its bucket's (clamped) value; at most
        // 256 distinct values stay as they are (they are counted).
        let move_to_bucket = |xs: &[f64], p: &NumericProfile| -> Vec<(f64, u64)> {
            let mut sorted = xs.to_vec();
            sorted.sort_by(f64::total_cmp);
            if p.distinct.as_ref().and_then(|d| d.counted_values()).is_some() {
                let mut d = sorted.clone();
                d.dedup();
                assert!(d.len() <= 256);
                return to_weighted(&sorted);
            }
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

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
