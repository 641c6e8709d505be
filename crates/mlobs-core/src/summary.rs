//! The contract every stored summary fulfils. The extension glue builds aggregates, rollups,
//! (de)serialization and text/binary I/O for any type implementing it, so adding a summary means
//! implementing this trait plus its value-specific transition.

use crate::error::{CoreError, Result};
use serde::{de::DeserializeOwned, Serialize};

pub trait Summary: Sized + Clone + Serialize + DeserializeOwned {
    /// Name used in error messages ("profile", "histogram").
    const NAME: &'static str;

    /// Merges `other` into `self`. Associative and commutative (exactly for counts, up to float
    /// rounding for moments). Fails when the two summaries are incompatible.
    fn merge(&mut self, other: &Self) -> Result<()>;

    /// Versioned binary form (aggregate serialize, binary send, on-disk varlena).
    fn to_bytes(&self) -> Vec<u8>;

    /// Inverse of `to_bytes`; validates every field so forged bytes only ever produce an error.
    fn from_bytes(bytes: &[u8]) -> Result<Self>;

    /// Checks the invariants that `from_bytes` and `from_json` rely on.
    fn validate(&self) -> std::result::Result<(), String>;

    /// Brings a transition state into its summary form before it is read, written or merged:
    /// a state that defers work (`ScoreAccumulator`'s pending bin counts) does it here. The value
    /// it stands for does not change, so a read-only final function may call it.
    fn settle(&mut self) {}

    /// The last step of `from_bytes`: the decoded value if it passes `validate`, else an
    /// invalid-binary error naming the summary.
    fn decode_checked(self) -> Result<Self> {
        self.validate()
            .map_err(|e| CoreError::invalid_binary(format!("invalid {}: {e}", Self::NAME)))?;
        Ok(self)
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).expect("summaries serialize to JSON")
    }

    fn from_json(text: &str) -> Result<Self> {
        crate::json_unique_keys::check(text)
            .map_err(|e| CoreError::invalid_text(format!("invalid {}: {e}", Self::NAME)))?;
        let value: Self = serde_json::from_str(text)
            .map_err(|e| CoreError::invalid_text(format!("invalid {}: {e}", Self::NAME)))?;
        value
            .validate()
            .map_err(|e| CoreError::invalid_text(format!("invalid {}: {e}", Self::NAME)))?;
        Ok(value)
    }
}
