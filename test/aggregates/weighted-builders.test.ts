/**
 * Weighted cells from every builder: in-memory rows, an arquero rollup, DuckDB running the cell
 * query, and the aggregate table read back, give the same cell statistics (weighted and
 * unweighted moments, sums of 1/w and log w) to 1e-12 on the scale of the blocks they enter, and
 * fits and components equal to the row path. Bad weights are handled as the row path handles
 * them: NULL drops the row (reported), a non-positive, non-finite, out-of-range or too widely
 * spread weight is E_WEIGHTS, a text column E_NONNUMERIC.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { decompose, fit } from '../../src/index.js';
import { cellsFromRows, type CellStatistics } from '../../src/input/cell-statistics.js';
import { cellsFromTable } from '../../src/input/cells-from-table.js';
import { cellQuery } from '../../src/input/cell-query.js';
import { cellsFromAggregates } from '../../src/input/aggregate-table.js';
import { fitCells } from '../../src/fit-aggregates.js';
import { cellsFromDuckDB, fitDuckDB } from '../../src/duckdb/index.js';
import { simulatePanel } from '../../src/simulate/index.js';
import { closeRel, loadFixtures } from '../helpers/fixtures.js';
import { expectSameCells } from '../helpers/same-cells.js';

// The weighted lme4 fixture with added columns: a region (4 per la), a large-offset outcome and
// a weight spread over 1e4 (weightScale != 1 in the engine).
const base = loadFixtures().find((f) => f.fixture.name === 'panel-weights')!;
type Row = Record<string, number | string | null>;
const rows: Row[] = (base.table.objects() as Row[]).map((r, i) => ({
  ...r,
  region: `R${Number(String(r.la).replace(/\D/g, '')) % 4}`,
  y5: 1e5 + (r.y as number),
  w4k: (r.w as number) ** 4 * 1000,
  // One missing weight and one missing x: both rows dropped and reported.
  wn: i === 17 ? null : (r.w as number),
  x: i === 40 ? null : r.x,
}));

const CASES: Array<[string, string]> = [
  ['y ~ x + (1 | la) + (1 | year)', 'wn'],
  ['y ~ x + (1 | la) + (1 | year)', 'w4k'],
  ['y ~ x + (1 | la)', 'wn'],
  ['y5 ~ x + region + (1 | la) + (1 | year)', 'w4k'],
  ['y5 ~ x + (1 | region) + (1 | year)', 'wn'],
];

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** The fit and components of cells against the row path. */
function expectRowFit(cells: CellStatistics, formula: string, weights: string): void {
  const m = fitCells(cells, formula);
  const r = fit(rows, formula, { weights });
  expect(m.nobs).toBe(r.nobs);
  expect(m.nDropped).toBe(r.nDropped);
  expect(rel(m.remlCriterion!, r.remlCriterion!)).toBeLessThan(1e-10);
  for (const v of r.varcorr) expect(closeRel(m.varcorr.find((x) => x.group === v.group)!.variance, v.variance, 1e-6)).toBe(true);
  for (const k of r.betaNames) expect(closeRel(m.beta[k], r.beta[k], 1e-7, 1e-6)).toBe(true);
  const a = decompose(m);
  const b = decompose(r);
  for (const c of b.components) expect(a.shares[c.key]).toBeCloseTo(b.shares[c.key], 8);
}

let inst: DuckDBInstance;
let conn: DuckDBConnection;
const options = () => ({ connection: conn });

beforeAll(async () => {
  inst = await DuckDBInstance.create(':memory:');
  conn = await inst.connect();
  await conn.run('CREATE TABLE panel (la VARCHAR, year INTEGER, region VARCHAR, x DOUBLE, y DOUBLE, y5 DOUBLE, w DOUBLE, w4k DOUBLE, wn DOUBLE)');
  const app = await conn.createAppender('panel');
  for (const r of rows) {
    app.appendVarchar(String(r.la));
    app.appendInteger(Number(r.year));
    app.appendVarchar(String(r.region));
    for (const c of ['x', 'y', 'y5', 'w', 'w4k', 'wn'] as const) {
      const v = r[c];
      if (v === null) app.appendNull();
      else app.appendDouble(Number(v));
    }
    app.endRow();
  }
  app.closeSync();
});

afterAll(() => {
  conn?.closeSync();
  inst?.closeSync();
});

describe('weighted cells from every builder', () => {
  for (const [formula, weights] of CASES) {
    it(`${formula}, weights ${weights}: rows, arquero, DuckDB and the aggregate table agree; fits equal the rows`, async () => {
      const fromRows = cellsFromRows(rows, formula, { weights });
      const fromTable = cellsFromTable(rows, formula, { weights });
      const fromDuck = await cellsFromDuckDB('panel', formula, { ...options(), weights });
      // Largest differences seen: 2e-16 (arquero), 8e-14 (DuckDB, the y5 ~ 1e5 outcome).
      expectSameCells(fromRows, fromTable);
      expectSameCells(fromRows, fromDuck);
      expect(fromRows.nDropped).toBe(weights === 'wn' ? 2 : 1);
      for (const cells of [fromRows, fromTable, fromDuck]) expectRowFit(cells, formula, weights);
      const m = await fitDuckDB('panel', formula, { ...options(), weights });
      expect(rel(m.remlCriterion!, fit(rows, formula, { weights }).remlCriterion!)).toBeLessThan(1e-10);
    });
  }

  it('the DuckDB query text, run by DuckDB and read by fitAggregates, is the same table', async () => {
    const formula = 'y ~ x + (1 | la)';
    const { sql } = cellQuery(formula, { from: 'panel', weights: 'wn' });
    const table = (await conn.runAndReadAll(sql)).getColumnsObjectJS();
    expectSameCells(cellsFromRows(rows, formula, { weights: 'wn' }), cellsFromAggregates(table, formula, { weights: 'wn' }));
  });
});

