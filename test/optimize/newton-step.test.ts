import { describe, expect, it } from 'vitest';
import { regularisedNewtonDirection, relativeNewtonStep } from '../../src/optimize/newton-step.js';

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

describe('regularisedNewtonDirection', () => {
  it('is -H^-1 g for a positive definite H', () => {
    const p = new Float64Array(2);
    // H = [[4, 2], [2, 3]], H^-1 = [[3, -2], [-2, 4]] / 8
    expect(regularisedNewtonDirection(Float64Array.of(4, 2, 2, 3), Float64Array.of(1, 2), 2, new Float64Array(4), p, 1e-10)).toBe(true);
    expect(p[0]).toBeCloseTo(-(3 - 4) / 8, 15);
    expect(p[1]).toBeCloseTo(-(-2 + 8) / 8, 15);
  });
  it('shifts an indefinite H by the first of max(1e-8 max|H_ii|, minShift) times 10^j that makes it positive definite', () => {
    // H = diag(1, -1e-7): shifts 1e-8 (fails: -9e-8), 1e-7 (fails: 0), 1e-6 (succeeds: 9e-7).
    const p = new Float64Array(2);
    const L = new Float64Array(4);
    expect(regularisedNewtonDirection(Float64Array.of(1, 0, 0, -1e-7), Float64Array.of(1, 9e-7), 2, L, p, 1e-10)).toBe(true);
    expect(L[3] * L[3]).toBeCloseTo(9e-7, 18);
    expect(p[0]).toBeCloseTo(-1 / (1 + 1e-6), 14);
    expect(p[1]).toBeCloseTo(-1, 9);
  });
  it('returns false (after a bounded number of factorisations) when no shift helps', () => {
    const p = new Float64Array(2);
    expect(regularisedNewtonDirection(Float64Array.of(1, Number.NaN, Number.NaN, 1), Float64Array.of(1, 1), 2, new Float64Array(4), p, 1e-8)).toBe(false);
  });
});
