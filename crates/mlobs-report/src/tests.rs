//! Whole-report checks: sections appear with their data, hostile text stays text, size bounds.

use super::*;
use proptest::prelude::*;

fn sample(feature: &str) -> String {
    serde_json::json!({
        "model": "fraud", "from": "2026-01-01 00:00", "to": "2026-01-08 00:00",
        "from_epoch": 1_767_225_600.0, "to_epoch": 1_767_830_400.0, "generated_at": "2026-01-08 01:00",
        "monitors": [{"name": "drift", "kind": "feature_drift", "window_size": "01:00:00", "watermark": "2026-01-08 00:00"}],
        "alerts": [{"rule": "psi_warning", "monitor": "drift", "feature": feature, "segment": "", "severity": "warning",
                    "state": "firing", "started_at": "2026-01-05 01:00", "worst_value": 0.42, "threshold": 0.2}],
        "drift": [{"title": format!("{feature}: psi"), "unit": "psi", "threshold": 0.2,
                   "lines": [{"name": feature, "points": (0..168).map(|h| (1_767_225_600.0 + 3600.0 * f64::from(h), if h == 50 { None } else { Some(0.01 * f64::from(h % 30)) })).collect::<Vec<_>>()}]}],
        "distributions": [{"feature": feature, "labels": ["a", "<b>", "c"], "reference": [0.2, 0.5, 0.3], "current": [0.6, 0.2, 0.2]}],
        "quality": [{"feature": feature, "metric": "missing_share", "last": 0.01, "max": 0.2}],
        "performance": [{"title": "accuracy", "unit": "accuracy", "lines": [
            {"name": "realised", "points": [[1_767_229_200.0, 0.9], [1_767_232_800.0, 0.8]]},
            {"name": "estimated (CBPE)", "dashed": true, "points": [[1_767_229_200.0, 0.88], [1_767_232_800.0, 0.85]]}]}],
        "confusion": {"labels": ["0", "1"], "counts": [[50, 5], [7, 38]]},
        "calibration": [{"mean_score": 0.1, "positive_share": 0.12, "rows": 40}, {"mean_score": 0.8, "positive_share": 0.7, "rows": 30}],
        "shap": [{"feature": feature, "reference": 0.3, "current": 0.5}]
    })
    .to_string()
}

#[test]
fn every_section_renders() {
    let html = render_json(&sample("amount")).unwrap();
    for needle in [
        "<h2 id=\"alerts\">",
        "<h2 id=\"drift\">",
        "<h2 id=\"distributions\">",
        "<h2 id=\"quality\">",
        "<h2 id=\"performance\">",
        "Confusion matrix",
        "Calibration",
        "<h2 id=\"shap\">",
        "psi_warning",
        "0.42",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    assert_eq!(
        html.matches("<svg").count(),
        5,
        "drift, distribution, accuracy, calibration, shap"
    );
    assert!(!html.contains("<script"));
}

#[test]
fn hostile_names_stay_text() {
    let html = render_json(&sample("<script>alert(1)</script>")).unwrap();
    assert!(
        !html.to_lowercase().contains("<script"),
        "a feature name became markup"
    );
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("&amp;lt;"), "escaped twice");
}

#[test]
fn bad_json_is_an_error() {
    assert!(render_json("{").unwrap_err().starts_with("report data:"));
    assert!(render_json("{\"drift\": 3}").is_err());
}

#[test]
fn empty_report_says_so() {
    let html = render_json("{}").unwrap();
    assert!(html.contains("No alert was open"));
    assert!(html.contains("No drift metric"));
    assert!(!html.contains("<svg"));
}

#[test]
fn twenty_features_stay_small() {
    let mut v: serde_json::Value = serde_json::from_str(&sample("f")).unwrap();
    let one = v["drift"][0].clone();
    v["drift"] = serde_json::Value::Array((0..20).map(|_| one.clone()).collect());
    let dist = v["distributions"][0].clone();
    v["distributions"] = serde_json::Value::Array((0..20).map(|_| dist.clone()).collect());
    let html = render_json(&v.to_string()).unwrap();
    assert!(html.len() < 2_000_000, "{} bytes", html.len());
}

proptest! {
    #[test]
    fn any_text_and_numbers_render(name in ".{0,60}", values in proptest::collection::vec(proptest::num::f64::ANY, 0..40),
                                   from in proptest::num::f64::ANY, to in proptest::num::f64::ANY) {
        let points: Vec<(f64, Option<f64>)> = values.iter().enumerate().map(|(i, v)| (i as f64, Some(*v))).collect();
        let data = serde_json::json!({"model": name, "from_epoch": from, "to_epoch": to,
            "drift": [{"title": name, "unit": name, "lines": [{"name": name, "points": points}], "threshold": values.first()}],
            "alerts": [{"rule": name, "feature": name, "severity": name}],
            "distributions": [{"feature": name, "labels": [name, name], "reference": values.iter().map(|v| if v.is_finite() { *v } else { 0.0 }).take(2).collect::<Vec<_>>(),
                               "current": values.iter().map(|v| if v.is_finite() { *v } else { 0.0 }).rev().take(2).collect::<Vec<_>>()}]});
        // serde_json writes non-finite numbers as null: the renderer sees gaps.
        let html = render_json(&data.to_string()).unwrap();
        prop_assert!(!html.to_lowercase().contains("<script"));
    }
}

