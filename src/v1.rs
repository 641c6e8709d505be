//! `v1!` declares a raw PostgreSQL V1 C function (`PG_FUNCTION_INFO_V1` + body) with pgrx's
//! panic guard. Used for type I/O and aggregate support functions, whose SQL is hand-written in
//! `src/sql/` because their signatures (`internal`, `cstring`, shell types) are outside pgrx's model
//! and because the transition functions are the hot path.

#[macro_export]
macro_rules! v1 {
    ($name:ident, $finfo:ident, |$fcinfo:ident| $body:block) => {
        $crate::v1!(@emit (no_mangle) $finfo, (no_mangle) $name, |$fcinfo| $body);
    };
    // `v1!(prefix "suffix" => name / finfo, …)`: the C symbols `prefix_suffix` and
    // `pg_finfo_prefix_suffix` derived for a family of functions (`summary_type!`), through
    // `export_name` strings so that no identifier is pasted; `name` and `finfo` are Rust names.
    ($prefix:ident $suffix:literal => $name:ident / $finfo:ident, |$fcinfo:ident| $body:block) => {
        $crate::v1!(
            @emit (export_name = concat!("pg_finfo_", stringify!($prefix), "_", $suffix)) $finfo,
            (export_name = concat!(stringify!($prefix), "_", $suffix)) $name,
            |$fcinfo| $body
        );
    };
    (@emit ($($finfo_symbol:tt)*) $finfo:ident, ($($symbol:tt)*) $name:ident,
     |$fcinfo:ident| $body:block) => {
        #[unsafe($($finfo_symbol)*)]
        #[doc(hidden)]
        pub extern "C" fn $finfo() -> &'static ::pgrx::pg_sys::Pg_finfo_record {
            const V1_API: ::pgrx::pg_sys::Pg_finfo_record =
                ::pgrx::pg_sys::Pg_finfo_record { api_version: 1 };
            &V1_API
        }

        #[unsafe($($symbol)*)]
        #[doc(hidden)]
        pub unsafe extern "C-unwind" fn $name(
            $fcinfo: ::pgrx::pg_sys::FunctionCallInfo,
        ) -> ::pgrx::pg_sys::Datum {
            // What #[pg_guard] does: a Rust panic becomes a PostgreSQL ERROR at this boundary.
            #[allow(unused_unsafe)]
            unsafe {
                ::pgrx::pg_sys::panic::pgrx_extern_c_guard(move || $body)
            }
        }
    };
}
