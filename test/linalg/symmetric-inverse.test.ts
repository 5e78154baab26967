/** The row-oriented inverse from a Cholesky factor against the column-by-column solves. */
import { describe, expect, it } from 'vitest';
import { choleskyInPlace, inverseFromCholesky, symmetricInverseFromCholesky } from '../../src/linalg/dense-cholesky.js';

describe('symmetricInverseFromCholesky', () => {
  it('is the closed-form inverse of a 2 x 2 matrix', () => {
    const inv = symmetricInverseFromCholesky(Float64Array.of(2, 0, 1, 2), 2); // A = [[4, 2], [2, 5]]
    [5 / 16, -2 / 16, -2 / 16, 4 / 16].forEach((v, i) => expect(inv[i]).toBeCloseTo(v, 15));
  });

  it.each([1, 7, 40, 153])('equals inverseFromCholesky and inverts A (order %i)', (m) => {
    // A = B B' + m I with a deterministic B (some exact zeros in the factor's pattern)
    const A = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let j = 0; j <= i; j++) {
        let s = i === j ? m : 0;
        for (let k = 0; k < 3; k++) s += Math.sin(i * 1.3 + k) * Math.sin(j * 1.3 + k) * (i % 5 === 0 && j % 5 === 1 ? 0 : 1);
        A[i * m + j] = A[j * m + i] = s;
      }
    const L = A.slice();
    expect(choleskyInPlace(L, m)).toBe(-1);
    const fast = symmetricInverseFromCholesky(L, m);
    const ref = inverseFromCholesky(L, m, 0, m);
    for (let i = 0; i < m * m; i++) expect(Math.abs(fast[i] - ref[i])).toBeLessThan(1e-13);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = 0; k < m; k++) s += A[i * m + k] * fast[k * m + j];
        expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
  });
});