#[test]
fn summaries_report() {
    let data = serde_json::json!({"model": "current data against the reference", "summaries_only": true,
        "subtitle": "reference: 100 rows · current: 80 rows",
        "drift_table": [{"feature": "amount", "kind": "numeric", "method": "ks", "statistic": 0.3, "p_value": 0.001,
                         "threshold": 0.05, "drifted": true},
                        {"feature": "channel", "kind": "categorical", "method": "chisquare", "statistic": 1.2,
                         "p_value": 0.5, "threshold": 0.05, "drifted": false}],
        "distributions": [{"feature": "amount", "labels": ["< 1", "1 – 2", "≥ 2"], "reference": [0.3, 0.4, 0.3], "current": [0.1, 0.3, 0.6]}]});
    let html = render_json(&data.to_string()).unwrap();
    assert!(html.contains("1 of 2 features drifted"));
    assert!(html.contains("reference: 100 rows"));
    assert!(!html.contains("Alerts in the period"));
    assert_eq!(html.matches("<svg").count(), 1);
}

/// to_jsonb writes an infinite float8 as the string "Infinity": a documented infinite χ²
/// statistic (a reference with one category) or a latency p99 of timeouts made the whole
/// report fail with 22023 (review of 2026-12-07). They render as ∞.
#[test]
fn infinite_values_from_sql_render() {
    let data = serde_json::json!({"model": "m", "summaries_only": true,
        "drift_table": [{"feature": "b", "kind": "categorical", "method": "chisquare", "statistic": "Infinity",
                         "p_value": 0, "threshold": 0.05, "drifted": true}],
        "quality": [{"feature": "b", "metric": "missing_share", "last": "NaN", "max": "-Infinity"}]});
    let html = render_json(&data.to_string()).unwrap();
    assert!(html.contains("∞"), "{html}");
    let bad =
        serde_json::json!({"model": "m", "drift_table": [{"feature": "b", "statistic": "lots"}]});
    assert!(render_json(&bad.to_string())
        .unwrap_err()
        .contains("expected a number"));
}

#[test]
fn bidi_controls_are_replaced() {
    let name = "amount\u{202E}gnp.exe\u{2066}x\u{200F}";
    let html = render_json(&sample(name)).unwrap();
    for c in ['\u{202E}', '\u{2066}', '\u{200F}'] {
        assert!(!html.contains(c), "{:?} reached the document", c);
    }
    assert!(html.contains("amount\u{FFFD}gnp.exe"));
}

#[test]
fn a_lone_point_is_drawn() {
    // One window in the period, and one value between two gaps: each a dot, not an empty
    // one-point polyline.
    let mut v: serde_json::Value = serde_json::from_str(&sample("f")).unwrap();
    v["drift"][0]["lines"][0]["points"] = serde_json::json!([[1_767_229_200.0, 0.3]]);
    v["performance"][0]["lines"] = serde_json::json!([{"name": "realised", "points": [
        [1_767_229_200.0, null], [1_767_232_800.0, 0.8], [1_767_236_400.0, null]]}]);
    let html = render_json(&v.to_string()).unwrap();
    // (The calibration chart's markers are hollow.)
    let dots = html
        .split("<circle")
        .skip(1)
        .filter(|c| c[..c.find('>').unwrap()].contains("fill=\"#0072B2\""))
        .count();
    assert_eq!(dots, 2);
}

#[test]
fn shap_of_many_features_is_bounded() {
    let mut v: serde_json::Value = serde_json::from_str(&sample("f")).unwrap();
    v["shap"] = serde_json::Value::Array(
        (0..1500)
            .map(|i| serde_json::json!({"feature": format!("f{i}"), "reference": 0.1, "current": 1.0 / f64::from(i + 1)}))
            .collect(),
    );
    let html = render_json(&v.to_string()).unwrap();
    let shap = &html[html.find("id=\"shap\"").unwrap()..];
    assert_eq!(
        shap.matches("<tr>").count(),
        1 + MAX_ROWS,
        "header and MAX_ROWS rows"
    );
    assert!(shap.contains("1000 less important features are not listed"));
    assert!(shap.contains("the 20 most important features (of 1500)"));
    assert!(html.len() < 400_000, "{} bytes", html.len());
}

#[test]
fn folded_classes_are_named() {
    let mut v: serde_json::Value = serde_json::from_str(&sample("f")).unwrap();
    v["confusion"]["other_classes"] = serde_json::json!(11);
    let html = render_json(&v.to_string()).unwrap();
    assert!(html.contains("count the 11 least frequent classes together"));
}

#[test]
fn ascii_html_keeps_the_page() {
    let html = render_json(&sample("Größe ≥ 3 \u{1F600}")).unwrap();
    let ascii = ascii_html(&html);
    assert!(ascii.is_ascii());
    assert!(ascii.contains("Gr&#xF6;&#xDF;e &#x2265; 3 &#x1F600;"));
    assert!(
        html::STYLE.is_ascii(),
        "references are not decoded in a style sheet"
    );
    assert_eq!(ascii_html("plain <b>"), "plain <b>");
}
