/**
 * vardecomp against lme4 on the real `lme4::InstEval` (part of `npm run bench:lme4`; not run by
 * CI). InstEval ships with lme4 under the GPL, so it is exported to a CSV in a temporary
 * directory at bench time (`bench/lme4-insteval.R export`) and deleted afterwards. Then, in the
 * same run: vardecomp's end-to-end `fit` of `y ~ 1 + (1|s) + (1|d) + (1|dept)` (REML) from the
 * parsed columns (one warm-up, median of 3), and lmer in one R process (one warm-up, median of 3,
 * `bench/lme4-insteval.R time`). The REML criteria must agree within 1e-6 relative.
 *
 * Without Rscript and lme4 it prints "skipped" and exits 0. Writes
 * `bench/results/lme4-insteval.json` and `bench/results/lme4-insteval.md`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWarning, machineInfo, markdownTable, textTable } from './common.js';
import { timeCrossedFit } from './crossed-common.js';
import { INSTEVAL_FORMULA } from './insteval-lookalike.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const script = path.join(here, 'lme4-insteval.R');
const REPS = 3;
const AGREEMENT_TOL = 1e-6;

const probe = spawnSync('Rscript', ['-e', 'cat(requireNamespace("lme4", quietly = TRUE))'], { encoding: 'utf8' });
if (probe.status !== 0 || !probe.stdout.trim().endsWith('TRUE')) {
  console.log('skipped: Rscript with lme4 not found');
  process.exit(0);
}
const machine = machineInfo();
console.log(`InstEval, vardecomp vs lme4: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`);
const busy = loadWarning(machine);
if (busy) console.log(busy);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vardecomp-insteval-'));
try {
  const csv = path.join(tmp, 'insteval.csv');
  const ex = spawnSync('Rscript', [script, 'export', csv], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (ex.status !== 0) throw new Error(`lme4-insteval.R export failed (exit ${ex.status})`);
  const [head, ...lines] = readFileSync(csv, 'utf8').trim().split('\n');
  const names = head.split(',').map((h) => h.replace(/"/g, ''));
  const col = (name: string) => names.indexOf(name);
  const rows = lines.map((l) => l.split(','));
  const unquote = (v: string) => v.replace(/"/g, '');
  const data = {
    s: rows.map((r) => unquote(r[col('s')])),
    d: rows.map((r) => unquote(r[col('d')])),
    dept: rows.map((r) => unquote(r[col('dept')])),
    y: Float64Array.from(rows, (r) => Number(r[col('y')])),
  };

  // 1. vardecomp.
  const v = timeCrossedFit(data, INSTEVAL_FORMULA, REPS, 9);
  console.log(`  vardecomp: median ${(v.fit.median / 1000).toFixed(2)} s over ${REPS} fits, ${v.evaluations} evaluations`);

  // 2. lme4, same run.
  const tsv = path.join(tmp, 'lme4.tsv');
  const r = spawnSync('Rscript', [script, 'time', csv, String(REPS), tsv], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`lme4-insteval.R time failed (exit ${r.status})`);
  const [h, b] = readFileSync(tsv, 'utf8').trim().split('\n');
  const R = Object.fromEntries(h.split('\t').map((k, i) => [k, b.split('\t')[i]]));
  const loadAfter = os.loadavg().map((l) => Math.round(l * 100) / 100);

  const remlR = Number(R.reml_criterion);
  const relDiff = Math.abs(v.remlCriterion - remlR) / Math.abs(remlR);
  const comp = {
    sigma2: [v.sigma2, Number(R.sigma2)],
    s: [v.variances.s, Number(R.var_s)],
    d: [v.variances.d, Number(R.var_d)],
    dept: [v.variances.dept, Number(R.var_dept)],
  };
  const lmeMedian = Number(R.median_ms);
  const result = {
    machine,
    loadAfter,
    formula: INSTEVAL_FORMULA,
    rows: v.rows,
    vardecomp: v,
    lme4: {
      median: lmeMedian,
      min: Number(R.min_ms),
      max: Number(R.max_ms),
      samples: Number(R.reps),
      times: R.times_ms.split(',').map(Number),
      evaluations: Number(R.evaluations),
      optimizer: R.optimizer,
      version: R.lme4_version,
      R: R.r_version,
    },
    ratio: lmeMedian / v.fit.median,
    agreement: { remlCriterion: { vardecomp: v.remlCriterion, lme4: remlR, relDiff }, components: comp, ok: relDiff <= AGREEMENT_TOL },
  };
  const header = ['InstEval (73,421 rows)', 'median (min-max)', 'evaluations', 'per evaluation', 'REML criterion'];
  const sec = (x: number) => (x / 1000).toFixed(2);
  const table = [
    ['vardecomp', `${sec(v.fit.median)} s (${sec(v.fit.min)}-${sec(v.fit.max)})`, String(v.evaluations), `${(v.fit.median / v.evaluations).toFixed(0)} ms`, v.remlCriterion.toFixed(6)],
    [`lme4 ${R.lme4_version} (${R.optimizer})`, `${sec(lmeMedian)} s (${sec(result.lme4.min)}-${sec(result.lme4.max)})`, R.evaluations, `${(lmeMedian / Number(R.evaluations)).toFixed(0)} ms`, remlR.toFixed(6)],
  ];
  console.log(`\n${textTable(header, table)}`);
  console.log(`\nlme4 / vardecomp: ${result.ratio.toFixed(2)}x; REML criterion rel. diff ${relDiff.toExponential(1)} (${result.agreement.ok ? 'ok' : 'DISAGREE'})`);
  for (const [k, [a, bb]] of Object.entries(comp)) console.log(`  ${k.padEnd(7)} vardecomp ${a.toPrecision(8)}  lme4 ${bb.toPrecision(8)}`);
  console.log(`load average ${machine.loadAverage.join(' ')} at the start, ${loadAfter.join(' ')} at the end`);
  mkdirSync(path.join(here, 'results'), { recursive: true });
  writeFileSync(path.join(here, 'results', 'lme4-insteval.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(
    path.join(here, 'results', 'lme4-insteval.md'),
    `${markdownTable(header, table)}\n\nSame run, ${machine.date.slice(0, 10)}, ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, R ${R.r_version}; ` +
      `load average ${machine.loadAverage.join(' ')} at the start, ${loadAfter.join(' ')} at the end. lme4 / vardecomp = ${result.ratio.toFixed(2)}; ` +
      `REML criteria agree to ${relDiff.toExponential(1)} relative.\n`,
  );
  if (!result.agreement.ok) process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
