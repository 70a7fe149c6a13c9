/**
 * Finite-sample Kolmogorov–Smirnov distributions, reproducing SciPy's numerics:
 *
 * - {@link kolmogorovSf}: survival function of the two-sided one-sample statistic D_n
 *   (`scipy.stats.kstwo.sf(x, n)`), following Simard & L'Ecuyer (2011) — the same algorithm
 *   selection SciPy uses (Ruben–Gambino closed forms, Durbin matrix with the
 *   Marsaglia–Tsang–Wang scaling, Pomeranz recursion, Pelz–Good asymptotic series, and
 *   2·smirnov for the upper tail).
 * - {@link smirnovSf}: survival function of the one-sided statistic D_n^+ (`scipy.special.smirnov(n, x)`),
 *   via the Birnbaum–Tingey / Smirnov finite sum evaluated in log space.
 *
 * There is no npm package with the finite-n Kolmogorov distribution (stdlib only has the one-sample
 * `kstest`), so this module implements it; it only uses `@stdlib/math-base-special-binomcoefln`
 * for log binomial coefficients.
 *
 * References: Durbin (1968); Pomeranz (1974); Pelz & Good (1976); Marsaglia, Tsang & Wang (2003),
 * "Evaluating Kolmogorov's distribution", J. Stat. Softw. 8(18); Simard & L'Ecuyer (2011),
 * "Computing the two-sided Kolmogorov-Smirnov distribution", J. Stat. Softw. 39(11);
 * Birnbaum & Tingey (1951); van Mulbregt (2018), arXiv:1802.06966.
 */
import binomcoefln from '@stdlib/math-base-special-binomcoefln';

const E128 = 128;
const P128 = 2 ** 128;
const M128 = 2 ** -128;
const SQRT2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
// The constants below are copied digit for digit from Cephes/SciPy so they can be compared
// with the source; the extra digits round to the intended double.
/* eslint-disable no-loss-of-precision */
/** Cephes MINLOG: log of the smallest normal double. */
const CEPHES_MINLOG = -7.08396418532264106224e2;
/** Above this n SciPy's smirnov switches to an asymptotic formula. */
const SMIRNOV_MAX_COMPUTE_N = 1000000;
/** B_{2j}/(2j)/(2j-1) for j = 8..1 (Stirling series coefficients, highest order first). */
const STIRLING = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
  -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];
/* eslint-enable no-loss-of-precision */

const clip01 = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p);

/** x·2^e without intermediate overflow/underflow of the power of two. */
function ldexp(x: number, e: number): number {
  let r = x;
  let k = e;
  while (k > 1000) {
    r *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    r *= 2 ** -1000;
    k += 1000;
  }
  return r * 2 ** k;
}

