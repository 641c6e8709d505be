//! Data quality: missing values, outliers, out-of-range values, unseen categories, constant
//! columns, and schema checks of JSON feature payloads — all read from the stored summaries
//! (numeric profiles, category counts, feature profiles), so quality over any window costs no raw
//! scan. Approximate answers (anything read from the quantile sketch) say so and carry bounds.
//!
//! - `outliers`: IQR / z-score fences and exact counts outside them;
//! - `outside`: sketch estimate (with rigorous bounds) of a profile's values outside a band;
//! - `checks`: one check per function on profiles and category counts;
//! - `schema`: inferred or hand-written payload schemas, violations, mergeable violation counts;
//! - `options`: thresholds of the report, from JSON;
//! - `report`: every check of every feature of a current window against a reference.

pub mod checks;
pub mod options;
pub mod outliers;
pub mod outside;
pub mod report;
pub mod schema;

pub use options::QualityOptions;
pub use outliers::{count_outside, fences_from_profile, fences_from_values, FenceMethod, Fences};
pub use outside::{outside_share_estimate, OutsideEstimate};
pub use report::{quality_report, QualityRow};
pub use schema::{schema_of, Schema, Violation, ViolationCounts, ViolationKind};
