//! The merge laws (tests/common/laws.rs) for the model-metric summaries of mlobs-core: ranking
//! samples, one-vs-rest, calibration, confusion, losses, score and regression summaries, with
//! and without sample weights (tests/merge_laws.rs has the data summaries). Per type: a
//! generator of rows, the one-pass summary of rows, and equality within its documented error.

#[path = "common/laws.rs"]
mod laws;

use laws::{close, eq, exact, merge_laws, multiset, round_trips, three, SUM_REL};
use mlobs_core::metrics::calibration::{CalibrationMap, ProbabilitySample};
use mlobs_core::metrics::confusion::Confusion;
use mlobs_core::metrics::label::Label;
use mlobs_core::metrics::loss::{LossKind, MeanLoss};
use mlobs_core::metrics::ovr::OvrSample;
use mlobs_core::metrics::ranking::RankSample;
use mlobs_core::metrics::regression::{Moments, RegressionSummary};
use mlobs_core::metrics::score_summary::ScoreSummary;
use mlobs_core::Summary;
use proptest::collection::vec;
use proptest::prelude::*;

fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![8 => 0.0f64..=1.0, 1 => Just(0.0), 1 => Just(1.0), 1 => Just(0.5)]
}

// ---- samples kept in row order (exact ranking, one-vs-rest AUC, calibrated probabilities):
// merged by concatenation, every result computed from the sorted values, so a state stands for
// the multiset of its rows.

fn rank_of(rows: &[(f64, bool)]) -> RankSample {
    let mut s = RankSample::default();
    rows.iter().for_each(|&(x, y)| s.add(x, y).unwrap());
    s
}

fn same_rank(a: &RankSample, b: &RankSample) -> Result<(), String> {
    eq("positive", multiset(&a.positive), multiset(&b.positive))?;
    eq("negative", multiset(&a.negative), multiset(&b.negative))?;
    // Weighted: the (score, weight) pairs of each class, as multisets.
    let pairs = |s: &RankSample, positive: bool| {
        let (scores, w) = match positive {
            true => (&s.positive, s.weights.as_ref().map(|w| &w.positive)),
            false => (&s.negative, s.weights.as_ref().map(|w| &w.negative)),
        };
        w.map(|w| {
            let mut v: Vec<(u64, u64)> = (scores.iter().zip(w))
                .map(|(x, w)| (x.to_bits(), w.to_bits()))
                .collect();
            v.sort();
            v
        })
    };
    eq("positive weights", pairs(a, true), pairs(b, true))?;
    eq("negative weights", pairs(a, false), pairs(b, false))
}

/// A sample weight as a weighted aggregate gets it: 0 (dropped), 1 (kept implicit), any other.
fn rank_weight() -> impl Strategy<Value = f64> {
    prop_oneof![1 => Just(0.0), 2 => Just(1.0), 4 => 0.0f64..5.0]
}

fn rank_weighted_of(rows: &[(f64, bool, f64)]) -> RankSample {
    let mut s = RankSample::default();
    rows.iter()
        .for_each(|&(x, y, w)| s.add_weighted(x, y, w).unwrap());
    s
}

fn probability_sample_of(rows: &[f64]) -> ProbabilitySample {
    let mut s = ProbabilitySample::default();
    rows.iter().for_each(|&p| s.add(p).unwrap());
    s
}

fn same_probabilities(a: &ProbabilitySample, b: &ProbabilitySample) -> Result<(), String> {
    eq("values", multiset(&a.values), multiset(&b.values))
}

/// k class probabilities summing to 1 (to rounding) and a label in 0..k.
fn ovr_row(k: usize) -> impl Strategy<Value = (Vec<f64>, i64)> {
    (vec(0.01f64..1.0, k), 0..k as i64).prop_map(|(w, label)| {
        let total: f64 = w.iter().sum();
        (w.iter().map(|x| x / total).collect(), label)
    })
}

