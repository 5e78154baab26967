/**
 * The DuckDB entry equals the in-memory fit: DuckDB runs the cell query's GROUP BY on a table, a
 * Parquet file, a CSV file and a query, and the fit from its cells is the row fit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { compare, fit } from '../../src/index.js';
import { cellsFromDuckDB, compareDuckDB, decomposeDuckDB, fitDuckDB, fromClause } from '../../src/duckdb/index.js';
import { simulatePanel } from '../../src/simulate/index.js';
import { closeRel } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'vardecomp-duckdb-'));
const panel = simulatePanel({ units: 80, periods: 6, seed: 21, covariateWithin: 0.5 });
const names = panel.columnNames();
const n = panel.numRows();
// Rows as plain objects, with a region (text) and three missing values of x.
const rows = Array.from({ length: n }, (_, i) => {
  const r: Record<string, unknown> = Object.fromEntries(names.map((c) => [c, (panel.array(c) as ArrayLike<unknown>)[i]]));
  r.region = ['North', 'South', 'East', 'West'][Number(String(r.unit).replace(/\D/g, '')) % 4];
  if (i === 5 || i === 77 || i === 301) r.x = null;
  return r;
});
const cols = [...names, 'region'];
const csv = [cols.join(','), ...rows.map((r) => cols.map((c) => (r[c] === null ? '' : String(r[c]))).join(','))].join('\n');
const csvPath = join(dir, 'panel.csv');
const parquetPath = join(dir, 'panel.parquet');
const dbPath = join(dir, 'panel.duckdb');
writeFileSync(csvPath, csv);

const f = 'y ~ x + region + (1|unit) + (1|period)';
let rowFit: ReturnType<typeof fit>;

beforeAll(async () => {
  const inst = await DuckDBInstance.create(dbPath);
  const conn: DuckDBConnection = await inst.connect();
  await conn.run(`CREATE TABLE panel AS SELECT * FROM read_csv('${csvPath}')`);
  await conn.run(`COPY panel TO '${parquetPath}' (FORMAT parquet)`);
  conn.closeSync();
  inst.closeSync();
  rowFit = fit(rows, f);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectSameFit(m: ReturnType<typeof fit>): void {
  expect(m.nobs).toBe(rowFit.nobs);
  expect(m.nDropped).toBe(3);
  expect(closeRel(m.remlCriterion!, rowFit.remlCriterion!, 1e-10)).toBe(true);
  for (const k of rowFit.betaNames) expect(closeRel(m.beta[k], rowFit.beta[k], 1e-7, 1e-6)).toBe(true);
  for (const v of rowFit.varcorr) expect(closeRel(m.varcorr.find((r) => r.group === v.group)!.variance, v.variance, 1e-6)).toBe(true);
  const ra = rowFit.ranef('unit');
  const rb = m.ranef('unit');
  expect(Object.keys(rb)).toEqual(Object.keys(ra));
  for (const k of Object.keys(ra)) expect(rb[k]).toBeCloseTo(ra[k], 7);
}

describe('vardecomp/duckdb', () => {
  it('fits from a Parquet file as from the rows', async () => {
    expectSameFit(await fitDuckDB(parquetPath, f));
  });

  it('fits from a CSV file, a table in a database and a query', async () => {
    expectSameFit(await fitDuckDB({ file: csvPath }, f));
    expectSameFit(await fitDuckDB('panel', f, { database: dbPath }));
    expectSameFit(await fitDuckDB(`SELECT * FROM read_parquet('${parquetPath}')`, f));
  });

  it('returns only cell statistics: one row per (unit, period, region) cell', async () => {
    let query = '';
    const cells = await cellsFromDuckDB(parquetPath, f, { onQuery: (q) => (query = q) });
    expect(cells.ncells).toBe(80 * 6 - 3); // the three rows with a missing x were alone in their cells
    expect(query).toMatch(/GROUP BY r\."unit", r\."period", r\."region", r\.vd_ok/);
    expect(cells.nDropped).toBe(3);
  });

  it('decomposes and compares as the rows do', async () => {
    const a = compare(rows, f);
    const b = await compareDuckDB(parquetPath, f);
    for (const row of a.rows) {
      const other = b.rows.find((r) => r.key === row.key)!;
      for (const m of a.methods) expect(other.shares[m]).toBeCloseTo(row.shares[m], 8);
    }
    const d = await decomposeDuckDB(parquetPath, f, { method: 'sequential', intervals: { n: 20, seed: 1 } });
    expect(d.components.every((c) => Number.isFinite(c.lower!) && c.lower! <= c.share + 1e-12)).toBe(true);
  });

  it('names a missing column, a text outcome and an unreadable file', async () => {
    await expect(fitDuckDB(parquetPath, 'y ~ nope + (1|unit)')).rejects.toThrow(expect.objectContaining({ code: 'E_COLUMN' }));
    await expect(fitDuckDB(parquetPath, 'region ~ x + (1|unit)')).rejects.toThrow(expect.objectContaining({ code: 'E_NONNUMERIC' }));
    await expect(fitDuckDB(join(dir, 'absent.parquet'), f)).rejects.toThrow(expect.objectContaining({ code: 'E_INPUT' }));
  });

  it('refuses a value beyond the magnitude bound as the row path does, naming the column and the cell', async () => {
    // Row 40 of the panel: x = 1e70, as a covariate or as the argument of a function whose value
    // (1e60) lies within the bound.
    const big = `SELECT * REPLACE (CASE WHEN unit = '${rows[40].unit}' AND period = ${rows[40].period} THEN 1e70 ELSE x END AS x) FROM read_parquet('${parquetPath}')`;
    const rowsBig = rows.map((r, i) => (i === 40 ? { ...r, x: 1e70 } : r));
    for (const formula of [f, 'y ~ I(x / 1e10) + (1|unit) + (1|period)']) {
      const rowError = (() => {
        try {
          fit(rowsBig, formula);
        } catch (e) {
          return e as { code: string };
        }
        return null;
      })();
      expect(rowError?.code).toBe('E_NONNUMERIC');
      const e = await fitDuckDB(big, formula).then(
        () => null,
        (err: { code: string; message: string }) => err,
      );
      expect(e?.code).toBe('E_NONNUMERIC');
      expect(e?.message).toMatch(new RegExp(`Column "x" holds a value beyond the supported magnitude 1e\\+64 in a row of the cell unit = "${rows[40].unit}"`));
    }
    // Within the bound nothing is flagged: the fit equals the row fit.
    expectSameFit(await fitDuckDB(`SELECT * FROM read_parquet('${parquetPath}')`, f));
  });

  it('reads a CSV written by R (NA for missing) as the row reader does', async () => {
    // write.csv(na = "NA"): the three missing x values are the text NA, a quoted id column.
    const rPath = join(dir, 'panel-r.csv');
    const quote = (v: unknown) => (typeof v === 'string' ? `"${v}"` : String(v));
    writeFileSync(rPath, [cols.map((c) => `"${c}"`).join(','), ...rows.map((r) => cols.map((c) => (r[c] === null ? 'NA' : quote(r[c]))).join(','))].join('\n'));
    expectSameFit(await fitDuckDB({ file: rPath }, f));
    expectSameFit(await fitDuckDB(rPath, f));
  });

  it('reads a query ending in a semicolon or a comment as the cell query does', async () => {
    expectSameFit(await fitDuckDB({ sql: `SELECT * FROM read_parquet('${parquetPath}');` }, f));
    expectSameFit(await fitDuckDB({ sql: `SELECT * FROM read_parquet('${parquetPath}') -- all rows` }, f));
  });

  it('reads a source string as a query, a file or a table', () => {
    expect(fromClause('SELECT * FROM t')).toBe('SELECT * FROM t');
    expect(fromClause("a'b.parquet")).toBe("read_parquet('a''b.parquet')");
    expect(fromClause('p.csv')).toBe("read_csv('p.csv', nullstr = ['NA', 'N/A', 'NaN', 'null', '.', '#N/A', ''])");
    expect(fromClause('main.pupils')).toBe('"main"."pupils"');
  });
});
