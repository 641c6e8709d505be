//! Numeric profile: the summary of one numeric column over a window. Counts NULL/NaN/±Inf
//! separately (quality checks report them, drift skips them), keeps exact min/max and mean/M2
//! (Welford per value, Chan et al. to merge), a relative-error quantile sketch and a distinct-value
//! sketch (exact set, then HyperLogLog: `distinct.rs`).

use crate::codec::{Reader, Writer};
use crate::distinct::{DistinctSketch, ExactSet};
use crate::error::{CoreError, Result};
use crate::sketch::{add_counts, sum_counts, QuantileSketch};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLpf";
const VERSION: u8 = 1;
/// Format of a profile whose moments are scaled (`scale` ≠ 0): version 1 plus the scale (written
/// by 0.3.0 development builds; read, no longer written).
const VERSION_SCALED: u8 = 2;
/// Since 0.3.0: the scale always written, then the quantile sketch, then a presence byte and the
/// distinct sketch. Versions 1 and 2 are still read; their distinct sketch is unknown (`None`).
const VERSION_DISTINCT: u8 = 3;

/// Moments switch to scaled units once a finite value reaches this magnitude (2^440 ≈ 2.8e132).
/// Below it no difference, square or n-fold sum of squares can overflow: deviations stay below
/// 2^441, squares below 2^882, m2 below 2^945 for up to 2^63 values.
const SCALE_FROM: f64 = 3.273_390_607_896_142e132; // 2^440
/// Moments of a scaled profile are in units of 2^SCALE (mean) and 2^(2·SCALE) (m2): scaled values
/// stay below 2^448, so m2 stays below 2^961 for up to 2^63 values. Powers of two scale exactly.
pub const SCALE: i32 = 576;

/// x · 2^k for |k| ≤ 2 · SCALE, in steps that keep each factor representable.
fn scale_by(x: f64, k: i32) -> f64 {
    let half = k / 2;
    x * 2f64.powi(half) * 2f64.powi(k - half)
}

fn is_zero(s: &i32) -> bool {
    *s == 0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Mean of x − shift (in units of 2^scale). Profiles written before `scale` existed may hold
    /// ±Infinity/NaN moments for data near ±1.8e308; JSON writes those as strings.
    #[serde(with = "crate::json_float")]
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    #[serde(with = "crate::json_float")]
    pub m2: f64,
    pub sketch: QuantileSketch,
    /// 0, or SCALE once a value of magnitude ≥ 2^440 was seen: `mean` is then in units of
    /// 2^SCALE and `m2` in units of 2^(2·SCALE), so data near ±1.8e308 keeps exact moments
    /// (the mean of {1e308, 1e308, −1e308} is 3.33e307, not NaN). Absent from the JSON when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub scale: i32,
    /// The distinct finite values (exact up to 256, then HyperLogLog). `None` for a profile
    /// written before 0.3.0 (absent from its JSON) and for any merge involving one: unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distinct: Option<DistinctSketch>,
}

