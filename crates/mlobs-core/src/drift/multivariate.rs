//! Multivariate drift by PCA reconstruction error (NannyML's data reconstruction drift): fit on
//! the reference — standardise each column, keep the fewest principal components whose explained
//! variance exceeds a share (65 % by default, as NannyML) — then a window's drift score is the
//! mean Euclidean distance between its standardised rows and their reconstruction from those
//! components. Changes in the correlation structure raise it even when every marginal is
//! unchanged.

use crate::error::{CoreError, Result};
use nalgebra::{DMatrix, DVector, SymmetricEigen};
use serde_json::{json, Value};

/// Most columns accepted (the covariance matrix is columns²).
pub const MAX_COLUMNS: usize = 500;

/// Largest magnitude of a value PCA uses: standardising squares the deviations, and beyond this
/// the squares (a column's variance, a row's error) overflow float8. A row holding a larger
/// value is left out, as one holding ±Infinity is.
pub const MAX_MAGNITUDE: f64 = 1e150;

#[derive(Debug, Clone)]
pub struct PcaModel {
    mean: DVector<f64>,
    scale: DVector<f64>,
    /// Columns are the kept principal directions (unit vectors).
    components: DMatrix<f64>,
    pub explained_share: f64,
}

impl PcaModel {
    pub fn components(&self) -> usize {
        self.components.ncols()
    }

    /// Columns the model was fitted on.
    pub fn width(&self) -> usize {
        self.mean.len()
    }

    /// Reconstruction error of one row of the model's width: the Euclidean distance between the
    /// standardised row and its projection on the kept components.
    pub fn row_error(&self, row: &[f64]) -> f64 {
        let z = DVector::from_iterator(
            row.len(),
            row.iter()
                .enumerate()
                .map(|(j, &x)| (x - self.mean[j]) / self.scale[j]),
        );
        let coords = self.components.transpose() * &z;
        let reconstructed = &self.components * coords;
        let error = (z - reconstructed).norm();
        // A row far out along a column of tiny deviation overflows its standardised values, and
        // Infinity − Infinity is NaN: it is infinitely far from the reference, not unknown.
        if error.is_nan() {
            f64::INFINITY
        } else {
            error
        }
    }

    /// Mean reconstruction error of `rows` (each of the model's width); `None` when empty.
    pub fn mean_error(&self, rows: &[Vec<f64>]) -> Option<f64> {
        if rows.is_empty() {
            return None;
        }
        let total: f64 = rows.iter().map(|row| self.row_error(row)).sum();
        Some(total / rows.len() as f64)
    }

    /// The fitted model as JSON (what a monitor stores with its reference): per column `mean`
    /// and `scale`, the kept unit `components` (one array of `width` numbers each) and
    /// `explained_share`. Every number is finite, so the JSON round-trips exactly.
    pub fn to_json(&self) -> Value {
        json!({
            "mean": self.mean.iter().collect::<Vec<_>>(),
            "scale": self.scale.iter().collect::<Vec<_>>(),
            "components": self.components.column_iter()
                .map(|c| c.iter().copied().collect::<Vec<f64>>()).collect::<Vec<_>>(),
            "explained_share": self.explained_share,
        })
    }

    /// A model from `to_json`'s form, validated (a stored model can be edited by hand).
    pub fn from_json(model: &Value) -> Result<PcaModel> {
        let bad = |what: &str| {
            CoreError::invalid_parameter(format!(
                "pca_model: {what} (expected mlobs.pca_fit's output: mean, scale, components, explained_share)"
            ))
        };
        let numbers = |v: Option<&Value>, what: &str| -> Result<Vec<f64>> {
            let items = v
                .and_then(Value::as_array)
                .ok_or_else(|| bad(&format!("{what} must be an array of numbers")))?;
            items
                .iter()
                .map(|x| x.as_f64().filter(|x| x.is_finite()))
                .collect::<Option<Vec<f64>>>()
                .ok_or_else(|| bad(&format!("{what} must hold finite numbers only")))
        };
        let mean = numbers(model.get("mean"), "mean")?;
        let scale = numbers(model.get("scale"), "scale")?;
        let d = mean.len();
        if d == 0 || d > MAX_COLUMNS || scale.len() != d {
            return Err(bad(&format!(
                "mean and scale must have the same length, 1 to {MAX_COLUMNS}, got {} and {}",
                d,
                scale.len()
            )));
        }
        if scale.iter().any(|&s| s <= 0.0) {
            return Err(bad("scale must be positive"));
        }
        let comps = model
            .get("components")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("components must be an array of arrays"))?;
        if comps.is_empty() || comps.len() > d {
            return Err(bad(&format!(
                "components must hold 1 to {d} components, got {}",
                comps.len()
            )));
        }
        let mut columns = Vec::with_capacity(comps.len());
        for c in comps {
            let c = numbers(Some(c), "every component")?;
            if c.len() != d {
                return Err(bad(&format!(
                    "every component must have {d} numbers, got {}",
                    c.len()
                )));
            }
            columns.push(DVector::from_vec(c));
        }
        let explained_share = model
            .get("explained_share")
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN);
        Ok(PcaModel {
            mean: DVector::from_vec(mean),
            scale: DVector::from_vec(scale),
            components: DMatrix::from_columns(&columns),
            explained_share,
        })
    }
}

