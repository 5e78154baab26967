/**
 * Symmetric rank updates of a dense lower triangle: the Schur complement of a diagonal block
 * whose off-diagonal rows are sparse (one rank-one update over each row's nonzeros) or full
 * (four rows at a time, without an index).
 */

/**
 * `A -= alpha v v'` on the lower triangle of a row-major `m x m` matrix, where `v` is sparse:
 * its nonzeros are `values[base + index[t]]` for `t` in `[start, end)`, with `index` ascending.
 * Costs `nnz (nnz + 1) / 2` multiply-adds instead of `m^2 / 2`.
 *
 * @example
 * ```ts
 * const a = new Float64Array(9); // 3 x 3 zeros
 * const v = Float64Array.of(2, 0, 3); // nonzeros at 0 and 2
 * sparseRankOneLower(a, 3, 1, v, 0, Int32Array.of(0, 2), 0, 2);
 * // a[0] = -4, a[6] = -6, a[8] = -9
 * ```
 */
export function sparseRankOneLower(
  a: Float64Array,
  m: number,
  alpha: number,
  values: Float64Array,
  base: number,
  index: Int32Array,
  start: number,
  end: number,
): void {
  for (let s = start; s < end; s++) {
    const r = index[s];
    const vr = alpha * values[base + r];
    if (vr === 0) continue;
    const row = r * m;
    for (let t = start; t <= s; t++) {
      const c = index[t];
      a[row + c] -= vr * values[base + c];
    }
  }
}

/**
 * `A -= sum_{r < 4} alpha_r v_r v_r'` on the lower triangle of a row-major `m x m` matrix, with
 * the dense vectors `v_r = values[bases[r] .. bases[r] + m)`: four rank-one updates in one sweep
 * over `A` (a quarter of its loads and stores), for the rows whose pattern is full.
 *
 * @example
 * ```ts
 * const a = new Float64Array(4); // 2 x 2 zeros
 * const v = Float64Array.of(1, 2, 0, 0, 0, 0, 0, 0);
 * denseRankFourLower(a, 2, Float64Array.of(1, 0, 0, 0), v, Int32Array.of(0, 2, 4, 6));
 * // a[0] = -1, a[2] = -2, a[3] = -4
 * ```
 */
export function denseRankFourLower(a: Float64Array, m: number, alpha: Float64Array, values: Float64Array, bases: Int32Array): void {
  const [a0, a1, a2, a3] = alpha;
  const [b0, b1, b2, b3] = bases;
  for (let r = 0; r < m; r++) {
    const v0 = a0 * values[b0 + r];
    const v1 = a1 * values[b1 + r];
    const v2 = a2 * values[b2 + r];
    const v3 = a3 * values[b3 + r];
    if (v0 === 0 && v1 === 0 && v2 === 0 && v3 === 0) continue;
    const row = r * m;
    for (let c = 0; c <= r; c++) a[row + c] -= v0 * values[b0 + c] + v1 * values[b1 + c] + v2 * values[b2 + c] + v3 * values[b3 + c];
  }
}

/**
 * The nonzero pattern of the rows of a row-major `rows x m` matrix (compressed sparse rows):
 * row `j`'s nonzero columns, ascending, are `index[start[j] .. start[j + 1])`. Columns listed in
 * `always` are included in every row whether or not they are zero.
 *
 * @example
 * ```ts
 * const { start, index } = rowPattern(Float64Array.of(1, 0, 0, 2, 0, 3), 2, 3, [2]);
 * // start = [0, 2, 4], index = [0, 2, 1, 2]
 * ```
 */
export function rowPattern(
  values: Float64Array,
  rows: number,
  m: number,
  always: readonly number[] = [],
): { start: Int32Array; index: Int32Array } {
  const forced = new Uint8Array(m);
  for (const c of always) forced[c] = 1;
  const start = new Int32Array(rows + 1);
  for (let j = 0; j < rows; j++) {
    let nnz = 0;
    const base = j * m;
    for (let c = 0; c < m; c++) if (values[base + c] !== 0 || forced[c]) nnz++;
    start[j + 1] = start[j] + nnz;
  }
  const index = new Int32Array(start[rows]);
  for (let j = 0, t = 0; j < rows; j++) {
    const base = j * m;
    for (let c = 0; c < m; c++) if (values[base + c] !== 0 || forced[c]) index[t++] = c;
  }
  return { start, index };
}
