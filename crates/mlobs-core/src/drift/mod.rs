//! Drift between a reference and a current window, defined as Evidently 0.7, scipy 1.17 and
//! NannyML compute it (docs/drift.md gives each definition and its reference).
//!
//! The methods of `mlobs.drift` are rows of one registry (`methods::METHODS`), each pointing at
//! its compute function (`compute`); `run` holds the entry points per input kind and `report`
//! the whole-dataset view. The statistics themselves live in one module per family, all working
//! on a `sample::Sample`. Beside them: PSI and its binnings, concept drift, the multivariate
//! methods (PCA reconstruction, domain classifier) and learned thresholds.

pub mod categorical;
pub mod compute;
pub mod concept;
pub mod cvm;
pub mod distance;
pub mod divergence;
pub mod domain;
pub mod kolmogorov;
pub mod ks;
pub mod methods;
pub mod mmd;
pub mod multivariate;
pub mod options;
pub mod psi;
pub mod rank_tests;
pub mod report;
mod rng;
pub mod row_sample;
pub mod run;
pub mod sample;
pub mod threshold;
