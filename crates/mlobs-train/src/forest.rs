//! Decision trees and random forests with smartcore, exported in the registry's `sklearn`
//! layout so that predict, TreeSHAP, LIME, what-if and counterfactuals serve them unchanged.
//!
//! smartcore keeps a fitted tree's nodes private; its serde form exposes them. The export then
//! routes the rows each tree was grown on (its bootstrap rows, each once) to get what the layout
//! needs and smartcore does not keep: node covers (TreeSHAP's weights) and, for classifiers,
//! class fractions (smartcore's leaves vote for one class; scikit-learn's and ours hold the
//! class distribution, which gives probabilities rather than votes).
//!
//! A forest is fitted one tree per smartcore call, with its own seed, so a cancelled statement
//! is noticed between trees.

use crate::data::{tree_value, Dataset, Target};
use crate::params::{Algorithm, Params, Task, MAX_TOTAL_NODES};
use mlobs_core::CoreError;
use serde_json::{json, Value};
use smartcore::ensemble::random_forest_classifier::{
    RandomForestClassifier, RandomForestClassifierParameters,
};
use smartcore::ensemble::random_forest_regressor::{
    RandomForestRegressor, RandomForestRegressorParameters,
};
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::tree::decision_tree_classifier::{
    DecisionTreeClassifier, DecisionTreeClassifierParameters, SplitCriterion,
};
use smartcore::tree::decision_tree_regressor::{
    DecisionTreeRegressor, DecisionTreeRegressorParameters,
};

/// One node as smartcore serialises it.
#[derive(Debug, Clone)]
struct RawNode {
    output: f64,
    feature: usize,
    threshold: f64,
    children: Option<(usize, usize)>,
}

fn fit_failed(e: impl std::fmt::Display) -> CoreError {
    CoreError::invalid_parameter(format!("training failed: {e}"))
}

/// The value under `path` in a serialised smartcore model (numeric steps index arrays).
fn walk<'a>(model: &'a Value, path: &[&str]) -> Result<&'a Value, CoreError> {
    let mut v = model;
    for k in path {
        let next = match k.parse::<usize>() {
            Ok(i) => v.get(i),
            Err(_) => v.get(*k),
        };
        v = next.ok_or_else(|| fit_failed(format!("no '{k}' in smartcore's model")))?;
    }
    Ok(v)
}

/// The `nodes` array under `path` in a serialised smartcore model.
fn raw_nodes(model: &Value, path: &[&str]) -> Result<Vec<RawNode>, CoreError> {
    let nodes = walk(model, path)?
        .as_array()
        .ok_or_else(|| fit_failed("smartcore's nodes are not an array"))?;
    nodes
        .iter()
        .map(|n| {
            let num = |k: &str| n.get(k).and_then(Value::as_f64);
            let idx = |k: &str| n.get(k).and_then(Value::as_u64).map(|c| c as usize);
            let children = match (idx("true_child"), idx("false_child")) {
                (Some(t), Some(f)) if t < nodes.len() && f < nodes.len() => Some((t, f)),
                (None, None) => None,
                _ => return Err(fit_failed("smartcore node with one child")),
            };
            Ok(RawNode {
                output: num("output").unwrap_or(0.0),
                feature: idx("split_feature").unwrap_or(0),
                threshold: if children.is_some() {
                    num("split_value").ok_or_else(|| fit_failed("split without a value"))?
                } else {
                    0.0
                },
                children,
            })
        })
        .collect()
}

/// Column-major float32 matrix of the training rows, missing values at the median.
pub fn tree_matrix(data: &Dataset, train: usize, median: &[f64]) -> DenseMatrix<f32> {
    let p = data.n_features;
    let mut values = Vec::with_capacity(train * p);
    for (j, m) in median.iter().enumerate() {
        values.extend((0..train).map(|i| tree_value(data.x[i * p + j], *m)));
    }
    DenseMatrix::new(train, p, values, true).expect("shape matches")
}

