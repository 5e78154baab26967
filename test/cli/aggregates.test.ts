/**
 * The CLI through cell statistics: a Parquet file and --sql run in DuckDB, and clear refusals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCli } from '../helpers/cli.js';
import { compare, decompose, decomposeMany, fit } from '../../src/index.js';
import { closeRel } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'vardecomp-cli-'));
const file = join(dir, 'pupils.parquet');
const weighted = join(dir, 'weighted.parquet');
let weightedRows: Array<Record<string, unknown>> = [];
const F = 'score ~ ses + (1|school) + (1|year)';
let rows: Array<Record<string, unknown>> = [];

const run = (argv: string[]) => runCli(argv, '', dir);

beforeAll(async () => {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  // A small pupil panel made by DuckDB: 40 schools x 4 years x 5 pupils, school and year effects.
  await conn.run(`CREATE TABLE p AS
    SELECT s AS school, 2020 + t AS year, hash(s * 7 + t) % 1000 / 1000.0 AS ses,
           (hash(s) % 100) / 25.0 + t * 0.3 + 0.8 * (hash(s * 7 + t) % 1000 / 1000.0) + (hash(s * 1000 + t * 10 + k) % 1000) / 500.0 AS score
    FROM range(40) a(s), range(4) b(t), range(5) c(k)`);
  await conn.run(`COPY p TO '${file}' (FORMAT parquet)`);
  // The same panel with precision weights (one missing).
  await conn.run(`COPY (SELECT *, CASE WHEN score = (SELECT MIN(score) FROM p WHERE school = 3) THEN NULL ELSE 0.5 + (hash(score) % 40) / 10.0 END AS w FROM p) TO '${weighted}' (FORMAT parquet)`);
  weightedRows = (await conn.runAndReadAll(`SELECT * FROM read_parquet('${weighted}')`)).getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  rows = (await conn.runAndReadAll('SELECT * FROM p')).getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  conn.closeSync();
  inst.closeSync();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI on Parquet and SQL', () => {
  it('fits a Parquet file (relative to the working directory) as the rows', async () => {
    const out = await run(['fit', 'pupils.parquet', '-f', F, '--format', 'json']);
    expect(out.stderr).toBe('');
    const ref = fit(rows, F);
    const m = JSON.parse(out.stdout);
    expect(m.nobs).toBe(800);
    expect(closeRel(m.remlCriterion, ref.remlCriterion!, 1e-10)).toBe(true);
  });

  it('compares from --sql as the rows', async () => {
    const out = await run(['compare', '--sql', `SELECT * FROM read_parquet('${file}') WHERE year > 2020`, '-f', F, '--format', 'json']);
    expect(out.code).toBe(0);
    const ref = compare(rows.filter((r) => Number(r.year) > 2020), F);
    const got = JSON.parse(out.stdout);
    for (const row of ref.rows) {
      const g = got.rows.find((r: { key: string }) => r.key === row.key);
      for (const mth of ref.methods) expect(g.shares[mth]).toBeCloseTo(row.shares[mth], 8);
    }
  });

  it('decomposes a Parquet file with intervals: profile for components, the cell-drawn bootstrap for Shapley', async () => {
    const out = await run(['decompose', 'pupils.parquet', '-f', F, '--bootstrap', '20', '--format', 'json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).intervals.kind).toBe('profile');
    const shapley = await run(['decompose', 'pupils.parquet', '-f', F, '--method', 'shapley', '--bootstrap', '20', '--format', 'json']);
    expect(shapley.code).toBe(0);
    const iv = JSON.parse(shapley.stdout).intervals;
    // Units cannot be resampled without rows: the parametric bootstrap, replicates drawn as cells.
    expect(iv.kind).toBe('parametric-bootstrap');
    expect(iv.succeeded).toBe(20);
  });

  it('decomposes several outcomes of a Parquet file, one aggregation each, as the rows', async () => {
    const rhs = '(1|school) + (1|year)';
    const out = await run(['decompose', 'pupils.parquet', '--outcomes', 'score,ses', '--rhs', rhs, '--method', 'shapley', '--format', 'json']);
    expect(out.stderr).toBe('');
    const ref = decomposeMany(rows, { outcomes: ['score', 'ses'], rhs, method: 'shapley' });
    const got = JSON.parse(out.stdout);
    ref.results.forEach((r, i) => {
      for (const k of Object.keys(r.shares)) expect(got.results[i].shares[k]).toBeCloseTo(r.shares[k], 8);
    });
  });

  it('fits and decomposes with --weights from Parquet, --sql and --aggregates as the rows', async () => {
    const ref = fit(weightedRows, F, { weights: 'w' });
    expect(ref.nDropped).toBeGreaterThan(0);
    const refShares = decompose(weightedRows, F, { weights: 'w' }).shares;
    for (const argv of [
      ['weighted.parquet'],
      ['--sql', `SELECT * FROM read_parquet('${weighted}')`],
    ]) {
      const out = await run(['fit', ...argv, '-f', F, '--weights', 'w', '--format', 'json']);
      expect(out.stderr).toBe('');
      const m = JSON.parse(out.stdout);
      expect(m.nobs).toBe(ref.nobs);
      expect(closeRel(m.remlCriterion, ref.remlCriterion!, 1e-10)).toBe(true);
      const d = JSON.parse((await run(['decompose', ...argv, '-f', F, '--weights', 'w', '--format', 'json'])).stdout);
      for (const k of Object.keys(refShares)) expect(d.shares[k]).toBeCloseTo(refShares[k], 8);
    }
    // vardecomp sql --weights, run by DuckDB, its result fitted with --aggregates --weights.
    const sql = (await run(['sql', '-f', F, '--from', `read_parquet('${weighted}')`, '--weights', 'w'])).stdout;
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    await conn.run(`COPY (${sql.replace(/;\s*$/, '')}) TO '${join(dir, 'cells.csv')}' (HEADER)`);
    conn.closeSync();
    inst.closeSync();
    const agg = await run(['fit', 'cells.csv', '--aggregates', '-f', F, '--weights', 'w', '--format', 'json']);
    expect(agg.stderr).toBe('');
    expect(closeRel(JSON.parse(agg.stdout).remlCriterion, ref.remlCriterion!, 1e-10)).toBe(true);
    expect((await run(['fit', 'cells.csv', '--aggregates', '-f', F])).stderr).toMatch(/E_OPTION: The aggregate table holds weighted statistics/);
    const plain = (await run(['sql', '-f', F, '--from', `read_parquet('${file}')`])).stdout;
    const inst2 = await DuckDBInstance.create(':memory:');
    const conn2 = await inst2.connect();
    await conn2.run(`COPY (${plain.replace(/;\s*$/, '')}) TO '${join(dir, 'plain.csv')}' (HEADER)`);
    conn2.closeSync();
    inst2.closeSync();
    expect((await run(['fit', 'plain.csv', '--aggregates', '-f', F, '--weights', 'w'])).stderr).toMatch(/E_OPTION: Option "--weights" needs a weighted aggregate table/);
  });

  it('fits formula functions from a Parquet file as the rows (DuckDB evaluates them over the complete rows)', async () => {
    const g = 'score ~ within(ses, school) + between(ses, school) + I(ses^2) + (1|school) + (1|year)';
    const out = await run(['fit', 'pupils.parquet', '-f', g, '--format', 'json']);
    expect(out.stderr).toBe('');
    const ref = fit(rows, g);
    const m = JSON.parse(out.stdout);
    expect(closeRel(m.remlCriterion, ref.remlCriterion!, 1e-10)).toBe(true);
    expect(JSON.stringify(m)).toContain('within(ses, school)');
  });

  it('refuses what aggregates cannot do, naming the option', async () => {
    expect((await run(['fit', 'pupils.parquet', '-f', F, '--weights', 'w'])).stderr).toMatch(/E_COLUMN: Column "w" is not in the data/);
    expect((await run(['fit', 'pupils.parquet', '--sql', 'SELECT 1', '-f', F])).stderr).toMatch(/either a data file or --sql/);
    expect((await run(['decompose', 'cells.csv', '--aggregates', '--outcomes', 'score', '--rhs', '(1|school)'])).stderr).toMatch(/E_OPTION: An aggregate table holds one outcome/);
    expect((await run(['fit', 'absent.parquet', '-f', F])).code).toBe(2);
  });
});
