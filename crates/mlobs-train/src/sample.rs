//! The row cap: when a training window holds more labelled rows than `max_rows`, a uniform
//! random sample of `max_rows` is kept (reservoir sampling, Algorithm R, seeded with the
//! training seed so the same rows in the same order give the same sample). Memory stays at
//! `max_rows` rows however large the window. The kept rows are put back in time order.
//!
//! The reservoir hands out slots rather than holding the rows, so the caller can keep them in
//! flat arrays (a row's features in one `Vec<f64>` of `slots × features`), without a heap
//! allocation per row.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// Slot assignment for up to `cap` rows.
pub struct Reservoir {
    cap: usize,
    seen: u64,
    rng: ChaCha8Rng,
    /// The arrival number of the row in each slot.
    arrival: Vec<u64>,
}

impl Reservoir {
    pub fn new(cap: usize, seed: u64) -> Self {
        Self {
            cap,
            seen: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
            arrival: Vec::with_capacity(cap.min(1 << 16)),
        }
    }

    /// Offers the next row: the slot to write it to (a new slot while there is room, else a
    /// kept row's slot with probability cap/seen), or None to drop it.
    pub fn offer(&mut self) -> Option<usize> {
        self.seen += 1;
        if self.arrival.len() < self.cap {
            self.arrival.push(self.seen);
            return Some(self.arrival.len() - 1);
        }
        // Uniform in [0, seen): the modulo bias is below 2^-40 for any realistic count.
        let j = (self.rng.next_u64() % self.seen) as usize;
        (j < self.cap).then(|| {
            self.arrival[j] = self.seen;
            j
        })
    }

    /// Rows offered so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// Slots in use.
    pub fn len(&self) -> usize {
        self.arrival.len()
    }

    pub fn is_empty(&self) -> bool {
        self.arrival.is_empty()
    }

    /// The slots in arrival order.
    pub fn ordered_slots(&self) -> Vec<usize> {
        let mut slots: Vec<usize> = (0..self.arrival.len()).collect();
        slots.sort_by_key(|&s| self.arrival[s]);
        slots
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(cap: usize, seed: u64, n: usize) -> Vec<usize> {
        let mut r = Reservoir::new(cap, seed);
        let mut slots = vec![usize::MAX; cap];
        for i in 0..n {
            if let Some(s) = r.offer() {
                slots[s] = i;
            }
        }
        r.ordered_slots().into_iter().map(|s| slots[s]).collect()
    }

    #[test]
    fn keeps_everything_under_the_cap_and_is_uniform_above() {
        assert_eq!(sample(10, 1, 5), vec![0, 1, 2, 3, 4]);
        // Each of 100 items is kept with probability 1/10: over 2000 seeds, about 200 times.
        let mut kept = [0u32; 100];
        for seed in 0..2000 {
            let v = sample(10, seed, 100);
            assert_eq!(v.len(), 10);
            assert!(v.windows(2).all(|w| w[0] < w[1]));
            v.iter().for_each(|i| kept[*i] += 1);
        }
        assert!(kept.iter().all(|k| (140..=260).contains(k)), "{kept:?}");
        assert_eq!(sample(10, 7, 100), sample(10, 7, 100));
    }
}
