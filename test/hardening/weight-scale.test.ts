/**
 * Precision weights are scale-free: fitting with `c * w` is the same model as with `w`. lme4
 * reports, for `c * w`, the same criterion, fixed effects and random-effect variances, sigma
 * times sqrt(c) and theta divided by sqrt(c) (checked in R 4.2 / lme4 1.1-31 on
 * test/fixtures/panel-weights.csv for c = 1e-8, 1e8). Every scale from 1e-16 to 1e16 must give
 * those numbers, converged and without NaN.
 */
import { describe, expect, it } from 'vitest';
import { decompose, fit } from '../../src/index.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { relDiff } from './helpers.js';

const weighted = loadFixtures().find((f) => f.fixture.name === 'panel-weights')!;
const rows = weighted.table.objects() as Array<Record<string, unknown>>;
const F = weighted.fixture.formula;
const scaled = (c: number) => rows.map((r) => ({ ...r, ws: (r.w as number) * c }));
const equal = (c: number) => rows.map((r) => ({ ...r, ws: c }));

describe.each([true, false])('weights scaled by c (reml %s)', (reml) => {
  const base = fit(scaled(1), F, { weights: 'ws', reml });
  const baseShares = decompose(scaled(1), F, { weights: 'ws', reml }).shares;
  const eqBase = fit(equal(1), F, { weights: 'ws', reml });
  const eqShares = decompose(equal(1), F, { weights: 'ws', reml }).shares;

  it.each([1e-16, 1e-12, 1e-8, 1e-4, 3, 1e4, 1e8, 1e12, 1e16])('c = %d', (c) => {
    for (const [data, ref, refShares] of [
      [scaled(c), base, baseShares],
      [equal(c), eqBase, eqShares],
    ] as const) {
      const m = fit(data, F, { weights: 'ws', reml });
      expect(m.converged).toBe(true);
      expect(m.diagnostics.filter((d) => d.level === 'warning')).toEqual([]);
      for (const g of m.groups) {
        expect(relDiff(m.theta[g] * Math.sqrt(c), ref.theta[g], 0), g).toBeLessThan(1e-6);
        expect(relDiff(m.varcorr.find((v) => v.group === g)!.variance, ref.varcorr.find((v) => v.group === g)!.variance, 0)).toBeLessThan(2e-6);
      }
      expect(relDiff(m.sigma / Math.sqrt(c), ref.sigma, 0)).toBeLessThan(1e-8);
      const crit = reml ? m.remlCriterion! : m.deviance!;
      expect(relDiff(crit, reml ? ref.remlCriterion! : ref.deviance!, 0)).toBeLessThan(1e-9);
      // The criterion at the user's theta is the fitted criterion.
      expect(relDiff(m.objective(m.theta), crit, 0)).toBeLessThan(1e-12);
      for (const nm of m.betaNames) expect(relDiff(m.beta[nm], ref.beta[nm], 1e-3), nm).toBeLessThan(1e-7);
      for (const nm of m.betaNames) expect(relDiff(m.se[nm], ref.se[nm], 0), nm).toBeLessThan(1e-6);
      const d = decompose(data, F, { weights: 'ws', reml });
      for (const [k, v] of Object.entries(refShares)) {
        expect(Number.isFinite(d.shares[k]), k).toBe(true);
        expect(Math.abs(d.shares[k] - v), k).toBeLessThan(1e-7);
      }
    }
  });
});

describe('weighted fits agree with lme4 whatever the unit of the weights', () => {
  it('c = 1e-8 and 1e8 against the fixture, transformed as lme4 transforms it', () => {
    const ref = weighted.fixture.reml;
    for (const c of [1e-8, 1e8]) {
      const m = fit(scaled(c), F, { weights: 'ws' });
      for (const g of m.groups) expect(relDiff(m.theta[g] * Math.sqrt(c), ref.theta[g], 0)).toBeLessThan(3e-4);
      expect(relDiff(m.sigma / Math.sqrt(c), ref.sigma, 0)).toBeLessThan(1e-6);
      expect(relDiff(m.remlCriterion!, ref.REMLcrit!, 0)).toBeLessThan(1e-6);
    }
  });

  it('bootstrap intervals do not depend on the unit of the weights', () => {
    const opts = { weights: 'ws', intervals: { n: 12, seed: 3 } };
    const a = decompose(scaled(1), F, opts).components;
    const b = decompose(scaled(1e12), F, opts).components;
    a.forEach((p, i) => {
      expect(Math.abs(p.lower! - b[i].lower!)).toBeLessThan(1e-6);
      expect(Math.abs(p.upper! - b[i].upper!)).toBeLessThan(1e-6);
    });
  });
});
