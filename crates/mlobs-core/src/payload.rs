//! One JSON payload as the aggregates see it: the top-level entries of an object, each a key and
//! a scalar kind (nested objects and arrays only as their kind). The extension decodes jsonb
//! into these directly (no text, no `serde_json::Value` per row); `Scalar::of` gives the same
//! view of a `serde_json::Value` for the text callers, so both paths share one implementation.
//!
//! Numbers are `f64`: a number beyond float8's range is ±Infinity (jsonb holds any numeric,
//! e.g. `1e400`), one too small for float8 is ±0 — counted, never an error.

use serde_json::Value;

/// A top-level value of a payload object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    Number(f64),
    String(&'a str),
    Bool(bool),
    Null,
    /// A nested object (not descended into).
    Object,
    /// A nested array (not descended into).
    Array,
}

impl<'a> Scalar<'a> {
    /// The kind of a serde_json value (numbers as `as_f64`).
    pub fn of(v: &'a Value) -> Self {
        match v {
            Value::Number(n) => Scalar::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Scalar::String(s),
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Null => Scalar::Null,
            Value::Object(_) => Scalar::Object,
            Value::Array(_) => Scalar::Array,
        }
    }

    /// JSON type name ("null" included).
    pub fn type_name(&self) -> &'static str {
        match self {
            Scalar::Number(_) => "number",
            Scalar::String(_) => "string",
            Scalar::Bool(_) => "boolean",
            Scalar::Null => "null",
            Scalar::Object => "object",
            Scalar::Array => "array",
        }
    }
}

/// The entries of a serde_json object as `(key, Scalar)`; `None` when `v` is not an object.
pub fn entries_of(v: &Value) -> Option<impl Iterator<Item = (&str, Scalar<'_>)> + Clone> {
    v.as_object()
        .map(|m| m.iter().map(|(k, v)| (k.as_str(), Scalar::of(v))))
}

