//! `mlobs.compare_models`: champion against challenger. Both versions score the same labelled
//! rows of a window; each metric is reported for both with a paired test where one applies:
//! McNemar for accuracy, DeLong for a binary ROC AUC, a paired t-test on per-row log loss,
//! squared and absolute errors (mlobs_core::metrics::paired).

use super::rows::{self, Features, Spec};
use crate::errors::{invalid_parameter, required, OrRaise};
use mlobs_core::metrics::paired;
use mlobs_explain::Model;
use mlobs_train::evaluate::{self, Scored};
use pgrx::prelude::*;
use serde_json::Value;

/// What mlobs.train recorded about a version, and its class labels.
fn training_info(name: &str, version: i32) -> (Value, Option<Vec<String>>) {
    let row = rows::select_two::<pgrx::JsonB, pgrx::JsonB>(
        "SELECT coalesce(metadata->'training', '{}'), coalesce(body->'classes', 'null') FROM mlobs.models
          WHERE name OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
        &[name.into(), version.into()],
    )
    .unwrap_or((None, None));
    let info = row.0.map_or(Value::Null, |j| j.0);
    let classes = row
        .1
        .and_then(|j| serde_json::from_value::<Vec<String>>(j.0).ok());
    (info, classes)
}

/// What mlobs.train recorded as a version's features, if it was trained by it.
fn recorded_one(info: &Value) -> Option<Features> {
    let f = info.get("features")?;
    if let Some(column) = f.get("jsonb").and_then(Value::as_str) {
        let names = serde_json::from_value(f["names"].clone()).unwrap_or_default();
        return Some(Features::Json {
            column: column.to_owned(),
            names,
        });
    }
    serde_json::from_value(f.get("columns")?.clone())
        .ok()
        .map(Features::Columns)
}

