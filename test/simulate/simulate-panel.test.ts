import { describe, expect, it } from 'vitest';
import type { ColumnTable } from 'arquero';
import { naoPanel, simulatePanel } from '../../src/simulate/index.js';
import type { SimulatePanelOptions } from '../../src/simulate/index.js';
import { VardecompError } from '../../src/errors.js';

const NAO_TOTAL = 400;
const NAO = { unit: 0.44 * NAO_TOTAL, fixed: 0.15 * NAO_TOTAL, period: 0.1 * NAO_TOTAL, residual: 0.31 * NAO_TOTAL };

function num(t: ColumnTable, name: string): Float64Array {
  return Float64Array.from(t.array(name) as ArrayLike<number>);
}

function sampleVariance(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= xs.length;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return s / (xs.length - 1);
}

function relClose(actual: number, expected: number, tol = 1e-10): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

/** A balanced panel as an N x T matrix (unit-major) with the unit order of first appearance. */
function matrix(t: ColumnTable, unit: string, period: string, value: string) {
  const units = t.array(unit) as ArrayLike<string>;
  const periods = t.array(period) as ArrayLike<number>;
  const values = t.array(value) as ArrayLike<number>;
  const uIndex = new Map<string, number>();
  const pIndex = new Map<number, number>();
  for (let r = 0; r < t.numRows(); r++) {
    if (!uIndex.has(units[r])) uIndex.set(units[r], uIndex.size);
    if (!pIndex.has(periods[r])) pIndex.set(periods[r], pIndex.size);
  }
  const N = uIndex.size;
  const T = pIndex.size;
  expect(N * T).toBe(t.numRows());
  const m = new Float64Array(N * T).fill(Number.NaN);
  for (let r = 0; r < t.numRows(); r++) m[uIndex.get(units[r])! * T + pIndex.get(periods[r])!] = values[r];
  expect(m.every((v) => Number.isFinite(v))).toBe(true);
  return { N, T, m };
}

function means(m: Float64Array, N: number, T: number) {
  const row = new Float64Array(N);
  const col = new Float64Array(T);
  let grand = 0;
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < T; t++) {
      row[i] += m[i * T + t] / T;
      col[t] += m[i * T + t] / N;
      grand += m[i * T + t] / (N * T);
    }
  }
  return { row, col, grand };
}

function doubleCentred(m: Float64Array, N: number, T: number): Float64Array {
  const { row, col, grand } = means(m, N, T);
  const out = new Float64Array(N * T);
  for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) out[i * T + t] = m[i * T + t] - row[i] - col[t] + grand;
  return out;
}

/**
 * Balanced two-way ANOVA estimates for y ~ x + (1|unit) + (1|period), computed directly:
 * - time-invariant x: between-unit regression of unit means on x (N - 2 df), MS_e on (N-1)(T-1) df;
 * - purely within x: regression of the double-centred y on the double-centred x in the
 *   interaction stratum ((N-1)(T-1) - 1 df), MS_u on N - 1 df.
 */