impl Default for NumericProfile {
    fn default() -> Self {
        Self {
            n: 0,
            null_count: 0,
            nan_count: 0,
            pos_inf_count: 0,
            neg_inf_count: 0,
            min: None,
            max: None,
            shift: 0.0,
            mean: 0.0,
            m2: 0.0,
            sketch: QuantileSketch::default(),
            scale: 0,
            distinct: Some(DistinctSketch::default()),
        }
    }
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
        if self.scale == 0 && x.abs() >= SCALE_FROM {
            self.rescale();
        }
        self.n += 1;
        let y = if self.scale == 0 {
            x - self.shift
        } else {
            scale_by(x, -self.scale) - scale_by(self.shift, -self.scale)
        };
        let delta = y - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (y - self.mean);
        self.min = Some(self.min.map_or(x, |m| signed_min(m, x)));
        self.max = Some(self.max.map_or(x, |m| signed_max(m, x)));
        self.sketch.add(x);
        if let Some(d) = &mut self.distinct {
            d.add(x);
        }
    }

    /// Switches the moments to scaled units (see `scale`).
    fn rescale(&mut self) {
        if self.scale == 0 {
            self.mean = scale_by(self.mean, -SCALE);
            self.m2 = scale_by(self.m2, -2 * SCALE);
            self.scale = SCALE;
        }
    }

    /// Estimated number of distinct non-NULL values, as `count(DISTINCT x)` counts them: the
    /// distinct finite values (exact up to 256, else the HyperLogLog estimate, relative standard
    /// error 1.625 %, kept within the facts [257, n]) plus one each for NaN, +Infinity and
    /// −Infinity when seen (exact: counted separately). `None` when unknown (a profile from
    /// before 0.3.0, or merged with one).
    pub fn distinct_count(&self) -> Option<f64> {
        let d = self.distinct.as_ref()?;
        Some(self.clamp_finite(d.estimate()) + self.special_values())
    }

    /// `{lower, upper}` around `distinct_count`: equal when exact; else the estimate ∓ 3 relative
    /// standard errors (≈ 99.7 % coverage), kept within [257, n] finite values.
    pub fn distinct_count_bounds(&self) -> Option<(f64, f64)> {
        let d = self.distinct.as_ref()?;
        let e = d.estimate();
        let k = 3.0 * crate::distinct::relative_standard_error();
        let (lo, hi) = if d.is_exact() {
            (e, e)
        } else {
            (
                self.clamp_finite((e * (1.0 - k)).floor()),
                self.clamp_finite((e * (1.0 + k)).ceil()),
            )
        };
        let s = self.special_values();
        Some((lo + s, hi + s))
    }

    /// A HyperLogLog holds more than 256 distinct values and at most n; an exact count as is.
    fn clamp_finite(&self, estimate: f64) -> f64 {
        match &self.distinct {
            Some(DistinctSketch::Hll(_)) => estimate
                .round()
                .clamp(crate::distinct::EXACT_MAX as f64 + 1.0, self.n as f64),
            _ => estimate,
        }
    }

    fn special_values(&self) -> f64 {
        [self.nan_count, self.pos_inf_count, self.neg_inf_count]
            .iter()
            .filter(|&&c| c > 0)
            .count() as f64
    }

    /// Whether `distinct_count` is exact (`None` when unknown).
    pub fn distinct_is_exact(&self) -> Option<bool> {
        self.distinct.as_ref().map(DistinctSketch::is_exact)
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
        if self.n == 0 {
            return None;
        }
        if self.scale == 0 {
            return Some(self.shift + self.mean);
        }
        Some(scale_by(
            scale_by(self.shift, -self.scale) + self.mean,
            self.scale,
        ))
    }

    /// m2 / divisor in scaled units (m2 itself when not scaled), never negative.
    fn scaled_var(&self, divisor: u64) -> f64 {
        (self.m2 / divisor as f64).max(0.0)
    }

    /// Sample variance (n − 1), as PostgreSQL's `variance`; `None` below two values. +Infinity
    /// when the variance itself exceeds float8 (data spread near ±1.8e308: the variance of
    /// {1e308, 1e308, −1e308} is 1.3e616); `stddev` is still finite then.
    pub fn variance(&self) -> Option<f64> {
        (self.n > 1).then(|| scale_by(self.scaled_var(self.n - 1), 2 * self.scale))
    }

    /// Population variance (n), as numpy's default `var`; +Infinity as `variance`.
    pub fn variance_pop(&self) -> Option<f64> {
        (self.n > 0).then(|| scale_by(self.scaled_var(self.n), 2 * self.scale))
    }

    pub fn stddev(&self) -> Option<f64> {
        (self.n > 1).then(|| scale_by(self.scaled_var(self.n - 1).sqrt(), self.scale))
    }

    pub fn stddev_pop(&self) -> Option<f64> {
        (self.n > 0).then(|| scale_by(self.scaled_var(self.n).sqrt(), self.scale))
    }

    /// The data as the profile sees it, as (value, count) in increasing order. At most 256
    /// distinct values (counted by the distinct sketch): exactly. Else as the sketch sees it:
    /// the smallest and largest values exactly (min and max are tracked), every other finite
    /// value replaced by its bucket's value clamped to [min, max]. Every approximate statistic
    /// of a profile is the exact statistic of this discretised sample.
    pub fn discretised(&self) -> Vec<(f64, u64)> {
        let (Some(lo), Some(hi)) = (self.min, self.max) else {
            return Vec::new();
        };
        if self.n == 1 {
            return vec![(lo, 1)];
        }
        if let Some(mut exact) = self
            .distinct
            .as_ref()
            .and_then(DistinctSketch::counted_values)
        {
            // The set keeps −0 as 0; the extremes keep their sign.
            let last = exact.len() - 1;
            exact[0].0 = lo;
            exact[last].0 = hi;
            return exact;
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
                self.scale = o.scale;
            } else {
                let (mut o_mean, mut o_m2) = (o.mean, o.m2);
                if self.scale != o.scale {
                    // One side is scaled: bring the other to scaled units too.
                    self.rescale();
                    if o.scale == 0 {
                        o_mean = scale_by(o_mean, -SCALE);
                        o_m2 = scale_by(o_m2, -2 * SCALE);
                    }
                }
                let (na, nb) = (self.n as f64, o.n as f64);
                let n = na + nb;
                // Both means relative to self's shift.
                let shift_gap = if self.scale == 0 {
                    o.shift - self.shift
                } else {
                    scale_by(o.shift, -self.scale) - scale_by(self.shift, -self.scale)
                };
                let delta = shift_gap + o_mean - self.mean;
                self.mean += delta * (nb / n);
                self.m2 += o_m2 + delta * delta * (na * nb / n);
            }
            self.n = add_counts(self.n, o.n)?;
            self.min = Some(
                self.min
                    .map_or(o.min.unwrap(), |m| signed_min(m, o.min.unwrap())),
            );
            self.max = Some(
                self.max
                    .map_or(o.max.unwrap(), |m| signed_max(m, o.max.unwrap())),
            );
            self.sketch.merge(&o.sketch)?;
        }
        match (&mut self.distinct, &o.distinct) {
            (Some(a), Some(b)) => a.merge(b),
            _ => self.distinct = None,
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
        let mut w = Writer::new(TAG, VERSION_DISTINCT);
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
        w.u32(self.scale as u32);
        self.sketch.encode(&mut w);
        match &self.distinct {
            None => w.u8(0),
            Some(d) => {
                w.u8(1);
                d.encode(&mut w);
            }
        }
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (mut r, version) = Reader::open_any_version(
            bytes,
            TAG,
            &[VERSION, VERSION_SCALED, VERSION_DISTINCT],
            Self::NAME,
        )?;
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
        let scale = match version {
            VERSION_SCALED => match r.u32()? {
                s if s == SCALE as u32 => SCALE,
                s => return Err(r.error(&format!("scale must be {SCALE}, got {s}"))),
            },
            VERSION_DISTINCT => match r.u32()? {
                0 => 0,
                s if s == SCALE as u32 => SCALE,
                s => return Err(r.error(&format!("scale must be 0 or {SCALE}, got {s}"))),
            },
            _ => 0,
        };
        let sketch = QuantileSketch::decode(&mut r)?;
        let distinct = if version == VERSION_DISTINCT {
            match r.u8()? {
                0 => None,
                1 => Some(DistinctSketch::decode(&mut r)?),
                b => return Err(r.error(&format!("bad distinct sketch flag {b}"))),
            }
        } else {
            // Before 0.3.0 no sketch was kept: unknown (even with no finite value, as the JSON
            // of such a profile, which has no "distinct" member, reads).
            None
        };
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
            scale,
            distinct,
        };
        if n == 0 && !(min.is_nan() && max.is_nan()) {
            return Err(r.error("min/max present without values"));
        }
        p.validate().map_err(|e| r.error(&e))?;
        r.finish()?;
        Ok(p)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.scale != 0 && self.scale != SCALE {
            return Err(format!("scale must be 0 or {SCALE}, got {}", self.scale));
        }
        if self.scale != 0 && self.n == 0 {
            return Err("scale present without values".into());
        }
        self.sketch.validate()?;
        if self.sketch.count() != self.n {
            return Err("sketch count differs from n".into());
        }
        if let Some(d) = &self.distinct {
            self.validate_distinct(d)?;
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
                let slack = (hi * 0.5 - lo * 0.5).max(hi.abs()).max(lo.abs()) * 1e-9;
                let mean = self.mean().unwrap_or(f64::NAN);
                if mean.is_finite() && (mean < lo - slack || mean > hi + slack) {
                    return Err("mean outside [min, max]".into());
                }
                self.validate_spread(lo, hi)?;
            }
            _ => return Err("min/max must be present exactly when n > 0".into()),
        }
        Ok(())
    }
}

