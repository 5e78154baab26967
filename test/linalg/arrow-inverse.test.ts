/**
 * The selected inverse of an arrowhead matrix from its Cholesky factor against ml-matrix's dense
 * inverse of the same matrix: every entry but the leading block's off-diagonal ones (returned 0).
 */
import { Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { choleskyArrowInPlace } from '../../src/linalg/arrow-cholesky.js';
import { arrowInverseFromCholesky } from '../../src/linalg/arrow-inverse.js';
import { randomArrow as arrow } from '../helpers/arrow-matrix.js';

describe('arrowInverseFromCholesky', () => {
  it('is the closed-form inverse of a 3 x 3 arrowhead matrix (leading off-diagonal left 0)', () => {
    const l = Float64Array.of(4, 0, 2, 0, 9, 3, 2, 3, 6);
    expect(choleskyArrowInPlace(l, 3, 2)).toBe(-1);
    const z = arrowInverseFromCholesky(l, 3, 2);
    // det = 144; S^-1 = adj(S) / 144
    const exact = [45, 0, -18, 0, 20, -12, -18, -12, 36].map((v) => v / 144);
    exact.forEach((v, i) => expect(z[i]).toBeCloseTo(v, 15));
  });

  for (const [m, d, sparse] of [
    [1, 1, false],
    [1, 0, false],
    [6, 0, false],
    [6, 6, false],
    [30, 24, false],
    [40, 30, true],
    [156, 150, true],
    [60, 10, true],
  ] as const) {
    it(`equals the dense inverse off the leading block's off-diagonal (m = ${m}, d = ${d}${sparse ? ', sparse coupling' : ''})`, () => {
      const a = arrow(m, d, 7 * m + d, sparse);
      const l = a.slice();
      expect(choleskyArrowInPlace(l, m, d)).toBe(-1);
      const out = new Float64Array(m * m).fill(Number.NaN);
      const z = arrowInverseFromCholesky(l, m, d, out);
      expect(z).toBe(out);
      const ref = inverse(new Matrix(Array.from({ length: m }, (_, i) => Array.from(a.subarray(i * m, (i + 1) * m)))));
      let scale = 0;
      for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(ref.get(i, i)));
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++) {
          const want = i < d && j < d && i !== j ? 0 : ref.get(i, j);
          expect(Math.abs(z[i * m + j] - want)).toBeLessThanOrEqual(1e-12 * scale);
        }
    });
  }
});
