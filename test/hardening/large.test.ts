/**
 * A one-million-row fit completes quickly in the column and row data shapes.
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/index.js';
import { Rng } from '../../src/random/index.js';

const UNITS = 100_000;
const PERIODS = 10;
const N = UNITS * PERIODS;

function bigPanel() {
  const rng = new Rng(2026);
  const y = new Float64Array(N);
  const x = new Float64Array(N);
  const unit = new Int32Array(N);
  const period = new Int32Array(N);
  const u = Array.from({ length: UNITS }, () => rng.normal());
  const v = Array.from({ length: PERIODS }, () => 0.5 * rng.normal());
  for (let i = 0; i < UNITS; i++) {
    for (let t = 0; t < PERIODS; t++) {
      const k = i * PERIODS + t;
      x[k] = rng.normal();
      // 1% missing outcomes.
      y[k] = rng.uniform() < 0.01 ? NaN : 1 + 0.5 * x[k] + u[i] + v[t] + rng.normal();
      unit[k] = i;
      period[k] = 2000 + t;
    }
  }
  return { y, x, unit, period };
}

describe('one million rows', () => {
  it('fits typed-array columns and row objects in well under 15 s', { timeout: 60_000 }, () => {
    const cols = bigPanel();
    let t0 = performance.now();
    const m = fit(cols, 'y ~ x + (1 | unit) + (1 | period)');
    const tCols = performance.now() - t0;
    expect(m.nobs + m.nDropped).toBe(N);
    expect(m.nDropped).toBeGreaterThan(5000);
    expect(m.converged).toBe(true);
    expect(m.ngroups).toEqual({ unit: UNITS, period: PERIODS });
    expect(Math.abs(m.theta.unit - 1)).toBeLessThan(0.03);
    expect(Math.abs(m.sigma - 1)).toBeLessThan(0.01);
    expect(Math.abs(m.beta.x - 0.5)).toBeLessThan(0.01);
    expect(m.diagnostics.map((d) => d.code)).toEqual(['DROPPED_ROWS']);

    const rows = Array.from({ length: N }, (_, k) => ({
      y: Number.isNaN(cols.y[k]) ? null : cols.y[k],
      x: cols.x[k],
      unit: `U${cols.unit[k]}`,
      period: cols.period[k],
    }));
    t0 = performance.now();
    const r = fit(rows, 'y ~ x + (1 | unit) + (1 | period)', { reml: false });
    const tRows = performance.now() - t0;
    expect(r.nobs).toBe(m.nobs);
    expect(Math.abs(r.theta.unit - m.theta.unit)).toBeLessThan(1e-3);
    expect(tCols + tRows).toBeLessThan(15_000);
  });
});