fn ovr_of(rows: &[(Vec<f64>, i64)]) -> OvrSample {
    let mut s = OvrSample::default();
    rows.iter().for_each(|(p, y)| s.add(p, *y).unwrap());
    s
}

fn same_ovr(a: &OvrSample, b: &OvrSample) -> Result<(), String> {
    eq("classes", a.classes, b.classes)?;
    eq("weighted", a.weights.is_some(), b.weights.is_some())?;
    let rows = |s: &OvrSample| {
        let k = s.classes.max(1) as usize;
        let mut r: Vec<(Vec<u64>, u32, u64)> = s
            .probs
            .chunks(k)
            .zip(&s.labels)
            .enumerate()
            .map(|(i, (p, &y))| {
                let w = s.weights.as_ref().map_or(1.0, |w| w[i]);
                (p.iter().map(|x| x.to_bits()).collect(), y, w.to_bits())
            })
            .collect();
        r.sort();
        r
    };
    eq("rows", rows(a), rows(b))
}

fn ovr_weighted_of(rows: &[((Vec<f64>, i64), f64)]) -> OvrSample {
    let mut s = OvrSample::default();
    rows.iter()
        .for_each(|((p, y), w)| s.add_weighted(p, *y, *w).unwrap());
    s
}

// ---- confusion: exact for unit weights; weighted cells up to float rounding.

/// (actual, predicted, weight); `None` is a row skipped for a NULL.
type ConfusionRow = Option<(i64, i64, f64)>;

fn confusion_of(rows: &[ConfusionRow], text: bool) -> Confusion {
    let label = |v: i64| {
        if text {
            Label::Text(format!("class {v}"))
        } else {
            Label::Int(v)
        }
    };
    let mut c = Confusion::default();
    for row in rows {
        match *row {
            Some((a, p, w)) => c.add(label(a), label(p), w).unwrap(),
            None => c.skipped += 1,
        }
    }
    c
}

/// Weighted: cells are sums of non-negative weights, so 1e-12 of the cell itself.
fn same_confusion(a: &Confusion, b: &Confusion) -> Result<(), String> {
    eq("rows", a.rows, b.rows)?;
    eq("skipped", a.skipped, b.skipped)?;
    eq(
        "cells",
        a.cells.keys().collect::<Vec<_>>(),
        b.cells.keys().collect(),
    )?;
    for (k, &wa) in &a.cells {
        let wb = *b.cells.get(k).expect("same cells");
        close(&format!("cell {k:?}"), wa, wb, SUM_REL, wa.max(wb))?;
    }
    Ok(())
}

fn confusion_row(unit: bool) -> impl Strategy<Value = ConfusionRow> {
    prop_oneof![1 => Just(None), 8 => (0i64..4, 0i64..4, sample_weight(unit)).prop_map(Some)]
}

// ---- losses, score summary, regression summary: counts exact, sums up to rounding.

/// A sample weight: 1 for unit-weight rows, else 0, 1 or anything in [0, 10).
fn sample_weight(unit: bool) -> BoxedStrategy<f64> {
    if unit {
        Just(1.0).boxed()
    } else {
        prop_oneof![0.0f64..10.0, Just(0.0), Just(1.0)].boxed()
    }
}

/// (class probabilities, label, weight): binary when `classes` is 0 (one probability, label
/// 0/1); `unit`: every weight 1 (the unweighted aggregates).
fn loss_row(classes: usize, unit: bool) -> BoxedStrategy<(Vec<f64>, i64, f64)> {
    if classes == 0 {
        (probability(), 0i64..2, sample_weight(unit))
            .prop_map(|(p, y, w)| (vec![p], y, w))
            .boxed()
    } else {
        (
            vec(probability(), classes),
            0..classes as i64,
            sample_weight(unit),
        )
            .boxed()
    }
}

