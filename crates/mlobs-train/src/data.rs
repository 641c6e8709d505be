//! Training rows: checks on the features and target, the treatment of missing and non-finite
//! values, the time-ordered holdout and the memory estimate.
//!
//! Missing values (NULL, NaN, ±Infinity) are handled the way the registered model will handle
//! them at prediction time, so training and serving agree:
//! * trees: a missing value is replaced by the feature's training median, and each split sends
//!   missing values to the side the median goes (`missing_go_to_left`);
//! * linear models: the registry's linear models have no rule for missing values (`predict`
//!   refuses them), so training rows with one are left out and counted.

use crate::params::{Algorithm, Task};
use mlobs_core::CoreError;

/// The fewest labelled rows a model is trained on (after the holdout is set aside).
pub const MIN_TRAIN_ROWS: usize = 10;

/// The target: class indices into `labels` (sorted), or numeric values.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Classes {
        index: Vec<u32>,
        labels: Vec<String>,
    },
    Values(Vec<f64>),
}

impl Target {
    pub fn len(&self) -> usize {
        match self {
            Target::Classes { index, .. } => index.len(),
            Target::Values(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Rows in time order: `x` row-major (`n_features` per row; NaN = missing).
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub n_features: usize,
    pub feature_names: Vec<String>,
    pub x: Vec<f64>,
    pub y: Target,
}

impl Dataset {
    pub fn rows(&self) -> usize {
        self.y.len()
    }
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.n_features..(i + 1) * self.n_features]
    }
}

/// Bytes a training is expected to hold at its peak for `rows` × `features`, so that a backend
/// refuses before it starts rather than being killed by the OOM killer. Calibrated on measured
/// peaks of a backend's anonymous memory (100 000 rows, docs/training.md): smartcore's tree
/// builder keeps about 1 kB per row whatever the feature count (sample and order vectors per
/// node on its stack), the rows as read 8 bytes a value and their timestamp, the float32 matrix
/// and the centred copy 4 and 8 bytes a value. The constants are above every measurement.
pub fn estimated_bytes(algorithm: Algorithm, rows: usize, features: usize) -> usize {
    let (per_row, per_cell): (usize, usize) = if algorithm.is_tree() {
        (1_200, 28)
    } else {
        (250, 24)
    };
    rows.saturating_mul(per_row.saturating_add(features.saturating_mul(per_cell)))
}

/// Bytes live while trees grow, besides the trees: the rows as read (8 bytes a value, the
/// labels and timestamps the extension keeps), the float32 matrix (4 a value) and smartcore's
/// sorted orders and workspace. The reading phase ([`estimated_bytes`]) is over by then. A
/// default binary forest over 80 000 rows × 10 features measured 9.4 MB of heap beyond the
/// rows and its trees (`tests/memory_bound.rs`); this charges 44 MB for it.
pub fn tree_training_bytes(rows: usize, features: usize) -> usize {
    rows.saturating_mul(200usize.saturating_add(features.saturating_mul(24)))
}

/// Bytes a tree classifier of more than two classes holds beyond [`estimated_bytes`]: one value
/// per class in every node, while a tree is grown and exported (~170 bytes a node-class value,
/// serialized and parsed) and in every finished tree until the model is stored (~60). Measured
/// by the reviews of 2026-12-07: 6 000 rows of 300 classes, unbounded depth, peaked at 615 MB
/// for one tree and 1.62 GB for four (this estimates 0.83 and 1.48 GB); a default forest (100
/// trees of depth 10) of 3 000 rows and 4 classes took 20 MB more than of 2 classes (this: 50).
/// A node count per tree is bounded by the rows (each split needs a row on each side) and by
/// `max_depth`.
pub fn estimated_class_bytes(params: &crate::params::Params, rows: usize, classes: usize) -> usize {
    let trees = if params.algorithm == crate::params::Algorithm::RandomForest {
        params.n_trees
    } else {
        1
    };
    class_values_bound(params, rows, classes)
        .saturating_mul(170usize.saturating_add(trees.saturating_mul(60)))
}

/// Bytes smartcore's classification tree (more than two classes, or the entropy criterion)
/// holds while it grows: it visits nodes breadth first, and every node waiting in its queue
/// owns a sample-count vector over all the training rows (8 bytes a row). The queue holds at
/// most one level's nodes, bounded by `2^max_depth` and by the rows (a queued node holds at
/// least two). A 5-class forest of depth 10 over 80 000 rows peaked at 245 MB of heap
/// (`tests/memory_bound.rs`), where the per-row estimate gave 118; without `max_depth` this
/// grows with the square of the rows. (Binary Gini trees and regression trees are grown by
/// smartcore's other builder, which keeps index ranges: linear in the rows.)
pub fn classifier_queue_bytes(
    params: &crate::params::Params,
    rows: usize,
    classes: usize,
) -> usize {
    let smartcore_classifier = params.algorithm.is_tree()
        && params.task == crate::params::Task::Classification
        && (classes > 2 || (classes == 2 && params.entropy));
    if !smartcore_classifier {
        return 0;
    }
    let width = params.max_depth.map_or(usize::MAX, |d| {
        1usize.checked_shl(u32::from(d)).unwrap_or(usize::MAX)
    });
    rows.saturating_mul(8)
        .saturating_mul(width.min(rows / 2).max(1))
}

/// The part of [`estimated_class_bytes`] taken while one tree grows and is exported; the trees
/// already grown are charged as they are ([`held_tree_bytes`]).
pub fn growing_class_bytes(params: &crate::params::Params, rows: usize, classes: usize) -> usize {
    class_values_bound(params, rows, classes).saturating_mul(170)
}

/// Node-class values of one tree at most: nodes bounded by the rows (each split needs a row on
/// each side) and by `max_depth`; 0 for two classes (a binary tree keeps one value a node).
fn class_values_bound(params: &crate::params::Params, rows: usize, classes: usize) -> usize {
    if !params.algorithm.is_tree() || classes <= 2 {
        return 0;
    }
    let by_depth = params.max_depth.map_or(usize::MAX, |d| {
        1usize.checked_shl(u32::from(d) + 1).unwrap_or(usize::MAX)
    });
    rows.saturating_mul(2).min(by_depth).saturating_mul(classes)
}

/// Bytes a grown tree's `nodes` (of `values_per_node` values each: 1 for regression, 2 for a
/// binary classifier, one per class otherwise) cost the backend until the model is stored. The
/// peak comes at the INSERT, where jsonb_in holds a parse tree of every number of the body: a
/// default binary forest of 20 000 rows (61 004 nodes) peaked at 102 MB of the backend's
/// anonymous memory, about 1 500 bytes a node (regression 1 290, 7 classes 2 170; slopes
/// between forests of 10 and 100 trees, docs/training.md); the exported arrays themselves take
/// ~330 (a counting allocator, `tests/memory_bound.rs`). Forests are charged tree by tree
/// against the budget the extension gives (`train_within`), since their size is known only as
/// they grow (pruning leaves a default forest of 3 000 rows at about 200 nodes a tree, far
/// below its bound of 2 047). The constants are 13–28 % above those slopes.
pub fn held_tree_bytes(nodes: usize, values_per_node: usize) -> usize {
    nodes.saturating_mul(
        HELD_NODE_BYTES.saturating_add(values_per_node.saturating_mul(HELD_VALUE_BYTES)),
    )
}

const HELD_NODE_BYTES: usize = 1_250;
const HELD_VALUE_BYTES: usize = 220;

/// Per-feature statistics over the training rows' finite values.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureStats {
    pub median: Vec<f64>,
    pub mean: Vec<f64>,
    pub missing: Vec<usize>,
}

