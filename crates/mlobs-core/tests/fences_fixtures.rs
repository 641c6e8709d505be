//! Outlier fences against numpy/pandas (tests/fixtures/generate_fences.py → fences.json): IQR with
//! numpy's linear quantiles, z-score with the population σ (ddof 0) and with the sample standard
//! deviation (ddof 1, `zscore_sample`), on raw values and, for the z-scores, on a profile.
mod common;

use mlobs_core::profile::NumericProfile;
use mlobs_core::quality::{fences_from_profile, fences_from_values, FenceMethod};

fn close(a: f64, b: f64, what: &str) {
    let tol = 1e-12 * a.abs().max(b.abs()).max(1e-300);
    assert!((a - b).abs() <= tol, "{what}: mlobs {a} vs reference {b}");
}

#[test]
fn fences_match_numpy_and_pandas() {
    let fixture = common::fixture("fences.json");
    let mut checked = 0;
    for case in fixture["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let values: Vec<f64> = case["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let mut profile = NumericProfile::default();
        values.iter().for_each(|&x| profile.add(Some(x)));
        for r in case["results"].as_array().unwrap() {
            let k = r["k"].as_f64().unwrap();
            for method in ["iqr", "zscore", "zscore_sample"] {
                let m = FenceMethod::parse(method).unwrap();
                let what = format!("{name} {method} k={k}");
                let got = fences_from_values(&values, m, k).unwrap();
                let from_profile = fences_from_profile(&profile, m, k).unwrap();
                match r["fences"][method].as_array() {
                    None => {
                        assert_eq!(got, None, "{what}");
                        assert_eq!(from_profile, None, "{what} (profile)");
                    }
                    Some(want) => {
                        let (lo, hi) = (want[0].as_f64().unwrap(), want[1].as_f64().unwrap());
                        let f = got.unwrap_or_else(|| panic!("{what}: no fences"));
                        close(f.lower, lo, &what);
                        close(f.upper, hi, &what);
                        // Profiles keep exact moments, so their z-score fences are the same; IQR
                        // goes through the sketch (1 % relative, tested elsewhere).
                        if method != "iqr" {
                            let p = from_profile.unwrap();
                            close(p.lower, lo, &format!("{what} (profile)"));
                            close(p.upper, hi, &format!("{what} (profile)"));
                        }
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 8 * 3 * 3);
}
