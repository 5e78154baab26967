/**
 * Poisson and binomial draws from the seeded {@link Rng}, for parametric bootstraps of GLMMs.
 *
 * - Poisson: inversion by sequential search for mu < 10; Hoermann's transformed rejection with
 *   squeeze (PTRS, 1993) otherwise.
 * - Binomial: inversion by sequential search on min(p, 1 - p) when n min(p, 1 - p) < 30; a count
 *   of n uniforms below p otherwise.
 */
import { logGamma } from './special-functions.js';
import type { Rng } from './rng.js';

/**
 * One Poisson draw with mean `mu` (>= 0).
 *
 * @example
 * ```ts
 * const k = poissonDraw(new Rng(1), 3.5);
 * ```
 */
export function poissonDraw(rng: Rng, mu: number): number {
  if (!(mu > 0)) return 0;
  if (mu < 10) {
    let k = 0;
    let p = Math.exp(-mu);
    let cdf = p;
    const u = rng.uniform();
    while (u > cdf && k < 1000) {
      k++;
      p *= mu / k;
      cdf += p;
    }
    return k;
  }
  const smu = Math.sqrt(mu);
  const b = 0.931 + 2.53 * smu;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  const logMu = Math.log(mu);
  for (;;) {
    const U = rng.uniform() - 0.5;
    const V = rng.uniform();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + mu + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mu + k * logMu - logGamma(k + 1)) return k;
  }
}

/**
 * One binomial draw: successes in `n` (whole) trials with probability `p`.
 *
 * @example
 * ```ts
 * const k = binomialDraw(new Rng(1), 10, 0.3);
 * ```
 */
export function binomialDraw(rng: Rng, n: number, p: number): number {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  const flip = p > 0.5;
  const q = flip ? 1 - p : p;
  let k = 0;
  if (n * q < 30) {
    const r = q / (1 - q);
    let pk = Math.pow(1 - q, n);
    let cdf = pk;
    const u = rng.uniform();
    while (u > cdf && k < n) {
      pk *= (r * (n - k)) / (k + 1);
      k++;
      cdf += pk;
    }
  } else {
    for (let t = 0; t < n; t++) if (rng.uniform() < q) k++;
  }
  return flip ? n - k : k;
}
