/**
 * GLMM input: the binomial response forms give the same fit, bad counts / proportions / totals
 * are VardecompErrors naming the row and column, options are checked, the Gaussian path is
 * unchanged, offsets as a column and as an array agree.
 */
import { describe, expect, it } from 'vitest';
import { fit, LmmFit, VardecompError } from '../../src/index.js';
import { GlmmFit } from '../../src/output/glmm-fit.js';
import { fitFixture, loadGlmmFixture } from '../helpers/glmm-fixtures.js';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof VardecompError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

const { table: cbpp } = loadGlmmFixture('cbpp');
const rows = cbpp.objects() as Array<{ herd: string; period: string; incidence: number; size: number }>;

describe('binomial response forms', () => {
  const ref = fit(cbpp, 'cbind(incidence, size - incidence) ~ period + (1 | herd)', { family: 'binomial' });
  it('cbind(successes, failures) with a failures column equals cbind(s, n - s)', () => {
    const data = rows.map((r) => ({ ...r, fail: r.size - r.incidence }));
    const m = fit(data, 'cbind(incidence, fail) ~ period + (1 | herd)', { family: 'binomial' });
    expect(m.deviance).toBeCloseTo(ref.deviance, 8);
    expect(m.beta['periodP2']).toBeCloseTo(ref.beta['periodP2'], 6);
    expect(m.formula).toBe('cbind(incidence, fail) ~ period + (1 | herd)');
  });
  it('a proportion with weights = trials equals cbind', () => {
    const data = rows.map((r) => ({ ...r, prop: r.incidence / r.size }));
    const m = fit(data, 'prop ~ period + (1 | herd)', { family: 'binomial', weights: 'size' });
    expect(m.deviance).toBeCloseTo(ref.deviance, 8);
    expect(m.varcorr[0].variance).toBeCloseTo(ref.varcorr[0].variance, 6);
  });
  it('0/1 and boolean outcomes give the same fit (one row per trial)', () => {
    const long: Array<Record<string, unknown>> = [];
    for (const r of rows) {
      for (let k = 0; k < r.size; k++) long.push({ herd: r.herd, period: r.period, y: k < r.incidence ? 1 : 0, b: k < r.incidence });
    }
    const m01 = fit(long, 'y ~ period + (1 | herd)', { family: 'binomial' });
    const mb = fit(long, 'b ~ period + (1 | herd)', { family: 'binomial' });
    expect(mb.deviance).toBeCloseTo(m01.deviance, 8);
    // Same likelihood up to the binomial coefficients: identical estimates.
    expect(m01.beta['(Intercept)']).toBeCloseTo(ref.beta['(Intercept)'], 5);
    expect(m01.varcorr[0].variance).toBeCloseTo(ref.varcorr[0].variance, 5);
  });
});

describe('bad responses name the row and column', () => {
  it('negative or fractional counts (Poisson)', () => {
    const data = rows.map((r, i) => ({ ...r, n: i === 4 ? -1 : r.incidence }));
    expect(codeOf(() => fit(data, 'n ~ period + (1 | herd)', { family: 'poisson' }))).toMatch(/^E_NONNUMERIC: .*"n" row 4 .*whole number/);
    const frac = rows.map((r, i) => ({ ...r, n: i === 7 ? 2.5 : r.incidence }));
    expect(codeOf(() => fit(frac, 'n ~ period + (1 | herd)', { family: 'poisson' }))).toMatch(/"n" row 7 holds 2.5/);
  });
  it('proportion outside [0, 1], fractional successes, missing weights', () => {
    const data = rows.map((r, i) => ({ ...r, p: i === 3 ? 1.2 : r.incidence / r.size }));
    expect(codeOf(() => fit(data, 'p ~ period + (1 | herd)', { family: 'binomial', weights: 'size' }))).toMatch(/"p" row 3 holds 1.2/);
    const noW = rows.map((r) => ({ ...r, p: r.incidence / r.size }));
    expect(codeOf(() => fit(noW, 'p ~ period + (1 | herd)', { family: 'binomial' }))).toMatch(/number of trials as weights/);
  });
  it('cbind: negative failures, fewer trials than successes, a total of 0', () => {
    const neg = rows.map((r, i) => ({ ...r, fail: i === 2 ? -3 : r.size - r.incidence }));
    expect(codeOf(() => fit(neg, 'cbind(incidence, fail) ~ period + (1 | herd)', { family: 'binomial' }))).toMatch(/"fail" row 2/);
    const few = rows.map((r, i) => ({ ...r, size: i === 5 ? r.incidence - 1 : r.size }));
    expect(codeOf(() => fit(few, 'cbind(incidence, size - incidence) ~ period + (1 | herd)', { family: 'binomial' }))).toMatch(
      /"size" row 5 .*fewer trials/,
    );
    const zero = rows.map((r, i) => ({ ...r, incidence: i === 6 ? 0 : r.incidence, fail: i === 6 ? 0 : r.size - r.incidence }));
    expect(codeOf(() => fit(zero, 'cbind(incidence, fail) ~ period + (1 | herd)', { family: 'binomial' }))).toMatch(/"fail" row 6 .*total of 0/);
  });
  it('cbind needs the binomial family and column names', () => {
    expect(codeOf(() => fit(cbpp, 'cbind(incidence, size - incidence) ~ period + (1 | herd)', { family: 'poisson' }))).toMatch(/^E_FORMULA/);
    expect(codeOf(() => fit(cbpp, 'cbind(incidence, size - herd) ~ period + (1 | herd)', { family: 'binomial' }))).toMatch(/^E_FORMULA/);
  });
});

