/**
 * Numerical robustness: large offsets, badly scaled covariates, extreme variance ratios, sparse
 * designs, and the degenerate designs that must be refused.
 */
import { describe, expect, it } from 'vitest';
import { fit, type LmmFit } from '../../src/index.js';
import { Rng } from '../../src/random/index.js';
import { expectError, panelRows, relDiff } from './helpers.js';

const F = 'y ~ x + (1 | unit) + (1 | period)';
const rows = panelRows({ units: 40, periods: 6, seed: 5 });
const base = fit(rows, F);
const baseML = fit(rows, F, { reml: false });

function expectSameTheta(a: LmmFit, b: LmmFit, tol = 1e-6): void {
  for (const g of a.groups) expect(relDiff(a.theta[g], b.theta[g]), g).toBeLessThan(tol);
}

/** y = mu + u_i + v_t + e with independent x; the sds are chosen by the test. */
function componentsPanel(units: number, periods: number, sdUnit: number, sdPeriod: number, sdResidual: number, seed: number) {
  const rng = new Rng(seed);
  const u = Array.from({ length: units }, () => sdUnit * rng.normal());
  const v = Array.from({ length: periods }, () => sdPeriod * rng.normal());
  const out: Array<{ y: number; x: number; unit: number; period: number }> = [];
  for (let i = 0; i < units; i++) {
    for (let t = 0; t < periods; t++) {
      const x = rng.normal();
      out.push({ y: 3 + 0.5 * x + u[i] + v[t] + sdResidual * rng.normal(), x, unit: i, period: t });
    }
  }
  return out;
}

describe('large offsets and bad scaling fit as accurately as the rescaled problem', () => {
  it.each([1e6, -1e6, 1e9])('outcome offset %d', (offset) => {
    for (const [ref, reml] of [
      [base, true],
      [baseML, false],
    ] as const) {
      const m = fit(
        rows.map((r) => ({ ...r, y: offset + (r.y as number) })),
        F,
        { reml },
      );
      expectSameTheta(m, ref);
      expect(relDiff(m.sigma, ref.sigma)).toBeLessThan(1e-6);
      expect(relDiff(m.beta.x, ref.beta.x)).toBeLessThan(1e-6);
      expect(Math.abs(m.beta['(Intercept)'] - offset - ref.beta['(Intercept)'])).toBeLessThan(1e-6 * Math.abs(offset) * 1e-3 + 1e-6);
      expect(relDiff(m.se.x, ref.se.x)).toBeLessThan(1e-6);
      expect(m.converged).toBe(true);
    }
  });

  it.each([1e-6, 1e6, 1e-9, 1e9])('covariate scaled by %d', (s) => {
    const m = fit(
      rows.map((r) => ({ ...r, x: s * (r.x as number) })),
      F,
    );
    expectSameTheta(m, base);
    expect(relDiff(m.sigma, base.sigma)).toBeLessThan(1e-6);
    expect(relDiff(m.beta.x * s, base.beta.x)).toBeLessThan(1e-6);
    expect(relDiff(m.se.x * s, base.se.x)).toBeLessThan(1e-6);
    expect(relDiff(m.beta['(Intercept)'], base.beta['(Intercept)'])).toBeLessThan(1e-6);
    // REML criterion shifts by log s^2 (x -> s x multiplies det R_X by s); the ML deviance does not move.
    expect(relDiff(m.remlCriterion!, base.remlCriterion! + Math.log(s * s))).toBeLessThan(1e-9);
    const ml = fit(
      rows.map((r) => ({ ...r, x: s * (r.x as number) })),
      F,
      { reml: false },
    );
    expect(relDiff(ml.deviance!, baseML.deviance!)).toBeLessThan(1e-9);
    expectSameTheta(ml, baseML);
    expect(m.diagnostics.map((d) => d.code)).not.toContain('RANK_DEFICIENT');
  });

  it('covariate with a large offset (x ~ 1e6 + O(1))', () => {
    const m = fit(
      rows.map((r) => ({ ...r, x: 1e6 + (r.x as number) })),
      F,
    );
    expectSameTheta(m, base);
    expect(relDiff(m.beta.x, base.beta.x)).toBeLessThan(1e-6);
    expect(relDiff(m.remlCriterion!, base.remlCriterion!)).toBeLessThan(1e-9);
  });

  it('outcome at the 1e-6 and 1e6 scale', () => {
    for (const s of [1e-6, 1e6]) {
      const m = fit(
        rows.map((r) => ({ ...r, y: s * (r.y as number) })),
        F,
      );
      expectSameTheta(m, base);
      expect(relDiff(m.sigma, s * base.sigma, 0)).toBeLessThan(1e-6);
    }
  });
});

