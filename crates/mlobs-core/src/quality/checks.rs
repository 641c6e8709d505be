//! Data-quality checks read from stored summaries: missing values, values never seen in the
//! reference (categories or range), constant columns and distinct counts. Each returns plain
//! numbers, `None` when the check is undefined on empty input (DESIGN: empty input → NULL).

use crate::categories::Categories;
use crate::error::{CoreError, Result};
use crate::profile::NumericProfile;
use crate::quality::outside::{outside_share_estimate, OutsideEstimate};

/// Default share of the top value at or above which a column is almost constant.
pub const ALMOST_CONSTANT_THRESHOLD: f64 = 0.95;

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Rows seen by a profile as u128, so a forged profile near 2^64 cannot overflow the sum.
fn rows(p: &NumericProfile) -> u128 {
    [
        p.n,
        p.null_count,
        p.nan_count,
        p.pos_inf_count,
        p.neg_inf_count,
    ]
    .iter()
    .map(|&c| c as u128)
    .sum()
}

fn ratio128(part: u128, whole: u128) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// (NULL + NaN + ±Inf) / rows: Evidently counts NaN and ±Inf as missing. `None` without rows.
pub fn missing_share(p: &NumericProfile) -> Option<f64> {
    let missing = [p.null_count, p.nan_count, p.pos_inf_count, p.neg_inf_count]
        .iter()
        .map(|&c| c as u128)
        .sum();
    ratio128(missing, rows(p))
}

/// NULL / rows: SQL's notion of missing, NaN and ±Inf being values.
pub fn null_share(p: &NumericProfile) -> Option<f64> {
    ratio128(p.null_count as u128, rows(p))
}

/// Values of a category summary counted as missing: NULL and the empty string (as Evidently).
pub fn categories_missing_count(c: &Categories) -> u64 {
    c.null_count
        .saturating_add(c.counts.get("").copied().unwrap_or(0))
}

/// (NULL + empty string) / (non-NULL values + NULL). `None` without rows.
pub fn categories_missing_share(c: &Categories) -> Option<f64> {
    ratio128(
        categories_missing_count(c) as u128,
        c.total() as u128 + c.null_count as u128,
    )
}

/// Categories of a current window that the reference never showed.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCategories {
    /// Current categories absent from the reference's kept categories, sorted.
    pub keys: Vec<String>,
    /// Current values in those categories.
    pub count: u64,
    /// count / current non-NULL values (`other_count` included); `None` when there are none.
    pub share: Option<f64>,
}

/// The new categories, or `None` when the summaries cannot tell them exactly:
/// - the reference reached the category cap and folded values into `other_count`: a current
///   key above its largest kept key may have been seen there, so a list would over-report
///   (reference u000000..u019999 against current u010000..u029999 listed 10 000 "new" keys
///   that all occur in the reference);
/// - the current summary folded any value into `other_count` (cap, or values over
///   MAX_KEY_BYTES): those values may be new as well, so count and share would under-report.
///
/// A reference whose `other_count` holds only over-long values (fewer than MAX_CATEGORIES kept)
/// still answers exactly: every key a current summary keeps is short, and all short reference
/// keys are kept.
pub fn new_categories(reference: &Categories, current: &Categories) -> Option<NewCategories> {
    if reference.truncated() || current.capped() {
        return None;
    }
    let mut keys = Vec::new();
    let mut count = 0u64;
    for (k, &c) in &current.counts {
        if !reference.counts.contains_key(k) {
            keys.push(k.to_string());
            count = count.saturating_add(c);
        }
    }
    Some(NewCategories {
        keys,
        count,
        share: ratio(count, current.total()),
    })
}

/// Estimate (with rigorous bounds) of the current finite values outside the reference's exact
/// [min, max]. `None` when either profile has no finite value. ±Inf and NaN are not values here
/// (they are reported by `missing_share`).
pub fn out_of_range(
    reference: &NumericProfile,
    current: &NumericProfile,
) -> Option<OutsideEstimate> {
    let (Some(lo), Some(hi)) = (reference.min, reference.max) else {
        return None;
    };
    outside_share_estimate(current, lo, hi)
}

/// Is one value (almost) all there is?
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConstantCheck {
    /// Share of all rows taken by the most frequent non-missing value. For category counts
    /// exact unless capped (then the folded values are not counted as one value, so it is a lower
    /// bound); for numeric profiles an upper bound (see `numeric_constant`).
    pub top_share: f64,
    /// Exactly one distinct value.
    pub constant: bool,
    /// top_share ≥ threshold.
    pub almost_constant: bool,
}

fn check_threshold(threshold: f64) -> Result<()> {
    if (0.0..=1.0).contains(&threshold) {
        Ok(())
    } else {
        Err(CoreError::invalid_parameter(format!(
            "threshold must be between 0 and 1, got {threshold}"
        )))
    }
}

