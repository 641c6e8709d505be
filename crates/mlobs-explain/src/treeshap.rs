//! Path-dependent TreeSHAP (Lundberg et al., "Consistent individualized feature attribution for
//! tree ensembles", Algorithm 2): exact Shapley values of one row under the tree's own cover
//! distribution, what `shap.TreeExplainer(model)` computes without background data. The sum of
//! the values plus the base value equals the raw margin.
//!
//! Recursion depth is bounded by `tree::MAX_DEPTH`, checked when a tree is validated.

use crate::tree::{Ensemble, Tree, MAX_DEPTH};

#[derive(Clone, Copy, Debug)]
struct PathElement {
    /// Feature split on; `usize::MAX` for the root's dummy element.
    feature: usize,
    zero_fraction: f64,
    one_fraction: f64,
    weight: f64,
}

/// Grows the path `p[..=d]` (d = its new last index) by one element.
fn extend(p: &mut [PathElement], d: usize, zero: f64, one: f64, feature: usize) {
    p[d] = PathElement {
        feature,
        zero_fraction: zero,
        one_fraction: one,
        weight: if d == 0 { 1.0 } else { 0.0 },
    };
    let l = d as f64;
    for i in (0..d).rev() {
        let w = p[i].weight;
        p[i + 1].weight += one * w * (i as f64 + 1.0) / (l + 1.0);
        p[i].weight = zero * w * (l - i as f64) / (l + 1.0);
    }
}

/// Removes element `index` from the path `p[..=d]`.
fn unwind(p: &mut [PathElement], d: usize, index: usize) {
    let l = d as f64;
    let (one, zero) = (p[index].one_fraction, p[index].zero_fraction);
    let mut next = p[d].weight;
    for i in (0..d).rev() {
        if one != 0.0 {
            let tmp = p[i].weight;
            p[i].weight = next * (l + 1.0) / ((i as f64 + 1.0) * one);
            next = tmp - p[i].weight * zero * (l - i as f64) / (l + 1.0);
        } else {
            p[i].weight = p[i].weight * (l + 1.0) / (zero * (l - i as f64));
        }
    }
    for i in index..d {
        p[i].feature = p[i + 1].feature;
        p[i].zero_fraction = p[i + 1].zero_fraction;
        p[i].one_fraction = p[i + 1].one_fraction;
    }
}

/// The total weight of the path `p[..=d]` with element `index` unwound (without modifying it).
fn unwound_sum(p: &[PathElement], d: usize, index: usize) -> f64 {
    let l = d as f64;
    let (one, zero) = (p[index].one_fraction, p[index].zero_fraction);
    let mut next = p[d].weight;
    let mut total = 0.0;
    for i in (0..d).rev() {
        if one != 0.0 {
            let tmp = next * (l + 1.0) / ((i as f64 + 1.0) * one);
            total += tmp;
            next = p[i].weight - tmp * zero * ((l - i as f64) / (l + 1.0));
        } else if zero != 0.0 {
            total += p[i].weight / (zero * ((l - i as f64) / (l + 1.0)));
        }
    }
    total
}

/// One row's walk through one tree, accumulating into `phi`. The paths of all recursion levels
/// share one buffer: each level copies its parent's path into the segment after it (as the
/// reference implementation does), so the walk allocates nothing.
struct Walk<'a> {
    tree: &'a Tree,
    x: &'a [f64],
    phi: &'a mut [f64],
    buffer: &'a mut [PathElement],
}

impl Walk<'_> {
    /// `parent`: where the parent's path starts in the buffer; `depth`: its length (the new
    /// element's index on this level's path).
    fn recurse(
        &mut self,
        node: usize,
        parent: usize,
        depth: usize,
        zero: f64,
        one: f64,
        feature: usize,
    ) {
        // This level's path starts right after the parent's (which has `depth` elements).
        let start = parent + depth;
        if depth > 0 {
            self.buffer.copy_within(parent..parent + depth, start);
        }
        let mut d = depth;
        extend(&mut self.buffer[start..], d, zero, one, feature);
        let n = &self.tree.nodes[node];
        let Some(split) = n.feature else {
            let path = &self.buffer[start..=start + d];
            for i in 1..=d {
                let w = unwound_sum(path, d, i);
                let el = path[i];
                self.phi[el.feature] += w * (el.one_fraction - el.zero_fraction) * n.value;
            }
            return;
        };
        let hot = n.child(self.x[split]);
        let cold = if hot == n.left { n.right } else { n.left };
        let cover = n.cover;
        let (hot_zero, cold_zero) = if cover > 0.0 {
            (
                self.tree.nodes[hot].cover / cover,
                self.tree.nodes[cold].cover / cover,
            )
        } else {
            (0.0, 0.0)
        };
        let (mut in_zero, mut in_one) = (1.0, 1.0);
        if let Some(k) = (1..=d).find(|&k| self.buffer[start + k].feature == split) {
            in_zero = self.buffer[start + k].zero_fraction;
            in_one = self.buffer[start + k].one_fraction;
            unwind(&mut self.buffer[start..], d, k);
            d -= 1;
        }
        self.recurse(hot, start, d + 1, hot_zero * in_zero, in_one, split);
        self.recurse(cold, start, d + 1, cold_zero * in_zero, 0.0, split);
    }
}