/// The tree in the registry's sklearn layout, from the rows in `bag` routed through it.
/// `binary_output`: a binary classifier grown as a regression tree on 0/1 labels, whose leaf
/// outputs are the positive class's fraction.
fn export_tree(
    nodes: &[RawNode],
    x: &DenseMatrix<f32>,
    y: &Target,
    bag: &[usize],
    median: &[f64],
    binary_output: bool,
) -> Value {
    use smartcore::linalg::basic::arrays::Array;
    let n = nodes.len();
    let k = match y {
        Target::Classes { labels, .. } => labels.len(),
        Target::Values(_) => 0,
    };
    let mut cover = vec![0.0f64; n];
    let mut counts = vec![0.0f64; n * k.max(1)];
    for &row in bag {
        let mut at = 0;
        loop {
            cover[at] += 1.0;
            if let Target::Classes { index, .. } = y {
                counts[at * k + index[row] as usize] += 1.0;
            }
            match nodes[at].children {
                None => break,
                Some((t, f)) => {
                    let v = *x.get((row, nodes[at].feature)) as f64;
                    at = if v <= nodes[at].threshold { t } else { f };
                }
            }
        }
    }
    let value: Vec<Value> = match y {
        Target::Classes { .. } if !binary_output => (0..n)
            .map(|i| {
                let c = &counts[i * k..(i + 1) * k];
                json!(c.iter().map(|v| v / cover[i].max(1.0)).collect::<Vec<_>>())
            })
            .collect(),
        _ => {
            // Leaves keep smartcore's outputs (means over the bootstrap sample, repeated rows
            // counted as often as drawn, as scikit-learn's); an inner node holds its children's
            // cover-weighted mean (children come after their parent: one reverse pass).
            let mut v: Vec<f64> = nodes.iter().map(|n| n.output).collect();
            for i in (0..n).rev() {
                if let Some((t, f)) = nodes[i].children {
                    let w = cover[t] + cover[f];
                    if w > 0.0 {
                        v[i] = (v[t] * cover[t] + v[f] * cover[f]) / w;
                    }
                }
            }
            if binary_output {
                v.into_iter().map(|p| json!([1.0 - p, p])).collect()
            } else {
                v.into_iter().map(|x| json!([x])).collect()
            }
        }
    };
    // A split whose leaves all hold the same value changes no prediction (smartcore's regression
    // tree also splits pure nodes, where scikit-learn stops: binary forests had 1.4-1.8x its
    // nodes). Such a subtree is exported as one leaf: the same predictions and SHAP values, and
    // fewer nodes to store, decode and explain.
    let mut uniform: Vec<Option<&Value>> = vec![None; n];
    for i in (0..n).rev() {
        uniform[i] = match nodes[i].children {
            None => Some(&value[i]),
            Some((t, f)) => uniform[t].filter(|v| uniform[f] == Some(*v)),
        };
    }
    let mut out = Exported::default();
    export_node(0, nodes, &value, &cover, &uniform, median, &mut out);
    json!({
        "children_left": out.left,
        "children_right": out.right,
        "feature": out.feature,
        "threshold": out.threshold,
        "value": out.value,
        "weighted_n_node_samples": out.cover,
        // A missing value goes where the training median goes (it was imputed by it).
        "missing_go_to_left": out.missing_left,
    })
}

/// The arrays of the sklearn layout, filled in preorder.
#[derive(Default)]
struct Exported {
    left: Vec<i64>,
    right: Vec<i64>,
    feature: Vec<i64>,
    threshold: Vec<f64>,
    value: Vec<Value>,
    cover: Vec<f64>,
    missing_left: Vec<i64>,
}

/// Appends node `i` (a leaf when its subtree is uniform) and its subtree; returns its index.
fn export_node(
    i: usize,
    nodes: &[RawNode],
    value: &[Value],
    cover: &[f64],
    uniform: &[Option<&Value>],
    median: &[f64],
    out: &mut Exported,
) -> usize {
    let at = out.left.len();
    out.left.push(-1);
    out.right.push(-1);
    out.cover.push(cover[i]);
    match (nodes[i].children, uniform[i]) {
        (Some((t, f)), None) => {
            let nd = &nodes[i];
            out.feature.push(nd.feature as i64);
            out.threshold.push(nd.threshold);
            out.value.push(value[i].clone());
            let m = median[nd.feature];
            out.missing_left
                .push(i64::from(tree_value(m, m) as f64 <= nd.threshold));
            let l = export_node(t, nodes, value, cover, uniform, median, out);
            let r = export_node(f, nodes, value, cover, uniform, median, out);
            out.left[at] = l as i64;
            out.right[at] = r as i64;
        }
        (_, leaf) => {
            out.feature.push(-2);
            out.threshold.push(-2.0);
            out.value.push(leaf.unwrap_or(&value[i]).clone());
            out.missing_left.push(0);
        }
    }
    at
}

