//! Numeric profile: the summary of one numeric column over a window. Counts NULL/NaN/±Inf
//! separately (quality checks report them, drift skips them), keeps exact min/max and mean/M2
//! (Welford per value, Chan et al. to merge) and a relative-error quantile sketch.

use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};
use crate::sketch::{add_counts, sum_counts, QuantileSketch};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLpf";
const VERSION: u8 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NumericProfile {
    /// Finite values seen.
    pub n: u64,
    pub null_count: u64,
    pub nan_count: u64,
    pub pos_inf_count: u64,
    pub neg_inf_count: u64,
    /// Exact extremes of the finite values; `None` when n = 0.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The first finite value: moments are accumulated on x − shift, which keeps full precision
    /// for data clustered far from zero (timestamps, large ids), as numpy's two-pass formula does.
    pub shift: f64,
    /// Mean of x − shift. Moments overflow to ±Infinity/NaN only for data near ±1.8e308; JSON writes those as strings.
    #[serde(with = "crate::json_float")]
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    #[serde(with = "crate::json_float")]
    pub m2: f64,
    pub sketch: QuantileSketch,
}

impl NumericProfile {
    /// Transition for one value; NULL is `None`.
    #[inline]
    pub fn add(&mut self, value: Option<f64>) {
        match value {
            None => self.null_count += 1,
            Some(x) if x.is_finite() => self.add_finite(x),
            Some(x) if x.is_nan() => self.nan_count += 1,
            Some(x) if x > 0.0 => self.pos_inf_count += 1,
            Some(_) => self.neg_inf_count += 1,
        }
    }

    #[inline]
    pub fn add_finite(&mut self, x: f64) {
        if self.n == 0 {
            self.shift = x;
        }
        self.n += 1;
        let y = x - self.shift;
        let delta = y - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (y - self.mean);
        self.min = Some(self.min.map_or(x, |m| m.min(x)));
        self.max = Some(self.max.map_or(x, |m| m.max(x)));
        self.sketch.add(x);
    }

    /// Rows seen, NULL included.
    pub fn total_count(&self) -> u64 {
        self.total_count_checked().unwrap_or(u64::MAX)
    }

    fn total_count_checked(&self) -> Option<u64> {
        [
            self.null_count,
            self.nan_count,
            self.pos_inf_count,
            self.neg_inf_count,
        ]
        .iter()
        .try_fold(self.n, |a, &c| a.checked_add(c))
    }

    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then_some(self.shift + self.mean)
    }

    /// Sample variance (n − 1), as PostgreSQL's `variance`; `None` below two values.
    pub fn variance(&self) -> Option<f64> {
        (self.n > 1).then(|| (self.m2 / (self.n - 1) as f64).max(0.0))
    }

    /// Population variance (n), as numpy's default `var`.
    pub fn variance_pop(&self) -> Option<f64> {
        (self.n > 0).then(|| (self.m2 / self.n as f64).max(0.0))
    }

    pub fn stddev(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }

    pub fn stddev_pop(&self) -> Option<f64> {
        self.variance_pop().map(f64::sqrt)
    }

    /// The data as the sketch sees it, as (value, count) in increasing order: the smallest and
    /// largest values exactly (min and max are tracked), every other finite value replaced by its
    /// bucket's value clamped to [min, max]. Every approximate statistic of a profile is the
    /// exact statistic of this discretised sample.
    pub fn discretised(&self) -> Vec<(f64, u64)> {
        let (Some(lo), Some(hi)) = (self.min, self.max) else {
            return Vec::new();
        };
        if self.n == 1 {
            return vec![(lo, 1)];
        }
        let mut inner: Vec<(f64, u64)> = self
            .sketch
            .buckets()
            .into_iter()
            .map(|(v, c)| (v.clamp(lo, hi), c))
            .collect();
        // One value of the lowest bucket is the min, one of the highest the max.
        inner[0].1 -= 1;
        let last = inner.len() - 1;
        inner[last].1 -= 1;
        let mut out: Vec<(f64, u64)> = Vec::with_capacity(inner.len() + 2);
        for (v, c) in std::iter::once((lo, 1))
            .chain(inner)
            .chain(std::iter::once((hi, 1)))
        {
            match out.last_mut() {
                _ if c == 0 => {}
                Some(prev) if prev.0 == v => prev.1 += c,
                _ => out.push((v, c)),
            }
        }
        out
    }

    /// Quantile with numpy's default ("linear") interpolation between the order statistics of
    /// the discretised sample. q = 0 and q = 1 are the exact min and max. The result is within
    /// 1 % (sketch::ALPHA) of the magnitude of the true neighbouring order statistics.
    pub fn quantile(&self, q: f64) -> Result<Option<f64>> {
        if !(0.0..=1.0).contains(&q) {
            return Err(CoreError::invalid_parameter(format!(
                "q must be between 0 and 1, got {q}"
            )));
        }
        if self.n == 0 {
            return Ok(None);
        }
        Ok(Some(
            crate::binning::weighted_quantiles(&self.discretised(), &[q])[0],
        ))
    }
}

