//! Reading labelled rows for training and comparison: the query over the source (columns or one
//! jsonb column's keys, as the caller's role: no privilege is borrowed), streamed through a
//! cursor, every value parsed from its text form so that out-of-range numbers become missing
//! values instead of cast errors.

use crate::db_text::TextBytes;
use crate::errors::{invalid_parameter, raise};
use mlobs_core::CoreError;
use pgrx::prelude::*;
use pgrx::spi::{quote_identifier, quote_literal};

/// Where the features come from.
#[derive(Debug, Clone)]
pub enum Features {
    /// Numeric or boolean columns, one per feature.
    Columns(Vec<String>),
    /// Keys of one jsonb column (the names; discovered from the rows when not given).
    Json { column: String, names: Vec<String> },
}

impl Features {
    pub fn names(&self) -> &[String] {
        match self {
            Features::Columns(c) => c,
            Features::Json { names, .. } => names,
        }
    }
}

/// What to read: source, target, features, timestamp column and window.
#[derive(Debug, Clone)]
pub struct Spec {
    pub source: pg_sys::Oid,
    pub target: String,
    pub features: Features,
    pub ts_column: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The first row of a read-only query, as pgrx's `Spi::get_one_with_args` but through
/// `SpiClient::select`: pgrx runs `get_one*` and `run*` as updates, which first assign the
/// transaction an id — refused on a hot standby ("cannot assign TransactionIds during recovery",
/// so `compare_models` failed there) and an xid consumed per call on a primary.
pub fn select_one<A: FromDatum + IntoDatum>(
    query: &str,
    args: &[pgrx::datum::DatumWithOid],
) -> pgrx::spi::Result<Option<A>> {
    Spi::connect(|client| client.select(query, Some(1), args)?.first().get_one())
}

/// As `select_one`, the first two columns.
pub fn select_two<A: FromDatum + IntoDatum, B: FromDatum + IntoDatum>(
    query: &str,
    args: &[pgrx::datum::DatumWithOid],
) -> pgrx::spi::Result<(Option<A>, Option<B>)> {
    Spi::connect(|client| client.select(query, Some(1), args)?.first().get_two())
}

/// The type of `column` in `source` (42703 when absent).
pub fn column_type(source: pg_sys::Oid, column: &str, what: &str) -> String {
    let t = select_one::<TextBytes>(
        "SELECT pg_catalog.format_type(atttypid, NULL) FROM pg_catalog.pg_attribute
          WHERE attrelid = $1 AND attname OPERATOR(pg_catalog.=) $2 AND attnum > 0 AND NOT attisdropped",
        &[source.into(), column.into()],
    )
    .unwrap_or(None);
    if let Some(t) = t {
        return t
            .text(|| format!("{what}: the type name of column \"{column}\""))
            .to_owned();
    }
    ereport!(
        ERROR,
        PgSqlErrorCode::ERRCODE_UNDEFINED_COLUMN,
        format!(
            "{what}: column \"{column}\" does not exist in {}",
            relation_name(source)
        )
    );
}

pub fn relation_name(source: pg_sys::Oid) -> String {
    select_one::<TextBytes>("SELECT $1::pg_catalog.regclass::text", &[source.into()])
        .ok()
        .flatten()
        .unwrap_or_else(|| invalid_parameter("source: the relation does not exist"))
        .text(|| "source: the relation's name".into())
        .to_owned()
}

const NUMERIC_TYPES: [&str; 7] = [
    "smallint",
    "integer",
    "bigint",
    "real",
    "double precision",
    "numeric",
    "boolean",
];

/// Checks the feature columns' types (numbers or booleans; one jsonb column for keyed features).
pub fn resolve_features(
    source: pg_sys::Oid,
    features: &[String],
    names: Option<Vec<String>>,
) -> Features {
    if features.is_empty() {
        invalid_parameter("features: give at least one column");
    }
    let types: Vec<String> = features
        .iter()
        .map(|f| column_type(source, f, "features"))
        .collect();
    if features.len() == 1 && types[0] == "jsonb" {
        return Features::Json {
            column: features[0].clone(),
            names: names.unwrap_or_default(),
        };
    }
    if names.is_some() {
        invalid_parameter(
            "feature_names: only for a single jsonb features column (columns are named already)",
        );
    }
    for (f, t) in features.iter().zip(&types) {
        if !NUMERIC_TYPES.contains(&t.as_str()) {
            invalid_parameter(format!(
                "features: column \"{f}\" is {t}; train takes numeric or boolean columns, or one jsonb column"
            ));
        }
    }
    Features::Columns(features.to_vec())
}

impl Spec {
    fn filter(&self) -> String {
        let ts = quote_identifier(&self.ts_column);
        let mut w = format!(
            "{} IS NOT NULL AND {ts} IS NOT NULL",
            quote_identifier(&self.target)
        );
        if let Some(f) = &self.from {
            w += &format!(" AND {ts} >= {}::timestamptz", quote_literal(f));
        }
        if let Some(t) = &self.to {
            w += &format!(" AND {ts} < {}::timestamptz", quote_literal(t));
        }
        w
    }

