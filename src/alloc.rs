//! Global allocator: the system allocator with a per-request cap.
//!
//! Rust's default reaction to a failed allocation is to abort the process, which would take the
//! whole PostgreSQL server through crash recovery. A panic cannot be used instead: the allocator
//! entry points are `nounwind`, so a panic there aborts as well (measured on rustc 1.95: the
//! unwind bypasses `catch_unwind`). So a request above `MAX_ALLOCATION` or one the system refuses
//! is reported the way PostgreSQL's own palloc reports it: `ereport(ERROR)`, i.e. a longjmp to
//! the backend's error handler. Rust frames between here and there are skipped without running
//! destructors; what they owned leaks for the rest of the session, which is acceptable for a
//! failure that is already exceptional. Our code holds no locks across allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::{c_char, c_int};

/// Largest single allocation mlobs makes (1 GiB, PostgreSQL's MaxAllocSize). Every summary is
/// bounded far below this; larger requests only come from oversized input and become an ERROR.
pub const MAX_ALLOCATION: usize = 1 << 30;

// Declared here rather than through pgrx's guarded bindings: those turn the longjmp into a Rust
// panic, which must not happen inside the allocator.
unsafe extern "C" {
    fn errstart(elevel: c_int, domain: *const c_char) -> bool;
    fn errcode(sqlerrcode: c_int) -> c_int;
    fn errmsg_internal(fmt: *const c_char, ...) -> c_int;
    fn errfinish(filename: *const c_char, lineno: c_int, funcname: *const c_char);
}

thread_local! {
    /// Set on the threads `run_cancellable` (lib.rs) runs library code on.
    static JOB_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the calling thread as a job thread, not the backend's.
pub fn mark_job_thread() {
    JOB_THREAD.with(|t| t.set(true));
}

fn on_job_thread() -> bool {
    JOB_THREAD.try_with(|t| t.get()).unwrap_or(false)
}

#[cold]
#[inline(never)]
fn out_of_memory(size: usize) -> ! {
    // Only the backend's own thread may raise a PostgreSQL ERROR. A job thread (a tree grown by
    // smartcore) has no per-request cap, and one the system refuses memory has no way to report
    // it: aborting is what Rust itself would do. Its memory was estimated against
    // maintenance_work_mem before it started (training).
    if on_job_thread() {
        std::process::abort()
    }
    unsafe {
        if errstart(pgrx::PgLogLevel::ERROR as c_int, std::ptr::null()) {
            errcode(pgrx::PgSqlErrorCode::ERRCODE_OUT_OF_MEMORY as c_int);
            errmsg_internal(
                c"mlobs: out of memory: a request for %zu bytes failed (limit %zu bytes per allocation)".as_ptr(),
                size,
                MAX_ALLOCATION,
            );
            errfinish(
                c"alloc.rs".as_ptr(),
                line!() as c_int,
                c"mlobs_alloc".as_ptr(),
            );
        }
    }
    // errfinish(ERROR) never returns; if it somehow did, aborting is the only safe option.
    std::process::abort()
}

pub struct PgAwareAllocator;

unsafe impl GlobalAlloc for PgAwareAllocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION && !on_job_thread() {
            out_of_memory(layout.size());
        }
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION && !on_job_thread() {
            out_of_memory(layout.size());
        }
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > MAX_ALLOCATION && !on_job_thread() {
            out_of_memory(new_size);
        }
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            out_of_memory(new_size);
        }
        p
    }
}
