//! mlobs: ML model monitoring inside PostgreSQL. This crate is the glue between SQL and the
//! numerical core (`mlobs-core`): types, aggregates, functions. All `unsafe` lives here.

pgrx::pg_module_magic!(name, version);

mod agg;
mod arg_cache;
mod calibration;
mod classification;
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
#[pgrx::pg_guard]
pub extern "C-unwind" fn _PG_init() {
    mlobs_core::interrupt::set_check(check_for_interrupts);
}

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
