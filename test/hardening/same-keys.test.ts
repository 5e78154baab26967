/**
 * Every decomposition has the same keys: an intercept-only model has `fixed` with share 0, so
 * `shares.fixed * 100` is a number, not NaN.
 */
import { describe, expect, it } from 'vitest';
import { compare, decompose, decomposeMany, DECOMPOSITION_METHODS } from '../../src/index.js';
import { panelRows } from './helpers.js';

const rows = panelRows({ units: 20, periods: 5, seed: 9 });

describe('an intercept-only model has a fixed key with share 0', () => {
  it.each(DECOMPOSITION_METHODS)('%s', (method) => {
    const d = decompose(rows, 'y ~ (1|unit) + (1|period)', { method });
    expect(Object.keys(d.shares)).toEqual(['fixed', 'unit', 'period', 'residual']);
    expect(d.shares.fixed).toBe(0);
    expect(d.shares.fixed * 100).toBe(0);
    const sum = Object.values(d.shares).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
    expect(d.components.map((c) => c.key)).toEqual(['fixed', 'unit', 'period', 'residual']);
    if (method === 'components') expect(d.components[0].variance).toBe(0);
  });

  it('the same keys as a model with covariates, with intervals and labels', () => {
    const withX = decompose(rows, 'y ~ x + (1|unit) + (1|period)');
    const d = decompose(rows, 'y ~ 1 + (1|unit) + (1|period)', {
      intervals: { method: 'percentile', n: 8, seed: 2, keepReplicates: true },
      labels: { fixed: 'covariates' },
    });
    expect(Object.keys(d.shares)).toEqual(Object.keys(withX.shares));
    expect(d.components[0]).toMatchObject({ key: 'fixed', label: 'covariates', share: 0, lower: 0, upper: 0 });
    expect(d.intervals!.replicates!.fixed).toEqual(new Array(8).fill(0));
    // The default (profile) intervals keep the structural zero too.
    const p = decompose(rows, 'y ~ 1 + (1|unit) + (1|period)', { intervals: true });
    expect(p.components[0]).toMatchObject({ key: 'fixed', share: 0, lower: 0, upper: 0 });
    for (const c of p.components.slice(1)) expect(c.upper!).toBeGreaterThan(c.share);
  });

  it('compare and decomposeMany rows include fixed', () => {
    const c = compare(rows, 'y ~ (1|unit) + (1|period)');
    expect(c.rows.map((r) => r.key)).toEqual(['fixed', 'unit', 'period', 'residual']);
    expect(c.rows[0].shares).toEqual({ components: 0, sequential: 0, shapley: 0 });
    const many = decomposeMany(rows, { outcomes: ['y', 'x'], rhs: '(1|unit) + (1|period)' });
    for (const r of many.results) expect(r.shares.fixed).toBe(0);
  });
});
