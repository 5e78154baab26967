/**
 * Notable conditions of a fit are returned as diagnostics, never thrown: rank-deficient fixed
 * effects, singular fits, few levels, dropped rows and the evaluation limit.
 */
import { describe, expect, it } from 'vitest';
import { fit, type LmmFit } from '../../src/index.js';
import { panelRows, relDiff } from './helpers.js';

const rows = panelRows({ units: 15, periods: 6, seed: 4 });
const codes = (m: LmmFit) => m.diagnostics.map((d) => d.code);
const find = (m: LmmFit, code: string) => m.diagnostics.find((d) => d.code === code);

function expectSameFit(a: LmmFit, b: LmmFit, names: readonly string[], tol = 1e-9): void {
  for (const g of a.groups) expect(relDiff(a.theta[g], b.theta[g])).toBeLessThan(tol);
  expect(relDiff(a.sigma, b.sigma)).toBeLessThan(tol);
  expect(relDiff(a.logLik, b.logLik)).toBeLessThan(tol);
  for (const nm of names) {
    expect(relDiff(a.beta[nm], b.beta[nm])).toBeLessThan(tol);
    expect(relDiff(a.se[nm], b.se[nm])).toBeLessThan(tol);
  }
}

describe('rank-deficient fixed effects are dropped with a diagnostic', () => {
  const reference = fit(rows, 'y ~ x + (1 | unit) + (1 | period)');
  const refML = fit(rows, 'y ~ x + (1 | unit) + (1 | period)', { reml: false });

  it('a duplicated covariate', () => {
    const data = rows.map((r) => ({ ...r, x2: r.x }));
    for (const reml of [true, false]) {
      const m = fit(data, 'y ~ x + x2 + (1 | unit) + (1 | period)', { reml });
      const d = find(m, 'RANK_DEFICIENT');
      expect(d?.level).toBe('warning');
      expect(d?.message).toContain('"x2"');
      expect(m.betaNames).toEqual(['(Intercept)', 'x']);
      expect(m.beta).not.toHaveProperty('x2');
      expectSameFit(m, reml ? reference : refML, ['(Intercept)', 'x']);
      expect(relDiff((reml ? m.remlCriterion : m.deviance)!, (reml ? reference.remlCriterion : refML.deviance)!)).toBeLessThan(1e-10);
    }
  });

  it('a covariate collinear with others (z = 3 - 2 x + w)', () => {
    const data = rows.map((r, i) => {
      const w = Math.sin(i);
      return { ...r, w, z: 3 - 2 * (r.x as number) + w };
    });
    const without = fit(data, 'y ~ x + w + (1 | unit) + (1 | period)');
    const m = fit(data, 'y ~ x + w + z + (1 | unit) + (1 | period)');
    expect(find(m, 'RANK_DEFICIENT')?.message).toContain('"z"');
    expect(m.betaNames).toEqual(['(Intercept)', 'x', 'w']);
    expectSameFit(m, without, without.betaNames);
  });

  it('a covariate that is constant (collinear with the intercept)', () => {
    const m = fit(rows.map((r) => ({ ...r, k: 7 })), 'y ~ x + k + (1 | unit) + (1 | period)');
    expect(find(m, 'RANK_DEFICIENT')?.message).toContain('"k"');
    expectSameFit(m, reference, ['(Intercept)', 'x']);
  });

  it('a categorical covariate duplicating another names the dropped dummies', () => {
    const data = rows.map((r) => ({ ...r, zone: `Z${r.region}` }));
    const without = fit(data, 'y ~ x + region + (1 | unit)');
    const m = fit(data, 'y ~ x + region + zone + (1 | unit)');
    const d = find(m, 'RANK_DEFICIENT');
    expect(d?.message).toContain('"zoneZR1"');
    expect(d?.message).toContain('"zoneZR2"');
    expectSameFit(m, without, without.betaNames);
  });

  it('a categorical covariate collinear with the unit factor is fine (IMD-like)', () => {
    // region and a unit-level score are constant within units: collinear with the random unit
    // effects but not with X, so nothing is dropped.
    const score = new Map<string, number>();
    const data = rows.map((r) => {
      if (!score.has(r.unit)) score.set(r.unit, Math.cos(score.size * 1.7) * 10 + 20);
      return { ...r, imd: score.get(r.unit)! };
    });
    const m = fit(data, 'y ~ x + region + imd + (1 | unit) + (1 | period)');
    expect(codes(m)).not.toContain('RANK_DEFICIENT');
    expect(m.betaNames).toEqual(['(Intercept)', 'x', 'regionR1', 'regionR2', 'imd']);
    expect(m.converged).toBe(true);
    for (const v of Object.values(m.se)) expect(Number.isFinite(v) && v > 0).toBe(true);
  });
});

