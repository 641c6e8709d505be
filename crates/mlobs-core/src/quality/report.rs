//! The data-quality report of a current window against a reference, both as feature profiles:
//! one row per feature and check, with the reference's value of the same check for context and
//! the platform's default alert thresholds (missing > 5 %, outliers > 10 %).

use super::checks::{
    categories_constant, distinct_count, new_categories, numeric_constant, out_of_range,
    ConstantCheck,
};
use super::options::QualityOptions;
use super::outliers::fences_from_profile;
use super::outside::outside_share_estimate;
use super::schema::{dominant_type, JsonType};
use crate::error::Result;
use crate::features::{FeatureProfiles, FeatureSummary, Kind, TypeCounts};
use crate::profile::NumericProfile;

/// Check names in report order.
pub const CHECKS: [&str; 9] = [
    "missing_share",
    "non_finite_share",
    "out_of_range_share",
    "outlier_share",
    "new_category_share",
    "almost_constant",
    "distinct_count",
    "type_mismatch_share",
    "new_feature",
];

#[derive(Debug, Clone, PartialEq)]
pub struct QualityRow {
    pub feature: String,
    /// One of `CHECKS`.
    pub check: &'static str,
    /// The check on the current window; `None` when undefined (no values).
    pub value: Option<f64>,
    /// The same check on the reference, for context; `None` when it has no meaning there.
    pub reference_value: Option<f64>,
    pub threshold: Option<f64>,
    /// value > threshold (≥ for `almost_constant`); `None` without a value or a threshold.
    pub flagged: Option<bool>,
}

/// Share of a window's rows in which the key is missing: absent (non-object rows included),
/// JSON null, NaN/±Inf, or the empty string. `None` without rows.
pub fn feature_missing_share(p: &FeatureProfiles, f: Option<&FeatureSummary>) -> Option<f64> {
    if p.rows == 0 {
        return None;
    }
    let missing = match f {
        None => p.rows as u128,
        Some(f) => {
            let n = &f.numeric;
            [
                p.rows.saturating_sub(f.types.present()),
                f.types.null,
                n.nan_count,
                n.pos_inf_count,
                n.neg_inf_count,
                f.categories.counts.get("").copied().unwrap_or(0),
            ]
            .iter()
            .map(|&c| c as u128)
            .sum()
        }
    };
    Some(missing.min(p.rows as u128) as f64 / p.rows as f64)
}

/// Share of a window's rows in which the key holds a non-finite number: ±Infinity (in a jsonb
/// payload, a number beyond float8's range such as 1e400) or NaN. Such values are also counted by
/// `missing_share`; this check names them. `None` without rows.
pub fn non_finite_share(p: &FeatureProfiles, f: &FeatureSummary) -> Option<f64> {
    let n = &f.numeric;
    let count = n.nan_count as u128 + n.pos_inf_count as u128 + n.neg_inf_count as u128;
    (p.rows > 0).then(|| count.min(p.rows as u128) as f64 / p.rows as f64)
}

/// Share of present non-null values whose JSON type is not `expected`; `None` when there are no
/// such values or `expected` is `Any`.
fn type_mismatch_share(t: &TypeCounts, expected: JsonType) -> Option<f64> {
    let matching = match expected {
        JsonType::Number => t.number,
        JsonType::String => t.string,
        JsonType::Boolean => t.boolean,
        JsonType::Object => t.object,
        JsonType::Array => t.array,
        JsonType::Any => return None,
    };
    let non_null = t.present().saturating_sub(t.null);
    (non_null > 0).then(|| non_null.saturating_sub(matching) as f64 / non_null as f64)
}

#[derive(Clone, Copy)]
enum Flag {
    Above,
    AtLeast,
    Never,
}

struct Rows<'a> {
    feature: &'a str,
    out: &'a mut Vec<QualityRow>,
}

impl Rows<'_> {
    fn push(
        &mut self,
        check: &'static str,
        value: Option<f64>,
        reference_value: Option<f64>,
        threshold: Option<f64>,
        flag: Flag,
    ) {
        let flagged = match (flag, value, threshold) {
            (Flag::Above, Some(v), Some(t)) => Some(v > t),
            (Flag::AtLeast, Some(v), Some(t)) => Some(v >= t),
            _ => None,
        };
        self.out.push(QualityRow {
            feature: self.feature.to_owned(),
            check,
            value,
            reference_value,
            threshold,
            flagged,
        });
    }
}

