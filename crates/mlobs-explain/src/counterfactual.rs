//! What-if analysis and counterfactuals for tree models.
//!
//! A tree ensemble's prediction is constant between consecutive split thresholds of a feature,
//! so the only values worth trying for a feature are one per interval between its thresholds:
//! the value in that interval nearest the row's own (the first value routed past the boundary).
//! The search tries every set of 1, 2, … up to `max_changes` mutable features and every
//! combination of their intervals, and returns the smallest set that moves the prediction past
//! the target; among sets of that size, the one with the least total change (each feature's
//! change measured in units of the spread of its thresholds), ties broken by feature order. It
//! is exhaustive and deterministic; `MAX_EVALUATIONS` bounds its cost.

use crate::error::{ExplainError, Result};
use crate::model::{Model, Output};
use crate::tree::Split;

/// Model evaluations one search may spend before it gives up with an error.
pub const MAX_EVALUATIONS: usize = 5_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub feature: usize,
    pub from: f64,
    pub to: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Counterfactual {
    pub changes: Vec<Change>,
    pub prediction_before: f64,
    pub prediction_after: f64,
    pub evaluations: usize,
}

/// The closest values routed left of and right of a split at `t`.
fn sides(t: f64, split: Split) -> (f64, f64) {
    match split {
        // x < t (float32): t itself goes right; the largest float32 below it goes left.
        Split::LessF32 => {
            let t32 = t as f32;
            (t32.next_down() as f64, t32 as f64)
        }
        // x <= t: t goes left.
        Split::LessEqual => (t, t.next_up()),
        // float32(x) <= t: the largest float32 not above t goes left, the next one right.
        Split::LessEqualF32Input => {
            let mut l = t as f32;
            if l as f64 > t {
                l = l.next_down();
            }
            (l as f64, l.next_up() as f64)
        }
    }
}

/// Per feature, the candidate values (one per threshold interval other than the row's own)
/// and the spread of its thresholds.
fn candidates(model: &Model, x: &[f64]) -> Result<Vec<(Vec<f64>, f64)>> {
    let mut cuts: Vec<Vec<(f64, f64)>> = vec![Vec::new(); model.n_features];
    for output in &model.outputs {
        let Output::Trees(e) = output else {
            return Err(ExplainError::at(
                "model",
                "counterfactuals need a tree model (its split thresholds are the candidate values)",
            ));
        };
        for tree in &e.trees {
            for node in &tree.nodes {
                if let Some(f) = node.feature
                    && node.threshold.is_finite()
                {
                    cuts[f].push(sides(node.threshold, node.split));
                }
            }
        }
    }
    Ok(cuts
        .into_iter()
        .enumerate()
        .map(|(f, mut c)| {
            c.sort_by(|a, b| a.0.total_cmp(&b.0));
            c.dedup();
            let spread = match (c.first(), c.last()) {
                (Some(a), Some(b)) if b.1 > a.0 => b.1 - a.0,
                _ => 1.0,
            };
            let v = x[f];
            let mut values = Vec::new();
            // Interval k lies between cut k−1 and cut k: [right of k−1, left of k].
            for k in 0..=c.len() {
                let lo = if k == 0 {
                    f64::NEG_INFINITY
                } else {
                    c[k - 1].1
                };
                let hi = if k == c.len() { f64::INFINITY } else { c[k].0 };
                if lo > hi || (v >= lo && v <= hi) {
                    continue; // empty, or the row's own interval
                }
                // A feature the model never splits on has the one interval (−∞, ∞): a missing
                // value there goes every way it would anywhere, so there is nothing to try.
                if !lo.is_finite() && !hi.is_finite() {
                    continue;
                }
                // A missing value is in no interval: it takes the interval's finite end.
                let to = if v.is_nan() {
                    if lo.is_finite() {
                        lo
                    } else {
                        hi
                    }
                } else if hi < v {
                    hi
                } else {
                    lo
                };
                values.push(to);
            }
            (values, spread)
        })
        .collect())
}

/// Advances `subset` (ascending indices into 0..n) to the next one in lexicographic order;
/// false after the last.
fn next_subset(subset: &mut [usize], n: usize) -> bool {
    let k = subset.len();
    for i in (0..k).rev() {
        if subset[i] < n - k + i {
            subset[i] += 1;
            for j in i + 1..k {
                subset[j] = subset[j - 1] + 1;
            }
            return true;
        }
    }
    false
}

/// Whether `after` is past `target` coming from `before`: at or above it when starting below,
/// below it when starting at or above.
fn crossed(before: f64, after: f64, target: f64) -> bool {
    if before < target {
        after >= target
    } else {
        after < target
    }
}