    /// The keys of the jsonb features column over the labelled rows of the window, sorted.
    pub fn discover_keys(&mut self) {
        let Features::Json { column, names } = &self.features else {
            return;
        };
        if !names.is_empty() {
            return;
        }
        let column = column.clone();
        let q = format!(
            "SELECT pg_catalog.array_agg(k ORDER BY k) FROM (SELECT DISTINCT k FROM {} t,
               pg_catalog.jsonb_object_keys(CASE WHEN pg_catalog.jsonb_typeof(t.{c}) = 'object' THEN t.{c} END) k
              WHERE {}) s",
            relation_name(self.source),
            self.filter(),
            c = quote_identifier(&column),
        );
        let keys: Vec<String> = select_one::<Vec<TextBytes>>(&q, &[])
            .unwrap_or_else(|e| invalid_parameter(format!("features: {e}")))
            .unwrap_or_default()
            .iter()
            .map(|k| {
                k.text(|| format!("features: a key of jsonb column \"{column}\""))
                    .to_owned()
            })
            .collect();
        if keys.is_empty() {
            invalid_parameter(format!(
                "features: jsonb column \"{column}\" has no keys in the labelled rows of the window"
            ));
        }
        if keys.len() > 10_000 {
            raise(CoreError::limit_exceeded(format!(
                "features: jsonb column \"{column}\" has {} distinct keys; give feature_names",
                keys.len()
            )));
        }
        self.features = Features::Json {
            column,
            names: keys,
        };
    }

    /// `SELECT ts, target, feature...` over the window's labelled rows in time order, every
    /// value as text; for a jsonb column, its JSON type last (a row must be an object, as for
    /// `predict`).
    pub fn query(&self) -> String {
        let exprs: Vec<String> = match &self.features {
            Features::Columns(c) => c
                .iter()
                .map(|f| format!("t.{}::text", quote_identifier(f)))
                .collect(),
            Features::Json { column, names } => names
                .iter()
                .map(|k| {
                    format!(
                        "(t.{} -> {})::text",
                        quote_identifier(column),
                        quote_literal(k)
                    )
                })
                .chain(std::iter::once(format!(
                    "pg_catalog.jsonb_typeof(t.{})",
                    quote_identifier(column)
                )))
                .collect(),
        };
        let ts = quote_identifier(&self.ts_column);
        format!(
            // ISO 8601 whatever the session's DateStyle (the timestamps go into the metadata).
            "SELECT pg_catalog.to_jsonb(t.{ts}) OPERATOR(pg_catalog.#>>) '{{}}', t.{}::text, {} FROM {} t \
             WHERE {} ORDER BY t.{ts}",
            quote_identifier(&self.target),
            exprs.join(", "),
            relation_name(self.source),
            self.filter()
        )
    }
}

/// A feature value from its text form: NULL and JSON null are missing; numbers beyond float8
/// become ±Infinity (missing to the trainer); a boolean column's value is 1 or 0, but a jsonb
/// boolean is refused as `predict` refuses it (a model must not learn inputs it will not
/// serve); anything else names the feature and row.
pub fn parse_value(text: Option<&str>, feature: &str, ts: &str, json: bool) -> f64 {
    match text {
        None | Some("null") => f64::NAN,
        Some("true") if !json => 1.0,
        Some("false") if !json => 0.0,
        Some(t) => t.parse::<f64>().unwrap_or_else(|_| {
            invalid_parameter(format!(
                "features.{feature}: expected a number, got {t} (row at {ts})"
            ))
        }),
    }
}

/// Streams the rows of `spec` to `each(ts, target, features)`, 10 000 at a time.
pub fn for_each_row(spec: &Spec, mut each: impl FnMut(&str, &str, Vec<f64>)) {
    let query = spec.query();
    let names = spec.features.names().to_vec();
    let json = matches!(spec.features, Features::Json { .. });
    Spi::connect(|client| {
        let mut cursor = client
            .try_open_cursor(query.as_str(), &[])
            .unwrap_or_else(|e| invalid_parameter(format!("reading the rows failed: {e}")));
        loop {
            let table = cursor
                .fetch(10_000)
                .unwrap_or_else(|e| invalid_parameter(format!("reading the rows failed: {e}")));
            // SAFETY: the fetch just set it; read before anything else runs SPI.
            let raw = unsafe { pg_sys::SPI_tuptable };
            if table.is_empty() {
                break;
            }
            for row in table {
                let ts: Option<TextBytes> = row.get(1).ok().flatten();
                let ts = ts
                    .as_ref()
                    .map_or("", |t| t.text(|| "a value of the ts_column".into()))
                    .to_owned();
                let target: Option<TextBytes> = row.get(2).ok().flatten();
                let target = target
                    .as_ref()
                    .map_or("", |t| t.text(|| format!("the target (row at {ts})")));
                if let Features::Json { column, .. } = &spec.features {
                    // SQL NULL is a row of missing values; any other non-object is refused.
                    let kind: Option<String> = row.get(names.len() + 3).ok().flatten();
                    if let Some(kind) = kind.filter(|k| k != "object") {
                        invalid_parameter(format!(
                            "{column}: expected a jsonb object, got {kind} (row at {ts})"
                        ));
                    }
                }
                let x: Vec<f64> = names
                    .iter()
                    .enumerate()
                    .map(|(j, f)| {
                        let v: Option<TextBytes> = row.get(j + 3).ok().flatten();
                        let v = v
                            .as_ref()
                            .map(|v| v.text(|| format!("features.{f} (row at {ts})")));
                        parse_value(v, f, &ts, json)
                    })
                    .collect();
                each(&ts, target, x);
            }
            // A batch's tuples would otherwise stay until SPI_finish: the whole window in memory.
            // SAFETY: `raw` is this batch's table and nothing refers to it any more.
            unsafe { pg_sys::SPI_freetuptable(raw) };
            pgrx::check_for_interrupts!();
        }
    });
}
