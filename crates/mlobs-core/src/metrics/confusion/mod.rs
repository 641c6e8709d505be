//! `mlobs.confusion`: (actual, predicted) → summed sample weight, for binary and multiclass
//! classification. Exact and exactly mergeable for unit weights (counts stay integers below
//! 2^53); weighted sums merge up to float rounding. Every metric follows scikit-learn 1.7:
//! labels are the sorted union of actual and predicted classes, zero division gives 0 unless a
//! [`ZeroDivision`] says otherwise.
//!
//! CBPE reuses this summary with fractional cells: an *expected* confusion matrix.

use super::label::Label;
use crate::codec::{Reader, Writer};
use crate::error::{CoreError, Result};
use crate::summary::Summary;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

mod cells;
pub use cells::Cells;
mod report;
use report::nan_average;
pub use report::{ReportRow, ZeroDivision};

const TAG: &[u8; 4] = b"MLcf";
const VERSION: u8 = 1;
/// Distinct class labels per summary.
pub const MAX_CLASSES: usize = 1000;
/// Longest text label, in bytes.
pub const MAX_LABEL_BYTES: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Average {
    Binary,
    Macro,
    Micro,
    Weighted,
}

impl Average {
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "binary" => Ok(Average::Binary),
            "macro" => Ok(Average::Macro),
            "micro" => Ok(Average::Micro),
            "weighted" => Ok(Average::Weighted),
            other => Err(CoreError::invalid_parameter(format!(
                "average must be one of binary, macro, micro, weighted; got '{other}'"
            ))),
        }
    }
}

/// One cell on the wire and in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub actual: Label,
    pub predicted: Label,
    pub weight: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "ConfusionWire", try_from = "ConfusionWire")]
pub struct Confusion {
    /// Rows counted (with any weight).
    pub rows: u64,
    /// Rows skipped because the label, prediction or weight was NULL.
    pub skipped: u64,
    pub cells: Cells,
    /// The labels of `cells` (actual or predicted), kept as cells are added: the class cap is
    /// checked per new label instead of by collecting every cell's labels again (which made a
    /// 200-class summary quadratic in its cells: 51 s for 40k rows).
    classes: BTreeSet<Label>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfusionWire {
    rows: u64,
    skipped: u64,
    cells: Vec<Cell>,
}

impl From<Confusion> for ConfusionWire {
    fn from(c: Confusion) -> Self {
        ConfusionWire {
            rows: c.rows,
            skipped: c.skipped,
            cells: c
                .cells
                .iter()
                .map(|((actual, predicted), &weight)| Cell {
                    actual: actual.clone(),
                    predicted: predicted.clone(),
                    weight,
                })
                .collect(),
        }
    }
}

impl TryFrom<ConfusionWire> for Confusion {
    type Error = String;
    fn try_from(w: ConfusionWire) -> std::result::Result<Self, String> {
        let mut cells = Cells::default();
        for c in w.cells {
            let key = (c.actual, c.predicted);
            if cells.contains_key(&key) {
                return Err("duplicate cell".into());
            }
            cells.insert(key, c.weight);
        }
        Ok(Confusion::of_cells(w.rows, w.skipped, cells))
    }
}

/// Per-class counts: true positives, false positives, false negatives, support (actual count).
#[derive(Debug, Clone, Copy, Default)]
struct ClassCounts {
    tp: f64,
    fp: f64,
    fn_: f64,
    support: f64,
}

/// One class's (numerator, denominator) of precision, recall and F1 (= 2·TP / (2·TP + FP + FN),
/// scikit-learn ≥ 1.3): the averaged metrics and the per-class report divide the same parts,
/// differing only in what an empty denominator gives.
impl ClassCounts {
    fn precision(&self) -> (f64, f64) {
        (self.tp, self.tp + self.fp)
    }

    fn recall(&self) -> (f64, f64) {
        (self.tp, self.tp + self.fn_)
    }

    fn f1(&self) -> (f64, f64) {
        (2.0 * self.tp, 2.0 * self.tp + self.fp + self.fn_)
    }
}

/// Binary rates with respect to a positive label; `None` where the denominator is 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    pub tpr: Option<f64>,
    pub tnr: Option<f64>,
    pub fpr: Option<f64>,
    pub fnr: Option<f64>,
}

