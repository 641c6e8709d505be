//! PostgreSQL's on-disk jsonb container, read in place: the top-level entries of an object, in
//! one walk over its entry array, with no allocation and no call back into PostgreSQL.
//!
//! Why not PostgreSQL's `JsonbIteratorNext`: every call into PostgreSQL from Rust passes a
//! `sigsetjmp` guard, and the iterator allocates per container; over a 13-key payload that was
//! a third of `features_agg`'s time (issue 20's profile). The format is stable since 9.4
//! (`src/include/utils/jsonb.h`); anything this reader does not recognise makes it return
//! `None`, and the caller falls back to PostgreSQL's iterator, which reports corruption.
//!
//! Layout (little-endian words): a container is `header` (count | kind flags), `JEntry[n]`
//! (n = 2 × count for an object: every key, then every value, in data order), then the data.
//! A `JEntry` holds a type (3 bits), a "has offset" flag and 28 bits that are either the entry's
//! length or, every 32nd entry, the end offset of its data. Numerics and nested containers start
//! at the next 4-byte boundary of the data.

use crate::payload::{pg_numeric_to_f64, Scalar};

const COUNT_MASK: u32 = 0x0FFF_FFFF;
const IS_OBJECT: u32 = 0x2000_0000;
const IS_ARRAY: u32 = 0x4000_0000;
const OFFLEN_MASK: u32 = 0x0FFF_FFFF;
const TYPE_MASK: u32 = 0x7000_0000;
const HAS_OFF: u32 = 0x8000_0000;
const T_STRING: u32 = 0x0000_0000;
const T_NUMERIC: u32 = 0x1000_0000;
const T_FALSE: u32 = 0x2000_0000;
const T_TRUE: u32 = 0x3000_0000;
const T_NULL: u32 = 0x4000_0000;
const T_CONTAINER: u32 = 0x5000_0000;

/// A top-level value before strings are checked as text (the caller knows the encoding).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RawScalar<'a> {
    Number(f64),
    String(&'a [u8]),
    Bool(bool),
    Null,
    Object,
    Array,
}

impl<'a> RawScalar<'a> {
    /// As a `Scalar`, with `text` turning a string's bytes into text.
    pub fn scalar(self, text: impl FnOnce(&'a [u8]) -> &'a str) -> Scalar<'a> {
        match self {
            RawScalar::Number(x) => Scalar::Number(x),
            RawScalar::String(s) => Scalar::String(text(s)),
            RawScalar::Bool(b) => Scalar::Bool(b),
            RawScalar::Null => Scalar::Null,
            RawScalar::Object => Scalar::Object,
            RawScalar::Array => Scalar::Array,
        }
    }
}

fn word(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn align4(x: usize) -> usize {
    (x + 3) & !3
}

/// Whether a root container (the bytes after the jsonb varlena header) is an object.
pub fn is_object(root: &[u8]) -> Option<bool> {
    Some(word(root, 0)? & IS_OBJECT != 0)
}

/// The entries of an object container, or `None` when it is not an object or is malformed.
/// Iterating yields `(key bytes, value)`; `None` items never occur — a malformed entry ends the
/// walk and sets `ObjectEntries::malformed`.
pub fn object_entries(container: &[u8]) -> Option<ObjectEntries<'_>> {
    if cfg!(target_endian = "big") {
        return None; // the words are read little-endian
    }
    let header = word(container, 0)?;
    if header & IS_OBJECT == 0 {
        return None;
    }
    let count = (header & COUNT_MASK) as usize;
    let data = 4usize.checked_add(count.checked_mul(8)?)?;
    if data > container.len() {
        return None;
    }
    let mut entries = ObjectEntries {
        container,
        count,
        data,
        next: 0,
        key_end: 0,
        value_end: 0,
        malformed: false,
    };
    // Values' data follows all keys' data: start where the last key ends.
    if count > 0 {
        entries.value_end = entries.end_of(count - 1)?;
    }
    Some(entries)
}

/// The top-level entries of one object container.
#[derive(Debug, Clone)]
pub struct ObjectEntries<'a> {
    container: &'a [u8],
    count: usize,
    /// Where the data starts (after the header and the entry array).
    data: usize,
    next: usize,
    key_end: usize,
    value_end: usize,
    /// Set when a malformed entry ended the walk early.
    pub malformed: bool,
}

impl<'a> ObjectEntries<'a> {
    fn jentry(&self, i: usize) -> Option<u32> {
        word(self.container, 4 + 4 * i)
    }

    /// End offset (relative to the data) of entry `i`: its length plus those before it back
    /// to the nearest entry that stores its end offset (PostgreSQL's getJsonbOffset + length).
    fn end_of(&self, i: usize) -> Option<usize> {
        let mut end = 0usize;
        let mut j = i;
        loop {
            let e = self.jentry(j)?;
            end = end.checked_add((e & OFFLEN_MASK) as usize)?;
            if e & HAS_OFF != 0 || j == 0 {
                return Some(end);
            }
            j -= 1;
        }
    }

