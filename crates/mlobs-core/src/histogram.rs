//! Fixed-edge histogram: exact counts of finite values on caller-supplied edges, with underflow
//! and overflow bins, so a reference-fitted binning can be applied to every window and merged.
//! NULL, NaN and ±Infinity are counted apart and never binned (drift statistics skip them).

use crate::binning::{bin_index, validate_edges};
use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};
use crate::sketch::{add_counts, sum_counts};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLhg";
const VERSION: u8 = 1;
/// Most edges a histogram may have (bounds the state at ~160 KiB).
pub const MAX_EDGES: usize = 10_001;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    #[serde(with = "crate::json_float::seq")]
    pub edges: Vec<f64>,
    /// counts[i] holds edges[i] <= x < edges[i+1]; the last bin also holds x == last edge.
    pub counts: Vec<u64>,
    pub underflow: u64,
    pub overflow: u64,
    pub null_count: u64,
    pub nan_count: u64,
    pub pos_inf_count: u64,
    pub neg_inf_count: u64,
}

impl Histogram {
    pub fn new(edges: Vec<f64>, arg: &str) -> Result<Self> {
        if edges.len() > MAX_EDGES {
            return Err(CoreError::limit_exceeded(format!(
                "{arg} has {} elements; at most {MAX_EDGES} are allowed",
                edges.len()
            )));
        }
        validate_edges(&edges, arg)?;
        // Finite edges only: the under/overflow bins already hold ±Infinity, and an infinite
        // edge has no JSON (text) form, so such a histogram could not be dumped and restored.
        // (Only new histograms are refused; stored ones still decode.)
        if let Some(i) = edges.iter().position(|e| e.is_infinite()) {
            return Err(CoreError::invalid_parameter(format!(
                "{arg}[{}] is {}; edges must be finite (values beyond the edges are counted as underflow/overflow)",
                i + 1,
                edges[i]
            )));
        }
        let bins = edges.len() - 1;
        // -0 and 0 are one edge (x >= -0 exactly when x >= 0): stored as 0, so histograms built
        // with either roll up together.
        let edges = edges.into_iter().map(|e| e + 0.0).collect();
        Ok(Self::with_counts(edges, vec![0; bins]))
    }

    /// Edges and bin counts with every tally zero (no validation).
    fn with_counts(edges: Vec<f64>, counts: Vec<u64>) -> Self {
        Self {
            edges,
            counts,
            underflow: 0,
            overflow: 0,
            null_count: 0,
            nan_count: 0,
            pos_inf_count: 0,
            neg_inf_count: 0,
        }
    }

    #[inline]
    pub fn add(&mut self, value: Option<f64>) {
        match value {
            None => self.null_count += 1,
            Some(x) if x.is_nan() => self.nan_count += 1,
            Some(x) if x == f64::INFINITY => self.pos_inf_count += 1,
            Some(x) if x == f64::NEG_INFINITY => self.neg_inf_count += 1,
            Some(x) => match bin_index(&self.edges, x) {
                Some(i) => self.counts[i] += 1,
                None if x < self.edges[0] => self.underflow += 1,
                None => self.overflow += 1,
            },
        }
    }

    /// Finite values counted: the denominator of the shares.
    pub fn finite_count(&self) -> u64 {
        self.underflow + self.overflow + self.counts.iter().sum::<u64>()
    }

    /// All bins in value order: underflow, the edge bins, overflow.
    pub fn all_counts(&self) -> Vec<u64> {
        let mut v = Vec::with_capacity(self.counts.len() + 2);
        v.push(self.underflow);
        v.extend_from_slice(&self.counts);
        v.push(self.overflow);
        v
    }

    pub fn same_edges(&self, other: &Self) -> bool {
        self.edges.len() == other.edges.len()
            && self
                .edges
                .iter()
                .zip(&other.edges)
                // Equal as numbers: a summary stored before -0 edges were normalised still merges.
                .all(|(a, b)| a == b)
    }

    pub fn check_same_edges(&self, other: &Self, what: &str) -> Result<()> {
        if self.same_edges(other) {
            Ok(())
        } else {
            Err(CoreError::mismatch(format!(
                "{what}: histograms have different edges ({} edges from {} to {} vs {} edges from {} to {})",
                self.edges.len(),
                self.edges[0],
                self.edges[self.edges.len() - 1],
                other.edges.len(),
                other.edges[0],
                other.edges[other.edges.len() - 1]
            )))
        }
    }

    /// The tallies by value, in `tallies` order (no clone of the histogram needed to read them).
    fn tally_values(&self) -> [u64; 6] {
        [
            self.underflow,
            self.overflow,
            self.null_count,
            self.nan_count,
            self.pos_inf_count,
            self.neg_inf_count,
        ]
    }

    /// Every value counted (bins and tallies); None when the sum overflows u64.
    fn total_checked(&self) -> Option<u64> {
        self.counts
            .iter()
            .chain(&self.tally_values())
            .try_fold(0u64, |a, &c| a.checked_add(c))
    }

    fn tallies(&mut self) -> [&mut u64; 6] {
        [
            &mut self.underflow,
            &mut self.overflow,
            &mut self.null_count,
            &mut self.nan_count,
            &mut self.pos_inf_count,
            &mut self.neg_inf_count,
        ]
    }
}

impl Summary for Histogram {
    const NAME: &'static str = "mlobs.histogram";

    fn merge(&mut self, o: &Self) -> Result<()> {
        self.check_same_edges(o, "cannot merge")?;
        // Checked: forged or long-lived states can hold counts near 2^64 (found by fuzzing).
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a = add_counts(*a, *b)?;
        }
        for (a, b) in self.tallies().into_iter().zip(o.tally_values()) {
            *a = add_counts(*a, b)?;
        }
        sum_counts(self.counts.iter().copied().chain(self.tally_values()))?;
        Ok(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        w.f64s(&self.edges);
        w.u64s(&self.counts);
        for t in self.tally_values() {
            w.u64(t);
        }
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open_versioned(bytes, TAG, VERSION, Self::NAME)?;
        let edges = r.f64s(MAX_EDGES)?;
        let counts = r.u64s(MAX_EDGES)?;
        let mut h = Self::with_counts(edges, counts);
        for t in h.tallies() {
            *t = r.u64()?;
        }
        h.validate().map_err(|e| r.error(&e))?;
        r.finish()?;
        Ok(h)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.edges.len() > MAX_EDGES {
            return Err(format!("more than {MAX_EDGES} edges"));
        }
        validate_edges(&self.edges, "edges").map_err(|e| e.message)?;
        if self.counts.len() != self.edges.len() - 1 {
            return Err("counts must have one element fewer than edges".into());
        }
        if self.total_checked().is_none() {
            return Err("counts overflow".into());
        }
        Ok(())
    }
}