impl NumericProfile {
    /// The moments agree with min and max. Non-finite moments are what profiles written before
    /// 0.3.0 (unscaled) hold after an overflow, so they are accepted only where one could happen:
    /// a mean beyond float8 needs values near ±1.8e308, an m2 beyond it a spread of at least
    /// ~1e144 (n·spread² past 1.8e308 for n ≤ 2^63). A finite m2 keeps the population variance
    /// within (max − min)²/4 (Popoviciu's inequality), with room for rounding.
    fn validate_spread(&self, lo: f64, hi: f64) -> std::result::Result<(), String> {
        let (lo_s, hi_s) = (scale_by(lo, -self.scale), scale_by(hi, -self.scale));
        if !self.mean.is_finite() && lo.abs().max(hi.abs()) < f64::MAX / 4.0 {
            return Err("non-finite mean for values far from float8's limits".into());
        }
        if !self.m2.is_finite() {
            return if hi - lo >= 1e144 {
                Ok(())
            } else {
                Err("non-finite m2 for values of a small spread".into())
            };
        }
        let half = (hi_s - lo_s) * 0.5;
        if self.m2 / self.n as f64 > half * half * (1.0 + 1e-6) + f64::MIN_POSITIVE {
            return Err("m2 above what min and max allow".into());
        }
        Ok(())
    }

