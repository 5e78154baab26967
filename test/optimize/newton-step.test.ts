import { describe, expect, it } from 'vitest';
import { relativeNewtonStep } from '../../src/optimize/newton-step.js';

describe('relativeNewtonStep', () => {
  const H = Float64Array.of(2, 0.3, 0.3, 4);
  it('is the largest |g_i / H_ii| / max(1, |x_i|) over the free coordinates', () => {
    expect(relativeNewtonStep([1e-6, 4e-3], H, [0.5, 10], [0, 1], 2)).toBeCloseTo(1e-4, 15);
    expect(relativeNewtonStep([1e-6, 4e-3], H, [0.5, 10], [0], 2)).toBeCloseTo(5e-7, 18);
  });
  it('is Infinity where a free diagonal curvature is not positive', () => {
    expect(relativeNewtonStep([0, 0], [1, 0, 0, 0], [1, 1], [0, 1], 2)).toBe(Infinity);
    expect(relativeNewtonStep([0, 0], [1, 0, 0, Number.NaN], [1, 1], [0], 2)).toBe(0);
  });
});