const NBASE_DIGITS: usize = 4;
/// Base-10000 digits written out in full before the rest is folded into a sticky digit: 800
/// significant decimal digits, more than the 767 a correctly rounded f64 can depend on.
const MAX_WRITTEN_DIGITS: usize = 200;
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A PostgreSQL `numeric` in its stored form (the bytes after the varlena header) as the
/// nearest f64 (correctly rounded, as `float8in` of its text): ±Infinity beyond float8's range,
/// ±0 below it. `None` for NaN/±Infinity numerics (jsonb never holds them) and malformed bytes.
pub fn pg_numeric_to_f64(data: &[u8]) -> Option<f64> {
    let header = u16::from_ne_bytes([*data.first()?, *data.get(1)?]);
    let (negative, weight, digits) = match header & 0xC000 {
        // NUMERIC_SHORT: sign, display scale and a 7-bit weight in the header word.
        0x8000 => {
            let w = (header & 0x003F) as i32;
            let weight = if header & 0x0040 != 0 { w | !0x003F } else { w };
            (header & 0x2000 != 0, weight, &data[2..])
        }
        // NUMERIC_SPECIAL: NaN, ±Infinity.
        0xC000 => return None,
        sign => {
            let weight = i16::from_ne_bytes([*data.get(2)?, *data.get(3)?]) as i32;
            (sign == 0x4000, weight, &data[4..])
        }
    };
    if digits.len() % 2 != 0 {
        return None;
    }
    let ndigits = digits.len() / 2;
    let digit = |i: usize| u16::from_ne_bytes([digits[2 * i], digits[2 * i + 1]]);
    if (0..ndigits).any(|i| digit(i) > 9999) {
        return None;
    }
    // value = 0.d0 d1 ... (base 10000) × 10000^(weight + 1) = mantissa × 10^exp10.
    let magnitude = if ndigits == 0 {
        0.0
    } else if let Some(x) = fast_path(ndigits, weight, digit) {
        x
    } else if let Some(x) = integer_path(ndigits, weight, digit) {
        x
    } else {
        slow_path(ndigits, weight, digit)
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Clinger's fast path: an integer mantissa below 2^53 times or divided by a power of ten up to
/// 10^22 is one correctly rounded operation on exact operands.
fn fast_path(ndigits: usize, weight: i32, digit: impl Fn(usize) -> u16) -> Option<f64> {
    if ndigits > 4 {
        return None;
    }
    let mantissa = (0..ndigits).fold(0u64, |m, i| m * 10_000 + digit(i) as u64);
    if mantissa >= 1 << 53 {
        return None;
    }
    let exp10 = NBASE_DIGITS as i32 * (weight + 1 - ndigits as i32);
    let p = *POW10.get(exp10.unsigned_abs() as usize)?;
    Some(if exp10 >= 0 {
        mantissa as f64 * p
    } else {
        mantissa as f64 / p
    })
}

/// Exact integer arithmetic for the numbers float8 values become (up to 36 significant digits,
/// at most 20 after the point, e.g. 17-digit doubles as jsonb stores them): the mantissa `m` in
/// a u128, then `m × 10^k` converted by the cast (round to nearest even), or `m / 10^k` as a
/// 128-bit quotient of at least 55 bits plus a sticky remainder, rounded to nearest even by
/// hand. Correctly rounded like `slow_path`, without writing and parsing text.
fn integer_path(ndigits: usize, weight: i32, digit: impl Fn(usize) -> u16) -> Option<f64> {
    if ndigits > 9 {
        return None;
    }
    let m = (0..ndigits).fold(0u128, |m, i| m * 10_000 + digit(i) as u128);
    let exp10 = NBASE_DIGITS as i32 * (weight + 1 - ndigits as i32);
    if m == 0 {
        return Some(0.0);
    }
    if exp10 >= 0 {
        let scaled = m.checked_mul(10u128.checked_pow(exp10 as u32)?)?;
        return Some(scaled as f64);
    }
    let k = exp10.unsigned_abs();
    if k > 20 {
        return None;
    }
    let d = 10u128.pow(k);
    let s = m.leading_zeros();
    let n = m << s;
    let (q, r) = (n / d, n % d);
    let bits = 128 - q.leading_zeros();
    if bits < 55 {
        return None;
    }
    let mut shift = bits - 53;
    let mut mant = (q >> shift) as u64;
    let rest = q & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    if rest > half || (rest == half && (r != 0 || mant & 1 == 1)) {
        mant += 1;
        if mant == 1 << 53 {
            mant >>= 1;
            shift += 1;
        }
    }
    // value = mant × 2^(shift − s); the exponent stays within [−127, 75], a normal range.
    let e2 = shift as i64 - s as i64;
    Some(mant as f64 * f64::from_bits(((1023 + e2) as u64) << 52))
}

/// The digits written as decimal text on the stack and parsed by the standard library (correctly
/// rounded; overflow gives Infinity, underflow 0).
fn slow_path(ndigits: usize, weight: i32, digit: impl Fn(usize) -> u16) -> f64 {
    let mut buf = [0u8; MAX_WRITTEN_DIGITS * NBASE_DIGITS + 16];
    let mut len = 0;
    let written = ndigits.min(MAX_WRITTEN_DIGITS);
    for i in 0..written {
        let d = digit(i);
        for p in [1000, 100, 10, 1] {
            buf[len] = b'0' + (d / p % 10) as u8;
            len += 1;
        }
    }
    let mut exp10 = NBASE_DIGITS as i64 * (weight as i64 + 1 - written as i64);
    if (written..ndigits).any(|i| digit(i) != 0) {
        // A sticky digit: the value lies strictly between the written digits and the next.
        buf[len] = b'1';
        len += 1;
        exp10 -= 1;
    }
    // The exponent, written by hand (core::fmt costs as much as the parse here).
    buf[len] = b'e';
    len += 1;
    if exp10 < 0 {
        buf[len] = b'-';
        len += 1;
    }
    let (mut e, start) = (exp10.unsigned_abs(), len);
    loop {
        buf[len] = b'0' + (e % 10) as u8;
        len += 1;
        e /= 10;
        if e == 0 {
            break;
        }
    }
    buf[start..len].reverse();
    std::str::from_utf8(&buf[..len])
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(f64::NAN)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A decimal literal in numeric's long stored form (what `numeric_in` builds, stripped of
    /// leading and trailing zero digits), optionally in the short form when it fits.
    pub fn encode_numeric(text: &str, short: bool) -> Vec<u8> {
        let (negative, text) = match text.strip_prefix('-') {
            Some(t) => (true, t),
            None => (false, text),
        };
        let (mant, exp) = match text.split_once(['e', 'E']) {
            Some((m, e)) => (m, e.parse::<i64>().unwrap()),
            None => (text, 0),
        };
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        let all: String = format!("{int}{frac}");
        // Decimal point after `int.len() + exp` digits of `all`.
        let point = int.len() as i64 + exp;
        // Align to base-10000 groups: pad on the left so the point falls on a group boundary.
        let pad_left = (4 - point.rem_euclid(4)) % 4;
        let mut s = "0".repeat(pad_left as usize) + &all;
        while !s.len().is_multiple_of(4) {
            s.push('0');
        }
        let mut groups: Vec<u16> = (0..s.len() / 4)
            .map(|i| s[4 * i..4 * i + 4].parse().unwrap())
            .collect();
        let mut weight = (point + pad_left) / 4 - 1;
        while groups.first() == Some(&0) {
            groups.remove(0);
            weight -= 1;
        }
        while groups.last() == Some(&0) {
            groups.pop();
        }
        if groups.is_empty() {
            weight = 0;
        }
        let mut out = Vec::new();
        if short && (-64..64).contains(&weight) {
            let mut h: u16 = 0x8000 | (weight as u16 & 0x3F);
            if weight < 0 {
                h |= 0x0040;
            }
            if negative {
                h |= 0x2000;
            }
            out.extend(h.to_ne_bytes());
        } else {
            out.extend((if negative { 0x4000u16 } else { 0 }).to_ne_bytes());
            out.extend((weight as i16).to_ne_bytes());
        }
        for g in groups {
            out.extend(g.to_ne_bytes());
        }
        out
    }

    #[test]
    fn numerics_convert_as_their_text_does() {
        let cases = [
            "0",
            "1",
            "-1",
            "0.1",
            "12.5",
            "-950.25",
            "1e22",
            "1e23",
            "123456789012345678",
            "9007199254740993",
            "0.30000000000000004",
            "12.345678901234567",
            "2.2250738585072014e-308",
            "4.9e-324",
            "2e-324",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "1e308",
            "5e-310",
            "0.000123",
            "100000000",
            "-0.5",
            "3.14159265358979323846264338327950288",
        ];
        for c in cases {
            let expected: f64 = c.parse().unwrap();
            for short in [false, true] {
                let got = pg_numeric_to_f64(&encode_numeric(c, short)).unwrap();
                assert_eq!(got.to_bits(), expected.to_bits(), "{c} (short {short})");
            }
        }
    }

    #[test]
    fn out_of_range_numbers_are_infinite_or_zero() {
        assert_eq!(
            pg_numeric_to_f64(&encode_numeric("1e400", false)),
            Some(f64::INFINITY)
        );
        assert_eq!(
            pg_numeric_to_f64(&encode_numeric("-1e400", false)),
            Some(f64::NEG_INFINITY)
        );
        assert_eq!(
            pg_numeric_to_f64(&encode_numeric("1e-400", false)),
            Some(0.0)
        );
        let tiny = pg_numeric_to_f64(&encode_numeric("-1e-400", false)).unwrap();
        assert!(tiny == 0.0 && tiny.is_sign_negative());
    }

    #[test]
    fn integer_path_agrees_with_the_text_parse() {
        // Deterministic pseudo-random doubles of every magnitude the integer path takes, their
        // shortest text and 17-, 20- and 30-digit renderings, and exact ties.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut texts = vec![
            "0.5000000000000000277555756156289135105907917022705078125".to_string(),
            "9007199254740993".to_string(),
            "9007199254740992.5".to_string(),
            "1.00000000000000011102230246251565404236316680908203125".to_string(),
            "123456789012345678901234567890123456".to_string(),
            "0.00000000000000000001234567890123456789".to_string(),
        ];
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f64::from_bits((x >> 12) | (((x % 90) + 1023 - 60) << 52));
            texts.push(format!("{v}"));
            texts.push(format!("{v:.17e}"));
            texts.push(format!("{v:.20e}"));
            texts.push(format!("{v:.30e}"));
        }
        for t in &texts {
            let want: f64 = t.parse().unwrap();
            let got = pg_numeric_to_f64(&encode_numeric(t, false)).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{t}");
        }
    }

    #[test]
    fn long_mantissas_round_correctly() {
        // 2^53 + 1 followed by many digits: the sticky digit decides the rounding.
        let mut long = String::from("9007199254740993");
        long.push_str(&"0".repeat(900));
        long.push('1');
        let mut text = long.clone();
        text.push_str("e-901");
        let got = pg_numeric_to_f64(&encode_numeric(&text, false)).unwrap();
        assert_eq!(got, 9007199254740994.0);
        let halfway = "9007199254740993";
        assert_eq!(
            pg_numeric_to_f64(&encode_numeric(halfway, false)).unwrap(),
            9007199254740992.0
        );
    }

    #[test]
    fn special_and_malformed_numerics() {
        assert_eq!(pg_numeric_to_f64(&0xC000u16.to_ne_bytes()), None);
        assert_eq!(pg_numeric_to_f64(&[0]), None);
        let mut bad = encode_numeric("1", false);
        bad.extend(10_000u16.to_ne_bytes());
        assert_eq!(pg_numeric_to_f64(&bad), None);
    }

    #[test]
    fn scalars_of_values() {
        let v = serde_json::json!({"a": 1, "b": "x", "c": true, "d": null, "e": {}, "f": []});
        let got: Vec<_> = entries_of(&v).unwrap().collect();
        assert_eq!(
            got,
            vec![
                ("a", Scalar::Number(1.0)),
                ("b", Scalar::String("x")),
                ("c", Scalar::Bool(true)),
                ("d", Scalar::Null),
                ("e", Scalar::Object),
                ("f", Scalar::Array),
            ]
        );
        assert!(entries_of(&serde_json::json!([1])).is_none());
    }
}
