/** Warm starts for PIRLS: the linear model from a centre and its coordinate probes. */
import { describe, expect, it } from 'vitest';
import { ModePredictor } from '../../src/glmm/mode-predictor.js';

// Modes that are an affine function of the point are predicted exactly from a centre's probes.
const A = [
  [1, -2, 0.5],
  [0.3, 0.7, -1],
  [2, 0, 0.1],
  [-0.4, 1.1, 0.9],
];
const c = [0.2, -0.1, 0.05, 1];
const affine = (x: ArrayLike<number>) => Float64Array.from(A, (row, l) => c[l] + row[0] * x[0] + row[1] * x[1] + row[2] * x[2]);
// A curved function: the linear prediction is second-order close, the nearest point first-order.
const curved = (x: ArrayLike<number>) => Float64Array.of(Math.exp(x[0]) * x[1], Math.sin(x[0] + 2 * x[1]) + x[2] * x[2], x[0] * x[2]);

describe('ModePredictor', () => {
  it('predicts nothing before anything is recorded', () => {
    const pred = new ModePredictor(3, 4);
    expect(pred.predict([0, 0, 0], new Float64Array(4))).toBe(false);
  });

  it('is exact for affine modes at minus probes, cross probes and line-search points', () => {
    const pred = new ModePredictor(3, 4);
    const x0 = [1, 2, 3];
    const h = 1e-3;
    pred.record(x0, affine(x0));
    for (let i = 0; i < 3; i++) {
      const xp = x0.slice();
      xp[i] += h;
      pred.record(xp, affine(xp));
    }
    const out = new Float64Array(4);
    const points = [
      [1 - h, 2, 3], // minus probe (one-sided slope)
      [1 + h, 2 + h, 3], // forward cross probe
      [1 + 0.01, 2 - 0.02, 3 + 0.005], // a line-search trial from the centre
    ];
    for (const x of points) {
      expect(pred.predict(x, out)).toBe(true);
      const exact = affine(x);
      for (let l = 0; l < 4; l++) expect(out[l]).toBeCloseTo(exact[l], 10);
    }
  });

  it('on curved modes is second-order close where the nearest point is only first-order', () => {
    const pred = new ModePredictor(3, 3);
    const x0 = [0.4, -0.3, 0.8];
    const h = 1e-3;
    pred.record(x0, curved(x0));
    for (let i = 0; i < 3; i++) {
      for (const s of [h, -h]) {
        const xp = x0.slice();
        xp[i] += s;
        pred.record(xp, curved(xp));
      }
    }
    const x = [0.4 + h, -0.3 - h, 0.8];
    const out = new Float64Array(3);
    pred.predict(x, out);
    const exact = curved(x);
    const nearest = curved([0.4 + h, -0.3, 0.8]);
    let errLinear = 0;
    let errNearest = 0;
    for (let l = 0; l < 3; l++) {
      errLinear = Math.max(errLinear, Math.abs(out[l] - exact[l]));
      errNearest = Math.max(errNearest, Math.abs(nearest[l] - exact[l]));
    }
    expect(errLinear).toBeLessThan(1e-5);
    expect(errNearest).toBeGreaterThan(1e-4);
  });

  it('falls back to the nearest point when no centre has the probes, and forgets the oldest', () => {
    const pred = new ModePredictor(2, 1, 2);
    pred.record([0, 0], [10]);
    pred.record([1, 1], [20]);
    const out = new Float64Array(1);
    pred.predict([0.9, 0.8], out);
    expect(out[0]).toBe(20);
    pred.record([5, 5], [30]); // capacity 2: [0, 0] is forgotten
    pred.predict([0.1, 0], out);
    expect(out[0]).toBe(20);
  });
});

describe('Pirls from given modes', () => {
  it('reaches the same Laplace deviance from saved modes, in fewer iterations (cbpp)', async () => {
    const { fitFixture } = await import('../helpers/glmm-fixtures.js');
    const { Pirls } = await import('../../src/glmm/pirls.js');
    const { m, fixture } = fitFixture('cbpp');
    const pirls = new Pirls(m.model);
    const theta = Float64Array.from(fixture.optimum.theta);
    const beta = Float64Array.from(fixture.optimum.beta);
    const cold = pirls.run(theta, beta);
    const saved = new Float64Array(pirls.modeCount);
    pirls.saveModes(saved);
    pirls.reset();
    pirls.run(Float64Array.from(theta, (t) => t * 1.5), beta); // move the modes elsewhere
    pirls.loadModes(saved);
    const warm = pirls.run(theta, beta);
    expect(Math.abs(warm.deviance - cold.deviance)).toBeLessThan(1e-10 * cold.deviance);
    expect(warm.iterations).toBeLessThan(cold.iterations);
    expect(Math.abs(cold.deviance - fixture.optimum.deviance)).toBeLessThan(1e-8 * fixture.optimum.deviance);
  });

  it('ends with one factorisation after a small full step: the deviance is that of the fixed point (England)', async () => {
    const { fitFixture } = await import('../helpers/glmm-fixtures.js');
    const { Pirls } = await import('../../src/glmm/pirls.js');
    const { m, fixture } = fitFixture('england-poisson');
    const pirls = new Pirls(m.model);
    const theta = Float64Array.from(fixture.optimum.theta);
    const beta = Float64Array.from(fixture.optimum.beta);
    const ref = pirls.run(theta, beta);
    // converge again from the fixed point itself (a step far below the tolerances)
    const again = pirls.run(theta, beta);
    expect(again.iterations).toBeLessThanOrEqual(2);
    expect(Math.abs(again.deviance - ref.deviance)).toBeLessThan(1e-11 * ref.deviance);
    const saved = new Float64Array(pirls.modeCount);
    for (const scale of [1e-9, 1e-6, 1e-3]) {
      pirls.saveModes(saved);
      pirls.loadModes(saved.map((v, l) => v * (1 + scale * Math.sin(l))));
      const r = pirls.run(theta, beta);
      expect(r.converged).toBe(true);
      expect(Math.abs(r.deviance - ref.deviance)).toBeLessThan(1e-11 * ref.deviance);
      expect(Math.abs(r.ldL2 - ref.ldL2)).toBeLessThan(1e-10 * Math.abs(ref.ldL2));
    }
  });
});
