/**
 * The arrowhead Cholesky (leading diagonal block) against the dense factorisation of the same
 * matrix, and its failure index against the dense one's.
 */
import { describe, expect, it } from 'vitest';
import { choleskyArrowInPlace } from '../../src/linalg/arrow-cholesky.js';
import { choleskyInPlace } from '../../src/linalg/dense-cholesky.js';
import { randomArrow as arrow } from '../helpers/arrow-matrix.js';

describe('choleskyArrowInPlace', () => {
  for (const [m, d] of [
    [1, 1],
    [5, 0],
    [5, 5],
    [9, 4],
    [40, 31],
    [160, 150],
  ]) {
    it(`equals the dense factor (m = ${m}, d = ${d})`, () => {
      const a = arrow(m, d, m * 31 + d);
      const dense = a.slice();
      expect(choleskyInPlace(dense, m)).toBe(-1);
      expect(choleskyArrowInPlace(a, m, d)).toBe(-1);
      for (let r = 0; r < m; r++)
        for (let c = 0; c <= r; c++) expect(a[r * m + c]).toBeCloseTo(dense[r * m + c], 10);
    });
  }

  it('returns the index of the first non-positive pivot, in the diagonal block or the tail', () => {
    const a = arrow(8, 5, 3);
    a[2 * 8 + 2] = -1;
    expect(choleskyArrowInPlace(a, 8, 5)).toBe(2);
    const b = arrow(8, 5, 4);
    b[7 * 8 + 7] = -1e6;
    const bd = b.slice();
    expect(choleskyArrowInPlace(b, 8, 5)).toBe(choleskyInPlace(bd, 8));
    expect(choleskyInPlace(bd.fill(0), 8)).toBe(0);
  });
});
