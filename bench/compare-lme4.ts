/**
 * vardecomp against lme4: `npm run bench:lme4` (not run by CI).
 *
 * When `Rscript` with lme4 is on the PATH (otherwise it prints "skipped: Rscript with lme4 not
 * found" and exits 0), it writes the benchmark panels 150x8, 1,000x20 and 10,000x20 to CSV in
 * a temporary directory and runs `bench/lme4-timing.R`, which times
 * `lmer(y ~ x + (1|unit) + (1|period), REML = TRUE)` in-process with R's own clock (one
 * warm-up fit, then the median of 10 fits; 3 for 10,000x20). vardecomp's end-to-end `fit` is
 * timed the same way, from the arquero table already in memory (warm-up, then the median of
 * more fits, as each takes milliseconds), first, before the CSV text is built, so that its garbage
 * does not land in the timings. The two fits must agree: REML criterion within 1e-6
 * relative (the variance components are printed too).
 *
 * Writes `bench/results/lme4-comparison.json` and `bench/results/lme4-comparison.md` (a
 * markdown table with date and machine, for the README's performance table).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fit } from '../src/index.js';
import { FORMULA, PANELS, loadWarning, machineInfo, makePanel, markdownTable, ms, summarise, textTable, timeIt } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(here, 'results');

/** Panels compared, with lme4's repetitions and vardecomp's. */
const CASES = [
  { size: PANELS[0], lme4Reps: 10, vardecompReps: 500, warmup: 500 },
  { size: PANELS[1], lme4Reps: 10, vardecompReps: 100, warmup: 30 },
  { size: PANELS[2], lme4Reps: 3, vardecompReps: 30, warmup: 5 },
];

/** Relative tolerance on the REML criterion. */
const AGREEMENT_TOL = 1e-6;

