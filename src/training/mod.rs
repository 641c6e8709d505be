//! `mlobs.train`: reads a window's labelled rows (as the caller), fits a model with smartcore
//! (crates/mlobs-train) and registers it as the next version of `name` in `mlobs.models`, in a
//! format every model function serves. `compare_models` scores two versions on the same rows.

pub mod compare;
pub mod rows;

use crate::errors::{invalid_parameter, raise, required, OrRaise};
use mlobs_core::CoreError;
use mlobs_train::{Dataset, Params, Target, Task};
use pgrx::prelude::*;
use rows::{Features, Spec};
use serde_json::json;
use std::collections::HashMap;
use std::time::Instant;

/// Default row cap: above it a seeded uniform sample is trained on (docs/training.md).
const DEFAULT_MAX_ROWS: u64 = 1_000_000;
/// Most class labels a classification target may have (the registry's cap).
const MAX_CLASSES: usize = 10_000;

/// The task a target column's type implies: labels for booleans, text and integers, values for
/// floating point and numeric.
fn task_of(target_type: &str) -> Task {
    match target_type {
        "real" | "double precision" | "numeric" => Task::Regression,
        _ => Task::Classification,
    }
}

/// Class labels sorted as numbers when they all are numbers (so 2 < 10), else as text.
fn sorted_labels(mut labels: Vec<String>) -> Vec<String> {
    labels.sort();
    labels.dedup();
    if labels.iter().all(|l| l.parse::<f64>().is_ok()) {
        labels.sort_by(|a, b| {
            let (x, y) = (
                a.parse::<f64>().unwrap_or(0.0),
                b.parse::<f64>().unwrap_or(0.0),
            );
            x.total_cmp(&y)
        });
    }
    labels
}

/// The bound on training memory: `maintenance_work_mem`, as for CREATE INDEX.
fn memory_limit() -> usize {
    // SAFETY: a GUC variable of the backend, read on the backend's thread.
    (unsafe { pg_sys::maintenance_work_mem } as usize).saturating_mul(1024)
}

fn check_memory(params: &Params, rows: usize, features: usize) {
    let need = mlobs_train::data::estimated_bytes(params.algorithm, rows, features);
    let limit = memory_limit();
    if need > limit {
        raise(CoreError::limit_exceeded(format!(
            "training on {rows} rows × {features} features needs about {} MB, above \
             maintenance_work_mem ({} MB); raise maintenance_work_mem or lower params.max_rows",
            need.div_ceil(1 << 20),
            limit >> 20
        )));
    }
}

/// What `maintenance_work_mem` leaves for the trees once grown, after the rows and the tree
/// being grown (charged tree by tree: `train_within`); refuses at once, before any tree is
/// grown, a training whose rows and growing tree alone exceed it. Checked after the rows are
/// read, when the classes are known.
fn tree_budget(params: &Params, data: &Dataset) -> usize {
    if !params.algorithm.is_tree() {
        return usize::MAX;
    }
    use mlobs_train::data::{
        classifier_queue_bytes, estimated_class_bytes, growing_class_bytes, tree_training_bytes,
    };
    let (rows, limit) = (data.rows(), memory_limit());
    let classes = match &data.y {
        Target::Classes { labels, .. } => labels.len(),
        Target::Values(_) => 0,
    };
    let queue = classifier_queue_bytes(params, rows, classes);
    let before = tree_training_bytes(rows, data.n_features).saturating_add(queue);
    let need = before.saturating_add(estimated_class_bytes(params, rows, classes));
    if need > limit {
        raise(CoreError::limit_exceeded(format!(
            "training on {rows} rows of {classes} classes needs about {} MB (smartcore's \
             classification tree keeps a vector over every row for each node of a level, and a \
             value per class in every node), above maintenance_work_mem ({} MB); raise \
             maintenance_work_mem, or lower params.max_depth, params.n_trees or params.max_rows",
            need.div_ceil(1 << 20),
            limit >> 20
        )));
    }
    limit
        .saturating_sub(before)
        .saturating_sub(growing_class_bytes(params, rows, classes))
}

