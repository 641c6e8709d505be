//! Merging summaries whose counts would leave the bigint range is an OutOfRange error
//! (SQLSTATE 22003), for every summary type SQL can roll up. Before, the counts were added as
//! u64 and only a sum past 2^64 failed: a forged profile with n near i64::MAX rolled up twice read
//! back as `count = -2` through the bigint accessors.

#![allow(clippy::field_reassign_with_default)] // forged states, one field at a time

use mlobs_core::categories::Categories;
use mlobs_core::features::FeatureProfiles;
use mlobs_core::metrics::confusion::Confusion;
use mlobs_core::metrics::regression::RegressionSummary;
use mlobs_core::metrics::score_summary::ScoreSummary;
use mlobs_core::sketch::MAX_COUNT;
use mlobs_core::{ErrorKind, Histogram, NumericProfile, Summary};

/// Near i64::MAX: twice this fits u64 (the old check passed) but not bigint.
const NEAR: u64 = MAX_COUNT - 1;

fn overflows<T: Summary + Clone + std::fmt::Debug>(s: T) {
    let mut merged = s.clone();
    let err = merged
        .merge(&s)
        .expect_err("a merge past the bigint range must fail");
    assert_eq!(err.kind, ErrorKind::OutOfRange, "{}", err.message);
    assert!(err.message.contains("bigint"), "{}", err.message);
}

#[test]
fn profile_counts() {
    for set in [
        |p: &mut NumericProfile| p.null_count = NEAR,
        |p: &mut NumericProfile| p.nan_count = NEAR,
        |p: &mut NumericProfile| p.pos_inf_count = NEAR,
    ] {
        let mut p = NumericProfile::default();
        set(&mut p);
        overflows(p);
    }
    // Each count within range, the total not.
    let mut p = NumericProfile::default();
    p.null_count = MAX_COUNT / 2 + 1;
    let mut q = NumericProfile::default();
    q.nan_count = MAX_COUNT / 2 + 1;
    let err = p.merge(&q).unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutOfRange);
    // At the limit exactly: allowed.
    let mut p = NumericProfile::default();
    p.null_count = MAX_COUNT - 1;
    let mut one = NumericProfile::default();
    one.null_count = 1;
    p.merge(&one).unwrap();
    assert_eq!(p.null_count, MAX_COUNT);
}

#[test]
fn histogram_counts() {
    let mut h = Histogram::new(vec![0.0, 1.0], "edges").unwrap();
    h.null_count = NEAR;
    overflows(h);
}

#[test]
fn categories_counts() {
    let mut c = Categories::default();
    c.null_count = NEAR;
    overflows(c.clone());
    let mut c = Categories::default();
    c.counts.insert("a".into(), NEAR);
    overflows(c);
}

#[test]
fn feature_profiles_rows() {
    let mut f = FeatureProfiles::default();
    f.rows = NEAR;
    overflows(f);
}

#[test]
fn confusion_rows_and_skipped() {
    let mut c = Confusion::default();
    c.rows = NEAR;
    overflows(c);
    let mut c = Confusion::default();
    c.skipped = NEAR;
    overflows(c);
}

#[test]
fn score_summary_bins() {
    let mut s = ScoreSummary::new(100).unwrap();
    s.bins.insert(3, [NEAR, 0]);
    overflows(s.clone());
    let mut s = ScoreSummary::new(100).unwrap();
    s.bins.insert(3, [MAX_COUNT / 2 + 1, 0]);
    s.bins.insert(4, [0, MAX_COUNT / 2 + 1]);
    // Negatives and positives each fit, their total (the count) does not.
    let mut t = ScoreSummary::new(100).unwrap();
    t.bins.insert(5, [0, 0]);
    let err = t.merge(&s).unwrap_err();
    assert_eq!(err.kind, ErrorKind::OutOfRange);
}

#[test]
fn regression_summary_counts() {
    let mut r = RegressionSummary::default();
    r.error.n = NEAR;
    r.target.n = NEAR;
    overflows(r);
    let mut r = RegressionSummary::default();
    r.skipped = NEAR;
    overflows(r);
}
