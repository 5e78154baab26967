/** The quadratic-model trust-region search and the two-phase minimiser on closed-form problems. */
import { describe, expect, it } from 'vitest';
import { quadraticModelSearch } from '../../src/optimize/quadratic-model.js';
import { minimizeEven } from '../../src/optimize/minimize.js';

const control = { radius: 0.1, minRadius: 1e-9, valueTolerance: 0, maxEvaluations: 500 };

describe('quadraticModelSearch', () => {
  it('finds the minimum of a quadratic in a handful of evaluations beyond the initial model', () => {
    const f = (x: Float64Array) => (x[0] - 1) ** 2 + 10 * (x[1] + 2) ** 2 + (x[0] - 1) * (x[1] + 2) + 3;
    const r = quadraticModelSearch(f, Float64Array.of(0, 0), control);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(-2, 6);
    expect(r.f).toBeCloseTo(3, 10);
    // the initial model is exact: after its 6 points the steps are exact up to the trust radius
    expect(r.evaluations).toBeLessThan(60);
  });

  it('minimises the Rosenbrock function from the usual start', () => {
    const f = (x: Float64Array) => 100 * (x[1] - x[0] * x[0]) ** 2 + (1 - x[0]) ** 2;
    const r = quadraticModelSearch(f, Float64Array.of(-1.2, 1), { ...control, maxEvaluations: 2000 });
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
  });

  it('reaches a stationary point at 0 of an even function (a variance on the boundary)', () => {
    const f = (x: Float64Array) => Math.log(1 + x[0] ** 2) + (x[1] ** 2 - 0.25) ** 2 + x[2] ** 4;
    const r = quadraticModelSearch(f, Float64Array.of(0.7, 1.3, 0.4), control);
    expect(Math.abs(r.x[0])).toBeLessThan(1e-4);
    expect(Math.abs(Math.abs(r.x[1]) - 0.5)).toBeLessThan(1e-5);
    expect(Math.abs(r.x[2])).toBeLessThan(0.05); // quartic: flat, the value is what matters
    expect(r.f).toBeLessThan(1e-5);
  });

  it('stops at its evaluation budget and treats NaN as +Infinity', () => {
    let calls = 0;
    const r = quadraticModelSearch(
      (x) => {
        calls++;
        return x[0] > 2 ? Number.NaN : (x[0] - 1.5) ** 2;
      },
      Float64Array.of(0),
      { ...control, maxEvaluations: 12 },
    );
    expect(calls).toBeLessThanOrEqual(13);
    expect(r.evaluations).toBe(calls);
    expect(Number.isFinite(r.f)).toBe(true);
  });
});

describe('minimizeEven', () => {
  it('converges an even function with interacting coordinates to working precision', () => {
    // f depends on squares only; minimum at |x| = (2, 0.5, 0) with value -1
    const f = (x: Float64Array) => {
      const a = x[0] * x[0];
      const b = x[1] * x[1];
      const c = x[2] * x[2];
      return (a - 4) ** 2 + 3 * (b - 0.25) ** 2 + (a - 4) * (b - 0.25) + Math.log1p(c) - 1;
    };
    const r = minimizeEven(f, Float64Array.of(1, 1, 1));
    expect(Math.abs(r.x[0])).toBeCloseTo(2, 7);
    expect(Math.abs(r.x[1])).toBeCloseTo(0.5, 7);
    expect(Math.abs(r.x[2])).toBeLessThan(1e-6);
    expect(r.f).toBeCloseTo(-1, 12);
    expect(r.withinBudget).toBe(true);
    // the gradient at the optimum vanishes and the Hessian is positive there
    for (let i = 0; i < 2; i++) expect(Math.abs(r.gradient[i])).toBeLessThan(1e-6);
    expect(r.hessian[0]).toBeGreaterThan(0);
  });
});
