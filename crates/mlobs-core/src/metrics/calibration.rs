//! Isotonic calibration and CBPE (confidence-based performance estimation, as NannyML defines
//! it): a monotone map from the model's score to P(y = 1), fitted on a labelled reference
//! window, turns scores of unlabelled windows into expected confusion matrices and an expected
//! ROC AUC.
//!
//! The fit reproduces `sklearn.isotonic.IsotonicRegression(out_of_bounds="clip")`: rows sorted
//! by (x, y), duplicate x (closer than 1e-15) averaged, pool-adjacent-violators, interior points
//! of flat blocks dropped, and prediction by scipy's `interp1d` linear formula with clipping.

use super::ranking::RankSample;
use super::{finite, probability};
use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};

const TAG: &[u8; 4] = b"MLcb";
const VERSION: u8 = 1;
/// Points a calibration map may hold.
pub const MAX_POINTS: usize = 1_000_000;
/// numpy's `finfo(float64).resolution`: x values closer than this are one point.
const RESOLUTION: f64 = 1e-15;

/// A fitted monotone map: strictly increasing `x`, non-decreasing `y` in [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationMap {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Rows of the reference window the map was fitted on.
    pub fitted_rows: u64,
}

/// Pool-adjacent-violators on `y` with weights `w` (both per unique x, ascending x).
fn pav(y: &[f64], w: &[f64]) -> Vec<f64> {
    // Blocks as (weighted sum, weight, length); merged while the last two violate order.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(y.len());
    for (&yi, &wi) in y.iter().zip(w) {
        blocks.push((yi * wi, wi, 1));
        while blocks.len() >= 2 {
            let (s2, w2, l2) = blocks[blocks.len() - 1];
            let (s1, w1, l1) = blocks[blocks.len() - 2];
            if s1 / w1 < s2 / w2 {
                break;
            }
            blocks.truncate(blocks.len() - 2);
            blocks.push((s1 + s2, w1 + w2, l1 + l2));
        }
    }
    blocks
        .into_iter()
        .flat_map(|(s, w, l)| std::iter::repeat_n(s / w, l))
        .collect()
}

impl CalibrationMap {
    /// Fits on (x, y, weight) rows; rows with weight 0 are ignored. `None` without rows.
    pub fn fit(mut rows: Vec<(f64, f64, f64)>) -> Result<Option<Self>> {
        for &(x, y, w) in &rows {
            finite(x, "score")?;
            probability(y, "label")?;
            if !(w.is_finite() && w >= 0.0) {
                return Err(CoreError::invalid_parameter(format!(
                    "weight must be finite and non-negative, got {w}"
                )));
            }
        }
        rows.retain(|r| r.2 > 0.0);
        if rows.is_empty() {
            return Ok(None);
        }
        let fitted_rows = rows.len() as u64;
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        // Duplicate x → weighted mean of y (scikit-learn's `_make_unique`).
        let (mut ux, mut uy, mut uw) = (Vec::new(), Vec::new(), Vec::new());
        let (mut cx, mut cy, mut cw) = (rows[0].0, 0.0, 0.0);
        for &(x, y, w) in &rows {
            if x - cx >= RESOLUTION {
                ux.push(cx);
                uy.push(cy / cw);
                uw.push(cw);
                (cx, cy, cw) = (x, y * w, w);
            } else {
                cw += w;
                cy += y * w;
            }
        }
        ux.push(cx);
        uy.push(cy / cw);
        uw.push(cw);
        let fitted = pav(&uy, &uw);
        // Keep the ends and every point whose y differs from a neighbour's.
        let n = fitted.len();
        let keep = |i: usize| {
            i == 0 || i + 1 == n || fitted[i] != fitted[i - 1] || fitted[i] != fitted[i + 1]
        };
        let (x, y): (Vec<f64>, Vec<f64>) = (0..n)
            .filter(|&i| keep(i))
            .map(|i| (ux[i], fitted[i]))
            .unzip();
        if x.len() > MAX_POINTS {
            return Err(CoreError::limit_exceeded(format!(
                "the calibration map would hold {} points, more than {MAX_POINTS}",
                x.len()
            )));
        }
        Ok(Some(Self { x, y, fitted_rows }))
    }