function anova(t: ColumnTable, cols: { unit: string; period: string; x: string; y: string }, kind: 'between' | 'within') {
  const Y = matrix(t, cols.unit, cols.period, cols.y);
  const X = matrix(t, cols.unit, cols.period, cols.x);
  const { N, T } = Y;
  const my = means(Y.m, N, T);
  const mx = means(X.m, N, T);
  let msV = 0;
  for (let p = 0; p < T; p++) msV += (my.col[p] - my.grand) ** 2;
  msV = (N * msV) / (T - 1);
  const yDc = doubleCentred(Y.m, N, T);
  let beta: number;
  let msU: number;
  let msE: number;
  if (kind === 'between') {
    // x constant within each unit
    for (let i = 0; i < N; i++) for (let p = 0; p < T; p++) expect(X.m[i * T + p]).toBe(X.m[i * T]);
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < N; i++) {
      sxy += (mx.row[i] - mx.grand) * (my.row[i] - my.grand);
      sxx += (mx.row[i] - mx.grand) ** 2;
    }
    beta = sxy / sxx;
    let ssr = 0;
    for (let i = 0; i < N; i++) ssr += (my.row[i] - my.grand - beta * (mx.row[i] - mx.grand)) ** 2;
    msU = (T * ssr) / (N - 2);
    let sse = 0;
    for (const r of yDc) sse += r * r;
    msE = sse / ((N - 1) * (T - 1));
  } else {
    const xDc = doubleCentred(X.m, N, T);
    let sxy = 0;
    let sxx = 0;
    for (let k = 0; k < N * T; k++) {
      sxy += xDc[k] * yDc[k];
      sxx += xDc[k] * xDc[k];
    }
    beta = sxy / sxx;
    let sse = 0;
    for (let k = 0; k < N * T; k++) sse += (yDc[k] - beta * xDc[k]) ** 2;
    msE = sse / ((N - 1) * (T - 1) - 1);
    let ssu = 0;
    for (let i = 0; i < N; i++) ssu += (my.row[i] - my.grand - beta * (mx.row[i] - mx.grand)) ** 2;
    msU = (T * ssu) / (N - 1);
  }
  const x = num(t, cols.x);
  const fixed = sampleVariance(x.map((v) => beta * v));
  const sigmaE = msE;
  const sigmaU = (msU - msE) / T;
  const sigmaV = (msV - msE) / N;
  const total = fixed + sigmaU + sigmaV + sigmaE;
  return {
    beta,
    sigmaU,
    sigmaV,
    sigmaE,
    fixed,
    shares: { unit: sigmaU / total, fixed: fixed / total, period: sigmaV / total, residual: sigmaE / total },
  };
}

function expectOptionError(options: unknown, fragment: string, f: (o: never) => unknown = simulatePanel): void {
  try {
    f(options as never);
  } catch (e) {
    expect(e).toBeInstanceOf(VardecompError);
    expect((e as VardecompError).code).toBe('E_OPTION');
    expect((e as VardecompError).message).toContain(fragment);
    return;
  }
  throw new Error(`expected E_OPTION for ${JSON.stringify(options)}`);
}

describe('simulatePanel: shape and defaults', () => {
  it('builds a 150 x 8 panel with unit, period, x, y', () => {
    const t = simulatePanel();
    expect(t.numRows()).toBe(1200);
    expect(t.columnNames()).toEqual(['unit', 'period', 'x', 'y']);
    const units = t.array('unit') as ArrayLike<string>;
    const periods = t.array('period') as ArrayLike<number>;
    expect([units[0], units[7], units[8], units[1199]]).toEqual(['U001', 'U001', 'U002', 'U150']);
    expect([periods[0], periods[7], periods[8]]).toEqual([1, 8, 1]);
    const y = num(t, 'y');
    expect(Math.abs(y.reduce((s, v) => s + v, 0) / y.length - 100)).toBeLessThan(1);
  });

  it('regression: the default panel is stable', () => {
    const t = simulatePanel();
    const y = num(t, 'y');
    const x = num(t, 'x');
    [101.06673486208584, 100.31322582724044, 99.26220746690535].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 12));
    expect(x[0]).toBeCloseTo(0.09459889057440281, 14);
    const nao = num(naoPanel({ exact: true }), 'rate');
    [72.99154327087622, 59.0740099452421, 36.334781944270354].forEach((v, i) => expect(nao[i]).toBeCloseTo(v, 11));
  });

  it('pads unit labels to the width of the largest index and honours startPeriod', () => {
    const t = simulatePanel({ units: 1200, periods: 2, startPeriod: 2011 });
    const units = t.array('unit') as ArrayLike<string>;
    expect([units[0], units[2399]]).toEqual(['U0001', 'U1200']);
    expect(Array.from(t.array('period') as ArrayLike<number>).slice(0, 3)).toEqual([2011, 2012, 2011]);
  });

  it('naoPanel: NAO names, years and scale; options override', () => {
    const t = naoPanel();
    expect(t.columnNames()).toEqual(['la', 'year', 'deprivation', 'rate']);
    expect(t.numRows()).toBe(1200);
    const years = Array.from(new Set(Array.from(t.array('year') as ArrayLike<number>)));
    expect(years).toEqual([2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018]);
    const rate = num(t, 'rate');
    expect(Math.abs(rate.reduce((s, v) => s + v, 0) / rate.length - 50)).toBeLessThan(5);
    const small = naoPanel({ units: 20, periods: 3, names: { y: 'cpp' }, seed: 9 });
    expect(small.columnNames()).toEqual(['la', 'year', 'deprivation', 'cpp']);
    expect(small.numRows()).toBe(60);
  });

  it('names: partial override', () => {
    const t = simulatePanel({ units: 5, periods: 3, names: { unit: 'la', y: 'outcome' }, weights: true });
    expect(t.columnNames()).toEqual(['la', 'period', 'x', 'outcome', 'w']);
    const c = simulatePanel({ units: 5, periods: 3, components: true, names: { residual: 'noise' } });
    expect(c.columnNames()).toEqual(['unit', 'period', 'x', 'y', 'u', 'v', 'noise']);
  });
});

