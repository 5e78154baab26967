import { describe, expect, it } from 'vitest';
import { pivotedCholesky } from '../../src/linalg/pivoted-cholesky.js';

function product(F: Float64Array, m: number, r: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < r; k++) out[i * m + j] += F[i * r + k] * F[j * r + k];
  return out;
}

describe('pivotedCholesky', () => {
  it('factors a full-rank matrix: F F\' = A', () => {
    const A = Float64Array.of(4, 2, 0.4, 2, 5, 1, 0.4, 1, 3);
    const { factor, rank } = pivotedCholesky(A, 3);
    expect(rank).toBe(3);
    product(factor, 3, 3).forEach((v, i) => expect(v).toBeCloseTo(A[i], 12));
  });

  it('stops at the numerical rank of a singular matrix', () => {
    // u = (1, 2, 3), v = (0, 1, -1): A = u u' + v v' has rank 2.
    const u = [1, 2, 3];
    const v = [0, 1, -1];
    const A = Float64Array.from({ length: 9 }, (_, k) => u[Math.floor(k / 3)] * u[k % 3] + v[Math.floor(k / 3)] * v[k % 3]);
    const { factor, rank } = pivotedCholesky(A, 3);
    expect(rank).toBe(2);
    product(factor, 3, 2).forEach((x, i) => expect(x).toBeCloseTo(A[i], 12));
  });

  it('gives rank 0 for a zero matrix and handles m = 0', () => {
    expect(pivotedCholesky(new Float64Array(4), 2).rank).toBe(0);
    expect(pivotedCholesky(new Float64Array(0), 0).rank).toBe(0);
  });
});
