/**
 * The coupling pattern of a first random term with the others: for each level of the first term,
 * the columns of the other terms that its rows touch. It is the sparsity of the first term's rows
 * of `Z'WZ` outside its own (diagonal) block, whatever the weights.
 */
import { rowsByLevel, type RowsByLevel } from './rows-by-level.js';

/** Compressed rows: level `j`'s columns, ascending, are `index[start[j] .. start[j + 1])`. */
export interface CouplingPattern {
  readonly start: Int32Array;
  readonly index: Int32Array;
}

/**
 * For each level of the first term (codes `first`, `nlevels` levels), the distinct columns
 * `offsets[k] + rest[k][i]` (all below `width`) over its rows `i` and the other terms `k`,
 * ascending. `rows` may pass the rows already grouped by `first`'s level.
 *
 * @example
 * ```ts
 * // rows (first, second): (0, 1), (0, 0), (1, 1); the second term's columns start at 0
 * const { start, index } = couplingPattern(Int32Array.of(0, 0, 1), 2, [Int32Array.of(1, 0, 1)], [0], 2);
 * // start = [0, 2, 3], index = [0, 1, 1]
 * ```
 */
export function couplingPattern(
  first: ArrayLike<number>,
  nlevels: number,
  rest: readonly ArrayLike<number>[],
  offsets: ArrayLike<number>,
  width: number,
  rows: RowsByLevel = rowsByLevel(first, nlevels),
): CouplingPattern {
  const { start: rowStart, order } = rows;
  const stamp = new Int32Array(width).fill(-1);
  const start = new Int32Array(nlevels + 1);
  const index: number[] = [];
  const level: number[] = [];
  for (let j = 0; j < nlevels; j++) {
    level.length = 0;
    for (let t = rowStart[j]; t < rowStart[j + 1]; t++) {
      const i = order[t];
      for (let k = 0; k < rest.length; k++) {
        const c = offsets[k] + rest[k][i];
        if (stamp[c] !== j) {
          stamp[c] = j;
          level.push(c);
        }
      }
    }
    level.sort((a, b) => a - b);
    for (const c of level) index.push(c);
    start[j + 1] = index.length;
  }
  return { start, index: Int32Array.from(index) };
}
