/**
 * The Shapley method with many covariates: the group shares stay exact; the Owen split across
 * covariate terms is exact up to OWEN_EXACT_MAX_TERMS (12) terms and above it an unbiased
 * estimate from sampled entry orders, with a seed and standard errors, whose values sum exactly
 * to the fixed share. (Before: 2^terms regressions, 20 terms did not finish in 90 s and 30
 * crashed with "Map maximum size exceeded".)
 */
import { describe, expect, it } from 'vitest';
import { compare, decompose, fit, OWEN_EXACT_MAX_TERMS, VardecompError } from '../../src/index.js';
import { r2Game, shapleyShares, type R2Game } from '../../src/decompose/r2-shares.js';
import { Rng } from '../../src/random/index.js';

/** y on k covariates with unequal effects, 25 units x 8 periods. */
function manyCovariates(k: number, seed = 1): { rows: Record<string, number | string>[]; formula: string } {
  const rng = new Rng(seed);
  const u = Array.from({ length: 25 }, () => rng.normal());
  const v = Array.from({ length: 8 }, () => 0.5 * rng.normal());
  const rows: Record<string, number | string>[] = [];
  for (let i = 0; i < 25; i++) {
    for (let t = 0; t < 8; t++) {
      const row: Record<string, number | string> = { unit: `u${i}`, period: t };
      let y = u[i] + v[t] + rng.normal();
      for (let j = 0; j < k; j++) {
        const x = rng.normal() + 0.3 * u[i];
        row[`x${j}`] = x;
        y += (j % 3 === 0 ? 0.4 : 0.1) * x;
      }
      row.y = y;
      rows.push(row);
    }
  }
  const xs = Array.from({ length: k }, (_, j) => `x${j}`).join(' + ');
  return { rows, formula: `y ~ ${xs} + (1|unit) + (1|period)` };
}

describe('Shapley covariate split', () => {
  it(`is exact up to ${OWEN_EXACT_MAX_TERMS} terms and sampled above`, () => {
    const at = decompose(manyCovariates(OWEN_EXACT_MAX_TERMS).rows, manyCovariates(OWEN_EXACT_MAX_TERMS).formula, { method: 'shapley' });
    expect(at.covariateSplit).toEqual({ method: 'exact', terms: OWEN_EXACT_MAX_TERMS });
    const { rows, formula } = manyCovariates(OWEN_EXACT_MAX_TERMS + 1);
    const above = decompose(rows, formula, { method: 'shapley', shapley: { permutations: 50 } });
    expect(above.covariateSplit!.method).toBe('permutation');
    expect(above.covariateSplit!.permutations).toBe(50);
    expect(above.covariateSplit!.seed).toBe(1);
    expect(above.diagnostics.map((d) => d.code)).toContain('SAMPLED_SPLIT');
    expect(above.format()).toMatch(/Shapley split estimated from 50 sampled orders, seed 1/);
  });

  it('the sampled estimate agrees with the exact Owen value within its standard errors (8 terms)', () => {
    const { rows, formula } = manyCovariates(8, 4);
    const m = fit(rows, formula);
    const exact = decompose(m, { method: 'shapley' });
    const sampled = decompose(m, { method: 'shapley', shapley: { exactMaxTerms: 0, permutations: 3000, seed: 9 } });
    expect(sampled.shares).toEqual(exact.shares); // the groups are exact either way
    let sum = 0;
    for (const [term, value] of Object.entries(exact.covariates)) {
      const se = sampled.covariateSplit!.se![term];
      expect(se).toBeGreaterThan(0);
      expect(Math.abs(sampled.covariates[term] - value), term).toBeLessThan(4 * se + 1e-12);
      sum += sampled.covariates[term];
    }
    expect(Math.abs(sum - exact.shares.fixed)).toBeLessThan(1e-12);
    // Same seed, same estimate; another seed, another estimate.
    const again = decompose(m, { method: 'shapley', shapley: { exactMaxTerms: 0, permutations: 3000, seed: 9 } });
    expect(again.covariates).toEqual(sampled.covariates);
    const other = decompose(m, { method: 'shapley', shapley: { exactMaxTerms: 0, permutations: 300, seed: 10 } });
    expect(other.covariates).not.toEqual(sampled.covariates);
  });

  it('30 and 40 covariate terms: finite, summing to the exact fixed share; compare and bootstrap too', () => {
    for (const k of [30, 40]) {
      const { rows, formula } = manyCovariates(k, k);
      const m = fit(rows, formula);
      const d = decompose(m, { method: 'shapley', shapley: { permutations: 20 } });
      const terms = Object.keys(d.covariates);
      expect(terms).toHaveLength(k);
      const sum = terms.reduce((s, t) => s + d.covariates[t], 0);
      expect(Math.abs(sum - d.shares.fixed)).toBeLessThan(1e-12);
      for (const t of terms) expect(Number.isFinite(d.covariateSplit!.se![t])).toBe(true);
      // The sequential split is linear in the number of terms and stays exact.
      const seq = decompose(m, { method: 'sequential' });
      expect(Object.keys(seq.covariates)).toHaveLength(k);
      if (k === 30) {
        const c = compare(m, { shapley: { permutations: 10 }, intervals: { n: 4, seed: 1 } });
        expect(c.decompositions.shapley.shares.fixed).toBeCloseTo(d.shares.fixed, 12);
        for (const r of c.rows) expect(Number.isFinite(r.lower!.shapley)).toBe(true);
      }
    }
  });

  it('checks the shapley option', () => {
    const { rows, formula } = manyCovariates(2);
    for (const bad of [{ permutations: 1 }, { permutations: 2.5 }, { exactMaxTerms: 17 }, { seed: NaN }, { samples: 3 }, 'many']) {
      expect(() => decompose(rows, formula, { method: 'shapley', shapley: bad as never })).toThrowError(VardecompError);
    }
  });

  it('refuses more than 16 groups instead of running 2^groups regressions', () => {
    const game: R2Game = {
      keys: Array.from({ length: 17 }, (_, i) => `g${i}`),
      covariateTerms: [],
      value: () => 0,
      valueOf: () => 0,
      full: 0,
      tss: 1,
    };
    expect(() => shapleyShares(game)).toThrow(/17 groups needs 2\^17 regressions/);
  });

  it('the game evaluates any number of terms', () => {
    const { rows, formula } = manyCovariates(3);
    const g = r2Game(fit(rows, formula).prepared, fit(rows, formula).prepared.cp);
    expect(g.valueOf(3, [1, 1, 1])).toBeCloseTo(g.full, 14);
    expect(g.valueOf(0, [1, 0, 1])).toBeCloseTo(g.value(0, 0b101), 14);
  });
});
