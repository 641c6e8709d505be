//! A profile of at most 256 distinct values counts each one, so its distribution is exact: years,
//! codes and small counts collapsed into the sketch's 1 % buckets (2019..2026 read as one or two
//! values, a reference of years drifting to 2019..2021 gave PSI 0.0015 where Evidently gives
//! 5.07; review of 2026-12-08).

use mlobs_core::binning::quantiles_linear;
use mlobs_core::distinct::DistinctSketch;
use mlobs_core::drift::psi::{psi_reference_quantile_weighted, to_weighted};
use mlobs_core::{NumericProfile, Summary};

fn profile_of(values: &[f64]) -> NumericProfile {
    let mut p = NumericProfile::default();
    values.iter().for_each(|&x| p.add(Some(x)));
    p
}

fn years(range: u64, rows: u64) -> Vec<f64> {
    (0..rows).map(|i| (2019 + (i * 7) % range) as f64).collect()
}

#[test]
fn the_distribution_of_few_values_is_exact() {
    let (r, c) = (years(8, 2880), years(3, 1440));
    let (pr, pc) = (profile_of(&r), profile_of(&c));
    assert_eq!(pr.discretised(), to_weighted(&r));
    assert_eq!(pc.discretised(), to_weighted(&c));
    // PSI over the profiles is PSI over the rows (Evidently: 5.066264602652398).
    let rows = psi_reference_quantile_weighted(&to_weighted(&r), &to_weighted(&c), 10)
        .unwrap()
        .unwrap();
    let profiles = psi_reference_quantile_weighted(&pr.discretised(), &pc.discretised(), 10)
        .unwrap()
        .unwrap();
    assert_eq!(profiles, rows);
    // Quantiles are numpy's.
    let mut sorted = r.clone();
    sorted.sort_by(f64::total_cmp);
    for q in [0.1, 0.25, 0.5, 0.9] {
        assert_eq!(
            pr.quantile(q).unwrap(),
            Some(quantiles_linear(&sorted, &[q])[0])
        );
    }
    // −0 keeps its sign as the minimum.
    let z = profile_of(&[-0.0, 0.0, 1.0]);
    assert!(z.discretised()[0].0.is_sign_negative());
}

#[test]
fn merges_add_counts_until_257_values() {
    let (a, b) = (profile_of(&years(8, 100)), profile_of(&years(5, 70)));
    let mut ab = a.clone();
    ab.merge(&b).unwrap();
    let mut ba = b.clone();
    ba.merge(&a).unwrap();
    let mut all = years(8, 100);
    all.extend(years(5, 70));
    assert_eq!(ab.discretised(), to_weighted(&all));
    assert_eq!(ba.discretised(), ab.discretised());
    // 257 distinct values: a HyperLogLog, no counts; the sketch's discretised sample again.
    let wide: Vec<f64> = (0..257).map(f64::from).collect();
    let mut w = profile_of(&wide[..200]);
    w.merge(&profile_of(&wide[200..])).unwrap();
    assert!(matches!(w.distinct, Some(DistinctSketch::Hll(_))));
    assert_eq!(w.discretised().iter().map(|v| v.1).sum::<u64>(), 257);
}

