//! Cooperative cancellation for long computations. The core knows nothing of PostgreSQL; the
//! extension registers a check (PostgreSQL's CHECK_FOR_INTERRUPTS, which raises an ERROR — a
//! Rust panic unwinding out of the core — when the query was cancelled) and the long loops here
//! call it. Without a registered check (unit tests, benches) it does nothing.

use std::sync::OnceLock;

static CHECK: OnceLock<fn()> = OnceLock::new();

/// Registers the check; later registrations are ignored.
pub fn set_check(check: fn()) {
    let _ = CHECK.set(check);
}

/// Calls the registered check, if any.
#[inline]
pub fn check() {
    if let Some(f) = CHECK.get() {
        f()
    }
}