    /// The quantile sketch of counted values (each value's rows in its bucket).
    /// An exact set holds min and max; its counts, when kept, sum to n and fill the quantile
    /// sketch's buckets as they are. One sort of the set (this runs on every decode).
    fn exact_set_agrees(&self, set: &ExactSet, lo: f64, hi: f64) -> bool {
        match set.counted_values() {
            Some(pairs) => {
                let mut rebuilt = QuantileSketch::default();
                pairs.iter().for_each(|&(x, c)| rebuilt.add_copies(x, c));
                pairs.first().map(|p| p.0) == Some(lo)
                    && pairs.last().map(|p| p.0) == Some(hi)
                    && pairs.iter().map(|p| u128::from(p.1)).sum::<u128>() == u128::from(self.n)
                    && rebuilt.canonical() == self.sketch.canonical()
            }
            None => {
                let values = set.values();
                values.first() == Some(&lo) && values.last() == Some(&hi)
            }
        }
    }

    /// The distinct sketch agrees with the counts and extremes: an exact set holds min and max
    /// and at most n values (none when n = 0), its counts (if any) summing to n and filling the
    /// quantile sketch's buckets as they are (forged counts gave a median the data never had); a
    /// HyperLogLog needs more than 256 values.
    fn validate_distinct(&self, d: &DistinctSketch) -> std::result::Result<(), String> {
        d.validate()?;
        match (d, self.min, self.max) {
            (DistinctSketch::Exact(v), None, None) if v.is_empty() => Ok(()),
            (DistinctSketch::Exact(set), Some(lo), Some(hi))
                if set.len() as u64 <= self.n && self.exact_set_agrees(set, lo, hi) =>
            {
                Ok(())
            }
            (DistinctSketch::Hll(_), Some(_), Some(_))
                if self.n > crate::distinct::EXACT_MAX as u64 =>
            {
                Ok(())
            }
            _ => Err("distinct sketch disagrees with n, min or max".into()),
        }
    }
}

/// `f64::min`/`max` may return either zero for (0.0, -0.0), so a serial pass and a parallel merge
/// could disagree on the sign shown. Like IEEE 754-2019 `minimum`/`maximum`, -0 is the smaller:
/// the result no longer depends on row order. (Inputs are finite here.)
fn signed_min(a: f64, b: f64) -> f64 {
    if a < b || (a == b && a.is_sign_negative()) {
        a
    } else {
        b
    }
}

fn signed_max(a: f64, b: f64) -> f64 {
    if a > b || (a == b && a.is_sign_positive()) {
        a
    } else {
        b
    }
}
