//! Numerical core of mlobs. Pure Rust, no PostgreSQL: summaries (numeric profile, fixed-edge
//! histogram), the quantile sketch, numpy-compatible binning and drift statistics. The extension
//! crate only translates between SQL and these types.

#![forbid(unsafe_code)]

pub mod binning;
pub mod categories;
pub mod category_counter;
pub mod codec;
pub mod distinct;
pub mod drift;
pub mod error;
pub mod features;
pub mod histogram;
pub mod interrupt;
mod json_float;
pub mod json_unique_keys;
pub mod jsonb_binary;
pub mod metrics;
pub mod ordered_map;
pub mod payload;
pub mod profile;
pub mod quality;
pub mod sample;
pub mod sketch;
pub mod summary;

pub use error::{CoreError, ErrorKind, Result};
pub use histogram::Histogram;
pub use profile::NumericProfile;
pub use summary::Summary;
