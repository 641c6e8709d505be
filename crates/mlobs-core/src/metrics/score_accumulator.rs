//! The transition state of `score_agg`: a `ScoreSummary` whose bin counts are applied in
//! batches.
//!
//! Once a summary's 10 000 bins are dense (160 kB), a row's bin count is a load that usually
//! misses the caches: the scan streams each heap page through them between two rows, and a
//! random score lands on a bin last touched thousands of rows ago. Issue 20's profile put 66 % of
//! `ScoreSummary::add` (5 % of the whole `score_agg` scan) on that one increment. Here the bin
//! of each unit-weight row is queued and the queue is counted every `PENDING` rows: the
//! increments are independent, so their misses overlap instead of stalling one row each.
//! Everything else about a row (its check, loss sums, a weighted summary's bins) is applied at
//! once, in row order. Counts are integers and commute, so the summary is the one `add` builds,
//! bit for bit; `settle` (called before every read, write and merge) counts the queue.

use super::score_summary::ScoreSummary;
use crate::error::Result;
use crate::summary::Summary;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Rows queued before their bins are counted: enough to overlap a scan's cache misses, few
/// enough to stay in the first-level cache.
const PENDING: usize = 64;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "ScoreSummary", from = "ScoreSummary")]
pub struct ScoreAccumulator {
    summary: ScoreSummary,
    /// `bin << 1 | positive` of rows whose bin count is owed.
    pending: [u32; PENDING],
    len: usize,
}

impl ScoreAccumulator {
    /// As `ScoreSummary::new`.
    pub fn new(grid: i64) -> Result<Self> {
        ScoreSummary::new(grid).map(Self::from)
    }

    pub fn grid(&self) -> u32 {
        self.summary.grid
    }

    /// As `ScoreSummary::add_weighted`.
    #[inline]
    pub fn add_weighted(&mut self, score: f64, positive: bool, weight: f64) -> Result<()> {
        if weight != 1.0 || self.summary.is_weighted() {
            // Weighted rows turn the counts into weights: everything owed is counted first.
            self.settle();
            return self.summary.add_weighted(score, positive, weight);
        }
        let b = self.summary.add_uncounted(score, positive)?;
        self.pending[self.len] = b << 1 | positive as u32;
        self.len += 1;
        if self.len == PENDING {
            self.settle();
        }
        Ok(())
    }

    /// The summary of every row added (a copy only while rows are queued).
    pub fn summary(&self) -> Cow<'_, ScoreSummary> {
        if self.len == 0 {
            Cow::Borrowed(&self.summary)
        } else {
            let mut s = self.clone();
            s.settle();
            Cow::Owned(s.summary)
        }
    }
}

impl From<ScoreSummary> for ScoreAccumulator {
    fn from(summary: ScoreSummary) -> Self {
        Self {
            summary,
            pending: [0; PENDING],
            len: 0,
        }
    }
}

impl From<ScoreAccumulator> for ScoreSummary {
    fn from(mut a: ScoreAccumulator) -> Self {
        a.settle();
        a.summary
    }
}

impl PartialEq for ScoreAccumulator {
    fn eq(&self, o: &Self) -> bool {
        self.summary() == o.summary()
    }
}

impl Summary for ScoreAccumulator {
    const NAME: &'static str = ScoreSummary::NAME;

    fn merge(&mut self, o: &Self) -> Result<()> {
        self.settle();
        self.summary.merge(&o.summary())
    }

    fn to_bytes(&self) -> Vec<u8> {
        self.summary().to_bytes()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        ScoreSummary::from_bytes(bytes).map(Self::from)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        self.summary.validate()
    }

    fn settle(&mut self) {
        for &p in &self.pending[..self.len] {
            self.summary.count_row(p >> 1, p & 1 == 1);
        }
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (score, positive, weight) rows: mostly unit weights, some weighted, scores over the grid.
    fn rows() -> impl Strategy<Value = Vec<(f64, bool, f64)>> {
        proptest::collection::vec(
            (
                0.0f64..=1.0,
                any::<bool>(),
                prop_oneof![8 => Just(1.0), 1 => Just(0.0), 1 => 0.0f64..5.0],
            ),
            0..400,
        )
    }

    fn direct(rows: &[(f64, bool, f64)], grid: i64) -> ScoreSummary {
        let mut s = ScoreSummary::new(grid).unwrap();
        for &(x, y, w) in rows {
            s.add_weighted(x, y, w).unwrap();
        }
        s
    }

    fn batched(rows: &[(f64, bool, f64)], grid: i64) -> ScoreAccumulator {
        let mut a = ScoreAccumulator::new(grid).unwrap();
        for &(x, y, w) in rows {
            a.add_weighted(x, y, w).unwrap();
        }
        a
    }

    #[test]
    fn dense_summary_of_many_rows_is_byte_identical() {
        // 50 000 rows over a 100-bin grid: the bins turn dense early, the queue wraps often.
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let rows: Vec<(f64, bool, f64)> = (0..50_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x >> 11) as f64 / (1u64 << 53) as f64, x & 1 == 1, 1.0)
            })
            .collect();
        let a = batched(&rows, 100);
        assert!(a.len > 0, "some rows still queued: settle must count them");
        assert_eq!(a.to_bytes(), direct(&rows, 100).to_bytes());
        assert_eq!(a.to_json(), direct(&rows, 100).to_json());
    }

    #[test]
    fn a_bad_score_is_rejected_and_leaves_the_queue_intact() {
        let mut a = ScoreAccumulator::new(10).unwrap();
        a.add_weighted(0.25, true, 1.0).unwrap();
        assert!(a.add_weighted(1.5, true, 1.0).is_err());
        assert!(a.add_weighted(f64::NAN, false, 1.0).is_err());
        assert_eq!(*a.summary(), direct(&[(0.25, true, 1.0)], 10));
    }

    proptest! {
        #[test]
        fn equals_the_summary_add_builds(rows in rows(), split in 0usize..400, grid in 10i64..60) {
            let whole = direct(&rows, grid);
            let a = batched(&rows, grid);
            prop_assert_eq!(a.to_bytes(), whole.to_bytes());
            // Merging queued partial states (as combine does) equals one pass.
            let split = split.min(rows.len());
            let mut left = batched(&rows[..split], grid);
            left.merge(&batched(&rows[split..], grid)).unwrap();
            let mut one = ScoreSummary::new(grid).unwrap();
            one.merge(&direct(&rows[..split], grid)).unwrap();
            one.merge(&direct(&rows[split..], grid)).unwrap();
            prop_assert_eq!(left.to_bytes(), one.to_bytes());
        }
    }
}
