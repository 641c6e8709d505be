//! `v1!` declares a raw PostgreSQL V1 C function (`PG_FUNCTION_INFO_V1` + body) with pgrx's
//! panic guard. Used for type I/O and aggregate support functions, whose SQL is hand-written in
//! `src/sql/` because their signatures (`internal`, `cstring`, shell types) are outside pgrx's model
//! and because the transition functions are the hot path.

#[macro_export]
macro_rules! v1 {
    ($name:ident, $finfo:ident, |$fcinfo:ident| $body:block) => {
        #[unsafe(no_mangle)]
        #[doc(hidden)]
        pub extern "C" fn $finfo() -> &'static ::pgrx::pg_sys::Pg_finfo_record {
            const V1_API: ::pgrx::pg_sys::Pg_finfo_record =
                ::pgrx::pg_sys::Pg_finfo_record { api_version: 1 };
            &V1_API
        }

        #[unsafe(no_mangle)]
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
