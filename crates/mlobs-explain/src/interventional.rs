//! Interventional ("independent") TreeSHAP: exact Shapley values of one row `x` when the
//! features outside a coalition take a background row's values, averaged over the background —
//! what `shap.TreeExplainer(model, data, feature_perturbation="interventional")` computes.
//!
//! For one background row `z` a tree is walked once: where `x` and `z` take the same branch the
//! walk follows it; where they differ it follows both, remembering which features must come from
//! `x` (set P) and which from `z` (set N). A leaf reached that way is the model's value exactly
//! for the coalitions containing P and avoiding N, so its Shapley share is closed-form:
//! +v·(|P|−1)!·|N|!/(|P|+|N|)! for each feature in P and −v·|P|!·(|N|−1)!/(|P|+|N|)! for each in
//! N. Cost per (row, background row, tree) is at most the tree's leaves; depth is capped at load.

use crate::tree::{Ensemble, Tree};

/// 1 / (n · C(n−1, s)) = s!(n−1−s)!/n!, the Shapley weight of a coalition of size s among n.
fn weight(s: usize, n: usize) -> f64 {
    let mut c = 1.0;
    for i in 0..s {
        c = c * (n - 1 - i) as f64 / (i + 1) as f64;
    }
    1.0 / (n as f64 * c)
}

struct Walk<'a> {
    tree: &'a Tree,
    x: &'a [f64],
    z: &'a [f64],
    /// Features fixed to x's value (P) and to z's value (N) on the current path.
    from_x: Vec<usize>,
    from_z: Vec<usize>,
    phi: &'a mut [f64],
}

impl Walk<'_> {
    fn visit(&mut self, node: usize) {
        let n = &self.tree.nodes[node];
        let Some(f) = n.feature else {
            let (p, q) = (self.from_x.len(), self.from_z.len());
            if p + q == 0 {
                return;
            }
            if p > 0 {
                let w = n.value * weight(p - 1, p + q);
                for &i in &self.from_x {
                    self.phi[i] += w;
                }
            }
            if q > 0 {
                let w = n.value * weight(p, p + q);
                for &i in &self.from_z {
                    self.phi[i] -= w;
                }
            }
            return;
        };
        let (cx, cz) = (n.child(self.x[f]), n.child(self.z[f]));
        if cx == cz || self.from_x.contains(&f) {
            self.visit(cx);
        } else if self.from_z.contains(&f) {
            self.visit(cz);
        } else {
            self.from_x.push(f);
            self.visit(cx);
            self.from_x.pop();
            self.from_z.push(f);
            self.visit(cz);
            self.from_z.pop();
        }
    }
}

/// Adds one tree's SHAP values of `x` against the single background row `z` to `phi`.
pub fn tree_shap(tree: &Tree, x: &[f64], z: &[f64], phi: &mut [f64]) {
    Walk {
        tree,
        x,
        z,
        from_x: Vec::new(),
        from_z: Vec::new(),
        phi,
    }
    .visit(0);
}

/// SHAP values of `x` averaged over `background`, in margin space. Σφ = margin(x) − mean
/// margin(background).
pub fn shap_values(
    model: &Ensemble,
    n_features: usize,
    x: &[f64],
    background: &[Vec<f64>],
) -> Vec<f64> {
    let mut phi = vec![0.0; n_features];
    for z in background {
        mlobs_core::interrupt::check();
        for tree in &model.trees {
            tree_shap(tree, x, z, &mut phi);
        }
    }
    phi.iter_mut().for_each(|v| *v /= background.len() as f64);
    phi
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Node;

    /// Exact Shapley values by enumerating coalitions of v(S) = f(x_S, z_rest).
    fn brute_force(tree: &Tree, x: &[f64], z: &[f64]) -> Vec<f64> {
        let n = x.len();
        let fact = |k: usize| (1..=k).map(|v| v as f64).product::<f64>();
        let v = |s: u32| {
            let row: Vec<f64> = (0..n)
                .map(|i| if s & (1 << i) != 0 { x[i] } else { z[i] })
                .collect();
            tree.predict(&row)
        };
        (0..n)
            .map(|i| {
                (0..1u32 << n)
                    .filter(|s| s & (1 << i) == 0)
                    .map(|s| {
                        let k = s.count_ones() as usize;
                        fact(k) * fact(n - k - 1) / fact(n) * (v(s | 1 << i) - v(s))
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn matches_brute_force_and_is_additive() {
        // Feature 0 is split on twice along a path; feature 3 is never used.
        let tree = Tree {
            nodes: vec![
                Node::split(0, 0.5, 1, 2, 1.0),
                Node::split(1, 1.0, 3, 4, 1.0),
                Node::split(0, 0.8, 5, 6, 1.0),
                Node::leaf(1.0, 1.0),
                Node::split(2, -1.0, 7, 8, 1.0),
                Node::leaf(3.0, 1.0),
                Node::leaf(-2.0, 1.0),
                Node::leaf(0.5, 1.0),
                Node::leaf(4.0, 1.0),
            ],
        };
        tree.validate(4, "tree").unwrap();
        let rows = [
            [0.2, 2.0, 0.0, 1.0],
            [0.6, 0.0, -3.0, 2.0],
            [0.9, 1.0, -1.0, 3.0],
            [0.5, 1.0, 5.0, 4.0],
            [f64::NAN, 0.0, 0.0, 0.0],
        ];
        for x in &rows {
            for z in &rows {
                let mut phi = vec![0.0; 4];
                tree_shap(&tree, x, z, &mut phi);
                let exact = brute_force(&tree, x, z);
                for (a, b) in phi.iter().zip(&exact) {
                    assert!((a - b).abs() < 1e-12, "{phi:?} vs {exact:?}");
                }
                let total: f64 = phi.iter().sum();
                assert!((total - (tree.predict(x) - tree.predict(z))).abs() < 1e-12);
                assert_eq!(phi[3], 0.0);
            }
        }
    }
}
