//! mlobs drift methods against evidently 0.7.23 / scipy 1.17.1 (tests/fixtures/generate_drift.py).

mod common;
use common::{f64s, fixture};
use mlobs_core::drift::distance::{energy_distance, wasserstein_raw};
use mlobs_core::drift::ks::ks_2samp;
use mlobs_core::drift::methods::{Rule, METHODS};
use mlobs_core::drift::mmd::empirical_mmd;
use mlobs_core::drift::rank_tests::t_test;
use mlobs_core::drift::run::{drift_categories, drift_numeric, drift_profiles};
use mlobs_core::drift::sample::Sample;
use mlobs_core::NumericProfile;
use serde_json::{json, Value};

/// Whether Evidently's value of a method is its p-value (tests) rather than its statistic, as
/// the registry's drift rule says.
fn is_test(method: &str) -> bool {
    let spec = METHODS.iter().find(|m| m.name == method).unwrap();
    matches!(spec.rule, Rule::PValueBelow | Rule::PValueAtMost)
}

/// The methods a fixture case records Evidently's result for, registry order.
fn recorded(cases: &Value) -> Vec<&'static str> {
    METHODS
        .iter()
        .map(|m| m.name)
        .filter(|name| {
            cases
                .as_array()
                .unwrap()
                .iter()
                .any(|c| !c["evidently"][name].is_null())
        })
        .collect()
}

/// A fixture's array of strings.
fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1e-300) || (got - want).abs() <= 1e-15,
        "{what}: got {got}, want {want}"
    );
}

#[test]
fn numeric_methods_match_evidently() {
    let fx = fixture("drift.json");
    let cases = fx["numeric"].as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut checked = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (r, c) = (f64s(&case["reference"]), f64s(&case["current"]));
        // cramer_von_mises is checked in cvm_fixtures.rs, on its own cases and tolerance.
        for method in recorded(&fx["numeric"])
            .into_iter()
            .filter(|&m| m != "cramer_von_mises")
        {
            let want = &case["evidently"][method];
            let got = drift_numeric(&r, &c, method, None, &json!({}))
                .unwrap()
                .unwrap();
            let what = format!("{name}/{method}");
            let value = if is_test(method) {
                got.p_value
            } else {
                got.statistic
            };
            match want["value"].as_f64() {
                Some(w) => close(
                    value.unwrap_or_else(|| panic!("{what}: NULL, want {w}")),
                    w,
                    &what,
                ),
                // Evidently gives NaN (or raises): mlobs reports NULL and no verdict.
                None => assert!(
                    value.is_none() && got.drifted.is_none(),
                    "{what}: got {value:?}"
                ),
            }
            if let (Some(w), Some(g)) = (want["drifted"].as_bool(), got.drifted) {
                assert_eq!(g, w, "{what}: drift flag");
            }
            checked += 1;
        }
        // Evidently's automatic choice, its value and verdict.
        let auto = drift_numeric(&r, &c, "auto", None, &json!({}))
            .unwrap()
            .unwrap();
        assert_eq!(
            auto.method,
            case["auto"]["method"].as_str().unwrap(),
            "{name}: auto"
        );
        assert_eq!(
            auto.threshold,
            case["auto"]["threshold"].as_f64(),
            "{name}: auto threshold"
        );
        let value = if auto.p_value.is_some() {
            auto.p_value
        } else {
            auto.statistic
        };
        if let Some(w) = case["auto"]["value"].as_f64() {
            close(value.unwrap(), w, &format!("{name}/auto"));
            assert_eq!(
                auto.drifted,
                case["auto"]["drifted"].as_bool(),
                "{name}: auto drift flag"
            );
        }
    }
    assert!(checked >= 200);
}