fn loss_of(kind: LossKind, rows: &[(Vec<f64>, i64, f64)]) -> MeanLoss {
    let mut l = MeanLoss::new(kind);
    for (p, y, w) in rows {
        if p.len() == 1 {
            l.add_binary_weighted(p[0], *y == 1, *w).unwrap();
        } else {
            l.add_multiclass_weighted(p, *y, *w).unwrap();
        }
    }
    l
}

/// Σ w·loss and Σ w: non-negative terms, so 1e-12 of the sum.
fn same_loss(a: &MeanLoss, b: &MeanLoss) -> Result<(), String> {
    eq("kind", a.kind, b.kind)?;
    eq("classes", a.classes, b.classes)?;
    eq("n", a.n, b.n)?;
    close(
        "weight",
        a.weight,
        b.weight,
        SUM_REL,
        a.weight.max(b.weight),
    )?;
    close("sum", a.sum, b.sum, SUM_REL, a.sum.max(b.sum))
}

/// A Tweedie power (-1, 0, 1, 1.5, 2, 3) or a pinball alpha (0, 0.1, 0.5, 0.9, 1).
fn regression_loss_kind() -> impl Strategy<Value = LossKind> {
    prop_oneof![
        prop::sample::select(vec![-1.0, 0.0, 1.0, 1.5, 2.0, 3.0])
            .prop_map(|p| LossKind::tweedie(p).unwrap()),
        prop::sample::select(vec![0.0, 0.1, 0.5, 0.9, 1.0])
            .prop_map(|a| LossKind::pinball(a).unwrap()),
    ]
}

/// Rows inside every power's domain (strictly positive target and prediction).
fn positive_pair() -> impl Strategy<Value = (f64, f64)> {
    (1e-3f64..1e3, 1e-3f64..1e3)
}

fn regression_loss_of(kind: LossKind, rows: &[(f64, f64)]) -> MeanLoss {
    let mut l = MeanLoss::new(kind);
    rows.iter()
        .for_each(|&(y, p)| l.add_regression(y, p).unwrap());
    l
}

/// Σ deviance: terms non-negative up to rounding, so 1e-12 of the sum (1e-9 absolute floor for
/// rows whose deviance rounds to about 0).
fn same_regression_loss(a: &MeanLoss, b: &MeanLoss) -> Result<(), String> {
    eq("kind", a.kind, b.kind)?;
    eq("classes", a.classes, b.classes)?;
    eq("n", a.n, b.n)?;
    close(
        "sum",
        a.sum,
        b.sum,
        SUM_REL,
        a.sum.abs().max(b.sum.abs()).max(1e-9),
    )
}

fn sorted_keys<V: mlobs_core::metrics::grid_bins::BinValue>(
    m: &mlobs_core::metrics::grid_bins::GridBins<V>,
) -> Vec<u32> {
    m.sorted().into_keys().collect()
}

fn score_summary_of(grid: i64, rows: &[(f64, bool)]) -> ScoreSummary {
    let mut s = ScoreSummary::new(grid).unwrap();
    rows.iter().for_each(|&(p, y)| s.add(p, y).unwrap());
    s
}

fn score_summary_weighted_of(grid: i64, rows: &[(f64, bool, f64)]) -> ScoreSummary {
    let mut s = ScoreSummary::new(grid).unwrap();
    rows.iter()
        .for_each(|&(p, y, w)| s.add_weighted(p, y, w).unwrap());
    s
}

