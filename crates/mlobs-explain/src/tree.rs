//! One representation for every tree library: nodes in an array, the root at 0, each internal
//! node carrying its split rule exactly as its library evaluates it (XGBoost compares in float32
//! with `<`; LightGBM and scikit-learn use `<=`), where missing values go, and its cover (the
//! training weight TreeSHAP needs).

use crate::error::{ExplainError, Result};
use crate::perfect::Perfect;
use std::sync::OnceLock;

/// Deepest tree accepted: TreeSHAP recurses once per level, so this bounds the stack.
pub const MAX_DEPTH: usize = 64;
/// Nodes per tree accepted.
pub const MAX_NODES: usize = 1 << 20;
/// Trees accepted per model, by every tree-ensemble decoder.
pub const MAX_TREES: usize = 100_000;
/// Nodes a decoded model may hold over all its outputs (about 64 bytes each): what a backend
/// keeps per model it serves. scikit-learn's classifiers repeat every tree per class.
pub const MAX_MODEL_NODES: usize = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Split {
    /// XGBoost: `(x as f32) < (threshold as f32)`.
    LessF32,
    /// LightGBM: `x <= threshold`.
    LessEqual,
    /// scikit-learn: the input cast to float32, then `x <= threshold` (threshold in float64).
    LessEqualF32Input,
}

/// How a node treats missing values (NaN), per library.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Missing {
    /// NaN follows `default_left` (XGBoost; LightGBM missing_type "NaN").
    NanDefault,
    /// NaN is compared as 0.0 (LightGBM missing_type "None").
    NanAsZero,
    /// NaN and zero (|x| ≤ 1e-35) follow `default_left` (LightGBM missing_type "Zero").
    ZeroDefault,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// `None` for a leaf.
    pub feature: Option<usize>,
    pub threshold: f64,
    pub split: Split,
    pub left: usize,
    pub right: usize,
    /// Where a missing value goes.
    pub default_left: bool,
    pub missing: Missing,
    /// Leaf output (margin space); unused for internal nodes.
    pub value: f64,
    /// Training weight reaching the node (XGBoost sum_hessian, LightGBM counts, sklearn
    /// weighted_n_node_samples).
    pub cover: f64,
}

impl Node {
    /// A leaf with `value` and `cover` (hand-built trees: tests, examples).
    pub fn leaf(value: f64, cover: f64) -> Node {
        Node {
            feature: None,
            threshold: 0.0,
            split: Split::LessEqual,
            left: 0,
            right: 0,
            default_left: true,
            missing: Missing::NanDefault,
            value,
            cover,
        }
    }

    /// An `x <= threshold` split on `feature` (missing values go left).
    pub fn split(feature: usize, threshold: f64, left: usize, right: usize, cover: f64) -> Node {
        Node {
            feature: Some(feature),
            threshold,
            left,
            right,
            ..Node::leaf(0.0, cover)
        }
    }

    pub fn is_leaf(&self) -> bool {
        self.feature.is_none()
    }

