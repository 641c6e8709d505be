//! The model registry: `mlobs.register_model` validates an export and stores it as the next
//! version in `mlobs.models`; readers find a model by name (its production version, else the
//! latest) or (name, version).
//!
//! Two caches keep decoding off the per-row path:
//! * per backend, decoded models by (name, version), checked against the row's `xmin`, `cmin`
//!   and `ctid` so a version number reused after a rolled-back registration, or a row replaced
//!   in the transaction that read it (every row it writes shares one `xmin`), is never served
//!   stale;
//! * per call site (the function's `fn_extra`), the model resolved under the current snapshot:
//!   the lookup cannot change while the snapshot (its xmin, xmax, command id and the count of
//!   transactions completed when it was taken) is the same. A command id alone is not enough: a
//!   PL/pgSQL loop of read-only statements keeps one command id and one call site (its simple
//!   expressions' state lives for the transaction) while each statement of a READ COMMITTED
//!   transaction takes a new snapshot.

use crate::errors::{invalid_parameter, required};
use mlobs_explain::Model;
use pgrx::prelude::*;
use pgrx::{pg_sys, PgMemoryContexts};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// (name, version) → (the row's identity: xmin/cmin/ctid, decoded model).
type Decoded = HashMap<(String, i32), (String, Rc<Model>)>;
/// A matrix argument's bytes and its decoded rows.
pub type Matrix = (Vec<u8>, Rc<Vec<Vec<f64>>>);

thread_local! {
    static DECODED: RefCell<Decoded> = RefCell::new(HashMap::new());
}

/// Decoded models kept per backend; beyond this the cache starts over (models are large).
const MAX_CACHED: usize = 64;

fn decode(format: &str, body: &serde_json::Value) -> Model {
    mlobs_explain::decode(format, body)
        .unwrap_or_else(|e| invalid_parameter(format!("invalid model: {e}")))
}

/// Validates `body` as a `format` model and stores it as the next version of `name`.
#[pg_extern(volatile, parallel_unsafe)]
fn register_model(
    name: Option<crate::db_text::DbStr<'_>>,
    format: Option<crate::db_text::DbStr<'_>>,
    body: Option<crate::jsonb_arg::JsonbArg>,
    feature_names: default!(Option<Vec<Option<crate::db_text::DbString>>>, "NULL"),
) -> i32 {
    let name = name.as_deref();
    let format = format.as_deref();
    let feature_names = crate::db_text::strings(feature_names);
    crate::errors::require_primary("mlobs.register_model");
    let name = required(name, "name");
    let format = required(format, "format");
    let body = required(body, "body").value("body");
    if name.is_empty() {
        invalid_parameter("name must not be empty");
    }
    let model = decode(format, &body);
    let names = match feature_names {
        Some(names) => Some(
            mlobs_explain::names::check_names(
                crate::errors::no_null_elements(names, "feature_names"),
                "feature_names",
                model.n_features,
            )
            .unwrap_or_else(|e| invalid_parameter(e.message)),
        ),
        None => model.feature_names.clone(),
    };
    let objective = model.objective.clone();
    lock_versions(name);
    Spi::get_one_with_args::<i32>(
        "INSERT INTO mlobs.models (name, version, format, body, feature_names, n_features, objective)
         SELECT $1, coalesce(pg_catalog.max(version), 0) OPERATOR(pg_catalog.+) 1, $2, $3, $4, $5, $6
           FROM mlobs.models WHERE name OPERATOR(pg_catalog.=) $1
         RETURNING version",
        &[
            name.into(),
            format.into(),
            pgrx::JsonB(body).into(),
            names.into(),
            (model.n_features as i32).into(),
            objective.into(),
        ],
    )
    .expect("insert into mlobs.models")
    .expect("RETURNING version")
}

/// Serialises new versions of one model until the end of the transaction. A new version is
/// `max(version) + 1`, which a concurrent transaction's uncommitted version does not change:
/// both would store the same number, and the second would fail on the primary key. Taken just
/// before the INSERT, whose own statement snapshot (READ COMMITTED) then sees the other's version.
/// Row locks on the model's versions, or for a model's first version the table in a mode only
/// writers conflict with (readers and `predict` go on): both need a privilege only `mlobs_admin`
/// has, where an advisory lock's key could be taken by any role to stall registrations.
pub fn lock_versions(name: &str) {
    let versions = Spi::get_one_with_args::<i64>(
        "WITH locked AS (SELECT FROM mlobs.models m WHERE m.name OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE)
         SELECT pg_catalog.count(*) FROM locked",
        &[name.into()],
    )
    .expect("lock on the model's versions")
    .unwrap_or(0);
    if versions == 0 {
        Spi::run("LOCK TABLE mlobs.models IN SHARE ROW EXCLUSIVE MODE")
            .expect("lock on the model registry");
    }
}