impl Summary for NumericProfile {
    const NAME: &'static str = "mlobs.profile";

    fn merge(&mut self, o: &Self) -> Result<()> {
        if o.n > 0 {
            if self.n == 0 {
                self.shift = o.shift;
                self.mean = o.mean;
                self.m2 = o.m2;
            } else {
                let (na, nb) = (self.n as f64, o.n as f64);
                let n = na + nb;
                // Both means relative to self's shift.
                let delta = (o.shift - self.shift) + o.mean - self.mean;
                self.mean += delta * (nb / n);
                self.m2 += o.m2 + delta * delta * (na * nb / n);
            }
            self.n = add_counts(self.n, o.n)?;
            self.min = Some(self.min.map_or(o.min.unwrap(), |m| m.min(o.min.unwrap())));
            self.max = Some(self.max.map_or(o.max.unwrap(), |m| m.max(o.max.unwrap())));
            self.sketch.merge(&o.sketch)?;
        }
        self.null_count = add_counts(self.null_count, o.null_count)?;
        self.nan_count = add_counts(self.nan_count, o.nan_count)?;
        self.pos_inf_count = add_counts(self.pos_inf_count, o.pos_inf_count)?;
        self.neg_inf_count = add_counts(self.neg_inf_count, o.neg_inf_count)?;
        sum_counts([
            self.n,
            self.null_count,
            self.nan_count,
            self.pos_inf_count,
            self.neg_inf_count,
        ])?;
        Ok(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        for c in [
            self.n,
            self.null_count,
            self.nan_count,
            self.pos_inf_count,
            self.neg_inf_count,
        ] {
            w.u64(c);
        }
        w.f64(self.min.unwrap_or(f64::NAN));
        w.f64(self.max.unwrap_or(f64::NAN));
        w.f64(self.shift);
        w.f64(self.mean);
        w.f64(self.m2);
        self.sketch.encode(&mut w);
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (mut r, version) = Reader::open(bytes, TAG, Self::NAME)?;
        if version != VERSION {
            return Err(r.error(&format!("unsupported format version {version}")));
        }
        let n = r.u64()?;
        let null_count = r.u64()?;
        let nan_count = r.u64()?;
        let pos_inf_count = r.u64()?;
        let neg_inf_count = r.u64()?;
        let min = r.f64()?;
        let max = r.f64()?;
        let shift = r.f64()?;
        let mean = r.f64()?;
        let m2 = r.f64()?;
        let sketch = QuantileSketch::decode(&mut r)?;
        let p = Self {
            n,
            null_count,
            nan_count,
            pos_inf_count,
            neg_inf_count,
            min: (n > 0).then_some(min),
            max: (n > 0).then_some(max),
            shift,
            mean,
            m2,
            sketch,
        };
        if n == 0 && !(min.is_nan() && max.is_nan()) {
            return Err(r.error("min/max present without values"));
        }
        p.validate().map_err(|e| r.error(&e))?;
        r.finish()?;
        Ok(p)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        self.sketch.validate()?;
        if self.sketch.count() != self.n {
            return Err("sketch count differs from n".into());
        }
        let counts = [
            self.n,
            self.null_count,
            self.nan_count,
            self.pos_inf_count,
            self.neg_inf_count,
        ];
        if counts
            .iter()
            .try_fold(0u64, |a, &c| a.checked_add(c))
            .is_none()
        {
            return Err("counts overflow".into());
        }
        match (self.n, self.min, self.max) {
            (0, None, None) => {
                if self.mean != 0.0 || self.m2 != 0.0 || self.shift != 0.0 {
                    return Err("moments present without values".into());
                }
            }
            (n, Some(lo), Some(hi)) if n > 0 => {
                if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                    return Err("min/max must be finite with min <= max".into());
                }
                if self.m2 < 0.0 {
                    return Err("m2 must not be negative".into());
                }
                if !(self.shift >= lo && self.shift <= hi) {
                    return Err("shift outside [min, max]".into());
                }
                // Rounding may put the mean a hair outside [min, max]; more than that is forged.
                // (Non-finite moments are the documented overflow of extreme data.)
                let slack = (hi - lo).abs().max(hi.abs()).max(lo.abs()) * 1e-9;
                let mean = self.shift + self.mean;
                if mean.is_finite() && (mean < lo - slack || mean > hi + slack) {
                    return Err("mean outside [min, max]".into());
                }
            }
            _ => return Err("min/max must be present exactly when n > 0".into()),
        }
        Ok(())
    }
}