fn outlier_share(
    reference: &NumericProfile,
    p: &NumericProfile,
    o: &QualityOptions,
) -> Result<Option<f64>> {
    let fences = fences_from_profile(reference, o.outlier_method, o.outlier_k)?;
    Ok(fences
        .and_then(|f| outside_share_estimate(p, f.lower, f.upper))
        .map(|e| e.share()))
}

fn top_share(c: Option<ConstantCheck>) -> Option<f64> {
    c.map(|c| c.top_share)
}

/// Rows of a key present in both windows.
fn compare(
    rows: &mut Rows,
    (rp, r): (&FeatureProfiles, &FeatureSummary),
    (cp, c): (&FeatureProfiles, &FeatureSummary),
    o: &QualityOptions,
) -> Result<()> {
    let missing = |p, f| feature_missing_share(p, Some(f));
    rows.push(
        "missing_share",
        missing(cp, c),
        missing(rp, r),
        Some(o.missing_share),
        Flag::Above,
    );
    match r.kind() {
        Kind::Numeric => {
            let (rn, cn) = (&r.numeric, &c.numeric);
            rows.push(
                "non_finite_share",
                non_finite_share(cp, c),
                non_finite_share(rp, r),
                Some(o.non_finite_share),
                Flag::Above,
            );
            rows.push(
                "out_of_range_share",
                out_of_range(rn, cn).map(|e| e.share()),
                None,
                Some(o.out_of_range_share),
                Flag::Above,
            );
            rows.push(
                "outlier_share",
                outlier_share(rn, cn, o)?,
                outlier_share(rn, rn, o)?,
                Some(o.outlier_share),
                Flag::Above,
            );
            rows.push(
                "almost_constant",
                top_share(numeric_constant(cn, o.almost_constant)?),
                top_share(numeric_constant(rn, o.almost_constant)?),
                Some(o.almost_constant),
                Flag::AtLeast,
            );
        }
        Kind::Categorical => {
            let (rc, cc) = (&r.categories, &c.categories);
            rows.push(
                "new_category_share",
                new_categories(rc, cc).and_then(|n| n.share),
                None,
                Some(o.new_category_share),
                Flag::Above,
            );
            rows.push(
                "almost_constant",
                top_share(categories_constant(cc, o.almost_constant)?),
                top_share(categories_constant(rc, o.almost_constant)?),
                Some(o.almost_constant),
                Flag::AtLeast,
            );
            rows.push(
                "distinct_count",
                Some(distinct_count(cc).count as f64),
                Some(distinct_count(rc).count as f64),
                None,
                Flag::Never,
            );
        }
        Kind::Other => {}
    }
    let expected = dominant_type(&r.types);
    rows.push(
        "type_mismatch_share",
        type_mismatch_share(&c.types, expected),
        type_mismatch_share(&r.types, expected),
        Some(o.type_mismatch_share),
        Flag::Above,
    );
    Ok(())
}

