//! A prediction-only layout for ensembles of shallow trees (XGBoost's default depth is 6).
//!
//! Every tree is padded to a complete binary tree of the ensemble's depth: a leaf above that
//! depth becomes a split whose two sides both lead to copies of the leaf, so which side a row
//! takes there does not matter. A row's walk is then exactly `depth` steps of index arithmetic
//! (children of slot i at 2i+1 and 2i+2): no child index is loaded, no step asks whether it has
//! reached a leaf, and the trees of a chunk step together in one branch-free loop.
//!
//! Used when every split is of one kind and sends missing values to `default_left`, and no tree
//! is deeper than `MAX_DEPTH`: XGBoost's and scikit-learn's shallow ensembles. The others keep
//! the node walk (LightGBM's exports mix missing_type "None" with "NaN" and grow deeper; so do
//! deep forests). The result is bit for bit the node walk's: the same comparison on the same
//! values, the leaves added in tree order.

use crate::tree::{Missing, Split, Tree};

/// Deepest ensemble laid out complete: 63 split slots and 64 leaves (1.5 kB) a tree.
pub const MAX_DEPTH: usize = 6;
/// Trees walked together for one row: independent chains of loads the CPU overlaps (8 measured
/// faster than 4 or 16 on the fixture model; rounding the row to float32 once, before the walk,
/// measured no faster than rounding at each step).
const LANES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Slot {
    /// For `Split::LessF32` already rounded to float32 (and back, exactly).
    threshold: f64,
    feature: u32,
    default_left: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Perfect {
    split: Split,
    depth: usize,
    /// Split slots per tree: 2^depth − 1.
    inner: usize,
    slots: Vec<Slot>,
    /// 2^depth a tree.
    leaves: Vec<f64>,
}

impl Perfect {
    /// The layout, or None when the ensemble does not qualify (see the module comment).
    pub fn build(trees: &[Tree]) -> Option<Perfect> {
        let mut split = None;
        for node in trees.iter().flat_map(|t| &t.nodes).filter(|n| !n.is_leaf()) {
            if node.missing != Missing::NanDefault || split.is_some_and(|s| s != node.split) {
                return None;
            }
            split = Some(node.split);
        }
        let mut depth = 0;
        for t in trees {
            depth = depth.max(t.depth_up_to(MAX_DEPTH)?);
        }
        // Padding every tree to the deepest one's complete layout is for ensembles of trees of
        // similar size: many one-leaf trees beside one deep tree keep the node walk (a hostile
        // or degenerate model would otherwise take up to 2^depth slots per leaf).
        let nodes: usize = trees.iter().map(|t| t.nodes.len()).sum();
        if (trees.len() << depth) > 4 * nodes + 4096 {
            return None;
        }
        let split = split.unwrap_or(Split::LessEqual);
        let inner = (1usize << depth) - 1;
        let pad = Slot {
            threshold: 0.0,
            feature: 0,
            default_left: true,
        };
        let mut slots = vec![pad; trees.len() * inner];
        let mut leaves = vec![0.0; trees.len() << depth];
        for (t, tree) in trees.iter().enumerate() {
            // (node, slot, level): a leaf above the last level fills both children's slots.
            let mut stack = vec![(0usize, 0usize, 0usize)];
            while let Some((i, at, level)) = stack.pop() {
                let node = &tree.nodes[i];
                if level == depth {
                    leaves[(t << depth) + at - inner] = node.value;
                    continue;
                }
                let (left, right) = match node.feature {
                    Some(f) => {
                        slots[t * inner + at] = Slot {
                            threshold: match split {
                                Split::LessF32 => node.threshold as f32 as f64,
                                _ => node.threshold,
                            },
                            feature: u32::try_from(f).ok()?,
                            default_left: node.default_left,
                        };
                        (node.left, node.right)
                    }
                    None => (i, i),
                };
                stack.push((left, 2 * at + 1, level + 1));
                stack.push((right, 2 * at + 2, level + 1));
            }
        }
        Some(Perfect {
            split,
            depth,
            inner,
            slots,
            leaves,
        })
    }

    /// The ensemble's margin for `x`, as `Ensemble::margin` defines it.
    pub fn margin(&self, x: &[f64], base_margin: f64, float32: bool) -> f64 {
        match self.split {
            Split::LessF32 => self.walk::<0>(x, base_margin, float32),
            Split::LessEqual => self.walk::<1>(x, base_margin, float32),
            Split::LessEqualF32Input => self.walk::<2>(x, base_margin, float32),
        }
    }

    /// KIND: 0 `(x as f32) < t`, 1 `x <= t`, 2 `(x as f32) <= t`; NaN follows default_left.
    fn walk<const KIND: u8>(&self, x: &[f64], base_margin: f64, float32: bool) -> f64 {
        let (mut m32, mut m64) = (base_margin as f32, 0.0f64);
        let n_trees = self.leaves.len() >> self.depth;
        let mut first = 0;
        while first < n_trees {
            let lanes = LANES.min(n_trees - first);
            let mut at = [0usize; LANES];
            for _ in 0..self.depth {
                for (j, a) in at.iter_mut().enumerate().take(lanes) {
                    let s = &self.slots[(first + j) * self.inner + *a];
                    let v = x[s.feature as usize];
                    let below = match KIND {
                        0 => (v as f32 as f64) < s.threshold,
                        1 => v <= s.threshold,
                        _ => (v as f32 as f64) <= s.threshold,
                    };
                    // Every comparison with NaN is false: only default_left can send it left.
                    let left = below | (v.is_nan() & s.default_left);
                    *a = 2 * *a + 2 - left as usize;
                }
            }
            for (j, a) in at.iter().enumerate().take(lanes) {
                let v = self.leaves[((first + j) << self.depth) + a - self.inner];
                if float32 {
                    m32 += v as f32;
                } else {
                    m64 += v;
                }
            }
            first += lanes;
        }
        if float32 {
            m32 as f64
        } else {
            base_margin + m64
        }
    }
}
