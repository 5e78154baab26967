/**
 * Rows grouped by the level of a factor: a stable counting sort of integer level codes.
 */

/** The rows of each level: rows `order[start[j] .. start[j + 1])` have level `j`, in row order. */
export interface RowsByLevel {
  readonly start: Int32Array;
  readonly order: Int32Array;
}

/**
 * Group the indices `0 .. codes.length - 1` by their code (codes in `[0, nlevels)`), keeping
 * their order within a level: O(n + nlevels).
 *
 * @example
 * ```ts
 * const { start, order } = rowsByLevel(Int32Array.of(1, 0, 1, 0, 2), 3);
 * // start = [0, 2, 4, 5], order = [1, 3, 0, 2, 4]
 * ```
 */
export function rowsByLevel(codes: ArrayLike<number>, nlevels: number): RowsByLevel {
  const n = codes.length;
  const start = new Int32Array(nlevels + 1);
  for (let i = 0; i < n; i++) start[codes[i] + 1]++;
  for (let j = 0; j < nlevels; j++) start[j + 1] += start[j];
  const order = new Int32Array(n);
  const fill = start.slice(0, nlevels);
  for (let i = 0; i < n; i++) order[fill[codes[i]]++] = i;
  return { start, order };
}