/// The seed of tree `t`: spread so that (seed, t) and (seed + 1, t − 1) do not share a stream.
fn tree_seed(seed: u64, t: usize) -> u64 {
    seed.wrapping_add((t as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn bag_of(model: &Value, path: &[&str]) -> Result<Vec<usize>, CoreError> {
    let mask = walk(model, path)?
        .as_array()
        .ok_or_else(|| fit_failed("smartcore's samples are not an array"))?;
    Ok(mask
        .iter()
        .enumerate()
        .filter(|(_, b)| b.as_bool() == Some(true))
        .map(|(i, _)| i)
        .collect())
}

/// Fits the trees on the first `train` rows and returns the sklearn-layout body's `trees`.
pub fn fit(
    params: &Params,
    data: &Dataset,
    train: usize,
    median: &[f64],
) -> Result<Vec<Value>, CoreError> {
    fit_within(params, data, train, median, usize::MAX)
}

/// [`fit`], refused with 54000 once the trees grown so far hold more than `budget` bytes
/// ([`crate::data::held_tree_bytes`]).
pub fn fit_within(
    params: &Params,
    data: &Dataset,
    train: usize,
    median: &[f64],
    budget: usize,
) -> Result<Vec<Value>, CoreError> {
    let values_per_node = match &data.y {
        Target::Classes { labels, .. } => labels.len(),
        Target::Values(_) => 1,
    };
    // Shared with the thread each tree is grown on (interrupt::run_cancellable).
    let x = std::sync::Arc::new(tree_matrix(data, train, median));
    let p = data.n_features;
    let all: Vec<usize> = (0..train).collect();
    let mut trees = Vec::with_capacity(params.n_trees);
    let mut total_nodes = 0usize;
    let mut held_nodes = 0usize;
    let criterion = || {
        if params.entropy {
            SplitCriterion::Entropy
        } else {
            SplitCriterion::Gini
        }
    };
    // Binary Gini trees are grown as regression trees on 0/1 labels: the squared error of a 0/1
    // node is half its Gini impurity, so the splits are the same. smartcore's classification
    // tree only tries split points where the label changes between neighbours in its sort
    // order, which misses the boundaries between runs of tied values (integer or rounded
    // features: 0 of 20 trees split a 0/1 feature with a clear signal in benches/training.sh).
    let binary_gini = matches!(&data.y, Target::Classes { labels, .. } if labels.len() == 2)
        && params.task == Task::Classification
        && !params.entropy;
    // smartcore counts the root as level 1, so its max_depth d grows trees of depth d − 1;
    // scikit-learn's (and ours) counts edges from the root.
    let max_depth = params.max_depth.map(|d| d + 1);
    // The training labels, built once for every tree: class indices for smartcore's classifier,
    // values (0/1 for a binary classifier) for its regressor.
    let forest = params.algorithm == Algorithm::RandomForest;
    let (y_classes, y_values): (Vec<u32>, Vec<f64>) = match &data.y {
        Target::Classes { index, .. } if !binary_gini => (index[..train].to_vec(), Vec::new()),
        Target::Classes { index, .. } => (
            Vec::new(),
            index[..train].iter().map(|c| f64::from(*c)).collect(),
        ),
        Target::Values(v) => (Vec::new(), v[..train].to_vec()),
    };
    let (y_classes, y_values) = (
        std::sync::Arc::new(y_classes),
        std::sync::Arc::new(y_values),
    );
    // smartcore grows a tree without polling for cancellation (a tree of 100 classes over 40 000
    // rows took 3.4 minutes, and neither a cancel nor pg_terminate_backend stopped it): each fit,
    // and its export to JSON, runs where the caller can stop waiting for it.
    let grow = |fit: Box<dyn FnOnce() -> Result<Value, CoreError> + Send>| {
        mlobs_core::interrupt::run_cancellable(fit)
    };
    for t in 0..params.n_trees {
        mlobs_core::interrupt::check();
        let seed = tree_seed(params.seed, t);
        let (model, nodes_path, bag_path): (Value, &[&str], &[&str]) = match (&data.y, params.task)
        {
            (Target::Classes { .. }, Task::Classification) if !binary_gini => {
                let (xs, y) = (x.clone(), y_classes.clone());
                if forest {
                    let fp = RandomForestClassifierParameters {
                        criterion: criterion(),
                        max_depth,
                        min_samples_leaf: params.min_samples_leaf,
                        min_samples_split: params.min_samples_split,
                        n_trees: 1,
                        m: Some(params.mtry(p)),
                        keep_samples: true,
                        seed,
                    };
                    (
                        grow(Box::new(move || {
                            let m =
                                RandomForestClassifier::fit(&*xs, &*y, fp).map_err(fit_failed)?;
                            serde_json::to_value(&m).map_err(fit_failed)
                        }))?,
                        &["trees", "0", "nodes"],
                        &["samples", "0"],
                    )
                } else {
                    let tp = DecisionTreeClassifierParameters {
                        criterion: criterion(),
                        max_depth,
                        min_samples_leaf: params.min_samples_leaf,
                        min_samples_split: params.min_samples_split,
                        seed: Some(seed),
                    };
                    (
                        grow(Box::new(move || {
                            let m =
                                DecisionTreeClassifier::fit(&*xs, &*y, tp).map_err(fit_failed)?;
                            serde_json::to_value(&m).map_err(fit_failed)
                        }))?,
                        &["nodes"],
                        &[],
                    )
                }
            }
            (Target::Values(_), Task::Regression)
            | (Target::Classes { .. }, Task::Classification) => {
                let (xs, y) = (x.clone(), y_values.clone());
                if forest {
                    let fp = RandomForestRegressorParameters {
                        max_depth,
                        min_samples_leaf: params.min_samples_leaf,
                        min_samples_split: params.min_samples_split,
                        n_trees: 1,
                        m: Some(params.mtry(p)),
                        keep_samples: true,
                        seed,
                    };
                    (
                        grow(Box::new(move || {
                            let m =
                                RandomForestRegressor::fit(&*xs, &*y, fp).map_err(fit_failed)?;
                            serde_json::to_value(&m).map_err(fit_failed)
                        }))?,
                        &["forest_regressor", "trees", "0", "nodes"],
                        &["forest_regressor", "samples", "0"],
                    )
                } else {
                    let tp = DecisionTreeRegressorParameters {
                        max_depth,
                        min_samples_leaf: params.min_samples_leaf,
                        min_samples_split: params.min_samples_split,
                        seed: Some(seed),
                    };
                    (
                        grow(Box::new(move || {
                            let m =
                                DecisionTreeRegressor::fit(&*xs, &*y, tp).map_err(fit_failed)?;
                            serde_json::to_value(&m).map_err(fit_failed)
                        }))?,
                        &["tree_regressor", "nodes"],
                        &[],
                    )
                }
            }
            _ => return Err(fit_failed("the target does not fit the task")),
        };
        let nodes = raw_nodes(&model, nodes_path)?;
        total_nodes += nodes.len();
        if total_nodes > MAX_TOTAL_NODES {
            return Err(CoreError::limit_exceeded(format!(
                "the model would have more than {MAX_TOTAL_NODES} nodes after {} trees; lower \
                 params.max_depth or params.n_trees, or raise params.min_samples_leaf",
                t + 1
            )));
        }
        let bag = if bag_path.is_empty() {
            all.clone()
        } else {
            bag_of(&model, bag_path)?
        };
        trees.push(export_tree(&nodes, &x, &data.y, &bag, median, binary_gini));
        // Charged as exported (pruned), the form held until the model is stored.
        held_nodes += trees[t]["children_left"].as_array().map_or(0, Vec::len);
        let held = crate::data::held_tree_bytes(held_nodes, values_per_node);
        if held > budget {
            return Err(CoreError::limit_exceeded(format!(
                "the {} trees grown so far ({held_nodes} nodes) need about {} MB until the model \
                 is stored, more than the {} MB maintenance_work_mem leaves after the rows; raise \
                 maintenance_work_mem, or lower params.n_trees or params.max_depth, or raise \
                 params.min_samples_leaf",
                t + 1,
                held.div_ceil(1 << 20),
                budget >> 20
            )));
        }
    }
    Ok(trees)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A binary classification dataset of one feature "x".
    fn one_feature(x: Vec<f64>, index: Vec<u32>, labels: [&str; 2]) -> Dataset {
        Dataset {
            n_features: 1,
            feature_names: vec!["x".into()],
            x,
            y: Target::Classes {
                index,
                labels: labels.map(String::from).to_vec(),
            },
        }
    }

    #[test]
    fn max_depth_counts_edges_as_scikit_learn() {
        // Separable in 3 nested steps on one feature: depth 1 makes one split, depth 2 three.
        let n = 64;
        let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let index: Vec<u32> = (0..n).map(|i| ((i / 8) % 2) as u32).collect();
        let data = one_feature(x, index, ["a", "b"]);
        fn depth(left: &[Value], right: &[Value], at: usize) -> usize {
            match (left[at].as_i64(), right[at].as_i64()) {
                (Some(l), Some(r)) if l >= 0 => {
                    1 + depth(left, right, l as usize).max(depth(left, right, r as usize))
                }
                _ => 0,
            }
        }
        for want in [1, 2, 3] {
            let p = Params::parse(
                "decision_tree",
                Task::Classification,
                &json!({"max_depth": want, "holdout": 0}),
            )
            .unwrap();
            let trees = fit(&p, &data, n, &[31.5]).unwrap();
            let left = trees[0]["children_left"].as_array().unwrap();
            let right = trees[0]["children_right"].as_array().unwrap();
            assert_eq!(depth(left, right, 0), want, "max_depth {want}");
        }
    }

    #[test]
    fn binary_trees_split_between_tied_values() {
        // x alternates 0, 1; P(y = 1) is 0.48 at x = 0 and 0.04 at x = 1. scikit-learn splits at
        // 0.5; smartcore's classification tree never did (benches/training.sh).
        let n = 1000;
        let mut state = 11u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64) / (1u64 << 53) as f64
        };
        let x: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
        let index: Vec<u32> = x
            .iter()
            .map(|v| u32::from(next() < if *v == 0.0 { 0.48 } else { 0.04 }))
            .collect();
        let data = one_feature(x, index, ["0", "1"]);
        for algo in ["decision_tree", "random_forest"] {
            let given = if algo == "random_forest" {
                json!({"n_trees": 5, "max_features": "all"})
            } else {
                json!({})
            };
            let p = Params::parse(algo, Task::Classification, &given).unwrap();
            for tree in fit(&p, &data, n, &[0.5]).unwrap() {
                assert_eq!(tree["threshold"][0], json!(0.5), "{algo}: {tree}");
                let left = tree["value"][tree["children_left"][0].as_u64().unwrap() as usize][1]
                    .as_f64()
                    .unwrap();
                assert!((0.35..0.6).contains(&left), "{algo}: P(y=1 | x=0) = {left}");
            }
        }
    }

    #[test]
    fn no_split_that_changes_no_prediction() {
        // Pure 0/1 regions: smartcore's regression tree keeps splitting them; the export must not.
        let n = 400;
        let x: Vec<f64> = (0..n).map(|i| (i % 40) as f64).collect();
        let index: Vec<u32> = x.iter().map(|v| u32::from(*v >= 20.0)).collect();
        let data = one_feature(x, index, ["0", "1"]);
        let p = Params::parse("decision_tree", Task::Classification, &json!({})).unwrap();
        let tree = &fit(&p, &data, n, &[19.5]).unwrap()[0];
        // One split separates the classes; nothing below it.
        assert_eq!(tree["children_left"], json!([1, -1, -1]), "{tree}");
        assert_eq!(tree["value"][1], json!([1.0, 0.0]));
        assert_eq!(tree["value"][2], json!([0.0, 1.0]));
    }

    #[test]
    fn seeds_spread() {
        assert_ne!(tree_seed(0, 1), tree_seed(1, 0));
        assert_eq!(tree_seed(7, 0), 7);
    }
}
