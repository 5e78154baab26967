/**
 * The chi-square distribution function for any degrees of freedom, through the regularised
 * incomplete gamma function `P(a, x)`: its power series below `x < a + 1`, the Legendre continued
 * fraction for `Q = 1 - P` above (evaluated by the modified Lentz method), both to double
 * precision.
 */
import { logGamma } from './special-functions.js';

/** `P(a, x)` and `Q(a, x) = 1 - P(a, x)`, each computed directly where it is accurate. */
function incompleteGamma(a: number, x: number): { p: number; q: number } {
  if (!(x > 0)) return { p: 0, q: 1 };
  if (x === Infinity) return { p: 1, q: 0 };
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let k = 1; k < 100_000; k++) {
      term *= x / (a + k);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const p = Math.min(1, sum * Math.exp(logPrefix));
    return { p, q: 1 - p };
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const q = Math.min(1, Math.exp(logPrefix) * h);
  return { p: 1 - q, q };
}

/**
 * `P(X <= x)` for X chi-square with `df` degrees of freedom (`pchisq(x, df)` in R).
 *
 * @example
 * ```ts
 * chiSquareCdf(3.841458820694124, 1); // 0.95
 * chiSquareCdf(9.487729036781154, 4); // 0.95
 * ```
 */
export function chiSquareCdf(x: number, df: number): number {
  return incompleteGamma(df / 2, x / 2).p;
}

/**
 * `P(X > x)` for X chi-square with `df` degrees of freedom (`pchisq(x, df, lower.tail = FALSE)`),
 * accurate far into the upper tail.
 *
 * @example
 * ```ts
 * chiSquareSurvival(9.487729036781154, 4); // 0.05
 * ```
 */
export function chiSquareSurvival(x: number, df: number): number {
  return incompleteGamma(df / 2, x / 2).q;
}
