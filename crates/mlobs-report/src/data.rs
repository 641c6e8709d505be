//! What a report shows, as the SQL side (`mlobs.report`) gathers it: plain data, every
//! section optional, times in seconds since the Unix epoch (UTC).

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportData {
    pub model: String,
    /// The period reported, as display text and as epoch seconds.
    pub from: String,
    pub to: String,
    pub from_epoch: f64,
    pub to_epoch: f64,
    pub generated_at: String,
    pub monitors: Vec<MonitorInfo>,
    pub alerts: Vec<Alert>,
    /// One chart per feature and drift metric, with the rule's threshold.
    pub drift: Vec<Series>,
    /// Features left out of `drift` because of the report's bound.
    pub drift_omitted: u64,
    pub distributions: Vec<Distribution>,
    /// Why there are no distributions (e.g. the caller may not read the log).
    pub distributions_note: Option<String>,
    pub quality: Vec<QualityRow>,
    /// Realised and estimated performance metrics, and label coverage.
    pub performance: Vec<Series>,
    pub confusion: Option<Confusion>,
    pub calibration: Vec<CalibrationBin>,
    pub shap: Vec<Importance>,
    pub notes: Vec<String>,
    /// A report of two summaries (`mlobs.report(reference, current)`): no period, no monitors;
    /// `subtitle` replaces the period line and `drift_table` lists every feature.
    pub summaries_only: bool,
    pub subtitle: Option<String>,
    pub drift_table: Vec<DriftRow>,
}

/// One feature of `mlobs.drift_report`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DriftRow {
    pub feature: String,
    pub kind: String,
    pub method: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub statistic: Option<f64>,
    #[serde(deserialize_with = "lenient::opt")]
    pub p_value: Option<f64>,
    #[serde(deserialize_with = "lenient::opt")]
    pub threshold: Option<f64>,
    pub drifted: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MonitorInfo {
    pub name: String,
    pub kind: String,
    pub window_size: String,
    pub watermark: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Alert {
    pub rule: String,
    pub monitor: String,
    pub feature: String,
    pub segment: String,
    pub severity: String,
    pub state: String,
    pub started_at: String,
    pub resolved_at: Option<String>,
    #[serde(deserialize_with = "lenient::opt")]
    pub worst_value: Option<f64>,
    #[serde(deserialize_with = "lenient::opt")]
    pub threshold: Option<f64>,
}

/// A metric over time: one or more lines on one chart.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Series {
    pub title: String,
    pub unit: String,
    pub lines: Vec<Line>,
    #[serde(deserialize_with = "lenient::opt")]
    pub threshold: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Line {
    pub name: String,
    /// (epoch seconds of the window end, value); NULL values are gaps.
    #[serde(deserialize_with = "lenient::points")]
    pub points: Vec<(f64, Option<f64>)>,
    pub dashed: bool,
}

/// Reference against current shares of one feature: numeric bins or categories.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Distribution {
    pub feature: String,
    pub labels: Vec<String>,
    pub reference: Vec<f64>,
    pub current: Vec<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QualityRow {
    pub feature: String,
    pub metric: String,
    #[serde(deserialize_with = "lenient::opt")]
    pub last: Option<f64>,
    #[serde(deserialize_with = "lenient::opt")]
    pub max: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Confusion {
    pub labels: Vec<String>,
    /// counts[actual][predicted]
    pub counts: Vec<Vec<u64>>,
    /// Classes counted together in the last label (the SQL side keeps the most frequent ones).
    pub other_classes: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CalibrationBin {
    pub mean_score: f64,
    pub positive_share: f64,
    pub rows: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Importance {
    pub feature: String,
    pub reference: Option<f64>,
    pub current: Option<f64>,
}

/// Values the SQL side renders from float8 may be "Infinity", "-Infinity" or "NaN" (to_jsonb's
/// words: a documented infinite χ² statistic, a latency p99 of timeouts); they are drawn as ∞.
mod lenient {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Float {
        Number(f64),
        Word(String),
    }

    impl Float {
        fn value<E: serde::de::Error>(self) -> Result<f64, E> {
            match self {
                Float::Number(v) => Ok(v),
                Float::Word(w) => match w.as_str() {
                    "Infinity" => Ok(f64::INFINITY),
                    "-Infinity" => Ok(f64::NEG_INFINITY),
                    "NaN" => Ok(f64::NAN),
                    other => Err(E::custom(format!("expected a number, got \"{other}\""))),
                },
            }
        }
    }

    pub fn opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<Float>::deserialize(d)?
            .map(Float::value)
            .transpose()
    }

    pub fn points<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(f64, Option<f64>)>, D::Error> {
        Vec::<(Float, Option<Float>)>::deserialize(d)?
            .into_iter()
            .map(|(x, y)| Ok((x.value()?, y.map(Float::value).transpose()?)))
            .collect()
    }
}