/** log(n! / n^n) by Stirling's series with n·log(n) removed analytically. */
function logNFactorialOverNPowN(n: number): number {
  const rn = 1 / n;
  const z = rn / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * z + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/**
 * Survival function of the one-sided Kolmogorov–Smirnov statistic, P(D_n^+ >= x), matching
 * `scipy.special.smirnov(n, x)` (to ~1e-12 relative; SciPy uses double-double arithmetic).
 * @param n - sample size, a positive integer.
 * @param x - statistic value in [0, 1].
 */
export function smirnovSf(n: number, x: number): number {
  if (!(Number.isInteger(n) && n > 0 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  const nxfl = Math.floor(nx);
  if (-2 * n * x * x < CEPHES_MINLOG) return 0;
  if (nxfl >= n - 1) return clip01(Math.pow(1 - x, n));
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -Math.pow(6 * n * x + 1, 2) / 18 / n;
    return clip01(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }
  // sf = x * sum_{v=0}^{floor(n(1-x))} C(n,v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v); all terms >= 0.
  const last = Math.floor(n - nx);
  let sum = 0;
  let peak = -Infinity;
  let prev = -Infinity;
  for (let v = 0; v <= last; v++) {
    const rest = (n - v - nx) / n; // 1 - x - v/n
    if (!(rest > 0)) break;
    const logTerm = binomcoefln(n, v) + (v - 1) * Math.log(x + v / n) + (n - v) * (v === 0 ? Math.log1p(-x) : Math.log(rest));
    if (logTerm > peak) peak = logTerm;
    sum += Math.exp(logTerm);
    // Terms are unimodal in v: stop once past the peak and negligible.
    if (logTerm < prev && logTerm < peak - 50) break;
    prev = logTerm;
  }
  return clip01(x * sum);
}

/** Durbin matrix algorithm with Marsaglia–Tsang–Wang scaling: CDF P(D_n <= d). */
function kolmogorovCdfDurbin(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - Math.pow(h, j)) * fac;
  }
  const tt = Math.pow(Math.max(2 * h - 1, 0), m) - 2 * Math.pow(h, m);
  v[m - 1] = (1 + tt) * fac;

  let H: Float64Array = new Float64Array(m * m);
  for (let c = 1; c < m; c++) {
    for (let r = c - 1; r < m; r++) H[r * m + c] = w[r - (c - 1)];
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r];
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];

  const matmul = (A: Float64Array, B: Float64Array): Float64Array => {
    const C = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < m; l++) {
        const a = A[i * m + l];
        if (a === 0) continue;
        for (let j = 0; j < m; j++) C[i * m + j] += a * B[l * m + j];
      }
    }
    return C;
  };
  const kk = (k - 1) * m + (k - 1);

  let P: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) P[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let hExpnt = 0;
  while (nn > 0) {
    if (nn % 2 === 1) {
      P = matmul(P, H);
      expnt += hExpnt;
      // SciPy relies on long double range here; rescaling by powers of two is exact.
      while (Math.abs(P[kk]) > P128) {
        for (let i = 0; i < P.length; i++) P[i] *= M128;
        expnt += E128;
      }
    }
    H = matmul(H, H);
    hExpnt *= 2;
    while (Math.abs(H[kk]) > P128) {
      for (let i = 0; i < H.length; i++) H[i] *= M128;
      hExpnt += E128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = P[kk];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < M128) {
      p *= P128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt);
  return clip01(p);
}

function pomeranzBounds(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pomeranz (1974) recursion: CDF P(D_n <= x). Used for n <= 140. */
function kolmogorovCdfPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const np = 2 * (ll + 1);
  const gp = new Float64Array(np);
  const g2p = new Float64Array(np);
  const g12p = new Float64Array(np);
  gp[0] = g2p[0] = g12p[0] = 1;
  const a1 = g / n;
  const a2 = (2 * g) / n;
  const a3 = (1 - 2 * g) / n;
  for (let k = 1; k < np; k++) {
    gp[k] = (gp[k - 1] * a1) / k;
    g2p[k] = (g2p[k - 1] * a2) / k;
    g12p[k] = (g12p[k - 1] * a3) / k;
  }
  let V0 = new Float64Array(np);
  let V1 = new Float64Array(np);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let expnt = 0;
  let [j1, j2] = pomeranzBounds(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf);
    const pw = i === 1 || i === 2 * n + 1 ? gp : i % 2 === 1 ? g2p : g12p;
    const len = j2 - k1 + 1;
    if (len > 0) {
      const aStart = k1 - V0s;
      const aLen = Math.max(0, Math.min(len, np - aStart));
      const bLen = Math.min(len, np);
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      let vmax = -Infinity;
      for (let r = 0; r < convLen; r++) {
        // conv[q] = sum_s a[s] * b[q - s] (full convolution), q = convStart + r
        const q = convStart + r;
        let acc = 0;
        const sLo = Math.max(0, q - bLen + 1);
        const sHi = Math.min(aLen - 1, q);
        for (let s = sLo; s <= sHi; s++) acc += V0[aStart + s] * pw[q - s];
        V1[r] = acc;
        if (acc > vmax) vmax = acc;
      }
      for (let r = convLen; r < np; r++) if (V1[r] > vmax) vmax = V1[r];
      if (vmax > 0 && vmax < M128) {
        for (let r = 0; r < np; r++) V1[r] *= P128;
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s];
  for (let k = 1; k <= n; k++) {
    if (Math.abs(ans) > P128) {
      ans *= M128;
      expnt += E128;
    }
    ans *= k;
  }
  if (expnt !== 0) ans = ldexp(ans, expnt);
  return clip01(ans);
}

/** Pelz–Good (1976) asymptotic series: CDF P(D_n <= x). */
function kolmogorovCdfPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const mm = 2 * k - 1;
    const m2 = mm * mm;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = Math.pow(q, 8 * k);
    const c = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qp + c[i];
  }
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT2PI) / div[i];
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const s3z = SQRT3 * z;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qk = Math.pow(q, k2);
    k2extra += k2 * qk;
    const kpi = Math.PI * k;
    k3extra += (s3z + kpi) * (s3z - kpi) * k2 * qk;
  }
  K[2] += (k2extra * PI2 * SQRT2PI) / (-36 * z3);
  K[3] += (k3extra * PI2 * SQRT2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i] / Math.pow(n, i / 2);
  return sum;
}

/**
 * Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic, P(D_n >= x),
 * matching `scipy.stats.kstwo.sf(x, n)`. This is the distribution `scipy.stats.ks_2samp` uses in its
 * asymptotic mode with n = round(n1·n2/(n1+n2)).
 * @param n - sample size, a positive integer.
 * @param x - statistic value.
 * @returns probability in [0, 1], or NaN for an invalid n.
 */
export function kolmogorovSf(n: number, x: number): number {
  if (Number.isNaN(x) || !Number.isInteger(n) || n <= 0) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logNFactorialOverNPowN(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1 - cdf);
  }
  if (t >= n - 1) return clip01(2 * Math.pow(1 - x, n));
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip01(1 - kolmogorovCdfDurbin(n, x));
    if (nx2 <= 4) return clip01(1 - kolmogorovCdfPomeranz(n, x));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip01(2 * smirnovSf(n, x));
  const cdf = nx2 >= 18 ? 1 : n <= 100000 && n * Math.pow(x, 1.5) <= 1.4 ? kolmogorovCdfDurbin(n, x) : kolmogorovCdfPelzGood(n, x);
  return clip01(1 - cdf);
}
