//! The merge laws (mlobs-core's tests/common/laws.rs) for the explanation crate's summary: the
//! global-importance state.

#[path = "../../mlobs-core/tests/common/laws.rs"]
mod laws;

use laws::{close, eq, merge_laws, three, SUM_REL};
use mlobs_core::Summary;
use mlobs_explain::importance::ImportanceState;
use proptest::collection::vec;
use proptest::prelude::*;

fn state_of(features: usize, rows: &[Vec<f64>]) -> ImportanceState {
    let names = (0..features).map(|i| format!("f{i}")).collect();
    let mut s = ImportanceState::new("model", names);
    rows.iter().for_each(|phi| s.add(phi).unwrap());
    s
}

/// Names and rows exact; Σ|φ| and Σφ up to float rounding of a sum of n terms: 1e-12 of Σ|φ|.
fn same(a: &ImportanceState, b: &ImportanceState) -> Result<(), String> {
    eq("model", &a.model, &b.model)?;
    eq("features", &a.features, &b.features)?;
    eq("rows", a.rows, b.rows)?;
    for i in 0..a.features.len() {
        let scale = a.abs_sum[i].max(b.abs_sum[i]);
        close(
            &format!("abs_sum[{i}]"),
            a.abs_sum[i],
            b.abs_sum[i],
            SUM_REL,
            scale,
        )?;
        close(&format!("sum[{i}]"), a.sum[i], b.sum[i], SUM_REL, scale)?;
    }
    Ok(())
}

fn phi() -> impl Strategy<Value = f64> {
    prop_oneof![8 => -1e3f64..1e3, 2 => -1e-3f64..1e-3, 1 => Just(0.0), 1 => Just(-0.0)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn importance_state((k, (a, b, c)) in (1usize..6).prop_flat_map(|k| (Just(k), three(move || vec(phi(), k))))) {
        merge_laws(|r: &[Vec<f64>]| state_of(k, r), same, &a, &b, &c)?;
        // The aggregate's initial state before the first row knows no features: an identity too.
        let x = state_of(k, &a);
        for (l, r) in [(ImportanceState::default(), x.clone()), (x.clone(), ImportanceState::default())] {
            let mut m = l.clone();
            m.merge(&r).unwrap();
            prop_assert!(same(&m, &x).is_ok(), "{:?}", same(&m, &x));
        }
    }
}
