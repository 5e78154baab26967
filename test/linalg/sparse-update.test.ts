/** Sparse rank-one updates and row patterns against dense references. */
import { describe, expect, it } from 'vitest';
import { denseRankFourLower, rowPattern, sparseRankOneLower } from '../../src/linalg/sparse-update.js';
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

  it('denseRankFourLower equals four sparse rank-one updates over full rows', () => {
    const rng = new Rng(8);
    for (const m of [1, 3, 25, 31]) {
      const rows = 4;
      const g = Float64Array.from({ length: rows * m }, () => rng.normal());
      g[2 * m] = 0; // a zero entry in a full row changes nothing
      const full = { start: Int32Array.from({ length: rows + 1 }, (_, j) => j * m), index: Int32Array.from({ length: rows * m }, (_, t) => t % m) };
      const a = Float64Array.from({ length: m * m }, () => rng.normal());
      const ref = a.slice();
      const alpha = Float64Array.of(0.3, 1.7, 0, 2.2);
      for (let j = 0; j < rows; j++) sparseRankOneLower(ref, m, alpha[j], g, j * m, full.index, full.start[j], full.start[j + 1]);
      denseRankFourLower(a, m, alpha, g, Int32Array.of(0, m, 2 * m, 3 * m));
      for (let r = 0; r < m; r++) for (let c = 0; c <= r; c++) expect(a[r * m + c]).toBeCloseTo(ref[r * m + c], 12);
      // the upper triangle is not touched
      for (let r = 0; r < m; r++) for (let c = r + 1; c < m; c++) expect(a[r * m + c]).toBe(ref[r * m + c]);
    }
  });

  it('rowPattern lists nonzeros in order, plus the forced columns', () => {
    const { start, index } = rowPattern(Float64Array.of(1, 0, 0, 0, 0, 2, 3, 0, 0), 3, 3, [2]);
    expect(Array.from(start)).toEqual([0, 2, 3, 5]);
    expect(Array.from(index)).toEqual([0, 2, 2, 0, 2]);
  });
});
