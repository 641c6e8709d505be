//! LIME for tabular data with the `lime` package's defaults (LimeTabularExplainer 0.2):
//!
//! * features are discretised into training quartiles (`numpy.percentile` 25/50/75, unique; a
//!   value's bin is the number of quartiles strictly below it);
//! * each of `num_samples` perturbations (the first is the row itself) draws every feature's bin
//!   from the training bin frequencies and a value inside it from a normal with the bin's
//!   training mean and standard deviation, truncated to the bin's range;
//! * the interpretable representation is binary: 1 where a sample falls in the row's bin;
//! * samples are weighted by the kernel √exp(−d²/w²), d the euclidean distance of the binary
//!   vectors, w = 0.75·√n_features;
//! * a weighted `Ridge(alpha=1)` with intercept is fitted to the model's prediction (the class's
//!   probability for classifiers); feature selection "auto" (all features when `num_features` ≥
//!   the model's; otherwise forward selection up to 6, highest weights above).
//!
//! `discretize = false` follows lime's other documented mode: samples drawn from N(mean, std) of
//! the training data per feature, and the regression is on standardised features, so a linear
//! model's weights come out as coefficient × training std.
//!
//! The random stream is ChaCha8 seeded by `seed`: the same seed gives the same explanation on any
//! platform. It is not numpy's stream, so values differ from the lime package run by run, as two
//! lime runs with different seeds do.

use crate::error::{ExplainError, Result};
use crate::model::Model;
use crate::ridge;
use mlobs_core::binning::quantiles_linear;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use statrs::distribution::{ContinuousCDF, Normal};

/// Samples accepted per explanation (each is one model prediction).
pub const MAX_SAMPLES: usize = 1_000_000;
/// Memory one explanation may hold for its samples and local model.
pub const MAX_WORKING_BYTES: usize = 1 << 30;

#[derive(Debug, Clone, PartialEq)]
pub struct LimeOptions {
    pub num_samples: usize,
    pub num_features: usize,
    /// None: 0.75·√n_features.
    pub kernel_width: Option<f64>,
    pub discretize: bool,
    pub seed: u64,
    pub class: Option<i64>,
}

