//! The summaries this backend wrote as text lately, so that reading such a text back costs a
//! lookup instead of a parse. The monitoring runtime's chunk scan writes every window's summaries
//! as text (stored in `monitor_windows.summary`), and then casts those same texts back to compute
//! the windows' metrics, once per monitor that reads them (a feature summary: feature_drift and
//! quality). Parsing a 70 kB feature summary takes ~0.5 ms; finding it here, microseconds.
//!
//! `text_out` remembers the large texts it writes with the value's bytes; `text_in` looks a text
//! up by type and exact content before parsing. A hit gives the bytes of the value the text was
//! written from, which is the value parsing it gives (each core type's JSON round trip is exact,
//! tested in its module). Per backend, within `BUDGET` bytes, oldest out first, and only until the
//! transaction ends (a pooled backend keeps no memory for it); a miss only costs the parse it would
//! have cost anyway.

use pgrx::{register_xact_callback, PgXactCallbackEvent};
use std::any::TypeId;
use std::cell::RefCell;
use std::collections::VecDeque;

/// Texts shorter than this parse in microseconds and are not remembered.
pub const MIN_LEN: usize = 4096;
/// Texts and bytes kept at most (two chunks of the runtime's 24 hourly windows of a 10-feature
/// model's summaries take about 12 MB).
const BUDGET: usize = 24 << 20;

struct Entry {
    ty: TypeId,
    text: Box<[u8]>,
    bytes: Box<[u8]>,
}

#[derive(Default)]
struct Recent {
    entries: VecDeque<Entry>,
    size: usize,
    /// Whether this transaction's end will clear the cache (registered with the first entry).
    clears_at_end: bool,
}

impl Recent {
    /// Returns whether this is the first entry since the cache was last cleared.
    fn remember(&mut self, ty: TypeId, text: &[u8], bytes: &[u8]) -> bool {
        let size = text.len() + bytes.len();
        if text.len() < MIN_LEN || size > BUDGET / 8 {
            return false;
        }
        if self.entries.iter().any(|e| e.ty == ty && *e.text == *text) {
            return false;
        }
        self.size += size;
        self.entries.push_back(Entry {
            ty,
            text: text.into(),
            bytes: bytes.into(),
        });
        while self.size > BUDGET {
            let old = self.entries.pop_front().expect("size counts entries");
            self.size -= old.text.len() + old.bytes.len();
        }
        !std::mem::replace(&mut self.clears_at_end, true)
    }

    fn lookup(&self, ty: TypeId, text: &[u8]) -> Option<Vec<u8>> {
        if text.len() < MIN_LEN {
            return None;
        }
        self.entries
            .iter()
            .rev()
            .find(|e| e.ty == ty && *e.text == *text)
            .map(|e| e.bytes.to_vec())
    }
}

thread_local! {
    static RECENT: RefCell<Recent> = RefCell::new(Recent::default());
}

/// Remembers that `text` is the text form of the value stored as `bytes` (of type `ty`).
pub fn remember(ty: TypeId, text: &[u8], bytes: &[u8]) {
    let first = RECENT.with(|recent| recent.borrow_mut().remember(ty, text, bytes));
    if first {
        // Cleared when the transaction ends, either way (pgrx's callbacks last one transaction;
        // only one of the two fires). Clearing never panics: a panic there would abort the backend.
        for event in [PgXactCallbackEvent::Commit, PgXactCallbackEvent::Abort] {
            register_xact_callback(event, clear);
        }
    }
}

fn clear() {
    RECENT.with(|recent| {
        if let Ok(mut recent) = recent.try_borrow_mut() {
            *recent = Recent::default();
        }
    });
}

/// The bytes of the value whose text form is `text`, if this backend wrote it lately. A copy: the
/// caller pallocs after the cache is released (an ERROR there must not leave it borrowed).
pub fn lookup(ty: TypeId, text: &[u8]) -> Option<Vec<u8>> {
    RECENT.with(|recent| recent.borrow().lookup(ty, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(fill: u8, len: usize) -> Vec<u8> {
        vec![fill; len]
    }

    #[test]
    fn finds_what_it_remembers_by_type_and_content() {
        let mut r = Recent::default();
        let t = text(b'a', MIN_LEN);
        assert!(r.remember(TypeId::of::<u8>(), &t, b"bytes"));
        assert!(!r.remember(TypeId::of::<u8>(), &text(b'z', MIN_LEN), b"more"));
        assert_eq!(
            r.lookup(TypeId::of::<u8>(), &t).as_deref(),
            Some(&b"bytes"[..])
        );
        assert_eq!(r.lookup(TypeId::of::<u16>(), &t), None);
        assert_eq!(r.lookup(TypeId::of::<u8>(), &text(b'b', MIN_LEN)), None);
        let short = text(b'c', MIN_LEN - 1);
        r.remember(TypeId::of::<u8>(), &short, b"x");
        assert_eq!(r.lookup(TypeId::of::<u8>(), &short), None);
    }

    #[test]
    fn forgets_the_oldest_beyond_its_budget() {
        let mut r = Recent::default();
        let big = BUDGET / 8 - 16;
        let first = text(1, big);
        r.remember(TypeId::of::<u32>(), &first, b"first");
        for i in 2..=8u8 {
            r.remember(TypeId::of::<u32>(), &text(i, big), b"later");
        }
        assert!(r.lookup(TypeId::of::<u32>(), &first).is_some());
        r.remember(TypeId::of::<u32>(), &text(9, big), b"ninth");
        assert_eq!(r.lookup(TypeId::of::<u32>(), &first), None);
        assert!(r.lookup(TypeId::of::<u32>(), &text(9, big)).is_some());
        assert!(r.size <= BUDGET);
    }
}
