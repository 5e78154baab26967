/**
 * Cache-blocked, register-tiled Cholesky factorisation of a dense symmetric positive definite
 * matrix stored row-major in a `Float64Array` (only the lower triangle is read and written).
 *
 * Right-looking by panels of {@link CHOLESKY_BLOCK} columns: factor the diagonal block, solve
 * the panel below it against that block's transpose, then subtract the panel's outer product
 * from the trailing lower triangle ({@link syrkLowerPanel}). The trailing update holds all but
 * O(m^2 nb) of the m^3 / 3 multiply-adds; it runs on 4 x 2 register tiles whose inner loop
 * reads two contiguous panel rows, so each multiply-add costs 0.75 loads instead of 2, and the
 * panel (m x nb doubles) stays in cache while the trailing matrix streams past it once.
 */

/** Panel width of the blocked factorisation (columns). */
export const CHOLESKY_BLOCK = 64;

/**
 * Unblocked lower Cholesky of the `n x n` block at row/column `off` of a row-major matrix with
 * row stride `stride`. Returns -1 on success or the (block-local) index of the first pivot that
 * is not positive.
 *
 * @example
 * ```ts
 * const a = Float64Array.of(4, 0, 2, 5);
 * choleskyBlockUnblocked(a, 2, 0, 2); // -1; lower triangle [[2], [1, 2]]
 * ```
 */
export function choleskyBlockUnblocked(a: Float64Array, stride: number, off: number, n: number): number {
  for (let j = 0; j < n; j++) {
    const rj = (off + j) * stride + off;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(d > 0)) return j;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = (off + i) * stride + off;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s * inv;
    }
  }
  return -1;
}

/**
 * Trailing update of a right-looking Cholesky step: for `r0 <= k <= i < m`,
 * `A[i][k] -= sum_{t in [c0, c1)} A[i][t] A[k][t]` (row-major, row stride `m`; the strict upper
 * triangle is not touched). A symmetric rank-(c1 - c0) update of the lower triangle from the
 * panel of columns `[c0, c1)`, on 4 x 2 register tiles.
 *
 * @example
 * ```ts
 * // 3 x 3, panel = column 0, trailing rows 1..2
 * const a = Float64Array.of(1, 0, 0, 2, 5, 0, 3, 7, 11);
 * syrkLowerPanel(a, 3, 0, 1, 1); // a[4] = 5 - 4 = 1, a[7] = 7 - 6 = 1, a[8] = 11 - 9 = 2
 * ```
 */
export function syrkLowerPanel(a: Float64Array, m: number, c0: number, c1: number, r0: number): void {
  const w = c1 - c0;
  let i = r0;
  for (; i + 3 < m; i += 4) {
    const p0 = i * m + c0;
    const p1 = p0 + m;
    const p2 = p1 + m;
    const p3 = p2 + m;
    let k = r0;
    // Full 4 x 2 tiles: columns k, k + 1 <= i (every entry below or on the diagonal).
    for (; k + 1 <= i; k += 2) {
      const q0 = k * m + c0;
      const q1 = q0 + m;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let t = 0; t < w; t++) {
        const b0 = a[q0 + t];
        const b1 = a[q1 + t];
        const a0 = a[p0 + t];
        s00 += a0 * b0;
        s01 += a0 * b1;
        const a1 = a[p1 + t];
        s10 += a1 * b0;
        s11 += a1 * b1;
        const a2 = a[p2 + t];
        s20 += a2 * b0;
        s21 += a2 * b1;
        const a3 = a[p3 + t];
        s30 += a3 * b0;
        s31 += a3 * b1;
      }
      const d0 = i * m + k;
      a[d0] -= s00;
      a[d0 + 1] -= s01;
      a[d0 + m] -= s10;
      a[d0 + m + 1] -= s11;
      a[d0 + 2 * m] -= s20;
      a[d0 + 2 * m + 1] -= s21;
      a[d0 + 3 * m] -= s30;
      a[d0 + 3 * m + 1] -= s31;
    }
    // The triangle left at the diagonal: rows i..i+3, columns k..row.
    for (let r = 0; r < 4; r++) subtractRowDots(a, m, c0, w, i + r, k);
  }
  for (; i < m; i++) subtractRowDots(a, m, c0, w, i, r0);
}

/** `A[row][c] -= A[row][c0:c0+w] . A[c][c0:c0+w]` for `c` from `from` to `row` (edge cleanup). */
function subtractRowDots(a: Float64Array, m: number, c0: number, w: number, row: number, from: number): void {
  const pr = row * m + c0;
  for (let c = from; c <= row; c++) {
    const q = c * m + c0;
    let s = 0;
    for (let t = 0; t < w; t++) s += a[pr + t] * a[q + t];
    a[row * m + c] -= s;
  }
}

/**
 * Panel solve of a right-looking Cholesky step: rows `[r0, m)` of columns `[c0, c1)` become
 * `A[r, c0:c1] L^{-T}`, where `L` is the already factored diagonal block at `c0` (row-major,
 * row stride `m`).
 *
 * @example
 * ```ts
 * const a = Float64Array.of(2, 0, 4, 9); // L = [2], row 1 holds 4
 * trsmPanelLower(a, 2, 0, 1, 1); // a[2] = 4 / 2 = 2
 * ```
 */
export function trsmPanelLower(a: Float64Array, m: number, c0: number, c1: number, r0: number): void {
  const w = c1 - c0;
  let i = r0;
  for (; i + 1 < m; i += 2) {
    const p0 = i * m + c0;
    const p1 = p0 + m;
    for (let c = 0; c < w; c++) {
      const lc = (c0 + c) * m + c0;
      let s0 = a[p0 + c];
      let s1 = a[p1 + c];
      for (let t = 0; t < c; t++) {
        const l = a[lc + t];
        s0 -= a[p0 + t] * l;
        s1 -= a[p1 + t] * l;
      }
      const inv = 1 / a[lc + c];
      a[p0 + c] = s0 * inv;
      a[p1 + c] = s1 * inv;
    }
  }
  for (; i < m; i++) {
    const p0 = i * m + c0;
    for (let c = 0; c < w; c++) {
      const lc = (c0 + c) * m + c0;
      let s0 = a[p0 + c];
      for (let t = 0; t < c; t++) s0 -= a[p0 + t] * a[lc + t];
      a[p0 + c] = s0 / a[lc + c];
    }
  }
}

/**
 * In-place blocked lower Cholesky `A = L L'` of a row-major `m x m` matrix (only the lower
 * triangle is read; the strict upper triangle is left untouched). Returns -1 on success, or the
 * index of the first pivot that is not positive. The matrix is then partly overwritten: the rows
 * before that pivot, and that pivot's row left of the diagonal, hold their final values (so a
 * failure at the last pivot leaves all of `L` but `L[m-1][m-1]`).
 *
 * @example
 * ```ts
 * const a = Float64Array.of(4, 0, 2, 5);
 * choleskyBlocked(a, 2); // -1; a's lower triangle is [[2], [1, 2]]
 * ```
 */
export function choleskyBlocked(a: Float64Array, m: number, block = CHOLESKY_BLOCK): number {
  for (let c0 = 0; c0 < m; c0 += block) {
    const c1 = Math.min(c0 + block, m);
    const failed = choleskyBlockUnblocked(a, m, c0, c1 - c0);
    if (failed >= 0) return c0 + failed;
    if (c1 < m) {
      trsmPanelLower(a, m, c0, c1, c1);
      syrkLowerPanel(a, m, c0, c1, c1);
    }
  }
  return -1;
}