/// A cell's weight after adding to it: an overflow to +Infinity is an error (22003).
fn checked_cell(w: f64) -> Result<f64> {
    if w.is_finite() {
        Ok(w)
    } else {
        Err(CoreError::out_of_range(
            "the weighted count of a cell overflows float8: scale the sample weights down",
        ))
    }
}

fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        // + 0.0: an empty f64 sum is -0.0, and "-0" would reach metric points and dashboards.
        num / den + 0.0
    }
}

impl Confusion {
    /// A decoded summary: its label set is the labels of its cells.
    fn of_cells(rows: u64, skipped: u64, cells: Cells) -> Confusion {
        let classes = cells
            .keys()
            .flat_map(|(a, p)| [a.clone(), p.clone()])
            .collect();
        Confusion {
            rows,
            skipped,
            cells,
            classes,
        }
    }

    /// Transition for one row.
    pub fn add(&mut self, actual: Label, predicted: Label, weight: f64) -> Result<()> {
        let weight = super::sample_weight(weight)?;
        // Kinds compared by discriminant: this runs for every row.
        let same = |x: &Label, y: &Label| std::mem::discriminant(x) == std::mem::discriminant(y);
        if let Some((a, _)) = self.cells.kind_key() {
            if !same(a, &actual) || !same(a, &predicted) {
                return Err(CoreError::mismatch(format!(
                    "labels must all be of one type: {} and {}/{}",
                    a.kind(),
                    actual.kind(),
                    predicted.kind()
                )));
            }
        } else if !same(&actual, &predicted) {
            return Err(CoreError::mismatch(format!(
                "label and prediction must be of one type, got {} and {}",
                actual.kind(),
                predicted.kind()
            )));
        }
        for l in [&actual, &predicted] {
            if let Label::Text(t) = l
                && t.len() > MAX_LABEL_BYTES
            {
                return Err(CoreError::limit_exceeded(format!(
                    "class labels are limited to {MAX_LABEL_BYTES} bytes"
                )));
            }
        }
        self.rows += 1;
        let key = (actual, predicted);
        if let Some(w) = self.cells.get_mut(&key) {
            *w = checked_cell(*w + weight)?;
            return Ok(());
        }
        for l in [&key.0, &key.1] {
            if !self.classes.contains(l) {
                self.classes.insert(l.clone());
            }
        }
        self.cells.insert(key, weight);
        self.check_classes()
    }

    /// Adds an expected outcome: weight `p` on (actual = positive) and `1 − p` on (actual =
    /// negative), both in the predicted column. This is CBPE's estimated confusion matrix.
    pub fn add_expected(&mut self, p: f64, predicted_positive: bool) -> Result<()> {
        self.rows += 1;
        let column = predicted_positive as usize;
        for (actual, w) in [(1, p), (0, 1.0 - p)] {
            if !self.cells.add_to_int_cell(actual, column, w) {
                let key = (Label::Int(actual as i64), Label::Int(column as i64));
                match self.cells.get_mut(&key) {
                    Some(cell) => *cell += w,
                    None => self.cells.insert(key, w),
                }
            }
        }
        if self.classes.len() < 2 {
            self.classes.extend([Label::Int(0), Label::Int(1)]);
        }
        Ok(())
    }

    fn check_classes(&self) -> Result<()> {
        let n = self.classes.len();
        if n > MAX_CLASSES {
            return Err(CoreError::limit_exceeded(format!(
                "a confusion summary holds at most {MAX_CLASSES} classes, got {n}"
            )));
        }
        Ok(())
    }

    /// Sorted union of actual and predicted labels (scikit-learn's `unique_labels`).
    pub fn labels(&self) -> Vec<&Label> {
        self.classes.iter().collect()
    }

    pub fn total_weight(&self) -> f64 {
        self.cells.values().sum()
    }

    fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The factor that scales the cells to unit size (`unit_scale` of the largest): the
    /// scale-free metrics computed on scaled cells have the same bits, and their sums and
    /// products stay within float8.
    pub(crate) fn unit_factor(&self) -> f64 {
        super::unit_scale(self.cells.values().fold(0.0, |m, &w| m.max(w)))
    }

