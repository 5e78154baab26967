/**
 * Small dense kernels on row-major `Float64Array` square matrices.
 *
 * These are the leaves of the engine: no allocation, no dependencies. Only the lower triangle of
 * a symmetric input is read.
 */
import { CHOLESKY_BLOCK, choleskyBlockUnblocked, choleskyBlocked } from './blocked-cholesky.js';

/** From this order on, {@link choleskyInPlace} runs the cache-blocked factorisation. */
export const BLOCKED_FROM = 2 * CHOLESKY_BLOCK;

/**
 * In-place lower Cholesky factorisation `A = L L'` of the leading `m x m` block of a row-major
 * array with row stride `m`. On success the lower triangle holds `L` (the strict upper triangle
 * is left untouched) and the function returns -1. If a pivot is not positive it stops and returns
 * that pivot's index; the matrix is then partly overwritten (the rows before that pivot, and its
 * row left of the diagonal, are final).
 * From order {@link BLOCKED_FROM} on it runs {@link choleskyBlocked}.
 *
 * @example
 * ```ts
 * const a = Float64Array.of(4, 0, 2, 5); // [[4, 2], [2, 5]] (upper entry ignored)
 * choleskyInPlace(a, 2); // a's lower triangle is now [[2], [1, 2]]
 * ```
 */
export function choleskyInPlace(a: Float64Array, m: number): number {
  return m >= BLOCKED_FROM ? choleskyBlocked(a, m) : choleskyBlockUnblocked(a, m, 0, m);
}

/**
 * Solve `L' x = b` in place for `x`, where `L` is the lower triangle of the leading `n x n` block
 * of a row-major matrix with row stride `stride` starting at row/column `off`.
 *
 * @example
 * ```ts
 * const l = Float64Array.of(2, 0, 1, 2);
 * const b = Float64Array.of(3, 4);
 * solveLowerTransposeInPlace(l, 2, 0, 2, b); // b = [1, 2]
 * ```
 */
export function solveLowerTransposeInPlace(
  l: Float64Array,
  stride: number,
  off: number,
  n: number,
  b: Float64Array,
): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[(off + k) * stride + off + i] * b[k];
    b[i] = s / l[(off + i) * stride + off + i];
  }
}

/**
 * Solve `L x = b` in place for `x` (forward substitution); layout as in
 * {@link solveLowerTransposeInPlace}.
 *
 * @example
 * ```ts
 * const l = Float64Array.of(2, 0, 1, 2);
 * const b = Float64Array.of(2, 5);
 * solveLowerInPlace(l, 2, 0, 2, b); // b = [1, 2]
 * ```
 */
export function solveLowerInPlace(
  l: Float64Array,
  stride: number,
  off: number,
  n: number,
  b: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    const ri = (off + i) * stride + off;
    for (let k = 0; k < i; k++) s -= l[ri + k] * b[k];
    b[i] = s / l[ri + i];
  }
}

/**
 * `(L L')^{-1}` for the lower triangle `L` of an `n x n` block (row stride `stride`, offset
 * `off`), returned as a fresh row-major `n x n` array. Used once per fit for `vcov`.
 *
 * @example
 * ```ts
 * const l = Float64Array.of(2, 0, 0, 1);
 * inverseFromCholesky(l, 2, 0, 2); // [0.25, 0, 0, 1]
 * ```
 */
export function inverseFromCholesky(
  l: Float64Array,
  stride: number,
  off: number,
  n: number,
): Float64Array {
  const out = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    solveLowerInPlace(l, stride, off, n, col);
    solveLowerTransposeInPlace(l, stride, off, n, col);
    for (let i = 0; i < n; i++) out[i * n + j] = col[i];
  }
  return out;
}

/**
 * The inverse `(L L')^-1` (row-major m x m, both triangles) from a lower Cholesky factor with
 * row stride `m`, by rows: `L^-1` row by row, then `L^-T L^-1` as a sum of outer products of its
 * rows, every inner loop over contiguous memory (about `m^3 / 3` multiply-adds). The same
 * matrix as {@link inverseFromCholesky} to rounding, several times faster from order 20 or so.
 *
 * @example
 * ```ts
 * symmetricInverseFromCholesky(Float64Array.of(2, 0, 1, 2), 2); // [[5, -2], [-2, 4]] / 16
 * ```
 */
export function symmetricInverseFromCholesky(l: Float64Array, m: number): Float64Array {
  const li = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const ri = i * m;
    for (let k = 0; k < i; k++) {
      const lik = l[ri + k];
      if (lik === 0) continue;
      const rk = k * m;
      for (let c = 0; c <= k; c++) li[ri + c] -= lik * li[rk + c];
    }
    li[ri + i] = 1;
    const d = 1 / l[ri + i];
    for (let c = 0; c <= i; c++) li[ri + c] *= d;
  }
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const ri = i * m;
    for (let a = 0; a <= i; a++) {
      const va = li[ri + a];
      if (va === 0) continue;
      const ra = a * m;
      for (let b = 0; b <= a; b++) out[ra + b] += va * li[ri + b];
    }
  }
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) out[b * m + a] = out[a * m + b];
  return out;
}