describe('options and dispatch', () => {
  it('reml, unknown options, unknown families and links are E_OPTION / E_UNSUPPORTED', () => {
    const f = 'cbind(incidence, size - incidence) ~ period + (1 | herd)';
    expect(codeOf(() => fit(cbpp, f, { family: 'binomial', reml: true } as never))).toMatch(/^E_OPTION: Option "reml" does not apply/);
    expect(codeOf(() => fit(cbpp, f, { family: 'gamma' } as never))).toMatch(/^E_OPTION: Option "family"/);
    expect(codeOf(() => fit(cbpp, f, { family: 'binomial', link: 'log' } as never))).toMatch(/^E_UNSUPPORTED/);
    expect(codeOf(() => fit(cbpp, f, { family: 'binomial', nAGQ: 2 } as never))).toMatch(/^E_OPTION: Unknown option "nAGQ"/);
  });
  it('family "gaussian" or none is the linear mixed model', () => {
    const a = fit(cbpp, 'incidence ~ period + (1 | herd)');
    const b = fit(cbpp, 'incidence ~ period + (1 | herd)', { family: 'gaussian' });
    expect(a).toBeInstanceOf(LmmFit);
    expect(b.remlCriterion).toBe(a.remlCriterion);
    expect(fit(cbpp, 'incidence ~ period + (1 | herd)', { family: 'poisson' })).toBeInstanceOf(GlmmFit);
  });
  it('an offset as a column equals the same offset as an array; offsets of the wrong length are refused', () => {
    const data = rows.map((r) => ({ ...r, lsize: Math.log(r.size) }));
    const a = fit(data, 'incidence ~ period + (1 | herd)', { family: 'poisson', offset: 'lsize' });
    const b = fit(data, 'incidence ~ period + (1 | herd)', { family: 'poisson', offset: data.map((r) => r.lsize) });
    expect(b.deviance).toBe(a.deviance);
    expect(a.hasOffset).toBe(true);
    expect(codeOf(() => fit(data, 'incidence ~ period + (1 | herd)', { family: 'poisson', offset: [1, 2] }))).toMatch(/^E_OPTION: Option "offset" has 2 values/);
  });
  it('offset(log(col)) in the formula equals the offset option; both are reported', () => {
    const a = fitFixture('england-poisson', 'formula').m;
    const b = fitFixture('england-poisson', 'option').m;
    expect(a.hasOffset).toBe(true);
    expect(b.hasOffset).toBe(true);
    expect(a.deviance).toBeCloseTo(b.deviance, 8);
    expect(a.beta['imd2019_avg_score']).toBeCloseTo(b.beta['imd2019_avg_score'], 9);
  });
  it('random slopes: a categorical slope is E_UNSUPPORTED naming column and group; too many effects for the rows is E_LEVELS', () => {
    const data = rows.map((r, i) => ({ ...r, t: i % 4 }));
    expect(codeOf(() => fit(data, 'cbind(incidence, size - incidence) ~ t + (period | herd)', { family: 'binomial' }))).toMatch(
      /^E_UNSUPPORTED: Random slope on "period" in the term on "herd": "period" is categorical/,
    );
    const m = fit(data, 'incidence ~ t + (0 + t | herd)', { family: 'poisson' });
    expect(Object.keys(m.theta)).toEqual(['herd.t']);
    expect(m.varcorr.map((r) => r.name)).toEqual(['t']);
    // one row per herd: 2 random effects per herd for 1 row each
    const few = data.filter((r, i) => data.findIndex((q) => q.herd === r.herd) === i);
    expect(codeOf(() => fit(few, 'incidence ~ (1 + t | herd)', { family: 'poisson' }))).toMatch(/^E_LEVELS/);
  });
  it('does not mutate the input', () => {
    const copy = JSON.stringify(rows);
    fit(rows, 'cbind(incidence, size - incidence) ~ period + (1 | herd)', { family: 'binomial' });
    expect(JSON.stringify(rows)).toBe(copy);
  });
});
