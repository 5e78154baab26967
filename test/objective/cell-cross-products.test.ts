/**
 * Every statistics builder gives the row pass's blocks (DESIGN.md: "every statistics builder
 * gives the same blocks"): cells from in-memory rows, from an arquero rollup and from the
 * aggregate table produce B, g, n1, the centring shifts and the fit of the row path, to 1e-12
 * relative to the scale of each entry (sqrt(B_aa B_bb): entries that are sums of centred values
 * are zero up to rounding in both).
 *
 * With a large offset (y near 1e5) the two paths' centring shifts differ by an ulp or two of the
 * mean (each is a rounded sum), and every entry that sums n centred values moves by n times that:
 * a difference of the choice of shift, not of the builder. Those cases compare the blocks at the
 * row path's shifts (`cellCrossProducts(design, rows.xShift, rows.yShift)`), and the shifts to
 * 1e-12 relative.
 */
import { describe, expect, it } from 'vitest';
import { cellsFromRows } from '../../src/input/cell-statistics.js';
import { cellsFromTable } from '../../src/input/cells-from-table.js';
import { prepareModel, type PreparedModel } from '../../src/model/prepare-model.js';
import { prepareFromCells } from '../../src/model/prepare-from-cells.js';
import { fitPrepared } from '../../src/fit.js';
import { cellCrossProducts } from '../../src/objective/cell-cross-products.js';
import { closeRel, loadFixtures } from '../helpers/fixtures.js';

/** The same prepared cells, with the cross-products rebuilt at another model's shifts. */
function atShifts(cells: PreparedModel, shifts: PreparedModel): PreparedModel {
  return { ...cells, xShift: shifts.xShift, yShift: shifts.yShift, cp: cellCrossProducts(cells.cells!, shifts.xShift, shifts.yShift) };
}

function expectSameBlocks(a: PreparedModel, b: PreparedModel, rel = 1e-12): void {
  const { m, q1 } = a.cp;
  expect(b.cp.m).toBe(m);
  expect(b.cp.q1).toBe(q1);
  expect(b.cp.n).toBe(a.cp.n);
  expect(b.design.names).toEqual(a.design.names);
  expect(b.aliased).toEqual(a.aliased);
  const diag = Array.from({ length: m }, (_, i) => Math.abs(a.cp.B[i * m + i]));
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let k = 0; k <= i; k++) {
      const scale = Math.sqrt(diag[i] * diag[k]) || 1;
      worst = Math.max(worst, Math.abs(a.cp.B[i * m + k] - b.cp.B[i * m + k]) / scale);
    }
  }
  for (let j = 0; j < q1; j++) {
    expect(b.cp.n1[j]).toBeCloseTo(a.cp.n1[j], 9);
    for (let i = 0; i < m; i++) {
      const scale = Math.sqrt(a.cp.n1[j] * diag[i]) || 1;
      worst = Math.max(worst, Math.abs(a.cp.g[j * m + i] - b.cp.g[j * m + i]) / scale);
    }
  }
  expect(worst).toBeLessThan(rel);
  expect(b.cp.ldW).toBeCloseTo(a.cp.ldW, 8);
  expect(Array.from(b.cp.counts.values)).toEqual(Array.from(a.cp.counts.values).map((v) => expect.closeTo(v, 9)));
  for (let j = 0; j < a.xShift.length; j++) expect(Math.abs(b.xShift[j] - a.xShift[j])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a.xShift[j])));
  expect(Math.abs(b.yShift - a.yShift)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a.yShift)));
}

describe('cell statistics give the row pass blocks', () => {
  for (const { fixture, table } of loadFixtures()) {
    const options = fixture.weights ? { weights: fixture.weights } : {};
    const rows = prepareModel(table, fixture.formula, options);

    it(`${fixture.name}: cells from rows`, () => {
      const cells = cellsFromRows(table, fixture.formula, options);
      const fromCells = prepareFromCells(cells, fixture.formula);
      expectSameBlocks(rows, fromCells);
      const a = fitPrepared(rows);
      const b = fitPrepared(fromCells);
      expect(b.remlCriterion!).toBeCloseTo(a.remlCriterion!, 7);
      for (const k of a.betaNames) expect(b.beta[k]).toBeCloseTo(a.beta[k], 6);
      for (const g of a.groups) expect(b.theta[g]).toBeCloseTo(a.theta[g], 6);
      expect(b.nobs).toBe(a.nobs);
      expect(b.nDropped).toBe(a.nDropped);
      expect(b.diagnostics.map((d) => d.code)).toEqual(a.diagnostics.map((d) => d.code));
      // And lme4, at the fixture tolerances (criterion 1e-6, variances 3e-4 relative).
      const ref = fixture.reml;
      expect(closeRel(b.remlCriterion!, ref.REMLcrit!, 1e-6)).toBe(true);
      for (const vc of ref.varcorr) expect(closeRel(b.varcorr.find((r) => r.group === vc.group)!.variance, vc.variance, 3e-4, 1e-6)).toBe(true);
      const g0 = a.groups[0];
      const ra = a.ranef(g0);
      const rb = b.ranef(g0);
      expect(Object.keys(rb)).toEqual(Object.keys(ra));
      for (const k of Object.keys(ra)) expect(rb[k]).toBeCloseTo(ra[k], 6);
    });

    it(`${fixture.name}: cells from an arquero rollup (the aggregate table)`, () => {
      const cells = cellsFromTable(table, fixture.formula, options);
      expectSameBlocks(rows, prepareFromCells(cells, fixture.formula));
    });
  }
});

describe('cell statistics with interactions, interaction groups and offsets', () => {
  // A deterministic panel: numeric x, z with a large offset, a categorical region, an interaction group.
  const n = 900;
  const la: string[] = [];
  const yr: number[] = [];
  const region: string[] = [];
  const x: number[] = [];
  const z: number[] = [];
  const y: number[] = [];
  let s = 7;
  const u = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < n; i++) {
    const l = i % 45;
    la.push(`L${l}`);
    yr.push(2010 + (Math.floor(i / 45) % 6));
    region.push(['North', 'South', 'East'][l % 3]);
    x.push(u() * 4);
    z.push(1e6 + u());
    y.push(1e5 + x[i] + 0.3 * (z[i] - 1e6) + (l % 5) + u() * 2);
  }
  const data = { la, yr, region, x, z, y };
  const formulas = [
    'y ~ x + region + x:region + (1|la) + (1|yr)',
    'y ~ x + z + x:z + (1|la:region) + (1|yr)',
    'y ~ x + (1|region/la)',
  ];
  for (const f of formulas) {
    it(f, () => {
      const rows = prepareModel(data, f);
      expectSameBlocks(rows, atShifts(prepareFromCells(cellsFromRows(data, f), f), rows));
      expectSameBlocks(rows, atShifts(prepareFromCells(cellsFromTable(data, f), f), rows));
      const a = fitPrepared(rows);
      const b = fitPrepared(prepareFromCells(cellsFromRows(data, f), f));
      expect(closeRel(b.remlCriterion!, a.remlCriterion!, 1e-10)).toBe(true);
      for (const g of a.groups) expect(closeRel(b.theta[g], a.theta[g], 1e-6, 1e-6)).toBe(true);
    });
  }
});
