/**
 * Student's t distribution: the distribution function from the regularised incomplete beta
 * function (Lentz's continued fraction) and the quantile by safeguarded Newton steps from the
 * Cornish-Fisher start. Used for small-sample reference quantiles (t with N - 1 degrees of
 * freedom for N resampled units).
 */
import { normalQuantile } from './normal-quantile.js';
import { logGamma } from './special-functions.js';

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = Math.abs(d) < tiny ? tiny : d;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + num / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    f *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + num / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

/** The regularised incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/**
 * The distribution function of Student's t with `df` degrees of freedom (`pt(t, df)`).
 *
 * @example
 * ```ts
 * studentTCdf(2.045229642132703, 29); // 0.975
 * ```
 */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/**
 * The quantile of Student's t with `df` degrees of freedom (`qt(p, df)`), to about 1e-12
 * relative. `df = Infinity` gives the normal quantile.
 *
 * @example
 * ```ts
 * studentTQuantile(0.975, 29); // 2.045229642132703
 * studentTQuantile(0.975, 1); // 12.706204736174698 (tan(0.475 pi))
 * ```
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  if (!(df > 0)) return NaN;
  const z = normalQuantile(p);
  if (!Number.isFinite(df) || df > 1e7) return z;
  if (p === 0.5) return 0;
  // Solve for the upper half and reflect.
  const upper = p > 0.5;
  const q = upper ? p : 1 - p;
  const zq = Math.abs(z);
  // Cornish-Fisher start (Abramowitz & Stegun 26.7.5).
  const z2 = zq * zq;
  let t =
    zq +
    (zq * (z2 + 1)) / (4 * df) +
    (zq * (5 * z2 * z2 + 16 * z2 + 3)) / (96 * df * df) +
    (zq * (3 * z2 * z2 * z2 + 19 * z2 * z2 + 17 * z2 - 15)) / (384 * df * df * df);
  if (!(t > 0) || !Number.isFinite(t)) t = zq;
  const logC = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  // Newton on the distribution function, kept inside a bracket [lo, hi] that is widened as needed.
  let lo = 0;
  let hi = Infinity;
  for (let it = 0; it < 100; it++) {
    const f = studentTCdf(t, df) - q;
    if (f > 0) hi = Math.min(hi, t);
    else lo = Math.max(lo, t);
    const dens = Math.exp(logC - ((df + 1) / 2) * Math.log1p((t * t) / df));
    let next = t - f / dens;
    if (!(next > lo && next < hi)) next = Number.isFinite(hi) ? (lo + hi) / 2 : 2 * t + 1;
    if (Math.abs(next - t) <= 1e-14 * Math.max(1, Math.abs(t))) {
      t = next;
      break;
    }
    t = next;
  }
  return upper ? t : -t;
}
