//! The row cap: when a training window holds more labelled rows than `max_rows`, a uniform
//! random sample of `max_rows` is kept (reservoir sampling, Algorithm R, seeded with the
//! training seed so the same rows in the same order give the same sample). Memory stays at
//! `max_rows` rows however large the window. The kept rows are put back in time order.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// A reservoir of up to `cap` items, each with its arrival position.
pub struct Reservoir<T> {
    cap: usize,
    seen: u64,
    rng: ChaCha8Rng,
    items: Vec<(u64, T)>,
}

impl<T> Reservoir<T> {
    pub fn new(cap: usize, seed: u64) -> Self {
        Self {
            cap,
            seen: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
            items: Vec::with_capacity(cap.min(1 << 16)),
        }
    }

    /// Offers the next item; it is kept with probability cap/seen.
    pub fn offer(&mut self, item: T) {
        self.seen += 1;
        if self.items.len() < self.cap {
            self.items.push((self.seen, item));
        } else {
            // Uniform in [0, seen): the modulo bias is below 2^-40 for any realistic count.
            let j = self.rng.next_u64() % self.seen;
            if (j as usize) < self.cap {
                self.items[j as usize] = (self.seen, item);
            }
        }
    }

    /// Rows offered so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The kept items in arrival order.
    pub fn into_ordered(mut self) -> Vec<T> {
        self.items.sort_by_key(|(k, _)| *k);
        self.items.into_iter().map(|(_, t)| t).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_everything_under_the_cap_and_is_uniform_above() {
        let mut r = Reservoir::new(10, 1);
        (0..5).for_each(|i| r.offer(i));
        assert_eq!(r.into_ordered(), vec![0, 1, 2, 3, 4]);
        // Each of 100 items is kept with probability 1/10: over 2000 seeds, about 200 times.
        let mut kept = [0u32; 100];
        for seed in 0..2000 {
            let mut r = Reservoir::new(10, seed);
            (0..100).for_each(|i| r.offer(i));
            let v = r.into_ordered();
            assert!(v.windows(2).all(|w| w[0] < w[1]));
            v.iter().for_each(|i| kept[*i] += 1);
        }
        assert!(kept.iter().all(|k| (140..=260).contains(k)), "{kept:?}");
    }
}
