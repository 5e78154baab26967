/**
 * Chi-square deviates: `2 * Gamma(k / 2)` by Marsaglia and Tsang's method (2000), with the
 * boost `Gamma(a) = Gamma(a + 1) U^(1/a)` for shapes below 1.
 */
import type { Rng } from './rng.js';

function gamma(rng: Rng, shape: number): number {
  if (shape < 1) {
    const u = rng.uniform();
    return gamma(rng, shape + 1) * Math.pow(u > 0 ? u : Number.MIN_VALUE, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * A chi-square deviate with `df` degrees of freedom (0 for `df = 0`).
 *
 * @example
 * ```ts
 * const q = chiSquare(new Rng(1), 10); // mean 10, variance 20
 * ```
 */
export function chiSquare(rng: Rng, df: number): number {
  if (!(df > 0)) return 0;
  return 2 * gamma(rng, df / 2);
}