/// Top value share as Evidently's "almost constant" check computes it: the most frequent
/// non-NULL value's count over all rows, NULLs included (so a mostly-NULL column is not almost
/// constant). `None` without non-NULL values.
pub fn categories_constant(c: &Categories, threshold: f64) -> Result<Option<ConstantCheck>> {
    check_threshold(threshold)?;
    if c.total() == 0 {
        return Ok(None);
    }
    let top = c.counts.values().copied().max().unwrap_or(0);
    let Some(top_share) = ratio(top, c.total() + c.null_count) else {
        return Ok(None);
    };
    Ok(Some(ConstantCheck {
        top_share,
        constant: c.counts.len() == 1 && !c.capped(),
        almost_constant: top_share >= threshold,
    }))
}

/// Constant is exact (min == max). The top value share (over all rows, NULL/NaN/±Inf included,
/// as Evidently) is exact for a profile of at most 256 distinct values (they are counted), else
/// estimated by the largest sketch bucket: every copy of a value falls in one bucket, so this is
/// an upper bound on the true top value share, and `almost_constant` may over-flag data packed
/// within ~2 % (one bucket) of one value. `None` without finite values.
pub fn numeric_constant(p: &NumericProfile, threshold: f64) -> Result<Option<ConstantCheck>> {
    check_threshold(threshold)?;
    let (Some(lo), Some(hi)) = (p.min, p.max) else {
        return Ok(None);
    };
    let constant = lo == hi;
    let counted = p.distinct.as_ref().and_then(|d| d.counted_values());
    let top = if constant {
        p.n
    } else if let Some(exact) = counted {
        // At most 256 distinct values, counted: the exact top share.
        exact.iter().map(|v| v.1).max().unwrap_or(0)
    } else {
        let top = p.sketch.buckets().iter().map(|b| b.1).max().unwrap_or(0);
        // min and max are distinct values, so no value takes more than n − 1.
        top.min(p.n.saturating_sub(1))
    };
    let top_share = top as f64 / p.total_count() as f64;
    Ok(Some(ConstantCheck {
        top_share,
        constant,
        almost_constant: top_share >= threshold,
    }))
}

/// Distinct non-NULL values of a category summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DistinctCount {
    /// Distinct kept categories: exact when not capped.
    pub count: u64,
    /// Values were folded into `other_count`: the true count is at least `count + 1`.
    pub capped: bool,
}

