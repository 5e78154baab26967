import { describe, expect, it } from 'vitest';
import { minimizeScalar } from '../../src/optimize/minimize-scalar.js';

describe('minimizeScalar', () => {
  it('finds closed-form minima', () => {
    expect(minimizeScalar((x) => (x - 2) ** 2, 0, 5).x).toBeCloseTo(2, 8);
    // x log x has its minimum at 1/e.
    expect(minimizeScalar((x) => x * Math.log(x), 0.01, 3).x).toBeCloseTo(1 / Math.E, 8);
    // A minimum at the edge of the bracket.
    expect(minimizeScalar((x) => x, 1, 2).x).toBeCloseTo(1, 8);
  });
});
