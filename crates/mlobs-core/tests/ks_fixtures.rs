//! mlobs' KS against scipy 1.17.1 (tests/fixtures/generate_ks.py → ks.json): `kstwo.sf/cdf` and
//! `special.smirnov` over a grid that crosses every internal switch of scipy's `_kolmogn`, and
//! `ks_2samp` for every alternative and method from 5 to 100 000 values a side, on both sides of
//! MAX_AUTO_N. Samples are regenerated here from their seeds (splitmix64, as the generator does).

mod common;
use common::{f64s, fixture, sample};
use mlobs_core::drift::kolmogorov::{kstwo_cdf, kstwo_sf, smirnov_sf};
use mlobs_core::drift::ks::{ks_2samp_alt, Alternative, KsPValue};
use mlobs_core::drift::sample::Sample;

/// Relative error, with an absolute floor for values that are 0 in double precision.
fn err(got: f64, want: f64) -> f64 {
    if got == want {
        return 0.0;
    }
    let abs = (got - want).abs();
    if want.abs() < 1e-300 {
        return abs / 1e-300;
    }
    abs / want.abs()
}

#[test]
fn kstwo_and_smirnov_match_scipy_across_every_switch() {
    let doc = fixture("ks.json");
    let mut worst = (0.0, String::new());
    for row in doc["kstwo"].as_array().unwrap() {
        let n = row["n"].as_u64().unwrap();
        let x = row["x"].as_f64().unwrap();
        let mut checks = vec![
            ("sf", kstwo_sf(n, x), row["sf"].as_f64().unwrap()),
            ("cdf", kstwo_cdf(n, x), row["cdf"].as_f64().unwrap()),
        ];
        // smirnov directly for small n and x ≥ 1/2; for large n the kstwo sf above checks it
        // where kstwo uses it (n·x² ≥ 2.2), and its ~n·x-term sum is slow in a debug build.
        if n <= 5000 || x >= 0.5 {
            checks.push((
                "smirnov",
                smirnov_sf(n, x),
                row["smirnov"].as_f64().unwrap(),
            ));
        }
        for (what, got, want) in checks {
            let e = err(got, want);
            // A value computed as 1 − (something near 1) carries absolute, not relative, error.
            let tol = if want < 1e-3 && what != "smirnov" && x < 0.5 {
                1e-9
            } else {
                1e-11
            };
            let bad = e > tol && (got - want).abs() > 1e-15;
            if e > worst.0 {
                worst = (e, format!("{what} n={n} x={x}: {got} vs {want}"));
            }
            assert!(
                !bad,
                "{what} n={n} x={x}: mlobs {got} scipy {want} (rel {e:.3e})"
            );
        }
    }
    eprintln!(
        "kstwo/smirnov worst relative error: {:.3e} ({})",
        worst.0, worst.1
    );
}

#[test]
fn ks_2samp_matches_scipy_every_method_and_alternative() {
    let doc = fixture("ks.json");
    let mut worst = std::collections::BTreeMap::<String, (f64, String)>::new();
    for case in doc["ks_2samp"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (a, b) = if case["a_values"].is_array() {
            (f64s(&case["a_values"]), f64s(&case["b_values"]))
        } else {
            (sample(&case["a"]), sample(&case["b"]))
        };
        let (sa, sb) = (
            Sample::from_values(&a).unwrap(),
            Sample::from_values(&b).unwrap(),
        );
        for (key, want) in case["scipy"].as_object().unwrap() {
            let (alt, method) = key.split_once('/').unwrap();
            let alternative = match alt {
                "two-sided" => Alternative::TwoSided,
                "less" => Alternative::Less,
                _ => Alternative::Greater,
            };
            let mode = match method {
                "auto" => KsPValue::Auto,
                "exact" => KsPValue::Exact,
                _ => KsPValue::Asymptotic,
            };
            let (d, p) = ks_2samp_alt(&sa, &sb, alternative, mode);
            let (wd, wp) = (want["d"].as_f64().unwrap(), want["p"].as_f64().unwrap());
            let ed = err(d, wd);
            let ep = err(p, wp);
            let entry = worst.entry(key.clone()).or_default();
            if ep > entry.0 {
                *entry = (ep, format!("{name}: {p:e} vs {wp:e}"));
            }
            assert!(ed < 1e-12, "{name} {key}: D {d} vs scipy {wd}");
            assert!(
                ep < 1e-10 || (p - wp).abs() < 1e-14,
                "{name} {key}: p {p} vs scipy {wp} (rel {ep:.3e})"
            );
        }
    }
    for (k, (e, what)) in worst {
        eprintln!("{k}: worst rel {e:.3e} ({what})");
    }
}

#[test]
fn ks_sql_options_select_alternative_and_method() {
    // `options => {"alternative": ..., "p_value": ...}` reaches ks_2samp_alt: checked against
    // scipy on the 300 vs 400 case (exact range) and the 12 000 vs 15 000 one (asymptotic).
    use mlobs_core::drift::run::drift_numeric;
    use serde_json::json;
    let doc = fixture("ks.json");
    for name in ["n300_400_s0.1", "n12000_15000_s0.01"] {
        let case = doc["ks_2samp"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap();
        let (a, b) = (sample(&case["a"]), sample(&case["b"]));
        for alt in ["two-sided", "less", "greater"] {
            for method in ["auto", "exact", "asymptotic"] {
                let key = format!(
                    "{alt}/{}",
                    if method == "asymptotic" {
                        "asymp"
                    } else {
                        method
                    }
                );
                let want = &case["scipy"][&key];
                let opts = json!({"alternative": alt, "p_value": method});
                let got = drift_numeric(&a, &b, "ks", None, &opts).unwrap().unwrap();
                let (d, p) = (got.statistic.unwrap(), got.p_value.unwrap());
                assert!(
                    err(d, want["d"].as_f64().unwrap()) < 1e-12,
                    "{name} {key} D"
                );
                assert!(
                    err(p, want["p"].as_f64().unwrap()) < 1e-10,
                    "{name} {key}: {p} vs {}",
                    want["p"]
                );
            }
        }
        let bad = drift_numeric(&a, &b, "ks", None, &json!({"alternative": "both"}));
        assert!(bad.is_err());
    }
}