    /// The class counts of the cells scaled by `unit_factor`.
    fn unit_class_counts(&self) -> BTreeMap<&Label, ClassCounts> {
        self.class_counts_scaled(self.unit_factor())
    }

    fn class_counts_scaled(&self, f: f64) -> BTreeMap<&Label, ClassCounts> {
        let mut m: BTreeMap<&Label, ClassCounts> = self
            .labels()
            .into_iter()
            .map(|l| (l, Default::default()))
            .collect();
        for ((a, p), &w) in &self.cells {
            let w = w * f;
            if a == p {
                m.get_mut(a).expect("label").tp += w;
            } else {
                m.get_mut(p).expect("label").fp += w;
                m.get_mut(a).expect("label").fn_ += w;
            }
            m.get_mut(a).expect("label").support += w;
        }
        m
    }

    /// The default positive label: 1 for int labels, true for bool; text labels need one given.
    pub fn positive_label(&self, given: Option<&str>) -> Result<Label> {
        let like = match self.cells.keys().next() {
            Some((a, _)) => a.clone(),
            None => Label::Int(1),
        };
        match given {
            Some(text) => Label::parse_like(text, &like, "pos_label"),
            None => match like {
                Label::Int(_) => Ok(Label::Int(1)),
                Label::Bool(_) => Ok(Label::Bool(true)),
                Label::Text(_) => Err(CoreError::invalid_parameter(
                    "pos_label is required for text labels",
                )),
            },
        }
    }

    /// The positive label for binary averaging, checked as scikit-learn does: at most two
    /// classes, and pos_label must be one of them when there are two.
    fn binary_positive(&self, pos_label: Option<&str>) -> Result<Label> {
        let labels = self.labels();
        if labels.len() > 2 {
            return Err(CoreError::invalid_parameter(format!(
                "average 'binary' needs at most two classes, found {}; use macro, micro or weighted",
                labels.len()
            )));
        }
        let pos = self.positive_label(pos_label)?;
        if labels.len() == 2 && !labels.contains(&&pos) {
            return Err(CoreError::invalid_parameter(format!(
                "pos_label {pos} is not one of the classes {} and {}",
                labels[0], labels[1]
            )));
        }
        Ok(pos)
    }

    /// Fraction (weighted) of rows whose prediction equals the label.
    pub fn accuracy(&self) -> Option<f64> {
        // Rows whose weights are all 0: no mean (scikit-learn raises ZeroDivisionError), as the
        // weighted losses and regression metrics.
        if self.is_empty() || self.total_weight() == 0.0 {
            return None;
        }
        let f = self.unit_factor();
        let correct: f64 = self
            .cells
            .iter()
            .filter(|((a, p), _)| a == p)
            .map(|(_, w)| w * f)
            .sum();
        Some(ratio(correct, self.cells.values().map(|w| w * f).sum()))
    }

    /// scikit-learn's `precision_recall_fscore_support`: one class's ratio from its parts, an
    /// empty denominator giving `zero_division`; macro and weighted averages leave undefined
    /// (NaN) values out (`_nanaverage`), micro divides the summed parts. `None`: empty, or
    /// undefined (scikit-learn's NaN).
    fn averaged(
        &self,
        average: Average,
        pos_label: Option<&str>,
        zero_division: ZeroDivision,
        part: fn(&ClassCounts) -> (f64, f64),
    ) -> Result<Option<f64>> {
        if self.is_empty() {
            return Ok(None);
        }
        let div = |parts| zero_division.divide(parts);
        // Every part is a ratio of weighted counts: unit-scaled counts give the same bits.
        let counts = self.unit_class_counts();
        Ok(match average {
            Average::Binary => {
                let pos = self.binary_positive(pos_label)?;
                div(counts.get(&pos).map_or((0.0, 0.0), part))
            }
            Average::Micro => {
                let mut sum = ClassCounts::default();
                for c in counts.values() {
                    sum.tp += c.tp;
                    sum.fp += c.fp;
                    sum.fn_ += c.fn_;
                    sum.support += c.support;
                }
                div(part(&sum))
            }
            Average::Macro | Average::Weighted => {
                let values: Vec<Option<f64>> = counts.values().map(|c| div(part(c))).collect();
                let supports: Vec<f64> = counts.values().map(|c| c.support).collect();
                let weights = (average == Average::Weighted).then_some(&supports[..]);
                nan_average(&values, weights)
            }
        })
    }

