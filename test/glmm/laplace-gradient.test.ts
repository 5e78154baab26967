/**
 * The analytic gradient of the Laplace deviance against central differences of the Laplace
 * deviance itself (Richardson-extrapolated, so the truncation error is O(h^4)), at the points of
 * the glmer fixtures where glmer's devFunOnly was evaluated away from the optimum.
 */
import { describe, expect, it } from 'vitest';
import { prepareGlmm } from '../../src/glmm/glmm-model.js';
import { hasLaplaceGradient, laplaceGradient } from '../../src/glmm/laplace-gradient.js';
import { Pirls } from '../../src/glmm/pirls.js';
import { loadGlmmFixture } from '../helpers/glmm-fixtures.js';

// grouseticks and VerbAgg take a second or two each: `npm run test:glmm` (and CI).
const cases = process.env.VARDECOMP_GLMM_ALL
  ? ['cbpp', 'england-poisson', 'england-poisson-olre', 'grouseticks', 'verbagg']
  : ['cbpp', 'england-poisson', 'england-poisson-olre'];

/** Richardson-extrapolated central difference of f along coordinate i at x. */
function derivative(f: (x: number[]) => number, x: number[], i: number): number {
  const h = 1e-3 * Math.max(1, Math.abs(x[i]));
  const cd = (s: number) => {
    const a = x.slice();
    const b = x.slice();
    a[i] += s;
    b[i] -= s;
    return (f(a) - f(b)) / (2 * s);
  };
  return (4 * cd(h / 2) - cd(h)) / 3;
}

function setUp(name: string) {
  const { fixture, table } = loadGlmmFixture(name);
  const model = prepareGlmm(table, fixture.formula, { family: fixture.family });
  const pirls = new Pirls(model);
  const k = fixture.theta.length;
  // (theta in engine order, beta) -> Laplace deviance, and the analytic gradient there.
  const split = (x: number[]) => ({ theta: Float64Array.from(x.slice(0, k)), beta: Float64Array.from(x.slice(k)) });
  const deviance = (x: number[]) => {
    const { theta, beta } = split(x);
    return pirls.run(theta, beta).deviance;
  };
  const gradient = (x: number[]) => {
    const { theta, beta } = split(x);
    pirls.run(theta, beta);
    const u = new Float64Array(pirls.modeCount);
    pirls.saveModes(u);
    const g = laplaceGradient(model, theta, pirls.state().mu, u);
    return [...g.theta, ...g.beta];
  };
  const points = fixture.laplaceAt.map((pt) => [...model.terms.toEngine(Float64Array.from(pt.theta)), ...pt.beta]);
  return { model, deviance, gradient, points, k };
}

describe.each(cases)('laplaceGradient: %s', (name) => {
  const { model, deviance, gradient, points, k } = setUp(name);

  it('applies (scalar random intercepts, canonical link)', () => {
    expect(hasLaplaceGradient(model)).toBe(true);
  });

  it('equals central differences of the Laplace deviance to 1e-6 relative in every coordinate', () => {
    // laplaceAt[0] is glmer's optimum (gradient about 0: differences only measure PIRLS noise).
    for (const x of points.slice(1)) {
      const g = gradient(x);
      x.forEach((_, i) => {
        const fd = derivative(deviance, x, i);
        expect(Math.abs(g[i] - fd)).toBeLessThanOrEqual(1e-6 * Math.abs(fd));
      });
    }
  });

  it('is 0 in a theta at the boundary (the deviance is even there) and exact in the others', () => {
    const x = points[1].slice();
    x[0] = 0;
    const g = gradient(x);
    expect(g[0]).toBe(0);
    for (let i = 1; i < x.length; i++) {
      const fd = derivative(deviance, x, i);
      expect(Math.abs(g[i] - fd)).toBeLessThanOrEqual(1e-6 * Math.abs(fd) + (i < k ? 0 : 1e-9 * Math.abs(deviance(x))));
    }
  });
});

describe('laplaceGradient: models it does not cover', () => {
  it('a random slope is E_UNSUPPORTED', () => {
    const { fixture, table } = loadGlmmFixture('cbpp');
    const model = prepareGlmm(table, 'cbind(incidence, size - incidence) ~ period + (1 + size | herd)', { family: fixture.family });
    expect(hasLaplaceGradient(model)).toBe(false);
    expect(() => laplaceGradient(model, [1, 0, 1], new Float64Array(model.n), new Float64Array(30))).toThrow(
      expect.objectContaining({ code: 'E_UNSUPPORTED' }),
    );
  });
});
