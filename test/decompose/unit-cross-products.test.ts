/**
 * Kernel tests of the per-unit cross-products (src/decompose/unit-cross-products.ts): a
 * replicate's regressions equal those of CrossProducts + SubsetRegressions built on the
 * replicate's rows written out (each drawn copy of a unit a new level, rest levels as they
 * come), for every subset of the R^2 game's columns, with and without weights and with three
 * grouping factors; the intercept-only residual is the weighted total sum of squares computed
 * directly; and the skipping Cholesky on closed forms.
 */
import { describe, expect, it } from 'vitest';
import { fit, simulatePanel } from '../../src/index.js';
import { CrossProducts, type EngineDesign } from '../../src/objective/cross-products.js';
import { dependentSkippingResidual, SubsetRegressions, type RegressionSubset } from '../../src/objective/subset-regressions.js';
import { UnitCrossProducts, unitCrossProductsCover } from '../../src/decompose/unit-cross-products.js';
import type { PreparedModel } from '../../src/model/prepare-model.js';

/** The response the criterion sees (no offset here). */
const responseOf = (prepared: PreparedModel) => Float64Array.from(prepared.frame.y, (v) => v - prepared.yShift);

/** CrossProducts on the rows of the units listed in `counts` (unit u written out counts[u] times). */
function expanded(prepared: PreparedModel, y: Float64Array, counts: number[]): CrossProducts {
  const { engine, design } = prepared;
  const rows: number[] = [];
  const unitCodes: number[] = [];
  let next = 0;
  counts.forEach((c, u) => {
    for (let copy = 0; copy < c; copy++, next++) {
      for (let i = 0; i < engine.n; i++) {
        if (engine.factors[0].codes[i] !== u) continue;
        rows.push(i);
        unitCodes.push(next);
      }
    }
  });
  const n = rows.length;
  const p = design.p;
  const x = new Float64Array(n * p);
  for (let c = 0; c < p; c++) for (let r = 0; r < n; r++) x[c * n + r] = design.x[c * engine.n + rows[r]];
  const eng: EngineDesign = {
    n,
    p,
    x,
    factors: engine.factors.map((f, k) =>
      k === 0
        ? { codes: Int32Array.from(unitCodes), nlevels: next }
        : { codes: Int32Array.from(rows, (i) => f.codes[i]), nlevels: f.nlevels },
    ),
    weights: engine.weights ? Float64Array.from(rows, (i) => engine.weights![i]) : null,
  };
  return new CrossProducts(eng, Float64Array.from(rows, (i) => y[i]));
}

/** Every subset: first on/off, each rest term on/off, intercept with each subset of the other columns. */
function subsets(restTerms: number, p: number): RegressionSubset[] {
  const out: RegressionSubset[] = [];
  for (let f = 0; f < 2; f++) {
    for (let r = 0; r < 2 ** restTerms; r++) {
      for (let xm = 0; xm < 2 ** (p - 1); xm++) {
        out.push({
          first: f === 1,
          rest: Array.from({ length: restTerms }, (_, k) => (r & (1 << k)) !== 0),
          x: Array.from({ length: p }, (_, c) => c === 0 || (xm & (1 << (c - 1))) !== 0),
        });
      }
    }
  }
  return out;
}

function checkAgainstRows(prepared: PreparedModel, counts: number[]): number {
  const y = responseOf(prepared);
  const ucp = new UnitCrossProducts(prepared, y);
  const regs = ucp.replicate(counts);
  const ref = new SubsetRegressions(expanded(prepared, y, counts));
  let checked = 0;
  for (const s of subsets(prepared.engine.factors.length - 1, prepared.design.p)) {
    const want = ref.rss(s);
    const got = regs.rss(s);
    expect(Math.abs(got - want), JSON.stringify(s)).toBeLessThanOrEqual(1e-9 * Math.max(1, want));
    checked++;
  }
  return checked;
}

describe('UnitCrossProducts', () => {
  const panel = fit(simulatePanel({ units: 12, periods: 5, seed: 3, missing: 0.2 }), 'y ~ x + (1|unit) + (1|period)');

  it('a resample (units drawn 0-3 times) has the regressions of its rows written out', () => {
    const counts = [2, 0, 1, 3, 0, 1, 1, 0, 2, 1, 0, 1];
    expect(checkAgainstRows(panel.prepared, counts)).toBe(2 * 2 * 2);
  });

  it('a jackknife deletion (one unit left out) and the full sample', () => {
    const all = new Array(12).fill(1);
    checkAgainstRows(panel.prepared, all);
    all[4] = 0;
    checkAgainstRows(panel.prepared, all);
  });

  it('with precision weights', () => {
    const data = simulatePanel({ units: 10, periods: 4, seed: 8, weights: true });
    const m = fit(data, 'y ~ x + (1|unit) + (1|period)', { weights: 'w' });
    expect(m.prepared.engine.weights).not.toBeNull();
    checkAgainstRows(m.prepared, [1, 2, 0, 0, 3, 1, 1, 0, 1, 1]);
  });

  it('three grouping factors and two covariates', () => {
    const rows = (simulatePanel({ units: 16, periods: 4, seed: 4 }).objects() as Array<Record<string, number | string>>).map((r, i) => ({
      ...r,
      region: `R${Math.floor(Number(String(r.unit).replace(/\D/g, '')) % 3)}`,
      z: Math.sin(i),
    }));
    const m = fit(rows, 'y ~ x + z + (1|unit) + (1|period) + (1|region)');
    expect(m.prepared.engine.factors.length).toBe(3);
    expect(checkAgainstRows(m.prepared, [0, 1, 2, 1, 1, 0, 0, 3, 1, 1, 2, 0, 1, 1, 1, 1])).toBe(2 * 4 * 4);
  });

  it('the intercept-only residual is the weighted total sum of squares about the weighted mean', () => {
    const prepared = panel.prepared;
    const y = responseOf(prepared);
    const regs = new UnitCrossProducts(prepared, y).replicate(new Array(12).fill(1));
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const tss = y.reduce((a, v) => a + (v - mean) ** 2, 0);
    const rss = regs.rss({ first: false, rest: [false], x: [true, false] });
    expect(Math.abs(rss / tss - 1)).toBeLessThan(1e-12);
  });

  it('random slopes are not covered', () => {
    const m = fit(simulatePanel({ units: 12, periods: 6, seed: 2 }), 'y ~ x + (x|unit) + (1|period)');
    expect(unitCrossProductsCover(m.prepared)).toBe(false);
    expect(unitCrossProductsCover(panel.prepared)).toBe(true);
  });
});

describe('dependentSkippingResidual', () => {
  it('y = 2x exactly leaves nothing; an independent y leaves its residual', () => {
    const B = Float64Array.of(1, 0, 2, 4);
    expect(dependentSkippingResidual(B.slice(), 2, Float64Array.of(1, 4))).toBe(0);
    // x = (1, 1), y = (1, 3): x'x = 2, x'y = 4, y'y = 10; residual 10 - 16 / 2 = 2.
    const C = Float64Array.of(2, 0, 4, 10);
    expect(dependentSkippingResidual(C.slice(), 2, Float64Array.of(2, 10))).toBeCloseTo(2, 14);
  });

  it('a duplicated column is skipped: the residual is that of the single column', () => {
    // columns x, x, y with x = (1, 1), y = (1, 3).
    const B = Float64Array.of(2, 0, 0, 2, 2, 0, 4, 4, 10);
    expect(dependentSkippingResidual(B.slice(), 3, Float64Array.of(2, 2, 10))).toBeCloseTo(2, 12);
  });
});