    /// Precision with zero division giving 0 (scikit-learn's default).
    pub fn precision(&self, average: Average, pos_label: Option<&str>) -> Result<Option<f64>> {
        self.precision_with(average, pos_label, ZeroDivision::Zero)
    }

    pub fn recall(&self, average: Average, pos_label: Option<&str>) -> Result<Option<f64>> {
        self.recall_with(average, pos_label, ZeroDivision::Zero)
    }

    pub fn f1(&self, average: Average, pos_label: Option<&str>) -> Result<Option<f64>> {
        self.f1_with(average, pos_label, ZeroDivision::Zero)
    }

    /// Precision, TP / (TP + FP) per class, then averaged; `zero_division` as scikit-learn's.
    pub fn precision_with(
        &self,
        average: Average,
        pos_label: Option<&str>,
        zero_division: ZeroDivision,
    ) -> Result<Option<f64>> {
        self.averaged(average, pos_label, zero_division, ClassCounts::precision)
    }

    /// Recall, TP / (TP + FN) per class, then averaged.
    pub fn recall_with(
        &self,
        average: Average,
        pos_label: Option<&str>,
        zero_division: ZeroDivision,
    ) -> Result<Option<f64>> {
        self.averaged(average, pos_label, zero_division, ClassCounts::recall)
    }

    /// F1 per class (see `ClassCounts::f1`: zero division only when TP, FP and FN are all 0),
    /// then averaged.
    pub fn f1_with(
        &self,
        average: Average,
        pos_label: Option<&str>,
        zero_division: ZeroDivision,
    ) -> Result<Option<f64>> {
        self.averaged(average, pos_label, zero_division, ClassCounts::f1)
    }

    /// Matthews correlation coefficient, multiclass form (Gorodkin's R_K) as scikit-learn;
    /// 0 when undefined.
    pub fn mcc(&self) -> Option<f64> {
        if self.is_empty() {
            return None;
        }
        let counts = self.unit_class_counts();
        let t: Vec<f64> = counts.values().map(|c| c.support).collect();
        let p: Vec<f64> = counts.values().map(|c| c.tp + c.fp).collect();
        let correct: f64 = counts.values().map(|c| c.tp).sum();
        let n: f64 = p.iter().sum();
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let cov_ytyp = correct * n - dot(&t, &p);
        let cov_ypyp = n * n - dot(&p, &p);
        let cov_ytyt = n * n - dot(&t, &t);
        if cov_ypyp * cov_ytyt == 0.0 {
            return Some(0.0);
        }
        Some(cov_ytyp / (cov_ytyt * cov_ypyp).sqrt())
    }

    /// True/false positive/negative rates of `pos_label` against every other class.
    pub fn rates(&self, pos_label: Option<&str>) -> Result<Option<Rates>> {
        if self.is_empty() {
            return Ok(None);
        }
        let pos = self.positive_label(pos_label)?;
        // Ratios of weighted counts: unit-scaled counts give the same bits, and never overflow.
        let f = self.unit_factor();
        let (mut tp, mut fp, mut fn_, mut tn) = (0.0, 0.0, 0.0, 0.0);
        for ((a, p), &w) in &self.cells {
            let w = w * f;
            match (a == &pos, p == &pos) {
                (true, true) => tp += w,
                (false, true) => fp += w,
                (true, false) => fn_ += w,
                (false, false) => tn += w,
            }
        }
        let rate = |num: f64, den: f64| (den != 0.0).then(|| num / den);
        Ok(Some(Rates {
            tpr: rate(tp, tp + fn_),
            tnr: rate(tn, tn + fp),
            fpr: rate(fp, fp + tn),
            fnr: rate(fn_, fn_ + tp),
        }))
    }

    /// `{"labels": [...], "matrix": [[...]]}`: rows are actual classes, columns predicted, in
    /// label order (scikit-learn's `confusion_matrix`).
    pub fn matrix_json(&self) -> serde_json::Value {
        let labels = self.labels();
        let index: BTreeMap<&Label, usize> =
            labels.iter().enumerate().map(|(i, l)| (*l, i)).collect();
        let mut m = vec![vec![0.0; labels.len()]; labels.len()];
        for ((a, p), &w) in &self.cells {
            m[index[a]][index[p]] += w;
        }
        serde_json::json!({ "labels": labels, "matrix": m })
    }
}

