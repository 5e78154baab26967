/**
 * Scale through cell statistics: a pupil panel (schools x years x pupils) written as Parquet by
 * DuckDB itself (not committed: generated into a temporary directory, or --dir), then
 *
 * - the CLI end to end, `node dist/cli.js fit panel.parquet -f ...`, timed with /usr/bin/time
 *   (wall seconds and peak resident set of the whole process, DuckDB included);
 * - in-process, the two halves: DuckDB's aggregation (`cellsFromDuckDB`: rows per second) and
 *   the fit from the returned cells (`fitCells`).
 *
 * Run `npm run build` first. Usage:
 *   tsx bench/aggregates-scale.ts [--schools 5000] [--years 10] [--pupils 600] [--reps 3] [--dir DIR] [--keep]
 * Writes bench/results/aggregates-scale-<rows>.json and prints a summary with the load average.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { cellsFromDuckDB } from '../src/duckdb/index.js';
import { fitCells } from '../src/fit-aggregates.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const schools = Number(arg('schools', '5000'));
const years = Number(arg('years', '10'));
const pupils = Number(arg('pupils', '600'));
const reps = Number(arg('reps', '3'));
const rows = schools * years * pupils;
const dir = process.argv.includes('--dir') ? arg('dir', '') : mkdtempSync(join(tmpdir(), 'vardecomp-scale-'));
mkdirSync(dir, { recursive: true });
const file = join(dir, `pupils-${schools}x${years}x${pupils}.parquet`);
const FORMULA = 'score ~ ses + (1|school) + (1|year)';
const load = () => loadavg().map((x) => Number(x.toFixed(2)));

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const h = (s.length - 1) / 2;
  return (s[Math.floor(h)] + s[Math.ceil(h)]) / 2;
};
const summary = (v: number[]) => ({ median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length });

async function generate(): Promise<number> {
  if (existsSync(file)) return 0;
  const t0 = performance.now();
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  // Deterministic normal deviates from hashes (Box-Muller): school, year and pupil parts.
  const u = (key: string) => `((hash(${key}) % 1000000)::DOUBLE + 0.5) / 1000000`;
  const z = (key: string, salt: number) => `sqrt(-2 * ln(${u(`${key} + ${salt}`)})) * cos(2 * pi() * ${u(`${key} + ${salt + 1}`)})`;
  await conn.run(`
    COPY (
      SELECT school, 2010 + year AS year, ses,
             50 + 3 * zs + 1 * zy + 2 * ses + 6 * ${z('i', 5_000_000_000)} AS score
      FROM (
        SELECT s AS school, t AS year, (s * ${years} + t) * ${pupils} + k AS i,
               ${z('s', 1_000_000_000)} AS zs, ${z('t', 2_000_000_000)} AS zy,
               0.5 * ${z('s', 3_000_000_000)} + ${z('(s * ' + years + ' + t) * ' + pupils + ' + k', 4_000_000_000)} AS ses
        FROM range(${schools}) a(s), range(${years}) b(t), range(${pupils}) c(k)
      )
    ) TO '${file}' (FORMAT parquet)`);
  conn.closeSync();
  inst.closeSync();
  return (performance.now() - t0) / 1000;
}

function timedCli(): { wall: number; peakMiB: number; ok: boolean } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, 'dist/cli.js', 'fit', file, '-f', FORMULA, '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, kib] = last.split(' ').map(Number);
  return { wall, peakMiB: kib / 1024, ok: r.status === 0 && JSON.parse(r.stdout).nobs === rows };
}

async function main(): Promise<void> {
  if (!existsSync('dist/cli.js')) throw new Error('run `npm run build` first');
  const loadStart = load();
  const generateSeconds = await generate();
  const bytes = statSync(file).size;
  const cli: Array<{ wall: number; peakMiB: number; ok: boolean }> = [];
  for (let r = 0; r < reps; r++) cli.push(timedCli());
  const aggregate: number[] = [];
  const fitTimes: number[] = [];
  let cellsCount = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const cells = await cellsFromDuckDB(file, FORMULA);
    const t1 = performance.now();
    fitCells(cells, FORMULA);
    const t2 = performance.now();
    aggregate.push((t1 - t0) / 1000);
    fitTimes.push((t2 - t1) / 1000);
    cellsCount = cells.ncells;
  }
  const result = {
    rows,
    shape: { schools, years, pupils },
    formula: FORMULA,
    parquetBytes: bytes,
    generateSeconds: generateSeconds || null,
    cli: { wallSeconds: summary(cli.map((c) => c.wall)), peakRssMiB: summary(cli.map((c) => c.peakMiB)), allOk: cli.every((c) => c.ok) },
    aggregation: { seconds: summary(aggregate), rowsPerSecond: rows / median(aggregate), cells: cellsCount },
    fitFromCells: { seconds: summary(fitTimes) },
    loadAverage: { start: loadStart, end: load() },
    cores: 2,
    node: process.version,
    date: new Date().toISOString(),
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/aggregates-scale-${rows}.json`, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  if (!process.argv.includes('--keep') && !process.argv.includes('--dir')) rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