/// Rows of a 2-D input that PCA uses: every value finite and within ±`MAX_MAGNITUDE` (one
/// row of 1e200 overflowed the reference's variance and stopped its monitor for good).
pub fn usable_rows(rows: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    rows.into_iter()
        .filter(|r| r.iter().all(|x| x.abs() <= MAX_MAGNITUDE))
        .collect()
}

/// Fits the model on reference rows (all of one width). Columns with zero variance are kept
/// unscaled (as a standard scaler does). `variance` in (0, 1).
pub fn fit(reference: &[Vec<f64>], variance: f64) -> Result<PcaModel> {
    if !(variance > 0.0 && variance < 1.0) {
        return Err(CoreError::invalid_parameter(format!(
            "variance must be between 0 and 1 (exclusive), got {variance}"
        )));
    }
    let n = reference.len();
    let d = reference.first().map_or(0, |r| r.len());
    if n < 2 || d == 0 {
        return Err(CoreError::invalid_parameter(format!(
            "reference needs at least 2 complete rows (every value a number within ±{MAX_MAGNITUDE:e}) of at least 1 column, got {n} complete rows"
        )));
    }
    if d > MAX_COLUMNS {
        return Err(CoreError::limit_exceeded(format!(
            "at most {MAX_COLUMNS} columns are accepted, got {d}"
        )));
    }
    let x = DMatrix::from_fn(n, d, |i, j| reference[i][j]);
    let mean = DVector::from_iterator(d, x.column_iter().map(|c| c.sum() / n as f64));
    // Population standard deviation, as sklearn's StandardScaler.
    let scale = DVector::from_iterator(
        d,
        x.column_iter().enumerate().map(|(j, c)| {
            let s = (c.iter().map(|v| (v - mean[j]).powi(2)).sum::<f64>() / n as f64).sqrt();
            if s > 0.0 {
                s
            } else {
                1.0
            }
        }),
    );
    let z = DMatrix::from_fn(n, d, |i, j| (x[(i, j)] - mean[j]) / scale[j]);
    // zᵀz in blocks of rows, so that a cancelled query stops between them: n·d² multiply-adds
    // (3 000 rows of 500 columns: 750 million).
    let mut cov = DMatrix::<f64>::zeros(d, d);
    for start in (0..n).step_by(256) {
        crate::interrupt::check();
        let block = z.rows(start, (n - start).min(256));
        cov += block.tr_mul(&block);
    }
    cov /= n as f64 - 1.0;
    // Values near float8's limit overflow the means, deviations or products (an eigensolver of a
    // matrix holding ±Infinity or NaN gives NaN components).
    if !(mean
        .iter()
        .chain(scale.iter())
        .chain(cov.iter())
        .all(|v| v.is_finite()))
    {
        return Err(CoreError::out_of_range(
            "the reference's values are too large for PCA: a column's mean, deviation or covariance overflows float8",
        ));
    }
    let eigen = SymmetricEigen::new(cov);
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]));
    let total: f64 = eigen.eigenvalues.iter().map(|v| v.max(0.0)).sum();
    // Fewest components whose cumulative share exceeds `variance` (sklearn's n_components=float).
    let mut kept = Vec::new();
    let mut share = 0.0;
    for &i in &order {
        kept.push(i);
        share += eigen.eigenvalues[i].max(0.0) / total.max(f64::MIN_POSITIVE);
        if share > variance {
            break;
        }
    }
    let components = DMatrix::from_fn(d, kept.len(), |r, c| eigen.eigenvectors[(r, kept[c])]);
    Ok(PcaModel {
        mean,
        scale,
        components,
        explained_share: share,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_correlation_raises_the_error() {
        // Two strongly correlated columns; then the same marginals, correlation reversed.
        let mut seed = 1u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let rows = |sign: f64, next: &mut dyn FnMut() -> f64| -> Vec<Vec<f64>> {
            (0..2000)
                .map(|_| {
                    let a = next();
                    vec![a, sign * a + 0.05 * next(), next()]
                })
                .collect()
        };
        let reference = rows(1.0, &mut next);
        let same = rows(1.0, &mut next);
        let broken = rows(-1.0, &mut next);
        let model = fit(&reference, 0.65).unwrap();
        assert_eq!(model.components(), 1); // eigenvalues ≈ 2, 1, 0: 2/3 > 0.65
        let (r, s, b) = (
            model.mean_error(&reference).unwrap(),
            model.mean_error(&same).unwrap(),
            model.mean_error(&broken).unwrap(),
        );
        assert!((s - r).abs() < 0.05 * r, "{r} {s}");
        assert!(b > 1.5 * r, "{r} {b}");
    }

    #[test]
    fn values_near_the_float8_limit_are_an_error() {
        // The mean of the first column overflows: the model had NaN scales, which pca_error
        // then refused as invalid.
        let rows = vec![vec![1e308, 2.0], vec![-1e308, 4.0], vec![1.7e308, 7.0]];
        let e = fit(&rows, 0.5).unwrap_err();
        assert!(e.to_string().contains("too large for PCA"), "{e}");
        // The same shape at a sane scale fits.
        let rows = vec![vec![1e3, 2.0], vec![-1e3, 4.0], vec![1.7e3, 7.0]];
        assert!(fit(&rows, 0.5).is_ok());
    }

    #[test]
    fn rows_beyond_the_magnitude_are_left_out_and_errors_never_nan() {
        let mut rows: Vec<Vec<f64>> = (0..40)
            .map(|i| vec![(i as f64 * 0.37).sin(), (i as f64 * 0.11).cos()])
            .collect();
        let kept = usable_rows(rows.clone());
        rows.push(vec![1e200, 0.5]);
        rows.push(vec![f64::NAN, 0.5]);
        rows.push(vec![0.1, f64::NEG_INFINITY]);
        rows.push(vec![-1e151, 0.5]);
        rows.push(vec![MAX_MAGNITUDE, 0.5]);
        let usable = usable_rows(rows);
        assert_eq!(
            usable.len(),
            kept.len() + 1,
            "only the row at the bound is kept"
        );
        // The reference that held 1e200 fitted (it overflowed the variance before).
        let model = fit(&usable, 0.65).unwrap();
        // A row beyond everything: infinite, not NaN (it stored NaN and fired an alert).
        for row in [
            [1e308, 1e308],
            [1e308, -1e308],
            [MAX_MAGNITUDE, MAX_MAGNITUDE],
        ] {
            let e = model.row_error(&row);
            assert!(!e.is_nan() && e > 1.0, "{row:?}: {e}");
        }
        // A column of deviation ~5e-151: a far value standardises to Infinity.
        let tiny = fit(&[vec![0.0, 1.0], vec![1e-150, 2.0], vec![0.0, 3.0]], 0.65).unwrap();
        assert_eq!(tiny.row_error(&[1e160, 2.0]), f64::INFINITY);
    }

    #[test]
    fn json_round_trip_is_exact_and_validated() {
        let rows: Vec<Vec<f64>> = (0..50)
            .map(|i| {
                let a = (i as f64 * 0.37).sin();
                vec![a, 2.0 * a + (i as f64 * 1.3).cos() * 0.1, (i as f64).sqrt()]
            })
            .collect();
        let model = fit(&rows, 0.65).unwrap();
        let text = model.to_json().to_string();
        let back = PcaModel::from_json(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(back.width(), 3);
        assert_eq!(back.components(), model.components());
        for row in &rows {
            assert_eq!(
                back.row_error(row).to_bits(),
                model.row_error(row).to_bits()
            );
        }
        assert_eq!(back.mean_error(&rows), model.mean_error(&rows));
        for broken in [
            json!({}),
            json!({"mean": [0.0], "scale": [0.0], "components": [[1.0]]}),
            json!({"mean": [0.0, 1.0], "scale": [1.0], "components": [[1.0]]}),
            json!({"mean": [0.0], "scale": [1.0], "components": [[1.0, 0.0]]}),
            json!({"mean": [0.0], "scale": [1.0], "components": []}),
            json!({"mean": ["a"], "scale": [1.0], "components": [[1.0]]}),
        ] {
            let e = PcaModel::from_json(&broken).unwrap_err();
            assert!(e.message.starts_with("pca_model: "), "{}", e.message);
        }
    }
}
