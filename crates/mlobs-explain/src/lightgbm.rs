//! LightGBM's `Booster.dump_model()` JSON. Splits are `x <= threshold` in double; missing values
//! follow `missing_type` ("None": NaN compared as 0.0; "Zero": zero and NaN go to the default
//! side; "NaN": NaN goes to the default side) and `default_left`; cover is
//! `internal_count`/`leaf_count`. The nested tree is flattened with an explicit stack, so hostile
//! nesting cannot overflow the stack; depth is capped by `Tree::validate`.

use crate::error::{ExplainError, Result};
use crate::model::{Link, Model, Output};
use crate::tree::{Ensemble, Missing, Node, Split, Tree, MAX_NODES};
use serde_json::Value;

fn num(v: &Value, key: &str, path: &str) -> Result<f64> {
    v.get(key)
        .and_then(Value::as_f64)
        .filter(|x| x.is_finite())
        .ok_or_else(|| ExplainError::at(&format!("{path}.{key}"), "expected a finite number"))
}

/// A JSON node still to place: the node, its JSON path, and the parent slot to patch (parent
/// index, is the left child).
type Pending<'a> = (&'a Value, String, Option<(usize, bool)>);

fn decode_tree(root: &Value, n_features: usize, path: &str) -> Result<Tree> {
    let mut nodes: Vec<Node> = Vec::new();
    // (json node, its JSON path, index of the parent slot to patch, is left child)
    let mut stack: Vec<Pending> = vec![(root, path.to_string(), None)];
    while let Some((v, at, parent)) = stack.pop() {
        if nodes.len() >= MAX_NODES {
            return Err(ExplainError::at(
                path,
                format!("more than {MAX_NODES} nodes"),
            ));
        }
        let index = nodes.len();
        if let Some((p, left)) = parent {
            if left {
                nodes[p].left = index;
            } else {
                nodes[p].right = index;
            }
        }
        if v.get("leaf_value").is_some() || v.get("split_feature").is_none() {
            nodes.push(Node {
                feature: None,
                threshold: 0.0,
                split: Split::LessEqual,
                left: 0,
                right: 0,
                default_left: true,
                missing: Missing::NanDefault,
                value: num(v, "leaf_value", &at)?,
                cover: num(v, "leaf_count", &at)?,
            });
            continue;
        }
        let feature = v["split_feature"].as_u64().ok_or_else(|| {
            ExplainError::at(&format!("{at}.split_feature"), "expected a feature index")
        })? as usize;
        match v.get("decision_type").and_then(Value::as_str) {
            Some("<=") => {}
            other => {
                return Err(ExplainError::at(
                    &format!("{at}.decision_type"),
                    format!("only numerical '<=' splits are supported, got {other:?}"),
                ))
            }
        }
        let missing = match v.get("missing_type").and_then(Value::as_str) {
            Some("None") | None => Missing::NanAsZero,
            Some("Zero") => Missing::ZeroDefault,
            Some("NaN") => Missing::NanDefault,
            Some(other) => {
                return Err(ExplainError::at(
                    &format!("{at}.missing_type"),
                    format!("unknown '{other}'"),
                ))
            }
        };
        let default_left = v
            .get("default_left")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        nodes.push(Node {
            feature: Some(feature),
            threshold: num(v, "threshold", &at)?,
            split: Split::LessEqual,
            left: 0,
            right: 0,
            default_left,
            missing,
            value: 0.0,
            cover: num(v, "internal_count", &at)?,
        });
        for (key, left) in [("right_child", false), ("left_child", true)] {
            let child = v
                .get(key)
                .ok_or_else(|| ExplainError::at(&format!("{at}.{key}"), "missing"))?;
            stack.push((child, format!("{at}.{key}"), Some((index, left))));
        }
    }
    let tree = Tree { nodes };
    tree.validate(n_features, path)?;
    Ok(tree)
}