/// Checks every feature has a finite value and varies; returns medians, means and missing
/// counts (non-finite values count as missing).
pub fn feature_stats(
    data: &Dataset,
    rows: std::ops::Range<usize>,
) -> Result<FeatureStats, CoreError> {
    let p = data.n_features;
    let mut median = Vec::with_capacity(p);
    let mut mean = Vec::with_capacity(p);
    let mut missing = Vec::with_capacity(p);
    let mut column = Vec::with_capacity(rows.len());
    for j in 0..p {
        column.clear();
        column.extend(
            rows.clone()
                .map(|i| data.x[i * p + j])
                .filter(|v| v.is_finite()),
        );
        let name = &data.feature_names[j];
        if column.is_empty() {
            return Err(CoreError::invalid_parameter(format!(
                "feature \"{name}\" has no finite value in the {} training rows (all NULL, NaN or infinite)",
                rows.len()
            )));
        }
        column.sort_by(f64::total_cmp);
        if column[0] == column[column.len() - 1] {
            return Err(CoreError::invalid_parameter(format!(
                "feature \"{name}\" is constant ({}) in the training rows; leave it out",
                column[0]
            )));
        }
        let n = column.len();
        median.push(if n % 2 == 1 {
            column[n / 2]
        } else {
            column[n / 2 - 1] / 2.0 + column[n / 2] / 2.0
        });
        mean.push(column.iter().sum::<f64>() / n as f64);
        missing.push(rows.len() - n);
    }
    Ok(FeatureStats {
        median,
        mean,
        missing,
    })
}

