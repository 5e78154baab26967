/**
 * Pivoted Cholesky of a small symmetric positive semi-definite matrix: `P A P' = L L'` with L
 * lower trapezoidal of the numerical rank r. Returned unpermuted, as the m x r factor
 * `F = P' L` with `F F' = A` (up to the dropped pivots), which is what drawing `N(0, A)` needs.
 */

/**
 * Factor `a` (m x m, row-major, symmetric; only read) into `F` (m x r, row-major) with `F F' = a`.
 * Pivots below `tol` times the largest diagonal entry end the factorisation (rank r).
 *
 * @example
 * ```ts
 * const { factor, rank } = pivotedCholesky(Float64Array.of(4, 2, 2, 1), 2); // rank 1, F = [2; 1]
 * ```
 */
export function pivotedCholesky(a: Float64Array, m: number, tol = 1e-12): { factor: Float64Array; rank: number } {
  const d = new Float64Array(m);
  let maxDiag = 0;
  for (let i = 0; i < m; i++) {
    d[i] = a[i * m + i];
    if (d[i] > maxDiag) maxDiag = d[i];
  }
  const L = new Float64Array(m * m); // column k in L[i * m + k], original row order
  const done = new Uint8Array(m);
  let rank = 0;
  for (let k = 0; k < m; k++) {
    let piv = -1;
    for (let i = 0; i < m; i++) if (!done[i] && (piv < 0 || d[i] > d[piv])) piv = i;
    if (piv < 0 || !(d[piv] > tol * maxDiag) || !(maxDiag > 0)) break;
    done[piv] = 1;
    const s = Math.sqrt(d[piv]);
    L[piv * m + k] = s;
    for (let i = 0; i < m; i++) {
      if (done[i]) continue;
      let v = a[i * m + piv];
      for (let q = 0; q < k; q++) v -= L[i * m + q] * L[piv * m + q];
      v /= s;
      L[i * m + k] = v;
      d[i] -= v * v;
    }
    rank++;
  }
  const factor = new Float64Array(m * rank);
  for (let i = 0; i < m; i++) for (let k = 0; k < rank; k++) factor[i * rank + k] = L[i * m + k];
  return { factor, rank };
}