/// Internal entry of `mlobs.train` (the SQL wrapper takes the regclass and timestamps).
#[allow(clippy::too_many_arguments)]
#[pg_extern(volatile, parallel_unsafe, name = "_train")]
pub fn train_impl(
    name: Option<crate::db_text::DbStr<'_>>,
    source: Option<pg_sys::Oid>,
    target: Option<crate::db_text::DbStr<'_>>,
    features: Option<Vec<Option<crate::db_text::DbString>>>,
    algorithm: Option<crate::db_text::DbStr<'_>>,
    params: Option<crate::jsonb_arg::JsonbArg>,
    train_from: Option<crate::db_text::DbStr<'_>>,
    train_to: Option<crate::db_text::DbStr<'_>>,
    ts_column: Option<crate::db_text::DbStr<'_>>,
    feature_names: Option<Vec<Option<crate::db_text::DbString>>>,
) -> i32 {
    let name = name.as_deref();
    let target = target.as_deref();
    let features = crate::db_text::strings(features);
    let algorithm = algorithm.as_deref();
    let train_from = train_from.map(|s| s.to_string());
    let train_to = train_to.map(|s| s.to_string());
    let ts_column = ts_column.as_deref();
    let feature_names = crate::db_text::strings(feature_names);
    crate::errors::require_primary("mlobs.train");
    let started = Instant::now();
    let name = required(name, "name");
    if name.is_empty() {
        invalid_parameter("name must not be empty");
    }
    let source = required(source, "source");
    let target = required(target, "target").to_owned();
    let features = crate::errors::no_null_elements(required(features, "features"), "features");
    let algorithm = required(algorithm, "algorithm");
    let params_json = params.map_or(json!({}), |p| p.value("params"));
    let ts_column = required(ts_column, "ts_column").to_owned();
    let names = feature_names.map(|n| crate::errors::no_null_elements(n, "feature_names"));
    let target_type = rows::column_type(source, &target, "target");
    if target_type == "jsonb" || target_type == "json" {
        invalid_parameter(
            "target: a jsonb column cannot be a target; give a column of labels or values",
        );
    }
    rows::column_type(source, &ts_column, "ts_column");
    let params = Params::parse(algorithm, task_of(&target_type), &params_json).or_raise();
    let max_rows = match params_json.get("max_rows") {
        None => DEFAULT_MAX_ROWS,
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=100_000_000).contains(n))
            .unwrap_or_else(|| {
                invalid_parameter("params.max_rows must be an integer between 1 and 100000000")
            }),
    } as usize;
    let mut spec = Spec {
        source,
        target: target.clone(),
        features: rows::resolve_features(source, &features, names),
        ts_column: ts_column.clone(),
        from: train_from.clone(),
        to: train_to.clone(),
    };
    spec.discover_keys();
    let feature_names: Vec<String> = spec.features.names().to_vec();
    if let Err(e) =
        mlobs_explain::names::check_names(feature_names.clone(), "features", feature_names.len())
    {
        invalid_parameter(e.message);
    }
    let p = feature_names.len();

    // Stream the rows; keep a seeded uniform sample of at most max_rows, in flat arrays (one
    // slot per kept row). Labels are interned as they arrive (their sorted order comes after).
    let classify = params.task == Task::Classification;
    let mut reservoir = mlobs_train::sample::Reservoir::new(max_rows, params.seed);
    let mut xs: Vec<f64> = Vec::new();
    let mut ys: Vec<f64> = Vec::new();
    let mut stamps: Vec<Box<str>> = Vec::new();
    let mut interned: HashMap<String, u32> = HashMap::new();
    let mut next_check = 10_000usize;
    rows::for_each_row(&spec, |ts, label, x| {
        let y = if classify {
            let n = interned.len() as u32;
            let i = *interned.entry(label.to_owned()).or_insert(n);
            if interned.len() > MAX_CLASSES {
                invalid_parameter(format!(
                    "target: more than {MAX_CLASSES} distinct labels; classification takes at most \
                     {MAX_CLASSES} (for a numeric target use params.task = 'regression')"
                ));
            }
            i as f64
        } else {
            match label {
                "true" => 1.0,
                "false" => 0.0,
                _ => label.parse::<f64>().unwrap_or_else(|_| {
                    invalid_parameter(format!(
                        "target: expected a number, got {label} (row at {ts})"
                    ))
                }),
            }
        };
        if let Some(slot) = reservoir.offer() {
            if slot == ys.len() {
                xs.extend_from_slice(&x);
                ys.push(y);
                stamps.push(ts.into());
            } else {
                xs[slot * p..(slot + 1) * p].copy_from_slice(&x);
                ys[slot] = y;
                stamps[slot] = ts.into();
            }
        }
        if reservoir.seen() as usize >= next_check {
            next_check += 10_000;
            check_memory(&params, reservoir.len(), p);
        }
    });
    let seen = reservoir.seen() as usize;
    check_memory(&params, reservoir.len(), p);
    let order = reservoir.ordered_slots();
    let mut x = Vec::with_capacity(order.len() * p);
    for &s in &order {
        x.extend_from_slice(&xs[s * p..(s + 1) * p]);
    }
    drop(xs);
    let stamps: Vec<Box<str>> = order
        .iter()
        .map(|&s| std::mem::take(&mut stamps[s]))
        .collect();
    let y = if classify {
        let mut by_index: Vec<String> = vec![String::new(); interned.len()];
        for (label, i) in interned {
            by_index[i as usize] = label;
        }
        let classes = sorted_labels(by_index.clone());
        let position: HashMap<&str, u32> = classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i as u32))
            .collect();
        let remap: Vec<u32> = by_index.iter().map(|l| position[l.as_str()]).collect();
        let index = order.iter().map(|&s| remap[ys[s] as usize]).collect();
        Target::Classes {
            index,
            labels: classes,
        }
    } else {
        Target::Values(order.iter().map(|&s| ys[s]).collect())
    };
    let data = Dataset {
        n_features: p,
        feature_names: feature_names.clone(),
        x,
        y,
    };
    let tree_budget = tree_budget(&params, &data);
    let trained = mlobs_train::train_within(&params, &data, tree_budget).or_raise();
    let n = data.rows();
    let train_rows = trained.metadata["train_rows"].as_u64().unwrap_or(0) as usize;
    let mut metadata = trained.metadata.clone();
    let features_json = match &spec.features {
        Features::Columns(c) => json!({"columns": c}),
        Features::Json { column, names } => json!({"jsonb": column, "names": names}),
    };
    let extra = json!({
        "source": rows::relation_name(source),
        "target": target,
        "features": features_json,
        "ts_column": ts_column,
        "train_from": train_from,
        "train_to": train_to,
        "rows_labelled": seen,
        "rows_sampled": seen > max_rows,
        "max_rows": max_rows,
        "first_ts": stamps.first(),
        "last_train_ts": stamps.get(train_rows.wrapping_sub(1)),
        "holdout_from": stamps.get(train_rows).filter(|_| train_rows < n),
        "last_ts": stamps.last(),
        "duration_ms": started.elapsed().as_secs_f64() * 1000.0,
        "mlobs": env!("CARGO_PKG_VERSION"),
    });
    for (k, v) in extra.as_object().expect("object") {
        metadata[k] = v.clone();
    }
    if let Target::Classes { labels, .. } = &data.y {
        metadata["classes"] = json!(labels);
    }
    // The body as text, its JSON tree freed before jsonb_in parses it: a forest's tree of
    // values and jsonb_in's own parse tree together were a third of the backend's peak.
    let mlobs_train::Trained {
        format,
        body,
        objective,
        ..
    } = trained;
    let body = serde_json::to_string(&body)
        .unwrap_or_else(|e| invalid_parameter(format!("storing the model failed: {e}")));
    crate::models::registry::lock_versions(name);
    Spi::get_one_with_args::<i32>(
        "INSERT INTO mlobs.models (name, version, format, body, feature_names, n_features, objective, metadata)
         SELECT $1, coalesce(pg_catalog.max(version), 0) OPERATOR(pg_catalog.+) 1, $2, CAST($3 AS pg_catalog.jsonb), $4, $5, $6,
                pg_catalog.jsonb_build_object('training', $7)
           FROM mlobs.models WHERE name OPERATOR(pg_catalog.=) $1
         RETURNING version",
        &[
            name.into(),
            format.into(),
            body.into(),
            feature_names.into(),
            (p as i32).into(),
            objective.into(),
            pgrx::JsonB(metadata).into(),
        ],
    )
    .unwrap_or_else(|e| invalid_parameter(format!("storing the model failed: {e}")))
    .expect("RETURNING version")
}
