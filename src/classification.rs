//! `mlobs.confusion`: confusion_agg over int, text or bool labels (optionally weighted),
//! rollup, and the classification metrics read from it.

use crate::agg::{f64_arg, transition};
use crate::errors::{required, OrRaise};
use mlobs_core::metrics::association;
use mlobs_core::metrics::confusion::{Average, Confusion as CoreConfusion, ZeroDivision};
use mlobs_core::metrics::label::Label;
use pgrx::prelude::*;
use pgrx::JsonB;

crate::summary_type!(Confusion, CoreConfusion, "mlobs.confusion", mlobs_confusion);

/// Shared transition: rows with a NULL label, prediction or weight are counted as skipped.
unsafe fn confusion_step(
    fcinfo: pg_sys::FunctionCallInfo,
    label: impl Fn(usize) -> Option<Label>,
    weighted: bool,
) -> pg_sys::Datum {
    let actual = label(1);
    let predicted = label(2);
    let weight = if weighted {
        unsafe { f64_arg(fcinfo, 3) }
    } else {
        Some(1.0)
    };
    unsafe {
        transition(
            fcinfo,
            "mlobs.confusion_agg",
            CoreConfusion::default,
            |c: &mut CoreConfusion| match (actual, predicted, weight) {
                (Some(a), Some(p), Some(w)) => c.add(a, p, w).or_raise(),
                _ => c.skipped += 1,
            },
        )
    }
}

macro_rules! confusion_transitions {
    ($($name:ident / $finfo:ident, $weighted:literal, |$fc:ident, $i:ident| $read:expr;)*) => {$(
        crate::v1!($name, $finfo, |fcinfo| {
            let $fc = fcinfo;
            confusion_step(fcinfo, |$i| unsafe { $read }, $weighted)
        });
    )*};
}

confusion_transitions! {
    mlobs_confusion_trans_int / pg_finfo_mlobs_confusion_trans_int, false,
        |fc, i| crate::agg::i64_arg(fc, i).map(Label::Int);
    mlobs_confusion_trans_int_w / pg_finfo_mlobs_confusion_trans_int_w, true,
        |fc, i| crate::agg::i64_arg(fc, i).map(Label::Int);
    mlobs_confusion_trans_bool / pg_finfo_mlobs_confusion_trans_bool, false,
        |fc, i| crate::agg::bool_arg(fc, i).map(Label::Bool);
    mlobs_confusion_trans_bool_w / pg_finfo_mlobs_confusion_trans_bool_w, true,
        |fc, i| crate::agg::bool_arg(fc, i).map(Label::Bool);
    mlobs_confusion_trans_text / pg_finfo_mlobs_confusion_trans_text, false,
        |fc, i| crate::agg::text_arg(fc, i).map(|s| Label::Text(s.to_owned()));
    mlobs_confusion_trans_text_w / pg_finfo_mlobs_confusion_trans_text_w, true,
        |fc, i| crate::agg::text_arg(fc, i).map(|s| Label::Text(s.to_owned()));
}

fn average(text: &str) -> Average {
    Average::parse(text).or_raise()
}

/// Share (weighted) of rows predicted correctly; NULL when empty.
#[pg_extern(immutable, parallel_safe)]
fn accuracy(c: Confusion) -> Option<f64> {
    c.0.accuracy()
}

