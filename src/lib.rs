//! mlobs: ML model monitoring inside PostgreSQL. This crate is the glue between SQL and the
//! numerical core (`mlobs-core`): types, aggregates, functions. All `unsafe` lives here.

pgrx::pg_module_magic!(name, version);

mod agg;
mod arg_cache;
mod calibration;
mod classification;
mod composite;
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
mod profile;
mod psi;
mod quality;
mod ranking;
mod regression;
mod summary_type;
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
/// tests/integration/backtrace.sh). Backends are single-threaded, so setting it is sound.
#[pgrx::pg_guard]
pub extern "C-unwind" fn _PG_init() {
    // SAFETY: _PG_init runs once per backend, before any thread could read the environment.
    unsafe { std::env::set_var(NO_BACKTRACE.0, NO_BACKTRACE.1) };
    mlobs_core::interrupt::set_check(check_for_interrupts);
}

/// The environment setting that disables backtrace capture.
const NO_BACKTRACE: (&str, &str) = ("RUST_LIB_BACKTRACE", "0");

fn check_for_interrupts() {
    pgrx::check_for_interrupts!();
}

pgrx::extension_sql_file!("../sql/bootstrap.sql", name = "bootstrap", bootstrap);
// The monitoring runtime, in dependency order (SQL-language bodies are checked at creation).
pgrx::extension_sql_file!(
    "../sql/monitoring.sql",
    name = "monitoring",
    requires = ["bootstrap"]
);
pgrx::extension_sql_file!(
    "../sql/monitor_config.sql",
    name = "monitor_config",
    requires = ["monitoring"]
);
pgrx::extension_sql_file!(
    "../sql/monitor_alerts.sql",
    name = "monitor_alerts",
    requires = ["monitor_config"]
);
pgrx::extension_sql_file!(
    "../sql/monitor_run.sql",
    name = "monitor_run",
    requires = ["monitor_alerts"]
);
pgrx::extension_sql_file!(
    "../sql/simulate.sql",
    name = "simulate",
    requires = ["monitor_run"]
);
pgrx::extension_sql_file!("../sql/finalize.sql", name = "finalize", finalize);

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