/// Checks the target of the training rows: enough rows, and two classes at least.
pub fn check_target(data: &Dataset, task: Task, train: usize) -> Result<(), CoreError> {
    if train < MIN_TRAIN_ROWS {
        return Err(CoreError::invalid_parameter(format!(
            "too few rows to train on: {train} labelled rows after the holdout, at least {MIN_TRAIN_ROWS} needed"
        )));
    }
    match (&data.y, task) {
        (Target::Classes { index, labels }, Task::Classification) => {
            let mut seen = vec![false; labels.len()];
            for &c in &index[..train] {
                seen[c as usize] = true;
            }
            let present = seen.iter().filter(|s| **s).count();
            if present < 2 {
                return Err(CoreError::invalid_parameter(format!(
                    "the target has {present} class in the {train} training rows; classification needs 2 or more"
                )));
            }
            Ok(())
        }
        (Target::Values(v), Task::Regression) => {
            if let Some(i) = v[..train].iter().position(|y| !y.is_finite()) {
                return Err(CoreError::invalid_parameter(format!(
                    "the target is not finite ({}) in training row {}",
                    v[i],
                    i + 1
                )));
            }
            if v[..train].iter().all(|y| *y == v[0]) {
                return Err(CoreError::invalid_parameter(format!(
                    "the target is constant ({}) in the training rows",
                    v[0]
                )));
            }
            Ok(())
        }
        (Target::Classes { .. }, Task::Regression) => Err(CoreError::invalid_parameter(
            "regression needs a numeric target",
        )),
        (Target::Values(_), Task::Classification) => Err(CoreError::invalid_parameter(
            "classification needs class labels as the target",
        )),
    }
}

/// Rows kept for training: the first `1 − holdout` share in time order (the later rows are the
/// holdout, as in a forward-in-time evaluation).
pub fn train_rows(rows: usize, holdout: f64) -> usize {
    rows - (rows as f64 * holdout).floor() as usize
}

/// A value as the tree sees it: non-finite → the median, and clamped into float32's range
/// (scikit-learn's trees and the registry compare float32 inputs, where anything beyond
/// ±3.4e38 would be infinite; a clamped value goes to the same side as the infinite one).
pub fn tree_value(v: f64, median: f64) -> f32 {
    let v = if v.is_finite() { v } else { median };
    v.clamp(f32::MIN as f64, f32::MAX as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_classes_count_a_value_per_class_in_every_node() {
        use crate::params::{Params, Task};
        let p = |algo: &str, v: serde_json::Value| {
            Params::parse(algo, Task::Classification, &v).unwrap()
        };
        // The review's case: 6 000 rows of 300 classes, depth 60, four trees, measured 1.62 GB.
        let forest = p(
            "random_forest",
            serde_json::json!({"n_trees": 4, "max_depth": 60}),
        );
        assert!(estimated_class_bytes(&forest, 6000, 300) > 1_400_000_000);
        // A default forest (100 trees of depth 10) of 3 000 rows and 4 classes fits the default
        // maintenance_work_mem of 64 MB (the review measured 20 MB above 2 classes).
        let default_forest = p("random_forest", serde_json::json!({}));
        assert!(
            estimated_bytes(default_forest.algorithm, 3000, 3)
                + estimated_class_bytes(&default_forest, 3000, 4)
                < 64 << 20
        );
        // Two classes add nothing (binary trees keep one value a node); depth bounds the nodes.
        assert_eq!(estimated_class_bytes(&forest, 6000, 2), 0);
        let shallow = p("decision_tree", serde_json::json!({"max_depth": 3}));
        assert_eq!(
            estimated_class_bytes(&shallow, 1_000_000, 10),
            16 * 10 * 230
        );
    }

    fn data(x: Vec<f64>, y: Vec<u32>) -> Dataset {
        Dataset {
            n_features: 2,
            feature_names: vec!["a".into(), "b".into()],
            x,
            y: Target::Classes {
                index: y,
                labels: vec!["0".into(), "1".into()],
            },
        }
    }

    #[test]
    fn stats_and_refusals() {
        let d = data(
            vec![1.0, 5.0, f64::NAN, 6.0, 3.0, f64::INFINITY],
            vec![0, 1, 0],
        );
        let s = feature_stats(&d, 0..3).unwrap();
        assert_eq!((s.median, s.missing), (vec![2.0, 5.5], vec![1, 1]));
        let d = data(vec![1.0, f64::NAN, 2.0, f64::NAN], vec![0, 1]);
        let e = feature_stats(&d, 0..2).unwrap_err();
        assert!(e.message.contains("feature \"b\" has no finite value"));
        let d = data(vec![1.0, 7.0, 2.0, 7.0], vec![0, 1]);
        let e = feature_stats(&d, 0..2).unwrap_err();
        assert!(e.message.contains("feature \"b\" is constant (7)"));
    }

    #[test]
    fn values_for_trees() {
        assert_eq!(tree_value(f64::NAN, 2.5), 2.5);
        assert_eq!(tree_value(1e300, 0.0), f32::MAX);
        assert_eq!(tree_value(f64::NEG_INFINITY, -1.0), -1.0);
        assert_eq!(train_rows(10, 0.2), 8);
        assert_eq!(train_rows(10, 0.0), 10);
    }
}