describe('extreme variance ratios', () => {
  it('unit variance 1e-8 of the residual: near-singular, no error, consistent diagnostics', () => {
    const data = componentsPanel(60, 30, 1e-4, 0.5, 1, 3);
    const m = fit(data, F);
    expect(m.converged).toBe(true);
    expect(m.theta.unit).toBeLessThan(0.1);
    expect(m.isSingular).toBe(m.theta.unit < 1e-4 || m.theta.period < 1e-4);
    expect(m.diagnostics.some((d) => d.code === 'SINGULAR' && d.message.includes('"unit"'))).toBe(m.theta.unit < 1e-4);
    expect(m.diagnostics.map((d) => d.code)).not.toContain('NOT_CONVERGED');
    expect(relDiff(m.sigma, 1)).toBeLessThan(0.05);
  });

  it('unit variance 1e8 times the residual: dominating, no error, accurate', () => {
    const data = componentsPanel(60, 6, 1e4, 1, 1, 4);
    const m = fit(data, F);
    expect(m.converged).toBe(true);
    expect(m.diagnostics.map((d) => d.code)).toEqual([]);
    expect(m.theta.unit).toBeGreaterThan(5e3);
    expect(m.theta.unit).toBeLessThan(2e4);
    expect(relDiff(m.sigma, 1)).toBeLessThan(0.15);
    expect(relDiff(m.beta.x, 0.5, 0)).toBeLessThan(0.2);
    // Rescaling the outcome gives the same optimum. At theta ~ 1e4 the criterion is flat in
    // theta (a 0.1% change moves it by 1e-4), so the optimiser pins theta down only to ~1e-3
    // relative; the criterion values agree far more closely.
    const scaled = fit(
      data.map((r) => ({ ...r, y: r.y * 1e-4 })),
      F,
    );
    expectSameTheta(scaled, m, 1e-3);
    expect(Math.abs(m.objective(scaled.theta) - m.remlCriterion!)).toBeLessThan(1e-4);
  });

  it('residual variance 1e-8 of the unit variance with ML', () => {
    const data = componentsPanel(40, 8, 1, 0.3, 1e-4, 6);
    const m = fit(data, F, { reml: false });
    expect(m.converged).toBe(true);
    expect(Number.isFinite(m.deviance!)).toBe(true);
    expect(relDiff(m.sigma, 1e-4, 0)).toBeLessThan(0.15);
  });
});

describe('sparse designs', () => {
  it('many units observed once among units observed repeatedly, with a crossed period factor', () => {
    const rng = new Rng(8);
    const data: Array<{ y: number; unit: string; period: number }> = [];
    const v = [0.3, -0.2, 0.5, 0.1, -0.6];
    for (let i = 0; i < 3000; i++) {
      const u = rng.normal();
      const times = i % 10 < 7 ? 1 : 2 + (i % 4);
      for (let t = 0; t < times; t++) data.push({ y: u + v[t] + 0.7 * rng.normal(), unit: `U${i}`, period: t });
    }
    const m = fit(data, 'y ~ (1 | unit) + (1 | period)');
    expect(m.converged).toBe(true);
    expect(m.ngroups.unit).toBe(3000);
    expect(relDiff(m.theta.unit, 1 / 0.7, 0)).toBeLessThan(0.25);
    expect(m.diagnostics.filter((d) => d.level === 'warning').map((d) => d.code)).toEqual([]);
  });

  it('every unit observed once: the unit variance is not identifiable (E_LEVELS, as lme4), even with a crossed factor', () => {
    const data = Array.from({ length: 2000 }, (_, i) => ({ y: Math.sin(i) * 3 + (i % 7), unit: `u${i}`, period: i % 7 }));
    let e = expectError(() => fit(data, 'y ~ (1 | unit) + (1 | period)'), 'E_LEVELS');
    expect(e.message).toContain('"unit" has 2000 levels for 2000 rows');
    e = expectError(() => fit(data, 'y ~ (1 | unit)'), 'E_LEVELS');
    expect(e.detail?.column).toBe('unit');
    // Without the unit term the same data fit.
    expect(fit(data, 'y ~ (1 | period)').ngroups.period).toBe(7);
  });

  it('a single period with many units and a (1 | period) term names period', () => {
    const data = panelRows({ units: 200, periods: 1, seed: 2 });
    const e = expectError(() => fit(data, 'y ~ x + (1 | region) + (1 | period)'), 'E_LEVELS');
    expect(e.message).toContain('only one level ("2000")');
    expect(e.message).toContain('"period"');
    expect(e.detail?.column).toBe('period');
  });

  it('crossed factors that together interpolate every row are refused (E_LEVELS)', () => {
    // 6 rows, 4 units x 2 periods, one covariate: [X Z] has rank 6.
    const data = [
      { y: 1.2, x: 0.3, unit: 'a', period: 1 },
      { y: 2.1, x: -1.1, unit: 'a', period: 2 },
      { y: 0.4, x: 0.9, unit: 'b', period: 1 },
      { y: 1.9, x: 0.2, unit: 'c', period: 2 },
      { y: 3.3, x: -0.4, unit: 'd', period: 1 },
      { y: 2.2, x: 1.7, unit: 'd', period: 2 },
    ];
    const e = expectError(() => fit(data, 'y ~ x + (1 | unit) + (1 | period)'), 'E_LEVELS');
    expect(e.message).toContain('"unit", "period"');
    // One more row leaves a residual degree of freedom.
    const m = fit([...data, { y: 0.5, x: 0.1, unit: 'b', period: 2 }], 'y ~ x + (1 | unit) + (1 | period)');
    expect(Number.isFinite(m.remlCriterion!)).toBe(true);
  });

  it('a sparse design whose covariates are collinear with the units passes the exact check', () => {
    const region = ['A', 'B', 'C', 'A'];
    const data = [];
    for (let u = 0; u < 4; u++) {
      for (let t = 0; t < 2; t++) data.push({ y: Math.sin(u * 3 + t * 7) + u, x: Math.cos(u * 5 + t), unit: `u${u}`, period: t, region: region[u] });
    }
    const m = fit(data, 'y ~ x + region + (1 | unit) + (1 | period)');
    expect(Number.isFinite(m.remlCriterion!)).toBe(true);
    expect(m.diagnostics.map((d) => d.code)).toContain('FEW_LEVELS');
  });
});
