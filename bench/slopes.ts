/**
 * Random slopes, vardecomp against lme4 in the same run: `npm run bench:slopes` (not run by CI).
 *
 * Cases (REML):
 * - sleepstudy `Reaction ~ Days + (Days | Subject)` (180 rows; test/fixtures/slopes-sleepstudy.csv);
 * - a simulated 10,000 x 20 panel with unit-specific trends,
 *   `y ~ x + t + (1 + t | unit) + (1 | period)` (200,000 rows; t = period centred).
 *
 * vardecomp's end-to-end `fit` is timed from the arquero table in memory (warm-up, then the
 * median of many fits), before any CSV text is built; lme4 is timed in one R process by
 * `bench/lme4-slopes-timing.R` (one warm-up, then the median of its fits), when `Rscript` with
 * lme4 is on the PATH. The REML criteria must agree within 1e-6 (relative). Writes
 * `bench/results/slopes.json` with medians, spread and the load average.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import { fit } from '../src/index.js';
import { Rng } from '../src/random/index.js';
import { loadWarning, machineInfo, ms, summarise, textTable, timeIt } from './common.js';
import { simulatePanel } from '../src/simulate/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const AGREEMENT_TOL = 1e-6;

/** A units x periods panel with a unit-specific trend (slope sd 0.15 per period, correlated 0.3 with the unit effect). */
function trendPanel(units: number, periods: number) {
  const base = simulatePanel({ units, periods, seed: 7, covariateWithin: 0.5 });
  const unit = Array.from(base.array('unit') as ArrayLike<string>);
  const period = Array.from(base.array('period') as ArrayLike<number>);
  const x = Array.from(base.array('x') as ArrayLike<number>);
  const y = Array.from(base.array('y') as ArrayLike<number>);
  const mid = (period.reduce((a, b) => Math.min(a, b)) + period.reduce((a, b) => Math.max(a, b))) / 2;
  const rng = new Rng(11);
  const slope = new Map<string, number>();
  for (const u of new Set(unit)) slope.set(u, 0.15 * rng.normal());
  const t = period.map((p) => p - mid);
  return aq.table({
    group1: unit,
    group2: period.map(String),
    x,
    t,
    y: y.map((v, i) => v + 0.2 * t[i] + slope.get(unit[i])! * t[i]),
  });
}

const sleep = aq.fromCSV(readFileSync(path.join(here, '..', 'test', 'fixtures', 'slopes-sleepstudy.csv'), 'utf8'), { parse: { Subject: String } });
const CASES = [
  {
    name: 'sleepstudy',
    table: sleep.rename({ Subject: 'group1' }),
    formula: 'Reaction ~ Days + (Days | group1)',
    reps: 500,
    warmup: 300,
    lme4Reps: 20,
  },
  {
    name: '10,000x20',
    table: trendPanel(10_000, 20),
    formula: 'y ~ x + t + (1 + t | group1) + (1 | group2)',
    reps: 15,
    warmup: 3,
    lme4Reps: 3,
  },
];

const machine = machineInfo();
console.log(`random slopes: vardecomp vs lme4 on ${machine.cpu}, ${machine.cores} cores, node ${machine.node}; load average ${machine.loadAverage.join(' ')}`);
const busy = loadWarning(machine);
if (busy) console.log(busy);

const results = CASES.map((c) => {
  const times = timeIt(() => fit(c.table, c.formula), c.reps, c.warmup);
  const m = fit(c.table, c.formula);
  const timing = summarise(times);
  console.log(`  vardecomp ${c.name.padEnd(12)} ${String(c.table.numRows()).padStart(8)} rows: median ${ms(timing.median)} ms (${ms(timing.min)}-${ms(timing.max)}) over ${timing.samples} fits; ${m.optimizer.evaluations} evaluations`);
  return { case: c, rows: c.table.numRows(), timing, reml: m.remlCriterion!, theta: m.theta, evaluations: m.optimizer.evaluations };
});

const lme4Ok = spawnSync('Rscript', ['-e', 'cat(requireNamespace("lme4", quietly = TRUE))'], { encoding: 'utf8' });
let lme4: Map<string, Record<string, string>> | null = null;
let versions: { lme4: string; R: string } | null = null;
if (lme4Ok.status === 0 && lme4Ok.stdout.trim().endsWith('TRUE')) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vardecomp-slopes-'));
  try {
    const args = [path.join(here, 'lme4-slopes-timing.R'), path.join(tmp, 'out.tsv')];
    for (const r of results) {
      const file = path.join(tmp, `${r.case.name.replace(/[^a-z0-9]/giu, '')}.csv`);
      writeFileSync(file, r.case.table.toCSV());
      args.push(r.case.name, file, String(r.case.lme4Reps), r.case.formula);
    }
    const run = spawnSync('Rscript', args, { encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.status !== 0) throw new Error(`lme4-slopes-timing.R failed (exit ${run.status})`);
    const [head, ...body] = readFileSync(path.join(tmp, 'out.tsv'), 'utf8').trim().split('\n');
    const keys = head.split('\t');
    lme4 = new Map(body.map((line) => {
      const f = line.split('\t');
      const rec = Object.fromEntries(keys.map((k, i) => [k, f[i]]));
      return [rec.name, rec];
    }));
    const first = lme4.values().next().value!;
    versions = { lme4: first.lme4_version, R: first.r_version };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
} else {
  console.log('lme4 comparison skipped: Rscript with lme4 not found');
}

const rows = results.map((r) => {
  const R = lme4?.get(r.case.name);
  const lmeMedian = R ? Number(R.median_ms) : NaN;
  const relDiff = R ? Math.abs(r.reml - Number(R.reml_criterion)) / Math.abs(Number(R.reml_criterion)) : NaN;
  return {
    name: r.case.name,
    formula: r.case.formula,
    rows: r.rows,
    vardecomp: { ...r.timing, warmup: r.case.warmup, evaluations: r.evaluations },
    lme4: R ? { median: lmeMedian, min: Number(R.min_ms), max: Number(R.max_ms), samples: Number(R.reps), optimizer: R.optimizer } : null,
    ratio: lmeMedian / r.timing.median,
    remlCriterion: { vardecomp: r.reml, lme4: R ? Number(R.reml_criterion) : null, relDiff },
    agree: R ? relDiff <= AGREEMENT_TOL : null,
  };
});
console.log('');
console.log(
  textTable(
    ['case', 'rows', 'vardecomp median ms (min-max)', 'lme4 median ms (min-max)', 'lme4 / vardecomp', 'REML rel. diff'],
    rows.map((r) => [
      r.name,
      r.rows.toLocaleString('en-GB'),
      `${ms(r.vardecomp.median)} (${ms(r.vardecomp.min)}-${ms(r.vardecomp.max)})`,
      r.lme4 ? `${ms(r.lme4.median)} (${ms(r.lme4.min)}-${ms(r.lme4.max)})` : '-',
      Number.isFinite(r.ratio) ? `${r.ratio.toFixed(0)}x` : '-',
      Number.isFinite(r.remlCriterion.relDiff) ? r.remlCriterion.relDiff.toExponential(1) : '-',
    ]),
  ),
);
mkdirSync(path.join(here, 'results'), { recursive: true });
writeFileSync(path.join(here, 'results', 'slopes.json'), `${JSON.stringify({ machine, versions, agreementTolerance: AGREEMENT_TOL, cases: rows }, null, 2)}\n`);
console.log('\nwrote bench/results/slopes.json');
if (rows.some((r) => r.agree === false)) {
  console.error('REML criteria disagree with lme4');
  process.exitCode = 1;
}
