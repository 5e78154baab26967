/** rowsByLevel: a stable counting sort, against sorting the indices by code. */
import { describe, expect, it } from 'vitest';
import { rowsByLevel } from '../../src/objective/rows-by-level.js';
import { Rng } from '../../src/index.js';

describe('rowsByLevel', () => {
  it('groups indices by code, in row order within a level, with empty levels', () => {
    const { start, order } = rowsByLevel(Int32Array.of(1, 0, 1, 0, 3), 5);
    expect(Array.from(start)).toEqual([0, 2, 4, 4, 5, 5]);
    expect(Array.from(order)).toEqual([1, 3, 0, 2, 4]);
  });

  it('equals a stable sort of the indices by code on random codes', () => {
    const rng = new Rng(11);
    for (let rep = 0; rep < 20; rep++) {
      const nlevels = 1 + rng.int(30);
      const codes = Int32Array.from({ length: rng.int(200) }, () => rng.int(nlevels));
      const { start, order } = rowsByLevel(codes, nlevels);
      const sorted = Array.from(codes.keys()).sort((a, b) => codes[a] - codes[b] || a - b);
      expect(Array.from(order)).toEqual(sorted);
      for (let j = 0; j < nlevels; j++) expect(start[j + 1] - start[j]).toBe(codes.filter((c) => c === j).length);
    }
  });
});
