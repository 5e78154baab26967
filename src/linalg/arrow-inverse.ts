/**
 * Selected inverse of a symmetric positive definite "arrowhead" matrix (leading block diagonal)
 * from its Cholesky factor: every entry of `S^-1` except the off-diagonal entries of the leading
 * block, which callers whose leading levels never pair (a nested or observation-level term) do
 * not need. Costs `O(nnz(L21) (m - d) + (m - d)^3)` instead of the `O(m^3)` of a dense inverse.
 */
import { symmetricInverseFromCholesky } from './dense-cholesky.js';

/**
 * The inverse of `S = L L'` from the lower factor `L` that {@link choleskyArrowInPlace} leaves in
 * a row-major `m x m` array (leading `d x d` block diagonal), written to `out` (row-major
 * `m x m`, both triangles): the trailing block `(L22 L22')^-1` densely, the off-diagonal block
 * `Z21 = -Z22 L21 L11^-1` column by column (skipping the zeros of `L21`), and the diagonal of the
 * leading block by Takahashi's recursion `Z_ii = (1 / L_ii - sum_k L_ki Z_ki) / L_ii`. The
 * off-diagonal entries of the leading block are set to 0: they are not computed. With `d = 0`
 * this is the dense inverse {@link symmetricInverseFromCholesky}.
 *
 * @example
 * ```ts
 * // S = [[4, 0, 2], [0, 9, 3], [2, 3, 6]]
 * const l = Float64Array.of(4, 0, 0, 0, 9, 0, 2, 3, 6);
 * choleskyArrowInPlace(l, 3, 2);
 * const z = arrowInverseFromCholesky(l, 3, 2); // S^-1 except z[1] = z[3] = 0 (S^-1 has 1/24 there)
 * ```
 */
export function arrowInverseFromCholesky(l: Float64Array, m: number, d: number, out: Float64Array = new Float64Array(m * m)): Float64Array {
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
  const col = new Float64Array(e);
  for (let i = 0; i < d; i++) {
    // col = Z22 L21[:, i] over the nonzeros of L21's column i.
    col.fill(0);
    for (let k = 0; k < e; k++) {
      const lki = l[(d + k) * m + i];
      if (lki === 0) continue;
      const zk = (d + k) * m + d;
      for (let a = 0; a < e; a++) col[a] += out[zk + a] * lki;
    }
    const inv = 1 / l[i * m + i];
    let diag = inv;
    for (let a = 0; a < e; a++) {
      const z = -col[a] * inv;
      out[(d + a) * m + i] = z;
      out[i * m + d + a] = z;
      diag -= l[(d + a) * m + i] * z;
    }
    out[i * m + i] = diag * inv;
  }
  return out;
}
