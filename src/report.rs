//! `mlobs._render_report`: the HTML of a report from the JSON `mlobs.report` gathered
//! (src/sql/report.sql); the layout lives in crates/mlobs-report.

use pgrx::prelude::*;

/// Bad report data is a caller's error (22023) naming what was wrong, never an internal one.
/// The data comes as UTF-8 (`convert_to(data, 'UTF8')`: a name of any database encoding), and in
/// a database that is not UTF-8 the document is written in ASCII, every other character as an
/// HTML character reference, which any server encoding holds (a LATIN1 database refused the
/// whole report over one accented name, and could not hold its "≥" and "–").
#[pg_extern(immutable, parallel_safe, name = "_render_report")]
fn render_report(data: &[u8]) -> String {
    let data = std::str::from_utf8(data)
        .unwrap_or_else(|_| crate::errors::invalid_parameter("report data: not UTF-8"));
    let html =
        mlobs_report::render_json(data).unwrap_or_else(|e| crate::errors::invalid_parameter(e));
    if crate::jsonb_arg::database_is_utf8() {
        html
    } else {
        mlobs_report::ascii_html(&html)
    }
}

/// For mlobs.report: the first value (a `bytea`) of one read-only query over a monitor's log, run
/// as `owner` the way PostgreSQL's ANALYZE runs a table owner's index functions: as a
/// security-restricted operation, so the owner's code (a view's functions, a type's cast, an
/// index expression) runs with the owner's rights and cannot take back the caller's (SET ROLE
/// and RESET ROLE are refused there: `SET ROLE owner` let a view's function reset the role and
/// act as the superuser who ran the report), and the settings it changes are undone after.
/// Only a role that may `SET ROLE` to `owner` may ask, as for SET ROLE.
/// The query comes as its bytes in the database encoding (`convert_to(query,
/// current_setting('server_encoding'))`), as SPI takes it: a `text` argument is held to UTF-8
/// in other encodings, which refused an accented table name.
#[pg_extern(volatile, parallel_unsafe, name = "_report_query_as")]
fn report_query_as(owner: pg_sys::Oid, query: &[u8]) -> Option<Vec<u8>> {
    let (mut saved_user, mut saved_context) = (pg_sys::InvalidOid, 0);
    // SAFETY: reads the backend's current user and security context into the two locals.
    unsafe { pg_sys::GetUserIdAndSecContext(&mut saved_user, &mut saved_context) };
    // SAFETY: catalog lookups on the backend's thread (a superuser is a member of any OID).
    if unsafe { pg_sys::GetUserNameFromId(owner, true) }.is_null()
        || !unsafe { pg_sys::is_member_of_role(saved_user, owner) }
    {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            "only a member of the role may read as it"
        );
    }
    let restricted =
        (pg_sys::SECURITY_LOCAL_USERID_CHANGE | pg_sys::SECURITY_RESTRICTED_OPERATION) as i32;
    // SAFETY: as ANALYZE does; an ERROR below unwinds past the restore, and the aborted
    // (sub)transaction then restores the user, the context and the settings itself.
    let nest = unsafe {
        let nest = pg_sys::NewGUCNestLevel();
        pg_sys::SetUserIdAndSecContext(owner, saved_context | restricted);
        nest
    };
    let query = std::ffi::CString::new(query)
        .unwrap_or_else(|_| crate::errors::invalid_parameter("report query: a NUL byte"));
    let value = Spi::connect(|client| {
        client
            .select(query.as_c_str(), Some(1), &[])?
            .first()
            .get_one::<Vec<u8>>()
    });
    // SAFETY: undoes the two changes above, in reverse order.
    unsafe {
        pg_sys::AtEOXact_GUC(false, nest);
        pg_sys::SetUserIdAndSecContext(saved_user, saved_context);
    }
    value.unwrap_or_else(|e| crate::errors::invalid_parameter(format!("report query: {e}")))
}