describe('diagnostics as data', () => {
  it('a singular fit names the group', () => {
    const data = panelRows({ units: 15, periods: 6, seed: 2, sdPeriod: 0 });
    const m = fit(data, 'y ~ x + (1 | unit) + (1 | period)');
    expect(m.theta.period).toBe(0);
    expect(m.isSingular).toBe(true);
    const d = find(m, 'SINGULAR');
    expect(d?.level).toBe('warning');
    expect(d?.message).toContain('"period"');
    expect(d?.message).not.toContain('"unit"');
    expect(m.summary()).toContain('SINGULAR');
  });

  it('fewer than 5 levels gives a warning naming the group', () => {
    const m = fit(rows, 'y ~ x + (1 | unit) + (1 | region)');
    const few = m.diagnostics.filter((d) => d.code === 'FEW_LEVELS');
    expect(few).toHaveLength(1);
    expect(few[0].level).toBe('warning');
    expect(few[0].message).toContain('"region" has 3 levels');
    expect(codes(fit(rows, 'y ~ x + (1 | unit) + (1 | period)'))).not.toContain('FEW_LEVELS');
  });

  it('dropped rows are reported with per-column counts', () => {
    const data = rows.map((r, i) => ({
      ...r,
      y: i % 10 === 0 ? null : r.y,
      x: i % 15 === 1 ? NaN : r.x,
      period: i === 2 ? undefined : r.period,
    }));
    const m = fit(data, 'y ~ x + (1 | unit) + (1 | period)');
    const d = find(m, 'DROPPED_ROWS');
    expect(d?.level).toBe('info');
    expect(m.nDropped).toBe(9 + 6 + 1);
    expect(d?.message).toContain(`16 of ${rows.length} rows`);
    expect(d?.message).toContain('y: 9');
    expect(d?.message).toContain('x: 6');
    expect(d?.message).toContain('period: 1');
    // Rows missing only in a column the model does not use are kept.
    const m2 = fit(rows.map((r, i) => ({ ...r, region: i % 2 ? null : r.region })), 'y ~ x + (1 | unit)');
    expect(m2.nDropped).toBe(0);
    expect(codes(m2)).not.toContain('DROPPED_ROWS');
  });

  it.each([1, 2, 5, 10, 25])('maxEvaluations %i: EVALUATION_LIMIT, converged false, no throw', (maxEvaluations) => {
    const m = fit(rows, 'y ~ x + (1 | unit) + (1 | period)', { control: { maxEvaluations } });
    expect(m.converged).toBe(false);
    const d = find(m, 'EVALUATION_LIMIT');
    expect(d?.level).toBe('warning');
    expect(Number.isFinite(m.sigma)).toBe(true);
    for (const v of Object.values(m.theta)) expect(Number.isFinite(v)).toBe(true);
    expect(Number.isFinite(m.remlCriterion!)).toBe(true);
  });

  it('diagnostics are frozen plain records that serialise', () => {
    const m = fit(rows.map((r, i) => ({ ...r, y: i === 0 ? null : r.y })), 'y ~ x + (1 | unit) + (1 | region)');
    for (const d of m.diagnostics) {
      expect(Object.isFrozen(d)).toBe(true);
      expect(Object.keys(d).sort()).toEqual(['code', 'level', 'message']);
    }
    expect(JSON.parse(JSON.stringify(m)).diagnostics).toEqual(m.diagnostics);
  });
});
