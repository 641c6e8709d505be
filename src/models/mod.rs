//! Models in the database: the registry (`registry`), predictions (`predict`), SHAP
//! (`shap`), global importance (`importance`), LIME, what-if and counterfactuals (`explain`).
//! The numerical work is `mlobs-explain`; this is translation between SQL values and it.

/// The overloads of model function `$sql` over its features argument: `float8[]` (positional)
/// and `jsonb` (named by the model's feature names), each of the latest version
/// `$sql(model, features, …)` and, where a second name is given, of `$sql(model, version,
/// features, …)` (a NULL version is the latest). pgrx reads every `#[pg_extern]` signature
/// literally, so this writes them out: the arguments after `features` (each followed by a comma)
/// go in verbatim, then `fcinfo`. The body sees `features` as `Option<FeaturesArg>` and
/// `version` as `Option<i32>` (None in the latest-version overloads); its `Option` result is
/// converted to each overload's return type with `Into`.
macro_rules! model_fn {
    (
        $(#[$doc:meta])*
        fn $sql:literal $extra:tt
            |$fcinfo:ident, $model:ident, $features:ident $(, $version:ident)?| $body:expr;
        float8[] -> $array_ret:tt: $array:ident $(, $version_array:ident)?;
        jsonb -> $json_ret:tt: $json:ident $(, $version_json:ident)?;
    ) => {
        model_fn!(@overload [$(#[$doc])*] $sql $array ($model: Option<crate::db_text::DbStr<'_>>,)
            $features (Option<crate::models::Float8Row>) Array $extra $fcinfo $array_ret
            { let $model = $model.as_deref(); $(let $version: Option<i32> = None;)? } $body);
        model_fn!(@overload [] $sql $json ($model: Option<crate::db_text::DbStr<'_>>,)
            $features (Option<crate::jsonb_arg::JsonbArg>) Json $extra $fcinfo $json_ret
            { let $model = $model.as_deref(); $(let $version: Option<i32> = None;)? } $body);
        $(model_fn!(@overload [] $sql $version_array ($model: Option<crate::db_text::DbStr<'_>>, $version: Option<i32>,)
            $features (Option<crate::models::Float8Row>) Array $extra $fcinfo $array_ret
            { let $model = $model.as_deref(); } $body);)?
        $(model_fn!(@overload [] $sql $version_json ($model: Option<crate::db_text::DbStr<'_>>, $version: Option<i32>,)
            $features (Option<crate::jsonb_arg::JsonbArg>) Json $extra $fcinfo $json_ret
            { let $model = $model.as_deref(); } $body);)?
    };
    (
        @overload [$($attr:tt)*] $sql:literal $name:ident ($($lead:tt)*)
        $features:ident ($($features_ty:tt)+) $from:ident ($($extra:tt)*) $fcinfo:ident
        ($($ret:tt)+) { $($prelude:tt)* } $body:expr
    ) => {
        $($attr)*
        #[allow(clippy::too_many_arguments)] // pgrx signatures: one argument per SQL argument
        #[pg_extern(stable, parallel_safe, name = $sql)]
        fn $name(
            $($lead)*
            $features: $($features_ty)+,
            $($extra)*
            $fcinfo: pg_sys::FunctionCallInfo,
        ) -> $($ret)+ {
            $($prelude)*
            let $features = $features.map($crate::models::FeaturesArg::$from);
            ($body).map(Into::into)
        }
    };
}

mod arrays;
mod explain;
mod importance;
mod predict;
pub mod registry;
mod shap;

use crate::errors::invalid_parameter;
use mlobs_explain::Model;
use pgrx::pg_sys;
use serde_json::Value;

/// The features argument of a model function: positional (NULL elements as NaN) or named, read
/// by the model's feature names when its row is taken.
pub enum FeaturesArg {
    Array(Float8Row),
    Json(crate::jsonb_arg::JsonbArg),
}

impl FeaturesArg {
    /// The feature vector for `model`.
    pub fn row(&self, model: &Model) -> Vec<f64> {
        match self {
            FeaturesArg::Array(a) => a.0.clone(),
            FeaturesArg::Json(j) => row_from_jsonb(model, j, "features"),
        }
    }

    /// `row`, without a copy of a positional row.
    pub fn into_row(self, model: &Model) -> Vec<f64> {
        match self {
            FeaturesArg::Array(a) => a.0,
            FeaturesArg::Json(j) => row_from_jsonb(model, &j, "features"),
        }
    }
}

/// A feature vector from a jsonb argument `{feature: number}`, read in place (no text round trip
/// through serde_json: that was 80 % of `predict` on a jsonb row, issue 20): null or absent keys
/// are missing values.
pub fn row_from_jsonb(model: &Model, features: &crate::jsonb_arg::JsonbArg, arg: &str) -> Vec<f64> {
    let mut row = vec![f64::NAN; feature_names(model, arg).len()];
    for_each_feature(model, features, arg, |i, v| row[i] = v);
    row
}

/// Calls `f(position, value)` for each key of a jsonb argument `{feature: number}`, in its stored
/// order (null: NaN). Unknown keys, non-numbers and numbers beyond float8's range are errors
/// naming the key (a misspelt feature would otherwise silently become missing).
pub fn for_each_feature(
    model: &Model,
    features: &crate::jsonb_arg::JsonbArg,
    arg: &str,
    mut f: impl FnMut(usize, f64),
) {
    use crate::jsonb_arg::Payload;
    use mlobs_core::payload::Scalar;
    let names = feature_names(model, arg);
    let Payload::Object(object) = features.payload(arg) else {
        invalid_parameter(format!(
            "{arg}: expected a jsonb object {{feature: number}}"
        ))
    };
    for (key, value) in object {
        let got = |what: String| -> ! {
            invalid_parameter(format!("{arg}.{key}: expected a number, got {what}"))
        };
        let v = match value {
            Scalar::Null => f64::NAN,
            Scalar::Number(x) if x.is_finite() => x,
            Scalar::Number(_) => {
                invalid_parameter(format!("{arg}.{key}: a number beyond float8's range"))
            }
            Scalar::String(t) => got(Value::String(t.to_owned()).to_string()),
            Scalar::Bool(b) => got(b.to_string()),
            Scalar::Array => got("an array".into()),
            Scalar::Object => got("an object".into()),
        };
        f(feature_position(names, key, arg), v);
    }
}

/// The model's feature names; an error naming `arg` when it has none.
fn feature_names<'m>(model: &'m Model, arg: &str) -> &'m [String] {
    match &model.feature_names {
        Some(names) => names,
        None => invalid_parameter(format!(
            "{arg}: the model has no feature names; register it with feature_names or pass float8[]",
        )),
    }
}

/// The position of feature `key`; an error naming it when the model has no such feature (a
/// misspelt feature would otherwise silently become missing).
fn feature_position(names: &[String], key: &str, arg: &str) -> usize {
    names.iter().position(|n| n == key).unwrap_or_else(|| {
        invalid_parameter(format!(
            "{arg}.{key}: not a feature of the model (its features: {})",
            names.join(", ")
        ))
    })
}

/// A float8[] argument as one positional feature row (every element of any shape, in storage
/// order; NULL elements as NaN, missing values), read from the array's bytes: pgrx's
/// `Vec<Option<f64>>` conversion cost more per row than a 20-tree prediction (issue 20).
pub struct Float8Row(pub Vec<f64>);

impl Float8Row {
    /// Argument `i` of the current call, `None` when NULL.
    ///
    /// # Safety
    /// Argument `i` must be a float8[].
    pub unsafe fn arg(fcinfo: pg_sys::FunctionCallInfo, i: usize) -> Option<Float8Row> {
        let datum = unsafe { pgrx::fcinfo::pg_getarg_datum(fcinfo, i) }?;
        Some(unsafe { Self::of(datum) })
    }

    /// # Safety
    /// `datum` must be a float8[] of the current call.
    unsafe fn of(datum: pg_sys::Datum) -> Float8Row {
        let bytes = unsafe { crate::varlena_io::varlena_bytes(datum) };
        Float8Row(arrays::flat(bytes, "features"))
    }
}

impl pgrx::datum::FromDatum for Float8Row {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _: pg_sys::Oid,
    ) -> Option<Self> {
        (!is_null).then(|| unsafe { Self::of(datum) })
    }
}

crate::argument_type!(Float8Row, "double precision[]");

/// Per-feature values as a jsonb object keyed by feature name (positions when unnamed).
pub fn by_feature(model: &Model, values: &[f64]) -> Value {
    Value::Object(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (model.feature_label(i), json_number(*v)))
            .collect(),
    )
}

pub fn json_number(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

pub fn class_arg(class: Option<i32>) -> Option<i64> {
    class.map(i64::from)
}
