//! Distinct counts of numeric profiles: exact below 257 values, HyperLogLog above with a measured
//! error, a stable hash, exact merges, old formats still read.

use mlobs_core::codec::Writer;
use mlobs_core::distinct::{self, hash_f64, DistinctSketch, EXACT_MAX, M};
use mlobs_core::{NumericProfile, Summary};

fn profile_of(values: impl IntoIterator<Item = f64>) -> NumericProfile {
    let mut p = NumericProfile::default();
    values.into_iter().for_each(|x| p.add(Some(x)));
    p
}

/// splitmix64: the test's own seeded generator.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `n` distinct values of one of three shapes: consecutive integers from a seeded offset (the
/// structured bit patterns of ids and counts), cents (k / 100) and random doubles.
fn distinct_values(shape: u64, seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x1234_5678_9abc_def1) ^ shape;
    let offset = (next(&mut s) % 1_000_000) as f64;
    match shape % 3 {
        0 => (0..n).map(|k| offset + k as f64).collect(),
        1 => (0..n)
            .map(|k| (offset * 100.0 + k as f64) / 100.0)
            .collect(),
        _ => {
            let mut v: Vec<f64> = (0..n)
                .map(|_| (next(&mut s) >> 11) as f64 * 1e-6 - 4e9)
                .collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        }
    }
}

#[test]
fn exact_up_to_256_values_then_estimated() {
    let p = profile_of((0..EXACT_MAX).map(|k| k as f64));
    assert_eq!(p.distinct_count(), Some(256.0));
    assert_eq!(p.distinct_is_exact(), Some(true));
    assert_eq!(p.distinct_count_bounds(), Some((256.0, 256.0)));
    // Repeats, −0.0 and 0.0 are one value; NaN and ±Infinity count one each, as count(DISTINCT).
    let p = profile_of([1.0, 1.0, 0.0, -0.0, f64::NAN, -f64::NAN, f64::INFINITY, 2.5]);
    assert_eq!(p.distinct_count(), Some(5.0));
    let p = profile_of((0..=EXACT_MAX).map(|k| k as f64));
    assert_eq!(p.distinct_is_exact(), Some(false));
    assert!((p.distinct_count().unwrap() - 257.0).abs() < 257.0 * 0.05);
}

#[test]
fn hash_is_fixed_and_normalises_zero_and_nan() {
    // Golden values: a stored sketch must merge with one built by any later version.
    assert_eq!(hash_f64(0.0), 0xac26_109e_0522_0b3d, "{:#x}", hash_f64(0.0));
    assert_eq!(hash_f64(1.0), 0x73a6_d5f1_d3d8_8df3, "{:#x}", hash_f64(1.0));
    assert_eq!(hash_f64(-0.0), hash_f64(0.0));
    let other_nan = f64::from_bits(0x7ff0_0000_0000_0001);
    assert!(other_nan.is_nan());
    assert_eq!(hash_f64(other_nan), hash_f64(f64::NAN));
    assert_eq!(hash_f64(-f64::NAN), hash_f64(f64::NAN));
    assert_ne!(hash_f64(f64::INFINITY), hash_f64(f64::NEG_INFINITY));
}

/// The estimator's error over 3 shapes × 40 seeds at each cardinality: every estimate within 3.5σ
/// (σ = 1.04/√4096 = 1.625 %), the root mean square error within 1.25σ, the mean error (bias)
/// within 0.5σ; the profile's ±3σ bounds hold the truth in all but a few of the 120 runs.
#[test]
fn hll_error_stays_within_its_standard_error() {
    let sigma = distinct::relative_standard_error();
    assert!((sigma - 0.01625).abs() < 1e-12);
    for n in [300usize, 1_000, 3_000, 10_000, 50_000] {
        let mut errors = Vec::new();
        let mut inside = 0;
        for shape in 0..3 {
            for seed in 0..40 {
                let v = distinct_values(shape, seed, n);
                let mut d = DistinctSketch::default();
                v.iter().for_each(|&x| d.add(x));
                let truth = v.len() as f64;
                errors.push(d.estimate() / truth - 1.0);
                // The profile's count is the estimate kept within [257, n]: never further off.
                let p = profile_of(v.iter().copied());
                let (lo, hi) = p.distinct_count_bounds().unwrap();
                let c = p.distinct_count().unwrap();
                assert!((c - truth).abs() <= (d.estimate() - truth).abs() + 0.5);
                assert!(lo <= c && c <= hi && hi <= truth && lo > 256.0);
                inside += usize::from(lo <= truth && truth <= hi);
            }
        }
        let k = errors.len() as f64;
        let worst = errors.iter().fold(0f64, |a, e| a.max(e.abs()));
        let rms = (errors.iter().map(|e| e * e).sum::<f64>() / k).sqrt();
        let bias = errors.iter().sum::<f64>() / k;
        println!("n={n}: rms {rms:.5} worst {worst:.5} bias {bias:.5} (sigma {sigma:.5})");
        assert!(worst <= 3.5 * sigma, "n={n}: worst error {worst}");
        assert!(rms <= 1.25 * sigma, "n={n}: rms error {rms}");
        assert!(bias.abs() <= 0.5 * sigma, "n={n}: bias {bias}");
        // ±3σ bounds hold the truth about 99.7 % of the time: all but a few of 120.
        assert!(
            inside >= 117,
            "n={n}: bounds held the truth {inside} times of 120"
        );
    }
}

