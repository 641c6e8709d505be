//! Helpers shared by the fixture tests: loading the committed JSON fixtures and reading arrays.

#![allow(dead_code)] // each test binary uses a subset

use serde_json::Value;

/// A fixture file of tests/fixtures, parsed.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .unwrap()
}

pub fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

pub fn rows(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(f64s).collect()
}

/// splitmix64 uniforms in [0, 1): the generators write a seed and a size instead of the samples.
pub fn splitmix(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
        })
        .collect()
}

/// A sample described by {seed, n, grid?, shift?}: uniforms, optionally floored to a grid (ties).
pub fn sample(spec: &Value) -> Vec<f64> {
    let u = splitmix(
        spec["seed"].as_u64().unwrap(),
        spec["n"].as_u64().unwrap() as usize,
    );
    let grid = spec["grid"].as_f64();
    let shift = spec["shift"].as_f64().unwrap_or(0.0);
    let square = spec["square"].as_bool().unwrap_or(false);
    u.into_iter()
        .map(|x| if square { x * x } else { x })
        .map(|x| grid.map_or(x, |g| (x * g).floor()) + shift)
        .collect()
}
