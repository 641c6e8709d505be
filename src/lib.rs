//! mlobs: ML model monitoring inside PostgreSQL. This crate is the glue between SQL and the
//! numerical core (`mlobs-core`): types, aggregates, functions. All `unsafe` lives here.

pgrx::pg_module_magic!(name, version);

mod agg;
mod arg_cache;
mod calibration;
mod classification;
mod composite;
mod concept;
mod db_text;
mod drift;
// The allocator is only installed outside `cargo test` builds (see GLOBAL below).
#[cfg_attr(test, allow(dead_code))]
mod alloc;
mod categories;
mod errors;
mod features;
mod histogram;
mod jsonb_arg;
mod models;
mod multivariate;
mod multivariate_monitor;
mod profile;
mod psi;
mod quality;
mod ranking;
mod regression;
mod report;
mod summary_type;
mod text_cache;
mod training;
mod v1;
mod varlena_io;

#[cfg(not(test))]
#[global_allocator]
static GLOBAL: alloc::PgAwareAllocator = alloc::PgAwareAllocator;

/// Long core computations (exact KS, permutation tests) poll PostgreSQL's interrupt flag, so a
/// cancelled query stops promptly.
///
/// No error sends a Rust backtrace to the client: pgrx's panic hook captures one
/// (`Backtrace::capture`) for every panic and every PostgreSQL ERROR raised inside Rust code, and
/// appends it to the ERROR's DETAIL whenever capturing is enabled — by RUST_BACKTRACE or
/// RUST_LIB_BACKTRACE in the server's environment. RUST_LIB_BACKTRACE takes precedence and is
/// read once per process, at the first capture, which comes after this (tested by
/// tests/integration/backtrace/run.sh). Backends are single-threaded, so setting it is sound.
#[pgrx::pg_guard]
pub extern "C-unwind" fn _PG_init() {
    // SAFETY: _PG_init runs once per backend, before any thread could read the environment.
    unsafe { std::env::set_var(NO_BACKTRACE.0, NO_BACKTRACE.1) };
    mlobs_core::interrupt::set_check(check_for_interrupts);
    mlobs_core::interrupt::set_runner(run_cancellable);
}

/// The environment setting that disables backtrace capture.
const NO_BACKTRACE: (&str, &str) = ("RUST_LIB_BACKTRACE", "0");

fn check_for_interrupts() {
    pgrx::check_for_interrupts!();
}

/// Runs a job that cannot poll for interrupts (smartcore growing a tree) on its own thread, and
/// polls them here while it runs: a cancel, statement_timeout or pg_terminate_backend raises on
/// this thread at once; the job, which touches nothing of PostgreSQL's and owns its data, runs to
/// its end and its result is dropped (a terminated backend's exit ends it). The thread blocks
/// every signal, so PostgreSQL's handlers keep running on the backend's own thread.
fn run_cancellable(job: Box<dyn FnOnce() + Send + 'static>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    // Jobs of this backend still running, a cancelled one among them. A new job waits for them
    // (cancellably), so a client that retries after each timeout holds one abandoned job at most,
    // not one more core and one more maintenance_work_mem each time.
    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    while RUNNING.load(Ordering::Acquire) > 0 {
        check_for_interrupts();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let (done, finished) = mpsc::channel();
    RUNNING.fetch_add(1, Ordering::AcqRel);
    let spawned = std::thread::Builder::new()
        .name("mlobs job".into())
        .spawn(move || {
            alloc::mark_job_thread();
            // SAFETY: a signal set on this thread's stack, filled and applied to this thread only.
            unsafe {
                let mut all = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
                libc::sigfillset(all.as_mut_ptr());
                libc::pthread_sigmask(libc::SIG_BLOCK, all.as_ptr(), std::ptr::null_mut());
            }
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            RUNNING.fetch_sub(1, Ordering::Release);
            let _ = done.send(result);
        });
    if let Err(e) = spawned {
        RUNNING.fetch_sub(1, Ordering::Release);
        pgrx::ereport!(
            ERROR,
            pgrx::PgSqlErrorCode::ERRCODE_INSUFFICIENT_RESOURCES,
            format!("mlobs: could not start a thread for the computation: {e}")
        );
    }
    loop {
        match finished.recv_timeout(std::time::Duration::from_millis(10)) {
            Ok(Ok(())) => return,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(mpsc::RecvTimeoutError::Timeout) => check_for_interrupts(),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("mlobs: the computation's thread ended without a result")
            }
        }
    }
}