/// A resolved model: the decoded form with the registry's feature names.
pub struct Resolved {
    pub model: Rc<Model>,
}

/// Reads the first row of a read-only query on `mlobs.models` with parameters (name text,
/// version int4 or NULL), every column as text. Read-only SPI, as PL/pgSQL runs STABLE
/// functions: no command-counter increment and no transaction id, so it also works inside
/// parallel workers (pgrx's Spi helpers decide read-only-ness per transaction instead).
fn read_row(
    query: &str,
    name: &str,
    version: Option<i32>,
    columns: usize,
) -> Option<Vec<Option<String>>> {
    let query = std::ffi::CString::new(query).expect("no NUL in query");
    let name_datum = name.into_datum().expect("text datum");
    let mut types = [pg_sys::TEXTOID, pg_sys::INT4OID];
    let mut values = [name_datum, pg_sys::Datum::from(version.unwrap_or(0))];
    let nulls = [
        b' ' as std::ffi::c_char,
        if version.is_some() { b' ' } else { b'n' } as std::ffi::c_char,
    ];
    unsafe {
        if pg_sys::SPI_connect() != pg_sys::SPI_OK_CONNECT as i32 {
            error!("SPI_connect failed");
        }
        let rc = pg_sys::SPI_execute_with_args(
            query.as_ptr(),
            2,
            types.as_mut_ptr(),
            values.as_mut_ptr(),
            nulls.as_ptr(),
            true,
            1,
        );
        if rc != pg_sys::SPI_OK_SELECT as i32 {
            error!("reading mlobs.models failed ({rc})");
        }
        let row = if pg_sys::SPI_processed == 1 {
            let table = &*pg_sys::SPI_tuptable;
            let tuple = *table.vals;
            Some(
                (1..=columns as i32)
                    .map(|c| {
                        let p = pg_sys::SPI_getvalue(tuple, table.tupdesc, c);
                        (!p.is_null())
                            .then(|| std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned())
                    })
                    .collect(),
            )
        } else {
            None
        };
        pg_sys::SPI_finish();
        row
    }
}

thread_local! {
    static STAGES_SEEN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether `mlobs.model_stages` exists. A new library runs against the previous version's schema
/// between a package upgrade and `ALTER EXTENSION mlobs UPDATE` (0.2.0 has no stages); the
/// readers must keep serving then. Once seen, the table is not looked for again.
fn stages_exist() -> bool {
    if STAGES_SEEN.with(|s| s.get()) {
        return true;
    }
    let seen = read_row(
        "SELECT pg_catalog.to_regclass('mlobs.model_stages')::pg_catalog.text, $1, $2",
        "",
        None,
        1,
    )
    .is_some_and(|r| r[0].is_some());
    STAGES_SEEN.with(|s| s.set(seen));
    seen
}

/// Looks the model up in `mlobs.models` (when `version` is None: the version in stage
/// `production`, else the latest).
pub fn lookup(name: &str, version: Option<i32>) -> Resolved {
    let found = read_row(
        if stages_exist() {
            // Without a version: the production stage's version, else the latest (docs/training.md).
            "SELECT m.version, pg_catalog.concat_ws('/', m.xmin, m.cmin, m.ctid) FROM mlobs.models m
             WHERE m.name OPERATOR(pg_catalog.=) $1 AND ($2 IS NULL OR m.version OPERATOR(pg_catalog.=) $2)
             ORDER BY m.version OPERATOR(pg_catalog.=) (SELECT s.version FROM mlobs.model_stages s
                        WHERE s.name OPERATOR(pg_catalog.=) $1 AND s.stage OPERATOR(pg_catalog.=) 'production') DESC NULLS LAST,
                      m.version DESC LIMIT 1"
        } else {
            "SELECT version, pg_catalog.concat_ws('/', xmin, cmin, ctid) FROM mlobs.models
             WHERE name OPERATOR(pg_catalog.=) $1 AND ($2 IS NULL OR version OPERATOR(pg_catalog.=) $2)
             ORDER BY version DESC LIMIT 1"
        },
        name,
        version,
        2,
    );
    let Some([Some(found_version), Some(xmin)]) =
        found.map(|r| <[Option<String>; 2]>::try_from(r).expect("2 columns"))
    else {
        let what = match version {
            Some(v) => format!("model '{name}' version {v} is not registered"),
            None => format!("model '{name}' is not registered"),
        };
        ereport!(ERROR, PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT, what);
    };
    let version: i32 = found_version.parse().expect("int4 text");
    let key = (name.to_owned(), version);
    let hit = DECODED.with(|c| {
        c.borrow()
            .get(&key)
            .filter(|(x, _)| *x == xmin)
            .map(|(_, m)| m.clone())
    });
    let model = match hit {
        Some(m) => m,
        None => {
            let row = read_row(
                "SELECT format, body::pg_catalog.text, pg_catalog.array_to_json(feature_names)::pg_catalog.text FROM mlobs.models
                 WHERE name OPERATOR(pg_catalog.=) $1 AND version OPERATOR(pg_catalog.=) $2",
                name,
                Some(version),
                3,
            )
            .expect("the row just found");
            let format = row[0].clone().unwrap_or_default();
            let body = row[1].clone().unwrap_or_default();
            // mlobs_admin may write mlobs.models directly, so the row is checked as
            // register_model checks its arguments: a bad one is 22023 naming it, not a panic.
            fn bad_row(name: &str, version: i32, what: String) -> ! {
                invalid_parameter(format!(
                    "model '{name}' version {version}: {what} (rows written to mlobs.models directly are not checked: register it with mlobs.register_model)"
                ))
            }
            let names: Option<Vec<String>> = row[2].as_deref().map(|t| {
                serde_json::from_str(t).unwrap_or_else(|_| {
                    bad_row(name, version, "feature_names must not contain NULL".into())
                })
            });
            let body: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|e| {
                bad_row(
                    name,
                    version,
                    format!("its body cannot be read as a model ({e})"),
                )
            });
            let mut model = decode(&format, &body);
            if let Some(n) = &names
                && n.len() != model.n_features
            {
                bad_row(
                    name,
                    version,
                    format!(
                        "feature_names has {} names, the model {} features",
                        n.len(),
                        model.n_features
                    ),
                );
            }
            if names.is_some() {
                model.feature_names = names;
            }
            let model = Rc::new(model);
            DECODED.with(|c| {
                let mut c = c.borrow_mut();
                if c.len() >= MAX_CACHED {
                    c.clear();
                }
                c.insert(key, (xmin, model.clone()));
            });
            model
        }
    };
    Resolved { model }
}