/// Data-quality rows of `current` against `reference`, ordered by feature then by `CHECKS`.
/// Checks per reference kind (see `FeatureSummary::kind`): every key gets `missing_share` and
/// `type_mismatch_share` (against the reference's dominant type); numeric keys add
/// `non_finite_share` (±Infinity/NaN numbers, e.g. jsonb numbers beyond float8's range),
/// `out_of_range_share` (outside the reference's exact [min, max]), `outlier_share` (outside the
/// reference's fences, estimated from the sketch) and `almost_constant` (largest sketch bucket
/// share, an upper bound); categorical keys add `new_category_share`, `almost_constant` (top
/// value share) and `distinct_count`. A reference key absent from current gets only
/// `missing_share` (1.0); a current key absent from the reference gets `new_feature` (value: share
/// of current rows holding it, always flagged). Keys dropped by a summary's key cap look absent.
pub fn quality_report(
    reference: &FeatureProfiles,
    current: &FeatureProfiles,
    options: &QualityOptions,
) -> Result<Vec<QualityRow>> {
    let mut out = Vec::new();
    let mut keys: Vec<&str> = reference.features.str_keys().collect();
    keys.extend(
        current
            .features
            .str_keys()
            .filter(|k| !reference.features.contains_key(*k)),
    );
    keys.sort_unstable();
    for key in keys {
        let mut rows = Rows {
            feature: key,
            out: &mut out,
        };
        match (reference.features.get(key), current.features.get(key)) {
            (Some(r), Some(c)) => compare(&mut rows, (reference, r), (current, c), options)?,
            (Some(r), None) => rows.push(
                "missing_share",
                feature_missing_share(current, None),
                feature_missing_share(reference, Some(r)),
                Some(options.missing_share),
                Flag::Above,
            ),
            (None, Some(c)) => {
                let share =
                    (current.rows > 0).then(|| c.types.present() as f64 / current.rows as f64);
                rows.out.push(QualityRow {
                    feature: key.to_owned(),
                    check: "new_feature",
                    value: share,
                    reference_value: None,
                    threshold: None,
                    flagged: Some(true),
                });
            }
            (None, None) => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn profiles(rows: &[Value]) -> FeatureProfiles {
        let mut p = FeatureProfiles::default();
        rows.iter().for_each(|r| p.add(Some(r)));
        p
    }

    fn find<'a>(rows: &'a [QualityRow], feature: &str, check: &str) -> &'a QualityRow {
        rows.iter()
            .find(|r| r.feature == feature && r.check == check)
            .unwrap_or_else(|| panic!("no row {feature}/{check}"))
    }

    #[test]
    fn capped_categories_give_null_new_category_share() {
        // Regression: a capped reference made the report claim 0.5 of the current values were in
        // new categories although every one of them below u020000 occurs in the reference.
        let rows_of = |range: std::ops::Range<u32>| -> Vec<Value> {
            range.map(|i| json!({"m": format!("u{i:06}")})).collect()
        };
        let reference = profiles(&rows_of(0..20_000));
        let current = profiles(&rows_of(10_000..30_000));
        let rows = quality_report(&reference, &current, &QualityOptions::default()).unwrap();
        let n = find(&rows, "m", "new_category_share");
        assert_eq!((n.value, n.flagged), (None, None));
    }

    #[test]
    fn non_finite_numbers_are_a_check_of_their_own() {
        use crate::payload::Scalar;
        let reference = profiles(&(0..10).map(|i| json!({"x": i})).collect::<Vec<_>>());
        let mut current = FeatureProfiles::default();
        for i in 0..8 {
            current.add_object([("x", Scalar::Number(i as f64))]);
        }
        // What features_agg makes of {"x": 1e400} and {"x": -1e400}.
        current.add_object([("x", Scalar::Number(f64::INFINITY))]);
        current.add_object([("x", Scalar::Number(f64::NEG_INFINITY))]);
        let rows = quality_report(&reference, &current, &QualityOptions::default()).unwrap();
        let r = find(&rows, "x", "non_finite_share");
        assert_eq!(
            (r.value, r.reference_value, r.threshold, r.flagged),
            (Some(0.2), Some(0.0), Some(0.0), Some(true))
        );
        assert_eq!(find(&rows, "x", "missing_share").value, Some(0.2));
        let lenient = QualityOptions::from_json(&json!({"non_finite_share": 0.5})).unwrap();
        let rows = quality_report(&reference, &current, &lenient).unwrap();
        assert_eq!(find(&rows, "x", "non_finite_share").flagged, Some(false));
    }

    #[test]
    fn report_rows_in_order() {
        let reference = profiles(
            &(0..100)
                .map(|i| json!({"amount": i, "merchant": if i % 2 == 0 {"a"} else {"b"}, "old": 1}))
                .collect::<Vec<_>>(),
        );
        let mut cur_rows: Vec<Value> = (0..90)
            .map(|i| json!({"amount": i, "merchant": "a", "new": true}))
            .collect();
        cur_rows.extend((0..5).map(|_| json!({"amount": 1000, "merchant": "c"})));
        cur_rows.extend((0..4).map(|_| json!({"amount": null, "merchant": ""})));
        cur_rows.push(json!({"amount": "12", "merchant": "a"}));
        let current = profiles(&cur_rows);
        let rows = quality_report(&reference, &current, &QualityOptions::default()).unwrap();
        let order: Vec<(&str, &str)> = rows.iter().map(|r| (r.feature.as_str(), r.check)).collect();
        assert_eq!(
            order,
            vec![
                ("amount", "missing_share"),
                ("amount", "non_finite_share"),
                ("amount", "out_of_range_share"),
                ("amount", "outlier_share"),
                ("amount", "almost_constant"),
                ("amount", "type_mismatch_share"),
                ("merchant", "missing_share"),
                ("merchant", "new_category_share"),
                ("merchant", "almost_constant"),
                ("merchant", "distinct_count"),
                ("merchant", "type_mismatch_share"),
                ("new", "new_feature"),
                ("old", "missing_share"),
            ]
        );
        let m = find(&rows, "amount", "missing_share");
        assert_eq!(
            (m.value, m.reference_value, m.flagged),
            (Some(0.04), Some(0.0), Some(false))
        );
        let r = find(&rows, "amount", "out_of_range_share");
        assert_eq!((r.value, r.flagged), (Some(5.0 / 95.0), Some(false)));
        let t = find(&rows, "amount", "type_mismatch_share");
        assert_eq!(
            (t.value, t.reference_value, t.flagged),
            (Some(1.0 / 96.0), Some(0.0), Some(true))
        );
        let m = find(&rows, "merchant", "missing_share");
        assert_eq!((m.value, m.flagged), (Some(0.04), Some(false)));
        let n = find(&rows, "merchant", "new_category_share");
        assert_eq!((n.value, n.flagged), (Some(9.0 / 100.0), Some(true)));
        let c = find(&rows, "merchant", "almost_constant");
        assert_eq!(
            (c.value, c.reference_value, c.flagged),
            (Some(0.91), Some(0.5), Some(false))
        );
        let d = find(&rows, "merchant", "distinct_count");
        assert_eq!(
            (d.value, d.reference_value, d.flagged),
            (Some(3.0), Some(2.0), None)
        );
        let f = find(&rows, "new", "new_feature");
        assert_eq!((f.value, f.flagged), (Some(0.9), Some(true)));
        let o = find(&rows, "old", "missing_share");
        assert_eq!(
            (o.value, o.reference_value, o.flagged),
            (Some(1.0), Some(0.0), Some(true))
        );
        let out = find(&rows, "amount", "outlier_share");
        assert_eq!(out.reference_value, Some(0.0));
        assert!((out.value.unwrap() - 5.0 / 95.0).abs() < 1e-12);
    }

    #[test]
    fn empty_windows_give_undefined_values() {
        let reference = profiles(&[json!({"a": 1, "b": "x", "c": null})]);
        let rows = quality_report(
            &reference,
            &FeatureProfiles::default(),
            &QualityOptions::default(),
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows
            .iter()
            .all(|r| r.value.is_none() && r.flagged.is_none()));
        let rows = quality_report(
            &FeatureProfiles::default(),
            &FeatureProfiles::default(),
            &QualityOptions::default(),
        )
        .unwrap();
        assert!(rows.is_empty());
        // All-null current key: defined missing share, undefined value checks.
        let current = profiles(&[json!({"a": null, "b": null, "c": null})]);
        let rows = quality_report(&reference, &current, &QualityOptions::default()).unwrap();
        assert_eq!(find(&rows, "a", "missing_share").value, Some(1.0));
        assert_eq!(find(&rows, "a", "outlier_share").value, None);
        assert_eq!(find(&rows, "b", "new_category_share").value, None);
        assert_eq!(find(&rows, "c", "type_mismatch_share").value, None);
    }

    #[test]
    fn invalid_options_struct_is_an_error() {
        let p = profiles(&[json!({"a": 1})]);
        let o = QualityOptions {
            almost_constant: 2.0,
            ..Default::default()
        };
        assert!(quality_report(&p, &p, &o).is_err());
    }
}