/// Bins exact ("exactly mergeable"); Σ log loss, Σ Brier and the bins' weight sums "exactly up
/// to float rounding".
fn same_score_summary(a: &ScoreSummary, b: &ScoreSummary) -> Result<(), String> {
    eq("grid", a.grid, b.grid)?;
    eq("bins", &a.bins, &b.bins)?;
    eq("weighted", a.weights.is_some(), b.weights.is_some())?;
    if let (Some(wa), Some(wb)) = (&a.weights, &b.weights) {
        eq("weight bins", sorted_keys(wa), sorted_keys(wb))?;
        for (k, x) in wa.iter() {
            let y = *wb.get(k).expect("same keys");
            for c in 0..2 {
                close(
                    &format!("weight {k}/{c}"),
                    x[c],
                    y[c],
                    SUM_REL,
                    x[c].max(y[c]),
                )?;
            }
        }
    }
    let (la, lb) = (a.log_loss_total(), b.log_loss_total());
    close("log_loss_sum", la, lb, SUM_REL, la.max(lb))?;
    close(
        "brier_sum",
        a.brier_sum,
        b.brier_sum,
        SUM_REL,
        a.brier_sum.max(b.brier_sum),
    )
}

/// (target, prediction, weight) or a skipped row; `unit`: every weight 1.
fn regression_row(unit: bool) -> impl Strategy<Value = Option<(f64, f64, f64)>> {
    let x = || prop_oneof![8 => -1e6f64..1e6, 2 => -1e-3f64..1e-3, 1 => Just(0.0)];
    prop_oneof![1 => Just(None), 8 => (x(), x(), sample_weight(unit)).prop_map(Some)]
}

fn regression_of(rows: &[Option<(f64, f64, f64)>]) -> RegressionSummary {
    let mut r = RegressionSummary::default();
    for row in rows {
        match *row {
            Some((y, p, w)) => r.add_weighted(y, p, w).unwrap(),
            None => r.skipped += 1,
        }
    }
    r
}

/// Welford/Chan moments with the profile's tolerance (1e-9 of the magnitude, its square for
/// M2); the magnitude is bounded by the generator (2e6 for errors).
fn same_moments(what: &str, a: &Moments, b: &Moments) -> Result<(), String> {
    eq(&format!("{what}.n"), a.n, b.n)?;
    let scale = 2e6;
    close(&format!("{what}.mean"), a.mean(), b.mean(), 1e-9, scale)?;
    close(
        &format!("{what}.m2"),
        a.m2,
        b.m2,
        1e-9,
        b.m2.abs().max(scale * scale),
    )
}

