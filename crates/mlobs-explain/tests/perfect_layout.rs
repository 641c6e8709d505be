//! The complete-tree prediction layout (`perfect.rs`) against the node walk: the same bits for
//! random ensembles of every split kind, with missing values, float32 rounding boundaries,
//! values beyond float32's range and trees of uneven depth; and the cases it must decline.

use mlobs_explain::perfect::{Perfect, MAX_DEPTH};
use mlobs_explain::{Ensemble, Missing, Node, Split, Tree};
use proptest::prelude::*;

const N_FEATURES: usize = 4;

/// Values on both sides of float32 rounding (0.1 and its float32 neighbour), zeros of both
/// signs, a subnormal, values beyond float32's range and NaN.
fn pool() -> Vec<f64> {
    let f = 0.1f32 as f64;
    vec![
        -1.0,
        -0.0,
        0.0,
        0.1,
        f,
        f64::from_bits(f.to_bits() + 1),
        f64::from_bits(f.to_bits() - 1),
        0.5,
        1e-40,
        3.5e38,
        -3.5e38,
        1e300,
        2.0,
        f64::NAN,
    ]
}

/// A tree from a preorder list of choices: each entry (leaf?, feature, threshold index,
/// default_left, value), leaves forced at `max_depth`.
fn build_tree(choices: &[(bool, usize, usize, bool, f64)], max_depth: usize, split: Split) -> Tree {
    let thresholds: Vec<f64> = pool().into_iter().filter(|v| !v.is_nan()).collect();
    let mut nodes: Vec<Node> = Vec::new();
    let mut next = 0usize;
    // (slot in nodes, depth): children are appended as they are visited.
    nodes.push(Node::leaf(0.0, 1.0));
    let mut stack = vec![(0usize, 0usize)];
    while let Some((at, depth)) = stack.pop() {
        let (leaf, feature, t, default_left, value) = choices[next % choices.len()];
        next += 1;
        if leaf || depth == max_depth {
            nodes[at] = Node::leaf(value, 1.0);
            continue;
        }
        let (l, r) = (nodes.len(), nodes.len() + 1);
        nodes.push(Node::leaf(0.0, 1.0));
        nodes.push(Node::leaf(0.0, 1.0));
        let mut n = Node::split(
            feature % N_FEATURES,
            thresholds[t % thresholds.len()],
            l,
            r,
            1.0,
        );
        n.split = split;
        n.default_left = default_left;
        nodes[at] = n;
        stack.push((r, depth + 1));
        stack.push((l, depth + 1));
    }
    Tree { nodes }
}

fn choices() -> impl Strategy<Value = Vec<(bool, usize, usize, bool, f64)>> {
    prop::collection::vec(
        (
            prop::bool::weighted(0.3),
            0usize..8,
            0usize..16,
            any::<bool>(),
            -2.0f64..2.0,
        ),
        1..40,
    )
}

fn split_kind() -> impl Strategy<Value = Split> {
    prop_oneof![
        Just(Split::LessF32),
        Just(Split::LessEqual),
        Just(Split::LessEqualF32Input)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn same_bits_as_the_node_walk(
        trees in prop::collection::vec((choices(), 0usize..=7), 0..20),
        split in split_kind(),
        rows in prop::collection::vec(prop::collection::vec(0usize..14, N_FEATURES), 1..12),
        base in -1.0f64..1.0,
        float32 in any::<bool>(),
    ) {
        let trees: Vec<Tree> = trees.iter().map(|(c, d)| build_tree(c, *d, split)).collect();
        for t in &trees {
            t.validate(N_FEATURES, "tree").unwrap();
        }
        let deepest = trees.iter().map(depth).max().unwrap_or(0);
        let layout = Perfect::build(&trees);
        prop_assert_eq!(layout.is_some(), deepest <= MAX_DEPTH);
        let e = Ensemble::new(trees, base);
        let pool = pool();
        for r in &rows {
            let x: Vec<f64> = r.iter().map(|&i| pool[i]).collect();
            let want = e.margin_by_nodes(&x, float32);
            prop_assert_eq!(e.margin(&x, float32).to_bits(), want.to_bits(), "x = {:?}", x);
            if let Some(p) = &layout {
                prop_assert_eq!(p.margin(&x, base, float32).to_bits(), want.to_bits());
            }
        }
    }
}

fn depth(t: &Tree) -> usize {
    fn go(t: &Tree, i: usize) -> usize {
        let n = &t.nodes[i];
        if n.is_leaf() {
            0
        } else {
            1 + go(t, n.left).max(go(t, n.right))
        }
    }
    go(t, 0)
}

#[test]
fn declines_mixed_kinds_and_other_missing_rules() {
    let tree = |split: Split, missing: Missing| {
        let mut root = Node::split(0, 0.5, 1, 2, 2.0);
        root.split = split;
        root.missing = missing;
        Tree {
            nodes: vec![root, Node::leaf(1.0, 1.0), Node::leaf(-1.0, 1.0)],
        }
    };
    let nan = Missing::NanDefault;
    assert!(Perfect::build(&[tree(Split::LessF32, nan), tree(Split::LessF32, nan)]).is_some());
    assert!(Perfect::build(&[tree(Split::LessF32, nan), tree(Split::LessEqual, nan)]).is_none());
    for other in [Missing::NanAsZero, Missing::ZeroDefault] {
        assert!(Perfect::build(&[tree(Split::LessEqual, other)]).is_none());
        // The node walk still serves them, through `margin`.
        let e = Ensemble::new(vec![tree(Split::LessEqual, other)], 0.0);
        assert_eq!(
            e.margin(&[f64::NAN], false),
            e.margin_by_nodes(&[f64::NAN], false)
        );
    }
}

#[test]
fn single_leaves_and_no_trees() {
    let e = Ensemble::new(
        vec![Tree {
            nodes: vec![Node::leaf(0.25, 1.0)],
        }],
        0.5,
    );
    assert_eq!(e.margin(&[], false), 0.75);
    assert_eq!(Ensemble::new(vec![], 0.5).margin(&[1.0], true), 0.5);
}

/// The fixture models from the libraries: which take the layout, and the same bits either way
/// on rows with missing values.
#[test]
fn library_models() {
    // LightGBM's exports mix missing_type "None" and "NaN" and grow 7 to 9 levels deep.
    for (format, file, takes_layout) in [
        ("xgboost", "fraud_xgb.json", true),
        ("xgboost", "risk_xgb.json", true),
        ("xgboost", "price_xgb.json", true),
        ("sklearn", "churn_rf.json", true),
        ("sklearn", "price_rf.json", true),
        ("lightgbm", "price_lgbm.json", false),
        ("lightgbm", "fraud_lgbm.json", false),
        ("lightgbm", "risk_lgbm.json", false),
    ] {
        let path = format!(
            "{}/../../tests/fixtures/models/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let body: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let model = mlobs_explain::decode(format, &body).unwrap();
        for output in &model.outputs {
            let mlobs_explain::Output::Trees(e) = output else {
                panic!("{file}: not trees")
            };
            assert_eq!(Perfect::build(&e.trees).is_some(), takes_layout, "{file}");
            for i in 0..200 {
                let x: Vec<f64> = (0..model.n_features)
                    .map(|f| match (i + f) % 7 {
                        0 => f64::NAN,
                        k => (i * 13 + f * 7) as f64 / k as f64 - 20.0,
                    })
                    .collect();
                let (a, b) = (
                    e.margin(&x, model.float32),
                    e.margin_by_nodes(&x, model.float32),
                );
                assert_eq!(a.to_bits(), b.to_bits(), "{file}: {x:?}");
            }
        }
    }
}
