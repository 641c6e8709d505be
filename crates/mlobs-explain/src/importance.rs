//! Global importance: mean |φ| per feature over many rows, as a mergeable aggregate state, and
//! the comparison of two windows' importances (attribution drift).
//!
//! The state keeps the model name and the feature names it was computed with, so partial states
//! from parallel workers (or stored windows) only merge when they describe the same features.

use mlobs_core::codec::{Reader, Writer};
use mlobs_core::{CoreError, Summary};
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLSI";
const VERSION: u8 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportanceState {
    pub model: String,
    pub features: Vec<String>,
    /// Σ|φ| per feature.
    pub abs_sum: Vec<f64>,
    /// Σφ per feature (the mean signed attribution, useful to see direction).
    pub sum: Vec<f64>,
    pub rows: u64,
}

impl ImportanceState {
    pub fn new(model: &str, features: Vec<String>) -> Self {
        let n = features.len();
        Self {
            model: model.to_string(),
            features,
            abs_sum: vec![0.0; n],
            sum: vec![0.0; n],
            rows: 0,
        }
    }

    /// Adds one row's attributions. Sums beyond float8 are an error, not an infinite (or, as
    /// JSON, null) mean: each row's SHAP is finite, but near 1e308 two of them overflow.
    pub fn add(&mut self, phi: &[f64]) -> crate::error::Result<()> {
        for ((a, s), v) in self.abs_sum.iter_mut().zip(self.sum.iter_mut()).zip(phi) {
            *a += v.abs();
            *s += v;
        }
        self.rows += 1;
        self.check_finite()
            .map_err(|m| crate::error::ExplainError::at("features", m))
    }

    fn check_finite(&self) -> std::result::Result<(), String> {
        match self.abs_sum.iter().position(|v| !v.is_finite()) {
            Some(i) => Err(format!(
                "the sum of |SHAP| of feature {} over the rows overflows float8",
                self.features[i]
            )),
            None => Ok(()),
        }
    }

    /// (feature, mean |φ|, mean φ) in feature order; None before any row.
    pub fn means(&self) -> Option<Vec<(String, f64, f64)>> {
        (self.rows > 0).then(|| {
            let n = self.rows as f64;
            self.features
                .iter()
                .zip(self.abs_sum.iter().zip(&self.sum))
                .map(|(f, (a, s))| (f.clone(), a / n, s / n))
                .collect()
        })
    }
}

impl Summary for ImportanceState {
    const NAME: &'static str = "shap importance state";

