//! Paired model-comparison tests against scipy 1.17.1 / scikit-learn 1.7.2
//! (tests/fixtures/generate_paired.py → paired.json), and the O(n log n) DeLong against the
//! O(n²) definition on random data. Test names start with `paired_` so `cargo test paired` runs
//! them all.

mod common;
use common::{f64s, fixture, splitmix};
use mlobs_core::error::ErrorKind;
use mlobs_core::metrics::paired::{delong, mcnemar, paired_t, DeLong};
use mlobs_core::metrics::ranking::roc_auc_sorted;
use proptest::prelude::*;
use serde_json::Value;

/// A number of the fixture; JSON has no infinity, so ±∞ is written "inf" / "-inf".
fn num(v: &Value) -> f64 {
    match v.as_str() {
        Some("inf") => f64::INFINITY,
        Some("-inf") => f64::NEG_INFINITY,
        _ => v.as_f64().unwrap(),
    }
}

/// |got − want| ≤ tol·max(1, |want|) (equal infinities pass).
fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        got == want || (got - want).abs() <= tol * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

/// p-values down to 1e-27: relative error, with an absolute floor.
fn close_p(got: f64, want: f64, what: &str) {
    assert!(
        got == want || (got - want).abs() <= 1e-12 * want + 1e-300,
        "{what}: got {got}, want {want}"
    );
}

#[test]
fn paired_mcnemar_matches_scipy() {
    let doc = fixture("paired.json");
    for row in doc["mcnemar"].as_array().unwrap() {
        let (b, c) = (row["b"].as_u64().unwrap(), row["c"].as_u64().unwrap());
        let got = mcnemar(b, c);
        let what = format!("mcnemar({b}, {c})");
        assert_eq!((got.b, got.c), (b, c));
        assert_eq!(got.exact, row["exact"].as_bool().unwrap(), "{what}");
        close(got.statistic, num(&row["statistic"]), 1e-15, &what);
        close_p(got.p_value, num(&row["p_value"]), &what);
    }
    // The switch: 24 discordant rows are exact, 25 are χ².
    assert!(mcnemar(4, 20).exact && !mcnemar(5, 20).exact);
    assert!(!mcnemar(u64::MAX, u64::MAX).exact);
}

/// Rows of a generated case, with the float operations of generate_paired.py in its order.
fn generated(spec: &Value) -> (Vec<bool>, Vec<f64>, Vec<f64>) {
    let n = spec["n"].as_u64().unwrap() as usize;
    let seed = spec["seed"].as_u64().unwrap();
    let (prevalence, shift_a, shift_b) = (
        num(&spec["prevalence"]),
        num(&spec["shift_a"]),
        num(&spec["shift_b"]),
    );
    let (uy, ua, ub) = (
        splitmix(seed, n),
        splitmix(seed + 1, n),
        splitmix(seed + 2, n),
    );
    let y: Vec<bool> = uy.iter().map(|&u| u < prevalence).collect();
    let grid = |x: f64| spec["grid"].as_f64().map_or(x, |g| (x * g).floor());
    let label = |i: usize| f64::from(u8::from(y[i]));
    let a = (0..n).map(|i| grid(ua[i] + shift_a * label(i))).collect();
    let b = (0..n)
        .map(|i| grid(0.5 * ua[i] + 0.5 * ub[i] + shift_b * label(i)))
        .collect();
    (y, a, b)
}

#[test]
fn paired_delong_matches_reference() {
    let doc = fixture("paired.json");
    for row in doc["delong"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        let (y, a, b) = match row.get("generate") {
            Some(spec) => generated(spec),
            None => (
                row["y"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64() == Some(1))
                    .collect(),
                f64s(&row["score_a"]),
                f64s(&row["score_b"]),
            ),
        };
        let got = delong(&y, &a, &b).unwrap();
        if row.get("none").is_some() {
            assert_eq!(got, None, "{name}");
            continue;
        }
        let got = got.unwrap_or_else(|| panic!("{name}: None"));
        for (field, value, tol) in [
            ("auc_a", got.auc_a, 1e-15),
            ("auc_b", got.auc_b, 1e-15),
            ("difference", got.difference, 1e-15),
            ("variance_a", got.variance_a, 1e-13),
            ("variance_b", got.variance_b, 1e-13),
            ("covariance", got.covariance, 1e-13),
            ("z", got.z, 1e-11),
        ] {
            let want = num(&row[field]);
            let tol = tol
                * if field.starts_with('v') || field == "covariance" {
                    want.abs().max(1e-300) // relative: the variances are small
                } else {
                    1.0
                };
            close(value, want, tol, &format!("{name} {field}"));
        }
        close_p(got.p_value, num(&row["p_value"]), &format!("{name} p"));
    }
}

