/**
 * The components method with precision weights, both conventions against R
 * (scripts/reference/insight-weights.R, R 4.2 / lme4 1.1-31 / insight 0.19.0, in
 * test/fixtures/insight-weights.json):
 * - default `'average'`: residual part sigma^2 * mean(1/w) (computed in R from the definition);
 * - `weightedResidual: 'sigma2'`: insight::get_variance's residual variance, sigma^2.
 * On test/fixtures/panel-weights.csv with w, w^4 and w^4 * 1000. The default does not depend on
 * the unit of the weights; insight's does (w^4 and w^4 * 1000 differ by 80 points).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decompose } from '../../src/index.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { expectError } from '../hardening/helpers.js';

interface Panel {
  weights: string;
  insight: { shares: Record<string, number>; variances: Record<string, number> };
  meanInverse: { shares: Record<string, number>; variances: Record<string, number> };
}
const ref = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/insight-weights.json', import.meta.url)), 'utf8')) as {
  formula: string;
  panels: Panel[];
};
const base = loadFixtures().find((f) => f.fixture.name === 'panel-weights')!;
const rows = (base.table.objects() as Array<Record<string, number>>).map((r) => ({ ...r, w4: r.w ** 4, w4k: r.w ** 4 * 1000 }));

describe('components with precision weights: the residual part', () => {
  it.each(ref.panels.map((p) => [p.weights, p] as const))('weights %s: average (default) and sigma2 (insight) against R', (w, panel) => {
    const avg = decompose(rows, ref.formula, { weights: w });
    const ins = decompose(rows, ref.formula, { weights: w, weightedResidual: 'sigma2' });
    for (const k of ['fixed', 'la', 'year', 'residual']) {
      expect(Math.abs(avg.shares[k] - panel.meanInverse.shares[k]), `average ${k}`).toBeLessThan(1e-4);
      expect(Math.abs(ins.shares[k] - panel.insight.shares[k]), `sigma2 ${k}`).toBeLessThan(1e-4);
    }
    const res = (d: typeof avg) => d.components.find((c) => c.key === 'residual')!.variance!;
    expect(Math.abs(res(avg) / panel.meanInverse.variances.residual - 1)).toBeLessThan(3e-4);
    expect(Math.abs(res(ins) / panel.insight.variances.residual - 1)).toBeLessThan(3e-4);
  });

  it('the conventions differ by several points on the fixture weights', () => {
    const p = ref.panels[0];
    expect(Math.abs(p.insight.shares.residual - p.meanInverse.shares.residual)).toBeGreaterThan(0.05);
  });

  it('the default does not depend on the unit of the weights; sigma2 does', () => {
    const a = decompose(rows, ref.formula, { weights: 'w4' }).shares;
    const b = decompose(rows, ref.formula, { weights: 'w4k' }).shares;
    for (const k of Object.keys(a)) expect(Math.abs(a[k] - b[k])).toBeLessThan(1e-7);
    const c = decompose(rows, ref.formula, { weights: 'w4', weightedResidual: 'sigma2' }).shares;
    const d = decompose(rows, ref.formula, { weights: 'w4k', weightedResidual: 'sigma2' }).shares;
    expect(d.residual - c.residual).toBeGreaterThan(0.1);
  });

  it('without weights the conventions agree', () => {
    const a = decompose(rows, ref.formula).shares;
    expect(decompose(rows, ref.formula, { weightedResidual: 'sigma2' }).shares).toEqual(a);
  });

  it('checks the option', () => {
    expectError(() => decompose(rows, ref.formula, { weights: 'w', weightedResidual: 'insight' as never }), 'E_OPTION');
    const e = expectError(() => decompose(rows, ref.formula, { weights: 'w', weightedResidual: 'sigma2', intervals: { n: 5 } }), 'E_OPTION');
    expect(e.message).toContain('point estimates only');
  });
});
