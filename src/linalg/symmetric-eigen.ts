/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan,
 * section 8.5). Allocation-free: the caller owns every buffer. Meant for the p x p matrices of
 * the fixed effects (p is a handful), where Jacobi is exact to rounding and simple.
 */

/**
 * Diagonalise the symmetric row-major `m x m` matrix in `a` (both triangles read and
 * overwritten): on return `values[i]` are the eigenvalues and column i of `vectors` (row-major,
 * `vectors[r * m + i]`) the matching unit eigenvector, so `A = V diag(values) V'`. Returns the
 * number of sweeps used.
 *
 * @example
 * ```ts
 * const a = Float64Array.of(2, 1, 1, 2);
 * const values = new Float64Array(2);
 * const vectors = new Float64Array(4);
 * symmetricEigen(a, 2, values, vectors); // values {1, 3}
 * ```
 */
export function symmetricEigen(a: Float64Array, m: number, values: Float64Array, vectors: Float64Array): number {
  vectors.fill(0, 0, m * m);
  for (let i = 0; i < m; i++) vectors[i * m + i] = 1;
  let sweeps = 0;
  for (; sweeps < 60; sweeps++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < m; i++) {
      diag += a[i * m + i] * a[i * m + i];
      for (let j = 0; j < i; j++) off += a[i * m + j] * a[i * m + j];
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q];
        if (apq === 0) continue;
        const app = a[p * m + p];
        const aqq = a[q * m + q];
        const tau = (aqq - app) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = a[k * m + p];
          const akq = a[k * m + q];
          a[k * m + p] = c * akp - s * akq;
          a[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = a[p * m + k];
          const aqk = a[q * m + k];
          a[p * m + k] = c * apk - s * aqk;
          a[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = vectors[k * m + p];
          const vkq = vectors[k * m + q];
          vectors[k * m + p] = c * vkp - s * vkq;
          vectors[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < m; i++) values[i] = a[i * m + i];
  return sweeps;
}
