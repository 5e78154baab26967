/** couplingPattern: each first-term level's distinct columns of the other terms, against a set-based reference. */
import { describe, expect, it } from 'vitest';
import { couplingPattern } from '../../src/objective/coupling-pattern.js';
import { Rng } from '../../src/index.js';

describe('couplingPattern', () => {
  it('lists the distinct columns of each level\'s rows, ascending, with empty levels', () => {
    const { start, index } = couplingPattern(Int32Array.of(0, 0, 2, 0), 3, [Int32Array.of(1, 0, 1, 1), Int32Array.of(0, 0, 1, 0)], [0, 2], 4);
    expect(Array.from(start)).toEqual([0, 3, 3, 5]);
    expect(Array.from(index)).toEqual([0, 1, 2, 1, 3]);
  });

  it('equals sorted sets of columns on random crossed codes', () => {
    const rng = new Rng(5);
    for (let rep = 0; rep < 20; rep++) {
      const n = 1 + rng.int(150);
      const q = [1 + rng.int(20), 1 + rng.int(6), 1 + rng.int(9)];
      const codes = q.map((l) => Int32Array.from({ length: n }, () => rng.int(l)));
      const offsets = [0, q[1]];
      const { start, index } = couplingPattern(codes[0], q[0], [codes[1], codes[2]], offsets, q[1] + q[2]);
      for (let j = 0; j < q[0]; j++) {
        const want = new Set<number>();
        for (let i = 0; i < n; i++) if (codes[0][i] === j) [codes[1][i], offsets[1] + codes[2][i]].forEach((c) => want.add(c));
        expect(Array.from(index.subarray(start[j], start[j + 1]))).toEqual([...want].sort((a, b) => a - b));
      }
    }
  });
});