/// Precision as scikit-learn's precision_score (zero division → 0).
#[pg_extern(immutable, parallel_safe)]
fn precision(
    c: Option<Confusion>,
    average: default!(Option<crate::db_text::DbStr<'_>>, "'binary'"),
    pos_label: default!(Option<crate::db_text::DbStr<'_>>, "NULL"),
) -> Option<f64> {
    let average = average.as_deref();
    let pos_label = pos_label.as_deref();
    let average = self::average(required(average, "average"));
    c?.0.precision(average, pos_label).or_raise()
}

/// Recall as scikit-learn's recall_score (zero division → 0).
#[pg_extern(immutable, parallel_safe)]
fn recall(
    c: Option<Confusion>,
    average: default!(Option<crate::db_text::DbStr<'_>>, "'binary'"),
    pos_label: default!(Option<crate::db_text::DbStr<'_>>, "NULL"),
) -> Option<f64> {
    let average = average.as_deref();
    let pos_label = pos_label.as_deref();
    let average = self::average(required(average, "average"));
    c?.0.recall(average, pos_label).or_raise()
}

/// F1 as scikit-learn's f1_score (zero division → 0).
#[pg_extern(immutable, parallel_safe)]
fn f1(
    c: Option<Confusion>,
    average: default!(Option<crate::db_text::DbStr<'_>>, "'binary'"),
    pos_label: default!(Option<crate::db_text::DbStr<'_>>, "NULL"),
) -> Option<f64> {
    let average = average.as_deref();
    let pos_label = pos_label.as_deref();
    let average = self::average(required(average, "average"));
    c?.0.f1(average, pos_label).or_raise()
}

// --- zero_division (scikit-learn's): the overloads (c, zero_division, average, pos_label) here
// and, with average first and unnamed, (c, average, zero_division[, pos_label]) and
// (c, average, pos_label, zero_division) in src/sql/finalize.sql, so that `zero_division => z`
// can be appended to any call of the forms above and the old calls resolve as before.

/// `Confusion::precision_with` and its siblings.
type ZeroDivisionMetric =
    fn(&CoreConfusion, Average, Option<&str>, ZeroDivision) -> mlobs_core::Result<Option<f64>>;

fn zero_division_metric(
    c: Option<Confusion>,
    zero_division: Option<f64>,
    average: Option<&str>,
    pos_label: Option<&str>,
    metric: ZeroDivisionMetric,
) -> Option<f64> {
    let zero_division = ZeroDivision::parse(zero_division).or_raise();
    let average = self::average(required(average, "average"));
    metric(&c?.0, average, pos_label, zero_division).or_raise()
}

/// Precision with scikit-learn's zero_division (0, 1, or NaN / NULL: undefined, giving NULL).
#[pg_extern(immutable, parallel_safe, name = "precision")]
fn precision_zero_division(
    c: Option<Confusion>,
    zero_division: Option<f64>,
    average: default!(Option<crate::db_text::DbStr<'_>>, "'binary'"),
    pos_label: default!(Option<crate::db_text::DbStr<'_>>, "NULL"),
) -> Option<f64> {
    let average = average.as_deref();
    let pos_label = pos_label.as_deref();
    zero_division_metric(
        c,
        zero_division,
        average,
        pos_label,
        CoreConfusion::precision_with,
    )
}

/// Recall with scikit-learn's zero_division.
#[pg_extern(immutable, parallel_safe, name = "recall")]
fn recall_zero_division(
    c: Option<Confusion>,
    zero_division: Option<f64>,
    average: default!(Option<crate::db_text::DbStr<'_>>, "'binary'"),
    pos_label: default!(Option<crate::db_text::DbStr<'_>>, "NULL"),
) -> Option<f64> {
    let average = average.as_deref();
    let pos_label = pos_label.as_deref();
    zero_division_metric(
        c,
        zero_division,
        average,
        pos_label,
        CoreConfusion::recall_with,
    )
}

/// F1 with scikit-learn's zero_division (only when TP, FP and FN are all 0).
#[pg_extern(immutable, parallel_safe, name = "f1")]
fn f1_zero_division(
    c: Option<Confusion>,
    zero_division: Option<f64>,
    average: default!(Option<crate::db_text::DbStr<'_>>, "'binary'"),
    pos_label: default!(Option<crate::db_text::DbStr<'_>>, "NULL"),
) -> Option<f64> {
    let average = average.as_deref();
    let pos_label = pos_label.as_deref();
    zero_division_metric(c, zero_division, average, pos_label, CoreConfusion::f1_with)
}

/// Matthews correlation coefficient (multiclass form; 0 when undefined).
#[pg_extern(immutable, parallel_safe)]
fn mcc(c: Confusion) -> Option<f64> {
    c.0.mcc()
}

macro_rules! rate_fn {
    ($($name:ident => $field:ident, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[pg_extern(immutable, parallel_safe)]
        fn $name(c: Option<Confusion>, pos_label: default!(Option<crate::db_text::DbStr<'_>>, "NULL")) -> Option<f64> {
            c?.0.rates(pos_label.as_deref()).or_raise().and_then(|r| r.$field)
        }
    )*};
}

rate_fn! {
    tpr => tpr, "True positive rate (recall) of pos_label; NULL when it never occurs.";
    tnr => tnr, "True negative rate (specificity) of pos_label.";
    fpr => fpr, "False positive rate of pos_label.";
    fnr => fnr, "False negative rate of pos_label.";
}

/// `{"labels": [...], "matrix": [[...]]}`, rows actual, columns predicted.
#[pg_extern(immutable, parallel_safe)]
fn confusion_matrix(c: Confusion) -> JsonB {
    JsonB(c.0.matrix_json())
}

/// Rows counted.
#[pg_extern(immutable, parallel_safe, name = "count")]
fn confusion_count(c: Confusion) -> i64 {
    crate::errors::bigint(c.0.rows, "mlobs.confusion", "count")
}

/// Every metric of the summary as one jsonb object, ready for a metrics table. Binary metrics
/// appear when there are at most two classes (pos_label as for `f1`).
#[pg_extern(immutable, parallel_safe)]
fn classification_report(
    c: Option<Confusion>,
    pos_label: default!(Option<crate::db_text::DbStr<'_>>, "NULL"),
) -> Option<JsonB> {
    let pos_label = pos_label.as_deref();
    let c = &c?.0;
    let mut report = serde_json::json!({
        "rows": c.rows,
        "skipped": c.skipped,
        "accuracy": c.accuracy(),
        "mcc": c.mcc(),
    });
    let map = report.as_object_mut().expect("object");
    for avg in ["macro", "micro", "weighted"] {
        let a = average(avg);
        map.insert(
            format!("precision_{avg}"),
            c.precision(a, None).or_raise().into(),
        );
        map.insert(format!("recall_{avg}"), c.recall(a, None).or_raise().into());
        map.insert(format!("f1_{avg}"), c.f1(a, None).or_raise().into());
    }
    if c.labels().len() <= 2 && c.positive_label(pos_label).is_ok() {
        let b = Average::Binary;
        map.insert(
            "precision".into(),
            c.precision(b, pos_label).or_raise().into(),
        );
        map.insert("recall".into(), c.recall(b, pos_label).or_raise().into());
        map.insert("f1".into(), c.f1(b, pos_label).or_raise().into());
        if let Some(r) = c.rates(pos_label).or_raise() {
            for (k, v) in [
                ("tpr", r.tpr),
                ("tnr", r.tnr),
                ("fpr", r.fpr),
                ("fnr", r.fnr),
            ] {
                map.insert(k.into(), v.into());
            }
        }
    }
    Some(JsonB(report))
}

/// scikit-learn's classification_report as rows: precision, recall, F1 and support per class (in
/// label order), then `accuracy` (F1 = accuracy, total support), `macro avg` and `weighted avg`.
/// `zero_division` (0, 1, or NULL / NaN for undefined) is the value of a ratio with an empty
/// denominator. A NULL summary gives no rows.
#[pg_extern(immutable, parallel_safe)]
#[allow(clippy::type_complexity)]
fn class_report(
    c: Option<Confusion>,
    zero_division: default!(Option<f64>, 0),
) -> TableIterator<
    'static,
    (
        name!(class, String),
        name!(precision, Option<f64>),
        name!(recall, Option<f64>),
        name!(f1, Option<f64>),
        name!(support, f64),
    ),
> {
    let zero_division = ZeroDivision::parse(zero_division).or_raise();
    let rows = c.map_or_else(Vec::new, |c| c.0.class_report(zero_division));
    TableIterator::new(
        rows.into_iter()
            .map(|r| (r.class, r.precision, r.recall, r.f1, r.support)),
    )
}

/// Pearson's chi-square test of independence between the two columns of a confusion summary
/// built over (feature, target), as scipy.stats.chi2_contingency (Yates' correction on a 2x2
/// table when `correction`), with Cramér's V as scipy.stats.contingency.association (always
/// uncorrected). One row; none for a NULL summary.
#[pg_extern(immutable, parallel_safe)]
#[allow(clippy::type_complexity)]
fn chi2_contingency(
    c: Option<Confusion>,
    correction: default!(Option<bool>, true),
) -> TableIterator<
    'static,
    (
        name!(statistic, f64),
        name!(p_value, f64),
        name!(dof, i64),
        name!(cramers_v, Option<f64>),
    ),
> {
    let correction = required(correction, "correction");
    let result = c.and_then(|c| association::chi2_contingency(&c.0, correction));
    TableIterator::new(
        result
            .into_iter()
            .map(|r| (r.statistic, r.p_value, r.dof as i64, r.cramers_v)),
    )
}

/// Metrics of a current window next to a reference window, one row each, with the relative
/// change and whether it degraded by more than `max_drop`: accuracy, F1, precision, recall
/// (binary with at most two classes, macro otherwise) and MCC.
#[pg_extern(immutable, parallel_safe)]
#[allow(clippy::type_complexity)]
fn performance_report(
    reference: Option<Confusion>,
    current: Option<Confusion>,
    max_drop: default!(Option<f64>, 0.1),
    pos_label: default!(Option<crate::db_text::DbStr<'_>>, "NULL"),
) -> TableIterator<
    'static,
    (
        name!(metric, String),
        name!(reference_value, Option<f64>),
        name!(current_value, Option<f64>),
        name!(relative_change, Option<f64>),
        name!(degraded, Option<bool>),
    ),
> {
    let pos_label = pos_label.as_deref();
    let max_drop = required(max_drop, "max_drop");
    // An empty window (NULL summary) gives no rows, as an aggregate over no rows would.
    let (Some(reference), Some(current)) = (reference, current) else {
        return TableIterator::new(Vec::new());
    };
    let binary = |c: &CoreConfusion| c.labels().len() <= 2 && c.positive_label(pos_label).is_ok();
    let avg = if binary(&reference.0) && binary(&current.0) {
        Average::Binary
    } else {
        Average::Macro
    };
    let metrics = |c: &CoreConfusion| -> Vec<(&'static str, Option<f64>)> {
        vec![
            ("accuracy", c.accuracy()),
            ("f1", c.f1(avg, pos_label).or_raise()),
            ("precision", c.precision(avg, pos_label).or_raise()),
            ("recall", c.recall(avg, pos_label).or_raise()),
            ("mcc", c.mcc()),
        ]
    };
    let rows: Vec<_> = metrics(&reference.0)
        .into_iter()
        .zip(metrics(&current.0))
        .map(|((name, r), (_, c))| {
            (
                name.to_string(),
                r,
                c,
                crate::regression::relative_change(r, c),
                crate::regression::degraded_by(r, c, max_drop, true),
            )
        })
        .collect();
    TableIterator::new(rows)
}
