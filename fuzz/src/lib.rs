//! Shared body of the decoder fuzz targets: parse the input as JSON, decode it as one format,
//! and when the decoder accepts it, drive every prediction/explanation entry point on a few
//! rows derived deterministically from the input. A model the decoder validated must never
//! panic in these calls; errors (`Err`) are fine and ignored.

use mlobs_explain::{decode, Model, Output};

/// Values libFuzzer cannot easily reach by itself but the routing rules care about.
const SPECIALS: [f64; 8] = [
    f64::NAN,
    0.0,
    -0.0,
    1e-36, // LightGBM "Zero" missing type treats |x| <= 1e-35 as zero
    -1e-36,
    1.0,
    -1.0,
    f64::MAX,
];

/// A small deterministic generator seeded from the input bytes (FNV-1a + splitmix64).
struct Rng(u64);

impl Rng {
    fn new(data: &[u8]) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in data {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        Rng(h)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Up to 64 split thresholds of the model (trees), so rows land exactly on split points.
fn thresholds(model: &Model) -> Vec<f64> {
    let mut out = Vec::new();
    for o in &model.outputs {
        if let Output::Trees(e) = o {
            for t in &e.trees {
                for n in t.nodes.iter().filter(|n| !n.is_leaf()) {
                    if out.len() >= 64 {
                        return out;
                    }
                    let th = n.threshold;
                    out.push(th);
                    // The float32 neighbours matter for XGBoost's and scikit-learn's casts.
                    let f = th as f32;
                    out.push(f as f64);
                    out.push(f32::from_bits(f.to_bits().wrapping_add(1)) as f64);
                }
            }
        }
    }
    out
}

fn row(rng: &mut Rng, n: usize, pool: &[f64]) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let r = rng.next();
            match r % 4 {
                0 => SPECIALS[(r >> 8) as usize % SPECIALS.len()],
                1 if !pool.is_empty() => pool[(r >> 8) as usize % pool.len()],
                // A modest finite value with some spread.
                _ => ((r >> 16) as i32 as f64) / 65536.0,
            }
        })
        .collect()
}

/// Calls every entry point on `x`, ignoring results.
fn exercise_row(model: &Model, x: &[f64], background: &[Vec<f64>], classes: &[Option<i64>]) {
    let _ = model.predict_proba(x);
    for &c in classes {
        let _ = model.predict(x, c);
        let _ = model.margin(x, c);
        let _ = model.shap(x, c);
        let _ = model.shap_interventional(x, background, c);
    }
}

pub fn decode_and_exercise(format: &str, data: &[u8]) {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(model) = decode(format, &body) else {
        return;
    };
    let n = model.n_features;
    let pool = thresholds(&model);
    let mut rng = Rng::new(data);

    let mut classes = vec![None, Some(0), Some(1), Some(-1)];
    classes.push(Some(model.n_classes as i64)); // one past the last class
    if model.n_classes > 2 {
        classes.push(Some(model.n_classes as i64 - 1));
    }

    let background = vec![row(&mut rng, n, &pool), row(&mut rng, n, &pool)];
    for &c in &classes {
        let _ = model.shap_base_value(c);
        let _ = model.shap_base_value_interventional(&background, c);
    }

    let mut rows = vec![vec![0.0; n], vec![f64::NAN; n]];
    rows.push(row(&mut rng, n, &pool));
    rows.push(row(&mut rng, n, &pool));
    for x in &rows {
        exercise_row(&model, x, &background, &classes);
    }

    // Rows the entry points must reject with Err: wrong length, infinite value; and an
    // empty background.
    let _ = model.predict(&vec![0.0; n + 1], None);
    let _ = model.shap(&[], None);
    let mut inf = vec![1.0; n];
    inf[n - 1] = f64::INFINITY;
    let _ = model.predict(&inf, None);
    let _ = model.shap_interventional(&rows[2], &[], None);
    let _ = model.shap_interventional(&rows[2], &[inf], None);
}

pub mod summaries;
