/** The central-difference Hessian against closed forms. */
import { describe, expect, it } from 'vitest';
import { centralHessian, forwardHessianFromGradient } from '../../src/optimize/central-hessian.js';

describe('centralHessian', () => {
  it('is exact (to rounding) for a quadratic', () => {
    const Q = [
      [4, 1, -0.5],
      [1, 3, 0.25],
      [-0.5, 0.25, 2],
    ];
    const f = (x: Float64Array) => {
      let s = 0.7 * x[0] - x[2];
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += 0.5 * Q[i][j] * x[i] * x[j];
      return s;
    };
    const H = centralHessian(f, [0.3, -1.2, 2], 1e-3);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(H[i * 3 + j]).toBeCloseTo(Q[i][j], 6);
  });

  it('gives the central gradient of the same evaluations on request', () => {
    // f = x0^3 + x0 x1 + 2 x1^2: gradient (3 x0^2 + x1, x0 + 4 x1), central error h^2 in x0
    let calls = 0;
    const f = (x: Float64Array) => {
      calls++;
      return x[0] ** 3 + x[0] * x[1] + 2 * x[1] ** 2;
    };
    const g = new Float64Array(2);
    const H = centralHessian(f, [1, 2], 1e-3, g);
    expect(calls).toBe(1 + 2 * 3);
    expect(Math.abs(g[0] - 5)).toBeLessThan(2e-6);
    expect(Math.abs(g[1] - 9)).toBeLessThan(1e-8);
    expect(centralHessian(f, [1, 2], 1e-3)).toEqual(H);
  });

  it('has O(h^2) error on a smooth non-quadratic function, in 1 + d(d + 1) evaluations', () => {
    // f = exp(a'x) + sin(x0 x1 x2): the Hessian in closed form
    const a = [0.3, -0.2, 0.5];
    let calls = 0;
    const f = (x: Float64Array) => {
      calls++;
      return Math.exp(a[0] * x[0] + a[1] * x[1] + a[2] * x[2]) + Math.sin(x[0] * x[1] * x[2]);
    };
    const x = [0.4, 0.7, -0.5];
    const e = Math.exp(a[0] * x[0] + a[1] * x[1] + a[2] * x[2]);
    const p = x[0] * x[1] * x[2];
    const grad = [x[1] * x[2], x[0] * x[2], x[0] * x[1]];
    const exact = (i: number, j: number) => {
      const cross = i === j ? 0 : x[3 - i - j];
      return a[i] * a[j] * e - Math.sin(p) * grad[i] * grad[j] + Math.cos(p) * cross;
    };
    const errAt = (h: number) => {
      const H = centralHessian(f, x, h);
      let worst = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) worst = Math.max(worst, Math.abs(H[i * 3 + j] - exact(i, j)));
      return worst;
    };
    calls = 0;
    const e1 = errAt(1e-2);
    expect(calls).toBe(1 + 3 * 4);
    const e2 = errAt(5e-3);
    expect(e1).toBeLessThan(1e-4);
    // halving h divides the error by about 4
    expect(e1 / e2).toBeGreaterThan(3);
    expect(e1 / e2).toBeLessThan(5);
  });
});

describe('forwardHessianFromGradient', () => {
  it('hands back the gradient at the point, evaluated or given', () => {
    const g2 = (x: Float64Array) => Float64Array.of(2 * x[0] + 3 * x[1], 3 * x[0]);
    const out = new Float64Array(2);
    forwardHessianFromGradient(g2, [1, 2], 1e-4, undefined, out);
    expect(Array.from(out)).toEqual([8, 3]);
    forwardHessianFromGradient(g2, [1, 2], 1e-4, Float64Array.of(5, 6), out);
    expect(Array.from(out)).toEqual([5, 6]);
  });

  // f = exp(a'x) + sin(x0 x1 x2), its gradient in closed form
  const a = [0.3, -0.2, 0.5];
  let calls = 0;
  const g = (x: Float64Array) => {
    calls++;
    const e = Math.exp(a[0] * x[0] + a[1] * x[1] + a[2] * x[2]);
    const c = Math.cos(x[0] * x[1] * x[2]);
    return Float64Array.of(a[0] * e + c * x[1] * x[2], a[1] * e + c * x[0] * x[2], a[2] * e + c * x[0] * x[1]);
  };
  const x = [0.4, 0.7, -0.5];
  const e = Math.exp(a[0] * x[0] + a[1] * x[1] + a[2] * x[2]);
  const p = x[0] * x[1] * x[2];
  const grad = [x[1] * x[2], x[0] * x[2], x[0] * x[1]];
  const exact = (i: number, j: number) => a[i] * a[j] * e - Math.sin(p) * grad[i] * grad[j] + Math.cos(p) * (i === j ? 0 : x[3 - i - j]);
  const errAt = (h: number, g0?: Float64Array) => {
    const H = forwardHessianFromGradient(g, x, h, g0);
    let worst = 0;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        expect(H[i * 3 + j]).toBe(H[j * 3 + i]);
        worst = Math.max(worst, Math.abs(H[i * 3 + j] - exact(i, j)));
      }
    return worst;
  };

  it('has O(h) error against the closed form, in d + 1 gradient evaluations, and is symmetric', () => {
    calls = 0;
    const e1 = errAt(1e-3);
    expect(calls).toBe(3 + 1);
    const e2 = errAt(5e-4);
    expect(e1).toBeLessThan(1e-3);
    expect(e1 / e2).toBeGreaterThan(1.8);
    expect(e1 / e2).toBeLessThan(2.2);
    // at h = 1e-6 the error is near the gradient's rounding over h
    expect(errAt(1e-6)).toBeLessThan(1e-5);
  });

  it('uses a given gradient at the point instead of evaluating it (d evaluations)', () => {
    const g0 = g(Float64Array.from(x));
    calls = 0;
    const withG0 = forwardHessianFromGradient(g, x, 1e-4, g0);
    expect(calls).toBe(3);
    const without = forwardHessianFromGradient(g, x, 1e-4);
    expect(Array.from(withG0)).toEqual(Array.from(without));
  });
});

describe('forwardHessianFromGradient with assumed coordinates', () => {
  it('differences only the others, takes their columns for the cross terms and the given diagonal', () => {
    // f = 2 x0^2 + x0 x1 + 3 x1^2 + x1 x2: H = [[4, 1, 0], [1, 6, 1], [0, 1, 0]]
    let calls = 0;
    const g = (x: Float64Array) => {
      calls++;
      return Float64Array.of(4 * x[0] + x[1], x[0] + 6 * x[1] + x[2], x[1]);
    };
    const H = forwardHessianFromGradient(g, [3, -2, 5], 1e-3, undefined, undefined, { relativeStep: true, assumed: { coordinates: [1, 2], value: 7 } });
    expect(calls).toBe(2); // the gradient at the point and one column
    const want = [4, 1, 0, 1, 7, 0, 0, 0, 7];
    want.forEach((v, i) => expect(H[i]).toBeCloseTo(v, 9));
  });
});