    /// The child a value goes to; NaN is missing.
    pub fn child(&self, x: f64) -> usize {
        let compare = |x: f64| match self.split {
            Split::LessF32 => (x as f32) < (self.threshold as f32),
            Split::LessEqual => x <= self.threshold,
            Split::LessEqualF32Input => (x as f32) as f64 <= self.threshold,
        };
        let left = match self.missing {
            Missing::NanDefault if x.is_nan() => self.default_left,
            Missing::NanAsZero if x.is_nan() => compare(0.0),
            Missing::ZeroDefault if x.is_nan() || x.abs() <= 1e-35 => self.default_left,
            _ => compare(x),
        };
        if left {
            self.left
        } else {
            self.right
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

impl Tree {
    /// Checks what prediction and TreeSHAP rely on: children in range and each node reached
    /// from exactly one parent (so no cycles), depth within MAX_DEPTH, feature ids below
    /// `n_features`, finite thresholds, values and positive covers.
    pub fn validate(&self, n_features: usize, path: &str) -> Result<()> {
        let n = self.nodes.len();
        if n == 0 || n > MAX_NODES {
            return Err(ExplainError::at(
                path,
                format!("a tree needs 1 to {MAX_NODES} nodes, got {n}"),
            ));
        }
        // TreeSHAP weighs the leaves by cover / root cover: a root of cover 0 (an export whose
        // hessians are all 0) made the base value NaN and the attributions non-additive.
        if self.nodes[0].cover.is_nan() || self.nodes[0].cover <= 0.0 {
            return Err(ExplainError::at(
                &format!("{path}.nodes[0]"),
                "the root's cover (training weight) must be positive",
            ));
        }
        let mut parents = vec![0u32; n];
        for (i, node) in self.nodes.iter().enumerate() {
            let at = format!("{path}.nodes[{i}]");
            if !node.value.is_finite() || !node.cover.is_finite() || node.cover < 0.0 {
                return Err(ExplainError::at(
                    &at,
                    "leaf value and cover must be finite (cover >= 0)",
                ));
            }
            if let Some(f) = node.feature {
                if f >= n_features {
                    return Err(ExplainError::at(
                        &at,
                        format!("feature {f} >= n_features {n_features}"),
                    ));
                }
                // ±Infinity is meaningful (scikit-learn splits "present vs missing" at +inf).
                if node.threshold.is_nan() {
                    return Err(ExplainError::at(&at, "threshold must not be NaN"));
                }
                for c in [node.left, node.right] {
                    if c >= n || c == 0 {
                        return Err(ExplainError::at(&at, format!("child {c} out of range")));
                    }
                    parents[c] += 1;
                }
            }
        }
        if let Some(i) = parents.iter().skip(1).position(|&p| p != 1) {
            return Err(ExplainError::at(
                path,
                format!("node {} must have exactly one parent", i + 1),
            ));
        }
        // Children are in range and each has one parent by now: None means too deep.
        if self.depth_up_to(MAX_DEPTH).is_none() {
            return Err(ExplainError::at(
                path,
                format!("deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    /// The tree's depth (a lone leaf: 0), or None beyond `limit` or at a child out of range. By
    /// an explicit stack, never deeper than `limit` + 1 levels: the tree may be unvalidated.
    pub fn depth_up_to(&self, limit: usize) -> Option<usize> {
        let mut deepest = 0;
        let mut stack = vec![(0usize, 0usize)];
        while let Some((i, d)) = stack.pop() {
            let node = self.nodes.get(i)?;
            if d > limit {
                return None;
            }
            deepest = deepest.max(d);
            if !node.is_leaf() {
                stack.push((node.left, d + 1));
                stack.push((node.right, d + 1));
            }
        }
        Some(deepest)
    }

    /// The leaf value a row reaches (iterative).
    pub fn predict(&self, x: &[f64]) -> f64 {
        let mut i = 0;
        loop {
            let node = &self.nodes[i];
            match node.feature {
                None => return node.value,
                Some(f) => i = node.child(x[f]),
            }
        }
    }

    /// Cover-weighted mean leaf value: the tree's part of TreeSHAP's base value.
    pub fn expected_value(&self) -> f64 {
        let root = self.nodes[0].cover;
        self.nodes
            .iter()
            .filter(|n| n.is_leaf())
            .map(|n| n.value * n.cover / root)
            .sum()
    }
}

/// One model output as a sum of trees plus a margin offset (binary and regression models have
/// one; multiclass models one per class).
#[derive(Debug, Clone)]
pub struct Ensemble {
    /// Complete before the first prediction: the prediction layout is built from them then.
    pub trees: Vec<Tree>,
    /// Added to the summed leaf values: the raw-margin base (e.g. logit(base_score)).
    pub base_margin: f64,
    /// `Perfect` layout of `trees` when they qualify, built by the first `margin`.
    fast: OnceLock<Option<Perfect>>,
}

/// Equal models: the same trees and base (the prediction layout follows from them).
impl PartialEq for Ensemble {
    fn eq(&self, other: &Ensemble) -> bool {
        self.trees == other.trees && self.base_margin == other.base_margin
    }
}

impl Ensemble {
    pub fn new(trees: Vec<Tree>, base_margin: f64) -> Ensemble {
        Ensemble {
            trees,
            base_margin,
            fast: OnceLock::new(),
        }
    }

    /// The margin; `float32` sums as XGBoost does (base first, then each tree in order, in f32),
    /// which matching its output bit for bit needs. Shallow ensembles take the `Perfect` layout,
    /// the others the node walk; both give the same bits.
    pub fn margin(&self, x: &[f64], float32: bool) -> f64 {
        match self.fast.get_or_init(|| Perfect::build(&self.trees)) {
            Some(p) => p.margin(x, self.base_margin, float32),
            None => self.margin_by_nodes(x, float32),
        }
    }

    /// The margin by walking the nodes (any ensemble).
    pub fn margin_by_nodes(&self, x: &[f64], float32: bool) -> f64 {
        // Trees are walked LANES at a time: their paths are independent chains of loads, so the
        // CPU overlaps them (one tree at a time waits on every node). Leaves are then added in
        // tree order, so the sum is the same as walking them one by one.
        const LANES: usize = 8;
        let (mut m32, mut m64) = (self.base_margin as f32, 0.0f64);
        for chunk in self.trees.chunks(LANES) {
            let mut at = [0usize; LANES];
            loop {
                let mut moved = false;
                for (j, t) in chunk.iter().enumerate() {
                    let n = &t.nodes[at[j]];
                    if let Some(f) = n.feature {
                        at[j] = n.child(x[f]);
                        moved = true;
                    }
                }
                if !moved {
                    break;
                }
            }
            for (j, t) in chunk.iter().enumerate() {
                let v = t.nodes[at[j]].value;
                if float32 {
                    m32 += v as f32;
                } else {
                    m64 += v;
                }
            }
        }
        if float32 {
            m32 as f64
        } else {
            self.base_margin + m64
        }
    }

    /// TreeSHAP's base value in margin space.
    pub fn expected_value(&self) -> f64 {
        self.base_margin + self.trees.iter().map(Tree::expected_value).sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of `levels` splits, each sending the right side one level deeper.
    fn chain(levels: usize) -> Tree {
        let mut nodes = Vec::new();
        for i in 0..levels {
            nodes.push(Node::split(0, 0.5, 2 * i + 1, 2 * i + 2, 1.0));
            nodes.push(Node::leaf(1.0, 1.0));
        }
        nodes.push(Node::leaf(-1.0, 1.0));
        // Node 2i's children: the leaf 2i+1 and the next split (or the last leaf) 2i+2.
        Tree { nodes }
    }

    #[test]
    fn depth_limit() {
        assert_eq!(chain(0).depth_up_to(0), Some(0));
        assert_eq!(chain(5).depth_up_to(5), Some(5));
        assert_eq!(chain(5).depth_up_to(4), None);
        assert!(chain(MAX_DEPTH).validate(1, "t").is_ok());
        let err = chain(MAX_DEPTH + 1).validate(1, "t").unwrap_err();
        assert!(
            format!("{err:?}").contains("deeper than 64 levels"),
            "{err:?}"
        );
        // A child out of range: None, not a panic.
        let mut broken = chain(2);
        broken.nodes[0].right = 99;
        assert_eq!(broken.depth_up_to(10), None);
    }
}
