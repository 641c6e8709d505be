//! JSON for f64 fields that may be non-finite: numbers as usual, "NaN"/"Infinity"/"-Infinity"
//! as strings (plain JSON has no literal for them).

use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else if v.is_nan() {
        s.serialize_str("NaN")
    } else if *v > 0.0 {
        s.serialize_str("Infinity")
    } else {
        s.serialize_str("-Infinity")
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrWord {
    Number(f64),
    Word(String),
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    match NumberOrWord::deserialize(d)? {
        NumberOrWord::Number(v) => Ok(v),
        NumberOrWord::Word(w) => match w.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            other => Err(serde::de::Error::custom(format!(
                "expected a number, got \"{other}\""
            ))),
        },
    }
}

/// The same for a sequence (`#[serde(with = "crate::json_float::seq")]`): a histogram stored with
/// infinite edges by a release that allowed them must keep a text form that reads back (a dump).
pub mod seq {
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    struct Out(f64);
    impl Serialize for Out {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            super::serialize(&self.0, s)
        }
    }

    #[derive(Deserialize)]
    struct In(#[serde(deserialize_with = "super::deserialize")] f64);

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_seq(Some(v.len()))?;
        for &x in v {
            out.serialize_element(&Out(x))?;
        }
        out.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        Ok(Vec::<In>::deserialize(d)?
            .into_iter()
            .map(|x| x.0)
            .collect())
    }
}