/// Per call site state in fn_extra: the model resolved for the current command, and the last
/// background argument decoded (interventional SHAP, LIME).
#[derive(Default)]
pub struct CallSite {
    model: Option<(String, Option<i32>, SnapshotKey, Rc<Resolved>)>,
    pub background: Option<Matrix>,
}

/// The call site's state, created on first use in the function's memory context.
///
/// # Safety
/// `fcinfo` must be the current call's, and nothing else may use its fn_extra.
pub unsafe fn call_site<'a>(fcinfo: pg_sys::FunctionCallInfo) -> &'a mut CallSite {
    unsafe {
        let flinfo = (*fcinfo).flinfo;
        if (*flinfo).fn_extra.is_null() {
            let ptr = PgMemoryContexts::For((*flinfo).fn_mcxt)
                .leak_and_drop_on_delete(CallSite::default());
            (*flinfo).fn_extra = ptr.cast();
        }
        &mut *((*flinfo).fn_extra as *mut CallSite)
    }
}

/// What a lookup under the active snapshot depends on: (xmin, xmax, command id, transactions
/// completed when it was taken); `None` without an active snapshot (never cached).
type SnapshotKey = Option<(u32, u32, u32, u64)>;

fn snapshot_key() -> SnapshotKey {
    // SAFETY: reads the backend's active snapshot, if any, without keeping it.
    unsafe {
        if !pg_sys::ActiveSnapshotSet() {
            return None;
        }
        let s = pg_sys::GetActiveSnapshot();
        Some((
            (*s).xmin.into_inner(),
            (*s).xmax.into_inner(),
            (*s).curcid,
            (*s).snapXactCompletionCount,
        ))
    }
}

/// The model `name` (latest, or `version`), resolved once per snapshot at this call site.
///
/// # Safety
/// As for `call_site`.
pub unsafe fn resolve(
    fcinfo: pg_sys::FunctionCallInfo,
    name: &str,
    version: Option<i32>,
) -> Rc<Resolved> {
    let snapshot = snapshot_key();
    let site = unsafe { call_site(fcinfo) };
    if let Some((n, v, k, r)) = &site.model
        && n == name
        && *v == version
        && snapshot.is_some()
        && *k == snapshot
    {
        return r.clone();
    }
    let r = Rc::new(lookup(name, version));
    site.model = Some((name.to_owned(), version, snapshot, r.clone()));
    r
}
