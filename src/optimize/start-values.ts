/**
 * Moment-based starting values for theta, read off the cross-products (no extra pass).
 */
import type { CrossProducts } from '../objective/cross-products.js';

/**
 * Starting theta (engine order) from one-way moment estimates: for each term, the weighted
 * variance of its level means minus the part expected from residual noise, relative to the
 * remaining variance. Clamped to [0.1, 10] so the search never starts on the boundary.
 *
 * @example
 * ```ts
 * const theta0 = momentStart(cp); // e.g. Float64Array [1.4, 0.5]
 * ```
 */
export function momentStart(cp: CrossProducts): Float64Array {
  if (cp.vector) throw new RangeError('momentStart: random intercepts only (start vector terms at lme4\'s identity)');
  const { m, q1, g, n1, B, restLevels, restOffsets } = cp;
  const last = m - 1;
  let W = 0;
  let sum = 0;
  for (let j = 0; j < q1; j++) {
    W += n1[j];
    sum += g[j * m + last];
  }
  const mean = sum / W;
  const total = Math.max(B[last * m + last] / W - mean * mean, 0);
  const between: number[] = [];
  // Weighted variance of the level means minus the part expected from residual noise.
  let v1 = 0;
  for (let j = 0; j < q1; j++) {
    const c = n1[j];
    if (c > 0) {
      const d = g[j * m + last] / c - mean;
      v1 += c * d * d;
    }
  }
  between.push(Math.max(v1 / W - total / (W / q1), 0));
  restLevels.forEach((q, k) => {
    const o = restOffsets[k];
    let v = 0;
    for (let l = 0; l < q; l++) {
      const c = B[(o + l) * m + o + l];
      if (c > 0) {
        const d = B[last * m + o + l] / c - mean;
        v += c * d * d;
      }
    }
    v /= W;
    between.push(Math.max(v - total / (W / q), 0));
  });
  const explained = between.reduce((a, b) => a + b, 0);
  const resid = Math.max(total - explained, 0.1 * total, Number.MIN_VALUE);
  return Float64Array.from(between, (v) => Math.min(Math.max(Math.sqrt(v / resid), 0.1), 10));
}