#[test]
fn statistics_match_scipy() {
    let fx = fixture("drift.json");
    for case in fx["numeric"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (r, c) = (f64s(&case["reference"]), f64s(&case["current"]));
        let (sr, sc) = (
            Sample::from_values(&r).unwrap(),
            Sample::from_values(&c).unwrap(),
        );
        let s = &case["scipy"];
        close(
            wasserstein_raw(&sr, &sc),
            s["wasserstein_distance"].as_f64().unwrap(),
            &format!("{name}/W1"),
        );
        close(
            energy_distance(&sr, &sc),
            s["energy_distance"].as_f64().unwrap(),
            &format!("{name}/ed"),
        );
        let (d, p) = ks_2samp(&sr, &sc);
        close(
            d,
            s["ks_statistic"].as_f64().unwrap(),
            &format!("{name}/ks D"),
        );
        close(p, s["ks_pvalue"].as_f64().unwrap(), &format!("{name}/ks p"));
        let (t, _) = t_test(&sr, &sc);
        match s["ttest_statistic"].as_f64() {
            Some(w) => close(t, w, &format!("{name}/t")),
            None => assert!(!t.is_finite(), "{name}: t = {t}"),
        }
    }
}

#[test]
fn categorical_methods_match_evidently() {
    let fx = fixture("drift.json");
    let mut checked = 0;
    for case in fx["categorical"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (rs, cs) = (strings(&case["reference"]), strings(&case["current"]));
        let r: Vec<&str> = rs.iter().map(String::as_str).collect();
        let c: Vec<&str> = cs.iter().map(String::as_str).collect();
        // TVD's p-value is mlobs' own: its verdict is compared below.
        for method in recorded(&fx["categorical"])
            .into_iter()
            .filter(|&m| m != "TVD")
        {
            let want = &case["evidently"][method];
            if want.is_null() || (want["value"].is_null() && want["drifted"].is_null()) {
                continue; // not applicable, or Evidently raises (g_test with unequal sizes)
            }
            let what = format!("{name}/{method}");
            let got = drift_categories(&r, &c, method, None, &json!({}))
                .unwrap()
                .unwrap();
            match want["value"].as_f64() {
                Some(w) => {
                    close(got.p_value.or(got.statistic).unwrap(), w, &what);
                    assert_eq!(got.drifted, want["drifted"].as_bool(), "{what}: flag");
                }
                None => assert!(
                    got.p_value.is_none() && got.drifted.is_none(),
                    "{what}: {got:?}"
                ),
            }
            checked += 1;
        }
        let auto = drift_categories(&r, &c, "auto", None, &json!({}))
            .unwrap()
            .unwrap();
        assert_eq!(
            auto.method,
            case["auto"]["method"].as_str().unwrap(),
            "{name}: auto"
        );
        if let Some(w) = case["auto"]["value"].as_f64() {
            close(
                auto.p_value.or(auto.statistic).unwrap(),
                w,
                &format!("{name}/auto"),
            );
        }
        // TVD: statistic ½Σ|p−q|; the permutation p-value is mlobs' own (fixed seed), so only its
        // verdict on clear-cut cases is compared.
        let tvd = drift_categories(&r, &c, "TVD", None, &json!({}))
            .unwrap()
            .unwrap();
        let p = tvd.p_value.unwrap();
        assert!((0.0..=1.0).contains(&p), "{name}: TVD p {p}");
        if let Some(w) = case["evidently"]["TVD"]["value"].as_f64()
            && (w <= 0.001 || w >= 0.5)
        {
            assert_eq!(
                p < 0.1,
                w < 0.1,
                "{name}: TVD verdict (ours {p}, Evidently {w})"
            );
        }
    }
    assert!(checked >= 60, "{checked}");
}

