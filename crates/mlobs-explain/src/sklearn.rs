//! scikit-learn trees and forests in the JSON layout written by
//! `tests/fixtures/export_sklearn.py` (`children_left/right` with −1 at leaves, `feature`,
//! `threshold`, `value` as class fractions or regression values, `weighted_n_node_samples`,
//! `missing_go_to_left`). scikit-learn casts inputs to float32 and splits on `x <= threshold`;
//! a forest averages its trees, so each tree's leaves are scaled by 1/n_trees and the output is
//! the probability of `class` (classifiers) or the prediction (regressors). shap uses
//! `weighted_n_node_samples` as cover.

use crate::error::{ExplainError, Result};
use crate::model::{Link, Model, Output};
use crate::tree::{Ensemble, Missing, Node, Split, Tree};
use serde_json::Value;

fn arr<'a>(t: &'a Value, key: &str, path: &str, n: Option<usize>) -> Result<&'a Vec<Value>> {
    let at = format!("{path}.{key}");
    let a = t
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| ExplainError::at(&at, "expected an array"))?;
    match n {
        Some(n) if a.len() != n => Err(ExplainError::at(&at, format!("expected {n} elements"))),
        _ => Ok(a),
    }
}

/// Decodes a forest (or a single tree: `trees` of length 1): one output per class for a
/// classifier (the averaged class fraction, identity link), one for a regressor.
pub fn decode(model: &Value) -> Result<Model> {
    let n_features = model
        .get("n_features")
        .and_then(Value::as_u64)
        .filter(|&n| n >= 1 && (n as usize) <= crate::model::MAX_FEATURES)
        .ok_or_else(|| ExplainError::at("model.n_features", "expected an integer 1..100000"))?
        as usize;
    let classifier = match model.get("kind").and_then(Value::as_str) {
        Some("classifier") => true,
        Some("regressor") => false,
        other => {
            return Err(ExplainError::at(
                "model.kind",
                format!("expected classifier or regressor, got {other:?}"),
            ))
        }
    };
    let trees = model
        .get("trees")
        .and_then(Value::as_array)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ExplainError::at("model.trees", "expected a non-empty array"))?;
    if trees.len() > crate::tree::MAX_TREES {
        return Err(ExplainError::at("model.trees", "too many trees"));
    }
    let n_outputs = if classifier {
        model
            .get("n_classes")
            .and_then(Value::as_u64)
            .filter(|&k| (2..=10_000).contains(&k))
            .ok_or_else(|| ExplainError::at("model.n_classes", "expected an integer 2..10000"))?
            as usize
    } else {
        1
    };
    let scale = 1.0 / trees.len() as f64;
    let mut out = vec![Vec::with_capacity(trees.len()); n_outputs];
    // A classifier's trees are decoded once per class: a few kB of JSON with 10 000 classes
    // would otherwise become gigabytes in every backend that serves the model.
    let mut decoded = 0usize;
    for (ti, t) in trees.iter().enumerate() {
        mlobs_core::interrupt::check();
        let path = format!("model.trees[{ti}]");
        let left = arr(t, "children_left", &path, None)?;
        let n = left.len();
        decoded = decoded.saturating_add(n.saturating_mul(n_outputs));
        if decoded > crate::tree::MAX_MODEL_NODES {
            return Err(ExplainError::at(
                &path,
                format!(
                    "the model has more than {} nodes once its trees are decoded for each of its {n_outputs} outputs",
                    crate::tree::MAX_MODEL_NODES
                ),
            ));
        }
        let right = arr(t, "children_right", &path, Some(n))?;
        let feature = arr(t, "feature", &path, Some(n))?;
        let threshold = arr(t, "threshold", &path, Some(n))?;
        let value = arr(t, "value", &path, Some(n))?;
        let cover = arr(t, "weighted_n_node_samples", &path, Some(n))?;
        let missing_left = t.get("missing_go_to_left").and_then(Value::as_array);
        let mut nodes = Vec::with_capacity(n);
        let mut leaf_values = Vec::with_capacity(n);
        for i in 0..n {
            let at = |k: &str| format!("{path}.{k}[{i}]");
            let l = left[i]
                .as_i64()
                .ok_or_else(|| ExplainError::at(&at("children_left"), "expected an integer"))?;
            let r = right[i]
                .as_i64()
                .ok_or_else(|| ExplainError::at(&at("children_right"), "expected an integer"))?;
            let leaf = l < 0;
            let v = &value[i];
            let values: Vec<f64> = if classifier {
                v.as_array()
                    .filter(|a| a.len() == n_outputs)
                    .and_then(|a| a.iter().map(Value::as_f64).collect::<Option<Vec<_>>>())
            } else {
                v.as_f64()
                    .or_else(|| v.get(0).and_then(Value::as_f64))
                    .map(|x| vec![x])
            }
            .ok_or_else(|| {
                ExplainError::at(&at("value"), format!("expected {n_outputs} numbers"))
            })?;
            let child = |c: i64, k: &str| {
                usize::try_from(c).map_err(|_| ExplainError::at(&at(k), "invalid child"))
            };
            nodes.push(Node {
                feature: if leaf {
                    None
                } else {
                    Some(feature[i].as_u64().ok_or_else(|| {
                        ExplainError::at(&at("feature"), "expected a feature index")
                    })? as usize)
                },
                threshold: if leaf {
                    0.0
                } else {
                    match &threshold[i] {
                        Value::String(t) if t == "Infinity" => f64::INFINITY,
                        Value::String(t) if t == "-Infinity" => f64::NEG_INFINITY,
                        v => v.as_f64().ok_or_else(|| {
                            ExplainError::at(&at("threshold"), "expected a number")
                        })?,
                    }
                },
                split: Split::LessEqualF32Input,
                left: if leaf { 0 } else { child(l, "children_left")? },
                right: if leaf { 0 } else { child(r, "children_right")? },
                default_left: missing_left
                    .and_then(|m| m.get(i))
                    .and_then(Value::as_i64)
                    .is_some_and(|m| m != 0),
                missing: Missing::NanDefault,
                value: 0.0,
                cover: cover[i].as_f64().ok_or_else(|| {
                    ExplainError::at(&at("weighted_n_node_samples"), "expected a number")
                })?,
            });
            leaf_values.push(values);
        }
        let tree = Tree { nodes };
        for (k, trees) in out.iter_mut().enumerate() {
            let mut t = tree.clone();
            for (node, values) in t.nodes.iter_mut().zip(&leaf_values) {
                node.value = values[k] * scale;
            }
            t.validate(n_features, &path)?;
            trees.push(t);
        }
    }
    Ok(Model {
        n_features,
        feature_names: crate::names::feature_names(model, "model.feature_names", n_features)?,
        objective: if classifier {
            "classifier"
        } else {
            "regressor"
        }
        .to_string(),
        n_classes: if classifier { n_outputs } else { 0 },
        link: Link::Identity,
        float32: false,
        outputs: out
            .into_iter()
            .map(|trees| Output::Trees(Ensemble::new(trees, 0.0)))
            .collect(),
        feature_means: None,
    })
}
