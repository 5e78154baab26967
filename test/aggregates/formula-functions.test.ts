/**
 * Formula functions on the cells path: the row builder, the arquero rollup and DuckDB running the
 * cell query evaluate `log`, `log1p`, `exp`, `sqrt`, `I(...)`, `scale`, `within` and `between`
 * over the complete rows (incomplete rows dropped first: a row missing only its outcome must not
 * move a group mean or the scaling), giving the same cell statistics (1e-12 on the scale of the
 * blocks) and the row fit: criteria to 1e-12 relative (measured: 2e-15), shares to 1e-8 of the
 * row fit and 5e-9 of the fit from the row builder's cells. The shares' differences (up to 1.7e-9
 * against the rows, 1.6e-9 between cells, 0 between the row builder and arquero, whose cells come
 * in the same order) are where the optimiser stops: the thetas differ by about 1e-9 relative
 * while the criteria agree to 1e-15 (the criterion is flat to second order there), and cells
 * summed in another order (DuckDB's GROUP BY) are enough to move it.
 * Values the row path refuses (log of 0, a constant scale() argument, division by zero) are
 * refused by every builder with the same error code; SQL names the cell instead of the row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { decompose, fit } from '../../src/index.js';
import { cellsFromRows, type CellStatistics } from '../../src/input/cell-statistics.js';
import { cellsFromTable } from '../../src/input/cells-from-table.js';
import { fitCells } from '../../src/fit-aggregates.js';
import { cellsFromDuckDB } from '../../src/duckdb/index.js';
import { functionRows as rows } from '../helpers/function-rows.js';
import { expectSameCells } from '../helpers/same-cells.js';

type Row = Record<string, number | string | null>;

export const FORMULAS = [
  'y ~ log(x) + z + (1|unit) + (1|period)',
  // (log1p(x) and sqrt(x) in one model are nearly collinear: the criterion's rounding then
  // reaches 1e-12 even between two fits of identical cells summed in another order.)
  'y ~ log1p(x) + exp(z) + (1|unit) + (1|period)',
  'y ~ sqrt(x) + z + (1|unit) + (1|period)',
  'y ~ I(x^2) + I((x - 1) / 2) + I(z * x) + (1|unit) + (1|period)',
  'y ~ scale(x) + scale(z) + (1|unit) + (1|period)',
  'y ~ within(x, g) + between(x, g) + (1|g) + (1|period)',
  'y ~ within(log(x), unit) + between(log(x), unit) + log(x):z + (1|unit) + (1|period)',
  'y ~ scale(within(x, g)) + (1|g) + (1|unit)',
  // Offsets: the outcome's statistics are of y minus them, as the row path fits y - offset.
  'y ~ z + offset(2 * log(x)) + (1|unit) + (1|period)',
  'y ~ log(x) + offset(z) + offset(between(x, g) / 4) + (1|g) + (1|period)',
];

let inst: DuckDBInstance;
let conn: DuckDBConnection;

async function load(name: string, data: Row[]): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE ${name} (unit VARCHAR, period INTEGER, g VARCHAR, x DOUBLE, z DOUBLE, y DOUBLE, w DOUBLE)`);
  const app = await conn.createAppender(name);
  for (const r of data) {
    for (const c of ['unit', 'period', 'g', 'x', 'z', 'y', 'w']) {
      const v = r[c];
      if (v === null) app.appendNull();
      else if (c === 'unit' || c === 'g') app.appendVarchar(String(v));
      else if (c === 'period') app.appendInteger(Number(v));
      else app.appendDouble(Number(v));
    }
    app.endRow();
  }
  app.closeSync();
}

beforeAll(async () => {
  inst = await DuckDBInstance.create(':memory:');
  conn = await inst.connect();
  await load('panel', rows);
});

afterAll(() => {
  conn?.closeSync();
  inst?.closeSync();
});

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function expectFits(cells: CellStatistics, reference: CellStatistics, f: string, weights?: string): void {
  const m = fitCells(cells, f);
  const c = fitCells(reference, f);
  const r = fit(rows, f, weights ? { weights } : {});
  expect(m.nobs).toBe(r.nobs);
  expect(m.nDropped).toBe(r.nDropped);
  expect(rel(m.remlCriterion!, c.remlCriterion!)).toBeLessThan(1e-12);
  expect(rel(m.remlCriterion!, r.remlCriterion!)).toBeLessThan(1e-12);
  const a = decompose(m).shares;
  const b = decompose(c).shares;
  const s = decompose(r).shares;
  for (const k of Object.keys(s)) {
    expect(Math.abs(a[k] - b[k])).toBeLessThan(5e-9);
    expect(Math.abs(a[k] - s[k])).toBeLessThan(1e-8);
  }
}

describe('formula functions from cells', () => {
  for (const f of FORMULAS) {
    it(`${f}: rows, arquero and DuckDB give the same cells and the row fit`, async () => {
      const fromRows = cellsFromRows(rows, f);
      expect(fromRows.nDropped).toBe(/\bg\b/.test(f) ? 4 : 3);
      expectSameCells(fromRows, cellsFromTable(rows, f));
      const duck = await cellsFromDuckDB('panel', f, { connection: conn });
      expectSameCells(fromRows, duck);
      expectFits(duck, fromRows, f);
    });
  }

  it('with precision weights (functions are unweighted, as in the row path)', async () => {
    const f = 'y ~ within(x, g) + scale(z) + log(x) + (1|g) + (1|period)';
    const fromRows = cellsFromRows(rows, f, { weights: 'w' });
    expectSameCells(fromRows, cellsFromTable(rows, f, { weights: 'w' }));
    const duck = await cellsFromDuckDB('panel', f, { connection: conn, weights: 'w' });
    expectSameCells(fromRows, duck);
    expectFits(duck, fromRows, f, 'w');
  });

  it('a row with only its outcome missing does not enter the group means (it would move them)', async () => {
    const f = 'y ~ between(x, g) + (1|g)';
    const cells = await cellsFromDuckDB('panel', f, { connection: conn });
    const withRow = rows.map((r, i) => (i === 11 ? { ...r, y: 0 } : r));
    const moved = cellsFromRows(withRow, f);
    expect(() => expectSameCells(moved, cells)).toThrow();
  });
});

describe('values the row path refuses are refused from cells', () => {
  const cases: Array<[string, string, (r: Row, i: number) => Row, string]> = [
    ['log of 0', 'y ~ log(x) + (1|unit)', (r, i) => (i === 20 ? { ...r, x: 0 } : r), 'E_NONNUMERIC'],
    ['sqrt of a negative value', 'y ~ sqrt(z) + (1|unit)', (r) => r, 'E_NONNUMERIC'],
    ['division by zero', 'y ~ I(x / z) + (1|unit)', (r, i) => (i === 3 ? { ...r, z: 0 } : r), 'E_NONNUMERIC'],
    ['exp overflowing', 'y ~ exp(x) + (1|unit)', (r, i) => (i === 5 ? { ...r, x: 800 } : r), 'E_NONNUMERIC'],
    ['a negative base to a fractional power', 'y ~ I(z^0.5) + (1|unit)', (r) => r, 'E_NONNUMERIC'],
    ['scale of a constant', 'y ~ scale(c) + (1|unit)', (r) => ({ ...r, c: 2 }), 'E_CONSTANT'],
    // x^5 overflows to Infinity (an engine may return it), and 1 / Infinity would be a finite 0.
    ['an infinite intermediate made finite again', 'y ~ I(1 / x^5) + (1|unit)', (r, i) => (i === 9 ? { ...r, x: 1e63 } : r), 'E_NONNUMERIC'],
    ['exp of an infinite intermediate', 'y ~ exp(-(x^5)) + (1|unit)', (r, i) => (i === 9 ? { ...r, x: 1e63 } : r), 'E_NONNUMERIC'],
  ];
  for (const [name, f, edit, code] of cases) {
    it(`${name}: ${code} from rows, arquero and DuckDB`, async () => {
      const data = rows.map(edit);
      expect(() => cellsFromRows(data, f)).toThrow(expect.objectContaining({ code }));
      expect(() => cellsFromTable(data, f)).toThrow(expect.objectContaining({ code }));
      expect(() => fit(data, f)).toThrow(expect.objectContaining({ code }));
      await load('bad', data.map((r) => ({ ...r, z: f.includes('scale(c)') ? 2 : r.z })));
      const from = f.includes('scale(c)') ? 'SELECT *, z AS c FROM bad' : 'bad';
      await expect(cellsFromDuckDB(from, f, { connection: conn })).rejects.toMatchObject({
        code,
        message: expect.stringContaining(code === 'E_CONSTANT' ? 'scale(c)' : 'in a row of the cell'),
      });
    });
  }

  it('a bad value in a dropped row is not an error (the row path drops it first)', async () => {
    const data = rows.map((r, i) => (i === 50 ? { ...r, x: -5 } : r));
    const f = 'y ~ log(x) + (1|unit)';
    await load('bad', data);
    expectSameCells(cellsFromRows(data, f), await cellsFromDuckDB('bad', f, { connection: conn }));
  });
});
