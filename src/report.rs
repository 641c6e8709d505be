//! `mlobs._render_report`: the HTML of a report from the JSON `mlobs.report` gathered
//! (src/sql/report.sql); the layout lives in crates/mlobs-report.

use pgrx::prelude::*;

/// Bad report data is a caller's error (22023) naming what was wrong, never an internal one.
#[pg_extern(immutable, parallel_safe, name = "_render_report")]
fn render_report(data: crate::db_text::DbStr<'_>) -> String {
    let data: &str = &data;
    mlobs_report::render_json(data).unwrap_or_else(|e| crate::errors::invalid_parameter(e))
}