#[test]
fn profile_wasserstein_within_documented_bound() {
    // Every value of a profile's discretised sample is within 1 % of the true value, so W1 moves
    // by at most 0.01 · (E|X_ref| + E|X_cur|).
    let fx = fixture("drift.json");
    for case in fx["numeric"].as_array().unwrap() {
        let (r, c) = (f64s(&case["reference"]), f64s(&case["current"]));
        let profile = |v: &[f64]| {
            let mut p = NumericProfile::default();
            v.iter().for_each(|&x| p.add(Some(x)));
            p
        };
        let exact = drift_numeric(&r, &c, "wasserstein_raw", None, &json!({}))
            .unwrap()
            .unwrap()
            .statistic
            .unwrap();
        let approx = drift_profiles(
            &profile(&r),
            &profile(&c),
            "wasserstein_raw",
            None,
            &json!({}),
        )
        .unwrap()
        .unwrap()
        .statistic
        .unwrap();
        let mean_abs = |v: &[f64]| v.iter().map(|x| x.abs()).sum::<f64>() / v.len() as f64;
        let bound = 0.01 * (mean_abs(&r) + mean_abs(&c)) * (1.0 + 1e-9) + 1e-12;
        assert!(
            (exact - approx).abs() <= bound,
            "{}: {exact} vs {approx} (bound {bound})",
            case["name"]
        );
        // t-test from profiles uses exact moments: equal to the raw one up to rounding.
        let t_exact = drift_numeric(&r, &c, "t_test", None, &json!({}))
            .unwrap()
            .unwrap();
        let t_prof = drift_profiles(&profile(&r), &profile(&c), "t_test", None, &json!({}))
            .unwrap()
            .unwrap();
        match (t_exact.statistic, t_prof.statistic) {
            (Some(a), Some(b)) => assert!(
                (a - b).abs() <= 1e-7 * a.abs().max(1.0),
                "{}: t {a} vs {b}",
                case["name"]
            ),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{}", case["name"]),
        }
    }
}

