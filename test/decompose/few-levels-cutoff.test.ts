/**
 * The few-levels cut-off against an independent R computation (scripts/reference/few-levels-cutoff.R:
 * the REML statistic of the balanced one-way layout minimised numerically, its rejection regions
 * found by root search and weighed by pchisq), its limits, and the chi-square distribution function
 * against R's pchisq.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fewLevelsCutoff, fewLevelsTail } from '../../src/decompose/few-levels-cutoff.js';
import { chiSquareCdf, chiSquareSurvival } from '../../src/random/chi-square-cdf.js';

const ref = JSON.parse(readFileSync('test/fixtures/few-levels-cutoff.json', 'utf8')) as {
  cutoffs: { k: number; r: number; level: number; cutoff: number }[];
  chisq: { x: number; df: number; cdf: number; survival: number }[];
};

describe('few-levels cut-off', () => {
  it('matches the R reference at 50 (k, ratio, level) points to 1e-6', () => {
    for (const c of ref.cutoffs) expect(fewLevelsCutoff(c.k, c.r, c.level)).toBeCloseTo(c.cutoff, 6);
  });

  it('at the boundary it is k g(q_k / k), q_k the chi2_k quantile; far from it, near Bartlett 3.8415 (1 + 1/(3k))', () => {
    // qchisq(0.95, 4) = 9.487729036781154
    const u = 9.487729036781154 / 4;
    expect(fewLevelsCutoff(4, 1, 0.95)).toBeCloseTo(4 * (u - 1 - Math.log(u)), 8);
    for (const k of [7, 11, 29]) expect(fewLevelsCutoff(k, 1e8, 0.95) / (3.841458820694124 * (1 + 1 / (3 * k)))).toBeCloseTo(1, 2);
  });

  it('tends to the large-sample cut-offs (3.8415 inside, 2.7055 at the boundary) as the levels grow', () => {
    expect(fewLevelsCutoff(1e6, 50, 0.95)).toBeCloseTo(3.841458820694124, 3);
    expect(fewLevelsCutoff(1e6, 1, 0.95)).toBeCloseTo(2.705543454095404, 2);
  });

  it('the tail probability at the cut-off is 1 - level', () => {
    for (const [k, r] of [
      [4, 1.7],
      [7, 3],
      [20, 1.1],
    ]) {
      expect(fewLevelsTail(fewLevelsCutoff(k, r, 0.9), k, r)).toBeCloseTo(0.1, 9);
    }
  });
});

describe('chi-square distribution function', () => {
  it("matches R's pchisq (both tails) to 1e-12 relative", () => {
    for (const c of ref.chisq) {
      expect(chiSquareCdf(c.x, c.df) / c.cdf).toBeCloseTo(1, 12);
      expect(chiSquareSurvival(c.x, c.df) / c.survival).toBeCloseTo(1, 11);
    }
  });

  it('is 0 at 0 and 1 at infinity', () => {
    expect(chiSquareCdf(0, 3)).toBe(0);
    expect(chiSquareSurvival(Infinity, 3)).toBe(0);
  });
});
