/**
 * Compare two builders' cell statistics cell by cell (matched by their keys, in any order), on
 * the scale of each statistic: counts and weight sums exactly / to `rel`, cell means (origin
 * added back) to `rel` of the column's spread (beyond a few ulps of the mean itself), co-moments to `rel` of sqrt(T_a T_b) where T_a is
 * column a's total sum of squares about its mean (the scale of the cross-product block they
 * enter), sums of 1/w and of log w to `rel`.
 */
import { expect } from 'vitest';
import type { CellStatistics } from '../../src/input/cell-statistics.js';

function keyOf(cells: CellStatistics, c: number): string {
  return Object.keys(cells.keys)
    .sort()
    .map((k) => `${k}=${String(cells.keys[k][c])}`)
    .join('|');
}

/** Total (weighted) sum of squares of each statistic column about its overall mean. */
function totals(cells: CellStatistics, weighted: boolean): number[] {
  const v = cells.columns.length;
  const np = (v * (v + 1)) / 2;
  const w = weighted && cells.weight ? cells.weight : cells.count;
  const mean = weighted || !cells.unweighted ? cells.mean : cells.unweighted.mean;
  const com = weighted || !cells.unweighted ? cells.comoment : cells.unweighted.comoment;
  return Array.from({ length: v }, (_, a) => {
    let W = 0;
    let m = 0;
    for (let c = 0; c < cells.ncells; c++) {
      W += w[c];
      m += w[c] * mean[c * v + a];
    }
    m /= W;
    let t = 0;
    for (let c = 0; c < cells.ncells; c++) t += com[c * np + (a * (a + 1)) / 2 + a] + w[c] * (mean[c * v + a] - m) ** 2;
    return t;
  });
}

/**
 * Expect equal cell statistics (see the file comment); returns the largest relative difference.
 *
 * @example
 * ```ts
 * expectSameCells(cellsFromRows(rows, f), cellsFromTable(rows, f));
 * ```
 */
export function expectSameCells(a: CellStatistics, b: CellStatistics, rel = 1e-12): number {
  expect(b.columns).toEqual(a.columns);
  expect(b.ncells).toBe(a.ncells);
  expect(b.weight === null).toBe(a.weight === null);
  expect(b.nDropped).toBe(a.nDropped);
  expect(b.nrowsInput).toBe(a.nrowsInput);
  const v = a.columns.length;
  const np = (v * (v + 1)) / 2;
  const index = new Map<string, number>();
  for (let c = 0; c < b.ncells; c++) index.set(keyOf(b, c), c);
  let worst = 0;
  const check = (x: number, y: number, scale: number) => (worst = Math.max(worst, Math.abs(x - y) / (scale || 1)));
  const sets: Array<[boolean, Float64Array, Float64Array, Float64Array, Float64Array]> = [[true, a.mean, b.mean, a.comoment, b.comoment]];
  if (a.weight) {
    expect(a.unweighted && b.unweighted && a.sumInverseWeight && b.sumInverseWeight).toBeTruthy();
    sets.push([false, a.unweighted!.mean, b.unweighted!.mean, a.unweighted!.comoment, b.unweighted!.comoment]);
    check(a.sumLogWeight, b.sumLogWeight, Math.max(1, Math.abs(a.sumLogWeight)));
  }
  for (const [weighted, ma, mb, ca, cb] of sets) {
    const t = totals(a, weighted);
    let W = 0;
    for (let c = 0; c < a.ncells; c++) W += weighted && a.weight ? a.weight[c] : a.count[c];
    for (let ca_ = 0; ca_ < a.ncells; ca_++) {
      const cb_ = index.get(keyOf(a, ca_));
      expect(cb_, `cell ${keyOf(a, ca_)}`).toBeDefined();
      const c2 = cb_!;
      expect(b.count[c2]).toBe(a.count[ca_]);
      if (a.weight) {
        check(a.weight[ca_], b.weight![c2], a.weight[ca_]);
        check(a.sumInverseWeight![ca_], b.sumInverseWeight![c2], a.sumInverseWeight![ca_]);
      }
      for (let x = 0; x < v; x++) {
        const spread = Math.sqrt(t[x] / W);
        // Origins differ between builders: the means about them agree to the spread, plus the
        // rounding of adding the origin back (a few ulps of a mean such as 1e5).
        const ya = ma[ca_ * v + x] + a.origin[x];
        const yb = mb[c2 * v + x] + b.origin[x];
        worst = Math.max(worst, Math.max(0, Math.abs(ya - yb) - 4 * Number.EPSILON * Math.abs(ya)) / (spread || 1));
        for (let y = 0; y <= x; y++) {
          const k = (x * (x + 1)) / 2 + y;
          check(ca[ca_ * np + k], cb[c2 * np + k], Math.sqrt(t[x] * t[y]));
        }
      }
    }
  }
  expect(worst).toBeLessThan(rel);
  return worst;
}