#[test]
fn paired_t_matches_scipy() {
    let doc = fixture("paired.json");
    for row in doc["paired_t"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        let (a, b) = match row.get("generate") {
            Some(spec) => {
                let n = spec["n"].as_u64().unwrap() as usize;
                let seed = spec["seed"].as_u64().unwrap();
                let noise_b = num(&spec["noise_b"]);
                let ra: Vec<f64> = splitmix(seed, n).iter().map(|u| u - 0.5).collect();
                let rb: Vec<f64> = ra
                    .iter()
                    .zip(splitmix(seed + 1, n))
                    .map(|(x, u)| noise_b * x + 0.1 * (u - 0.5))
                    .collect();
                let sq = |r: Vec<f64>| r.iter().map(|x| x * x).collect();
                (sq(ra), sq(rb))
            }
            None => (f64s(&row["loss_a"]), f64s(&row["loss_b"])),
        };
        let got = paired_t(&a, &b).unwrap().unwrap();
        assert_eq!(got.df, row["df"].as_u64().unwrap(), "{name}");
        close(
            got.mean_difference,
            num(&row["mean_difference"]),
            1e-14,
            name,
        );
        close(got.statistic, num(&row["statistic"]), 1e-11, name);
        close_p(got.p_value, num(&row["p_value"]), name);
    }
}

#[test]
fn paired_inputs_are_checked() {
    let y = [true, false, true, false];
    let ok = [0.1, 0.2, 0.3, 0.4];
    let e = delong(&y, &[0.1, f64::NAN, 0.3, 0.4], &ok).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidParameter);
    assert!(e.message.contains("score_a must be finite"), "{e}");
    let e = delong(&y, &ok, &[0.1, 0.2, f64::INFINITY, 0.4]).unwrap_err();
    assert!(e.message.contains("score_b must be finite"), "{e}");
    let e = delong(&y, &ok, &ok[..3]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Mismatch);
    assert!(e.message.contains("score_b"), "{e}");
    assert_eq!(delong(&[], &[], &[]).unwrap(), None);

    assert_eq!(paired_t(&[1.0], &[2.0]).unwrap(), None);
    assert_eq!(paired_t(&[], &[]).unwrap(), None);
    let e = paired_t(&[1.0, f64::NAN], &[1.0, 2.0]).unwrap_err();
    assert!(e.message.contains("loss_a must be finite"), "{e}");
    assert_eq!(
        paired_t(&[1.0], &[1.0, 2.0]).unwrap_err().kind,
        ErrorKind::Mismatch
    );
    let big = f64::MAX;
    let e = paired_t(&[big, -big], &[-big, big]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OutOfRange);
    // A constant difference scipy would leave with a tiny rounding variance: exactly ±∞ here.
    let t = paired_t(&[0.1, 0.1, 0.1], &[0.0, 0.0, 0.0])
        .unwrap()
        .unwrap();
    assert_eq!((t.statistic, t.p_value), (f64::INFINITY, 0.0));
}

