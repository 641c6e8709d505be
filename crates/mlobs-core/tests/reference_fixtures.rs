//! mlobs against fixtures computed by evidently 0.7 / numpy (tests/fixtures/generate.py).

mod common;
use approx::assert_relative_eq;
use common::{f64s, fixture};
use mlobs_core::binning::quantiles_linear;
use mlobs_core::drift::psi::{evidently_bins, psi_evidently, psi_reference_quantile};
use mlobs_core::{Histogram, NumericProfile};

#[test]
fn psi_matches_evidently() {
    let fx = fixture("psi.json");
    let cases = fx["psi"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (r, c) = (f64s(&case["reference"]), f64s(&case["current"]));
        let bins = evidently_bins(&r, &c);
        assert_eq!(bins.kind, case["binning_kind"].as_str().unwrap(), "{name}");
        assert_eq!(
            bins.reference.len() as u64,
            case["n_bins"].as_u64().unwrap(),
            "{name}: bin count"
        );
        let got = psi_evidently(&r, &c).unwrap();
        let want = case["evidently_psi"].as_f64().unwrap();
        assert_relative_eq!(got, want, max_relative = 1e-9, epsilon = 1e-15);
        assert_eq!(
            got >= 0.1,
            case["evidently_drifted"].as_bool().unwrap(),
            "{name}: drift flag"
        );
    }
}

#[test]
fn reference_quantile_psi_matches_numpy_definition() {
    let fx = fixture("psi.json");
    for case in fx["reference_quantile_psi"].as_array().unwrap() {
        let (r, c) = (f64s(&case["reference"]), f64s(&case["current"]));
        let bins = case["bins"].as_i64().unwrap() as i32;
        let got = psi_reference_quantile(&r, &c, bins).unwrap().unwrap();
        let want = case["psi"].as_f64().unwrap();
        assert_relative_eq!(got, want, max_relative = 1e-9, epsilon = 1e-15);
    }
}

#[test]
fn quantiles_match_numpy_linear_and_sketch_within_bound() {
    let fx = fixture("psi.json");
    for case in fx["quantiles"].as_array().unwrap() {
        let mut v = f64s(&case["values"]);
        let qs = f64s(&case["q"]);
        let mut p = NumericProfile::default();
        v.iter().for_each(|&x| p.add(Some(x)));
        v.sort_by(f64::total_cmp);
        let exact = quantiles_linear(&v, &qs);
        for ((e, want), (&q, lower)) in exact
            .iter()
            .zip(f64s(&case["linear"]))
            .zip(qs.iter().zip(f64s(&case["lower"])))
        {
            assert_relative_eq!(*e, want, max_relative = 1e-12, epsilon = 1e-300);
            // The sketch: within 1 % of the neighbouring order statistics' magnitude.
            let approx = p.quantile(q).unwrap().unwrap();
            let hi = v[((v.len() - 1) as f64 * q).ceil() as usize].abs();
            let bound = 0.01 * lower.abs().max(hi) * (1.0 + 1e-9);
            assert!(
                (approx - want).abs() <= bound,
                "{} q={q}: {approx} vs {want}",
                case["name"]
            );
        }
    }
}

#[test]
fn moments_match_numpy() {
    let fx = fixture("psi.json");
    for case in fx["moments"].as_array().unwrap() {
        let v = f64s(&case["values"]);
        let mut p = NumericProfile::default();
        v.iter().for_each(|&x| p.add(Some(x)));
        assert_eq!(p.n, case["n"].as_u64().unwrap());
        assert_relative_eq!(
            p.mean().unwrap(),
            case["mean"].as_f64().unwrap(),
            max_relative = 1e-9
        );
        assert_relative_eq!(
            p.stddev_pop().unwrap(),
            case["std_pop"].as_f64().unwrap(),
            max_relative = 1e-9,
            epsilon = 1e-300
        );
        match case["std_sample"].as_f64() {
            Some(s) => assert_relative_eq!(p.stddev().unwrap(), s, max_relative = 1e-9),
            None => assert_eq!(p.stddev(), None),
        }
        assert_eq!(p.min.unwrap(), case["min"].as_f64().unwrap());
        assert_eq!(p.max.unwrap(), case["max"].as_f64().unwrap());
    }
}

#[test]
fn histogram_counts_match_numpy() {
    let fx = fixture("psi.json");
    for case in fx["histogram"].as_array().unwrap() {
        let mut h = Histogram::new(f64s(&case["edges"]), "edges").unwrap();
        f64s(&case["values"]).iter().for_each(|&x| h.add(Some(x)));
        let want: Vec<u64> = case["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .collect();
        assert_eq!(h.counts, want, "{}", case["name"]);
        assert_eq!(h.underflow, case["under"].as_u64().unwrap());
        assert_eq!(h.overflow, case["over"].as_u64().unwrap());
    }
}
