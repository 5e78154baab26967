/**
 * The PostgreSQL dialect against a real server: a throwaway cluster (initdb + pg_ctl on a unix
 * socket in a temporary directory, as the postgres user when run as root) holds a panel with a
 * column name that needs quoting, NULLs and a NaN; the cell query's result, read back as CSV,
 * fits as the rows do. Skipped, with a message, where PostgreSQL is not installed (.ci/run
 * installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fromCSV } from 'arquero';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellQuery } from '../../src/input/cell-query.js';
import { decompose, fit, fitAggregates, fitCells } from '../../src/index.js';
import { cellsFromAggregates } from '../../src/input/aggregate-table.js';
import { cellsFromRows } from '../../src/input/cell-statistics.js';
import { expectSameCells } from '../helpers/same-cells.js';
import { functionRows } from '../helpers/function-rows.js';
import { simulatePanel } from '../../src/simulate/index.js';
import { closeRel } from '../helpers/fixtures.js';

function findBin(): string | null {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  // Debian links initdb onto the PATH from the versioned directory that also holds psql.
  if (onPath) return dirname(realpathSync(onPath));
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return null;
}

const bin = findBin();
const isRoot = process.getuid?.() === 0;
if (!bin) console.warn('postgres.test: PostgreSQL is not installed (apt-get install postgresql): the PostgreSQL dialect test is skipped');

describe.skipIf(!bin)('the PostgreSQL dialect on a PostgreSQL server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vardecomp-pg-'));
  const data = join(dir, 'data');
  const port = String(20000 + (process.pid % 20000));
  const asPostgres = (cmd: string, args: string[], input?: string) =>
    execFileSync(isRoot ? 'runuser' : cmd, isRoot ? ['-u', 'postgres', '--', cmd, ...args] : args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  const psql = (sql: string, input?: string) => asPostgres(join(bin!, 'psql'), ['-h', dir, '-p', port, '-d', 'postgres', '-X', '-q', '--csv', '-v', 'ON_ERROR_STOP=1', '-c', sql], input);

  const panel = simulatePanel({ units: 40, periods: 5, seed: 17 });
  const rows = (panel.objects() as Array<Record<string, unknown>>).map((r, i): Record<string, unknown> => ({
    ...r,
    x: i === 3 ? null : i === 50 ? NaN : r.x,
    unit: i === 99 ? null : r.unit,
    // Precision weights spread over 1e3, one of them missing.
    w: i === 120 ? null : 0.5 + ((i * 37) % 19) ** 2 / 4,
  }));

  beforeAll(() => {
    if (isRoot) execFileSync('chown', ['postgres', dir]);
    chmodSync(dir, 0o777);
    asPostgres(join(bin!, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    asPostgres(join(bin!, 'pg_ctl'), ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-k ${dir} -p ${port} -c listen_addresses=''`, 'start']);
    psql('CREATE TABLE panel ("unit id" TEXT, period INTEGER, x DOUBLE PRECISION, y DOUBLE PRECISION, w DOUBLE PRECISION)');
    const csv = rows.map((r) => [r.unit ?? '', r.period, r.x === null ? '' : Number.isNaN(r.x) ? 'NaN' : r.x, r.y, r.w ?? ''].join(',')).join('\n');
    psql("COPY panel FROM STDIN WITH (FORMAT csv, NULL '')", `${csv}\n`);
  }, 60_000);

  // Formula functions: the rows of test/aggregates/formula-functions.test.ts (x > 0, a coarse
  // group g, incomplete rows of each kind, a huge x in a row without outcome).
  const FUNCTIONS = [
    'y ~ log(x) + log1p(x) + z + (1|unit) + (1|period)',
    'y ~ exp(z) + sqrt(x) + (1|unit) + (1|period)',
    'y ~ I(x^2) + I((x - 1) / 2) + I(z * x) + (1|unit) + (1|period)',
    'y ~ scale(x) + scale(z) + (1|unit) + (1|period)',
    'y ~ within(x, g) + between(x, g) + (1|g) + (1|period)',
    'y ~ within(log(x), unit) + between(log(x), unit) + log(x):z + (1|unit) + (1|period)',
    'y ~ scale(within(x, g)) + (1|g) + (1|unit)',
    'y ~ log(x) + offset(z) + offset(between(x, g) / 4) + (1|g) + (1|period)',
  ];
  let frows: Array<Record<string, number | string | null>> = [];
  const loadFunctionRows = (table: string, data: typeof frows) => {
    psql(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (unit TEXT, period INTEGER, g TEXT, x DOUBLE PRECISION, z DOUBLE PRECISION, y DOUBLE PRECISION, w DOUBLE PRECISION)`);
    const text = data.map((r) => ['unit', 'period', 'g', 'x', 'z', 'y', 'w'].map((c) => (r[c] === null ? '' : String(r[c]))).join(',')).join('\n');
    psql(`COPY ${table} FROM STDIN WITH (FORMAT csv, NULL '')`, `${text}\n`);
  };

  it.each(FUNCTIONS)('translates %s: the cells and the fit of the rows', async (f) => {
    if (frows.length === 0) {
      frows = functionRows;
      loadFunctionRows('fpanel', frows);
    }
    const { sql } = cellQuery(f, { from: 'fpanel', dialect: 'postgres' });
    const cells = cellsFromAggregates(fromCSV(psql(sql)), f);
    const ref = cellsFromRows(frows, f);
    expectSameCells(ref, cells);
    const m = fitCells(cells, f);
    const r = fit(frows, f);
    expect(closeRel(m.remlCriterion!, r.remlCriterion!, 1e-12)).toBe(true);
    const a = decompose(m).shares;
    const b = decompose(fitCells(ref, f)).shares;
    // Where the optimiser stops moves by ~1e-9 with the cells' order (see formula-functions.test.ts).
    for (const k of Object.keys(a)) expect(Math.abs(a[k] - b[k])).toBeLessThan(5e-9);
  });

  it('refuses a log of 0 and a constant scale() argument as the rows do', async () => {
    if (frows.length === 0) frows = functionRows;
    loadFunctionRows('fbad', frows.map((r, i) => (i === 20 ? { ...r, x: 0 } : r)));
    const f = 'y ~ log(x) + (1|unit)';
    expect(() => fitAggregates(fromCSV(psql(cellQuery(f, { from: 'fbad', dialect: 'postgres' }).sql)), f)).toThrow(
      expect.objectContaining({ code: 'E_NONNUMERIC', message: expect.stringContaining('Term "log(x)" is undefined') }),
    );
    const g = 'y ~ scale(c) + (1|unit)';
    expect(() => fitAggregates(fromCSV(psql(cellQuery(g, { from: 'SELECT *, 2.0 AS c FROM fpanel', dialect: 'postgres' }).sql)), g)).toThrow(
      expect.objectContaining({ code: 'E_CONSTANT' }),
    );
  });

  afterAll(() => {
    try {
      asPostgres(join(bin!, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('returns cell statistics that fit as the rows', () => {
    const f = 'y ~ x + (1|`unit id`) + (1|period)';
    const { sql } = cellQuery(f, { from: 'panel', dialect: 'postgres' });
    const result = fromCSV(psql(sql));
    const m = fitAggregates(result, f);
    const ref = fit(
      rows.map((r) => ({ ...r, 'unit id': r.unit })),
      f,
    );
    expect(m.nobs).toBe(ref.nobs);
    expect(m.nDropped).toBe(3);
    expect(closeRel(m.remlCriterion!, ref.remlCriterion!, 1e-10)).toBe(true);
    for (const v of ref.varcorr) expect(closeRel(m.varcorr.find((r) => r.group === v.group)!.variance, v.variance, 1e-6)).toBe(true);
    const ra = ref.ranef('unit id');
    const rb = m.ranef('unit id');
    for (const k of Object.keys(ra)) expect(rb[k]).toBeCloseTo(ra[k], 7);
  });

  const withUnitId = () => rows.map((r) => ({ ...r, 'unit id': r.unit }));

  it('returns weighted cell statistics equal to the rows\' (fit and components too)', () => {
    const f = 'y ~ x + (1|`unit id`) + (1|period)';
    const { sql } = cellQuery(f, { from: 'panel', dialect: 'postgres', weights: 'w' });
    const cells = cellsFromAggregates(fromCSV(psql(sql)), f, { weights: 'w' });
    const ref = cellsFromRows(withUnitId(), f, { weights: 'w' });
    expect(ref.nDropped).toBe(4);
    expectSameCells(ref, cells);
    const m = fitAggregates(fromCSV(psql(sql)), f, { weights: 'w' });
    const r = fit(withUnitId(), f, { weights: 'w' });
    expect(closeRel(m.remlCriterion!, r.remlCriterion!, 1e-10)).toBe(true);
    const a = decompose(m);
    const b = decompose(r);
    for (const c of b.components) expect(a.shares[c.key]).toBeCloseTo(b.shares[c.key], 8);
  });

  it('reports a zero, negative or NaN weight as E_WEIGHTS, as the rows do', () => {
    const f = 'y ~ x + (1|`unit id`) + (1|period)';
    for (const bad of ['0', '-2', "'NaN'::float8", "'Infinity'::float8"]) {
      const from = `SELECT "unit id", period, x, y, CASE WHEN period = 3 AND "unit id" = 'U007' THEN ${bad} ELSE w END AS w FROM panel`;
      const { sql } = cellQuery(f, { from, dialect: 'postgres', weights: 'w' });
      expect(() => fitAggregates(fromCSV(psql(sql)), f, { weights: 'w' })).toThrow(
        expect.objectContaining({ code: 'E_WEIGHTS', message: expect.stringContaining('unit id = "U007", period = 3') }),
      );
    }
  });
});
