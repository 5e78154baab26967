/** Dot products of dense vectors. */

/**
 * `sum_{i < n} a[i] b[off + i]`, summed in order (one register, no stores).
 *
 * @example
 * ```ts
 * dotAt(Float64Array.of(1, 2), Float64Array.of(9, 3, 4), 1, 2); // 1*3 + 2*4 = 11
 * ```
 */
export function dotAt(a: Float64Array, b: Float64Array, off: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[off + i];
  return s;
}
