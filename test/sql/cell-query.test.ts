/**
 * The portable cell query: golden texts for every dialect (BigQuery and Spark are checked only
 * this way; DuckDB is run in test/duckdb and here, PostgreSQL against a server in
 * test/sql/postgres.test.ts), identifier quoting, and refusals.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { cellQuery, quoteIdentifier, SQL_DIALECTS } from '../../src/input/cell-query.js';
import { runCli } from '../helpers/cli.js';
import { fit, fitAggregates } from '../../src/index.js';
import { simulatePanel } from '../../src/simulate/index.js';
import { closeRel } from '../helpers/fixtures.js';

const golden = fileURLToPath(new URL('../fixtures/sql/', import.meta.url));
const F = 'score ~ ses + region + ses:`class size` + (1|school) + (1|`school year`)';

const run = (argv: string[], stdin = '') => runCli(argv, stdin);

describe('vardecomp sql', () => {
  for (const dialect of SQL_DIALECTS) {
    it(`prints the ${dialect} query (golden file)`, async () => {
      const { code, stdout } = await run(['sql', '-f', F, '--from', 'analytics.pupils', '--dialect', dialect, '--factors', 'region']);
      expect(code).toBe(0);
      const file = `${golden}cells-${dialect}.sql`;
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, stdout);
      expect(stdout).toBe(readFileSync(file, 'utf8'));
    });
  }

  for (const dialect of SQL_DIALECTS) {
    it(`prints the weighted ${dialect} query (golden file)`, async () => {
      const { code, stdout } = await run(['sql', '-f', 'score ~ ses + (1|school) + (1|year)', '--from', 'analytics.pupils', '--dialect', dialect, '--weights', 'pupil weight']);
      expect(code).toBe(0);
      const file = `${golden}cells-weighted-${dialect}.sql`;
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, stdout);
      expect(stdout).toBe(readFileSync(file, 'utf8'));
    });
  }

  for (const dialect of SQL_DIALECTS) {
    it(`prints the ${dialect} query with formula functions (golden file)`, async () => {
      const f =
        'score ~ log(ses) + log1p(`class size`) + exp(z) + sqrt(z) + I(ses^2 / 2) + scale(within(ses, region)) + between(ses, region) + offset(log(pop)) + (1|school)';
      const { code, stdout } = await run(['sql', '-f', f, '--from', 'analytics.pupils', '--dialect', dialect]);
      expect(code).toBe(0);
      const file = `${golden}cells-functions-${dialect}.sql`;
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, stdout);
      expect(stdout).toBe(readFileSync(file, 'utf8'));
    });
  }

  it('quotes identifiers per dialect', () => {
    expect(quoteIdentifier('a"b', 'duckdb')).toBe('"a""b"');
    expect(quoteIdentifier('a"b', 'postgres')).toBe('"a""b"');
    expect(quoteIdentifier('a`b\\c', 'bigquery')).toBe('`a\\`b\\\\c`');
    expect(quoteIdentifier('a`b', 'spark')).toBe('`a``b`');
  });

  it('wraps a query given to --from as a subquery', () => {
    const { sql } = cellQuery('y ~ x + (1|g)', { from: 'SELECT * FROM t WHERE year > 2010;', dialect: 'postgres' });
    expect(sql).toContain('FROM (\nSELECT * FROM t WHERE year > 2010\n) AS vd_source');
  });

  it('refuses an unknown dialect, a missing --from and a formula without random term', async () => {
    expect((await run(['sql', '-f', 'y ~ x + (1|g)', '--from', 't', '--dialect', 'oracle'])).stderr).toMatch(/E_OPTION.*dialect/);
    expect((await run(['sql', '-f', 'y ~ x + (1|g)'])).stderr).toMatch(/E_OPTION: Option "--from" is required/);
    expect((await run(['sql', '-f', 'y ~ x', '--from', 't'])).stderr).toMatch(/E_FORMULA/);
    expect(() => cellQuery('y ~ x + (1|g)', { from: 't', categorical: ['z'] })).toThrow(/"z" is named as a categorical covariate/);
    expect(() => cellQuery('y ~ log(x) + (1|g)', { from: 't', categorical: ['log(x)'] })).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
  });

  it('runs in DuckDB, and fit --aggregates fits its result as the rows', async () => {
    const panel = simulatePanel({ units: 30, periods: 5, seed: 4 });
    const rows = panel.objects() as Array<Record<string, unknown>>;
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    await conn.run('CREATE TABLE "my panel" (unit VARCHAR, period INTEGER, x DOUBLE, y DOUBLE)');
    const app = await conn.createAppender('my panel');
    for (const r of rows) {
      app.appendVarchar(String(r.unit));
      app.appendInteger(Number(r.period));
      app.appendDouble(Number(r.x));
      app.appendDouble(Number(r.y));
      app.endRow();
    }
    app.closeSync();
    const f = 'y ~ x + (1|unit) + (1|period)';
    const { stdout } = await run(['sql', '-f', f, '--from', '"my panel"']);
    const result = (await conn.runAndReadAll(stdout)).getRowObjectsJS();
    conn.closeSync();
    inst.closeSync();
    const m = fitAggregates(result, f);
    const ref = fit(panel, f);
    expect(closeRel(m.remlCriterion!, ref.remlCriterion!, 1e-10)).toBe(true);
    // The same through the CLI: the result as CSV on stdin.
    const cols = Object.keys(result[0]);
    const csv = [cols.join(','), ...result.map((r) => cols.map((c) => String(r[c])).join(','))].join('\n');
    const out = await run(['fit', '--aggregates', '-f', f, '--format', 'json'], csv);
    expect(out.code).toBe(0);
    expect(closeRel(JSON.parse(out.stdout).remlCriterion, ref.remlCriterion!, 1e-10)).toBe(true);
  });
});
