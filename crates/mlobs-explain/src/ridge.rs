//! Weighted ridge regression with an intercept, as scikit-learn's `Ridge(alpha, fit_intercept=True)`
//! fits with `sample_weight`: minimise Σ wᵢ(yᵢ − b − xᵢβ)² + α‖β‖² (the intercept is not
//! penalised), by centring on the weighted means and solving the normal equations. The solve
//! uses an SVD so α = 0 with collinear columns (LIME's forward selection) still has the
//! minimum-norm answer instead of failing.

use nalgebra::{DMatrix, DVector};

#[derive(Debug, Clone, PartialEq)]
pub struct RidgeFit {
    pub coefficients: Vec<f64>,
    pub intercept: f64,
    /// Weighted R² on the fitted data (`Ridge.score(X, y, sample_weight)`).
    pub score: f64,
}

impl RidgeFit {
    pub fn predict(&self, x: &[f64]) -> f64 {
        self.intercept
            + self
                .coefficients
                .iter()
                .zip(x)
                .map(|(b, v)| b * v)
                .sum::<f64>()
    }
}

/// Fits on the columns `columns` of `rows`; `Err` when the normal equations or the score's sums
/// of squares overflow float8 (values beyond about 1e150: an SVD of a matrix holding ±Infinity or
/// NaN panics, and the score would be NaN).
pub fn fit(
    rows: &[Vec<f64>],
    columns: &[usize],
    y: &[f64],
    w: &[f64],
    alpha: f64,
) -> Result<RidgeFit, &'static str> {
    let p = columns.len();
    let total: f64 = w.iter().sum();
    let mean = |f: &dyn Fn(usize) -> f64| (0..rows.len()).map(|i| w[i] * f(i)).sum::<f64>() / total;
    let x_mean: Vec<f64> = columns.iter().map(|&c| mean(&|i| rows[i][c])).collect();
    let y_mean = mean(&|i| y[i]);
    let mut xtx = DMatrix::<f64>::zeros(p, p);
    let mut xty = DVector::<f64>::zeros(p);
    let mut centred = vec![0.0; p];
    for (i, row) in rows.iter().enumerate() {
        if i % 1024 == 0 {
            mlobs_core::interrupt::check();
        }
        for (k, &c) in columns.iter().enumerate() {
            centred[k] = row[c] - x_mean[k];
        }
        let yc = y[i] - y_mean;
        for a in 0..p {
            xty[a] += w[i] * centred[a] * yc;
            for b in 0..=a {
                xtx[(a, b)] += w[i] * centred[a] * centred[b];
            }
        }
    }
    for a in 0..p {
        for b in 0..a {
            xtx[(b, a)] = xtx[(a, b)];
        }
        xtx[(a, a)] += alpha;
    }
    if !(xtx.iter().chain(xty.iter()).all(|v| v.is_finite()) && y_mean.is_finite()) {
        return Err("the local model's sums overflow float8");
    }
    let beta = xtx
        .svd(true, true)
        .solve(&xty, 1e-12)
        .unwrap_or_else(|_| DVector::zeros(p));
    let coefficients: Vec<f64> = beta.iter().copied().collect();
    let intercept = y_mean
        - coefficients
            .iter()
            .zip(&x_mean)
            .map(|(b, m)| b * m)
            .sum::<f64>();
    let mut fit = RidgeFit {
        coefficients,
        intercept,
        score: 0.0,
    };
    let (mut ss_res, mut ss_tot) = (0.0, 0.0);
    for (i, row) in rows.iter().enumerate() {
        let x: Vec<f64> = columns.iter().map(|&c| row[c]).collect();
        ss_res += w[i] * (y[i] - fit.predict(&x)).powi(2);
        ss_tot += w[i] * (y[i] - y_mean).powi(2);
    }
    if !(ss_res.is_finite() && ss_tot.is_finite()) {
        return Err("the local model's sums of squares overflow float8");
    }
    // scikit-learn's r2_score: a constant target scores 1 when fitted exactly, else 0.
    fit.score = if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else if ss_res == 0.0 {
        1.0
    } else {
        0.0
    };
    Ok(fit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_an_exact_line_and_shrinks_with_alpha() {
        let rows: Vec<Vec<f64>> = (0..20).map(|i| vec![i as f64, (i % 3) as f64]).collect();
        let y: Vec<f64> = rows.iter().map(|r| 1.5 + 2.0 * r[0] - 3.0 * r[1]).collect();
        let w = vec![1.0; 20];
        let f = fit(&rows, &[0, 1], &y, &w, 0.0).unwrap();
        assert!((f.coefficients[0] - 2.0).abs() < 1e-9 && (f.coefficients[1] + 3.0).abs() < 1e-9);
        assert!((f.intercept - 1.5).abs() < 1e-9 && (f.score - 1.0).abs() < 1e-12);
        // Ridge shrinks: closed form for one centred column, β = Σw·xc·yc / (Σw·xc² + α).
        let g = fit(
            &rows,
            &[0],
            &rows.iter().map(|r| r[0]).collect::<Vec<_>>(),
            &w,
            10.0,
        )
        .unwrap();
        let sxx: f64 = (0..20).map(|i| (i as f64 - 9.5).powi(2)).sum();
        assert!((g.coefficients[0] - sxx / (sxx + 10.0)).abs() < 1e-12);
    }

    #[test]
    fn overflowing_sums_are_an_error_not_a_panic() {
        // Σ w·x² of these overflows: nalgebra's SVD of the resulting matrix panicked.
        let rows = vec![vec![1e200], vec![-1e200], vec![0.0]];
        let y = vec![1.0, 2.0, 3.0];
        assert!(fit(&rows, &[0], &y, &[1.0; 3], 1.0).is_err());
        let y = vec![1e300, -1e300, 0.0];
        assert!(fit(&[vec![1.0], vec![2.0], vec![3.0]], &[0], &y, &[1.0; 3], 1.0).is_err());
    }
}
