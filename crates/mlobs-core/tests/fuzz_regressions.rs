//! Inputs the summary fuzzers (fuzz/fuzz_targets/summary_*.rs) once crashed on, replayed as
//! plain tests so the fix stays fixed without libFuzzer. The same files also sit in the fuzz
//! corpora.

use mlobs_core::{Histogram, Summary};

/// A histogram whose counts sum to just under 2^64 decodes (it is valid), but merging it with
/// itself used to overflow `u64` (a panic in debug builds, silently wrapped counts in release).
#[test]
fn histogram_merge_overflow_is_an_error() {
    let bytes = include_bytes!("fuzz_regressions/histogram_merge_overflow.bin");
    let h = Histogram::from_bytes(bytes).expect("the forged histogram is itself valid");
    let mut merged = h.clone();
    let err = merged.merge(&h).expect_err("merge must refuse to overflow");
    assert!(err.message.contains("overflow"), "{}", err.message);
}
