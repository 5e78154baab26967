/**
 * Agreement with lme4 for formula functions and offsets (scripts/reference/transforms.R and
 * scripts/reference/within-between.R; tight bobyqa fits). Tolerances as the other lme4 tests:
 * criterion at fixed theta 1e-8 relative, at the optimum 1e-6; theta, variances and shares built
 * from them 3e-4; beta and standard errors 1e-5.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import { describe, expect, it } from 'vitest';
import { decompose, fit } from '../../src/index.js';
import { loadEnglandPanel } from '../../src/data/index.js';
import { closeRel } from '../helpers/fixtures.js';

const dir = fileURLToPath(new URL('../fixtures/', import.meta.url));

interface RefFit {
  criterion: number;
  betaNames: string[];
  beta: Record<string, number>;
  se: Record<string, number>;
  theta: Record<string, number>;
  sigma: number;
  varcorr: Array<{ group: string; variance: number }>;
  criterionAt: Array<{ theta: Record<string, number>; value: number }>;
  fittedHead?: number[];
  residualsHead?: number[];
}

function expectRel(got: number, want: number, rel: number, what: string, floor = 1e-8): void {
  if (!closeRel(got, want, rel, floor)) {
    expect.fail(`${what}: got ${got}, lme4 ${want} (rel diff ${(Math.abs(got - want) / Math.max(Math.abs(want), floor)).toExponential(2)} > ${rel})`);
  }
}

function compareFit(m: ReturnType<typeof fit>, ref: RefFit, kind: 'reml' | 'ml'): void {
  for (const at of ref.criterionAt) expectRel(m.objective(at.theta), at.value, 1e-8, `criterion at ${JSON.stringify(at.theta)}`);
  expectRel(kind === 'reml' ? m.remlCriterion! : m.deviance!, ref.criterion, 1e-6, 'criterion');
  expect(m.betaNames).toEqual(ref.betaNames);
  for (const nm of ref.betaNames) {
    expectRel(m.beta[nm], ref.beta[nm], 1e-5, `beta[${nm}]`, 1e-6);
    expectRel(m.se[nm], ref.se[nm], 1e-5, `se[${nm}]`, 1e-6);
  }
  const scale = Math.max(...ref.varcorr.map((v) => v.variance));
  for (const v of ref.varcorr) {
    const got = m.varcorr.find((r) => r.group === v.group)!;
    expectRel(got.variance, v.variance, 3e-4, `variance[${v.group}]`, 1e-3 * scale);
  }
}

describe('lme4 agreement: transforms and offsets (panel-covariate)', () => {
  const ref = JSON.parse(readFileSync(`${dir}specials/transforms.json`, 'utf8')) as {
    fixtures: Array<{ name: string; formula: string; offsetColumn: string | null; reml: RefFit; ml: RefFit }>;
  };
  const base = aq.fromCSV(readFileSync(dir + 'panel-covariate.csv', 'utf8'));
  // The offset column of the R script: off = round(0.3 * imd, 4).
  const table = base.derive({ off: aq.escape((d: { imd: number }) => Math.round(0.3 * d.imd * 1e4) / 1e4) });

  it('has the four reference formulas', () => {
    expect(ref.fixtures.map((f) => f.name)).toEqual(['log-scale-power', 'offset-term', 'offset-argument', 'log-interaction']);
  });

  for (const fx of ref.fixtures) {
    for (const kind of ['reml', 'ml'] as const) {
      it(`${fx.name} ${kind}: ${fx.formula}`, () => {
        const m = fit(table, fx.formula, { reml: kind === 'reml', ...(fx.offsetColumn ? { offset: fx.offsetColumn } : {}) });
        compareFit(m, fx[kind], kind);
        // Fitted values include the offset; residuals are y - fitted (as lme4's fitted() and residuals()).
        const fitted = m.fitted();
        const resid = m.residuals();
        fx[kind].fittedHead!.forEach((v, i) => expectRel(fitted[i], v, 1e-5, `fitted[${i}]`, 1));
        fx[kind].residualsHead!.forEach((v, i) => expectRel(resid[i], v, 1e-4, `residual[${i}]`, 1));
      });
    }
  }

  it('an offset given as an array equals the same offset as a column and as offset(0.3 * imd)', () => {
    const off = table.array('off') as number[];
    const a = fit(table, 'y ~ x2 + (1 | la) + (1 | year)', { offset: off });
    const b = fit(table, 'y ~ x2 + (1 | la) + (1 | year)', { offset: 'off' });
    const c = fit(table, 'y ~ x2 + offset(off) + (1 | la) + (1 | year)');
    expect(a.remlCriterion).toBe(b.remlCriterion);
    expect(c.remlCriterion).toBe(b.remlCriterion);
    expect(c.formula).toBe('y ~ x2 + offset(off) + (1 | la) + (1 | year)');
  });
});

describe('lme4 agreement: the England within/between split (2015-2018)', async () => {
  const ref = JSON.parse(readFileSync(`${dir}specials/within-between.json`, 'utf8')) as {
    formula: string;
    nobs: number;
    reml: RefFit & { components: { shares: Record<string, number>; covariates: Record<string, number> } };
    ml: RefFit;
  };
  const panel = await loadEnglandPanel({ years: [2015, 2018] });

  for (const kind of ['reml', 'ml'] as const) {
    it(`${kind}: criterion, beta, variances as lmer on precomputed within/between columns`, () => {
      const m = fit(panel, ref.formula, { reml: kind === 'reml' });
      expect(m.nobs).toBe(ref.nobs);
      expect(m.formula).toBe(ref.formula);
      compareFit(m, ref[kind], kind);
    });
  }

  it('components: the fixed share split into between, within and IMD parts keyed by term label', () => {
    const d = decompose(panel, ref.formula).toJSON();
    const want = ref.reml.components;
    for (const [k, v] of Object.entries(want.shares)) expectRel(d.shares[k], v, 3e-4, `share[${k}]`, 1e-6);
    expect(Object.keys(d.covariates)).toEqual(Object.keys(want.covariates));
    for (const [k, v] of Object.entries(want.covariates)) expectRel(d.covariates[k], v, 3e-4, `covariates[${k}]`, 1e-6);
    const sum = Object.values(d.covariates).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(d.shares.fixed, 12);
  });
});