impl Default for LimeOptions {
    fn default() -> Self {
        Self {
            num_samples: 5000,
            num_features: 10,
            kernel_width: None,
            discretize: true,
            seed: 0,
            class: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LimeExplanation {
    pub intercept: f64,
    /// (feature index, weight), largest |weight| first, as lime lists them.
    pub weights: Vec<(usize, f64)>,
    /// Weighted R² of the local model.
    pub score: f64,
    /// The local model's prediction for the row.
    pub local_prediction: f64,
    /// The model's own prediction for the row.
    pub prediction: f64,
    /// Per feature, the row's bin as lime names it ("25.30 < amount <= 40.00"); the feature name
    /// alone without discretisation.
    pub conditions: Vec<String>,
}

fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A standard normal by inversion (one uniform per draw keeps the stream easy to reason about).
fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let n = Normal::standard();
    let u = uniform(rng).max(f64::MIN_POSITIVE);
    n.inverse_cdf(u)
}

/// One feature's quartile bins with their training statistics.
struct Bins {
    quartiles: Vec<f64>,
    /// Per bin: lower and upper bound, mean, standard deviation (+1e-11, as lime).
    lo: Vec<f64>,
    hi: Vec<f64>,
    mean: Vec<f64>,
    std: Vec<f64>,
    /// Bins seen in training and their frequencies (lime draws from these only).
    seen: Vec<usize>,
    cumulative: Vec<f64>,
}

impl Bins {
    fn new(column: &[f64]) -> Self {
        let mut sorted = column.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut quartiles = quantiles_linear(&sorted, &[0.25, 0.5, 0.75]);
        quartiles.dedup();
        let k = quartiles.len() + 1;
        let mut lo = vec![sorted[0]];
        lo.extend(&quartiles);
        let mut hi = quartiles.clone();
        hi.push(sorted[sorted.len() - 1]);
        let (mut sum, mut sq, mut count) = (vec![0.0; k], vec![0.0; k], vec![0usize; k]);
        for &v in column {
            let b = bin_of(&quartiles, v);
            sum[b] += v;
            count[b] += 1;
        }
        let mean: Vec<f64> = (0..k)
            .map(|b| {
                if count[b] > 0 {
                    sum[b] / count[b] as f64
                } else {
                    0.0
                }
            })
            .collect();
        for &v in column {
            let b = bin_of(&quartiles, v);
            sq[b] += (v - mean[b]).powi(2);
        }
        let std = (0..k)
            .map(|b| {
                let s = if count[b] > 0 {
                    (sq[b] / count[b] as f64).sqrt()
                } else {
                    0.0
                };
                s + 1e-11
            })
            .collect();
        let seen: Vec<usize> = (0..k).filter(|&b| count[b] > 0).collect();
        let mut acc = 0.0;
        let cumulative = seen
            .iter()
            .map(|&b| {
                acc += count[b] as f64 / column.len() as f64;
                acc
            })
            .collect();
        Self {
            quartiles,
            lo,
            hi,
            mean,
            std,
            seen,
            cumulative,
        }
    }

    fn draw_bin(&self, rng: &mut ChaCha8Rng) -> usize {
        let u = uniform(rng);
        let i = self.cumulative.partition_point(|&c| c <= u);
        self.seen[i.min(self.seen.len() - 1)]
    }

    /// A value in bin `b`: truncated normal by inversion of the normal CDF on [lo, hi].
    fn draw_value(&self, b: usize, rng: &mut ChaCha8Rng) -> f64 {
        let (lo, hi) = (self.lo[b], self.hi[b]);
        if lo == hi {
            return lo;
        }
        let n = Normal::new(self.mean[b], self.std[b]).expect("std > 0");
        let (a, c) = (n.cdf(lo), n.cdf(hi));
        let u = uniform(rng);
        let v = if c - a > 1e-300 {
            n.inverse_cdf(a + u * (c - a))
        } else {
            self.mean[b]
        };
        v.clamp(lo, hi)
    }

    fn condition(&self, b: usize, name: &str) -> String {
        let q = &self.quartiles;
        if b == 0 {
            format!("{name} <= {:.2}", q[0])
        } else if b == q.len() {
            format!("{name} > {:.2}", q[b - 1])
        } else {
            format!("{:.2} < {name} <= {:.2}", q[b - 1], q[b])
        }
    }
}

fn bin_of(quartiles: &[f64], v: f64) -> usize {
    quartiles.partition_point(|&q| q < v)
}

/// Explains `model`'s prediction for `x` with LIME, `training` standing for the training data.
pub fn explain(
    model: &Model,
    x: &[f64],
    training: &[Vec<f64>],
    options: &LimeOptions,
) -> Result<LimeExplanation> {
    let n = model.n_features;
    model.check_row(x, "features")?;
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(ExplainError::at(
            &format!("features[{}]", model.feature_label(i)),
            "LIME needs a value (it cannot perturb a missing one)",
        ));
    }
    if training.len() < 2 || training.len() > crate::model::MAX_BACKGROUND {
        return Err(ExplainError::at(
            "training",
            format!("needs 2 to {} rows", crate::model::MAX_BACKGROUND),
        ));
    }
    for (r, row) in training.iter().enumerate() {
        if row.len() != n {
            return Err(ExplainError::at(
                &format!("training[{}]", r + 1),
                format!("has {} values, the model has {n} features", row.len()),
            ));
        }
        if let Some(i) = row.iter().position(|v| !v.is_finite()) {
            return Err(ExplainError::at(
                &format!("training[{}][{}]", r + 1, model.feature_label(i)),
                "LIME's training statistics need finite values",
            ));
        }
    }
    if !(2..=MAX_SAMPLES).contains(&options.num_samples) {
        return Err(ExplainError::at(
            "num_samples",
            format!("must be 2..{MAX_SAMPLES}"),
        ));
    }
    if options.num_features == 0 {
        return Err(ExplainError::at("num_features", "must be at least 1"));
    }
    // What the explanation holds at once (the samples twice, the training columns, the local
    // model's normal equations over every feature), checked before any of it is allocated: an
    // allocation that fails later ends the call but leaks what Rust held until then.
    let need = (options.num_samples.saturating_mul(2))
        .saturating_add(training.len())
        .saturating_add(n)
        .saturating_mul(n)
        .saturating_mul(8);
    if need > MAX_WORKING_BYTES {
        return Err(ExplainError::at(
            "num_samples",
            format!(
                "{} samples of {n} features need about {} MB, above {} MB; lower num_samples or the training rows",
                options.num_samples,
                need >> 20,
                MAX_WORKING_BYTES >> 20
            ),
        ));
    }
    let width = options.kernel_width.unwrap_or(0.75 * (n as f64).sqrt());
    // The kernel divides by width²: a square that underflows to 0 (or overflows) makes every
    // sample's weight NaN.
    if !(width.is_finite() && width > 0.0 && (width * width).is_normal()) {
        return Err(ExplainError::at(
            "kernel_width",
            format!("must be a positive number between 1.5e-154 and 1.3e154, got {width:e}"),
        ));
    }
    let prediction = model.predict(x, options.class)?;
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let columns: Vec<Vec<f64>> = (0..n)
        .map(|f| training.iter().map(|r| r[f]).collect())
        .collect();
    let samples = options.num_samples;
    // `data`: the interpretable representation the local model is fitted on.
    let mut data = vec![vec![0.0; n]; samples];
    let mut inverse = vec![x.to_vec(); samples];
    let conditions: Vec<String>;
    if options.discretize {
        let bins: Vec<Bins> = columns.iter().map(|c| Bins::new(c)).collect();
        let row_bins: Vec<usize> = (0..n).map(|f| bin_of(&bins[f].quartiles, x[f])).collect();
        data[0] = vec![1.0; n];
        // Column by column, as lime draws them.
        for f in 0..n {
            let drawn: Vec<usize> = (0..samples).map(|_| bins[f].draw_bin(&mut rng)).collect();
            mlobs_core::interrupt::check();
            for s in 1..samples {
                data[s][f] = if drawn[s] == row_bins[f] { 1.0 } else { 0.0 };
                inverse[s][f] = drawn[s] as f64;
            }
        }
        for f in 0..n {
            for row in inverse.iter_mut().skip(1) {
                row[f] = bins[f].draw_value(row[f] as usize, &mut rng);
            }
        }
        conditions = (0..n)
            .map(|f| bins[f].condition(row_bins[f], &model.feature_label(f)))
            .collect();
    } else {
        let stats: Vec<(f64, f64)> = columns
            .iter()
            .map(|c| {
                let m = c.iter().sum::<f64>() / c.len() as f64;
                let s = (c.iter().map(|v| (v - m).powi(2)).sum::<f64>() / c.len() as f64).sqrt();
                (m, if s > 0.0 { s } else { 1.0 })
            })
            .collect();
        for (s, row) in inverse.iter_mut().enumerate().skip(1) {
            if s % 1024 == 0 {
                mlobs_core::interrupt::check();
            }
            for (v, (mean, sd)) in row.iter_mut().zip(&stats) {
                *v = standard_normal(&mut rng) * sd + mean;
            }
        }
        // A column near float8's limits overflows its mean or deviation, or a drawn sample: the
        // model would then refuse the sample as "features[f] must not be infinite", naming a
        // feature the caller passed finite.
        if inverse.iter().flatten().any(|v| !v.is_finite()) {
            return Err(ExplainError::at(
                "training",
                "values too large for LIME's sampling (a column's mean, deviation or sample overflows float8)",
            ));
        }
        for s in 0..samples {
            for f in 0..n {
                data[s][f] = (inverse[s][f] - stats[f].0) / stats[f].1;
            }
        }
        conditions = (0..n).map(|f| model.feature_label(f)).collect();
    }
    let mut y = Vec::with_capacity(samples);
    for (s, row) in inverse.iter().enumerate() {
        if s % 1024 == 0 {
            mlobs_core::interrupt::check();
        }
        y.push(model.predict(row, options.class)?);
    }
    let fit = fit_local(&data, &y, width, options.num_features)?;
    Ok(LimeExplanation {
        intercept: fit.intercept,
        local_prediction: fit.local_prediction,
        score: fit.score,
        weights: fit.weights,
        prediction,
        conditions,
    })
}

/// The local model lime fits to a neighbourhood.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalFit {
    pub intercept: f64,
    /// (feature index, weight), largest |weight| first.
    pub weights: Vec<(usize, f64)>,
    pub score: f64,
    pub local_prediction: f64,
}

