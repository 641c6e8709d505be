use super::*;

fn binary(pairs: &[(i64, i64)]) -> Confusion {
    let mut c = Confusion::default();
    for &(a, p) in pairs {
        c.add(Label::Int(a), Label::Int(p), 1.0).unwrap();
    }
    c
}

#[test]
fn binary_metrics() {
    // tp=2 fp=1 fn=1 tn=1
    let c = binary(&[(1, 1), (1, 1), (0, 1), (1, 0), (0, 0)]);
    assert_eq!(c.accuracy(), Some(0.6));
    assert_eq!(c.precision(Average::Binary, None).unwrap(), Some(2.0 / 3.0));
    assert_eq!(c.recall(Average::Binary, None).unwrap(), Some(2.0 / 3.0));
    assert_eq!(c.f1(Average::Binary, None).unwrap(), Some(4.0 / 6.0));
    let r = c.rates(None).unwrap().unwrap();
    assert_eq!(r.tnr, Some(0.5));
    assert_eq!(r.fpr, Some(0.5));
}

#[test]
fn binary_average_rejects_multiclass_and_foreign_pos_label() {
    let c = binary(&[(0, 1), (2, 2)]);
    assert!(c.f1(Average::Binary, None).is_err());
    let c = binary(&[(0, 2), (2, 2)]);
    assert!(c.f1(Average::Binary, None).is_err());
    assert!(c.f1(Average::Binary, Some("2")).is_ok());
}

#[test]
fn mixed_kinds_are_rejected() {
    let mut c = Confusion::default();
    c.add(Label::Int(1), Label::Int(1), 1.0).unwrap();
    assert!(c
        .add(Label::Text("a".into()), Label::Text("a".into()), 1.0)
        .is_err());
    assert!(c.add(Label::Int(1), Label::Int(1), f64::NAN).is_err());
    assert!(c.add(Label::Int(1), Label::Int(1), -1.0).is_err());
}

#[test]
fn round_trips_and_rejects_forged_bytes() {
    let mut c = Confusion::default();
    for (a, p) in [("x", "y"), ("y", "y"), ("z", "x")] {
        c.add(Label::Text(a.into()), Label::Text(p.into()), 1.5)
            .unwrap();
    }
    let b = c.to_bytes();
    assert_eq!(Confusion::from_bytes(&b).unwrap(), c);
    for cut in 0..b.len() {
        assert!(Confusion::from_bytes(&b[..cut]).is_err());
    }
    let json = c.to_json();
    assert_eq!(Confusion::from_json(&json).unwrap(), c);
    let mut forged = b.clone();
    forged[5 + 16] = 9; // label kind
    assert!(Confusion::from_bytes(&forged).is_err());
}

#[test]
fn class_report_zero_division() {
    // class 2 is only predicted: precision 0/1, recall 0/0 (zero_division), support 0
    let c = binary(&[(0, 0), (1, 2), (1, 1)]);
    assert!(ZeroDivision::parse(Some(0.5)).is_err());
    assert_eq!(ZeroDivision::parse(None).unwrap(), ZeroDivision::Undefined);
    assert_eq!(
        ZeroDivision::parse(Some(f64::NAN)).unwrap(),
        ZeroDivision::Undefined
    );
    let rows = c.class_report(ZeroDivision::One);
    let names: Vec<&str> = rows.iter().map(|r| r.class.as_str()).collect();
    assert_eq!(
        names,
        ["0", "1", "2", "accuracy", "macro avg", "weighted avg"]
    );
    assert_eq!((rows[2].precision, rows[2].recall), (Some(0.0), Some(1.0)));
    let rows = c.class_report(ZeroDivision::Undefined);
    assert_eq!(rows[2].recall, None);
    // macro recall leaves the undefined class out: (1 + 0.5) / 2
    assert_eq!(rows[4].recall, Some(0.75));
    assert_eq!(rows[3].f1, Some(2.0 / 3.0));
    assert_eq!(rows[5].support, 3.0);
    assert!(Confusion::default()
        .class_report(ZeroDivision::Zero)
        .is_empty());
}

#[test]
fn empty_gives_none() {
    let c = Confusion::default();
    assert_eq!(c.accuracy(), None);
    assert_eq!(c.mcc(), None);
    assert_eq!(c.f1(Average::Macro, None).unwrap(), None);
}

#[test]
fn class_cap_and_label_set_across_paths() {
    // 1000 classes, every (actual, predicted) pair once: allowed; a 1001st label is refused.
    let mut c = Confusion::default();
    for a in 0..1000 {
        c.add(Label::Int(a), Label::Int((a * 7) % 1000), 1.0)
            .unwrap();
    }
    for a in 0..1000 {
        c.add(Label::Int(a), Label::Int((a * 13 + 1) % 1000), 1.0)
            .unwrap();
    }
    assert_eq!(c.labels().len(), 1000);
    let err = c
        .clone()
        .add(Label::Int(5), Label::Int(1000), 1.0)
        .unwrap_err();
    assert!(
        err.message.contains("at most 1000 classes"),
        "{}",
        err.message
    );
    // The kept label set equals the cells' labels after a round trip and a merge.
    let from_cells = |c: &Confusion| -> Vec<Label> {
        let set: BTreeSet<&Label> = c.cells.keys().flat_map(|(a, p)| [a, p]).collect();
        set.into_iter().cloned().collect()
    };
    let small = binary(&[(0, 7), (9, 9)]);
    let back = Confusion::from_bytes(&small.to_bytes()).unwrap();
    assert_eq!(back, small);
    assert_eq!(
        back.labels().into_iter().cloned().collect::<Vec<_>>(),
        from_cells(&small)
    );
    let mut merged = binary(&[(1, 2)]);
    merged.merge(&small).unwrap();
    assert_eq!(
        merged.labels().into_iter().cloned().collect::<Vec<_>>(),
        from_cells(&merged)
    );
    let mut over = c.clone();
    assert!(over.merge(&binary(&[(1000, 1001)])).is_err());
}