/// The smallest set of feature changes that moves the prediction of `class` past `target`, or
/// `None` when no set of at most `max_changes` mutable features does.
pub fn counterfactual(
    model: &Model,
    x: &[f64],
    target: f64,
    max_changes: usize,
    immutable: &[usize],
    class: Option<i64>,
) -> Result<Option<Counterfactual>> {
    if !target.is_finite() {
        return Err(ExplainError::at("target", "must be a finite number"));
    }
    if max_changes == 0 || max_changes > model.n_features {
        return Err(ExplainError::at(
            "max_changes",
            format!("must be 1..{}", model.n_features),
        ));
    }
    let before = model.predict(x, class)?;
    let cands = candidates(model, x)?;
    let mutable: Vec<usize> = (0..model.n_features)
        .filter(|f| !immutable.contains(f) && !cands[*f].0.is_empty())
        .collect();
    let mut evaluations = 0usize;
    let mut row = x.to_vec();
    for k in 1..=max_changes.min(mutable.len()) {
        let mut best: Option<(f64, Vec<Change>, f64)> = None;
        let mut subset: Vec<usize> = (0..k).collect();
        loop {
            let features: Vec<usize> = subset.iter().map(|&i| mutable[i]).collect();
            // Odometer over the candidate values of the chosen features.
            let mut pick = vec![0usize; k];
            'values: loop {
                evaluations += 1;
                if evaluations > MAX_EVALUATIONS {
                    return Err(ExplainError::at(
                        "max_changes",
                        format!(
                            "the search needs more than {MAX_EVALUATIONS} evaluations: lower max_changes or mark features immutable"
                        ),
                    ));
                }
                if evaluations.is_multiple_of(4096) {
                    mlobs_core::interrupt::check();
                }
                let mut cost = 0.0;
                for (j, &f) in features.iter().enumerate() {
                    let to = cands[f].0[pick[j]];
                    row[f] = to;
                    cost += if x[f].is_nan() {
                        1.0
                    } else {
                        (to - x[f]).abs() / cands[f].1
                    };
                }
                let after = model.predict(&row, class)?;
                if crossed(before, after, target) && best.as_ref().is_none_or(|b| cost < b.0) {
                    let changes = features
                        .iter()
                        .map(|&f| Change {
                            feature: f,
                            from: x[f],
                            to: row[f],
                        })
                        .collect();
                    best = Some((cost, changes, after));
                }
                for &f in &features {
                    row[f] = x[f];
                }
                // Next combination of values.
                let mut j = k;
                loop {
                    if j == 0 {
                        break 'values;
                    }
                    j -= 1;
                    pick[j] += 1;
                    if pick[j] < cands[features[j]].0.len() {
                        break;
                    }
                    pick[j] = 0;
                }
            }
            if !next_subset(&mut subset, mutable.len()) {
                break;
            }
        }
        if let Some((_, changes, after)) = best {
            return Ok(Some(Counterfactual {
                changes,
                prediction_before: before,
                prediction_after: after,
                evaluations,
            }));
        }
    }
    Ok(None)
}

/// The effect of setting some features: predictions and SHAP values before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    pub prediction_before: f64,
    pub prediction_after: f64,
    /// φ(after) − φ(before) per feature, in margin space.
    pub shap_delta: Vec<f64>,
}

pub fn what_if(
    model: &Model,
    x: &[f64],
    changes: &[(usize, f64)],
    class: Option<i64>,
) -> Result<WhatIf> {
    let mut after = x.to_vec();
    for &(f, v) in changes {
        after[f] = v;
    }
    let prediction_before = model.predict(x, class)?;
    let prediction_after = model.predict(&after, class)?;
    let shap_delta: Vec<f64> = match &model.outputs[0] {
        // Linear SHAP differences do not depend on the means: β·(x' − x).
        Output::Linear(_) => {
            let s = model.select(class)?;
            let Output::Linear(l) = &model.outputs[s.output] else {
                unreachable!("a model's outputs are all linear or all trees")
            };
            l.coefficients
                .iter()
                .zip(after.iter().zip(x))
                .map(|(b, (a, v))| s.sign * b * (a - v))
                .collect()
        }
        Output::Trees(_) => {
            let (b, a) = (model.shap(x, class)?, model.shap(&after, class)?);
            a.iter().zip(&b).map(|(a, b)| a - b).collect()
        }
    };
    // Two finite predictions (or attributions) near float8's limits can differ by more than it
    // holds: an error, as for a prediction that overflows, not an infinite (JSON null) change.
    if !(prediction_after - prediction_before).is_finite()
        || shap_delta.iter().any(|d| !d.is_finite())
    {
        return Err(ExplainError::at(
            "changes",
            "the change it makes to the prediction or to an attribution overflows float8",
        ));
    }
    Ok(WhatIf {
        prediction_before,
        prediction_after,
        shap_delta,
    })
}