    /// (start, end) of entry `i`'s data given the previous entry's end; advances that end.
    fn span(&self, i: usize, prev_end: &mut usize) -> Option<(usize, usize)> {
        let e = self.jentry(i)?;
        let start = *prev_end;
        let end = if e & HAS_OFF != 0 {
            (e & OFFLEN_MASK) as usize
        } else {
            start.checked_add((e & OFFLEN_MASK) as usize)?
        };
        if end < start || self.data.checked_add(end)? > self.container.len() {
            return None;
        }
        *prev_end = end;
        Some((self.data + start, self.data + end))
    }

    fn value(&self, e: u32, start: usize, end: usize) -> Option<RawScalar<'a>> {
        let bytes = self.container;
        Some(match e & TYPE_MASK {
            T_STRING => RawScalar::String(bytes.get(start..end)?),
            T_NUMERIC => {
                let at = self.data + align4(start - self.data);
                RawScalar::Number(numeric_varlena_to_f64(bytes.get(at..end)?)?)
            }
            T_FALSE => RawScalar::Bool(false),
            T_TRUE => RawScalar::Bool(true),
            T_NULL => RawScalar::Null,
            T_CONTAINER => {
                let at = self.data + align4(start - self.data);
                let header = word(bytes.get(..end)?, at)?;
                if header & IS_OBJECT != 0 {
                    RawScalar::Object
                } else if header & IS_ARRAY != 0 {
                    RawScalar::Array
                } else {
                    return None;
                }
            }
            _ => return None,
        })
    }

    fn entry(&mut self) -> Option<(&'a [u8], RawScalar<'a>)> {
        let i = self.next;
        let mut key_end = self.key_end;
        let (ks, ke) = self.span(i, &mut key_end)?;
        let mut value_end = self.value_end;
        let (vs, ve) = self.span(self.count + i, &mut value_end)?;
        let value = self.value(self.jentry(self.count + i)?, vs, ve)?;
        let key = self.container.get(ks..ke)?;
        self.key_end = key_end;
        self.value_end = value_end;
        Some((key, value))
    }
}

impl<'a> Iterator for ObjectEntries<'a> {
    type Item = (&'a [u8], RawScalar<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.count || self.malformed {
            return None;
        }
        match self.entry() {
            Some(item) => {
                self.next += 1;
                Some(item)
            }
            None => {
                self.malformed = true;
                None
            }
        }
    }
}

/// A numeric as stored in jsonb (a varlena with a 1- or 4-byte header) as f64.
fn numeric_varlena_to_f64(bytes: &[u8]) -> Option<f64> {
    let first = *bytes.first()?;
    let (header, len) = if first & 0x01 != 0 {
        // 1-byte header (0x01 alone would be a TOAST pointer, never inside jsonb).
        if first == 0x01 {
            return None;
        }
        (1, (first >> 1) as usize)
    } else {
        (4, (word(bytes, 0)? >> 2) as usize)
    };
    if len < header {
        return None;
    }
    pg_numeric_to_f64(bytes.get(header..len)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::tests::encode_numeric;

    /// `{"a": <numeric 2.5>, "bb": "xy"}` laid out as PostgreSQL writes it.
    fn sample() -> Vec<u8> {
        let numeric = encode_numeric("2.5", false);
        let mut var = ((4 + numeric.len() as u32) << 2).to_le_bytes().to_vec();
        var.extend(&numeric);
        let mut out = (IS_OBJECT | 2).to_le_bytes().to_vec();
        // Data: "a" "bb" (3 bytes), pad to 4, numeric varlena, "xy".
        let numeric_len = 1 + var.len() as u32; // one byte of padding
        for e in [1, 2, T_NUMERIC | numeric_len, 2] {
            out.extend(e.to_le_bytes());
        }
        out.extend(b"abb\0");
        out.extend(&var);
        out.extend(b"xy");
        out
    }

    #[test]
    fn reads_keys_numbers_and_strings_in_place() {
        let bytes = sample();
        let got: Vec<_> = object_entries(&bytes).unwrap().collect();
        assert_eq!(
            got,
            [
                (&b"a"[..], RawScalar::Number(2.5)),
                (&b"bb"[..], RawScalar::String(b"xy"))
            ]
        );
        assert_eq!(is_object(&bytes), Some(true));
    }

    #[test]
    fn damaged_containers_end_the_walk_without_panicking() {
        let bytes = sample();
        for cut in 0..bytes.len() {
            if let Some(mut e) = object_entries(&bytes[..cut]) {
                while e.next().is_some() {}
            }
        }
        // Every single-byte corruption either reads or stops; none panics.
        for i in 0..bytes.len() {
            for v in [0x00, 0x01, 0x7F, 0x80, 0xFF] {
                let mut b = bytes.clone();
                b[i] = v;
                if let Some(mut e) = object_entries(&b) {
                    while e.next().is_some() {}
                }
            }
        }
    }
}
