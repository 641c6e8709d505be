//! What to train: the algorithm, the task and the hyperparameters, parsed from the `params`
//! jsonb of `mlobs.train`. Unknown keys are errors (a typo must not silently train with a
//! default), and every default is written back into the version's metadata.

use mlobs_core::CoreError;
use serde_json::{json, Map, Value};

/// Trees deeper than this are refused by the registry's decoder (64 levels); one level of margin.
pub const MAX_DEPTH: u64 = 60;
/// A forest larger than this many nodes in all would make a jsonb body of hundreds of MB.
pub const MAX_TOTAL_NODES: usize = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Classification,
    Regression,
}

impl Task {
    pub fn name(self) -> &'static str {
        match self {
            Task::Classification => "classification",
            Task::Regression => "regression",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    RandomForest,
    DecisionTree,
    LogisticRegression,
    LinearRegression,
    Ridge,
}

impl Algorithm {
    pub fn parse(name: &str) -> Result<Self, CoreError> {
        Ok(match name {
            "random_forest" => Algorithm::RandomForest,
            "decision_tree" => Algorithm::DecisionTree,
            "logistic_regression" => Algorithm::LogisticRegression,
            "linear_regression" => Algorithm::LinearRegression,
            "ridge" => Algorithm::Ridge,
            other => {
                return Err(CoreError::invalid_parameter(format!(
                    "algorithm must be one of random_forest, decision_tree, logistic_regression, \
                     linear_regression, ridge; got '{other}'"
                )));
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::RandomForest => "random_forest",
            Algorithm::DecisionTree => "decision_tree",
            Algorithm::LogisticRegression => "logistic_regression",
            Algorithm::LinearRegression => "linear_regression",
            Algorithm::Ridge => "ridge",
        }
    }

    pub fn is_tree(self) -> bool {
        matches!(self, Algorithm::RandomForest | Algorithm::DecisionTree)
    }

    /// The task an algorithm implies, if it implies one.
    pub fn implied_task(self) -> Option<Task> {
        match self {
            Algorithm::LogisticRegression => Some(Task::Classification),
            Algorithm::LinearRegression | Algorithm::Ridge => Some(Task::Regression),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxFeatures {
    Sqrt,
    All,
    Count(usize),
}

/// Resolved hyperparameters (defaults filled in).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub algorithm: Algorithm,
    pub task: Task,
    pub seed: u64,
    pub holdout: f64,
    pub n_trees: usize,
    pub max_depth: Option<u16>,
    pub min_samples_leaf: usize,
    pub min_samples_split: usize,
    pub max_features: MaxFeatures,
    pub entropy: bool,
    /// L2 penalty: 1/C for logistic regression (sklearn's objective), alpha for ridge.
    pub alpha: f64,
}

fn uint(v: &Value, key: &str, lo: u64, hi: u64) -> Result<u64, CoreError> {
    v.as_u64().filter(|n| (lo..=hi).contains(n)).ok_or_else(|| {
        CoreError::invalid_parameter(format!(
            "params.{key} must be an integer between {lo} and {hi}, got {v}"
        ))
    })
}

fn positive(v: &Value, key: &str, zero_ok: bool) -> Result<f64, CoreError> {
    v.as_f64()
        .filter(|x| x.is_finite() && (*x > 0.0 || (zero_ok && *x == 0.0)))
        .ok_or_else(|| {
            let what = if zero_ok { "≥ 0" } else { "> 0" };
            CoreError::invalid_parameter(format!(
                "params.{key} must be a finite number {what}, got {v}"
            ))
        })
}

impl Params {
    /// Parses `params` for `algorithm`; `task` is the task inferred from the target's type
    /// (an explicit `params.task` or the algorithm's own task wins).
    pub fn parse(algorithm: &str, inferred: Task, params: &Value) -> Result<Self, CoreError> {
        let algorithm = Algorithm::parse(algorithm)?;
        let empty = Map::new();
        let map = match params {
            Value::Object(m) => m,
            Value::Null => &empty,
            _ => {
                return Err(CoreError::invalid_parameter(
                    "params must be a jsonb object",
                ))
            }
        };
        let allowed: &[&str] = match algorithm {
            Algorithm::RandomForest => &[
                "n_trees",
                "max_depth",
                "min_samples_leaf",
                "min_samples_split",
                "max_features",
                "criterion",
            ],
            Algorithm::DecisionTree => &[
                "max_depth",
                "min_samples_leaf",
                "min_samples_split",
                "criterion",
            ],
            Algorithm::LogisticRegression => &["C", "alpha"],
            Algorithm::Ridge => &["alpha"],
            Algorithm::LinearRegression => &[],
        };
        const COMMON: [&str; 6] = ["seed", "task", "holdout", "max_rows", "sample", "_"];
        if let Some(k) = map
            .keys()
            .find(|k| !allowed.contains(&k.as_str()) && !COMMON.contains(&k.as_str()))
        {
            let mut known: Vec<&str> = allowed.to_vec();
            known.extend(&COMMON[..5]);
            return Err(CoreError::invalid_parameter(format!(
                "params.{k} is not a parameter of {} (known: {})",
                algorithm.name(),
                known.join(", ")
            )));
        }
        let explicit = match map.get("task").map(|t| t.as_str()) {
            None => None,
            Some(Some("classification")) => Some(Task::Classification),
            Some(Some("regression")) => Some(Task::Regression),
            Some(_) => {
                return Err(CoreError::invalid_parameter(
                    "params.task must be 'classification' or 'regression'",
                ));
            }
        };
        let task = match (algorithm.implied_task(), explicit) {
            (Some(a), Some(e)) if a != e => {
                return Err(CoreError::invalid_parameter(format!(
                    "params.task '{}' does not fit algorithm {} (it is {})",
                    e.name(),
                    algorithm.name(),
                    a.name()
                )));
            }
            (Some(a), _) => a,
            (None, Some(e)) => e,
            (None, None) => inferred,
        };
        let get = |k: &str| map.get(k).filter(|v| !v.is_null());
        let seed = get("seed").map_or(Ok(0), |v| uint(v, "seed", 0, u64::MAX))?;
        let holdout = match get("holdout") {
            None => 0.2,
            Some(v) => v
                .as_f64()
                .filter(|h| (0.0..=0.9).contains(h))
                .ok_or_else(|| {
                    CoreError::invalid_parameter(format!(
                        "params.holdout must be a fraction between 0 and 0.9, got {v}"
                    ))
                })?,
        };
        // Bounded defaults (scikit-learn grows trees without limit): a forest is a jsonb row
        // decoded per backend, so depth 10 keeps 100 trees under ~200k nodes.
        let max_depth = match get("max_depth") {
            None if algorithm.is_tree() => Some(10),
            None => None,
            Some(v) => Some(uint(v, "max_depth", 1, MAX_DEPTH)? as u16),
        };
        let n_trees = match (algorithm, get("n_trees")) {
            (Algorithm::RandomForest, Some(v)) => uint(v, "n_trees", 1, 1000)? as usize,
            (Algorithm::RandomForest, None) => 100,
            _ => 1,
        };
        let min_samples_leaf = get("min_samples_leaf")
            .map_or(Ok(1), |v| uint(v, "min_samples_leaf", 1, 1_000_000))?
            as usize;
        let min_samples_split = get("min_samples_split")
            .map_or(Ok(2), |v| uint(v, "min_samples_split", 2, 1_000_000))?
            as usize;
        let max_features = match get("max_features") {
            None if task == Task::Classification => MaxFeatures::Sqrt,
            None => MaxFeatures::All,
            Some(Value::String(s)) if s == "sqrt" => MaxFeatures::Sqrt,
            Some(Value::String(s)) if s == "all" => MaxFeatures::All,
            Some(v) => MaxFeatures::Count(uint(v, "max_features", 1, 100_000)? as usize),
        };
        let entropy = match get("criterion").map(|c| c.as_str()) {
            None | Some(Some("gini")) => false,
            Some(Some("entropy")) => true,
            _ => {
                return Err(CoreError::invalid_parameter(
                    "params.criterion must be 'gini' or 'entropy'",
                ));
            }
        };
        if entropy && task == Task::Regression {
            return Err(CoreError::invalid_parameter(
                "params.criterion applies to classification only (regression trees use squared error)",
            ));
        }
        let alpha = match (get("C"), get("alpha")) {
            (Some(_), Some(_)) => {
                return Err(CoreError::invalid_parameter(
                    "give params.C or params.alpha, not both (alpha = 1/C)",
                ));
            }
            (Some(c), None) => 1.0 / positive(c, "C", false)?,
            (None, Some(a)) => positive(a, "alpha", true)?,
            (None, None) => match algorithm {
                Algorithm::LogisticRegression | Algorithm::Ridge => 1.0,
                _ => 0.0,
            },
        };
        Ok(Params {
            algorithm,
            task,
            seed,
            holdout,
            n_trees,
            max_depth,
            min_samples_leaf,
            min_samples_split,
            max_features,
            entropy,
            alpha,
        })
    }

    /// Features tried per split for `n_features` features.
    pub fn mtry(&self, n_features: usize) -> usize {
        match self.max_features {
            MaxFeatures::Sqrt => ((n_features as f64).sqrt().floor() as usize).max(1),
            MaxFeatures::All => n_features,
            MaxFeatures::Count(m) => m.min(n_features),
        }
    }

    /// The resolved parameters, as stored in the version's metadata.
    pub fn to_json(&self, n_features: usize) -> Value {
        let mut m = json!({"seed": self.seed, "holdout": self.holdout});
        let o = m.as_object_mut().expect("object");
        if self.algorithm.is_tree() {
            o.insert("max_depth".into(), json!(self.max_depth));
            o.insert("min_samples_leaf".into(), json!(self.min_samples_leaf));
            o.insert("min_samples_split".into(), json!(self.min_samples_split));
            if self.task == Task::Classification {
                let c = if self.entropy { "entropy" } else { "gini" };
                o.insert("criterion".into(), json!(c));
            }
        }
        if self.algorithm == Algorithm::RandomForest {
            o.insert("n_trees".into(), json!(self.n_trees));
            o.insert("max_features".into(), json!(self.mtry(n_features)));
        }
        match self.algorithm {
            // One of the two, so that the stored parameters parse again (retraining reuses them).
            Algorithm::LogisticRegression if self.alpha > 0.0 => {
                o.insert("C".into(), json!(1.0 / self.alpha));
            }
            Algorithm::LogisticRegression => {
                o.insert("alpha".into(), json!(0.0));
            }
            Algorithm::Ridge => {
                o.insert("alpha".into(), json!(self.alpha));
            }
            _ => {}
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors() {
        let p = Params::parse("random_forest", Task::Classification, &json!({})).unwrap();
        assert_eq!((p.n_trees, p.max_depth, p.mtry(16)), (100, Some(10), 4));
        let p = Params::parse("logistic_regression", Task::Regression, &json!({"C": 4})).unwrap();
        assert_eq!((p.task, p.alpha), (Task::Classification, 0.25));
        let e = Params::parse("ridge", Task::Regression, &json!({"n_trees": 3})).unwrap_err();
        assert!(e
            .message
            .contains("params.n_trees is not a parameter of ridge"));
        let e = Params::parse("svm", Task::Regression, &json!({})).unwrap_err();
        assert!(e.message.contains("algorithm must be one of"));
        let e =
            Params::parse("decision_tree", Task::Regression, &json!({"max_depth": 0})).unwrap_err();
        assert!(e
            .message
            .contains("params.max_depth must be an integer between 1 and 60"));
        let e = Params::parse(
            "ridge",
            Task::Classification,
            &json!({"task": "classification"}),
        )
        .unwrap_err();
        assert!(e.message.contains("does not fit algorithm ridge"));
    }
}