#[test]
fn counts_round_trip_and_uncounted_sets_still_read() {
    let p = profile_of(&years(8, 1000));
    assert_eq!(NumericProfile::from_bytes(&p.to_bytes()).unwrap(), p);
    let json = p.to_json();
    assert!(
        json.contains(r#""distinct":{"exact_counts":[[2019.0,125],"#),
        "{json}"
    );
    assert_eq!(NumericProfile::from_json(&json).unwrap(), p);
    // The values without counts (0.3.0 development builds): read, discretised by the sketch, and
    // a merge with them keeps no counts.
    let values: Vec<String> = (2019..2027).map(|y| format!("{y}.0")).collect();
    let old_json = json.replace(
        &json[json.find(r#""distinct""#).unwrap()..json.len() - 1],
        &format!(r#""distinct":{{"exact":[{}]}}"#, values.join(",")),
    );
    let old = NumericProfile::from_json(&old_json).unwrap();
    assert_eq!(old.distinct_count(), Some(8.0));
    assert_ne!(old.discretised(), p.discretised());
    let mut merged = p.clone();
    merged.merge(&old).unwrap();
    assert_eq!(
        merged.distinct.as_ref().unwrap().counted_values(),
        None,
        "a union with an uncounted set"
    );
    assert_eq!(merged.distinct_count(), Some(8.0));
}

#[test]
fn forged_counts_are_rejected() {
    // The profile of {1, 2} ends with its distinct sketch: values 1 and 2, then the counts 1, 1.
    let bytes = profile_of(&[1.0, 2.0]).to_bytes();
    assert_eq!(&bytes[bytes.len() - 2..], &[1, 1]);
    assert!(NumericProfile::from_bytes(&bytes).is_ok());
    let with_tail = |tail: &[u8]| {
        let mut b = bytes[..bytes.len() - 1].to_vec();
        b.extend_from_slice(tail);
        NumericProfile::from_bytes(&b)
    };
    for (tail, why) in [
        (&[0u8][..], "a count of 0"),
        (&[2], "counts summing to 3 rows of 2"),
        (&[0x81, 0x00], "a count not in its shortest form"),
        (&[0xff; 10], "a count beyond 64 bits"),
    ] {
        assert!(with_tail(tail).is_err(), "{why}");
    }
    let json = profile_of(&[1.0, 2.0]).to_json();
    for bad in [
        r#""exact_counts":[[1.0,1],[2.0,0]]"#,
        r#""exact_counts":[[1.0,2],[2.0,1]]"#,
        r#""exact_counts":[[2.0,1],[1.0,1]]"#,
    ] {
        let forged = json.replace(r#""exact_counts":[[1.0,1],[2.0,1]]"#, bad);
        assert_ne!(forged, json);
        assert!(NumericProfile::from_json(&forged).is_err(), "{bad}");
    }
}

#[test]
fn auto_chooses_as_for_rows_when_both_sides_are_counted() {
    use mlobs_core::drift::run::{drift_numeric, drift_profiles};
    let none = serde_json::json!({});
    let rows = |k: u64, n: u64, shift: u64| -> Vec<f64> {
        (0..n).map(|i| ((i * 7 + shift) % k) as f64).collect()
    };
    // Evidently's few-values branch: z (2 values), chisquare (3-5), jensenshannon (> 1000 rows).
    for (k, n, want) in [
        (2, 500, "z"),
        (3, 500, "chisquare"),
        (5, 2000, "jensenshannon"),
        (40, 500, "ks"),
        (40, 2000, "wasserstein"),
    ] {
        let (r, c) = (rows(k, n, 0), rows(k, n / 2, 1));
        let exact = drift_numeric(&r, &c, "auto", None, &none).unwrap().unwrap();
        let from_profiles = drift_profiles(&profile_of(&r), &profile_of(&c), "auto", None, &none)
            .unwrap()
            .unwrap();
        assert_eq!(exact.method, want);
        assert_eq!(from_profiles.method, want, "{k} values, {n} rows");
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-12 * b.abs().max(1e-300),
            (a, b) => a == b,
        };
        assert!(close(from_profiles.statistic, exact.statistic), "{want}");
        assert!(close(from_profiles.p_value, exact.p_value), "{want}");
    }
}

/// Counts that contradict the sketch (review of 2026-12-08: {1: 2, 2: 1} for the data {1, 2, 2}
/// loaded, median 1 with mean 1.667) are refused.
#[test]
fn counts_must_fill_the_sketch() {
    let json = profile_of(&[1.0, 2.0, 2.0]).to_json();
    assert!(NumericProfile::from_json(&json).is_ok());
    let forged = json.replace(
        r#""exact_counts":[[1.0,1],[2.0,2]]"#,
        r#""exact_counts":[[1.0,2],[2.0,1]]"#,
    );
    assert_ne!(forged, json);
    assert!(NumericProfile::from_json(&forged).is_err());
    // Merged and rolled-up profiles still agree with their sketches.
    let mut m = profile_of(&years(8, 500));
    m.merge(&profile_of(&[-0.0, 0.0, 3.5e300, -1e-310]))
        .unwrap();
    assert!(NumericProfile::from_bytes(&m.to_bytes()).is_ok());
}