/// lime's `explain_instance_with_data`: `data` is the interpretable representation of the
/// samples (row 0 the explained row), `y` the model's outputs on them; samples are weighted by
/// the kernel √exp(−d²/width²) of their euclidean distance to row 0, features selected
/// ("auto") and a weighted Ridge(α = 1) with intercept fitted.
/// `Err` when the samples or the model's outputs are too large for the fit's sums.
pub fn fit_local(
    data: &[Vec<f64>],
    y: &[f64],
    width: f64,
    num_features: usize,
) -> Result<LocalFit> {
    let n = data[0].len();
    let first = data[0].clone();
    let weights: Vec<f64> = data
        .iter()
        .map(|r| {
            let d2: f64 = r.iter().zip(&first).map(|(a, b)| (a - b).powi(2)).sum();
            (-d2 / (width * width)).exp().sqrt()
        })
        .collect();
    let overflow = |e| ExplainError::at("training", format!("{e} (values beyond about 1e150)"));
    let used = select_features(data, y, &weights, num_features, n).map_err(overflow)?;
    let fit = ridge::fit(data, &used, y, &weights, 1.0).map_err(overflow)?;
    let local: Vec<f64> = used.iter().map(|&f| first[f]).collect();
    let mut listed: Vec<(usize, f64)> = used
        .iter()
        .copied()
        .zip(fit.coefficients.iter().copied())
        .collect();
    listed.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    Ok(LocalFit {
        intercept: fit.intercept,
        local_prediction: fit.predict(&local),
        score: fit.score,
        weights: listed,
    })
}

