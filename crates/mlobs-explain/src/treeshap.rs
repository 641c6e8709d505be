//! Path-dependent TreeSHAP (Lundberg et al., "Consistent individualized feature attribution for
//! tree ensembles", Algorithm 2): exact Shapley values of one row under the tree's own cover
//! distribution, what `shap.TreeExplainer(model)` computes without background data. The sum of
//! the values plus the base value equals the raw margin.
//!
//! Recursion depth is bounded by `tree::MAX_DEPTH`, checked when a tree is validated.

use crate::tree::{Ensemble, Tree};

#[derive(Clone, Copy, Debug)]
struct PathElement {
    /// Feature split on; `usize::MAX` for the root's dummy element.
    feature: usize,
    zero_fraction: f64,
    one_fraction: f64,
    weight: f64,
}

fn extend(path: &mut Vec<PathElement>, zero: f64, one: f64, feature: usize) {
    let depth = path.len();
    path.push(PathElement {
        feature,
        zero_fraction: zero,
        one_fraction: one,
        weight: if depth == 0 { 1.0 } else { 0.0 },
    });
    let l = depth as f64;
    for i in (0..depth).rev() {
        let w = path[i].weight;
        path[i + 1].weight += one * w * (i as f64 + 1.0) / (l + 1.0);
        path[i].weight = zero * w * (l - i as f64) / (l + 1.0);
    }
}

fn unwind(path: &mut Vec<PathElement>, index: usize) {
    let depth = path.len() - 1;
    let l = depth as f64;
    let (one, zero) = (path[index].one_fraction, path[index].zero_fraction);
    let mut next = path[depth].weight;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let tmp = path[i].weight;
            path[i].weight = next * (l + 1.0) / ((i as f64 + 1.0) * one);
            next = tmp - path[i].weight * zero * (l - i as f64) / (l + 1.0);
        } else {
            path[i].weight = path[i].weight * (l + 1.0) / (zero * (l - i as f64));
        }
    }
    for i in index..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero_fraction = path[i + 1].zero_fraction;
        path[i].one_fraction = path[i + 1].one_fraction;
    }
    path.pop();
}

fn unwound_sum(path: &[PathElement], index: usize) -> f64 {
    let depth = path.len() - 1;
    let l = depth as f64;
    let (one, zero) = (path[index].one_fraction, path[index].zero_fraction);
    let mut next = path[depth].weight;
    let mut total = 0.0;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let tmp = next * (l + 1.0) / ((i as f64 + 1.0) * one);
            total += tmp;
            next = path[i].weight - tmp * zero * ((l - i as f64) / (l + 1.0));
        } else if zero != 0.0 {
            total += path[i].weight / (zero * ((l - i as f64) / (l + 1.0)));
        }
    }
    total
}

/// One row's walk through one tree, accumulating into `phi`.
struct Walk<'a> {
    tree: &'a Tree,
    x: &'a [f64],
    phi: &'a mut [f64],
}

impl Walk<'_> {
    fn recurse(
        &mut self,
        node: usize,
        mut path: Vec<PathElement>,
        zero: f64,
        one: f64,
        feature: usize,
    ) {
        extend(&mut path, zero, one, feature);
        let n = &self.tree.nodes[node];
        let Some(split) = n.feature else {
            for i in 1..path.len() {
                let w = unwound_sum(&path, i);
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
        if let Some(k) = path.iter().position(|e| e.feature == split) {
            in_zero = path[k].zero_fraction;
            in_one = path[k].one_fraction;
            unwind(&mut path, k);
        }
        self.recurse(hot, path.clone(), hot_zero * in_zero, in_one, split);
        self.recurse(cold, path, cold_zero * in_zero, 0.0, split);
    }
}

/// Adds the SHAP values of one tree for row `x` to `phi` (length = number of features).
pub fn tree_shap(tree: &Tree, x: &[f64], phi: &mut [f64]) {
    Walk { tree, x, phi }.recurse(0, Vec::with_capacity(16), 1.0, 1.0, usize::MAX);
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
    use crate::tree::{Missing, Node, Split};

    fn leaf(value: f64, cover: f64) -> Node {
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

    fn split(feature: usize, threshold: f64, left: usize, right: usize, cover: f64) -> Node {
        Node {
            feature: Some(feature),
            threshold,
            split: Split::LessEqual,
            left,
            right,
            default_left: true,
            missing: Missing::NanDefault,
            value: 0.0,
            cover,
        }
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
        let model = Ensemble {
            trees: vec![tree.clone()],
            base_margin: 0.25,
        };
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