/// The features to read for both versions: what each was trained on (a version not trained by
/// mlobs.train: its feature names), as one list of columns or one jsonb column's keys.
fn recorded_features(versions: &[(&Value, &Model)]) -> Features {
    let mut names: Vec<String> = Vec::new();
    let mut json: Option<String> = None;
    let mut columns = false;
    for (info, model) in versions {
        let own = match recorded_one(info) {
            Some(Features::Json { column, names }) => {
                if json.as_ref().is_some_and(|c| *c != column) {
                    invalid_parameter(
                        "features: the versions read different jsonb columns; give features",
                    );
                }
                json = Some(column);
                names
            }
            Some(Features::Columns(c)) => {
                columns = true;
                c
            }
            None => model.feature_names.clone().unwrap_or_else(|| {
                invalid_parameter(
                    "features: give the feature columns (a version has no feature names)",
                )
            }),
        };
        for n in own {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    match json {
        Some(_) if columns => invalid_parameter(
            "features: one version reads columns, the other a jsonb column; give features",
        ),
        Some(column) => Features::Json { column, names },
        None => Features::Columns(names),
    }
}

/// Column positions of `model`'s features among the `names` read.
fn positions(model: &Model, names: &[String], version: i32) -> Vec<usize> {
    match &model.feature_names {
        Some(own) => own
            .iter()
            .map(|f| {
                names.iter().position(|n| n == f).unwrap_or_else(|| {
                    invalid_parameter(format!(
                        "features: version {version} needs feature \"{f}\", which is not among the features read ({})",
                        names.join(", ")
                    ))
                })
            })
            .collect(),
        None if model.n_features == names.len() => (0..names.len()).collect(),
        None => invalid_parameter(format!(
            "features: version {version} has {} unnamed features, {} were given",
            model.n_features,
            names.len()
        )),
    }
}

/// A label's class index: by the version's class list (trained versions), else the label as an
/// integer (booleans as 0/1).
fn class_index(label: &str, classes: Option<&Vec<String>>, n_classes: usize) -> usize {
    let index = match classes {
        Some(c) => c.iter().position(|x| x == label),
        None => match label {
            "true" => Some(1),
            "false" => Some(0),
            l => l.parse::<usize>().ok(),
        },
    };
    index.filter(|i| *i < n_classes).unwrap_or_else(|| {
        invalid_parameter(format!(
            "target: label {label} is not a class of the models ({})",
            classes.map_or_else(|| format!("0 to {}", n_classes - 1), |c| c.join(", "))
        ))
    })
}

type Row = (
    String,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<String>,
    Option<f64>,
    Option<f64>,
    i64,
);

fn metric_row(metric: &str, a: Option<f64>, b: Option<f64>, rows: usize) -> Row {
    let diff = a.zip(b).map(|(a, b)| b - a);
    (metric.into(), a, b, diff, None, None, None, rows as i64)
}

fn with_test(mut r: Row, test: &str, statistic: f64, p: f64) -> Row {
    r.4 = Some(test.into());
    r.5 = Some(statistic);
    r.6 = Some(p);
    r
}

/// Internal entry of `mlobs.compare_models`.
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
#[pg_extern(stable, parallel_unsafe, name = "_compare_models")]
pub fn compare_impl(
    name: Option<crate::db_text::DbStr<'_>>,
    version_a: Option<i32>,
    version_b: Option<i32>,
    source: Option<pg_sys::Oid>,
    from: Option<crate::db_text::DbStr<'_>>,
    to: Option<crate::db_text::DbStr<'_>>,
    target: Option<crate::db_text::DbStr<'_>>,
    features: Option<Vec<Option<crate::db_text::DbString>>>,
    ts_column: Option<crate::db_text::DbStr<'_>>,
) -> TableIterator<
    'static,
    (
        name!(metric, String),
        name!(value_a, Option<f64>),
        name!(value_b, Option<f64>),
        name!(difference, Option<f64>),
        name!(test, Option<String>),
        name!(statistic, Option<f64>),
        name!(p_value, Option<f64>),
        name!(rows, i64),
    ),
> {
    let name = name.as_deref();
    let from = from.map(|s| s.to_string());
    let to = to.map(|s| s.to_string());
    let target = target.map(|s| s.to_string());
    let features = crate::db_text::strings(features);
    let ts_column = ts_column.map(|s| s.to_string());
    let name = required(name, "name");
    let va = required(version_a, "version_a");
    let vb = required(version_b, "version_b");
    let source = required(source, "source");
    let a = crate::models::registry::lookup(name, Some(va)).model;
    let b = crate::models::registry::lookup(name, Some(vb)).model;
    if a.is_classifier() != b.is_classifier() || a.n_classes != b.n_classes {
        invalid_parameter(format!(
            "versions {va} and {vb} of '{name}' do not solve the same task ({} vs {})",
            a.objective, b.objective
        ));
    }
    let (info_a, classes_a) = training_info(name, va);
    let (info_b, classes_b) = training_info(name, vb);
    if let (Some(x), Some(y)) = (&classes_a, &classes_b)
        && x != y
    {
        invalid_parameter(format!(
            "versions {va} and {vb} of '{name}' have different classes ({} vs {})",
            x.join(", "),
            y.join(", ")
        ));
    }
    let classes = classes_b.or(classes_a);
    let recorded = |key: &str| -> Option<Value> {
        [&info_b, &info_a]
            .iter()
            .find_map(|i| i.get(key).filter(|v| !v.is_null()).cloned())
    };
    let target = target
        .or_else(|| recorded("target").and_then(|v| v.as_str().map(str::to_owned)))
        .unwrap_or_else(|| {
            invalid_parameter(
                "target: give the label column (neither version was trained by mlobs.train)",
            )
        });
    let ts_column = ts_column
        .or_else(|| recorded("ts_column").and_then(|v| v.as_str().map(str::to_owned)))
        .unwrap_or_else(|| "ts".into());
    rows::column_type(source, &target, "target");
    rows::column_type(source, &ts_column, "ts_column");
    let features = match features {
        Some(f) => {
            let f = crate::errors::no_null_elements(f, "features");
            match rows::resolve_features(source, &f, None) {
                Features::Json { column, .. } => {
                    let mut names: Vec<String> = a.feature_names.clone().unwrap_or_default();
                    for n in b.feature_names.iter().flatten() {
                        if !names.contains(n) {
                            names.push(n.clone());
                        }
                    }
                    if names.is_empty() {
                        invalid_parameter(
                            "features: a jsonb column needs models with feature names",
                        );
                    }
                    Features::Json { column, names }
                }
                cols => cols,
            }
        }
        None => recorded_features(&[(&info_a, &a), (&info_b, &b)]),
    };
    let spec = Spec {
        source,
        target,
        features,
        ts_column,
        from,
        to,
    };
    let names = spec.features.names().to_vec();
    let (pa, pb) = (positions(&a, &names, va), positions(&b, &names, vb));
    let classify = a.is_classifier();
    let mut scored: Vec<(Scored, Scored)> = Vec::new();
    let mut unscored = 0usize;
    let limit = super::memory_limit();
    let per_row = 2 * (64 + 8 * a.n_classes.max(1));
    rows::for_each_row(&spec, |ts, label, x| {
        let label = if classify {
            Ok(class_index(label, classes.as_ref(), a.n_classes))
        } else {
            Err(label.parse::<f64>().unwrap_or_else(|_| {
                invalid_parameter(format!(
                    "target: expected a number, got {label} (row at {ts})"
                ))
            }))
        };
        let xa: Vec<f64> = pa.iter().map(|&i| x[i]).collect();
        let xb: Vec<f64> = pb.iter().map(|&i| x[i]).collect();
        match (
            evaluate::score(&a, &xa, label),
            evaluate::score(&b, &xb, label),
        ) {
            (Some(sa), Some(sb)) => scored.push((sa, sb)),
            _ => unscored += 1,
        }
        if scored.len() * per_row > limit {
            crate::errors::raise(mlobs_core::CoreError::limit_exceeded(format!(
                "comparing on more than {} rows needs more than maintenance_work_mem; compare a shorter window",
                scored.len()
            )));
        }
    });
    let n = scored.len();
    let (sa, sb): (Vec<Scored>, Vec<Scored>) = scored.into_iter().unzip();
    let ma = evaluate::metrics(&sa, a.n_classes);
    let mb = evaluate::metrics(&sb, a.n_classes);
    let get = |m: &Value, k: &str| m.get(k).and_then(Value::as_f64);
    let mut out: Vec<Row> = Vec::new();
    if classify {
        let (mut only_a, mut only_b) = (0u64, 0u64);
        for (x, y) in sa.iter().zip(&sb) {
            match (x.correct(), y.correct()) {
                (Some(true), Some(false)) => only_a += 1,
                (Some(false), Some(true)) => only_b += 1,
                _ => {}
            }
        }
        let mc = paired::mcnemar(only_a, only_b);
        let test = if mc.exact { "mcnemar_exact" } else { "mcnemar" };
        out.push(with_test(
            metric_row("accuracy", get(&ma, "accuracy"), get(&mb, "accuracy"), n),
            test,
            mc.statistic,
            mc.p_value,
        ));
        let auc = metric_row("roc_auc", get(&ma, "roc_auc"), get(&mb, "roc_auc"), n);
        if a.n_classes == 2 {
            let proba = |s: &Scored| match s {
                Scored::Class { proba, .. } => proba[1],
                Scored::Value { .. } => 0.0,
            };
            let y: Vec<bool> = sa
                .iter()
                .map(|s| matches!(s, Scored::Class { label: 1, .. }))
                .collect();
            let pa: Vec<f64> = sa.iter().map(proba).collect();
            let pb: Vec<f64> = sb.iter().map(proba).collect();
            // DeLong's difference is a − b; the row's is b − a.
            match paired::delong(&y, &pa, &pb).or_raise() {
                Some(d) => out.push(with_test(auc, "delong", -d.z, d.p_value)),
                None => out.push(auc),
            }
        } else {
            out.push(auc);
        }
        let log_losses = |s: &[Scored]| -> Vec<f64> {
            s.iter()
                .map(|r| match r {
                    Scored::Class { label, proba } => -proba[*label].clamp(1e-15, 1.0 - 1e-15).ln(),
                    Scored::Value { .. } => 0.0,
                })
                .collect()
        };
        let ll = metric_row("log_loss", get(&ma, "log_loss"), get(&mb, "log_loss"), n);
        out.push(
            match paired::paired_t(&log_losses(&sb), &log_losses(&sa)).or_raise() {
                Some(t) => with_test(ll, "paired_t", t.statistic, t.p_value),
                None => ll,
            },
        );
        if a.n_classes == 2 {
            out.push(metric_row("f1", get(&ma, "f1"), get(&mb, "f1"), n));
        }
    } else {
        let errors = |s: &[Scored], abs: bool| -> Vec<f64> {
            s.iter()
                .map(|r| match r {
                    Scored::Value { label, prediction } if abs => (label - prediction).abs(),
                    Scored::Value { label, prediction } => (label - prediction).powi(2),
                    Scored::Class { .. } => 0.0,
                })
                .collect()
        };
        for (metric, abs) in [("rmse", false), ("mae", true)] {
            let r = metric_row(metric, get(&ma, metric), get(&mb, metric), n);
            out.push(
                match paired::paired_t(&errors(&sb, abs), &errors(&sa, abs)).or_raise() {
                    Some(t) => with_test(r, "paired_t", t.statistic, t.p_value),
                    None => r,
                },
            );
        }
        out.push(metric_row("r2", get(&ma, "r2"), get(&mb, "r2"), n));
    }
    if unscored > 0 {
        let u = Some(unscored as f64);
        out.push(metric_row("unscored_rows", u, u, n));
    }
    TableIterator::new(out)
}
