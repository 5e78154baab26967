/**
 * The components method from weighted cell statistics equals the row path for both residual
 * conventions (`sigma^2 * mean(1/w)` and insight's `sigma^2`), on the weighted lme4 fixture
 * (test/fixtures/panel-weights.*): with its cells (la x year, one row each) and with coarser cells
 * (la only, where x and the weights vary within a cell, so the unweighted moments matter).
 * The two fits converge to the same optimum only to about 1e-9, so each part is compared divided
 * by the estimate it scales (fixed / beta_x^2, random / its variance, residual / sigma^2): these
 * are what the components method computes from the rows or the cells, to 1e-10; the shares
 * themselves agree to 1e-8. Cells without the sums of 1/w are refused.
 */
import { describe, expect, it } from 'vitest';
import { decompose, fit } from '../../src/index.js';
import { cellsFromRows } from '../../src/input/cell-statistics.js';
import { fitCells } from '../../src/fit-aggregates.js';
import { loadFixtures } from '../helpers/fixtures.js';

const base = loadFixtures().find((f) => f.fixture.name === 'panel-weights')!;
const rows = (base.table.objects() as Array<Record<string, number>>).map((r) => ({ ...r, w4k: r.w ** 4 * 1000 }));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('components from weighted cells', () => {
  it.each([
    ['y ~ x + (1 | la) + (1 | year)', 'w'],
    ['y ~ x + (1 | la) + (1 | year)', 'w4k'],
    ['y ~ x + (1 | la)', 'w'],
  ])('%s, weights %s: equal the rows to 1e-10, both conventions', (formula, w) => {
    const cells = cellsFromRows(rows, formula, { weights: w });
    const m = fitCells(cells, formula);
    const r = fit(rows, formula, { weights: w });
    expect(rel(m.remlCriterion!, r.remlCriterion!)).toBeLessThan(1e-10);
    for (const weightedResidual of ['average', 'sigma2'] as const) {
      const a = decompose(m, { weightedResidual });
      const b = decompose(r, { weightedResidual });
      // Each part per unit of the estimate it scales.
      const parts = (d: typeof a, f: typeof m) =>
        Object.fromEntries(
          d.components.map((c) => {
            const scale = c.key === 'fixed' ? f.beta.x ** 2 : c.key === 'residual' ? f.sigma ** 2 : f.varcorr.find((v) => v.group === c.key)!.variance;
            return [c.key, c.variance! / scale];
          }),
        );
      const pa = parts(a, m);
      const pb = parts(b, r);
      expect(Object.keys(pa).sort()).toEqual(['fixed', 'la', 'residual', ...(formula.includes('year') ? ['year'] : [])].sort());
      for (const k of Object.keys(pb)) expect(rel(pa[k], pb[k]), `${weightedResidual} ${k}`).toBeLessThan(1e-10);
      for (const k of Object.keys(b.shares)) expect(Math.abs(a.shares[k] - b.shares[k]), `${weightedResidual} share ${k}`).toBeLessThan(1e-8);
    }
    // The conventions differ on these weights, so the comparison above can tell them apart.
    expect(Math.abs(decompose(m).shares.residual - decompose(m, { weightedResidual: 'sigma2' }).shares.residual)).toBeGreaterThan(1e-3);
  });

  it('refuses weighted cells without the sums of 1/w (E_NEEDS_ROWS), and still fits them', () => {
    const formula = 'y ~ x + (1 | la) + (1 | year)';
    const cells = cellsFromRows(rows, formula, { weights: 'w' });
    const bare = { ...cells, sumInverseWeight: undefined, unweighted: undefined };
    const m = fitCells(bare, formula);
    expect(() => decompose(m)).toThrow(expect.objectContaining({ code: 'E_NEEDS_ROWS', message: expect.stringContaining('1/w') }));
    expect(() => decompose(m, { weightedResidual: 'sigma2' })).toThrow(expect.objectContaining({ code: 'E_NEEDS_ROWS' }));
    expect(rel(decompose(m, { method: 'shapley' }).shares.la, decompose(rows, formula, { weights: 'w', method: 'shapley' }).shares.la)).toBeLessThan(1e-6);
  });
});

describe('bootstrap replicates from weighted cells', () => {
  it('use the residual part on the engine scale of the weights (w^4 * 1000: a weight scale far from 1)', () => {
    const formula = 'y ~ x + (1 | la) + (1 | year)';
    const m = fitCells(cellsFromRows(rows, formula, { weights: 'w4k' }), formula);
    expect(m.prepared.weightScale).not.toBe(1);
    const d = decompose(m, { intervals: { method: 'percentile', n: 40, seed: 3 } });
    for (const c of d.components) {
      expect(c.lower!, c.key).toBeLessThanOrEqual(c.share);
      expect(c.upper!, c.key).toBeGreaterThanOrEqual(c.share);
    }
  });
});
