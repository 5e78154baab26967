/**
 * The calibrated unit-bootstrap interval of sequential and Shapley shares, checked against its
 * definition computed independently: jackknife values from refitting the public API on the data
 * without each unit (or group of units), type-7 quantiles of the kept bootstrap replicates, and
 * t quantiles from R.
 */
import { describe, expect, it } from 'vitest';
import { fit, simulatePanel } from '../../src/index.js';
import { compareFit } from '../../src/decompose/decompose-fit.js';
import { normalQuantile } from '../../src/random/normal-quantile.js';
import { calibratedUnitInterval, centredPercentileInterval, MAX_JACKKNIFE_GROUPS, unitGroups } from '../../src/decompose/unit-bootstrap.js';
import { Rng } from '../../src/random/index.js';

const FORMULA = 'y ~ x + (1|unit) + (1|period)';
const METHODS = ['sequential', 'shapley'] as const;

/** R's type-7 quantile. */
function quantile7(values: number[], p: number): number {
  const v = values.slice().sort((a, b) => a - b);
  const h = (v.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, v.length - 1);
  return v[lo] + (h - lo) * (v[hi] - v[lo]);
}

function sd(v: number[]): number {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
}

/** The split of each method on the rows whose unit is not in `drop`, from a fresh fit. */
function splitWithout(rows: Array<Record<string, unknown>>, drop: Set<unknown>): Record<string, Record<string, number>> {
  const c = compareFit(fit(rows.filter((r) => !drop.has(r.unit)), FORMULA), {}, METHODS);
  return Object.fromEntries(METHODS.map((m) => [m, c.decompositions[m].shares]));
}

/** The interval by its definition: re-centred percentile, arms scaled by se_J / sd*, at levels Phi(qt(0.025, G - 1)). */
function byDefinition(reps: number[], loo: number[], est: number, tq: number, aT: number): [number, number] {
  const G = loo.length;
  const mj = loo.reduce((a, b) => a + b, 0) / G;
  const seJ = Math.sqrt(((G - 1) / G) * loo.reduce((a, b) => a + (b - mj) ** 2, 0));
  const k = seJ / sd(reps);
  const med = quantile7(reps, 0.5);
  expect(aT).toBeGreaterThan(0);
  expect(tq).toBeGreaterThan(1.96);
  return [Math.max(0, est - k * (med - quantile7(reps, aT))), Math.min(1, est + k * (quantile7(reps, 1 - aT) - med))];
}

