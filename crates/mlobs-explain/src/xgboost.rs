//! XGBoost's JSON model format (`booster.save_model("model.json")`, gbtree). Splits are
//! `x < threshold` in float32, missing values follow `default_left`, cover is `sum_hessian`, and
//! leaves keep their value in `split_conditions`. `base_score` is a probability for
//! `binary:logistic` (margin offset = logit) and a plain offset for `reg:squarederror`; XGBoost 3
//! writes it as a string like "[5.2E-2]".

use crate::error::{ExplainError, Result};
use crate::model::{Link, Model, Output, MAX_FEATURES};
use crate::tree::{Ensemble, Missing, Node, Split, Tree, MAX_TREES};
use serde_json::Value;

fn field<'a>(v: &'a Value, key: &str, path: &str) -> Result<&'a Value> {
    v.get(key)
        .ok_or_else(|| ExplainError::at(&format!("{path}.{key}"), "missing"))
}

/// A number, or a string holding one (XGBoost writes most parameters as strings, base_score
/// as "[x]" since 3.0).
fn number(v: &Value, path: &str) -> Result<f64> {
    let parsed = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok(),
        _ => None,
    };
    parsed
        .filter(|x: &f64| x.is_finite())
        .ok_or_else(|| ExplainError::at(path, format!("expected a finite number, got {v}")))
}

fn array<'a>(v: &'a Value, key: &str, path: &str, len: Option<usize>) -> Result<&'a Vec<Value>> {
    let at = format!("{path}.{key}");
    let a = field(v, key, path)?
        .as_array()
        .ok_or_else(|| ExplainError::at(&at, "expected an array"))?;
    if let Some(n) = len
        && a.len() != n
    {
        return Err(ExplainError::at(
            &at,
            format!("expected {n} elements, got {}", a.len()),
        ));
    }
    Ok(a)
}

fn int(v: &Value, path: &str) -> Result<i64> {
    v.as_i64()
        .ok_or_else(|| ExplainError::at(path, format!("expected an integer, got {v}")))
}

fn decode_tree(t: &Value, n_features: usize, path: &str) -> Result<Tree> {
    let left = array(t, "left_children", path, None)?;
    let n = left.len();
    let right = array(t, "right_children", path, Some(n))?;
    let feature = array(t, "split_indices", path, Some(n))?;
    let cond = array(t, "split_conditions", path, Some(n))?;
    let default_left = array(t, "default_left", path, Some(n))?;
    let hess = array(t, "sum_hessian", path, Some(n))?;
    let mut nodes = Vec::with_capacity(n);
    for i in 0..n {
        let at = |k: &str| format!("{path}.{k}[{i}]");
        let l = int(&left[i], &at("left_children"))?;
        let r = int(&right[i], &at("right_children"))?;
        let value = number(&cond[i], &at("split_conditions"))?;
        let cover = number(&hess[i], &at("sum_hessian"))?;
        let dl = match &default_left[i] {
            Value::Bool(b) => *b,
            v => int(v, &at("default_left"))? != 0,
        };
        let leaf = l == -1;
        if leaf != (r == -1) {
            return Err(ExplainError::at(
                &at("right_children"),
                "a node needs both children or none",
            ));
        }
        let child = |c: i64, k: &str| -> Result<usize> {
            usize::try_from(c).map_err(|_| ExplainError::at(&at(k), format!("invalid child {c}")))
        };
        let f = int(&feature[i], &at("split_indices"))?;
        nodes.push(Node {
            feature: if leaf {
                None
            } else {
                Some(
                    usize::try_from(f)
                        .map_err(|_| ExplainError::at(&at("split_indices"), "negative feature"))?,
                )
            },
            threshold: if leaf { 0.0 } else { value },
            split: Split::LessF32,
            left: if leaf { 0 } else { child(l, "left_children")? },
            right: if leaf { 0 } else { child(r, "right_children")? },
            default_left: dl,
            missing: Missing::NanDefault,
            value: if leaf { value } else { 0.0 },
            cover,
        });
    }
    let tree = Tree { nodes };
    tree.validate(n_features, path)?;
    Ok(tree)
}

