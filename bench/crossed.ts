/**
 * The crossed-design benchmark (`npm run bench:crossed`, not run by CI): the InstEval look-alike
 * (bench/insteval-lookalike.ts: 73,421 ratings, 2,972 students x 1,128 lecturers x 14
 * departments, InstEval's distributions of ratings per student and per lecturer) fitted with
 * `y ~ 1 + (1|s) + (1|d) + (1|dept)` by REML. Reports the end-to-end fit (one warm-up, then the
 * median, minimum and maximum of 3 fits), the optimiser's evaluations, the time of one criterion
 * evaluation at the optimum (median of 9), the dense block's Cholesky rate, and the load average.
 * Writes `bench/results/crossed.json` and `bench/results/crossed.md`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWarning, machineInfo, markdownTable, ms, textTable } from './common.js';
import { timeCrossedFit } from './crossed-common.js';
import { INSTEVAL_FORMULA, instEvalLookalike } from './insteval-lookalike.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const machine = machineInfo();
console.log(`crossed designs: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`);
const busy = loadWarning(machine);
if (busy) console.log(busy);

const data = instEvalLookalike(1);
const t = timeCrossedFit(data, INSTEVAL_FORMULA, 3, 9);
const loadAfter = os.loadavg().map((l) => Math.round(l * 100) / 100);
const header = ['design', 'rows', 'dense block m', 'fit median (min-max)', 'evaluations', 'ms per evaluation', 'Cholesky rate'];
const row = [
  'InstEval look-alike',
  t.rows.toLocaleString('en-US'),
  String(t.m),
  `${(t.fit.median / 1000).toFixed(2)} s (${(t.fit.min / 1000).toFixed(2)}-${(t.fit.max / 1000).toFixed(2)})`,
  String(t.evaluations),
  `${ms(t.evaluation.median)} (${ms(t.evaluation.min)}-${ms(t.evaluation.max)})`,
  `${t.gigaMultiplyAddsPerSecond.toFixed(2)} G multiply-adds/s`,
];
console.log(`\n${textTable(header, [row])}`);
console.log(`\nload average ${machine.loadAverage.join(' ')} at the start, ${loadAfter.join(' ')} at the end`);
mkdirSync(path.join(here, 'results'), { recursive: true });
writeFileSync(path.join(here, 'results', 'crossed.json'), `${JSON.stringify({ machine, loadAfter, formula: INSTEVAL_FORMULA, lookalike: t }, null, 2)}\n`);
writeFileSync(
  path.join(here, 'results', 'crossed.md'),
  `${markdownTable(header, [row])}\n\n${machine.date.slice(0, 10)}, ${machine.cpu}, ${machine.cores} cores, node ${machine.node}; load average ${machine.loadAverage.join(' ')} at the start, ${loadAfter.join(' ')} at the end.\n`,
);
