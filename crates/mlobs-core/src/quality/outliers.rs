//! Outlier fences: the band outside which a value counts as an outlier, fitted either on raw
//! values (exact, matches numpy/scipy) or on a stored profile (IQR approximate through the sketch,
//! z-score exact from the moments), plus exact counting of the values outside a band. The sketch
//! estimate of how many profiled values fall outside a band lives in `outside`.

use crate::binning::quantiles_linear;
use crate::error::{CoreError, Result};
use crate::profile::NumericProfile;

pub use super::outside::{outside_share_estimate, OutsideEstimate};

/// How the fences are fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FenceMethod {
    /// Tukey fences: [q25 − k·IQR, q75 + k·IQR] with numpy's "linear" quantiles (k = 1.5 is the
    /// usual box-plot rule).
    Iqr,
    /// mean ± k·σ with the population σ (ddof = 0), i.e. |scipy.stats.zscore(x)| > k is outside.
    ZScore,
    /// mean ± k·s with the sample standard deviation (ddof = 1: pandas' `Series.std()`,
    /// `scipy.stats.zscore(x, ddof=1)`); undefined, so no fences, for a single value.
    ZScoreSample,
}

/// The SQL-facing method names, for error messages.
pub const FENCE_METHODS: &str = "'iqr', 'zscore' or 'zscore_sample'";

