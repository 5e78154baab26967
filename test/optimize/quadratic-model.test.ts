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

  describe('chord Newton (phases.chord)', () => {
    // f = y'Qy with y_i = x_i^2 - a_i: minimum at x_i = sqrt(a_i), Hessian there 8 Q_ij x_i x_j.
    const a = [4, 0.25, 1, 2.25, 0.5, 1.5];
    const k = a.length;
    const Q = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 + i / 2 : 0.3 / (1 + Math.abs(i - j)))));
    const f = (x: Float64Array) => {
      let s = 0;
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) s += Q[i][j] * (x[i] * x[i] - a[i]) * (x[j] * x[j] - a[j]);
      return s + 7;
    };
    const x0 = Float64Array.from(a, (v, i) => Math.sqrt(v) * (1 + 0.05 * (i % 2 ? 1 : -1)));
    const xhat = a.map(Math.sqrt);

    it('reaches the optimum of the full Newton polish in fewer evaluations', () => {
      const full = minimizeEven(f, x0, {}, { simplex: false });
      const chord = minimizeEven(f, x0, { differenceStep: 1e-3 }, { simplex: false, chord: true });
      // central differences at a step of 1e-3 leave a gradient error of h^2 f'''/6: the
      // optimum is exact to about 1e-6 (the full polish, at steps of 1e-4, to 1e-8)
      for (let i = 0; i < k; i++) {
        expect(Math.abs(Math.abs(chord.x[i]) - xhat[i])).toBeLessThan(2e-6);
        expect(Math.abs(Math.abs(full.x[i]) - xhat[i])).toBeLessThan(2e-8);
      }
      expect(chord.f - 7).toBeLessThan(1e-10);
      expect(chord.withinBudget).toBe(true);
      // the later iterations cost 2k evaluations instead of 2k + k(k-1)/2 (but the final
      // Hessian is central, 2k + k(k-1))
      expect(chord.evaluations).toBeLessThan(full.evaluations + k * (k - 1));
    });

    it('returns the Hessian of the optimum from central differences (O(h^2), not O(h))', () => {
      const chord = minimizeEven(f, x0, { differenceStep: 1e-3 }, { simplex: false, chord: true });
      let worst = 0;
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) {
          const exact = 8 * Q[i][j] * chord.x[i] * chord.x[j];
          worst = Math.max(worst, Math.abs(chord.hessian[i * k + j] - exact) / Math.abs(exact));
        }
      // forward cross differences at this step are off by about 1e-3 relative; the Hessian is
      // that of the point one converged Newton step before x (within 1e-4 here)
      expect(worst).toBeLessThan(1e-4);
      for (let i = 0; i < k; i++) expect(Math.abs(chord.gradient[i])).toBeLessThan(1e-4);
    });

    it('with finalCross false ends with a fresh gradient and diagonal only', () => {
      const withCross = minimizeEven(f, x0, { differenceStep: 1e-3 }, { simplex: false, chord: true });
      const without = minimizeEven(f, x0, { differenceStep: 1e-3 }, { simplex: false, chord: true, finalCross: false });
      for (let i = 0; i < k; i++) expect(Math.abs(Math.abs(without.x[i]) - xhat[i])).toBeLessThan(2e-6);
      expect(without.evaluations).toBeLessThan(withCross.evaluations);
      for (let i = 0; i < k; i++) {
        const exact = 8 * Q[i][i] * without.x[i] * without.x[i];
        expect(Math.abs(without.hessian[i * k + i] - exact) / exact).toBeLessThan(1e-4);
      }
    });
  });
});