/// `base_score`: a number, a string holding one, or XGBoost 3's bracketed vector "[a,b,c]".
fn numbers(v: &Value, path: &str) -> Result<Vec<f64>> {
    match v {
        Value::String(s) if s.trim().starts_with('[') => s
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .map(|p| number(&Value::String(p.to_string()), path))
            .collect(),
        v => Ok(vec![number(v, path)?]),
    }
}

/// Decodes and validates an XGBoost JSON model (gbtree; binary:logistic, reg:logistic,
/// reg:squarederror, multi:softprob).
pub fn decode(model: &Value) -> Result<Model> {
    let learner = field(model, "learner", "model")?;
    let params = field(learner, "learner_model_param", "model.learner")?;
    let p = "model.learner.learner_model_param";
    let n_features = number(
        field(params, "num_feature", p)?,
        &format!("{p}.num_feature"),
    )?;
    if !(1.0..=MAX_FEATURES as f64).contains(&n_features) {
        return Err(ExplainError::at(
            &format!("{p}.num_feature"),
            format!("must be 1..{MAX_FEATURES}"),
        ));
    }
    let n_features = n_features as usize;
    let num_class = match params.get("num_class") {
        Some(k) => number(k, &format!("{p}.num_class"))?,
        None => 0.0,
    };
    if !(0.0..=10_000.0).contains(&num_class) || num_class.fract() != 0.0 {
        return Err(ExplainError::at(
            &format!("{p}.num_class"),
            "must be 0..10000",
        ));
    }
    let num_class = num_class as usize;
    let base_path = format!("{p}.base_score");
    let base_score = numbers(field(params, "base_score", p)?, &base_path)?;
    let objective = field(
        field(learner, "objective", "model.learner")?,
        "name",
        "model.learner.objective",
    )?
    .as_str()
    .unwrap_or("");
    let gb = field(learner, "gradient_booster", "model.learner")?;
    if let Some(name) = gb.get("name").and_then(Value::as_str)
        && name != "gbtree"
    {
        return Err(ExplainError::at(
            "model.learner.gradient_booster.name",
            format!("booster '{name}' is not supported (gbtree)"),
        ));
    }
    let (link, n_outputs, n_classes) = match objective {
        "binary:logistic" | "reg:logistic" => (Link::Logistic, 1, 2),
        "reg:squarederror" => (Link::Identity, 1, 0),
        "multi:softprob" if num_class >= 2 => (Link::Softmax, num_class, num_class),
        other => {
            return Err(ExplainError::at(
                "model.learner.objective.name",
                format!(
                    "objective '{other}' is not supported (binary:logistic, reg:logistic, \
                     reg:squarederror, multi:softprob with num_class >= 2)"
                ),
            ))
        }
    };
    // One base score for all outputs, or one per output (XGBoost 3 multi-output intercepts).
    let base_margins: Vec<f64> = match base_score.len() {
        1 => vec![base_score[0]; n_outputs],
        k if k == n_outputs => base_score,
        k => {
            return Err(ExplainError::at(
                &base_path,
                format!("has {k} values, the model has {n_outputs} outputs"),
            ))
        }
    }
    .into_iter()
    .map(|b| {
        if link == Link::Logistic {
            // A probability: its logit offsets the margin.
            if !(b > 0.0 && b < 1.0) {
                return Err(ExplainError::at(
                    &base_path,
                    format!("must be in (0, 1) for {objective}"),
                ));
            }
            Ok((b / (1.0 - b)).ln())
        } else {
            Ok(b)
        }
    })
    .collect::<Result<_>>()?;
    let model_path = "model.learner.gradient_booster.model";
    let trees_path = format!("{model_path}.trees");
    let gbm = field(gb, "model", "model.learner.gradient_booster")?;
    let trees = array(gbm, "trees", model_path, None)?;
    if trees.len() > MAX_TREES {
        return Err(ExplainError::at(
            &trees_path,
            format!("more than {MAX_TREES} trees"),
        ));
    }
    let tree_info = match gbm.get("tree_info") {
        Some(_) => array(gbm, "tree_info", model_path, Some(trees.len()))?
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let at = format!("{model_path}.tree_info[{i}]");
                usize::try_from(int(c, &at)?)
                    .ok()
                    .filter(|&c| c < n_outputs)
                    .ok_or_else(|| ExplainError::at(&at, format!("must be 0..{}", n_outputs - 1)))
            })
            .collect::<Result<Vec<_>>>()?,
        None if n_outputs == 1 => vec![0; trees.len()],
        None => {
            return Err(ExplainError::at(
                &format!("{model_path}.tree_info"),
                "missing",
            ))
        }
    };
    let mut outputs: Vec<Ensemble> = base_margins
        .into_iter()
        .map(|base_margin| Ensemble::new(Vec::new(), base_margin))
        .collect();
    for (i, t) in trees.iter().enumerate() {
        outputs[tree_info[i]].trees.push(decode_tree(
            t,
            n_features,
            &format!("{trees_path}[{i}]"),
        )?);
    }
    Ok(Model {
        n_features,
        feature_names: crate::names::feature_names_at(
            learner.get("feature_names"),
            "model.learner.feature_names",
            n_features,
        )?,
        objective: objective.to_string(),
        n_classes,
        link,
        float32: true,
        outputs: outputs.into_iter().map(Output::Trees).collect(),
        feature_means: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_models_name_the_path() {
        let m: Value = serde_json::json!({"learner": {"learner_model_param": {"num_feature": "2", "base_score": "[5E-1]"},
            "objective": {"name": "binary:logistic"},
            "gradient_booster": {"model": {"trees": [{"left_children": [1, -1, -1], "right_children": [2, -1, -1],
              "split_indices": [0, 0, 0], "split_conditions": [0.5, 1.0, -1.0], "default_left": [1, 0, 0],
              "sum_hessian": [10.0, 4.0, 6.0]}]}}}});
        let e = decode(&m).unwrap();
        assert_eq!(e.outputs.len(), 1);
        assert_eq!(e.margin(&[0.2, 0.0], None), Ok(1.0));
        assert_eq!(e.margin(&[f64::NAN, 0.0], None), Ok(1.0));
        assert_eq!(e.margin(&[f64::NAN, 0.0], Some(0)), Ok(-1.0));
        // base_score as a plain number (XGBoost < 3 writes strings, other tools numbers).
        let mut plain = m.clone();
        plain["learner"]["learner_model_param"]["base_score"] = serde_json::json!(0.5);
        assert_eq!(decode(&plain).unwrap(), e);
        let mut bad = m.clone();
        bad["learner"]["gradient_booster"]["model"]["trees"][0]["left_children"][0] = 7.into();
        assert!(decode(&bad)
            .unwrap_err()
            .message
            .contains("child 7 out of range"));
        let mut bad = m.clone();
        bad["learner"]["gradient_booster"]["model"]["trees"][0]["split_indices"][0] = 5.into();
        assert!(decode(&bad).unwrap_err().message.contains("feature 5"));
        let mut bad = m.clone();
        bad["learner"]["gradient_booster"]["model"]["trees"][0]["left_children"][0] = 0.into();
        assert!(decode(&bad).is_err()); // a cycle to the root
        let mut bad = m;
        bad["learner"]["learner_model_param"]["base_score"] = "[x]".into();
        assert!(decode(&bad)
            .unwrap_err()
            .message
            .starts_with("model.learner.learner_model_param.base_score"));
    }
}
