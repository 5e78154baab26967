/**
 * Invariances of the fit on random small panels (fast-check, seeded):
 * row order, level labels and random-term order change nothing; y -> a + b y and
 * x -> c + d x transform the estimates in closed form; inputs are never mutated.
 *
 * Tolerances: the criterion at a fixed theta is compared to 1e-10 (it is the same sum in another
 * order). Optimised theta is compared to 1e-6 relative: along a flat direction double-precision
 * criterion values (~1e-14 relative) pin theta down only to ~1e-7, which is the optimiser's
 * noise floor (worst seen over 14,000 runs per property: 1.1e-7); the optimum criterion values
 * must still agree to 1e-10, and each fit's theta must be an optimum of the other fit's
 * criterion to 1e-10. sigma and beta agree to 1e-7.
 *
 * `PROP_RUNS=400 PROP_SEED=7 npx vitest run test/hardening/properties.test.ts` runs a longer,
 * differently seeded search.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as aq from 'arquero';
import { fit, VardecompError, type LmmFit } from '../../src/index.js';
import { Rng } from '../../src/random/index.js';
import { deepFreeze, relDiff, snapshot, toColumns } from './helpers.js';
import { formulaOf, randomPanel, type RandomPanel } from './panel-arbitrary.js';

const RUNS = { numRuns: Number(process.env.PROP_RUNS ?? 50), seed: Number(process.env.PROP_SEED ?? 20260101) } as const;
const THETA_TOL = 1e-6;
const EST_TOL = 1e-7;
const CRIT_TOL = 1e-10;
const FIXED_THETA = [
  { unit: 0.8, period: 0.3 },
  { unit: 0, period: 1.7 },
  { unit: 2.5, period: 0 },
];

const crit = (m: LmmFit): number => (m.reml ? m.remlCriterion! : m.deviance!);

/** Fit, or the error code thrown. */
function attempt(f: () => LmmFit): LmmFit | string {
  try {
    return f();
  } catch (e) {
    if (e instanceof VardecompError) return e.code;
    throw e;
  }
}

/** Both fitted, or both threw the same code; returns the pair when fitted. */
function both(a: LmmFit | string, b: LmmFit | string): [LmmFit, LmmFit] | null {
  if (typeof a === 'string' || typeof b === 'string') {
    expect(b).toBe(a);
    return null;
  }
  return [a, b];
}

function expectSameOptimum(a: LmmFit, b: LmmFit): void {
  expect(b.groups.slice().sort()).toEqual(a.groups.slice().sort());
  for (const g of a.groups) expect(relDiff(a.theta[g], b.theta[g])).toBeLessThan(THETA_TOL);
  expect(relDiff(crit(a), crit(b))).toBeLessThan(CRIT_TOL);
  expect(relDiff(a.objective(b.theta), crit(a))).toBeLessThan(CRIT_TOL);
  expect(relDiff(a.sigma, b.sigma)).toBeLessThan(EST_TOL);
  expect(b.nobs).toBe(a.nobs);
  expect(b.isSingular).toBe(a.isSingular);
}

function expectSameCriterion(a: LmmFit, b: LmmFit, shift = 0): void {
  for (const th of FIXED_THETA) {
    expect(relDiff(a.objective(th) + shift, b.objective(th))).toBeLessThan(CRIT_TOL);
  }
}

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const rng = new Rng(seed);
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const fitPanel = (p: RandomPanel, rows: unknown = p.rows, formula = formulaOf(p)) =>
  attempt(() => fit(rows as never, formula, { reml: p.reml }));

