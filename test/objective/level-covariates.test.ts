/**
 * Columns of X constant within a term's levels: detection, and the cross-products taken through
 * the levels (`CrossProducts.reweight`) against the row pass of a fresh build.
 */
import { describe, expect, it } from 'vitest';
import { CrossProducts, type EngineDesign } from '../../src/objective/cross-products.js';
import { levelCovariates } from '../../src/objective/level-covariates.js';
import { ProfiledCriterion } from '../../src/objective/profiled-criterion.js';
import { Rng } from '../../src/random/rng.js';

describe('levelCovariates', () => {
  it('finds the term a column is constant within, and its level values', () => {
    const n = 6;
    const person = Int32Array.of(0, 0, 1, 1, 2, 2);
    const item = Int32Array.of(0, 1, 0, 1, 0, 1);
    // intercept, a person covariate, an item covariate, a row covariate
    const x = Float64Array.of(1, 1, 1, 1, 1, 1, 3, 3, 5, 5, -1, -1, 7, 8, 7, 8, 7, 8, 1, 2, 3, 4, 5, 6);
    const lc = levelCovariates(x, n, 4, [person, item], [3, 2], 1000);
    // the item term is cheaper (3 x 2 through g) than the first term (3 + 3 x 2)
    expect(Array.from(lc.home)).toEqual([1, 0, 1, -1]);
    expect(Array.from(lc.values[1]!)).toEqual([3, 5, -1]);
    expect(Array.from(lc.values[2]!)).toEqual([7, 8]);
    expect(lc.values[3]).toBeNull();
    // when the levels cost more than the rows, every column goes through the rows
    expect(Array.from(levelCovariates(x, n, 4, [person, item], [3, 2], 5).home)).toEqual([-1, -1, -1, -1]);
  });
});

/** Persons x items (crossed, some cells missing) with person, item and row covariates, and a third term. */
function crossedProblem(seed: number): { design: EngineDesign; y: Float64Array } {
  const rng = new Rng(seed);
  const persons = 37;
  const items = 11;
  const blocks = 3;
  const rows: Array<[number, number]> = [];
  for (let j = 0; j < persons; j++) for (let a = 0; a < items; a++) if (rng.uniform() < 0.8 || a === 0 || j === 0) rows.push([j, a]);
  const n = rows.length;
  const age = Float64Array.from({ length: persons }, () => 20 + Math.floor(rng.uniform() * 40));
  const hard = Float64Array.from({ length: items }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const p = 4;
  const x = new Float64Array(n * p);
  rows.forEach(([j, a], i) => {
    x[i] = 1;
    x[n + i] = age[j];
    x[2 * n + i] = hard[a];
    x[3 * n + i] = rng.normal();
  });
  const factors = [
    { codes: Int32Array.from(rows, (r) => r[0]), nlevels: persons },
    { codes: Int32Array.from(rows, (r) => r[1]), nlevels: items },
    { codes: Int32Array.from(rows, (r) => r[1] % blocks), nlevels: blocks },
  ];
  const weights = Float64Array.from({ length: n }, () => 0.05 + rng.uniform());
  const y = Float64Array.from({ length: n }, () => rng.normal() * 2);
  return { design: { n, p, x, factors, weights, perLevel: true }, y };
}

describe('cross-products through the levels of a term', () => {
  it('reweight() and a per-level build equal the row pass of a fresh build (1e-13 of each block scale), criterion to 1e-12', () => {
    const { design, y } = crossedProblem(5);
    const cp = new CrossProducts(design, y);
    const rng = new Rng(9);
    const w = design.weights!;
    for (let i = 0; i < w.length; i++) w[i] = 0.1 + rng.uniform() * 3;
    const y2 = Float64Array.from(y, (v) => v + rng.normal());
    cp.reweight(y2);
    const lc = (cp as unknown as { levelCache: { home: Int32Array } }).levelCache;
    // intercept, the person and the item covariate go through levels; the row covariate does not
    expect(lc.home[0]).toBeGreaterThanOrEqual(0);
    expect(lc.home[1]).toBe(0);
    expect(lc.home[2]).toBeGreaterThan(0);
    expect(lc.home[3]).toBe(-1);
    // the row pass: a build without the per-level layout
    const fresh = new CrossProducts({ ...design, perLevel: false }, y2);
    // a per-level build takes the same pass as reweight()
    const perLevel = new CrossProducts(design, y2);
    expect(Array.from(perLevel.B)).toEqual(Array.from(cp.B));
    expect(Array.from(perLevel.g)).toEqual(Array.from(cp.g));
    expect(perLevel.reweightable).toBe(true);
    expect(perLevel.ldW).toBe(cp.ldW);
    const scale = Math.max(...Array.from(fresh.B, Math.abs));
    for (let i = 0; i < fresh.B.length; i++) expect(Math.abs(cp.B[i] - fresh.B[i])).toBeLessThan(1e-13 * scale);
    const gscale = Math.max(...Array.from(fresh.g, Math.abs));
    for (let i = 0; i < fresh.g.length; i++) expect(Math.abs(cp.g[i] - fresh.g[i])).toBeLessThan(1e-13 * gscale);
    expect(Array.from(cp.n1)).toEqual(Array.from(fresh.n1));
    for (const theta of [Float64Array.of(0.8, 1.3, 0.4), Float64Array.of(2, 0, 0.7)]) {
      const a = new ProfiledCriterion(cp, false).evaluate(theta);
      const b = new ProfiledCriterion(fresh, false).evaluate(theta);
      expect(Math.abs(a - b)).toBeLessThan(1e-12 * Math.abs(b));
    }
  });
});
