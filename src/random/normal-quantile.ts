/**
 * Quantiles of the standard normal and of the chi-square with one degree of freedom, for
 * likelihood-ratio cut-offs. Acklam's rational approximation (relative error below 1.2e-9)
 * refined by one Halley step on the complementary error function (a series below 0.5, the
 * Laplace continued fraction above), which brings it to full double precision.
 */

const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** The complementary error function: the Maclaurin series of erf for |x| < 0.5, else Laplace's continued fraction (modified Lentz). */
function erfc(x: number): number {
  const z = Math.abs(x);
  let r: number;
  if (z < 0.5) {
    // Series for erf.
    let term = z;
    let sum = z;
    const z2 = z * z;
    for (let k = 1; k < 60; k++) {
      term *= -z2 / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    r = 1 - (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // Continued fraction erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + 1/2/(z + 1/(z + 3/2/(z + ...)))), by modified Lentz.
    const tiny = 1e-300;
    let f = z;
    let Cc = z;
    let Dd = 0;
    for (let k = 1; k < 500; k++) {
      const a = k / 2;
      Dd = z + a * Dd;
      Dd = Math.abs(Dd) < tiny ? tiny : Dd;
      Cc = z + a / Cc;
      Cc = Math.abs(Cc) < tiny ? tiny : Cc;
      Dd = 1 / Dd;
      const delta = Cc * Dd;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = Math.exp(-z * z) / (Math.sqrt(Math.PI) * f);
  }
  return x >= 0 ? r : 2 - r;
}

/**
 * The standard normal distribution function `Phi(x)`, to full double precision.
 *
 * @example
 * ```ts
 * normalCdf(-1.959963984540054); // 0.025
 * ```
 */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * The standard normal quantile `Phi^{-1}(p)` for 0 < p < 1.
 *
 * @example
 * ```ts
 * normalQuantile(0.975); // 1.959963984540054
 * ```
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const plow = 0.02425;
  let x: number;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  } else if (p <= 1 - plow) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  // One Halley step: e = Phi(x) - p.
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/**
 * The quantile of the chi-square distribution with one degree of freedom: `qchisq(p, 1)`.
 *
 * @example
 * ```ts
 * chiSquare1Quantile(0.95); // 3.841458820694124
 * chiSquare1Quantile(0.9); // 2.705543454095404 (the 95% cut-off of the 50:50 mixture of 0 and chi2_1)
 * ```
 */
export function chiSquare1Quantile(p: number): number {
  const z = normalQuantile(0.5 + p / 2);
  return z * z;
}
