//! Binary encoding shared by every summary: a 4-byte tag naming the summary, a format version
//! byte, then little-endian fields. The reader checks every length against the bytes that are
//! actually there before allocating, so forged input can only produce an error.

use crate::error::{CoreError, Result};

pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub fn new(tag: &[u8; 4], version: u8) -> Self {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(tag);
        buf.push(version);
        Self { buf }
    }
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64s(&mut self, vs: &[u64]) {
        self.u32(vs.len() as u32);
        self.buf.reserve(vs.len() * 8);
        for v in vs {
            self.u64(*v);
        }
    }
    pub fn f64s(&mut self, vs: &[f64]) {
        self.u32(vs.len() as u32);
        self.buf.reserve(vs.len() * 8);
        for v in vs {
            self.f64(*v);
        }
    }
    /// Length-prefixed bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.buf.extend_from_slice(b);
    }
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// Checks the tag and returns the reader positioned after the version byte, plus the version.
    pub fn open(bytes: &'a [u8], tag: &[u8; 4], what: &'static str) -> Result<(Self, u8)> {
        if bytes.len() < 5 || &bytes[..4] != tag {
            return Err(CoreError::invalid_binary(format!(
                "invalid {what}: bad header"
            )));
        }
        let version = bytes[4];
        Ok((
            Self {
                bytes,
                pos: 5,
                what,
            },
            version,
        ))
    }

    /// `open` for a summary with one format version: any other version is an error.
    pub fn open_versioned(
        bytes: &'a [u8],
        tag: &[u8; 4],
        version: u8,
        what: &'static str,
    ) -> Result<Self> {
        Self::open_any_version(bytes, tag, &[version], what).map(|(r, _)| r)
    }

    /// `open` for a summary that reads several format versions: another version is an error.
    pub fn open_any_version(
        bytes: &'a [u8],
        tag: &[u8; 4],
        versions: &[u8],
        what: &'static str,
    ) -> Result<(Self, u8)> {
        let (r, version) = Self::open(bytes, tag, what)?;
        if !versions.contains(&version) {
            return Err(r.error(&format!("unsupported format version {version}")));
        }
        Ok((r, version))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let s = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(self.error("truncated data")),
        }
    }

    pub fn error(&self, detail: &str) -> CoreError {
        CoreError::invalid_binary(format!("invalid {}: {detail}", self.what))
    }

    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    pub fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    pub fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }

    /// A length-prefixed array; `max_len` is the documented cap of the summary, checked before
    /// anything is allocated.
    fn len_prefix(&mut self, elem: usize, max_len: usize) -> Result<usize> {
        let len = self.u32()? as usize;
        if len > max_len {
            return Err(self.error(&format!("array length {len} exceeds the limit {max_len}")));
        }
        if len * elem > self.bytes.len() - self.pos {
            return Err(self.error("truncated data"));
        }
        Ok(len)
    }
    // Arrays are read in one slice (their length was checked against the bytes left), not
    // element by element: a profile's sketch is decoded on every read of a summary.
    pub fn u64s(&mut self, max_len: usize) -> Result<Vec<u64>> {
        let len = self.len_prefix(8, max_len)?;
        let raw = self.take(len * 8)?;
        Ok(raw
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect())
    }
    pub fn f64s(&mut self, max_len: usize) -> Result<Vec<f64>> {
        let len = self.len_prefix(8, max_len)?;
        let raw = self.take(len * 8)?;
        Ok(raw
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect())
    }

    /// The next `n` bytes (a fixed-size field, such as a sketch's registers).
    pub fn fixed(&mut self, n: usize) -> Result<&'a [u8]> {
        self.take(n)
    }

    /// Length-prefixed bytes of at most `max_len`.
    pub fn bytes(&mut self, max_len: usize) -> Result<&'a [u8]> {
        let len = self.len_prefix(1, max_len)?;
        self.take(len)
    }

    /// Every byte must be consumed: trailing garbage means the bytes were not written by us.
    pub fn finish(self) -> Result<()> {
        if self.pos != self.bytes.len() {
            return Err(self.error("trailing bytes"));
        }
        Ok(())
    }
}