    /// Fits on the scores of a ranking sample (label 1 for positives, 0 for negatives), with
    /// their sample weights when it has any.
    pub fn fit_sample(s: &RankSample) -> Result<Option<Self>> {
        let weight = |w: Option<&Vec<f64>>, i: usize| w.map_or(1.0, |w| w[i]);
        let (wp, wn) = match &s.weights {
            Some(w) => (Some(&w.positive), Some(&w.negative)),
            None => (None, None),
        };
        let rows = (s.positive.iter().enumerate())
            .map(|(i, &x)| (x, 1.0, weight(wp, i)))
            .chain((s.negative.iter().enumerate()).map(|(i, &x)| (x, 0.0, weight(wn, i))))
            .collect();
        Self::fit(rows)
    }

    /// Calibrated probability of score `q` (clipped to the fitted range, then linear
    /// interpolation with scipy's formula).
    pub fn predict(&self, q: f64) -> Result<f64> {
        finite(q, "score")?;
        let n = self.x.len();
        if n == 1 {
            return Ok(self.y[0]);
        }
        let q = q.clamp(self.x[0], self.x[n - 1]);
        let hi = self.x.partition_point(|&v| v < q).clamp(1, n - 1);
        let lo = hi - 1;
        let slope = (self.y[hi] - self.y[lo]) / (self.x[hi] - self.x[lo]);
        Ok(slope * (q - self.x[lo]) + self.y[lo])
    }
}

/// A calibration map with a bucket index over its knots, for the per-row lookups of CBPE: the
/// knots' range is cut into equal buckets and `starts[k]` is the first knot whose bucket is ≥ k,
/// so a score's search covers only the knots of its own bucket. The bucket function is monotone,
/// so the position found is exactly `predict`'s binary search result, and so is the value.
/// (Issue 20: the binary search over a map fitted on 50 000 rows was 16 % of `cbpe_agg`.)
#[derive(Debug, Clone)]
pub struct IndexedCalibration {
    pub map: CalibrationMap,
    starts: Vec<u32>,
    scale: f64,
    /// The fitted range (the map's first and last x), kept beside the index.
    first: f64,
    last: f64,
    /// Knot i with the slope (y[i+1] − y[i]) / (x[i+1] − x[i]) of the segment it starts (the
    /// division `predict` does, done once). One array of 24-byte knots rather than x, y and
    /// slopes apart: a lookup then reads the bucket's start and one or two cache lines of knots,
    /// which the scan has usually evicted since the last row (issue 20's profile of `cbpe_agg`).
    knots: Vec<Knot>,
}

#[derive(Debug, Clone, Copy)]
struct Knot {
    x: f64,
    y: f64,
    slope: f64,
}

impl IndexedCalibration {
    /// Maps of at most this many knots are searched directly.
    const DIRECT: usize = 16;

    pub fn new(map: CalibrationMap) -> Self {
        let n = map.x.len();
        let range = if n > Self::DIRECT {
            map.x[n - 1] - map.x[0]
        } else {
            0.0
        };
        let buckets = n.min(1 << 16);
        let scale = buckets as f64 / range;
        let knots = (0..n)
            .map(|i| Knot {
                x: map.x[i],
                y: map.y[i],
                slope: if i + 1 < n {
                    (map.y[i + 1] - map.y[i]) / (map.x[i + 1] - map.x[i])
                } else {
                    0.0
                },
            })
            .collect();
        let mut index = IndexedCalibration {
            starts: Vec::new(),
            scale,
            first: map.x.first().copied().unwrap_or(0.0),
            last: map.x.last().copied().unwrap_or(0.0),
            knots,
            map,
        };
        if range > 0.0 && scale.is_finite() {
            let mut starts = Vec::with_capacity(buckets + 1);
            for (i, &x) in index.map.x.iter().enumerate() {
                while starts.len() <= index.bucket(x, buckets) {
                    starts.push(i as u32);
                }
            }
            starts.resize(buckets + 1, n as u32);
            index.starts = starts;
        }
        index
    }