describe('bad weights, as the row path handles them', () => {
  const formula = 'y ~ x + (1 | la) + (1 | year)';
  const withWeight = (i: number, value: number | string | null) => rows.map((r, k) => ({ ...r, wb: k === i ? value : r.w }));

  async function duck(data: Array<Record<string, unknown>>, type = 'DOUBLE'): Promise<unknown> {
    await conn.run(`CREATE OR REPLACE TABLE bad AS SELECT * FROM panel`);
    await conn.run(`ALTER TABLE bad ADD COLUMN wb ${type}`);
    // One UPDATE per distinct weight (rows are keyed by la, year: one row each in this fixture).
    const values = data.map((r) => r.wb);
    const stmts = data.map(
      (r, i) => `UPDATE bad SET wb = ${values[i] === null ? 'NULL' : typeof values[i] === 'string' ? `'${values[i]}'` : Number.isNaN(values[i]) ? "'NaN'" : Number.isFinite(values[i] as number) ? String(values[i]) : `'${values[i] as number > 0 ? '' : '-'}Infinity'`}
        WHERE la = '${r.la}' AND year = ${r.year}`,
    );
    await conn.run(stmts.join(';\n'));
    try {
      return await cellsFromDuckDB('bad', formula, { ...options(), weights: 'wb' });
    } catch (e) {
      return e;
    }
  }
  function rowPath(data: Array<Record<string, unknown>>): unknown {
    try {
      return cellsFromRows(data, formula, { weights: 'wb' });
    } catch (e) {
      return e;
    }
  }

  it.each([
    ['negative', -1],
    ['zero', 0],
    ['NaN', NaN],
    ['infinite', Infinity],
    ['beyond 1e64', 1e70],
  ])('a %s weight: E_WEIGHTS from rows, arquero, DuckDB', async (_name, value) => {
    const data = withWeight(33, value);
    expect(rowPath(data)).toMatchObject({ code: 'E_WEIGHTS' });
    expect(() => cellsFromTable(data, formula, { weights: 'wb' })).toThrow(expect.objectContaining({ code: 'E_WEIGHTS' }));
    const e = await duck(data);
    expect(e).toMatchObject({ code: 'E_WEIGHTS', message: expect.stringMatching(/Weight "wb" is .* in a row of the cell la = .*, year = /) });
  }, 30_000);

  it('weights spread over more than 1e12: E_WEIGHTS from rows and DuckDB', async () => {
    const data = rows.map((r, k) => ({ ...r, wb: k === 3 ? 1e-7 : k === 9 ? 1e6 : 1 }));
    expect(rowPath(data)).toMatchObject({ code: 'E_WEIGHTS' });
    expect(await duck(data)).toMatchObject({ code: 'E_WEIGHTS', message: expect.stringContaining('span a factor of') });
  }, 30_000);

  it('a missing weight drops its row, reported', async () => {
    const data = withWeight(12, null);
    const a = rowPath(data) as CellStatistics;
    const b = (await duck(data)) as CellStatistics;
    expect(a.nDropped).toBe(2);
    expect(b.nDropped).toBe(2);
    expectSameCells(a, b);
  }, 30_000);

  it('a text weights column: E_NONNUMERIC', async () => {
    const data = withWeight(5, 'heavy');
    expect(rowPath(data)).toMatchObject({ code: 'E_NONNUMERIC' });
    expect(await duck(data, 'VARCHAR')).toMatchObject({ code: 'E_NONNUMERIC', message: expect.stringContaining('"wb"') });
  }, 30_000);

  it('a weights column that is not there: E_COLUMN', async () => {
    await expect(cellsFromDuckDB('panel', formula, { ...options(), weights: 'nope' })).rejects.toMatchObject({ code: 'E_COLUMN' });
  });
});

describe('simulated weighted panel with within-cell variation', () => {
  it('rows and DuckDB agree when cells hold many rows', async () => {
    const p = simulatePanel({ units: 30, periods: 4, seed: 8, covariateWithin: 0.5 });
    const objs: Array<Record<string, unknown>> = (p.objects() as Array<Record<string, unknown>>).map((r, i) => ({ ...r, g: `G${i % 7}`, w: 0.2 + ((i * 37) % 17) / 3 }));
    const f = 'y ~ x + (1|g) + (1|period)';
    await conn.run('CREATE OR REPLACE TABLE sim (g VARCHAR, period INTEGER, x DOUBLE, y DOUBLE, w DOUBLE)');
    const app = await conn.createAppender('sim');
    for (const r of objs) {
      app.appendVarchar(String(r.g));
      app.appendInteger(Number(r.period));
      app.appendDouble(Number(r.x));
      app.appendDouble(Number(r.y));
      app.appendDouble(Number(r.w));
      app.endRow();
    }
    app.closeSync();
    const a = cellsFromRows(objs, f, { weights: 'w' });
    expect(Math.min(...a.count)).toBeGreaterThan(3);
    expectSameCells(a, await cellsFromDuckDB('sim', f, { ...options(), weights: 'w' }));
    expectSameCells(a, cellsFromTable(objs, f, { weights: 'w' }));
  });
});
