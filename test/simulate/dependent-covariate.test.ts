import { describe, expect, it } from 'vitest';
import { simulatePanel } from '../../src/simulate/index.js';
import { VardecompError } from '../../src/errors.js';

function corr(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('simulatePanel: covariates correlated with unit effects, fixed period effects', () => {
  it('unitCovariateCorrelation sets the correlation of x and u (between units)', () => {
    const t = simulatePanel({ units: 4000, periods: 2, seed: 3, unitCovariateCorrelation: 0.6, components: true });
    const x = Array.from(t.array('x') as Float64Array).filter((_, i) => i % 2 === 0);
    const u = Array.from(t.array('u') as Float64Array).filter((_, i) => i % 2 === 0);
    // Sampling error of a correlation at n = 4000 is about 0.01.
    expect(corr(x, u)).toBeCloseTo(0.6, 1);
    expect(Math.abs(corr(x, u) - 0.6)).toBeLessThan(0.04);
    // x keeps its variance: Var(beta x) = f_x = 0.15.
    const mx = x.reduce((s, v) => s + v, 0) / x.length;
    expect(x.reduce((s, v) => s + (v - mx) ** 2, 0) / (x.length - 1)).toBeCloseTo(0.15, 1);
    // With 0 the draws are those of the default panel.
    const base = simulatePanel({ units: 50, seed: 3 });
    const zero = simulatePanel({ units: 50, seed: 3, unitCovariateCorrelation: 0 });
    expect(Array.from(zero.array('y') as Float64Array)).toEqual(Array.from(base.array('y') as Float64Array));
  });

  it('periodEffects replaces the period draws and keeps every other draw', () => {
    const v = [0.5, -0.2, 0.1, 0, 0.3];
    const t = simulatePanel({ units: 10, periods: 5, seed: 2, periodEffects: v, components: true });
    const pv = Array.from(t.array('v') as Float64Array);
    expect(pv.slice(0, 5)).toEqual(v);
    const other = simulatePanel({ units: 10, periods: 5, seed: 2, components: true });
    expect(Array.from(t.array('u') as Float64Array)).toEqual(Array.from(other.array('u') as Float64Array));
  });

  it('rejects bad values with E_OPTION naming the option', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof VardecompError ? `${e.code} ${e.message}` : 'other';
      }
      return 'none';
    };
    expect(err(() => simulatePanel({ unitCovariateCorrelation: 2 }))).toMatch(/E_OPTION.*unitCovariateCorrelation/);
    expect(err(() => simulatePanel({ unitCovariateCorrelation: 0.5, exact: true }))).toMatch(/E_OPTION.*unitCovariateCorrelation/);
    expect(err(() => simulatePanel({ periods: 3, periodEffects: [1, 2] }))).toMatch(/E_OPTION.*periodEffects/);
    expect(err(() => simulatePanel({ periods: 2, periodEffects: [1, NaN] }))).toMatch(/E_OPTION.*periodEffects\[1\]/);
  });
});
