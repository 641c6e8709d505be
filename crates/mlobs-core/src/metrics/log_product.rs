//! Σ ln p over a stream of probabilities without a logarithm per row: the running product of the
//! p is kept as a mantissa in [1, 2) and a binary exponent, and its logarithm is taken once, when
//! the sum is read. A row costs one multiplication and exact bit operations instead of a libm
//! `ln` (the largest cost `log_loss_agg` and `score_agg` add to reading their columns, issue 20).
//!
//! Accuracy: only the multiplications round, so the product's relative error stays within
//! n·2⁻⁵³ and Σ ln p is off by at most n·2⁻⁵³ in absolute terms (1e-9 after 10M rows). Adding
//! n rounded logarithms, as before, errs by up to n·2⁻⁵³ times the sum itself.

/// The product of probabilities in [f64::EPSILON, 1], as mantissa · 2^exponent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogProduct {
    /// In [1, 2): its product with any p ≥ 2⁻⁵² is a normal positive number.
    mantissa: f64,
    exponent: i64,
}

const MANTISSA_BITS: u64 = (1 << 52) - 1;
const EXPONENT_OF_ONE: u64 = 1023;

impl Default for LogProduct {
    fn default() -> Self {
        Self {
            mantissa: 1.0,
            exponent: 0,
        }
    }
}

impl LogProduct {
    /// Multiplies in `p`, which the caller has clipped to [f64::EPSILON, 1].
    #[inline]
    pub fn push(&mut self, p: f64) {
        debug_assert!((f64::EPSILON..=1.0).contains(&p), "{p}");
        self.set(self.mantissa * p);
    }

    /// Multiplies in another product.
    pub fn merge(&mut self, o: &LogProduct) {
        self.exponent += o.exponent;
        // Both mantissas lie in [1, 2): their product in [1, 4), normal.
        self.set(self.mantissa * o.mantissa);
    }

    /// Splits `v` (normal, positive) into the mantissa and the exponent, exactly.
    #[inline]
    fn set(&mut self, v: f64) {
        let bits = v.to_bits();
        self.exponent += (bits >> 52) as i64 - EXPONENT_OF_ONE as i64;
        self.mantissa = f64::from_bits((bits & MANTISSA_BITS) | (EXPONENT_OF_ONE << 52));
    }

    /// Σ ln p of the probabilities pushed: exactly 0.0 when none were, and never above 0 (a
    /// product just below 1 could round to a hair above it).
    pub fn ln(&self) -> f64 {
        (self.exponent as f64 * std::f64::consts::LN_2 + self.mantissa.ln()).min(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probabilities(n: usize, seed: u64) -> Vec<f64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x >> 11) as f64 / (1u64 << 53) as f64).clamp(f64::EPSILON, 1.0 - f64::EPSILON)
            })
            .collect()
    }

    #[test]
    fn equals_the_sum_of_logs_within_its_bound() {
        for (n, seed) in [(1, 3), (7, 5), (1000, 11), (200_000, 17)] {
            let ps = probabilities(n, seed);
            let mut product = LogProduct::default();
            ps.iter().for_each(|&p| product.push(p));
            // The reference sums the logs in extended precision by compensated (Neumaier) sums.
            let (mut sum, mut c) = (0.0f64, 0.0f64);
            for &p in &ps {
                let v = p.ln();
                let t = sum + v;
                c += if sum.abs() >= v.abs() {
                    (sum - t) + v
                } else {
                    (v - t) + sum
                };
                sum = t;
            }
            let exact = sum + c;
            // n roundings of the product, then the final logarithm's own rounding.
            let bound = (n as f64 + 2.0) * f64::EPSILON + 4.0 * f64::EPSILON * exact.abs();
            let got = product.ln();
            assert!((got - exact).abs() <= bound, "n {n}: {got} vs {exact}");
        }
    }

    #[test]
    fn extremes_stay_normal_and_exact() {
        let mut p = LogProduct::default();
        assert_eq!(p.ln().to_bits(), 0.0f64.to_bits());
        assert_eq!(p, LogProduct::default());
        for _ in 0..100_000 {
            p.push(f64::EPSILON);
        }
        let expected = 100_000.0 * f64::EPSILON.ln();
        assert!(
            (p.ln() - expected).abs() <= 1e-9 * expected.abs(),
            "{}",
            p.ln()
        );
        let mut one = LogProduct::default();
        one.push(1.0);
        assert_eq!(one, LogProduct::default());
        assert_eq!(one.ln(), 0.0);
        let mut half = LogProduct::default();
        half.push(0.5);
        assert_eq!(half.ln(), -std::f64::consts::LN_2);
    }

    #[test]
    fn merging_equals_one_stream() {
        let ps = probabilities(5000, 23);
        let mut whole = LogProduct::default();
        ps.iter().for_each(|&p| whole.push(p));
        let (mut a, mut b) = (LogProduct::default(), LogProduct::default());
        ps[..1234].iter().for_each(|&p| a.push(p));
        ps[1234..].iter().for_each(|&p| b.push(p));
        a.merge(&b);
        assert!(
            (a.ln() - whole.ln()).abs() <= 5000.0 * f64::EPSILON,
            "{} {}",
            a.ln(),
            whole.ln()
        );
    }
}
