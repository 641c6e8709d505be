//! Two-sample Cramér–von Mises test as Evidently 0.7.23 computes it
//! (`evidently.legacy.calculations.stattests.cramer_von_mises_stattest._cvm_2samp`, method
//! "auto"), running on numpy 2.x / scipy 1.17.
//!
//! * Ranks are pooled midranks; U = nx·Σ(rx_i − i)² + ny·Σ(ry_j − j)² and
//!   T = U/(nx·ny·N) − (4·nx·ny − 1)/(6N), N = nx + ny.
//! * max(nx, ny) > 20: asymptotic p-value from the normalised statistic tn (Anderson 1962,
//!   eq. 15): p = 1 when tn < 0.003, else max(0, 1 − F∞(tn)) with F∞ the Csörgő–Faraway series
//!   (terms added until |term| < 1e-7), which needs K_{1/4} (own implementation below).
//! * Otherwise the exact Xiao–Gordon–Yakovlev frequency-table p-value. Evidently stores that
//!   table in `np.min_scalar_type(max(zeta_bound, C(m+n, m)))`:
//!   - an unsigned integer type when `zeta_bound >= C(m+n, m)`; numpy 2 then refuses the
//!     in-place `uint += int64` add (UFuncTypeError) and Evidently raises. There mlobs keeps the
//!     exact counts in f64 (what scipy's `cramervonmises_2samp(method="exact")` returns);
//!   - float16 (C < 65000) or float32 otherwise; every table entry, the final sum (numpy's
//!     pairwise summation, float32 accumulator) and the division by C(m+n, m) are rounded to that
//!     type, so p-values are float16/float32 quantities. This is reproduced bit for bit,
//!     including the float `//` of numpy for the ζ threshold (U is a float because of midranks).
//! * Fewer than 2 values in either sample: Evidently raises → (NaN, NaN).

use super::ks::gcd;
use super::sample::Sample;
use statrs::function::gamma::ln_gamma;

/// (T statistic, p-value) of the two-sample Cramér–von Mises test exactly as Evidently 0.7.23
/// computes it. (NaN, NaN) for a sample with fewer than two values; where Evidently's exact
/// method fails under numpy 2 (integer table), the exact f64 p-value as scipy computes it.
pub fn cramer_von_mises(x: &Sample, y: &Sample) -> (f64, f64) {
    let (nx, ny) = (x.n, y.n);
    if nx <= 1 || ny <= 1 {
        return (f64::NAN, f64::NAN);
    }
    let u = u_statistic(x, y);
    let (nxf, nyf) = (nx as u128, ny as u128);
    let k = nxf * nyf;
    let big_n = nxf + nyf;
    let t = u / ((k * big_n) as f64) - ((4 * k - 1) as f64) / ((6 * big_n) as f64);

    if nx.max(ny) <= 20 {
        return match pval_exact(u, nx, ny) {
            Some(p) => (t, p),
            None => (f64::NAN, f64::NAN),
        };
    }
    let nf = big_n as f64;
    let et = (1.0 + 1.0 / nf) / 6.0;
    let vt_int = 4 * k * big_n - 3 * (nxf * nxf + nyf * nyf) - 2 * k;
    let mut vt = (nf + 1.0) * (vt_int as f64);
    vt /= (45 * big_n * big_n * 4 * k) as f64;
    let tn = 1.0 / 6.0 + (t - et) / (45.0 * vt).sqrt();
    let p = if tn < 0.003 {
        1.0
    } else {
        let p = 1.0 - cdf_cvm_inf(tn);
        if p > 0.0 {
            p
        } else {
            0.0
        }
    };
    (t, p)
}

/// U of Anderson (1962) eq. 10 with pooled midranks, computed exactly in quarter units (midranks
/// are multiples of ½) and converted once: numpy's float sums are exact at these magnitudes.
fn u_statistic(x: &Sample, y: &Sample) -> f64 {
    // Σ_{j=1..c} (D − 2j)² for the c copies of one value, D = 2·rank − 2·(position before).
    fn block(d: i128, c: i128) -> i128 {
        c * d * d - 2 * d * c * (c + 1) + 2 * c * (c + 1) * (2 * c + 1) / 3
    }
    let (xs, ys) = (&x.values, &y.values);
    let (mut i, mut j) = (0usize, 0usize);
    let (mut px, mut py) = (0i128, 0i128); // elements of x / y before the current value
    let (mut qx, mut qy) = (0i128, 0i128); // 4·Σ(r − i)²
    while i < xs.len() || j < ys.len() {
        let (cx, cy);
        if j >= ys.len() || (i < xs.len() && xs[i].0 < ys[j].0) {
            cx = xs[i].1 as i128;
            cy = 0;
            i += 1;
        } else if i >= xs.len() || ys[j].0 < xs[i].0 {
            cx = 0;
            cy = ys[j].1 as i128;
            j += 1;
        } else {
            cx = xs[i].1 as i128;
            cy = ys[j].1 as i128;
            i += 1;
            j += 1;
        }
        let two_r = 2 * (px + py) + cx + cy + 1;
        qx += block(two_r - 2 * px, cx);
        qy += block(two_r - 2 * py, cy);
        px += cx;
        py += cy;
    }
    let uq = px * qx + py * qy;
    uq as f64 / 4.0
}