/// Decodes and validates a LightGBM dump (regression, binary, or multiclass softmax).
pub fn decode(model: &Value) -> Result<Model> {
    let n_features = model
        .get("max_feature_idx")
        .and_then(Value::as_u64)
        .filter(|&m| (m as usize) < crate::model::MAX_FEATURES)
        .ok_or_else(|| {
            ExplainError::at("model.max_feature_idx", "expected an integer below 100000")
        })? as usize
        + 1;
    let objective = model.get("objective").and_then(Value::as_str).unwrap_or("");
    // Bounded like XGBoost's num_class and scikit-learn's n_classes: one output is allocated per
    // tree of an iteration, so an unchecked count aborts on allocation.
    let per_iteration = match model.get("num_tree_per_iteration") {
        None => 1,
        Some(v) => v
            .as_u64()
            .filter(|k| (1..=10_000).contains(k))
            .ok_or_else(|| {
                ExplainError::at(
                    "model.num_tree_per_iteration",
                    "expected an integer 1..10000",
                )
            })? as usize,
    };
    // The dump's objective string carries parameters ("binary sigmoid:1", "multiclass num_class:3").
    let (link, n_classes) = match objective.split_whitespace().next().unwrap_or("") {
        "binary" => (Link::Logistic, 2),
        "regression" | "regression_l2" | "l2" | "mean_squared_error" | "mse" | "regression_l1"
        | "l1" | "huber" | "fair" | "quantile" | "mape" => (Link::Identity, 0),
        "multiclass" | "softmax" if per_iteration >= 2 => (Link::Softmax, per_iteration),
        _ => {
            return Err(ExplainError::at(
                "model.objective",
                format!(
                    "objective '{objective}' is not supported (regression, binary, multiclass)"
                ),
            ))
        }
    };
    if link != Link::Softmax && per_iteration != 1 {
        return Err(ExplainError::at(
            "model.num_tree_per_iteration",
            "must be 1 for regression and binary models",
        ));
    }
    if model.get("average_output").and_then(Value::as_bool) == Some(true) {
        return Err(ExplainError::at(
            "model.average_output",
            "random-forest mode is not supported",
        ));
    }
    let infos = model
        .get("tree_info")
        .and_then(Value::as_array)
        .ok_or_else(|| ExplainError::at("model.tree_info", "expected an array"))?;
    if infos.len() > crate::tree::MAX_TREES {
        return Err(ExplainError::at("model.tree_info", "too many trees"));
    }
    let mut outputs = vec![Vec::new(); per_iteration];
    for (i, t) in infos.iter().enumerate() {
        let path = format!("model.tree_info[{i}].tree_structure");
        let root = t
            .get("tree_structure")
            .ok_or_else(|| ExplainError::at(&path, "missing"))?;
        // Trees are stored iteration by iteration, one per class.
        outputs[i % per_iteration].push(decode_tree(root, n_features, &path)?);
    }
    Ok(Model {
        n_features,
        feature_names: crate::names::feature_names(model, "model.feature_names", n_features)?,
        objective: objective.to_string(),
        n_classes,
        link,
        float32: false,
        outputs: outputs
            .into_iter()
            .map(|trees| Output::Trees(Ensemble::new(trees, 0.0)))
            .collect(),
        feature_means: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn num_tree_per_iteration_is_bounded() {
        // Reproduced with the decode_lightgbm fuzz target: an unchecked count panicked with
        // "capacity overflow" (or aborted on allocation) before any tree was read.
        for k in [0u64, 10_001, 1 << 40, u64::MAX] {
            let m = serde_json::json!({"max_feature_idx": 0, "objective": "multiclass",
                "num_tree_per_iteration": k, "tree_info": []});
            let e = decode(&m).unwrap_err();
            assert!(e.message.starts_with("model.num_tree_per_iteration"), "{e}");
        }
        let m = serde_json::json!({"max_feature_idx": 0, "objective": "multiclass",
            "num_tree_per_iteration": 3, "tree_info": []});
        assert_eq!(decode(&m).unwrap().n_classes, 3);
    }
}