describe('invariances', () => {
  it('row permutation changes nothing', () => {
    fc.assert(
      fc.property(randomPanel, fc.integer({ min: 1, max: 1e9 }), (p, seed) => {
        const pair = both(fitPanel(p), fitPanel(p, shuffle(p.rows, seed)));
        if (!pair) return;
        const [a, b] = pair;
        expectSameCriterion(a, b);
        expectSameOptimum(a, b);
        for (const nm of a.betaNames) expect(relDiff(a.beta[nm], b.beta[nm])).toBeLessThan(EST_TOL);
        expect(b.ranef('unit')).toEqual(Object.fromEntries(Object.keys(a.ranef('unit')).map((k) => [k, b.ranef('unit')[k]])));
      }),
      RUNS,
    );
  });

  it('relabelling levels changes nothing (and maps the conditional modes)', () => {
    fc.assert(
      fc.property(randomPanel, fc.integer({ min: 1, max: 1e9 }), (p, seed) => {
        const units = [...new Set(p.rows.map((r) => r.unit))];
        const newNames = shuffle(
          units.map((_, i) => `L${String.fromCharCode(97 + (i % 26))}${i}`),
          seed,
        );
        const unitMap = new Map(units.map((u, i) => [u, newNames[i]]));
        const rows = p.rows.map((r) => ({ ...r, unit: unitMap.get(r.unit)!, period: `P${3000 - r.period}` }));
        const pair = both(fitPanel(p), fitPanel(p, rows));
        if (!pair) return;
        const [a, b] = pair;
        expectSameCriterion(a, b);
        expectSameOptimum(a, b);
        for (const nm of a.betaNames) expect(relDiff(a.beta[nm], b.beta[nm])).toBeLessThan(EST_TOL);
        const ra = a.ranef('unit');
        const rb = b.ranef('unit');
        for (const [u, v] of Object.entries(ra)) expect(relDiff(v, rb[unitMap.get(u)!])).toBeLessThan(1e-5);
      }),
      RUNS,
    );
  });

  it('reordering the random terms changes nothing', () => {
    fc.assert(
      fc.property(randomPanel, (p) => {
        const pair = both(fitPanel(p), fitPanel(p, p.rows, formulaOf(p, 'pu')));
        if (!pair) return;
        const [a, b] = pair;
        expect(b.groups).toEqual(['period', 'unit']);
        expectSameCriterion(a, b);
        expectSameOptimum(a, b);
        for (const nm of a.betaNames) expect(relDiff(a.beta[nm], b.beta[nm])).toBeLessThan(EST_TOL);
      }),
      RUNS,
    );
  });

  it('the three data shapes give the same fit', () => {
    fc.assert(
      fc.property(randomPanel, (p) => {
        const a = fitPanel(p);
        for (const data of [toColumns(p.rows), aq.from(p.rows)]) {
          const pair = both(a, fitPanel(p, data));
          if (!pair) return;
          expect(pair[1].toJSON()).toEqual(pair[0].toJSON());
        }
      }),
      { ...RUNS, numRuns: 15 },
    );
  });
});

