//! Logistic, linear and ridge regression with smartcore, exported in the registry's `linear`
//! layout (coefficients, intercept, link, classes, feature means for linear SHAP).
//!
//! The objectives are scikit-learn's: logistic regression minimises the log-loss sum plus
//! ½·alpha·‖w‖² (alpha = 1/C, the intercept unpenalised), ridge the squared error plus alpha·‖w‖².
//! Features are centred before fitting (which changes only the intercept, so the optimum is the
//! same) and, without a penalty, also scaled (which rescales the optimum exactly); both help
//! L-BFGS converge on raw log columns. The coefficients are mapped back to raw units.

use crate::data::{Dataset, Target};
use crate::params::{Algorithm, Params};
use mlobs_core::CoreError;
use serde_json::{json, Value};
use smartcore::linalg::basic::arrays::Array;
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::linear_regression::{LinearRegression, LinearRegressionParameters};
use smartcore::linear::logistic_regression::{LogisticRegression, LogisticRegressionParameters};
use smartcore::linear::ridge_regression::{
    RidgeRegression, RidgeRegressionParameters, RidgeRegressionSolverName,
};

fn fit_failed(e: impl std::fmt::Display) -> CoreError {
    CoreError::invalid_parameter(format!("training failed: {e}"))
}

/// Coefficient rows (scaled units), intercepts (centred units), link, class labels.
type Fitted<'a> = (
    Vec<Vec<f64>>,
    Vec<f64>,
    &'static str,
    Option<&'a Vec<String>>,
);

/// Training rows without a missing value (linear models have no rule for them).
pub fn complete_rows(data: &Dataset, train: usize) -> Vec<usize> {
    (0..train)
        .filter(|&i| data.row(i).iter().all(|v| v.is_finite()))
        .collect()
}

/// Fits on `rows` and returns the body of a `linear` model.
pub fn fit(params: &Params, data: &Dataset, rows: &[usize]) -> Result<Value, CoreError> {
    let p = data.n_features;
    let n = rows.len();
    let mut mean = vec![0.0; p];
    for &i in rows {
        for (m, v) in mean.iter_mut().zip(data.row(i)) {
            *m += v / n as f64;
        }
    }
    let scale: Vec<f64> = if params.alpha == 0.0 {
        (0..p)
            .map(|j| {
                let var = rows
                    .iter()
                    .map(|&i| (data.row(i)[j] - mean[j]).powi(2))
                    .sum::<f64>()
                    / n as f64;
                if var > 0.0 {
                    var.sqrt()
                } else {
                    1.0
                }
            })
            .collect()
    } else {
        vec![1.0; p]
    };
    let mut values = Vec::with_capacity(n * p);
    for j in 0..p {
        values.extend(rows.iter().map(|&i| (data.row(i)[j] - mean[j]) / scale[j]));
    }
    let x = DenseMatrix::new(n, p, values, true).map_err(fit_failed)?;
    mlobs_core::interrupt::check();
    // (coefficient rows in scaled units, intercepts in centred units)
    let (rows_w, intercepts, link, classes): Fitted = match (&data.y, params.algorithm) {
        (Target::Classes { index, labels }, Algorithm::LogisticRegression) => {
            let y: Vec<u32> = rows.iter().map(|&i| index[i]).collect();
            let lp = LogisticRegressionParameters::default().with_alpha(params.alpha);
            let m: LogisticRegression<f64, u32, DenseMatrix<f64>, Vec<u32>> =
                LogisticRegression::fit(&x, &y, lp).map_err(fit_failed)?;
            let (k, _) = m.coefficients().shape();
            let w = (0..k)
                .map(|c| (0..p).map(|j| *m.coefficients().get((c, j))).collect())
                .collect();
            let b = (0..k).map(|c| *m.intercept().get((c, 0))).collect();
            let link = if k == 1 { "logistic" } else { "softmax" };
            (w, b, link, Some(labels))
        }
        (Target::Values(v), Algorithm::LinearRegression | Algorithm::Ridge) => {
            let y: Vec<f64> = rows.iter().map(|&i| v[i]).collect();
            let (w, b) = if params.algorithm == Algorithm::Ridge {
                let rp = RidgeRegressionParameters {
                    solver: RidgeRegressionSolverName::Cholesky,
                    alpha: params.alpha,
                    normalize: false,
                };
                let m = RidgeRegression::fit(&x, &y, rp).map_err(fit_failed)?;
                let w: Vec<f64> = m.coefficients().iterator(0).copied().collect();
                // Without `normalize` smartcore fits no intercept; on centred columns the
                // unpenalised intercept is the target's mean (Xᵀ1 = 0), as in sklearn.
                (w, y.iter().sum::<f64>() / y.len() as f64)
            } else {
                let m = LinearRegression::fit(&x, &y, LinearRegressionParameters::default())
                    .map_err(fit_failed)?;
                let w: Vec<f64> = m.coefficients().iterator(0).copied().collect();
                (w, *m.intercept())
            };
            (vec![w], vec![b], "identity", None)
        }
        _ => return Err(fit_failed("the target does not fit the algorithm")),
    };
    let mut coefficients = Vec::with_capacity(rows_w.len());
    let mut intercept = Vec::with_capacity(rows_w.len());
    for (w, b) in rows_w.iter().zip(intercepts) {
        let raw: Vec<f64> = w.iter().zip(&scale).map(|(w, s)| w / s).collect();
        let b_raw = b - raw.iter().zip(&mean).map(|(w, m)| w * m).sum::<f64>();
        if !b_raw.is_finite() || raw.iter().any(|w| !w.is_finite()) {
            // Name the likeliest cause: the feature with the largest magnitude.
            let (j, m) = (0..p)
                .map(|j| {
                    let m = rows
                        .iter()
                        .map(|&i| data.row(i)[j].abs())
                        .fold(0.0, f64::max);
                    (j, m)
                })
                .fold((0, 0.0), |a, b| if b.1 > a.1 { b } else { a });
            return Err(CoreError::invalid_parameter(format!(
                "training failed: the fit did not converge to finite coefficients (feature \"{}\" \
                 reaches {m:e}; rescale extreme values or use a tree model)",
                data.feature_names[j]
            )));
        }
        coefficients.push(raw);
        intercept.push(b_raw);
    }
    let mut body = json!({
        "coefficients": coefficients,
        "intercept": intercept,
        "link": link,
        "feature_names": data.feature_names,
        "feature_means": mean,
    });
    if let Some(c) = classes {
        body["classes"] = json!(c);
    }
    Ok(body)
}