fn encode_label(w: &mut Writer, l: &Label) {
    match l {
        Label::Bool(b) => w.u8(*b as u8),
        Label::Int(i) => w.u64(*i as u64),
        Label::Text(t) => w.bytes(t.as_bytes()),
    }
}

fn decode_label(r: &mut Reader, kind: u8) -> Result<Label> {
    Ok(match kind {
        1 => match r.u8()? {
            0 => Label::Bool(false),
            1 => Label::Bool(true),
            _ => return Err(r.error("invalid boolean label")),
        },
        2 => Label::Int(r.u64()? as i64),
        3 => Label::Text(
            String::from_utf8(r.bytes(MAX_LABEL_BYTES)?.to_vec())
                .map_err(|_| r.error("label is not valid UTF-8"))?,
        ),
        _ => return Err(r.error("invalid label kind")),
    })
}

fn kind_code(l: &Label) -> u8 {
    match l {
        Label::Bool(_) => 1,
        Label::Int(_) => 2,
        Label::Text(_) => 3,
    }
}

impl Summary for Confusion {
    const NAME: &'static str = "mlobs.confusion";

    fn merge(&mut self, o: &Self) -> Result<()> {
        if let (Some((a, _)), Some((b, _))) = (self.cells.kind_key(), o.cells.kind_key())
            && a.kind() != b.kind()
        {
            return Err(CoreError::mismatch(format!(
                "cannot merge confusion summaries of {} and {} labels",
                a.kind(),
                b.kind()
            )));
        }
        for (k, &w) in &o.cells {
            match self.cells.get_mut(k) {
                Some(mine) => *mine = checked_cell(*mine + w)?,
                None => self.cells.insert(k.clone(), w),
            }
        }
        self.classes.extend(o.classes.iter().cloned());
        self.rows = self
            .rows
            .checked_add(o.rows)
            .filter(|&r| r <= crate::sketch::MAX_COUNT)
            .ok_or_else(crate::sketch::count_overflow)?;
        self.skipped = crate::sketch::add_counts(self.skipped, o.skipped)?;
        self.check_classes()
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(TAG, VERSION);
        w.u64(self.rows);
        w.u64(self.skipped);
        w.u8(self.cells.keys().next().map_or(0, |(a, _)| kind_code(a)));
        w.u32(self.cells.len() as u32);
        for ((a, p), &weight) in &self.cells {
            encode_label(&mut w, a);
            encode_label(&mut w, p);
            w.f64(weight);
        }
        w.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open_versioned(bytes, TAG, VERSION, Self::NAME)?;
        let rows = r.u64()?;
        let skipped = r.u64()?;
        let kind = r.u8()?;
        let len = r.u32()? as usize;
        if len > MAX_CLASSES * MAX_CLASSES {
            return Err(r.error("too many cells"));
        }
        let mut cells = Cells::default();
        for _ in 0..len {
            let a = decode_label(&mut r, kind)?;
            let p = decode_label(&mut r, kind)?;
            let weight = r.f64()?;
            if cells.contains_key(&(a.clone(), p.clone())) {
                return Err(r.error("duplicate cell"));
            }
            cells.insert((a, p), weight);
        }
        r.finish()?;
        Confusion::of_cells(rows, skipped, cells).decode_checked()
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let mut kinds = self.cells.keys().flat_map(|(a, p)| [a.kind(), p.kind()]);
        if let Some(first) = kinds.next()
            && kinds.any(|k| k != first)
        {
            return Err("labels must all be of one type".into());
        }
        if self.labels().len() > MAX_CLASSES {
            return Err(format!("more than {MAX_CLASSES} classes"));
        }
        if let Some(w) = self.cells.values().find(|w| !(w.is_finite() && **w >= 0.0)) {
            return Err(format!("cell weight {w} is not finite and non-negative"));
        }
        if self.rows == 0 && !self.cells.is_empty() {
            return Err("cells without rows".into());
        }
        for (a, p) in self.cells.keys() {
            for l in [a, p] {
                if let Label::Text(t) = l
                    && t.len() > MAX_LABEL_BYTES
                {
                    return Err("label too long".into());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