#[test]
fn mmd_statistic_matches_evidently() {
    // Values from evidently's kernel_matrix + mmd_2samp (diagonal removed) on these fixture cases.
    let fx = fixture("drift.json");
    let want = [
        ("normal_same_500", -0.00015721122157896783),
        ("normal_shifted_800_600", 0.020169022167226824),
        ("ties_one_decimal_700_900", 0.003231641376578942),
        ("integers_0_9_400_500", 0.008422639664671716),
    ];
    for (name, value) in want {
        let case = fx["numeric"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap();
        let (r, c) = (f64s(&case["reference"]), f64s(&case["current"]));
        let (mmd, p) = empirical_mmd(
            &Sample::from_values(&r).unwrap(),
            &Sample::from_values(&c).unwrap(),
        );
        assert!(
            (mmd - value).abs() <= 1e-9 * value.abs(),
            "{name}: {mmd} vs {value}"
        );
        assert!((0.0..=1.0).contains(&p));
    }
}

#[test]
fn reference_doane_binning_matches_numpy() {
    let doane = fixture("doane.json");
    let fx = fixture("drift.json");
    for want in doane["cases"].as_array().unwrap() {
        let name = want["name"].as_str().unwrap();
        let case = fx["numeric"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap();
        let (r, c) = (f64s(&case["reference"]), f64s(&case["current"]));
        let edges =
            mlobs_core::binning::doane_edges_weighted(&mlobs_core::drift::psi::to_weighted(&r));
        assert_eq!(
            edges.len(),
            want["edges"].as_array().unwrap().len(),
            "{name}: edge count"
        );
        for (g, w) in edges.iter().zip(f64s(&want["edges"])) {
            close(*g, w, &format!("{name}/edge"));
        }
        let opts = json!({"binning": "reference_doane"});
        let js = drift_numeric(&r, &c, "jensenshannon", None, &opts)
            .unwrap()
            .unwrap();
        close(
            js.statistic.unwrap(),
            want["jensenshannon_base2"].as_f64().unwrap(),
            &format!("{name}/js"),
        );
        let psi = drift_numeric(&r, &c, "psi", None, &opts).unwrap().unwrap();
        close(
            psi.statistic.unwrap(),
            want["psi"].as_f64().unwrap(),
            &format!("{name}/psi"),
        );
    }
}

#[test]
fn profile_results_close_to_exact() {
    // No closed-form bound exists for binned methods (a value within 1 % of an edge may change
    // bins), so this pins the observed agreement on the fixture cases with ≥ 100 values a side:
    // absolute difference of the statistic, worst case over the cases, per method.
    let limits = [
        ("ks", 0.005),
        ("jensenshannon", 0.015),
        ("hellinger", 0.03),
        ("kl_div", 0.01),
        ("psi", 0.01),
        ("wasserstein", 0.02),
    ];
    let fx = fixture("drift.json");
    let profile = |v: &[f64]| {
        let mut p = NumericProfile::default();
        v.iter().for_each(|&x| p.add(Some(x)));
        p
    };
    let mut worst = vec![0.0f64; limits.len()];
    for case in fx["numeric"].as_array().unwrap() {
        let (r, c) = (f64s(&case["reference"]), f64s(&case["current"]));
        if r.len() < 100 || c.len() < 100 {
            continue;
        }
        for (k, (method, limit)) in limits.iter().enumerate() {
            let exact = drift_numeric(&r, &c, method, None, &json!({}))
                .unwrap()
                .unwrap()
                .statistic
                .unwrap();
            let approx = drift_profiles(&profile(&r), &profile(&c), method, None, &json!({}))
                .unwrap()
                .unwrap()
                .statistic
                .unwrap();
            let diff = (exact - approx).abs();
            worst[k] = worst[k].max(diff);
            assert!(
                diff <= *limit,
                "{} {method}: exact {exact} vs profile {approx}",
                case["name"]
            );
        }
    }
    eprintln!(
        "worst |profile − exact|: {:?}",
        limits.iter().map(|l| l.0).zip(&worst).collect::<Vec<_>>()
    );
}

#[test]
fn l_infinity_matches_nannyml_definition() {
    // NannyML's L-infinity: max |p_i − q_i| over the category shares of reference ∪ current
    // (`np.max(np.abs(ref_proportions - cur_proportions))`), on the categorical fixture cases.
    let fx = fixture("drift.json");
    for case in fx["categorical"].as_array().unwrap() {
        let (rs, cs) = (strings(&case["reference"]), strings(&case["current"]));
        let share =
            |v: &[String], k: &str| v.iter().filter(|x| *x == k).count() as f64 / v.len() as f64;
        let want = rs
            .iter()
            .chain(&cs)
            .map(|k| (share(&rs, k) - share(&cs, k)).abs())
            .fold(0.0, f64::max);
        let r: Vec<&str> = rs.iter().map(String::as_str).collect();
        let c: Vec<&str> = cs.iter().map(String::as_str).collect();
        let got = drift_categories(&r, &c, "l_infinity", None, &json!({}))
            .unwrap()
            .unwrap();
        close(
            got.statistic.unwrap(),
            want,
            &format!("{}/l_infinity", case["name"]),
        );
    }
}

/// Where each registry method meets a reference implementation: the methods recorded in
/// drift.json's cases (checked by the tests above, which iterate over them) and these, checked by
/// the named tests. A method added to the registry without a fixture case fails here.
const CHECKED_ELSEWHERE: &[(&str, &str)] = &[
    ("wasserstein_raw", "statistics_match_scipy"),
    ("empirical_mmd", "mmd_statistic_matches_evidently"),
    ("cramer_von_mises", "cvm_fixtures.rs"),
    ("l_infinity", "l_infinity_matches_nannyml_definition"),
];

#[test]
fn every_registry_method_has_a_fixture_case() {
    let fx = fixture("drift.json");
    let mut covered: Vec<&str> = recorded(&fx["numeric"]);
    covered.extend(recorded(&fx["categorical"]));
    covered.extend(CHECKED_ELSEWHERE.iter().map(|c| c.0));
    for m in METHODS {
        assert!(
            covered.contains(&m.name),
            "method '{}' has no fixture case: add it to tests/fixtures/generate_drift.py or a test here",
            m.name
        );
    }
    for (name, test) in CHECKED_ELSEWHERE {
        assert!(
            METHODS.iter().any(|m| m.name == *name),
            "{test} checks '{name}', which is not a registry method"
        );
    }
}