#[test]
fn metrics_do_not_depend_on_the_scale_of_the_weights() {
    // Weights near float8's limits: products of weighted counts overflowed to NaN (1e200) or
    // underflowed to 0 (1e-200), so MCC, F1 and accuracy came out NaN or 0.
    let pairs = [(1, 1), (1, 1), (0, 1), (1, 0), (0, 0)];
    let weighted = |w: f64| {
        let mut c = Confusion::default();
        for &(a, p) in &pairs {
            c.add(Label::Int(a), Label::Int(p), w).unwrap();
        }
        c
    };
    let unit = weighted(1.0);
    for w in [1e-200, 1e-300, 1e-310, 5e-324, 1e200, 1e300, 5e307] {
        let c = weighted(w);
        let close = |a: Option<f64>, b: Option<f64>| (a.unwrap() - b.unwrap()).abs() < 1e-15;
        assert!(close(c.accuracy(), unit.accuracy()), "{w}");
        assert!(close(c.mcc(), unit.mcc()), "{w}: {:?}", c.mcc());
        let (r, u) = (
            c.rates(None).unwrap().unwrap(),
            unit.rates(None).unwrap().unwrap(),
        );
        assert!(close(r.tpr, u.tpr) && close(r.fpr, u.fpr), "{w}: {r:?}");
        for avg in [
            Average::Binary,
            Average::Macro,
            Average::Micro,
            Average::Weighted,
        ] {
            assert!(
                close(c.f1(avg, None).unwrap(), unit.f1(avg, None).unwrap()),
                "{w}"
            );
        }
    }
    // Power-of-two weights give exactly the unit-weight bits.
    let c = weighted(2f64.powi(900));
    assert_eq!((c.accuracy(), c.mcc()), (unit.accuracy(), unit.mcc()));
    // Two cells near the limit: TP + FN overflowed, and the TPR came out 0 instead of ½.
    let mut c = Confusion::default();
    c.add(Label::Int(1), Label::Int(1), 1e308).unwrap();
    c.add(Label::Int(1), Label::Int(0), 1e308).unwrap();
    c.add(Label::Int(0), Label::Int(0), 1.0).unwrap();
    assert_eq!(c.rates(None).unwrap().unwrap().tpr, Some(0.5));
    // A cell whose weighted count overflows is an error, not +Infinity.
    let mut c = Confusion::default();
    c.add(Label::Int(1), Label::Int(1), 1e308).unwrap();
    assert!(c.add(Label::Int(1), Label::Int(1), 1e308).is_err());
    let mut a = Confusion::default();
    a.add(Label::Int(1), Label::Int(1), 1e308).unwrap();
    assert!(a.merge(&c).is_err());
}

#[test]
fn no_correct_prediction_is_positive_zero() {
    // An empty f64 sum is -0.0: accuracy and the rates must still be +0 (a "-0" point otherwise).
    let c = binary(&[(1, 0), (0, 1)]);
    let accuracy = c.accuracy().unwrap();
    assert!(accuracy == 0.0 && accuracy.is_sign_positive());
    let recall = c.recall(Average::Binary, None).unwrap().unwrap();
    assert!(recall == 0.0 && recall.is_sign_positive());
    let micro = c.f1(Average::Micro, None).unwrap().unwrap();
    assert!(micro == 0.0 && micro.is_sign_positive());
}

#[test]
fn class_report_of_weights_near_float8_limits() {
    // Review of 2026-12-07: recall 0 (true 0.5), F1 NaN and support Infinity for class 0.
    let mut c = Confusion::default();
    for (a, p, w) in [
        (1i64, 1i64, 1e308),
        (0, 1, 1e308),
        (0, 0, 1e308),
        (1, 0, 1e-300),
    ] {
        c.add(Label::Int(a), Label::Int(p), w).unwrap();
    }
    let rows = c.class_report(ZeroDivision::Zero);
    assert_eq!(rows[0].recall, Some(0.5));
    assert_eq!(rows[0].precision, Some(1.0));
    assert!(rows[0].f1.unwrap().is_finite());
    assert_eq!(rows[0].support, f64::INFINITY); // 2e308: beyond float8
    assert_eq!(rows[1].support, 1e308);
    assert!(rows.iter().all(|r| [r.precision, r.recall, r.f1]
        .iter()
        .flatten()
        .all(|v| !v.is_nan())));
}