    fn merge(&mut self, o: &Self) -> mlobs_core::Result<()> {
        if o.rows == 0 && o.features.is_empty() {
            return Ok(());
        }
        if self.rows == 0 && self.features.is_empty() {
            *self = o.clone();
            return Ok(());
        }
        if self.model != o.model || self.features != o.features {
            return Err(CoreError::mismatch(format!(
                "cannot merge importances of model '{}' and '{}' (or different features)",
                self.model, o.model
            )));
        }
        for i in 0..self.sum.len() {
            self.abs_sum[i] += o.abs_sum[i];
            self.sum[i] += o.sum[i];
        }
        self.check_finite().map_err(CoreError::invalid_parameter)?;
        self.rows = mlobs_core::sketch::add_counts(self.rows, o.rows)?;
        Ok(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        w.bytes(self.model.as_bytes());
        w.u32(self.features.len() as u32);
        for f in &self.features {
            w.bytes(f.as_bytes());
        }
        w.f64s(&self.abs_sum);
        w.f64s(&self.sum);
        w.u64(self.rows);
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> mlobs_core::Result<Self> {
        let mut r = Reader::open_versioned(bytes, TAG, VERSION, Self::NAME)?;
        let text = |r: &mut Reader, b: &[u8]| {
            String::from_utf8(b.to_vec()).map_err(|_| r.error("invalid UTF-8"))
        };
        let b = r.bytes(1 << 16)?;
        let model = text(&mut r, b)?;
        let n = r.u32()? as usize;
        if n > crate::model::MAX_FEATURES {
            return Err(r.error("too many features"));
        }
        let mut features = Vec::with_capacity(n);
        for _ in 0..n {
            let b = r.bytes(1 << 16)?;
            features.push(text(&mut r, b)?);
        }
        let s = Self {
            model,
            features,
            abs_sum: r.f64s(crate::model::MAX_FEATURES)?,
            sum: r.f64s(crate::model::MAX_FEATURES)?,
            rows: r.u64()?,
        };
        r.finish()?;
        s.decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let n = self.features.len();
        if self.abs_sum.len() != n || self.sum.len() != n {
            return Err("one sum per feature".into());
        }
        if self.abs_sum.iter().any(|v| !(v.is_finite() && *v >= 0.0))
            || self.sum.iter().any(|v| !v.is_finite())
        {
            return Err("sums must be finite (|φ| sums non-negative)".into());
        }
        Ok(())
    }
}

/// One feature's importance in two windows.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportanceChange {
    pub feature: String,
    pub reference: Option<f64>,
    pub current: Option<f64>,
    /// Share of total importance in each window (importance / Σ importance).
    pub reference_share: Option<f64>,
    pub current_share: Option<f64>,
    /// 1 = most important; None when absent from the window.
    pub reference_rank: Option<usize>,
    pub current_rank: Option<usize>,
}

fn shares_and_ranks(m: &[(String, f64)]) -> Vec<(String, f64, f64, usize)> {
    let total: f64 = m.iter().map(|(_, v)| v).sum();
    let mut order: Vec<usize> = (0..m.len()).collect();
    order.sort_by(|&a, &b| m[b].1.total_cmp(&m[a].1).then(m[a].0.cmp(&m[b].0)));
    let mut rank = vec![0; m.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r + 1;
    }
    m.iter()
        .enumerate()
        .map(|(i, (f, v))| {
            let share = if total > 0.0 { v / total } else { 0.0 };
            (f.clone(), *v, share, rank[i])
        })
        .collect()
}

/// Per feature (union of both windows, reference order first): importances, shares and ranks;
/// plus the total variation distance between the two share vectors (½Σ|Δshare|, 0 = same
/// attribution profile, 1 = disjoint).
pub fn compare(
    reference: &[(String, f64)],
    current: &[(String, f64)],
) -> (Vec<ImportanceChange>, f64) {
    let r = shares_and_ranks(reference);
    let c = shares_and_ranks(current);
    let mut names: Vec<String> = r.iter().map(|e| e.0.clone()).collect();
    for e in &c {
        if !names.contains(&e.0) {
            names.push(e.0.clone());
        }
    }
    let mut distance = 0.0;
    let rows = names
        .into_iter()
        .map(|f| {
            let a = r.iter().find(|e| e.0 == f);
            let b = c.iter().find(|e| e.0 == f);
            distance += (a.map_or(0.0, |e| e.2) - b.map_or(0.0, |e| e.2)).abs();
            ImportanceChange {
                feature: f,
                reference: a.map(|e| e.1),
                current: b.map(|e| e.1),
                reference_share: a.map(|e| e.2),
                current_share: b.map(|e| e.2),
                reference_rank: a.map(|e| e.3),
                current_rank: b.map(|e| e.3),
            }
        })
        .collect();
    (rows, distance / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_round_trips_and_compares() {
        let names = vec!["a".to_string(), "b".to_string()];
        let mut s = ImportanceState::new("m", names.clone());
        s.add(&[1.0, -2.0]).unwrap();
        let mut t = ImportanceState::new("m", names.clone());
        t.add(&[-3.0, 0.0]).unwrap();
        let mut empty = ImportanceState::default();
        empty.merge(&s).unwrap();
        empty.merge(&t).unwrap();
        assert_eq!(
            empty.means().unwrap(),
            vec![("a".into(), 2.0, -1.0), ("b".into(), 1.0, -1.0)]
        );
        let back = ImportanceState::from_bytes(&empty.to_bytes()).unwrap();
        assert_eq!(back, empty);
        let mut bytes = empty.to_bytes();
        bytes.truncate(bytes.len() - 3);
        assert!(ImportanceState::from_bytes(&bytes).is_err());
        let other = ImportanceState::new("other", names);
        let mut x = s.clone();
        x.add(&[0.0, 0.0]).unwrap();
        assert!(x.merge(&ImportanceState { rows: 1, ..other }).is_err());
        let (rows, tv) = compare(
            &[("a".into(), 3.0), ("b".into(), 1.0)],
            &[("a".into(), 1.0), ("b".into(), 3.0)],
        );
        assert_eq!(rows[0].reference_rank, Some(1));
        assert_eq!(rows[0].current_rank, Some(2));
        assert!((tv - 0.5).abs() < 1e-12);
    }
}