describe('simulatePanel: reproducibility', () => {
  it('same seed gives identical arrays; a different seed differs', () => {
    const opts: SimulatePanelOptions = { units: 30, periods: 5, seed: 42, weights: true, missing: 0.2, covariateWithin: 0.3 };
    const a = simulatePanel(opts);
    const b = simulatePanel({ ...opts });
    const c = simulatePanel({ ...opts, seed: 43 });
    for (const name of a.columnNames()) {
      expect(Array.from(a.array(name) as ArrayLike<unknown>)).toEqual(Array.from(b.array(name) as ArrayLike<unknown>));
    }
    expect(Array.from(num(a, 'y'))).not.toEqual(Array.from(num(c, 'y')));
  });

  it('changing missing, weights or shares leaves the other components unchanged', () => {
    const base = simulatePanel({ units: 20, periods: 4, components: true });
    const dropped = simulatePanel({ units: 20, periods: 4, components: true, missing: 0.25 });
    const weighted = simulatePanel({ units: 20, periods: 4, components: true, weights: true });
    const key = (t: ColumnTable, r: number) => `${(t.array('unit') as ArrayLike<string>)[r]}|${(t.array('period') as ArrayLike<number>)[r]}`;
    const byKey = new Map<string, number>();
    for (let r = 0; r < base.numRows(); r++) byKey.set(key(base, r), r);
    const bu = num(base, 'u');
    const bv = num(base, 'v');
    const be = num(base, 'e');
    const bx = num(base, 'x');
    const du = num(dropped, 'u');
    const de = num(dropped, 'e');
    const dx = num(dropped, 'x');
    for (let r = 0; r < dropped.numRows(); r++) {
      const k = byKey.get(key(dropped, r))!;
      expect([du[r], de[r], dx[r]]).toEqual([bu[k], be[k], bx[k]]);
    }
    expect(Array.from(num(weighted, 'u'))).toEqual(Array.from(bu));
    expect(Array.from(num(weighted, 'v'))).toEqual(Array.from(bv));
    const shifted = simulatePanel({ units: 20, periods: 4, components: true, shares: { unit: 0.5, residual: 0.5 } });
    const su = num(shifted, 'u');
    // same draws, different scale
    relClose(su[0] / bu[0], Math.sqrt(0.5 / 0.44), 1e-12);
  });

  it('missing drops round(missing * N * T) rows, nested as missing grows', () => {
    for (const missing of [0.1, 0.3333, 0.5, 0.9]) {
      const t = simulatePanel({ units: 30, periods: 7, missing });
      expect(t.numRows()).toBe(210 - Math.round(missing * 210));
    }
    const rowsOf = (missing: number) => {
      const t = simulatePanel({ units: 30, periods: 7, missing });
      const u = t.array('unit') as ArrayLike<string>;
      const p = t.array('period') as ArrayLike<number>;
      return new Set(Array.from({ length: t.numRows() }, (_, r) => `${u[r]}|${p[r]}`));
    };
    const few = rowsOf(0.1);
    const many = rowsOf(0.4);
    for (const k of many) expect(few.has(k)).toBe(true);
  });

  it('weights are positive with mean 1 on the complete panel', () => {
    const t = simulatePanel({ weights: true });
    const w = num(t, 'w');
    expect(w.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    relClose(w.reduce((s, v) => s + v, 0) / w.length, 1, 1e-12);
    expect(Math.max(...w) / Math.min(...w)).toBeGreaterThan(3);
  });
});

describe('simulatePanel: exact construction', () => {
  const cols = { unit: 'la', period: 'year', x: 'deprivation', y: 'rate' };

  it('naoPanel({ exact: true }): the balanced two-way ANOVA (= REML) estimates equal the targets', () => {
    const t = naoPanel({ exact: true });
    const est = anova(t, cols, 'between');
    relClose(est.beta, 1);
    relClose(est.sigmaU, NAO.unit);
    relClose(est.sigmaV, NAO.period);
    relClose(est.sigmaE, NAO.residual);
    relClose(est.fixed, NAO.fixed);
    // components-method shares
    relClose(est.shares.unit, 0.44);
    relClose(est.shares.fixed, 0.15);
    relClose(est.shares.period, 0.1);
    relClose(est.shares.residual, 0.31);
  });

  it('the realised parts have the stated structure', () => {
    const t = naoPanel({ exact: true, components: true, seed: 5 });
    const x = num(t, 'deprivation');
    relClose(sampleVariance(x), NAO.fixed); // beta = 1
    const E = matrix(t, 'la', 'year', 'e');
    const { row, col } = means(E.m, E.N, E.T);
    for (const v of row) expect(Math.abs(v)).toBeLessThan(1e-12);
    for (const v of col) expect(Math.abs(v)).toBeLessThan(1e-12);
    let sse = 0;
    for (const v of E.m) sse += v * v;
    relClose(sse / (149 * 7), NAO.residual);
    const U = matrix(t, 'la', 'year', 'u');
    const X = matrix(t, 'la', 'year', 'deprivation');
    let su = 0;
    let sux = 0;
    let suu = 0;
    for (let i = 0; i < 150; i++) {
      su += U.m[i * 8];
      sux += U.m[i * 8] * X.m[i * 8];
      suu += U.m[i * 8] ** 2;
    }
    expect(Math.abs(su)).toBeLessThan(1e-9);
    expect(Math.abs(sux)).toBeLessThan(1e-9);
    relClose(suu / 148, NAO.unit + NAO.residual / 8);
    const V = matrix(t, 'la', 'year', 'v');
    let sv = 0;
    let svv = 0;
    for (let p = 0; p < 8; p++) {
      sv += V.m[p];
      svv += V.m[p] ** 2;
    }
    expect(Math.abs(sv)).toBeLessThan(1e-9);
    relClose(svv / 7, NAO.period + NAO.residual / 150);
    // y is the sum of its parts
    const y = num(t, 'rate');
    const u = num(t, 'u');
    const v = num(t, 'v');
    const e = num(t, 'e');
    for (let r = 0; r < y.length; r++) relClose(y[r], 50 + x[r] + u[r] + v[r] + e[r], 1e-12);
  });

  it('holds for other sizes, seeds, scales and a negative beta', () => {
    const opts = { units: 7, periods: 3, seed: 99, total: 2.5, beta: -3, intercept: -4, shares: { unit: 0.2, fixed: 0.3, period: 0.4, residual: 0.1 }, exact: true };
    const est = anova(simulatePanel(opts), { unit: 'unit', period: 'period', x: 'x', y: 'y' }, 'between');
    relClose(est.beta, -3);
    relClose(est.sigmaU, 0.5);
    relClose(est.fixed, 0.75);
    relClose(est.sigmaV, 1);
    relClose(est.sigmaE, 0.25);
  });

  it('zero shares give zero estimates; fixed = 0 gives a unit-variance x that y ignores', () => {
    const t = simulatePanel({ units: 10, periods: 4, exact: true, components: true, shares: { unit: 0.7, residual: 0.3 } });
    const est = anova(t, { unit: 'unit', period: 'period', x: 'x', y: 'y' }, 'between');
    expect(Math.abs(est.beta)).toBeLessThan(1e-10);
    relClose(est.sigmaU, 0.7);
    relClose(est.sigmaE, 0.3);
    expect(Math.abs(est.sigmaV)).toBeLessThan(1e-10);
    // v still carries the sampling share of e in the period means: sum(v^2) / (T - 1) = f_e / N
    const v = num(t, 'v').slice(0, 4);
    relClose(v.reduce((acc, x) => acc + x * x, 0) / 3, 0.3 / 10);
    relClose(sampleVariance(num(t, 'x')), 1);
  });

  it('covariateWithin = 1: exact with the within regression ((N-1)(T-1) - 1 residual df)', () => {
    const t = naoPanel({ exact: true, covariateWithin: 1 });
    const est = anova(t, cols, 'within');
    relClose(est.beta, 1);
    relClose(est.sigmaU, NAO.unit);
    relClose(est.sigmaV, NAO.period);
    relClose(est.sigmaE, NAO.residual);
    relClose(est.fixed, NAO.fixed);
  });

  it('0 < covariateWithin < 1: x has the stated split and e is orthogonal to its within part', () => {
    const t = naoPanel({ exact: true, covariateWithin: 0.4, components: true });
    const X = matrix(t, 'la', 'year', 'deprivation');
    const E = matrix(t, 'la', 'year', 'e');
    relClose(sampleVariance(num(t, 'deprivation')), NAO.fixed);
    const mx = means(X.m, 150, 8);
    let between = 0;
    for (const v of mx.row) between += 8 * (v - mx.grand) ** 2;
    relClose(between / 1199, 0.6 * NAO.fixed);
    for (const v of mx.col) expect(Math.abs(v)).toBeLessThan(1e-12);
    const xw = doubleCentred(X.m, 150, 8);
    let exw = 0;
    let ee = 0;
    for (let k = 0; k < 1200; k++) {
      exw += E.m[k] * xw[k];
      ee += E.m[k] ** 2;
    }
    expect(Math.abs(exw)).toBeLessThan(1e-8);
    relClose(ee / (149 * 7 - 1), NAO.residual);
  });

  it('with missing rows the targets are met only approximately', () => {
    const t = naoPanel({ exact: true, missing: 0.05, components: true });
    expect(t.numRows()).toBe(1140);
    const e = num(t, 'e');
    expect(Math.abs(sampleVariance(e) - NAO.residual * (149 * 7) / 1199) / NAO.residual).toBeLessThan(0.2);
  });
});

describe('simulatePanel: non-exact panels hit the targets on average', () => {
  it('averaged over 200 seeds, the realised component variances are near their targets', () => {
    const seeds = 200;
    const acc = { unit: 0, fixed: 0, period: 0, residual: 0 };
    for (let s = 1; s <= seeds; s++) {
      const t = naoPanel({ seed: s, components: true });
      const U = matrix(t, 'la', 'year', 'u');
      const unitEffects = Array.from({ length: 150 }, (_, i) => U.m[i * 8]);
      const periodEffects = num(t, 'v').slice(0, 8);
      acc.unit += sampleVariance(unitEffects) / seeds;
      acc.period += sampleVariance(periodEffects) / seeds;
      acc.residual += sampleVariance(num(t, 'e')) / seeds;
      acc.fixed += sampleVariance(num(t, 'deprivation')) / seeds;
    }
    expect(Math.abs(acc.unit / NAO.unit - 1)).toBeLessThan(0.04);
    expect(Math.abs(acc.fixed / NAO.fixed - 1)).toBeLessThan(0.05);
    expect(Math.abs(acc.period / NAO.period - 1)).toBeLessThan(0.15);
    expect(Math.abs(acc.residual / NAO.residual - 1)).toBeLessThan(0.02);
  });

  it('with weights, e * sqrt(w) has the weight-1 residual variance', () => {
    const t = naoPanel({ weights: true, components: true, seed: 3 });
    const e = num(t, 'e');
    const w = num(t, 'w');
    const scaled = e.map((v, i) => v * Math.sqrt(w[i]));
    expect(Math.abs(sampleVariance(scaled) / NAO.residual - 1)).toBeLessThan(0.12);
  });

  it('covariateWithin splits the covariate variance between and within units', () => {
    let within = 0;
    let total = 0;
    for (let s = 1; s <= 50; s++) {
      const t = simulatePanel({ seed: s, covariateWithin: 0.7, units: 60, periods: 10 });
      const X = matrix(t, 'unit', 'period', 'x');
      const mx = means(X.m, 60, 10);
      for (let i = 0; i < 60; i++) for (let p = 0; p < 10; p++) within += (X.m[i * 10 + p] - mx.row[i]) ** 2;
      total += sampleVariance(X.m) * 599;
    }
    expect(Math.abs(within / total - 0.7 * (9 / 10) / (0.7 * 0.9 + 0.3 * 1 + 0.7 * 0.1))).toBeLessThan(0.03);
  });
});

describe('simulatePanel: option validation', () => {
  it.each([
    [{ units: 1 }, 'units'],
    [{ units: 2.5 }, 'units'],
    [{ units: '10' }, 'units'],
    [{ periods: 1 }, 'periods'],
    [{ periods: Number.NaN }, 'periods'],
    [{ seed: Number.POSITIVE_INFINITY }, 'seed'],
    [{ seed: '1' }, 'seed'],
    [{ total: 0 }, 'total'],
    [{ total: -1 }, 'total'],
    [{ intercept: Number.NaN }, 'intercept'],
    [{ beta: 0 }, 'beta'],
    [{ covariateWithin: 1.5 }, 'covariateWithin'],
    [{ covariateWithin: -0.1 }, 'covariateWithin'],
    [{ missing: 1 }, 'missing'],
    [{ missing: -0.1 }, 'missing'],
    [{ missing: 0.99, units: 2, periods: 2 }, 'missing'],
    [{ weights: 1 }, 'weights'],
    [{ exact: 'yes' }, 'exact'],
    [{ exact: true, units: 2 }, 'units'],
    [{ components: null }, 'components'],
    [{ startPeriod: 2011.5 }, 'startPeriod'],
    [{ shares: { unit: 0.5, fixed: 0.5, period: 0.5, residual: 0 } }, 'shares'],
    [{ shares: { unit: 1.2, residual: -0.2 } }, 'shares.residual'],
    [{ shares: { unit: 0.5, residual: 0.5, noise: 0 } }, 'shares.noise'],
    [{ shares: { unit: Number.NaN, residual: 1 } }, 'shares.unit'],
    [{ shares: [1] }, 'shares'],
    [{ names: 'y' }, 'names'],
    [{ names: { y: '' } }, 'names.y'],
    [{ names: { outcome: 'y' } }, 'names.outcome'],
    [{ names: { y: 'x' } }, 'names.y'],
    [{ unit: 10 }, 'unit'],
  ])('%j throws E_OPTION naming %s', (options, fragment) => {
    expectOptionError(options, `"${fragment}"`);
  });

  it('names the bad value', () => {
    expectOptionError({ units: 1 }, 'got 1');
    expectOptionError({ covariateWithin: 1.5 }, 'got 1.5');
  });

  it('rejects non-object options, also through naoPanel', () => {
    expectOptionError(5, 'Options');
    expectOptionError(null, 'Options');
    expectOptionError(5, 'Options', naoPanel);
    expectOptionError({ names: 3 }, 'names', naoPanel);
    expectOptionError({ periods: 0 }, 'periods', naoPanel);
  });

  it('allows duplicate names for columns that are not produced', () => {
    expect(simulatePanel({ units: 3, periods: 2, names: { weights: 'y' } }).columnNames()).toEqual(['unit', 'period', 'x', 'y']);
  });
});
