import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../src/linalg/symmetric-eigen.js';

describe('symmetricEigen', () => {
  it('recovers A = V diag(values) V\' with orthonormal V', () => {
    const m = 4;
    const A = Float64Array.of(4, 1, 0.5, 0, 1, 3, 0.2, 0.1, 0.5, 0.2, 2, -0.3, 0, 0.1, -0.3, 1);
    const a = A.slice();
    const values = new Float64Array(m);
    const V = new Float64Array(m * m);
    symmetricEigen(a, m, values, V);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let r = 0;
        let o = 0;
        for (let k = 0; k < m; k++) {
          r += V[i * m + k] * values[k] * V[j * m + k];
          o += V[k * m + i] * V[k * m + j];
        }
        expect(r).toBeCloseTo(A[i * m + j], 12);
        expect(o).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
    // Trace and the closed-form eigenvalues of a 2 x 2 block.
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(10, 12);
    const b = Float64Array.of(2, 1, 1, 2);
    const v2 = new Float64Array(2);
    symmetricEigen(b, 2, v2, new Float64Array(4));
    expect(Array.from(v2).sort()).toEqual([expect.closeTo(1, 14), expect.closeTo(3, 14)]);
  });
});
