//! scikit-learn trees and forests in the JSON layout written by
//! `tests/fixtures/export_sklearn.py` (`children_left/right` with −1 at leaves, `feature`,
//! `threshold`, `value` as class fractions or regression values, `weighted_n_node_samples`,
//! `missing_go_to_left`). scikit-learn casts inputs to float32 and splits on `x <= threshold`;
//! a forest averages its trees, so each tree's leaves are scaled by 1/n_trees and the output is
//! the probability of `class` (classifiers) or the prediction (regressors). shap uses
//! `weighted_n_node_samples` as cover.

use crate::error::{ExplainError, Result};
use crate::tree::{Ensemble, Link, Missing, Node, Split, Tree};
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

/// Decodes a forest (or a single tree: `trees` of length 1); `class` selects the output of a
/// classifier (index into `classes`), ignored for regressors.
pub fn decode(model: &Value, class: usize) -> Result<Ensemble> {
    let n_features = model
        .get("n_features")
        .and_then(Value::as_u64)
        .ok_or_else(|| ExplainError::at("model.n_features", "expected an integer"))?
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
    let scale = 1.0 / trees.len() as f64;
    let mut out = Vec::with_capacity(trees.len());
    for (ti, t) in trees.iter().enumerate() {
        let path = format!("model.trees[{ti}]");
        let left = arr(t, "children_left", &path, None)?;
        let n = left.len();
        let right = arr(t, "children_right", &path, Some(n))?;
        let feature = arr(t, "feature", &path, Some(n))?;
        let threshold = arr(t, "threshold", &path, Some(n))?;
        let value = arr(t, "value", &path, Some(n))?;
        let cover = arr(t, "weighted_n_node_samples", &path, Some(n))?;
        let missing_left = t.get("missing_go_to_left").and_then(Value::as_array);
        let mut nodes = Vec::with_capacity(n);
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
            let out_value = if classifier {
                v.get(class).and_then(Value::as_f64)
            } else {
                v.as_f64().or_else(|| v.get(0).and_then(Value::as_f64))
            }
            .ok_or_else(|| {
                ExplainError::at(&at("value"), format!("no value for output {class}"))
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
                value: out_value * scale,
                cover: cover[i].as_f64().ok_or_else(|| {
                    ExplainError::at(&at("weighted_n_node_samples"), "expected a number")
                })?,
            });
        }
        let tree = Tree { nodes };
        tree.validate(n_features, &path)?;
        out.push(tree);
    }
    Ok(Ensemble {
        n_features,
        trees: out,
        base_margin: 0.0,
        link: Link::Identity,
        float32: false,
    })
}
