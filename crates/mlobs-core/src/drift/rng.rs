//! The deterministic random stream of the permutation tests (TVD, MMD): xorshift64* from a fixed
//! seed, so a p-value is the same on every run and every platform.

/// xorshift64* from `seed` (non-zero): each call gives the next 64-bit value.
pub(super) fn xorshift64star(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}