function lme4Available(): boolean {
  const r = spawnSync('Rscript', ['-e', 'cat(requireNamespace("lme4", quietly = TRUE))'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim().endsWith('TRUE');
}

if (!lme4Available()) {
  console.log('skipped: Rscript with lme4 not found');
  process.exit(0);
}

const machine = machineInfo();
console.log(`vardecomp vs lme4: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`);
const busy = loadWarning(machine);
console.log(busy ? `${busy}\n` : '');

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vardecomp-lme4-'));
try {
  // 1. vardecomp first, on a clean heap: end-to-end fit from the table in memory.
  const tables = CASES.map((c) => {
    const table = makePanel(c.size);
    const times = timeIt(() => fit(table, FORMULA), c.vardecompReps, c.warmup);
    return { size: c.size, table, rows: table.numRows(), timing: summarise(times), file: '' };
  });

  // 2. Panels to CSV (shortest round-trip decimal for every number: R reads the same values).
  for (const t of tables) {
    const cols = ['unit', 'period', 'x', 'y'].map((c) => t.table.array(c) as ArrayLike<unknown>);
    const lines = new Array<string>(t.rows + 1);
    lines[0] = 'unit,period,x,y';
    for (let i = 0; i < t.rows; i++) lines[i + 1] = `${cols[0][i]},${cols[1][i]},${cols[2][i]},${cols[3][i]}`;
    t.file = path.join(tmp, `panel-${t.size.units}x${t.size.periods}.csv`);
    writeFileSync(t.file, `${lines.join('\n')}\n`);
  }

  // 3. lme4, in one R process.
  const tsv = path.join(tmp, 'lme4.tsv');
  const rArgs = [path.join(here, 'lme4-timing.R'), tsv];
  tables.forEach((t, k) => rArgs.push(t.size.name, t.file, String(CASES[k].lme4Reps)));
  const r = spawnSync('Rscript', rArgs, { encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.error(`lme4-timing.R failed (exit ${r.status})`);
    process.exit(1);
  }
  const [head, ...body] = readFileSync(tsv, 'utf8').trim().split('\n');
  const keys = head.split('\t');
  const lme4 = new Map(
    body.map((line) => {
      const f = line.split('\t');
      const rec = Object.fromEntries(keys.map((k, i) => [k, f[i]]));
      return [rec.name, rec];
    }),
  );

  // 4. The agreement check.
  const panels = tables.map((t, k) => {
    const c = CASES[k];
    const v = t.timing;
    const m = fit(t.table, FORMULA);
    const R = lme4.get(t.size.name)!;
    const lmeMedian = Number(R.median_ms);
    const remlV = m.remlCriterion!;
    const remlR = Number(R.reml_criterion);
    const relDiff = Math.abs(remlV - remlR) / Math.abs(remlR);
    const variance = (g: string) => m.varcorr.find((row) => row.group === g)!.variance;
    const comp = {
      sigma2: [m.sigma * m.sigma, Number(R.sigma2)],
      unit: [variance('unit'), Number(R.var_unit)],
      period: [variance('period'), Number(R.var_period)],
      beta_x: [m.beta.x, Number(R.beta_x)],
    };
    const maxComponentRelDiff = Math.max(...Object.values(comp).map(([a, b]) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300)));
    console.log(
      `  vardecomp ${t.size.name.padEnd(10)} ${String(t.rows).padStart(8)} rows: median ${ms(v.median)} ms over ${v.samples} fits; ` +
        `REML ${remlV.toFixed(6)} vs lme4 ${remlR.toFixed(6)} (rel. diff ${relDiff.toExponential(1)})`,
    );
    return {
      panel: t.size.name,
      rows: t.rows,
      vardecomp: { ...v, warmup: c.warmup },
      lme4: {
        median: lmeMedian,
        min: Number(R.min_ms),
        max: Number(R.max_ms),
        samples: Number(R.reps),
        warmup: 1,
        times: R.times_ms.split(',').map(Number),
        optimizer: R.optimizer,
      },
      ratio: lmeMedian / v.median,
      agreement: {
        remlCriterion: { vardecomp: remlV, lme4: remlR, relDiff },
        components: comp,
        maxComponentRelDiff,
        ok: relDiff <= AGREEMENT_TOL,
      },
    };
  });
  const first = lme4.values().next().value!;
  const versions = { lme4: first.lme4_version, R: first.r_version };

  // 5. Report.
  console.log('');
  console.log(
    textTable(
      ['panel', 'rows', 'vardecomp median ms', 'lme4 median ms', 'lme4 / vardecomp', 'REML rel. diff', 'agree'],
      panels.map((p) => [
        p.panel,
        p.rows.toLocaleString('en-GB'),
        `${ms(p.vardecomp.median)} (${ms(p.vardecomp.min)}-${ms(p.vardecomp.max)})`,
        `${ms(p.lme4.median)} (${ms(p.lme4.min)}-${ms(p.lme4.max)})`,
        `${p.ratio.toFixed(0)}x`,
        p.agreement.remlCriterion.relDiff.toExponential(1),
        p.agreement.ok ? 'yes' : 'NO',
      ]),
    ),
  );

  const date = machine.date.slice(0, 10);
  const md = [
    `REML fit of \`${FORMULA}\` on simulated panels (\`bench/compare-lme4.ts\`), ${date}:`,
    `${machine.cpu}, ${machine.cores} cores, ${machine.platform}; Node ${machine.node}; R ${versions.R}, lme4 ${versions.lme4} (default optimiser, ${panels[0].lme4.optimizer}).`,
    `Medians of in-process timings after a warm-up: lme4 \`lmer()\` from a data frame in memory (${CASES.map((c) => c.lme4Reps).join('/')} fits),`,
    `vardecomp \`fit()\` from an arquero table in memory (${CASES.map((c) => c.vardecompReps).join('/')} fits). The REML criteria agree within ${AGREEMENT_TOL.toExponential(0)} (relative).`,
    '',
    markdownTable(
      ['Panel (units x periods)', 'Rows', 'vardecomp', 'lme4', 'lme4 / vardecomp'],
      panels.map((p) => [
        p.panel,
        p.rows.toLocaleString('en-GB'),
        `${ms(p.vardecomp.median)} ms`,
        `${ms(p.lme4.median)} ms`,
        `${p.ratio >= 100 ? p.ratio.toFixed(0) : p.ratio.toFixed(1)}x`,
      ]),
    ),
    '',
  ].join('\n');

  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    path.join(resultsDir, 'lme4-comparison.json'),
    `${JSON.stringify({ machine, versions, formula: FORMULA, agreementTolerance: AGREEMENT_TOL, panels }, null, 2)}\n`,
  );
  writeFileSync(path.join(resultsDir, 'lme4-comparison.md'), md);
  console.log(`\nwrote bench/results/lme4-comparison.json and bench/results/lme4-comparison.md`);
  const bad = panels.filter((p) => !p.agreement.ok);
  if (bad.length > 0) {
    console.error(`REML criteria disagree beyond ${AGREEMENT_TOL} on ${bad.map((p) => p.panel).join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
