/** Sparse rank-one updates and row patterns against dense references. */
import { describe, expect, it } from 'vitest';
import { rowPattern, sparseRankOneLower } from '../../src/linalg/sparse-update.js';
import { Rng } from '../../src/random/rng.js';

describe('sparseRankOneLower', () => {
  it('equals the dense rank-one update on the lower triangle for random sparse rows', () => {
    const rng = new Rng(3);
    for (const m of [1, 2, 7, 64, 131]) {
      const rows = 9;
      const g = Float64Array.from({ length: rows * m }, () => (rng.uniform() < 0.2 ? rng.normal() : 0));
      const { start, index } = rowPattern(g, rows, m, [m - 1]);
      const a = Float64Array.from({ length: m * m }, () => rng.normal());
      const ref = a.slice();
      for (let j = 0; j < rows; j++) {
        const alpha = 0.1 + j;
        for (let r = 0; r < m; r++) for (let c = 0; c <= r; c++) ref[r * m + c] -= alpha * g[j * m + r] * g[j * m + c];
        sparseRankOneLower(a, m, alpha, g, j * m, index, start[j], start[j + 1]);
      }
      for (let i = 0; i < m * m; i++) expect(a[i]).toBeCloseTo(ref[i], 12);
    }
  });

  it('rowPattern lists nonzeros in order, plus the forced columns', () => {
    const { start, index } = rowPattern(Float64Array.of(1, 0, 0, 0, 0, 2, 3, 0, 0), 3, 3, [2]);
    expect(Array.from(start)).toEqual([0, 2, 3, 5]);
    expect(Array.from(index)).toEqual([0, 2, 2, 0, 2]);
  });
});