    /// Bucket of `v` (monotone non-decreasing in `v`), within 0..buckets.
    #[inline]
    fn bucket(&self, v: f64, buckets: usize) -> usize {
        (((v - self.first) * self.scale) as usize).min(buckets - 1)
    }

    /// `CalibrationMap::predict`, bit for bit.
    #[inline]
    pub fn predict(&self, q: f64) -> Result<f64> {
        if self.starts.is_empty() {
            return self.map.predict(q);
        }
        finite(q, "score")?;
        let n = self.knots.len();
        let q = q.clamp(self.first, self.last);
        let k = self.bucket(q, self.starts.len() - 1);
        let (a, b) = (self.starts[k] as usize, self.starts[k + 1] as usize);
        let hi = (a + self.knots[a..b].partition_point(|v| v.x < q)).clamp(1, n - 1);
        let lo = &self.knots[hi - 1];
        Ok(lo.slope * (q - lo.x) + lo.y)
    }
}

/// CBPE's expected ROC AUC from calibrated probabilities p̂: every row is a positive with weight
/// p̂ and a negative with weight 1 − p̂ at score p̂; AUC with ties ½ (the trapezoid under the
/// expected ROC curve). `None` when the expected positives or negatives are 0.
pub fn expected_roc_auc(calibrated: &mut [f64]) -> Option<f64> {
    calibrated.sort_unstable_by(f64::total_cmp);
    let (mut neg_below, mut num, mut pos_total) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < calibrated.len() {
        let (mut p, mut n) = (0.0, 0.0);
        let t = calibrated[i];
        while i < calibrated.len() && calibrated[i] == t {
            p += calibrated[i];
            n += 1.0 - calibrated[i];
            i += 1;
        }
        num += p * (neg_below + 0.5 * n);
        neg_below += n;
        pos_total += p;
    }
    let den = pos_total * neg_below;
    (den > 0.0).then(|| num / den)
}

impl Summary for CalibrationMap {
    const NAME: &'static str = "mlobs.calibration";

    fn merge(&mut self, _: &Self) -> Result<()> {
        Err(CoreError::invalid_parameter(
            "calibration maps cannot be merged; fit one on the combined reference rows",
        ))
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        w.u64(self.fitted_rows);
        w.f64s(&self.x);
        w.f64s(&self.y);
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open_versioned(bytes, TAG, VERSION, Self::NAME)?;
        let fitted_rows = r.u64()?;
        let x = r.f64s(MAX_POINTS)?;
        let y = r.f64s(MAX_POINTS)?;
        r.finish()?;
        let m = CalibrationMap { x, y, fitted_rows };
        m.decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.x.is_empty() || self.x.len() != self.y.len() {
            return Err("x and y must be non-empty and of equal length".into());
        }
        if self.x.len() > MAX_POINTS {
            return Err(format!("more than {MAX_POINTS} points"));
        }
        if self.x.iter().any(|v| !v.is_finite()) || self.x.windows(2).any(|w| w[0] >= w[1]) {
            return Err("x must be finite and strictly increasing".into());
        }
        if self.y.iter().any(|v| !(0.0..=1.0).contains(v)) || self.y.windows(2).any(|w| w[0] > w[1])
        {
            return Err("y must be non-decreasing probabilities".into());
        }
        Ok(())
    }
}

/// The calibrated probabilities of a window, for the exact expected ROC AUC.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProbabilitySample {
    pub values: Vec<f64>,
}

