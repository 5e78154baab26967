/**
 * Fits and decompositions from aggregates equal those from rows; what needs rows says so.
 */
import { describe, expect, it } from 'vitest';
import { compare, decompose, decomposeMany, fit } from '../../src/index.js';
import { cellsFromRows } from '../../src/input/cell-statistics.js';
import { cellsFromTable } from '../../src/input/cells-from-table.js';
import { decomposeManyAggregates, fitAggregates, fitCells } from '../../src/fit-aggregates.js';
import { simulatePanel } from '../../src/simulate/index.js';
import { closeRel } from '../helpers/fixtures.js';

/** The aggregate table's rows for cell statistics (what an SQL engine would return). */
function tableRows(cells: ReturnType<typeof cellsFromRows>): Array<Record<string, unknown>> {
  const v = cells.columns.length;
  const np = (v * (v + 1)) / 2;
  return Array.from({ length: cells.ncells }, (_, r) => {
    const row: Record<string, unknown> = {};
    for (const [k, col] of Object.entries(cells.keys)) row[k] = col[r];
    row.vd_n = cells.count[r];
    for (let a = 0; a < v; a++) {
      row[`vd_mean_${a}`] = cells.mean[r * v + a];
      row[`vd_origin_${a}`] = cells.origin[a];
      for (let b = 0; b <= a; b++) row[`vd_cov_${a}_${b}`] = cells.comoment[r * np + (a * (a + 1)) / 2 + b] / cells.count[r];
    }
    return row;
  });
}

const panel = simulatePanel({ units: 60, periods: 6, seed: 11 });
const f = 'y ~ x + (1|unit) + (1|period)';

describe('fitAggregates', () => {
  const rows = fit(panel, f);
  const agg = fitAggregates(tableRows(cellsFromTable(panel, f)), f);

  it('gives the row fit: estimates, criterion, ranef, information criteria', () => {
    expect(closeRel(agg.remlCriterion!, rows.remlCriterion!, 1e-10)).toBe(true);
    for (const k of rows.betaNames) expect(closeRel(agg.beta[k], rows.beta[k], 1e-7)).toBe(true);
    for (const k of rows.betaNames) expect(closeRel(agg.se[k], rows.se[k], 1e-7)).toBe(true);
    for (const v of rows.varcorr) expect(closeRel(agg.varcorr.find((r) => r.group === v.group)!.variance, v.variance, 1e-6)).toBe(true);
    expect(agg.bic).toBeCloseTo(rows.bic, 6);
    const ra = rows.ranef('unit');
    const rb = agg.ranef('unit');
    for (const k of Object.keys(ra)) expect(rb[k]).toBeCloseTo(ra[k], 7);
  });

  it('gives the row decompositions by every method', () => {
    const a = compare(rows);
    const b = compare(agg);
    for (const row of a.rows) {
      const other = b.rows.find((r) => r.key === row.key)!;
      for (const m of a.methods) expect(other.shares[m]).toBeCloseTo(row.shares[m], 8);
    }
    expect(decompose(agg, { method: 'components' }).covariates.x).toBeCloseTo(decompose(rows).covariates.x, 8);
  });

  it('fits by ML too', () => {
    const a = fit(panel, f, { reml: false });
    const b = fitAggregates(tableRows(cellsFromRows(panel, f)), f, { reml: false });
    expect(closeRel(b.deviance!, a.deviance!, 1e-10)).toBe(true);
  });

  it('says clearly what needs rows', () => {
    expect(() => agg.fitted()).toThrow(expect.objectContaining({ code: 'E_NEEDS_ROWS', message: expect.stringMatching(/Fitted values per row needs the rows/) }));
    expect(() => agg.residuals()).toThrow(expect.objectContaining({ code: 'E_NEEDS_ROWS' }));
    const weighted = { ...Object.fromEntries(panel.columnNames().map((c) => [c, panel.array(c)])), w: Array.from({ length: panel.numRows() }, (_, i) => 1 + (i % 3)) };
    const wcells = cellsFromRows(weighted, f, { weights: 'w' });
    const wfit = fitCells(wcells, f);
    expect(closeRel(wfit.remlCriterion!, fit(weighted, f, { weights: 'w' }).remlCriterion!, 1e-10)).toBe(true);
    const bare = fitCells({ ...wcells, sumInverseWeight: null }, f);
    expect(() => decompose(bare)).toThrow(expect.objectContaining({ code: 'E_NEEDS_ROWS', message: expect.stringContaining('precision weights') }));
    expect(decompose(wfit).shares.unit).toBeCloseTo(decompose(weighted, f, { weights: 'w' }).shares.unit, 8);
    expect(decompose(wfit, { method: 'shapley' }).shares.unit).toBeCloseTo(decompose(weighted, f, { weights: 'w', method: 'shapley' }).shares.unit, 8);
  });

  it('decomposes many outcomes, one aggregate table each', () => {
    const two = { ...Object.fromEntries(panel.columnNames().map((c) => [c, panel.array(c)])) } as Record<string, ArrayLike<unknown>>;
    two.y2 = Array.from(panel.array('y') as ArrayLike<number>, (v, i) => v * 0.5 + (i % 7));
    const rhs = 'x + (1|unit) + (1|period)';
    const a = decomposeMany(two, { outcomes: ['y', 'y2'], rhs, method: 'shapley' });
    const b = decomposeManyAggregates(
      { y: tableRows(cellsFromRows(two, `y ~ ${rhs}`)), y2: cellsFromRows(two, `y2 ~ ${rhs}`) },
      { rhs, method: 'shapley' },
    );
    a.results.forEach((r, i) => {
      for (const k of Object.keys(r.shares)) expect(b.results[i].shares[k]).toBeCloseTo(r.shares[k], 8);
    });
    expect(() => decomposeManyAggregates({ y: [] }, { rhs, weights: 'w' } as never)).toThrow(/Unknown option "weights"/);
  });
});