const EMPTY: PathElement = PathElement {
    feature: usize::MAX,
    zero_fraction: 0.0,
    one_fraction: 0.0,
    weight: 0.0,
};

/// Path elements for every level of a MAX_DEPTH tree (levels hold at most MAX_DEPTH + 2).
const BUFFER: usize = (MAX_DEPTH + 2) * (MAX_DEPTH + 3) / 2 + MAX_DEPTH + 2;

thread_local! {
    // Reused across calls: zeroing a fresh 70 KB buffer per tree would cost more than the walk.
    static PATHS: std::cell::RefCell<Vec<PathElement>> = std::cell::RefCell::new(vec![EMPTY; BUFFER]);
}

/// Adds the SHAP values of one tree for row `x` to `phi` (length = number of features).
pub fn tree_shap(tree: &Tree, x: &[f64], phi: &mut [f64]) {
    PATHS.with(|paths| {
        let mut paths = paths.borrow_mut();
        let mut walk = Walk {
            tree,
            x,
            phi,
            buffer: &mut paths,
        };
        walk.recurse(0, 0, 0, 1.0, 1.0, usize::MAX);
    });
}

/// SHAP values of row `x` for the whole ensemble, in margin space.
pub fn shap_values(model: &Ensemble, n_features: usize, x: &[f64]) -> Vec<f64> {
    let mut phi = vec![0.0; n_features];
    for tree in &model.trees {
        tree_shap(tree, x, &mut phi);
    }
    phi
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Node;

    fn leaf(value: f64, cover: f64) -> Node {
        Node::leaf(value, cover)
    }

    fn split(feature: usize, threshold: f64, left: usize, right: usize, cover: f64) -> Node {
        Node::split(feature, threshold, left, right, cover)
    }

    /// Exact Shapley values by enumerating coalitions, with the path-dependent value function
    /// (features outside the coalition follow both branches weighted by cover).
    fn brute_force(tree: &Tree, x: &[f64], n: usize) -> Vec<f64> {
        fn value(tree: &Tree, x: &[f64], set: u32, node: usize) -> f64 {
            let nd = &tree.nodes[node];
            match nd.feature {
                None => nd.value,
                Some(f) if set & (1 << f) != 0 => value(tree, x, set, nd.child(x[f])),
                Some(_) => {
                    let (l, r) = (&tree.nodes[nd.left], &tree.nodes[nd.right]);
                    (l.cover * value(tree, x, set, nd.left)
                        + r.cover * value(tree, x, set, nd.right))
                        / nd.cover
                }
            }
        }
        let fact = |k: usize| (1..=k).map(|v| v as f64).product::<f64>();
        (0..n)
            .map(|i| {
                (0..1u32 << n)
                    .filter(|s| s & (1 << i) == 0)
                    .map(|s| {
                        let k = s.count_ones() as usize;
                        let w = fact(k) * fact(n - k - 1) / fact(n);
                        w * (value(tree, x, s | (1 << i), 0) - value(tree, x, s, 0))
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn matches_brute_force_and_is_additive() {
        // Depth-3 tree reusing feature 0 on a path.
        let tree = Tree {
            nodes: vec![
                split(0, 0.5, 1, 2, 100.0),
                split(1, 1.0, 3, 4, 60.0),
                split(0, 0.8, 5, 6, 40.0),
                leaf(1.0, 20.0),
                split(2, -1.0, 7, 8, 40.0),
                leaf(3.0, 10.0),
                leaf(-2.0, 30.0),
                leaf(0.5, 15.0),
                leaf(4.0, 25.0),
            ],
        };
        tree.validate(3, "tree").unwrap();
        let model = Ensemble::new(vec![tree.clone()], 0.25);
        for x in [
            [0.2, 2.0, 0.0],
            [0.6, 0.0, -3.0],
            [0.9, 1.0, -1.0],
            [0.5, 1.0, 5.0],
        ] {
            let phi = shap_values(&model, 3, &x);
            let exact = brute_force(&tree, &x, 3);
            for (a, b) in phi.iter().zip(&exact) {
                assert!((a - b).abs() < 1e-12, "{phi:?} vs {exact:?}");
            }
            let total: f64 = phi.iter().sum::<f64>() + model.expected_value();
            assert!((total - model.margin(&x, false)).abs() < 1e-12);
        }
    }
}