const SAMPLE_TAG: &[u8; 4] = b"MLps";

impl ProbabilitySample {
    pub fn add(&mut self, p: f64) -> Result<()> {
        probability(p, "calibrated probability")?;
        if self.values.len() >= super::ranking::MAX_SCORES {
            return Err(CoreError::limit_exceeded(format!(
                "the exact expected AUC keeps at most {} rows",
                super::ranking::MAX_SCORES
            )));
        }
        self.values.push(p);
        Ok(())
    }
}

impl Summary for ProbabilitySample {
    const NAME: &'static str = "probability state";

    fn merge(&mut self, o: &Self) -> Result<()> {
        if self.values.len() + o.values.len() > super::ranking::MAX_SCORES {
            return Err(CoreError::limit_exceeded(
                "too many rows for the exact expected AUC",
            ));
        }
        self.values.extend_from_slice(&o.values);
        Ok(())
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(SAMPLE_TAG, VERSION);
        w.f64s(&self.values);
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open_versioned(bytes, SAMPLE_TAG, VERSION, Self::NAME)?;
        let values = r.f64s(super::ranking::MAX_SCORES)?;
        r.finish()?;
        let s = ProbabilitySample { values };
        s.decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.values.iter().any(|v| !(0.0..=1.0).contains(v)) {
            return Err("values must be probabilities".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pav_pools_violators() {
        let m = CalibrationMap::fit(vec![
            (0.1, 0.0, 1.0),
            (0.2, 1.0, 1.0),
            (0.3, 0.0, 1.0),
            (0.4, 1.0, 1.0),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(m.x, vec![0.1, 0.2, 0.3, 0.4]);
        assert_eq!(m.y, vec![0.0, 0.5, 0.5, 1.0]);
        assert_eq!(m.predict(0.25).unwrap(), 0.5);
        assert_eq!(m.predict(-3.0).unwrap(), 0.0);
        assert!((m.predict(0.15).unwrap() - 0.25).abs() < 1e-15);
        let b = m.to_bytes();
        assert_eq!(CalibrationMap::from_bytes(&b).unwrap(), m);
        for cut in 0..b.len() {
            assert!(CalibrationMap::from_bytes(&b[..cut]).is_err());
        }
    }

    #[test]
    fn indexed_predict_equals_the_binary_search() {
        let mut seed: u64 = 7;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for &rows in &[5usize, 17, 200, 5000] {
            let mut data: Vec<(f64, f64, f64)> = (0..rows)
                .map(|_| {
                    let x = next().powi(3);
                    (x, (next() < x) as u8 as f64, 1.0)
                })
                .collect();
            data.push((0.25, 1.0, 1.0));
            let map = CalibrationMap::fit(data).unwrap().unwrap();
            let indexed = IndexedCalibration::new(map.clone());
            assert_eq!(!indexed.starts.is_empty(), map.x.len() > 16, "{rows} rows");
            let mut queries: Vec<f64> = (0..20_000).map(|_| next() * 1.2 - 0.1).collect();
            queries.extend(map.x.iter().copied());
            queries.extend(map.x.iter().map(|x| x.next_up()));
            queries.extend([0.0, 1.0, -0.0, f64::MIN_POSITIVE]);
            for q in queries {
                assert_eq!(
                    indexed.predict(q).unwrap().to_bits(),
                    map.predict(q).unwrap().to_bits(),
                    "{q} with {rows} rows"
                );
            }
            assert!(indexed.predict(f64::NAN).is_err());
        }
    }

    #[test]
    fn expected_auc_of_certain_labels_is_one() {
        assert_eq!(expected_roc_auc(&mut [0.0, 0.0, 1.0]), Some(1.0));
        assert_eq!(expected_roc_auc(&mut [0.5, 0.5]), Some(0.5));
        assert_eq!(expected_roc_auc(&mut [1.0, 1.0]), None);
    }
}