impl FenceMethod {
    /// Parses the SQL-facing name: `iqr`, `zscore` or `zscore_sample`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "iqr" => Ok(Self::Iqr),
            "zscore" => Ok(Self::ZScore),
            "zscore_sample" => Ok(Self::ZScoreSample),
            other => Err(CoreError::invalid_parameter(format!(
                "method must be {FENCE_METHODS}, got '{other}'"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Iqr => "iqr",
            Self::ZScore => "zscore",
            Self::ZScoreSample => "zscore_sample",
        }
    }
}

impl std::str::FromStr for FenceMethod {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

/// A value x is an outlier when x < lower or x > upper (a value on a fence is inside).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fences {
    pub lower: f64,
    pub upper: f64,
}

fn check_k(k: f64) -> Result<()> {
    if k.is_finite() && k >= 0.0 {
        Ok(())
    } else {
        Err(CoreError::invalid_parameter(format!(
            "k must be a finite number >= 0, got {k}"
        )))
    }
}

/// [lo − k·spread, hi + k·spread]. k = 0 gives [lo, hi] even when the spread overflowed to
/// infinity (0·∞ would be NaN). `None` when the result is NaN (moments of data near ±1.8e308
/// overflow), so callers never see a NaN fence.
fn widen(lo: f64, hi: f64, k: f64, spread: f64) -> Option<Fences> {
    let d = if k == 0.0 { 0.0 } else { k * spread };
    let f = Fences {
        lower: lo - d,
        upper: hi + d,
    };
    (!f.lower.is_nan() && !f.upper.is_nan()).then_some(f)
}

/// Fences of the finite `values` (NaN and ±Inf are skipped); `None` when there are none.
/// Exact: IQR uses `numpy.quantile` "linear" interpolation, z-score the two-pass mean and
/// population σ that scipy computes.
pub fn fences_from_values(values: &[f64], method: FenceMethod, k: f64) -> Result<Option<Fences>> {
    check_k(k)?;
    let mut finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if finite.is_empty() {
        return Ok(None);
    }
    Ok(match method {
        FenceMethod::Iqr => {
            finite.sort_unstable_by(f64::total_cmp);
            let q = quantiles_linear(&finite, &[0.25, 0.75]);
            widen(q[0], q[1], k, q[1] - q[0])
        }
        FenceMethod::ZScore | FenceMethod::ZScoreSample => {
            let ddof = usize::from(method == FenceMethod::ZScoreSample);
            if finite.len() <= ddof {
                return Ok(None);
            }
            let n = finite.len() as f64;
            let mean = finite.iter().sum::<f64>() / n;
            let squares = finite.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>();
            widen(mean, mean, k, (squares / (n - ddof as f64)).sqrt())
        }
    })
}

/// Fences of a stored profile's finite values; `None` when it has none. IQR reads q25/q75 from
/// the sketch (within the sketch's 1 % relative error of the exact numpy quantiles, see
/// `NumericProfile::quantile`); z-score is exact up to rounding (mean and M2 are exact moments).
pub fn fences_from_profile(
    p: &NumericProfile,
    method: FenceMethod,
    k: f64,
) -> Result<Option<Fences>> {
    check_k(k)?;
    if p.n == 0 {
        return Ok(None);
    }
    Ok(match method {
        FenceMethod::Iqr => {
            let (Some(q25), Some(q75)) = (p.quantile(0.25)?, p.quantile(0.75)?) else {
                return Ok(None);
            };
            widen(q25, q75, k, q75 - q25)
        }
        FenceMethod::ZScore => match (p.mean(), p.stddev_pop()) {
            (Some(mean), Some(sigma)) => widen(mean, mean, k, sigma),
            _ => None,
        },
        FenceMethod::ZScoreSample => match (p.mean(), p.stddev()) {
            (Some(mean), Some(s)) => widen(mean, mean, k, s),
            _ => None,
        },
    })
}

/// Exact count of `values` below `lower` and above `upper`: NaN is never counted, −Inf counts as
/// below and +Inf as above (unless the fence itself is infinite). When lower > upper a value may
/// be counted on both sides.
pub fn count_outside(values: &[f64], lower: f64, upper: f64) -> (u64, u64) {
    values.iter().fold((0, 0), |(below, above), &x| {
        (below + u64::from(x < lower), above + u64::from(x > upper))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn one_to_ten() -> Vec<f64> {
        (1..=10).map(f64::from).collect()
    }

    #[test]
    fn parse_names_the_argument() {
        assert_eq!(FenceMethod::parse("iqr").unwrap(), FenceMethod::Iqr);
        assert_eq!(
            "zscore".parse::<FenceMethod>().unwrap(),
            FenceMethod::ZScore
        );
        let e = FenceMethod::parse("IQR").unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert!(e.message.starts_with("method "), "{}", e.message);
        assert_eq!(FenceMethod::ZScore.name(), "zscore");
    }

    #[test]
    fn iqr_fences_match_numpy_linear_quantiles() {
        // numpy.quantile(range(1, 11), [.25, .75]) = [3.25, 7.75]; IQR 4.5.
        let f = fences_from_values(&one_to_ten(), FenceMethod::Iqr, 1.5)
            .unwrap()
            .unwrap();
        assert_eq!(
            f,
            Fences {
                lower: 3.25 - 6.75,
                upper: 7.75 + 6.75
            }
        );
        let f0 = fences_from_values(&one_to_ten(), FenceMethod::Iqr, 0.0)
            .unwrap()
            .unwrap();
        assert_eq!((f0.lower, f0.upper), (3.25, 7.75));
    }

    #[test]
    fn zscore_uses_population_sigma() {
        let mut v = one_to_ten();
        v.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
        let f = fences_from_values(&v, FenceMethod::ZScore, 2.0)
            .unwrap()
            .unwrap();
        // numpy.std(range(1, 11)) = sqrt(8.25)
        let sigma = 8.25f64.sqrt();
        assert!((f.lower - (5.5 - 2.0 * sigma)).abs() < 1e-12);
        assert!((f.upper - (5.5 + 2.0 * sigma)).abs() < 1e-12);
    }

    #[test]
    fn zscore_sample_uses_ddof_1() {
        let f = fences_from_values(&one_to_ten(), FenceMethod::ZScoreSample, 2.0)
            .unwrap()
            .unwrap();
        // numpy.std(range(1, 11), ddof=1) = sqrt(82.5 / 9)
        let s = (82.5f64 / 9.0).sqrt();
        assert!((f.lower - (5.5 - 2.0 * s)).abs() < 1e-12);
        assert!((f.upper - (5.5 + 2.0 * s)).abs() < 1e-12);
        // One value has no sample standard deviation: no fences (pandas gives NaN).
        assert_eq!(
            fences_from_values(&[3.0], FenceMethod::ZScoreSample, 2.0).unwrap(),
            None
        );
        let mut p = NumericProfile::default();
        for x in one_to_ten() {
            p.add(Some(x));
        }
        let g = fences_from_profile(&p, FenceMethod::ZScoreSample, 2.0)
            .unwrap()
            .unwrap();
        assert!((g.lower - f.lower).abs() < 1e-12 && (g.upper - f.upper).abs() < 1e-12);
        assert_eq!(
            FenceMethod::parse("zscore_sample").unwrap().name(),
            "zscore_sample"
        );
    }

    #[test]
    fn empty_and_bad_k() {
        assert_eq!(
            fences_from_values(&[], FenceMethod::Iqr, 1.5).unwrap(),
            None
        );
        assert_eq!(
            fences_from_values(&[f64::NAN], FenceMethod::ZScore, 1.5).unwrap(),
            None
        );
        for k in [-1.0, f64::NAN, f64::INFINITY] {
            let e = fences_from_values(&[1.0], FenceMethod::Iqr, k).unwrap_err();
            assert!(e.message.starts_with("k "), "{}", e.message);
            assert!(fences_from_profile(&NumericProfile::default(), FenceMethod::Iqr, k).is_err());
        }
        assert_eq!(
            fences_from_profile(&NumericProfile::default(), FenceMethod::ZScore, 3.0).unwrap(),
            None
        );
    }

    #[test]
    fn overflowing_spread_never_gives_nan() {
        let v = [-f64::MAX, -f64::MAX, f64::MAX, f64::MAX];
        let f = fences_from_values(&v, FenceMethod::Iqr, 0.0)
            .unwrap()
            .unwrap();
        assert_eq!((f.lower, f.upper), (-f64::MAX, f64::MAX));
        let f = fences_from_values(&v, FenceMethod::Iqr, 1.5)
            .unwrap()
            .unwrap();
        assert_eq!((f.lower, f.upper), (f64::NEG_INFINITY, f64::INFINITY));
        // The two-pass σ overflows; never a NaN fence.
        if let Some(f) = fences_from_values(&v, FenceMethod::ZScore, 1.0).unwrap() {
            assert!(!f.lower.is_nan() && !f.upper.is_nan());
        }
    }

    #[test]
    fn profile_fences_close_to_exact() {
        let v: Vec<f64> = (1..=1000).map(|i| f64::from(i) * 0.37).collect();
        let mut p = NumericProfile::default();
        v.iter().for_each(|&x| p.add(Some(x)));
        for method in [FenceMethod::Iqr, FenceMethod::ZScore] {
            let exact = fences_from_values(&v, method, 1.5).unwrap().unwrap();
            let approx = fences_from_profile(&p, method, 1.5).unwrap().unwrap();
            // IQR: each quantile within 1 % of its magnitude, so the fence within ~4 % of the scale.
            let tol = if method == FenceMethod::Iqr {
                0.04 * 370.0
            } else {
                1e-9 * 370.0
            };
            assert!((exact.lower - approx.lower).abs() <= tol, "{method:?}");
            assert!((exact.upper - approx.upper).abs() <= tol, "{method:?}");
        }
    }

    #[test]
    fn counting_outside() {
        let v = [
            1.0,
            5.0,
            10.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.5,
        ];
        assert_eq!(count_outside(&v, 1.0, 5.0), (2, 2));
        assert_eq!(count_outside(&[], 0.0, 1.0), (0, 0));
        assert_eq!(count_outside(&v, f64::NEG_INFINITY, f64::INFINITY), (0, 0));
    }
}