describe('unit-bootstrap intervals calibrated by the unit jackknife', () => {
  it('delete-one (12 units): every interval equals its definition from refits without each unit', () => {
    const data = simulatePanel({ units: 12, periods: 4, seed: 8, unitCovariateCorrelation: 0.5 });
    const rows = data.objects() as Array<Record<string, unknown>>;
    const m = fit(data, FORMULA);
    const c = compareFit(m, { intervals: { n: 300, seed: 5, keepReplicates: true } }, METHODS);
    const units = [...new Set(rows.map((r) => r.unit))];
    expect(units.length).toBe(12);
    const loo = units.map((u) => splitWithout(rows, new Set([u])));
    // R 4.2: qt(0.975, 11); pnorm(qt(0.025, 11))
    const tq = 2.2009851600916388;
    const aT = 0.013868537211135401;
    for (const method of METHODS) {
      const d = c.decompositions[method];
      for (const x of d.components) {
        const reps = d.intervals!.replicates![x.key];
        const [lo, hi] = byDefinition(reps, loo.map((s) => s[method][x.key]), x.share, tq, aT);
        expect(x.lower!).toBeCloseTo(lo, 9);
        expect(x.upper!).toBeCloseTo(hi, 9);
        expect(x.lower!).toBeLessThanOrEqual(x.share);
        expect(x.upper!).toBeGreaterThanOrEqual(x.share);
      }
    }
  });

  it(`delete-a-group (more than ${MAX_JACKKNIFE_GROUPS} units): groups partition the units; intervals equal their definition`, () => {
    const N = 230;
    const groups = unitGroups(N, 3);
    const sizes = new Int32Array(MAX_JACKKNIFE_GROUPS);
    for (const g of groups) sizes[g]++;
    expect(Math.min(...sizes)).toBe(1);
    expect(Math.max(...sizes)).toBe(2);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(N);
    expect(unitGroups(N, 3)).toEqual(groups);
    expect(unitGroups(N, 4)).not.toEqual(groups);
    expect(Array.from(unitGroups(5, 3))).toEqual([0, 1, 2, 3, 4]);

    const data = simulatePanel({ units: N, periods: 2, seed: 9, unitCovariateCorrelation: 0.5 });
    const rows = data.objects() as Array<Record<string, unknown>>;
    const m = fit(data, FORMULA);
    const c = compareFit(m, { intervals: { n: 60, seed: 3, keepReplicates: true } }, METHODS);
    // The unit of each engine level (the rows are the data's rows: nothing was dropped).
    const codes = m.prepared.engine.factors[0].codes;
    const labelOf = new Array<unknown>(N);
    for (let i = 0; i < codes.length; i++) labelOf[codes[i]] = rows[i].unit;
    const members: Array<Set<unknown>> = Array.from({ length: MAX_JACKKNIFE_GROUPS }, () => new Set());
    for (let k = 0; k < N; k++) members[groups[k]].add(labelOf[k]);
    const loo = members.map((drop) => splitWithout(rows, drop));
    // R 4.2: qt(0.975, 199); pnorm(qt(0.025, 199))
    const tq = 1.9719565442517519;
    const aT = 0.024307283747605515;
    for (const method of METHODS) {
      const d = c.decompositions[method];
      for (const x of d.components) {
        const [lo, hi] = byDefinition(d.intervals!.replicates![x.key], loo.map((s) => s[method][x.key]), x.share, tq, aT);
        expect(x.lower!).toBeCloseTo(lo, 9);
        expect(x.upper!).toBeCloseTo(hi, 9);
      }
    }
  });

  it('normal replicates: the interval is est -/+ qt(0.975, G - 1) se_J; it always contains the estimate', () => {
    // Replicates at the normal quantiles of N(0.4, 0.05^2); jackknife with se_J = 0.08 over 10 groups.
    const n = 20001;
    const reps = Float64Array.from({ length: n }, (_, i) => 0.4 + 0.05 * normalQuantile((i + 0.5) / n));
    const d = 0.08 / Math.sqrt(9 / 10) / Math.sqrt(10);
    const loo = Float64Array.from({ length: 10 }, (_, i) => 0.3 + (i % 2 ? d : -d));
    const [lo, hi] = calibratedUnitInterval(reps, loo, 0.35, 0.95);
    // R 4.2: qt(0.975, 9) = 2.2621571627982049
    expect(lo).toBeCloseTo(0.35 - 2.2621571627982049 * 0.08, 3);
    expect(hi).toBeCloseTo(0.35 + 2.2621571627982049 * 0.08, 3);
    // No usable jackknife: the plain re-centred percentile; no bootstrap spread: est -/+ t se_J.
    expect(calibratedUnitInterval(reps, Float64Array.of(0.3, NaN), 0.35, 0.95)).toEqual(centredPercentileInterval(reps, 0.35, 0.95));
    const [l2, h2] = calibratedUnitInterval(new Float64Array(50).fill(0.2), loo, 0.2, 0.95);
    expect(l2).toBeCloseTo(0.2 - 2.2621571627982049 * 0.08, 12);
    expect(h2).toBeCloseTo(0.2 + 2.2621571627982049 * 0.08, 12);
    // Skewed replicates, any jackknife, any estimate in [0, 1]: the interval contains the estimate.
    const rng = new Rng(11);
    for (let trial = 0; trial < 200; trial++) {
      const r = Float64Array.from({ length: 99 }, () => rng.uniform() ** 3);
      const j = Float64Array.from({ length: 2 + rng.int(30) }, () => rng.uniform());
      const est = rng.uniform();
      const [a, b] = calibratedUnitInterval(r, j, est, 0.5 + 0.49 * rng.uniform());
      expect(a).toBeLessThanOrEqual(est);
      expect(b).toBeGreaterThanOrEqual(est);
      expect(a).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThanOrEqual(1);
    }
  });
});