pub fn distinct_count(c: &Categories) -> DistinctCount {
    DistinctCount {
        count: c.counts.len() as u64,
        capped: c.capped(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::categories::MAX_CATEGORIES;

    fn numeric(values: &[Option<f64>]) -> NumericProfile {
        let mut p = NumericProfile::default();
        values.iter().for_each(|&v| p.add(v));
        p
    }

    fn cats(values: &[Option<&str>]) -> Categories {
        let mut c = Categories::default();
        values.iter().for_each(|&v| c.add(v));
        c
    }

    #[test]
    fn missing_counts_nan_and_inf() {
        let p = numeric(&[
            Some(1.0),
            None,
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
            Some(2.0),
            Some(3.0),
            Some(4.0),
        ]);
        assert_eq!(missing_share(&p), Some(0.5));
        assert_eq!(null_share(&p), Some(0.125));
        let empty = NumericProfile::default();
        assert_eq!((missing_share(&empty), null_share(&empty)), (None, None));
        let all_null = numeric(&[None, None]);
        assert_eq!(missing_share(&all_null), Some(1.0));
    }

    #[test]
    fn categories_missing_counts_empty_string() {
        let c = cats(&[Some("a"), Some(""), None, Some("b")]);
        assert_eq!(categories_missing_share(&c), Some(0.5));
        assert_eq!(categories_missing_share(&Categories::default()), None);
        assert_eq!(categories_missing_share(&cats(&[None])), Some(1.0));
    }

    #[test]
    fn new_categories_sorted_with_share() {
        let r = cats(&[Some("a"), Some("b")]);
        let c = cats(&[Some("z"), Some("a"), Some("c"), Some("c"), None]);
        let n = new_categories(&r, &c).unwrap();
        assert_eq!(n.keys, vec!["c".to_string(), "z".to_string()]);
        assert_eq!((n.count, n.share), (3, Some(0.75)));
        let none = new_categories(&r, &cats(&[None])).unwrap();
        assert_eq!((none.count, none.share), (0, None));
    }

    #[test]
    fn capped_summaries_give_no_list() {
        // Regression: a capped reference u000000..u019999 (keeps u000000..u009999) against
        // current u010000..u029999 listed all 10 000 current keys below u020000 that the
        // reference had folded into `other_count` as new. Now None (NULL in SQL).
        let mut r = Categories::default();
        for i in 0..20_000 {
            r.add(Some(&format!("u{i:06}")));
        }
        let mut c = Categories::default();
        for i in 10_000..30_000 {
            c.add(Some(&format!("u{i:06}")));
        }
        assert!(r.capped() && c.capped());
        assert_eq!(new_categories(&r, &c), None);
        // Capped reference, uncapped current.
        let small = cats(&[Some("u015000"), Some("zzz")]);
        assert_eq!(new_categories(&r, &small), None);
        // Capped current (its folded values may be new), uncapped reference.
        assert_eq!(new_categories(&small, &c), None);
        // Over-long values alone: the reference still answers exactly, the current does not.
        let long = "x".repeat(crate::categories::MAX_KEY_BYTES + 1);
        let r_long = cats(&[Some("a"), Some(&long)]);
        assert!(r_long.capped() && !r_long.truncated());
        let n = new_categories(&r_long, &cats(&[Some("a"), Some("b")])).unwrap();
        assert_eq!((n.keys, n.count), (vec!["b".to_string()], 1));
        assert_eq!(new_categories(&cats(&[Some("a")]), &r_long), None);
        let d = distinct_count(&r);
        assert_eq!((d.count, d.capped), (MAX_CATEGORIES as u64, true));
    }

    #[test]
    fn out_of_range_against_reference_extremes() {
        let r = numeric(&[Some(0.0), Some(10.0)]);
        let c = numeric(&[
            Some(-5.0),
            Some(5.0),
            Some(5.0),
            Some(20.0),
            Some(f64::INFINITY),
        ]);
        let e = out_of_range(&r, &c).unwrap();
        assert_eq!(
            (e.n, e.estimate, e.lower_bound, e.upper_bound),
            (4, 2, 2, 2)
        );
        assert_eq!(e.share(), 0.5);
        assert_eq!(out_of_range(&NumericProfile::default(), &c), None);
        assert_eq!(out_of_range(&r, &numeric(&[None])), None);
    }

    #[test]
    fn constant_checks() {
        let c = cats(&[Some("a"); 19]);
        let mut c2 = c.clone();
        c2.add(Some("b"));
        let k = categories_constant(&c2, ALMOST_CONSTANT_THRESHOLD)
            .unwrap()
            .unwrap();
        assert_eq!(k.top_share, 0.95);
        assert!(k.almost_constant && !k.constant);
        let k = categories_constant(&c, 0.95).unwrap().unwrap();
        assert!(k.constant && k.top_share == 1.0);
        assert_eq!(categories_constant(&cats(&[None]), 0.95).unwrap(), None);
        assert!(categories_constant(&c, 1.5)
            .unwrap_err()
            .message
            .starts_with("threshold "));
        assert!(numeric_constant(&NumericProfile::default(), f64::NAN).is_err());

        // NULLs stay in the denominator (Evidently): constant, but not almost constant.
        let p = numeric(&[Some(3.0), Some(3.0), None]);
        let k = numeric_constant(&p, 0.95).unwrap().unwrap();
        assert!(k.constant && !k.almost_constant && k.top_share == 2.0 / 3.0);
        let mut with_null = c.clone();
        with_null.add(None); // 19 of 20 rows: still almost constant (≥ 0.95)
        assert!(
            categories_constant(&with_null, 0.95)
                .unwrap()
                .unwrap()
                .almost_constant
        );
        with_null.add(None); // 19 of 21 rows: not
        assert!(
            !categories_constant(&with_null, 0.95)
                .unwrap()
                .unwrap()
                .almost_constant
        );
        // 97 copies of 1.5 and two values in its bucket: counted, the exact top share; from the
        // sketch (a profile without counts), an upper bound.
        let mut v = vec![Some(1.5); 97];
        v.extend([Some(1.51), Some(1.52), Some(100.0)]);
        let mut p = numeric(&v);
        let k = numeric_constant(&p, 0.95).unwrap().unwrap();
        assert!(!k.constant && k.almost_constant);
        assert_eq!(k.top_share, 0.97);
        p.distinct = None;
        let k = numeric_constant(&p, 0.95).unwrap().unwrap();
        assert!(!k.constant && k.almost_constant);
        assert_eq!(k.top_share, 0.99);
        let spread: Vec<_> = (0..100).map(|i| Some(f64::from(i))).collect();
        let k = numeric_constant(&numeric(&spread), 0.95).unwrap().unwrap();
        assert!(!k.almost_constant && k.top_share <= 0.02);
        assert_eq!(numeric_constant(&numeric(&[None]), 0.95).unwrap(), None);
    }

    #[test]
    fn distinct_exact_below_cap() {
        let d = distinct_count(&cats(&[Some("a"), Some("b"), Some("a"), None]));
        assert_eq!((d.count, d.capped), (2, false));
        assert_eq!(distinct_count(&Categories::default()).count, 0);
    }
}
