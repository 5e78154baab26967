import { describe, expect, it } from 'vitest';
import { compare, decompose, decomposeMany, fit, naoPanel, simulatePanel, VardecompError } from '../src/index.js';

const panel = simulatePanel({ units: 40, periods: 6, seed: 9 });
const rows = (() => {
  const unit = panel.array('unit') as string[];
  const period = panel.array('period') as number[];
  const x = panel.array('x') as Float64Array;
  const y = panel.array('y') as Float64Array;
  return Array.from(y, (v, i) => ({
    unit: unit[i],
    period: period[i],
    x: x[i],
    y: v,
    y2: i % 17 === 0 ? null : 2 * v + Math.sin(i) * 3,
    y3: -v + Math.cos(i * 1.7) * 2,
  }));
})();

describe('decompose, compare, decomposeMany', () => {
  it('decompose(fit) equals decompose(data, formula) and defaults to components', () => {
    const f = 'y ~ x + (1|unit) + (1|period)';
    const a = decompose(fit(rows, f));
    const b = decompose(rows, f, { method: 'components' });
    expect(a.method).toBe('components');
    expect(a.shares).toEqual(b.shares);
    expect(a.components.map((c) => c.key)).toEqual(['fixed', 'unit', 'period', 'residual']);
  });

  it('labels rename keys for display only', () => {
    const d = decompose(rows, 'y ~ x + (1|unit) + (1|period)', { labels: { unit: 'local', period: 'national', fixed: 'deprivation' } });
    expect(d.labels).toEqual({ fixed: 'deprivation', unit: 'local', period: 'national', residual: 'residual' });
    expect(d.components.map((c) => c.label)).toEqual(['deprivation', 'local', 'national', 'residual']);
    expect(Object.keys(d.shares)).toEqual(['fixed', 'unit', 'period', 'residual']);
  });

  it('decomposeMany equals one decompose per outcome, with rows dropped per outcome', () => {
    const many = decomposeMany(rows, { outcomes: ['y', 'y2', 'y3'], rhs: 'x + (1|unit) + (1|period)', method: 'shapley' });
    expect(many.outcomes).toEqual(['y', 'y2', 'y3']);
    for (const [i, o] of ['y', 'y2', 'y3'].entries()) {
      const single = decompose(rows, `${o} ~ x + (1|unit) + (1|period)`, { method: 'shapley' });
      for (const k of Object.keys(single.shares)) expect(many.results[i].shares[k]).toBeCloseTo(single.shares[k], 10);
      expect(many.results[i].nobs).toBe(single.nobs);
      expect(many.results[i].nDropped).toBe(single.nDropped);
    }
    expect(many.results[1].nDropped).toBe(Math.ceil(rows.length / 17));
    // y3 shares the design of y (same rows): its components fit equals a fresh fit
    const m3 = decomposeMany(rows, { outcomes: ['y', 'y3'], rhs: 'x + (1|unit) + (1|period)' }).results[1];
    const f3 = decompose(rows, 'y3 ~ x + (1|unit) + (1|period)');
    for (const k of Object.keys(f3.shares)) expect(m3.shares[k]).toBeCloseTo(f3.shares[k], 8);
  });

  it('compare puts the three methods side by side with shared intervals', () => {
    const c = compare(naoPanel({ seed: 1, exact: true }), 'rate ~ deprivation + (1|la) + (1|year)', { intervals: { n: 50, seed: 3 } });
    expect(c.methods).toEqual(['components', 'sequential', 'shapley']);
    const la = c.rows.find((r) => r.key === 'la')!;
    expect(la.shares.components).toBeCloseTo(0.44, 7);
    expect(la.lower!.shapley).toBeLessThan(la.upper!.shapley);
  });

  it('bad options are E_OPTION errors naming the option', () => {
    const f = 'y ~ x + (1|unit) + (1|period)';
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(VardecompError);
        return [(e as VardecompError).code, (e as Error).message];
      }
      return ['none', ''];
    };
    expect(code(() => decompose(rows, f, { method: 'anova' as never }))).toEqual(['E_OPTION', expect.stringContaining('method')]);
    expect(code(() => decompose(rows, f, { order: ['unit', 'fixed'] }))).toEqual(['E_OPTION', expect.stringContaining('order')]);
    expect(code(() => decompose(rows, f, { labels: { region: 'x' } }))).toEqual(['E_OPTION', expect.stringContaining('region')]);
    expect(code(() => decompose(rows, f, { intervals: { n: 1 } }))).toEqual(['E_OPTION', expect.stringContaining('intervals.n')]);
    expect(code(() => decompose(rows, f, { intervals: { level: 1.5 } }))).toEqual(['E_OPTION', expect.stringContaining('intervals.level')]);
    expect(code(() => decompose(rows, f, { intervals: { seed: NaN } }))).toEqual(['E_OPTION', expect.stringContaining('intervals.seed')]);
    expect(code(() => decompose(rows, f, { bootstrap: 5 } as never))).toEqual(['E_OPTION', expect.stringContaining('bootstrap')]);
    expect(code(() => decomposeMany(rows, { outcomes: [], rhs: 'x + (1|unit)' }))).toEqual(['E_OPTION', expect.stringContaining('outcomes')]);
    expect(code(() => decomposeMany(rows, { outcomes: ['y'], rhs: 'y ~ x + (1|unit)' }))).toEqual(['E_OPTION', expect.stringContaining('rhs')]);
    expect(code(() => decompose(rows, 'y ~ 0 + x + (1|unit)', { method: 'shapley' }))).toEqual(['E_OPTION', expect.stringContaining('intercept')]);
  });

  it('onProgress reports every replicate and every outcome', () => {
    const seen: number[] = [];
    decompose(rows, 'y ~ x + (1|unit) + (1|period)', { intervals: { method: 'percentile', n: 20, onProgress: (d) => seen.push(d) } });
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const outer: Array<[number, number]> = [];
    decomposeMany(rows, { outcomes: ['y', 'y3'], rhs: 'x + (1|unit) + (1|period)', onProgress: (d, t) => outer.push([d, t]) });
    expect(outer).toEqual([[1, 2], [2, 2]]);
  });
});
