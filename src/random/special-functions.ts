/**
 * Special functions: log-gamma (the Poisson and binomial log-likelihoods, the count samplers, the t and
 * chi-square distribution functions) and trigamma (the trigamma approximation of the latent-scale
 * Poisson variance). A leaf of `random/`, which imports nothing of the project.
 */

// Lanczos approximation, g = 7, n = 9 (relative error below 1e-15 for x > 0).
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The natural logarithm of the gamma function for x > 0 (`lgamma` in R). Exact 0 at 1 and 2.
 *
 * @example
 * ```ts
 * logGamma(5); // log(24)
 * logGamma(0.5); // log(sqrt(pi))
 * ```
 */
export function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The logarithm of the binomial coefficient `choose(n, k)` (R's `lchoose`) for whole 0 <= k <= n.
 *
 * @example
 * ```ts
 * Math.exp(logChoose(5, 2)); // 10
 * ```
 */
export function logChoose(n: number, k: number): number {
  if (k === 0 || k === n) return 0;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * The trigamma function (second derivative of log-gamma) for x > 0: the recurrence
 * `psi1(x) = psi1(x + 1) + 1 / x^2` up to x >= 10, then the asymptotic series.
 *
 * @example
 * ```ts
 * trigamma(1); // pi^2 / 6
 * ```
 */
export function trigamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let acc = 0;
  let z = x;
  while (z < 10) {
    acc += 1 / (z * z);
    z += 1;
  }
  const iz = 1 / z;
  const iz2 = iz * iz;
  // 1/z + 1/(2z^2) + 1/(6z^3) - 1/(30z^5) + 1/(42z^7) - 1/(30z^9) + 5/(66z^11) - 691/(2730z^13)
  const series =
    iz + iz2 / 2 + iz * iz2 * (1 / 6 - iz2 * (1 / 30 - iz2 * (1 / 42 - iz2 * (1 / 30 - iz2 * (5 / 66 - (iz2 * 691) / 2730)))));
  return acc + series;
}
