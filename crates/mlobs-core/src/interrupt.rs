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

/// How a job that cannot poll for cancellation itself (a library's loop) is run: the extension
/// runs it on another thread and polls the check while it waits.
pub type Runner = fn(Box<dyn FnOnce() + Send + 'static>);

static RUNNER: OnceLock<Runner> = OnceLock::new();

/// Registers the runner; later registrations are ignored.
pub fn set_runner(runner: Runner) {
    let _ = RUNNER.set(runner);
}

/// Runs `job` with the registered runner, else in place. If the check raises while the job
/// runs, this does not return: the job finishes on its own and its result is dropped. The job
/// must not call PostgreSQL (it may run on another thread), so it owns what it reads.
pub fn run_cancellable<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> T {
    let Some(run) = RUNNER.get() else {
        return job();
    };
    let slot = std::sync::Arc::new(std::sync::Mutex::new(None));
    let out = slot.clone();
    run(Box::new(move || {
        let value = job();
        *out.lock().unwrap_or_else(|e| e.into_inner()) = Some(value);
    }));
    let value = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    value.expect("the runner returns once the job has run")
}