/// lime's QuartileDiscretizer statistics of one training column.
#[derive(Debug, Clone, PartialEq)]
pub struct QuartileBins {
    /// The unique quartiles (bin boundaries).
    pub quartiles: Vec<f64>,
    /// Per bin: training mean, standard deviation (+1e-11), lower and upper bound.
    pub means: Vec<f64>,
    pub stds: Vec<f64>,
    pub mins: Vec<f64>,
    pub maxs: Vec<f64>,
}

pub fn quartile_bins(column: &[f64]) -> QuartileBins {
    let b = Bins::new(column);
    QuartileBins {
        quartiles: b.quartiles,
        means: b.mean,
        stds: b.std,
        mins: b.lo,
        maxs: b.hi,
    }
}

/// lime's feature_selection="auto".
fn select_features(
    data: &[Vec<f64>],
    y: &[f64],
    w: &[f64],
    k: usize,
    n: usize,
) -> std::result::Result<Vec<usize>, &'static str> {
    let all: Vec<usize> = (0..n).collect();
    if k >= n {
        return Ok(all);
    }
    if k <= 6 {
        // Forward selection: add the feature that most improves an unpenalised fit's R².
        let mut used: Vec<usize> = Vec::new();
        for _ in 0..k {
            let mut best = (f64::NEG_INFINITY, 0);
            for f in (0..n).filter(|f| !used.contains(f)) {
                let mut cols = used.clone();
                cols.push(f);
                let score = ridge::fit(data, &cols, y, w, 0.0)?.score;
                if score > best.0 {
                    best = (score, f);
                }
            }
            used.push(best.1);
        }
        return Ok(used);
    }
    // Highest weights of a lightly penalised fit on every feature, weighted by the row's own
    // representation (lime ranks |coef · data[0]|).
    let fit = ridge::fit(data, &all, y, w, 0.01)?;
    let mut order: Vec<usize> = all;
    let rank = |f: usize| (fit.coefficients[f] * data[0][f]).abs();
    order.sort_by(|&a, &b| rank(b).total_cmp(&rank(a)).then(a.cmp(&b)));
    order.truncate(k);
    Ok(order)
}
