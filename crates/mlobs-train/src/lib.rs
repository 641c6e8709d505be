//! Model training for mlobs: smartcore's trees, forests and linear models fitted on rows the
//! extension reads from a table, exported in the registry's formats (`sklearn` for trees,
//! `linear`) so that every model function serves a trained version like an imported one.
//! No PostgreSQL here; the extension streams the rows in and stores the result.

#![forbid(unsafe_code)]

pub mod data;
pub mod evaluate;
pub mod forest;
pub mod linear;
pub mod params;
pub mod sample;

pub use data::{Dataset, Target};
pub use params::{Algorithm, Params, Task};

use mlobs_core::CoreError;
use serde_json::{json, Value};

/// The smartcore release models are trained with (recorded with every version).
pub const SMARTCORE_VERSION: &str = "0.7.0";

/// A trained model: its registry format and body, and what to record about the training.
#[derive(Debug, Clone)]
pub struct Trained {
    pub format: &'static str,
    pub body: Value,
    pub objective: String,
    /// Resolved parameters, row counts, imputation, holdout metrics.
    pub metadata: Value,
}

/// Trains on `data` (rows in time order): the first `1 − holdout` share is fitted, the rest
/// scored as the holdout.
pub fn train(params: &Params, data: &Dataset) -> Result<Trained, CoreError> {
    train_within(params, data, usize::MAX)
}

/// [`train`], with at most `tree_budget` bytes for the trees once grown (what
/// `maintenance_work_mem` leaves after the rows): a forest is refused with 54000 as soon as the
/// trees grown so far need more ([`data::held_tree_bytes`]).
pub fn train_within(
    params: &Params,
    data: &Dataset,
    tree_budget: usize,
) -> Result<Trained, CoreError> {
    let n = data.rows();
    let train = data::train_rows(n, params.holdout);
    data::check_target(data, params.task, train)?;
    if let Target::Classes { index, labels } = &data.y {
        let mut seen = vec![false; labels.len()];
        index[..train].iter().for_each(|c| seen[*c as usize] = true);
        if let Some(c) = seen.iter().position(|s| !s) {
            return Err(CoreError::invalid_parameter(format!(
                "class '{}' appears only in the holdout rows; train on a window that contains \
                 it or lower params.holdout",
                labels[c]
            )));
        }
    }
    let stats = data::feature_stats(data, 0..train)?;
    let (format, mut body, fitted_rows) = if params.algorithm.is_tree() {
        let trees = forest::fit_within(params, data, train, &stats.median, tree_budget)?;
        let (kind, n_classes) = match &data.y {
            Target::Classes { labels, .. } => ("classifier", json!(labels.len())),
            Target::Values(_) => ("regressor", Value::Null),
        };
        let mut body = json!({
            "kind": kind,
            "n_features": data.n_features,
            "feature_names": data.feature_names,
            "trees": trees,
        });
        if kind == "classifier" {
            body["n_classes"] = n_classes;
        }
        ("sklearn", body, train)
    } else {
        let rows = linear::complete_rows(data, train);
        if rows.len() < data::MIN_TRAIN_ROWS {
            return Err(CoreError::invalid_parameter(format!(
                "too few complete rows to train a linear model: {} of {train} training rows have \
                 no missing value, at least {} needed",
                rows.len(),
                data::MIN_TRAIN_ROWS
            )));
        }
        let body = linear::fit(params, data, &rows)?;
        let fitted = rows.len();
        ("linear", body, fitted)
    };
    if let Target::Classes { labels, .. } = &data.y {
        body["classes"] = json!(labels);
    }
    let model = mlobs_explain::decode(format, &body).map_err(|e| {
        CoreError::invalid_parameter(format!("training produced an invalid model: {e}"))
    })?;
    // Holdout scores.
    let n_classes = match &data.y {
        Target::Classes { labels, .. } => labels.len(),
        Target::Values(_) => 0,
    };
    let mut scored = Vec::with_capacity(n - train);
    for i in train..n {
        let label = match &data.y {
            Target::Classes { index, .. } => Ok(index[i] as usize),
            Target::Values(v) => Err(v[i]),
        };
        if let Some(s) = evaluate::score(&model, data.row(i), label) {
            scored.push(s);
        }
    }
    let mut holdout = evaluate::metrics(&scored, n_classes);
    holdout["rows_unscored"] = json!((n - train) - scored.len());
    let missing: serde_json::Map<String, Value> = data
        .feature_names
        .iter()
        .zip(&stats.missing)
        .filter(|(_, m)| **m > 0)
        .map(|(f, m)| (f.clone(), json!(m)))
        .collect();
    let mut metadata = json!({
        "algorithm": params.algorithm.name(),
        "task": params.task.name(),
        "params": params.to_json(data.n_features),
        "rows": n,
        "train_rows": train,
        "fitted_rows": fitted_rows,
        "holdout_rows": n - train,
        "missing_values": missing,
        "holdout_metrics": holdout,
        "library": format!("smartcore {SMARTCORE_VERSION}"),
    });
    if params.algorithm.is_tree() {
        metadata["imputation"] = json!({"median": stats.median});
    }
    Ok(Trained {
        format,
        body,
        objective: model.objective.clone(),
        metadata,
    })
}