// The hand-written SQL, one file per family in src/sql/ (the per-type blocks inside them are
// written by scripts/sql_families.py). pgrx places a #[pg_extern] after the file that `creates`
// a type it takes or returns. Composite result types (drift.sql, quality.sql) are named by string
// (`composite_type!`), which gives pgrx no such edge: those files rely on pgrx emitting SQL files
// that require no Rust entity before the functions (CREATE EXTENSION fails loudly otherwise).
pgrx::extension_sql_file!("sql/schema_guard.sql", name = "schema_guard", bootstrap);
pgrx::extension_sql_file!(
    "sql/profile.sql",
    name = "profile",
    creates = [Type(crate::profile::Profile)]
);
pgrx::extension_sql_file!(
    "sql/histogram.sql",
    name = "histogram",
    creates = [Type(crate::histogram::Histogram)]
);
pgrx::extension_sql_file!(
    "sql/categories.sql",
    name = "categories",
    creates = [Type(crate::categories::Categories)]
);
pgrx::extension_sql_file!(
    "sql/features.sql",
    name = "features",
    creates = [Type(crate::features::FeatureProfiles)]
);
pgrx::extension_sql_file!("sql/drift.sql", name = "drift");
pgrx::extension_sql_file!(
    "sql/confusion.sql",
    name = "confusion",
    creates = [Type(crate::classification::Confusion)]
);
pgrx::extension_sql_file!(
    "sql/score.sql",
    name = "score",
    creates = [Type(crate::ranking::ScoreSummary)]
);
pgrx::extension_sql_file!(
    "sql/regression.sql",
    name = "regression",
    creates = [Type(crate::regression::RegressionSummary)]
);
pgrx::extension_sql_file!("sql/ranking.sql", name = "ranking");
pgrx::extension_sql_file!("sql/losses.sql", name = "losses");
// calibration_agg runs on the ranking state; cbpe_agg ends in a confusion summary.
pgrx::extension_sql_file!(
    "sql/calibration.sql",
    name = "calibration",
    requires = ["ranking", "confusion"],
    creates = [Type(crate::calibration::Calibration)]
);
pgrx::extension_sql_file!("sql/quality.sql", name = "quality");
pgrx::extension_sql_file!("sql/models.sql", name = "models");
// The monitoring runtime, in dependency order (SQL-language bodies are checked at creation); its
// summaries are those of every family above. monitor_kinds: one descriptor row per monitor kind.
pgrx::extension_sql_file!("sql/monitor_kinds.sql", name = "monitor_kinds");
pgrx::extension_sql_file!(
    "sql/monitoring.sql",
    name = "monitoring",
    requires = [
        "monitor_kinds",
        "profile",
        "histogram",
        "categories",
        "features",
        "drift",
        "confusion",
        "score",
        "regression",
        "ranking",
        "losses",
        "calibration",
        "quality",
        "models"
    ]
);
pgrx::extension_sql_file!(
    "sql/monitor_config.sql",
    name = "monitor_config",
    requires = ["monitoring"]
);
pgrx::extension_sql_file!(
    "sql/monitor_multivariate.sql",
    name = "monitor_multivariate",
    requires = ["monitor_config"]
);
pgrx::extension_sql_file!(
    "sql/monitor_alerts.sql",
    name = "monitor_alerts",
    requires = ["monitor_config"]
);
pgrx::extension_sql_file!(
    "sql/monitor_run.sql",
    name = "monitor_run",
    requires = ["monitor_alerts"]
);
// Training, stages and the retraining loop (over the registry and the retraining requests).
pgrx::extension_sql_file!(
    "sql/training.sql",
    name = "training",
    requires = [
        "monitor_run",
        training::train_impl,
        training::compare::compare_impl
    ]
);
// Retention of partitioned logs and of the runtime's history (over monitors, runs, policies).
pgrx::extension_sql_file!(
    "sql/retention.sql",
    name = "retention",
    requires = ["training"]
);
// Reports: HTML rendered from the metric points, alerts and (where the caller may read it) the log.
pgrx::extension_sql_file!(
    "sql/report.sql",
    name = "report",
    requires = ["retention", report::render_report]
);
pgrx::extension_sql_file!("sql/finalize.sql", name = "finalize", finalize);

#[cfg(any(test, feature = "pg_test"))]
#[pgrx::pg_schema]
mod tests {
    include!("pg_tests.rs");
}

/// Required by `cargo pgrx test`.
#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}
