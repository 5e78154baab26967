import { describe, expect, it } from 'vitest';
import { aggregateColumns, cellsFromAggregates } from '../../src/input/aggregate-table.js';
import { cellsFromTable } from '../../src/input/cells-from-table.js';
import { prepareFromCells } from '../../src/model/prepare-from-cells.js';
import { fitPrepared } from '../../src/fit.js';
import { simulatePanel } from '../../src/simulate/index.js';

const f = 'y ~ x + (1|unit) + (1|period)';
const panel = simulatePanel({ units: 40, periods: 5, seed: 3 });

function aggregateRows() {
  const cells = cellsFromTable(panel, f);
  // Back to the aggregate table's rows (what an SQL engine returns).
  const v = cells.columns.length;
  const names = aggregateColumns(v);
  return Array.from({ length: cells.ncells }, (_, r) => {
    const row: Record<string, unknown> = { unit: cells.keys.unit[r], period: cells.keys.period[r] };
    row[names[0]] = cells.count[r];
    for (let a = 0; a < v; a++) row[`vd_mean_${a}`] = cells.mean[r * v + a];
    for (let a = 0; a < v; a++) for (let b = 0; b <= a; b++) row[`vd_cov_${a}_${b}`] = cells.comoment[r * (v * (v + 1)) / 2 + (a * (a + 1)) / 2 + b] / cells.count[r];
    for (let a = 0; a < v; a++) row[`vd_origin_${a}`] = cells.origin[a];
    return row;
  });
}

describe('the aggregate table', () => {
  it('names its columns by statistic index', () => {
    expect(aggregateColumns(2)).toEqual(['vd_n', 'vd_mean_0', 'vd_mean_1', 'vd_cov_0_0', 'vd_cov_1_0', 'vd_cov_1_1']);
  });

  it('reads rows as an SQL engine returns them (bigint counts, null covariances of one-row cells)', () => {
    const rows = aggregateRows().map((r) => ({ ...r, vd_n: BigInt(r.vd_n as number) }));
    const cells = cellsFromAggregates(rows, f);
    expect(cells.ncells).toBe(200);
    const m = fitPrepared(prepareFromCells(cells, f));
    expect(m.nobs).toBe(200);
    expect(() => m.fitted()).toThrow(expect.objectContaining({ code: 'E_NEEDS_ROWS' }));
    expect(() => m.residuals()).toThrow(/needs the rows/);
  });

  it('names a missing column and a bad value', () => {
    const rows = aggregateRows();
    const noCov = rows.map(({ vd_cov_1_0: _drop, ...rest }) => rest);
    expect(() => cellsFromAggregates(noCov, f)).toThrow(expect.objectContaining({ code: 'E_COLUMN', message: expect.stringContaining('"vd_cov_1_0"') }));
    const badCount = rows.map((r, i) => (i === 3 ? { ...r, vd_n: 2.5 } : r));
    expect(() => cellsFromAggregates(badCount, f)).toThrow(expect.objectContaining({ code: 'E_NONNUMERIC', message: expect.stringContaining('row 3') }));
    const negVar = rows.map((r, i) => (i === 5 ? { ...r, vd_cov_0_0: -1 } : r));
    expect(() => cellsFromAggregates(negVar, f)).toThrow(/"vd_cov_0_0" row 5/);
    const nullKey = rows.map((r, i) => (i === 7 ? { ...r, unit: null } : r));
    expect(() => cellsFromAggregates(nullKey, f)).toThrow(/key "unit" row 7 is missing/);
  });

  it('refuses the weights option and another outcome', () => {
    const cells = cellsFromAggregates(aggregateRows(), f);
    expect(() => prepareFromCells(cells, f, { weights: 'w' } as never)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    expect(() => prepareFromCells(cells, 'z ~ x + (1|unit) + (1|period)')).toThrow(expect.objectContaining({ code: 'E_COLUMN' }));
  });
});