#[test]
fn merge_is_exact_in_any_order() {
    let v = distinct_values(0, 7, 5_000);
    let serial = profile_of(v.iter().copied());
    for parts in [2, 3, 17, 400] {
        let chunk = v.len().div_ceil(parts);
        let mut forward = NumericProfile::default();
        let mut backward = NumericProfile::default();
        let pieces: Vec<NumericProfile> = v
            .chunks(chunk)
            .map(|c| profile_of(c.iter().copied()))
            .collect();
        pieces.iter().for_each(|p| forward.merge(p).unwrap());
        pieces.iter().rev().for_each(|p| backward.merge(p).unwrap());
        assert_eq!(forward.distinct, serial.distinct, "{parts} parts");
        assert_eq!(backward.distinct, serial.distinct, "{parts} parts reversed");
    }
}

#[test]
fn forms_round_trip_binary_and_json() {
    for n in [0usize, 1, 10, 256, 257, 1_000, 1_500, 100_000] {
        let p = profile_of((0..n).map(|k| k as f64 * 0.5));
        let back = NumericProfile::from_bytes(&p.to_bytes()).unwrap();
        assert_eq!(back, p, "binary, n={n}");
        assert_eq!(back.to_bytes(), p.to_bytes());
        let json = NumericProfile::from_json(&p.to_json()).unwrap();
        assert_eq!(json, p, "json, n={n}");
    }
}

/// Bytes the distinct sketch adds to a profile, reported in docs/performance.md.
#[test]
fn size_overhead_is_bounded() {
    let mut sizes = Vec::new();
    for n in [10usize, 1_000, 100_000] {
        let p = profile_of((0..n).map(|k| k as f64));
        let mut without = p.clone();
        without.distinct = None;
        let extra = p.to_bytes().len() - without.to_bytes().len();
        println!(
            "n={n}: profile {} bytes, distinct sketch +{extra}",
            p.to_bytes().len()
        );
        sizes.push(extra);
    }
    // Ten values, each counted once (one LEB128 byte).
    assert_eq!(sizes[0], 8 * 10 + 4 + 1 + 10);
    // Sparse: a gap byte and a register byte per set register (gaps of 128 or more take two).
    assert!(
        sizes[1] <= 1 + 4 + 3 * distinct::SPARSE_MAX + 1,
        "{}",
        sizes[1]
    );
    assert!(sizes[1] < 2_000, "{}", sizes[1]);
    assert_eq!(sizes[2], M + 1);
}

#[test]
fn old_formats_are_read_with_unknown_distinct_count() {
    // Version 1 (mlobs 0.2.0): the profile of {2.0}, as 0.2.0 wrote it.
    let mut w = Writer::new(b"MLpf", 1);
    for c in [1u64, 0, 0, 0, 0] {
        w.u64(c);
    }
    for x in [2.0f64, 2.0, 2.0, 0.0, 0.0] {
        w.f64(x);
    }
    profile_of([2.0]).sketch.encode(&mut w);
    let old = NumericProfile::from_bytes(&w.finish()).unwrap();
    assert_eq!(old.n, 1);
    assert_eq!(old.distinct_count(), None);
    assert_eq!(old.distinct_is_exact(), None);
    // Its 0.2.0 JSON (docs/profile.md before 0.3.0) too.
    let json = r#"{"n":1,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":2.0,"max":2.0,"shift":2.0,"mean":0.0,"m2":0.0,"sketch":{"zero_count":0,"positive":{"offset":35,"counts":[1]},"negative":{"offset":0,"counts":[]}}}"#;
    assert_eq!(NumericProfile::from_json(json).unwrap(), old);
    // Merged with a new profile: unknown, and it stays unknown through later merges.
    let mut merged = profile_of([1.0, 3.0]);
    merged.merge(&old).unwrap();
    assert_eq!(merged.distinct_count(), None);
    merged.merge(&profile_of([5.0])).unwrap();
    assert_eq!(merged.distinct_count(), None);
    assert_eq!(merged.n, 4);
    // An old profile without finite values is unknown too: its binary and JSON forms agree.
    let mut w = Writer::new(b"MLpf", 1);
    for c in [0u64, 3, 0, 0, 0] {
        w.u64(c);
    }
    for x in [f64::NAN, f64::NAN, 0.0, 0.0, 0.0] {
        w.f64(x);
    }
    NumericProfile::default().sketch.encode(&mut w);
    let nulls = NumericProfile::from_bytes(&w.finish()).unwrap();
    assert_eq!(nulls.distinct_count(), None);
    assert_eq!(NumericProfile::from_json(&nulls.to_json()).unwrap(), nulls);
}

#[test]
fn forged_sketches_are_rejected() {
    let json = |d: &str| {
        format!(
            r#"{{"n":2,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":1.0,"max":2.0,"shift":1.0,"mean":0.5,"m2":0.5,"sketch":{},"distinct":{d}}}"#,
            serde_json::to_string(&profile_of([1.0, 2.0]).sketch).unwrap()
        )
    };
    assert!(NumericProfile::from_json(&json(r#"{"exact":[1.0,2.0]}"#)).is_ok());
    for bad in [
        r#"{"exact":[2.0,1.0]}"#,
        r#"{"exact":[1.0,1.5,2.0,3.0]}"#,
        r#"{"exact":[1.0]}"#,
        r#"{"sparse":[[5,1]]}"#,
        r#"{"sparse":[[5000,1]]}"#,
        r#"{"dense":[1,2]}"#,
        r#"{"other":[]}"#,
    ] {
        let e = NumericProfile::from_json(&json(bad)).unwrap_err();
        assert!(
            e.to_string().starts_with("invalid mlobs.profile"),
            "{bad}: {e}"
        );
    }
    // A HyperLogLog register above 53 is impossible.
    let mut p = profile_of((0..1_000).map(|k| k as f64));
    if let Some(DistinctSketch::Hll(r)) = &mut p.distinct {
        r[0] = 54;
    }
    assert!(NumericProfile::from_bytes(&p.to_bytes()).is_err());
}