fn same_regression(a: &RegressionSummary, b: &RegressionSummary) -> Result<(), String> {
    eq("skipped", a.skipped, b.skipped)?;
    eq("weighted", a.weight.is_some(), b.weight.is_some())?;
    let (x, y) = (a.total_weight(), b.total_weight());
    close("weight", x, y, SUM_REL, x.max(y))?;
    same_moments("target", &a.target, &b.target)?;
    same_moments("error", &a.error, &b.error)?;
    let (x, y) = (a.sum_abs_error, b.sum_abs_error);
    close("sum_abs_error", x, y, SUM_REL, x.max(y))?;
    let (x, y) = (a.sum_abs_pct_error, b.sum_abs_pct_error);
    close("sum_abs_pct_error", x, y, SUM_REL, x.max(y))?;
    eq(
        "max_abs_error",
        a.max_abs_error.to_bits(),
        b.max_abs_error.to_bits(),
    )?;
    eq(
        "abs_error_sketch",
        a.abs_error_sketch.canonical(),
        b.abs_error_sketch.canonical(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Unit weights (integer counts): exact; weighted: up to rounding.
    #[test]
    fn confusion(text in any::<bool>(),
                 (unit, (a, b, c)) in any::<bool>().prop_flat_map(|unit| (Just(unit), three(move || confusion_row(unit))))) {
        let same = if unit { exact } else { same_confusion };
        merge_laws(|r: &[ConfusionRow]| confusion_of(r, text), same, &a, &b, &c)?;
    }

    #[test]
    fn score_summary(grid in prop_oneof![Just(10i64), Just(100), Just(1000), 10i64..5000],
                     (a, b, c) in three(|| (probability(), any::<bool>()))) {
        merge_laws(|r: &[(f64, bool)]| score_summary_of(grid, r), same_score_summary, &a, &b, &c)?;
    }

    /// With sample weights (0, 1 and others); the rows without weights merge into weighted ones.
    #[test]
    fn score_summary_weighted(grid in prop_oneof![Just(10i64), Just(100), 10i64..5000],
                              (a, b, c) in three(|| (probability(), any::<bool>(), rank_weight()))) {
        merge_laws(|r: &[(f64, bool, f64)]| score_summary_weighted_of(grid, r), same_score_summary, &a, &b, &c)?;
    }

    #[test]
    fn ranking_weighted((a, b, c) in three(|| (prop_oneof![Just(0.5), -1e3f64..1e3], any::<bool>(), rank_weight()))) {
        merge_laws(rank_weighted_of, same_rank, &a, &b, &c)?;
    }

    #[test]
    fn one_vs_rest_weighted((a, b, c) in (2usize..5).prop_flat_map(|k| three(move || (ovr_row(k), rank_weight())))) {
        merge_laws(ovr_weighted_of, same_ovr, &a, &b, &c)?;
    }

    /// The middle set is all ties (0.5, ±0) with both labels.
    #[test]
    fn ranking((a, _, c) in three(|| (-1e3f64..1e3, any::<bool>())),
               ties in vec((prop_oneof![Just(0.5), Just(-0.0), Just(0.0)], any::<bool>()), laws::ROWS)) {
        merge_laws(rank_of, same_rank, &a, &ties, &c)?;
    }

    #[test]
    fn one_vs_rest((a, b, c) in (2usize..5).prop_flat_map(|k| three(move || ovr_row(k)))) {
        merge_laws(ovr_of, same_ovr, &a, &b, &c)?;
    }

    #[test]
    fn probability_sample((a, b, c) in three(probability)) {
        merge_laws(probability_sample_of, same_probabilities, &a, &b, &c)?;
    }

    /// Binary (a scalar P(y = 1)) or 2 to 4 class probabilities, unit or sample weights.
    #[test]
    fn mean_loss(log in any::<bool>(),
                 (a, b, c) in (prop_oneof![Just(0usize), 2usize..5], any::<bool>())
                     .prop_flat_map(|(k, unit)| three(move || loss_row(k, unit)))) {
        let kind = if log { LossKind::LogLoss } else { LossKind::Brier };
        merge_laws(|r: &[(Vec<f64>, i64, f64)]| loss_of(kind, r), same_loss, &a, &b, &c)?;
    }

    /// Tweedie deviance (power in the kind) and pinball loss (alpha in the kind).
    #[test]
    fn regression_loss(kind in regression_loss_kind(), (a, b, c) in three(positive_pair)) {
        merge_laws(|r: &[(f64, f64)]| regression_loss_of(kind, r), same_regression_loss, &a, &b, &c)?;
    }

    /// Unit weights (the unweighted aggregate) or sample weights, 0 included.
    #[test]
    fn regression_summary((a, b, c) in any::<bool>().prop_flat_map(|unit| three(move || regression_row(unit)))) {
        merge_laws(regression_of, same_regression, &a, &b, &c)?;
    }

    /// A calibration map is fitted on one reference window and documented as not mergeable:
    /// merge refuses, and the map round trips.
    #[test]
    fn calibration_map(rows in vec((-1e3f64..1e3, prop_oneof![Just(0.0), Just(1.0), 0.0f64..=1.0], 0.0f64..5.0), 1..60),
                       other in vec((-1e3f64..1e3, Just(1.0), Just(1.0)), 1..10)) {
        let Some(map) = CalibrationMap::fit(rows).unwrap() else { return Ok(()) };
        round_trips(&map)?;
        let o = CalibrationMap::fit(other).unwrap().unwrap();
        prop_assert!(map.clone().merge(&o).is_err());
        prop_assert!(map.clone().merge(&map).is_err());
    }
}
