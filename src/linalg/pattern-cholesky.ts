/**
 * Cholesky factorisation and selected inverse of a symmetric positive definite matrix whose
 * leading columns are sparse with a known pattern and whose trailing block is dense: the Schur
 * complement left after eliminating an observation-level or nested random term, where the next
 * terms of a chain of nested terms keep diagonal blocks (each level below one level of the next
 * term) and only the remaining terms form a dense block.
 *
 * The pattern of the leading `d` columns is given in compressed columns: the rows below the
 * diagonal of column `i` are `rowIdx[colPtr[i] .. colPtr[i + 1])`, ascending. It must hold every
 * nonzero of the matrix there and be closed under elimination: for rows `a < b` of column `i`
 * with `a < d`, `b` is in column `a`'s pattern (the pattern of a chordal graph in this order).
 */
import { choleskyBlockUnblocked } from './blocked-cholesky.js';
import { symmetricInverseFromCholesky } from './dense-cholesky.js';

/**
 * In-place lower Cholesky `A = L L'` of a row-major `m x m` matrix (lower triangle read) whose
 * leading `d` columns have the pattern `colPtr`/`rowIdx` (see the module's note): each leading
 * column is scaled on its pattern and updates the pairs of its pattern (`O(|pattern|^2)`), then
 * the trailing `(m - d) x (m - d)` block is factorised densely. Entries of the leading columns off
 * their pattern are neither read nor written. Returns -1 on success or the index of the first
 * pivot that is not positive, as {@link choleskyInPlace} does.
 *
 * @example
 * ```ts
 * // [[4, 0, 2], [0, 9, 3], [2, 3, 6]]: columns 0 and 1 have row 2 below the diagonal
 * const a = Float64Array.of(4, 0, 0, 0, 9, 0, 2, 3, 6);
 * choleskyPatternInPlace(a, 3, 2, Int32Array.of(0, 1, 2), Int32Array.of(2, 2)); // -1; L = [[2], [0, 3], [1, 1, 2]]
 * ```
 */
export function choleskyPatternInPlace(a: Float64Array, m: number, d: number, colPtr: Int32Array, rowIdx: Int32Array): number {
  for (let i = 0; i < d; i++) {
    const piv = a[i * m + i];
    if (!(piv > 0)) return i;
    const l = Math.sqrt(piv);
    a[i * m + i] = l;
    const inv = 1 / l;
    const p0 = colPtr[i];
    const p1 = colPtr[i + 1];
    for (let p = p0; p < p1; p++) a[rowIdx[p] * m + i] *= inv;
    for (let p = p0; p < p1; p++) {
      const row = rowIdx[p] * m;
      const lp = a[row + i];
      for (let q = p0; q <= p; q++) a[row + rowIdx[q]] -= lp * a[rowIdx[q] * m + i];
    }
  }
  const failed = choleskyBlockUnblocked(a, m, d, m - d);
  return failed < 0 ? -1 : d + failed;
}

/**
 * The selected inverse `Z = (L L')^-1` from the factor {@link choleskyPatternInPlace} leaves,
 * written to `out` (row-major `m x m`, both triangles): the trailing block densely, then for the
 * leading columns from last to first Takahashi's recursion on their patterns,
 * `Z_ai = -(sum_b Z_ab L_bi) / L_ii` for `a, b` in column i's pattern and
 * `Z_ii = (1 / L_ii - sum_a L_ai Z_ai) / L_ii`. Entries off the patterns of the leading columns
 * (levels of a nested term that never share a row) are set to 0: they are not computed. Costs
 * `O(sum_i |pattern_i|^2 + (m - d)^3)`.
 *
 * @example
 * ```ts
 * const l = Float64Array.of(4, 0, 0, 0, 9, 0, 2, 3, 6);
 * const colPtr = Int32Array.of(0, 1, 2);
 * const rowIdx = Int32Array.of(2, 2);
 * choleskyPatternInPlace(l, 3, 2, colPtr, rowIdx);
 * const z = patternInverseFromCholesky(l, 3, 2, colPtr, rowIdx); // S^-1 but z[1] = z[3] = 0 (S^-1 has 1/24 there)
 * ```
 */
export function patternInverseFromCholesky(
  l: Float64Array,
  m: number,
  d: number,
  colPtr: Int32Array,
  rowIdx: Int32Array,
  out: Float64Array = new Float64Array(m * m),
): Float64Array {
  const e = m - d;
  out.fill(0);
  if (e > 0) {
    const l22 = new Float64Array(e * e);
    for (let i = 0; i < e; i++) {
      const src = (d + i) * m + d;
      for (let k = 0; k <= i; k++) l22[i * e + k] = l[src + k];
    }
    const z22 = symmetricInverseFromCholesky(l22, e);
    for (let i = 0; i < e; i++) out.set(z22.subarray(i * e, (i + 1) * e), (d + i) * m + d);
  }
  let col = new Float64Array(0);
  for (let i = d - 1; i >= 0; i--) {
    const p0 = colPtr[i];
    const p1 = colPtr[i + 1];
    if (col.length < p1 - p0) col = new Float64Array(p1 - p0);
    const inv = 1 / l[i * m + i];
    for (let p = p0; p < p1; p++) {
      const row = rowIdx[p] * m;
      let v = 0;
      for (let q = p0; q < p1; q++) v += out[row + rowIdx[q]] * l[rowIdx[q] * m + i];
      col[p - p0] = -v * inv;
    }
    let diag = inv;
    for (let p = p0; p < p1; p++) {
      const a = rowIdx[p];
      const z = col[p - p0];
      out[a * m + i] = z;
      out[i * m + a] = z;
      diag -= l[a * m + i] * z;
    }
    out[i * m + i] = diag * inv;
  }
  return out;
}