describe('closed-form transformations', () => {
  it('y -> a + b y: theta unchanged, variances times b^2, beta transformed, criterion shifted', () => {
    // b a signed power of two and |a| <= 100 |b|, so that a + b y is computed with rounding
    // errors far below the tolerances (otherwise the transformed data is not exactly affine).
    const scale = fc
      .record({ k: fc.integer({ min: -10, max: 10 }), sign: fc.constantFrom(-1, 1), a: fc.double({ min: -100, max: 100, noNaN: true }) })
      .map(({ k, sign, a }) => ({ a: a * 2 ** k, b: sign * 2 ** k }));
    fc.assert(
      fc.property(randomPanel, scale, (p, { a: shift, b: mult }) => {
        const rows = p.rows.map((r) => ({ ...r, y: r.y === null ? null : shift + mult * r.y }));
        const pair = both(fitPanel(p), fitPanel(p, rows));
        if (!pair) return;
        const [m, s] = pair;
        // Criterion: r2 scales by b^2, so ML deviance gains n log b^2 and REML (n - p) log b^2.
        const dof = m.reml ? m.nobs - m.betaNames.length : m.nobs;
        const shiftCrit = dof * Math.log(mult * mult);
        expectSameCriterion(m, s, shiftCrit);
        expect(relDiff(crit(m) + shiftCrit, crit(s))).toBeLessThan(CRIT_TOL);
        for (const g of m.groups) expect(relDiff(m.theta[g], s.theta[g])).toBeLessThan(THETA_TOL);
        expect(relDiff(m.objective(s.theta), crit(m))).toBeLessThan(CRIT_TOL);
        expect(relDiff(Math.abs(mult) * m.sigma, s.sigma, 0)).toBeLessThan(EST_TOL);
        // Variances relative to the total (a tiny component inherits theta's absolute noise).
        const total = m.varcorr.reduce((acc, r) => acc + r.variance, 0) * mult * mult;
        m.varcorr.forEach((row, i) => {
          expect(relDiff(mult * mult * row.variance, s.varcorr[i].variance, total)).toBeLessThan(EST_TOL);
        });
        const b0 = shift + mult * m.beta['(Intercept)'];
        expect(relDiff(b0, s.beta['(Intercept)'], Math.abs(mult))).toBeLessThan(EST_TOL);
        if (p.covariate) {
          expect(relDiff(mult * m.beta.x, s.beta.x, Math.abs(mult) * 1e-3)).toBeLessThan(1e-5);
          expect(relDiff(Math.abs(mult) * m.se.x, s.se.x, 0)).toBeLessThan(1e-5);
        }
      }),
      RUNS,
    );
  });

  it('x -> c + d x: theta and sigma unchanged; ML deviance invariant, REML criterion shifted by log d^2', () => {
    const affine = fc
      .record({ k: fc.integer({ min: -10, max: 10 }), sign: fc.constantFrom(-1, 1), c: fc.double({ min: -100, max: 100, noNaN: true }) })
      .map(({ k, sign, c }) => ({ c: c * 2 ** k, d: sign * 2 ** k }));
    fc.assert(
      fc.property(
        randomPanel.filter((p) => p.covariate),
        affine,
        (p, { c, d }) => {
          const rows = p.rows.map((r) => ({ ...r, x: r.x === null ? null : c + d * r.x }));
          const pair = both(fitPanel(p), fitPanel(p, rows));
          if (!pair) return;
          const [m, t] = pair;
          // X' = X T with det T = d, so log|R_X|^2 gains log d^2 (REML only).
          const shiftCrit = m.reml ? Math.log(d * d) : 0;
          expectSameCriterion(m, t, shiftCrit);
          expect(relDiff(crit(m) + shiftCrit, crit(t))).toBeLessThan(CRIT_TOL);
          for (const g of m.groups) expect(relDiff(m.theta[g], t.theta[g])).toBeLessThan(THETA_TOL);
          expect(relDiff(m.sigma, t.sigma)).toBeLessThan(EST_TOL);
          expect(relDiff(m.beta.x / d, t.beta.x, 1e-6)).toBeLessThan(1e-5);
          expect(relDiff(m.se.x / Math.abs(d), t.se.x, 0)).toBeLessThan(1e-5);
          const b0 = m.beta['(Intercept)'] - (m.beta.x * c) / d;
          expect(relDiff(b0, t.beta['(Intercept)'], 1 + Math.abs((m.beta.x * c) / d))).toBeLessThan(1e-5);
        },
      ),
      RUNS,
    );
  });
});

describe('inputs are never mutated', () => {
  it('deep-frozen rows and columns, and typed-array columns, are left as they were', () => {
    fc.assert(
      fc.property(randomPanel, fc.boolean(), (p, withWeights) => {
        const weights = withWeights ? p.rows.map((_, i) => 1 + (i % 3)) : undefined;
        const rows = deepFreeze(structuredClone(p.rows));
        const cols = deepFreeze(toColumns(structuredClone(p.rows)));
        const typed = {
          y: Float64Array.from(p.rows, (r) => (r.y === null ? NaN : r.y)),
          x: Float64Array.from(p.rows, (r) => (r.x === null ? NaN : r.x)),
          unit: p.rows.map((r) => r.unit),
          period: Int32Array.from(p.rows, (r) => r.period),
        };
        const w = weights ? deepFreeze(weights.slice()) : undefined;
        const options = deepFreeze({ reml: p.reml, weights: w, control: { maxEvaluations: 5000 } });
        const formula = deepFreeze({ outcome: 'y', covariates: p.covariate ? ['x'] : [], groups: ['unit', 'period'] });
        const before = [rows, cols, typed, options, formula].map(snapshot);
        const results = [
          attempt(() => fit(rows, formulaOf(p), options)),
          attempt(() => fit(cols, formula, options)),
          attempt(() => fit(typed, formulaOf(p), options)),
        ];
        expect([rows, cols, typed, options, formula].map(snapshot)).toEqual(before);
        // Reading a fit does not change the data either.
        for (const r of results) {
          if (typeof r === 'string') continue;
          r.fitted();
          r.residuals();
          r.ranef('unit');
          r.summary();
        }
        expect([rows, cols, typed, options, formula].map(snapshot)).toEqual(before);
      }),
      { ...RUNS, numRuns: 15 },
    );
  });
});
