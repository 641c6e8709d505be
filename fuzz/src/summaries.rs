//! Shared body of the summary fuzz targets: every stored/aggregate-state type of the extension
//! decoded from forged bytes (`*_recv`, aggregate deserialize, on-disk varlena) or forged text
//! (`*_in`, what postgres_fdw ships). Whatever a decoder accepts must behave like a genuine
//! value: its own bytes and JSON decode again to the same value, and merging it with itself
//! either succeeds with a value that still decodes or returns an error — never a panic.

use mlobs_core::categories::Categories;
use mlobs_core::features::FeatureProfiles;
use mlobs_core::metrics::calibration::{CalibrationMap, ProbabilitySample};
use mlobs_core::metrics::confusion::Confusion;
use mlobs_core::metrics::loss::MeanLoss;
use mlobs_core::metrics::ovr::OvrSample;
use mlobs_core::metrics::ranking::RankSample;
use mlobs_core::metrics::regression::RegressionSummary;
use mlobs_core::metrics::score_summary::ScoreSummary;
use mlobs_core::quality::schema::ViolationCounts;
use mlobs_core::{Histogram, NumericProfile, Summary};
use mlobs_explain::importance::ImportanceState;

/// Number of summary types; the first input byte selects one (order is the corpus format).
pub const TYPES: u8 = 14;

/// Runs `$f::<T>($input)` for the summary type selected by `$sel`.
macro_rules! dispatch {
    ($sel:expr, $f:ident, $input:expr) => {
        match $sel % TYPES {
            0 => $f::<NumericProfile>($input),
            1 => $f::<Histogram>($input),
            2 => $f::<Categories>($input),
            3 => $f::<FeatureProfiles>($input),
            4 => $f::<Confusion>($input),
            5 => $f::<ScoreSummary>($input),
            6 => $f::<RegressionSummary>($input),
            7 => $f::<CalibrationMap>($input),
            8 => $f::<OvrSample>($input),
            9 => $f::<RankSample>($input),
            10 => $f::<ProbabilitySample>($input),
            11 => $f::<MeanLoss>($input),
            12 => $f::<ViolationCounts>($input),
            _ => $f::<ImportanceState>($input),
        }
    };
}

/// Input: selector byte, then the binary form.
pub fn from_bytes(data: &[u8]) {
    if let Some((&sel, rest)) = data.split_first() {
        dispatch!(sel, bytes_case, rest)
    }
}

/// Input: selector byte, then the text (JSON) form.
pub fn from_text(data: &[u8]) {
    if let Some((&sel, rest)) = data.split_first()
        && let Ok(text) = std::str::from_utf8(rest)
    {
        dispatch!(sel, text_case, text)
    }
}

fn bytes_case<T: Summary>(bytes: &[u8]) {
    if let Ok(value) = T::from_bytes(bytes) {
        exercise(value);
    }
}

fn text_case<T: Summary>(text: &str) {
    if let Ok(value) = T::from_json(text) {
        exercise(value);
    }
}

fn exercise<T: Summary>(value: T) {
    let bytes = value.to_bytes();
    let again = T::from_bytes(&bytes).expect("a value's own bytes decode");
    assert_eq!(again.to_bytes(), bytes, "binary round trip changes the value");
    let json = value.to_json();
    let from_json = T::from_json(&json).expect("a value's own text decodes");
    assert_eq!(from_json.to_bytes(), bytes, "text round trip changes the value: {json}");
    let mut merged = value.clone();
    if merged.merge(&value).is_ok() {
        T::from_bytes(&merged.to_bytes()).expect("a merged value decodes");
        T::from_json(&merged.to_json()).expect("a merged value's text decodes");
    }
}
