//! Cleaning of raw samples before a drift statistic: as Evidently does, NULL, NaN and ±Infinity
//! are dropped. The counts of what was dropped are kept so callers can report them.

/// Finite values of `values` (NULL = `None`), plus how many were dropped.
pub fn finite_values(values: impl IntoIterator<Item = Option<f64>>) -> (Vec<f64>, usize) {
    let mut dropped = 0;
    let mut out = Vec::new();
    for v in values {
        match v {
            Some(x) if x.is_finite() => out.push(x),
            _ => dropped += 1,
        }
    }
    (out, dropped)
}