/// numpy's float64 `floor_divide` (npy_divmod).
fn np_floor_divide(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return a / b;
    }
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    if div != 0.0 {
        let mut fd = div.floor();
        if div - fd > 0.5 {
            fd += 1.0;
        }
        fd
    } else {
        0.0f64.copysign(a / b)
    }
}

/// Round an f64 to the nearest IEEE binary16 value (ties to even), returned as f64.
fn round_f16(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let a = x.abs();
    if a >= 65520.0 {
        return f64::INFINITY.copysign(x);
    }
    let e = ((a.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let ulp_exp = if e < -14 { -24 } else { e - 10 };
    let ulp = 2f64.powi(ulp_exp);
    ((a / ulp).round_ties_even() * ulp).copysign(x)
}

fn round_f32(x: f64) -> f64 {
    x as f32 as f64
}

/// numpy's pairwise summation (float32 accumulator, blocks of 8, split above 128).
fn pairwise_sum_f32(a: &[f32]) -> f32 {
    let n = a.len();
    if n < 8 {
        let mut r = -0.0f32;
        for &v in a {
            r += v;
        }
        r
    } else if n <= 128 {
        let mut r = [0f32; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - (n % 8) {
            for jj in 0..8 {
                r[jj] += a[i + jj];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += a[i];
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum_f32(&a[..n2]) + pairwise_sum_f32(&a[n2..])
    }
}

#[derive(Clone, Copy, PartialEq)]
enum TableType {
    F16,
    F32,
    /// Where Evidently's integer table makes numpy 2 raise: mlobs computes exactly in f64.
    F64,
}

/// Sorted (value, first index) pairs of the distinct values of `row`, as `np.unique(...,
/// return_index=True)` gives them.
fn unique_first(row: &[(f64, f64)]) -> Vec<(f64, usize)> {
    let mut idx: Vec<usize> = (0..row.len()).collect();
    idx.sort_by(|&p, &q| row[p].0.total_cmp(&row[q].0).then(p.cmp(&q)));
    let mut out: Vec<(f64, usize)> = Vec::with_capacity(idx.len());
    for p in idx {
        if out.last().map(|l| l.0 == row[p].0) != Some(true) {
            out.push((row[p].0, p));
        }
    }
    out
}

/// `_pval_cvm_2samp_exact(u, m, n)` with Evidently's table dtype; `None` when Evidently raises.
fn pval_exact(s: f64, m: u64, n: u64) -> Option<f64> {
    let lcm = m / gcd(m, n) * n;
    let a = (lcm / m) as i64;
    let b = (lcm / n) as i64;
    let mn = m * n;
    let zeta_factor = (lcm * lcm * (m + n)) as f64;
    let diff = 6.0 * s - (mn * (4 * mn - 1)) as f64;
    let zeta = np_floor_divide(zeta_factor * diff, (6 * mn * mn) as f64);

    let zeta_bound = lcm * lcm * (m + n);
    // C(m+n, m) exactly (m, n <= 20 here), then as Python's int/int true division gives it.
    let mut comb: u128 = 1;
    for i in 0..m as u128 {
        comb = comb * (n as u128 + 1 + i) / (i + 1);
    }
    let combinations = comb as f64;
    // min_scalar_type of an integer gives an unsigned table and numpy 2 raises a UFuncTypeError
    // (Evidently fails); there the exact counts are kept in f64 (integers below 2^53).
    let ty = if combinations <= zeta_bound as f64 {
        TableType::F64
    } else if combinations > -65000.0 && combinations < 65000.0 {
        TableType::F16
    } else {
        TableType::F32
    };
    let rnd = |v: f64| match ty {
        TableType::F16 => round_f16(v),
        TableType::F32 => round_f32(v),
        TableType::F64 => v,
    };

    let mut gs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); m as usize + 1];
    gs[0].push((0.0, 1.0));
    for u in 0..=n as i64 {
        crate::interrupt::check();
        let mut next: Vec<Vec<(f64, f64)>> = Vec::with_capacity(gs.len());
        let mut tmp: Vec<(f64, f64)> = Vec::new();
        for (v, g) in gs.iter().enumerate() {
            let ut = unique_first(&tmp);
            let ug = unique_first(g);
            let mut common: Vec<(f64, f64)> = Vec::new();
            let mut in_t = vec![false; tmp.len()];
            let mut in_g = vec![false; g.len()];
            let (mut p, mut q) = (0, 0);
            while p < ut.len() && q < ug.len() {
                if ut[p].0 < ug[q].0 {
                    p += 1;
                } else if ug[q].0 < ut[p].0 {
                    q += 1;
                } else {
                    let (i0, i1) = (ut[p].1, ug[q].1);
                    common.push((ut[p].0, rnd(tmp[i0].1 + g[i1].1)));
                    in_t[i0] = true;
                    in_g[i1] = true;
                    p += 1;
                    q += 1;
                }
            }
            let mut new_tmp = common;
            new_tmp.extend(tmp.iter().zip(&in_t).filter(|e| !*e.1).map(|e| *e.0));
            new_tmp.extend(g.iter().zip(&in_g).filter(|e| !*e.1).map(|e| *e.0));
            let d = a * v as i64 - b * u;
            let d = (d * d) as f64;
            for e in new_tmp.iter_mut() {
                e.0 = rnd(e.0 + d);
            }
            tmp = new_tmp;
            next.push(tmp.clone());
        }
        gs = next;
    }
    if ty == TableType::F64 {
        let total: f64 = gs[m as usize]
            .iter()
            .filter(|e| e.0 >= zeta)
            .map(|e| e.1)
            .sum();
        return Some(total / combinations);
    }
    let selected: Vec<f32> = gs[m as usize]
        .iter()
        .filter(|e| e.0 >= zeta)
        .map(|e| e.1 as f32)
        .collect();
    let total = 0.0f32 + pairwise_sum_f32(&selected);
    let p = match ty {
        TableType::F16 => {
            let total = round_f16(total as f64) as f32;
            let c = round_f16(combinations) as f32;
            round_f16((total / c) as f64)
        }
        TableType::F32 | TableType::F64 => (total / combinations as f32) as f64,
    };
    Some(p)
}

/// scipy.special.gammaln(k + 0.5) and gammaln(k + 1) for k < 40 (scipy 1.17.1 values, so the
/// dominant series terms are bit-identical to Evidently's); statrs ln_gamma beyond.
const GAMMALN_HALF: [f64; 40] = [
    0.5723649429247,
    -0.12078223763524526,
    0.2846828704729192,
    1.2009736023470743,
    2.4537365708424423,
    3.9578139676187165,
    5.662562059857141,
    7.534364236758734,
    9.549267257300997,
    11.689333420797269,
    13.940625219403763,
    16.292000476567242,
    18.73434751193645,
    21.2600761562447,
    23.86276584168909,
    26.536914491115613,
    29.277754515040815,
    32.08111489594736,
    34.943315776876815,
    37.861086508961094,
    40.8315009745308,
    43.85192586067516,
    46.91997879580878,
    50.03349410501915,
    53.190494526169275,
    56.38916764371994,
    59.62784609588433,
    62.90499082887651,
    66.21917683354901,
    69.56908092082364,
    72.9534711841694,
    76.37119786778275,
    79.82118541361436,
    83.30242550295004,
    86.81397094178108,
    90.35493026581838,
    93.92446296229977,
    97.5217752228882,
    101.14611615586458,
    104.79677439715832,
];
const GAMMALN_INT: [f64; 40] = [
    0.0,
    0.0,
    std::f64::consts::LN_2,
    1.791759469228055,
    3.1780538303479458,
    4.787491742782046,
    6.579251212010101,
    8.525161361065415,
    10.60460290274525,
    12.801827480081469,
    15.104412573075516,
    17.502307845873887,
    19.987214495661885,
    22.55216385312342,
    25.191221182738683,
    27.899271383840894,
    30.671860106080675,
    33.50507345013689,
    36.39544520803305,
    39.339884187199495,
    42.335616460753485,
    45.38013889847691,
    48.47118135183523,
    51.60667556776438,
    54.78472939811232,
    58.00360522298052,
    61.261701761002,
    64.55753862700632,
    67.88974313718154,
    71.257038967168,
    74.65823634883016,
    78.0922235533153,
    81.55795945611503,
    85.05446701758153,
    88.58082754219767,
    92.13617560368708,
    95.7196945421432,
    99.3306124547874,
    102.96819861451381,
    106.63176026064345,
];

fn gammaln_half(k: u32) -> f64 {
    GAMMALN_HALF
        .get(k as usize)
        .copied()
        .unwrap_or_else(|| ln_gamma(k as f64 + 0.5))
}

fn gammaln_int(k: u32) -> f64 {
    GAMMALN_INT
        .get(k as usize)
        .copied()
        .unwrap_or_else(|| ln_gamma(k as f64 + 1.0))
}

/// Csörgő–Faraway series for the limiting CDF of the Cramér–von Mises statistic, summed as
/// Evidently's `_cdf_cvm_inf`: terms are added until one is below 1e-7 in absolute value.
fn cdf_cvm_inf(x: f64) -> f64 {
    // np.pi ** 1.5
    const PI_1_5: f64 = 5.568327996831708;
    let mut tot = 0.0;
    let mut k = 0u32;
    loop {
        let u = (gammaln_half(k) - gammaln_int(k)).exp() / (PI_1_5 * x.sqrt());
        let y = (4 * k + 1) as f64;
        let q = y * y / (16.0 * x);
        let b = bessel_k(0.25, q);
        let z = u * y.sqrt() * (-q).exp() * b;
        tot += z;
        // NaN terms end the series too (as numpy's `abs(z) >= 1e-7` mask would).
        if z.abs() < 1e-7 || z.is_nan() {
            break;
        }
        k += 1;
    }
    tot
}

/// exp(x)·K_ν(x) for x > 0: trapezoid rule on ∫_0^∞ exp(−x(cosh t − 1))·cosh(νt) dt. The
/// integrand is analytic in the strip |Im t| < π/2, so the rule converges like exp(−π²/h).
fn bessel_k_scaled(nu: f64, x: f64) -> f64 {
    const H: f64 = 0.03125;
    // cosh t − 1 = 2 sinh²(t/2); the integrand is below 1e-300 relative once x(cosh t−1) > 700.
    let mut sum = 0.5; // t = 0 term, halved
    let mut i = 1u32;
    loop {
        let t = i as f64 * H;
        let s = (0.5 * t).sinh();
        let arg = 2.0 * x * s * s;
        let f = (-arg).exp() * (nu * t).cosh();
        sum += f;
        if arg > 745.0 || f < 1e-18 * sum {
            break;
        }
        i += 1;
    }
    sum * H
}

/// Modified Bessel function of the second kind K_ν(x), x > 0 (scipy.special.kv for real ν).
pub(crate) fn bessel_k(nu: f64, x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::INFINITY;
    }
    if x.is_infinite() {
        return 0.0;
    }
    bessel_k_scaled(nu, x) * (-x).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvm_bessel_k_quarter_matches_scipy() {
        // scipy.special.kv(0.25, q), scipy 1.17.1
        let cases = [
            (0.003, 8.729160915523021),
            (0.01, 6.165741264139234),
            (0.1, 2.6851568718760555),
            (1.0, 0.4307397744485814),
            (5.0, 0.0037123027320318403),
            (20.0, 5.750002072403683e-10),
            (100.0, 4.65807645150984e-45),
        ];
        for (q, want) in cases {
            let got = bessel_k(0.25, q);
            let rel = ((got - want) / want).abs();
            assert!(
                rel < 1e-12,
                "K_1/4({q}) = {got:e}, scipy {want:e}, rel {rel:e}"
            );
        }
        assert_eq!(bessel_k(0.25, 800.0), 0.0);
    }

    #[test]
    fn cvm_round_f16() {
        assert_eq!(round_f16(2049.0), 2048.0);
        assert_eq!(round_f16(2051.0), 2052.0);
        assert_eq!(round_f16(65519.0), 65504.0);
        assert!(round_f16(65520.0).is_infinite());
        assert_eq!(round_f16(1.0 / 3.0), 0.333251953125);
    }

    #[test]
    fn cvm_floor_divide() {
        assert_eq!(np_floor_divide(7.0, 2.0), 3.0);
        assert_eq!(np_floor_divide(-7.0, 2.0), -4.0);
        assert_eq!(np_floor_divide(-7.5, 2.5), -3.0);
    }
}
