//! Long computations call the registered interrupt check (PostgreSQL's CHECK_FOR_INTERRUPTS in
//! the extension) often enough that a cancelled query stops within a fraction of a second. Its
//! own test binary: the check is registered once per process.

use std::sync::atomic::{AtomicUsize, Ordering};

static CALLS: AtomicUsize = AtomicUsize::new(0);

fn count() {
    CALLS.fetch_add(1, Ordering::Relaxed);
}

#[test]
fn pca_fit_checks_between_blocks_of_its_product() {
    mlobs_core::interrupt::set_check(count);
    // 3 000 rows of 40 columns: zᵀz is 4.8 million multiply-adds (a 3 000 × 500 reference, the
    // largest accepted, is 750 million: 15 s of a debug build went by without a check).
    let rows: Vec<Vec<f64>> = (0..3000)
        .map(|i| {
            (0..40)
                .map(|j| ((i * 7 + j * 13) % 101) as f64 + (i % (j + 2)) as f64)
                .collect()
        })
        .collect();
    let before = CALLS.load(Ordering::Relaxed);
    mlobs_core::drift::multivariate::fit(&rows, 0.9).unwrap();
    let calls = CALLS.load(Ordering::Relaxed) - before;
    assert!(calls >= 3000 / 256, "{calls} checks");
}
