/**
 * Cholesky factorisation of a symmetric positive definite matrix whose leading block is
 * diagonal (an "arrowhead" matrix): the dense block left after eliminating an observation-level
 * or nested random term, where each eliminated level touches one level of the next term, so
 * that term's block stays diagonal.
 */
import { choleskyBlockUnblocked, syrkLowerPanel } from './blocked-cholesky.js';

/**
 * In-place lower Cholesky `A = L L'` of a row-major `m x m` matrix whose leading `d x d` block
 * is diagonal (its strict lower triangle must be zero; it is not read). The diagonal pivots
 * are factored in closed form, the `(m - d) x d` panel below them is scaled, the trailing block
 * takes the panel's rank-d update and is factored densely: `O(d (m - d)^2 + (m - d)^3)` instead
 * of `O(m^3)`. Returns -1 on success or the index of the first pivot that is not positive, as
 * {@link choleskyInPlace} does.
 *
 * @example
 * ```ts
 * // [[4, 0, 2], [0, 9, 3], [2, 3, 6]]: leading 2 x 2 block diagonal
 * const a = Float64Array.of(4, 0, 0, 0, 9, 0, 2, 3, 6);
 * choleskyArrowInPlace(a, 3, 2); // -1; L = [[2], [0, 3], [1, 1, 2]]
 * ```
 */
export function choleskyArrowInPlace(a: Float64Array, m: number, d: number): number {
  for (let i = 0; i < d; i++) {
    const piv = a[i * m + i];
    if (!(piv > 0)) return i;
    const l = Math.sqrt(piv);
    a[i * m + i] = l;
    const inv = 1 / l;
    for (let r = d; r < m; r++) a[r * m + i] *= inv;
  }
  if (d > 0 && d < m) syrkLowerPanel(a, m, 0, d, d);
  const failed = choleskyBlockUnblocked(a, m, d, m - d);
  return failed < 0 ? -1 : d + failed;
}