/// DeLong by its definition: every positive against every negative (ties ½), placement values
/// V10 / V01, and the covariance matrix S10/n⁺ + S01/n⁻.
fn delong_quadratic(y: &[bool], a: &[f64], b: &[f64]) -> Option<(DeLong, f64)> {
    let pos: Vec<usize> = (0..y.len()).filter(|&i| y[i]).collect();
    let neg: Vec<usize> = (0..y.len()).filter(|&i| !y[i]).collect();
    if pos.len() < 2 || neg.len() < 2 {
        return None;
    }
    let psi = |s: &[f64], i: usize, j: usize| match s[i].partial_cmp(&s[j]).unwrap() {
        std::cmp::Ordering::Greater => 1.0,
        std::cmp::Ordering::Equal => 0.5,
        std::cmp::Ordering::Less => 0.0,
    };
    let (m, n) = (pos.len() as f64, neg.len() as f64);
    let v10 = |s: &[f64]| -> Vec<f64> {
        let f = |&i: &usize| neg.iter().map(|&j| psi(s, i, j)).sum::<f64>() / n;
        pos.iter().map(f).collect()
    };
    let v01 = |s: &[f64]| -> Vec<f64> {
        let f = |&j: &usize| pos.iter().map(|&i| psi(s, i, j)).sum::<f64>() / m;
        neg.iter().map(f).collect()
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let cov = |x: &[f64], z: &[f64]| {
        let (mx, mz) = (mean(x), mean(z));
        let s: f64 = x.iter().zip(z).map(|(x, z)| (x - mx) * (z - mz)).sum();
        s / (x.len() as f64 - 1.0)
    };
    let (a10, a01, b10, b01) = (v10(a), v01(a), v10(b), v01(b));
    let s =
        |x10: &[f64], x01: &[f64], z10: &[f64], z01: &[f64]| cov(x10, z10) / m + cov(x01, z01) / n;
    let (auc_a, auc_b) = (mean(&a10), mean(&b10));
    let (va, vb, c) = (
        s(&a10, &a01, &a10, &a01),
        s(&b10, &b01, &b10, &b01),
        s(&a10, &a01, &b10, &b01),
    );
    let var = va + vb - 2.0 * c;
    let z = (auc_a - auc_b) / var.sqrt();
    // The distribution is checked against scipy above; this checks the algorithm.
    let p = mlobs_core::drift::categorical::chi2_sf(z * z, 1.0);
    let d = DeLong {
        auc_a,
        auc_b,
        difference: auc_a - auc_b,
        variance_a: va,
        variance_b: vb,
        covariance: c,
        z,
        p_value: p,
    };
    Some((d, var))
}

fn score() -> impl Strategy<Value = f64> {
    // Few distinct values give ties within and across classes; the range gives none.
    prop_oneof![(0u8..5).prop_map(f64::from), -100.0f64..100.0]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn paired_delong_fast_equals_quadratic(rows in prop::collection::vec((any::<bool>(), score(), score()), 0..60)) {
        let y: Vec<bool> = rows.iter().map(|r| r.0).collect();
        let a: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let b: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let got = delong(&y, &a, &b).unwrap();
        let want = delong_quadratic(&y, &a, &b);
        prop_assert_eq!(got.is_some(), want.is_some());
        let (Some(got), Some((want, var))) = (got, want) else { return Ok(()) };
        for (g, w) in [
            (got.auc_a, want.auc_a),
            (got.auc_b, want.auc_b),
            (got.difference, want.difference),
            (got.variance_a, want.variance_a),
            (got.variance_b, want.variance_b),
            (got.covariance, want.covariance),
        ] {
            prop_assert!((g - w).abs() <= 1e-12, "{:?} vs {:?}", got, want);
        }
        // Below 1e-9 the textbook var_a + var_b − 2·cov is rounding noise around 0.
        if var > 1e-9 {
            prop_assert!((got.z - want.z).abs() <= 1e-9 * want.z.abs().max(1.0), "{:?} vs {:?}", got, want);
            prop_assert!((got.p_value - want.p_value).abs() <= 1e-12, "{:?} vs {:?}", got, want);
        }
        // The AUCs are scikit-learn's, as the exact ranking metrics compute them.
        let sorted = |s: &[f64], positive: bool| {
            let mut v: Vec<f64> = s.iter().zip(&y).filter(|r| *r.1 == positive).map(|r| *r.0).collect();
            v.sort_by(f64::total_cmp);
            v
        };
        prop_assert_eq!(Some(got.auc_a), roc_auc_sorted(&sorted(&a, true), &sorted(&a, false)));
        prop_assert!((0.0..=1.0).contains(&got.auc_a) && (0.0..=1.0).contains(&got.auc_b));
        prop_assert!((0.0..=1.0).contains(&got.p_value));
        let swapped = delong(&y, &b, &a).unwrap().unwrap();
        prop_assert_eq!(swapped.z, -got.z);
        prop_assert_eq!(swapped.p_value, got.p_value);
        prop_assert_eq!((swapped.variance_a, swapped.covariance), (got.variance_b, got.covariance));
    }

    #[test]
    fn paired_t_symmetric(pairs in prop::collection::vec((score(), score()), 2..40)) {
        let a: Vec<f64> = pairs.iter().map(|r| r.0).collect();
        let b: Vec<f64> = pairs.iter().map(|r| r.1).collect();
        let t = paired_t(&a, &b).unwrap().unwrap();
        let s = paired_t(&b, &a).unwrap().unwrap();
        prop_assert!((0.0..=1.0).contains(&t.p_value));
        prop_assert_eq!((s.statistic, s.p_value), (-t.statistic, t.p_value));
    }

    #[test]
    fn paired_mcnemar_symmetric(b in 0u64..200, c in 0u64..200) {
        let (x, y) = (mcnemar(b, c), mcnemar(c, b));
        prop_assert!((0.0..=1.0).contains(&x.p_value));
        prop_assert_eq!((x.statistic, x.p_value, x.exact), (y.statistic, y.p_value, y.exact));
    }
}
