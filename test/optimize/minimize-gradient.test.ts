/** Quasi-Newton minimisation with an exact gradient, against closed-form minima. */
import { describe, expect, it } from 'vitest';
import { minimizeWithGradient } from '../../src/optimize/minimize-gradient.js';

/** f = (x - c)'Q(x - c)/2 + 5: minimum 5 at c, gradient Q(x - c). */
function quadratic(Q: number[][], c: number[]) {
  return (x: Float64Array) => {
    const g = Float64Array.from(Q, (row) => row.reduce((s, q, j) => s + q * (x[j] - c[j]), 0));
    let f = 5;
    for (let i = 0; i < c.length; i++) f += 0.5 * (x[i] - c[i]) * g[i];
    return { f, g };
  };
}

describe('minimizeWithGradient', () => {
  it('reaches the minimum of a quadratic in one Newton step after the starting Hessian (d + 2 evaluations)', () => {
    const Q = [
      [4, 1, -0.5],
      [1, 3, 0.25],
      [-0.5, 0.25, 2],
    ];
    const c = [0.7, -1.3, 2.1];
    const fg = quadratic(Q, c);
    const r = minimizeWithGradient(fg, [0, 0, 0]);
    expect(r.converged).toBe(true);
    r.x.forEach((v, i) => expect(v).toBeCloseTo(c[i], 9));
    expect(r.f).toBeCloseTo(5, 12);
    expect(r.iterations).toBe(1);
    expect(r.evaluations).toBe(3 + 2); // start, 3 for the Hessian, the step
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(r.hessian[i * 3 + j]).toBeCloseTo(Q[i][j], 6);
  });

  it('with assumed curvature, differences only the other coordinates and still takes the exact Newton step', () => {
    // coordinates 1 and 2 have curvature 2 and no coupling between them: their block is 2I, so
    // the assumed Hessian is exact and one step reaches the minimum
    const Q = [
      [4, 1, -0.5],
      [1, 2, 0],
      [-0.5, 0, 2],
    ];
    const c = [0.7, -1.3, 2.1];
    const fg = quadratic(Q, c);
    const r = minimizeWithGradient(fg, [0, 0, 0], { assumedCurvature: { coordinates: [1, 2], value: 2 } });
    expect(r.converged).toBe(true);
    r.x.forEach((v, i) => expect(v).toBeCloseTo(c[i], 9));
    expect(r.iterations).toBe(1);
    expect(r.evaluations).toBe(1 + 1 + 1); // start, 1 for the Hessian's first column, the step
    // a wrong assumption still converges, through the line search and BFGS updates
    const off = minimizeWithGradient(fg, [0, 0, 0], { assumedCurvature: { coordinates: [1, 2], value: 40 }, valueNoise: 1e-20 });
    expect(off.converged).toBe(true);
    off.x.forEach((v, i) => expect(v).toBeCloseTo(c[i], 6));
    expect(off.iterations).toBeGreaterThan(1);
  });

  it('converges on a non-quadratic function (Rosenbrock) with a line search and BFGS updates', () => {
    const fg = (x: Float64Array) => ({
      f: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2,
      g: Float64Array.of(-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)),
    });
    const r = minimizeWithGradient(fg, [-1.2, 1], { valueNoise: 1e-20, maxEvaluations: 500 });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
    expect(r.evaluations).toBeLessThan(500);
  });

  it('stops at its budget without claiming convergence', () => {
    const fg = (x: Float64Array) => ({ f: Math.cosh(x[0]) + x[1] ** 4, g: Float64Array.of(Math.sinh(x[0]), 4 * x[1] ** 3) });
    const r = minimizeWithGradient(fg, [3, 2], { maxEvaluations: 4 });
    expect(r.converged).toBe(false);
    expect(r.evaluations).toBeLessThanOrEqual(4);
  });
});
