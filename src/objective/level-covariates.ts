/**
 * Columns of X that are constant within the levels of a random term (the intercept; a person's
 * covariates within person; an item's within item), and the cross-products they give without a
 * pass over the rows.
 *
 * If `x_c = Z_k v` (column c takes the value `v_l` on every row of level l of term k), then for any
 * block `M` of the design `M'W x_c = (M'WZ_k) v`: the column's parts of `Z'WX`, `X'WX` and
 * `X'Wy` follow from the level blocks `Z'WZ_k` and `y'WZ_k` and from the other columns' `X'WZ_k`,
 * all of which the row pass builds anyway, at a cost in levels instead of rows. This is exact
 * algebra; only the order of the floating-point sums changes.
 */

/** For each column of X: the term it is constant within (engine order), or -1, and its level values. */
export interface LevelCovariates {
  readonly home: Int32Array;
  readonly values: readonly (Float64Array | null)[];
}

/**
 * The level values of column `x[off .. off + n)` under `codes` (`nlevels` levels), or null when
 * some level takes two values.
 */
function levelValues(x: Float64Array, off: number, n: number, codes: Int32Array, nlevels: number): Float64Array | null {
  const v = new Float64Array(nlevels);
  const seen = new Uint8Array(nlevels);
  for (let i = 0; i < n; i++) {
    const l = codes[i];
    const xi = x[off + i];
    if (!seen[l]) {
      seen[l] = 1;
      v[l] = xi;
    } else if (v[l] !== xi) return null;
  }
  return v;
}

/**
 * Which columns of X (column-major n x p) to take through the levels of a term, and the term: the
 * cheapest term each column is constant within, when that costs less than the rows
 * (`rowCost`, in the same units: dense multiply-adds). `levels[k]` is term k's number of levels;
 * the cost of term k is that of its column of `Z_1'WX` (`q1`, or `q1 x levels[k]` through `g`)
 * plus its block with every other rest term (`q1` or `levels[k]` times that term's levels).
 *
 * @example
 * ```ts
 * // 4 rows, two persons (codes 0 0 1 1): the intercept and a person-level column
 * const lc = levelCovariates(Float64Array.of(1, 1, 1, 1, 3, 3, 5, 5), 4, 2, [Int32Array.of(0, 0, 1, 1)], [2], 100);
 * lc.home; // [0, 0]
 * lc.values[1]; // [3, 5]
 * ```
 */
export function levelCovariates(
  x: Float64Array,
  n: number,
  p: number,
  codes: readonly Int32Array[],
  levels: readonly number[],
  rowCost: number,
): LevelCovariates {
  const K = codes.length;
  const q1 = levels[0];
  const cost = levels.map((Lk, k) => {
    let c = k === 0 ? q1 : q1 * Lk;
    for (let r = 1; r < K; r++) if (r !== k) c += (k === 0 ? q1 : Lk) * levels[r];
    return c;
  });
  const order = [...levels.keys()].sort((a, b) => cost[a] - cost[b]);
  const home = new Int32Array(p).fill(-1);
  const values: (Float64Array | null)[] = new Array(p).fill(null);
  for (let c = 0; c < p; c++) {
    for (const k of order) {
      if (cost[k] >= rowCost) break;
      const v = levelValues(x, c * n, n, codes[k], levels[k]);
      if (v) {
        home[c] = k;
        values[c] = v;
        break;
      }
    }
  }
  return { home, values };
}
