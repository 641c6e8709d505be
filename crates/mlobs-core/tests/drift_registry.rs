//! Every registry method over every input kind and a range of awkward samples: a method computes
//! on the inputs its row lists (or fails with its own documented limit, a user error naming the
//! method), refuses the others with the list of valid methods, and never panics.

use mlobs_core::drift::methods::{Source, METHODS};
use mlobs_core::drift::run::{drift_categories, drift_numeric, drift_profiles, DriftResult};
use mlobs_core::{ErrorKind, NumericProfile, Result};
use serde_json::json;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// (name, reference, current): tiny, constant, binary, tied, disjoint and spread samples.
fn samples() -> Vec<(&'static str, Vec<f64>, Vec<f64>)> {
    let spread: Vec<f64> = (0..120).map(|i| (i as f64 * 0.7).cos() * 3.0).collect();
    let shifted: Vec<f64> = (0..90)
        .map(|i| (i as f64 * 0.3).sin() * 2.0 + 1.0)
        .collect();
    vec![
        ("singletons", vec![1.0], vec![2.0]),
        ("one value", vec![5.0; 3], vec![5.0; 2]),
        (
            "binary",
            vec![0.0, 1.0, 1.0, 0.0, 1.0],
            vec![1.0, 1.0, 1.0, 0.0],
        ),
        (
            "ties",
            vec![1.0, 1.0, 2.0, 3.0],
            vec![2.0, 3.0, 3.0, 3.0, 4.0],
        ),
        ("disjoint", vec![-1e300, -1.0], vec![1.0, 1e300]),
        ("spread", spread, shifted),
    ]
}

fn profile(values: &[f64]) -> NumericProfile {
    let mut p = NumericProfile::default();
    values.iter().for_each(|&x| p.add(Some(x)));
    p
}

/// The method run on one input kind.
fn run(source: Source, method: &str, r: &[f64], c: &[f64]) -> Result<Option<DriftResult>> {
    let options = json!({});
    match source {
        Source::Exact => drift_numeric(r, c, method, None, &options),
        Source::Profile => drift_profiles(&profile(r), &profile(c), method, None, &options),
        Source::Categorical => {
            let text = |v: &[f64]| v.iter().map(|x| format!("{x}")).collect::<Vec<_>>();
            let (rt, ct) = (text(r), text(c));
            let rs: Vec<&str> = rt.iter().map(String::as_str).collect();
            let cs: Vec<&str> = ct.iter().map(String::as_str).collect();
            drift_categories(&rs, &cs, method, None, &options)
        }
    }
}

#[test]
fn every_method_over_every_input_kind() {
    let mut computed = 0;
    for spec in METHODS {
        for source in Source::ALL {
            for (case, r, c) in samples() {
                let what = format!("{} on {} ({case})", spec.name, source.name());
                let got = catch_unwind(AssertUnwindSafe(|| run(source, spec.name, &r, &c)))
                    .unwrap_or_else(|_| panic!("{what}: panicked"));
                if !spec.inputs.contains(&source) {
                    let e = got.expect_err(&what);
                    assert_eq!(e.kind, ErrorKind::InvalidParameter, "{what}");
                    assert!(e.message.contains("must be one of 'auto'"), "{what}: {e:?}");
                    continue;
                }
                match got {
                    Ok(Some(d)) => {
                        assert_eq!(d.method, spec.name, "{what}");
                        assert_eq!(d.threshold, spec.default_threshold, "{what}");
                        assert!(d.statistic.is_none_or(|s| !s.is_nan()), "{what}: {d:?}");
                        assert!(
                            d.p_value.is_none_or(|p| (0.0..=1.0).contains(&p)),
                            "{what}: {d:?}"
                        );
                        let verdict = spec.rule.drifted(d.threshold, d.statistic, d.p_value);
                        assert_eq!(d.drifted, verdict, "{what}");
                        computed += 1;
                    }
                    Ok(None) => panic!("{what}: NULL for non-empty sides"),
                    // A method's own limit (binary data only, a size cap): a user error that
                    // names the method, never an internal one.
                    Err(e) => {
                        assert!(
                            matches!(
                                e.kind,
                                ErrorKind::InvalidParameter | ErrorKind::LimitExceeded
                            ),
                            "{what}: {e:?}"
                        );
                        assert!(
                            e.message.contains(&format!("method '{}'", spec.name)),
                            "{what}: {e:?}"
                        );
                        assert_ne!(case, "binary", "{what}: every method takes binary data");
                    }
                }
            }
        }
    }
    assert!(computed >= 150, "{computed}");
}

#[test]
fn an_empty_side_is_null_for_every_method_and_input_kind() {
    for spec in METHODS {
        for source in Source::ALL.into_iter().filter(|s| spec.inputs.contains(s)) {
            let got = run(source, spec.name, &[], &[1.0, 2.0]);
            assert_eq!(
                got,
                Ok(None),
                "{} on {}: empty reference",
                spec.name,
                source.name()
            );
        }
    }
}

#[test]
fn every_method_rejects_an_unknown_option() {
    for spec in METHODS {
        for source in Source::ALL.into_iter().filter(|s| spec.inputs.contains(s)) {
            let e = drift_numeric_or_other(source, spec.name).expect_err(spec.name);
            assert!(
                e.message
                    .contains(&format!("not valid for method '{}'", spec.name)),
                "{}: {e:?}",
                spec.name
            );
        }
    }
}

/// The method with an option no method has.
fn drift_numeric_or_other(source: Source, method: &str) -> Result<Option<DriftResult>> {
    let options = json!({"no_such_option": 1});
    match source {
        Source::Exact => drift_numeric(&[1.0], &[2.0], method, None, &options),
        Source::Profile => {
            drift_profiles(&profile(&[1.0]), &profile(&[2.0]), method, None, &options)
        }
        Source::Categorical => drift_categories(&["a"], &["b"], method, None, &options),
    }
}

#[test]
fn names_are_unique_and_auto_is_reserved() {
    for (i, m) in METHODS.iter().enumerate() {
        assert_ne!(m.name, "auto");
        assert!(!m.inputs.is_empty(), "{}", m.name);
        assert!(
            METHODS[..i].iter().all(|o| o.name != m.name),
            "{} registered twice",
            m.name
        );
    }
}
