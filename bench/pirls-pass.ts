/**
 * Cost of one PIRLS pass (`npm run bench:pirls`, not run by CI): for lme4::VerbAgg (binomial,
 * 7,584 rows) and the England Poisson models (880 rows, with and without an observation-level
 * term) at the fitted theta and beta, repeated PIRLS runs from the converged modes in the joint
 * stage (`Pirls.run(theta, null)`) and the fixed-beta stage (`Pirls.run(theta, beta)`); the
 * time of each batch is divided by the PIRLS iterations it took. Medians and ranges over
 * batches (wall clock; and the process's CPU time, steadier on a shared machine), with the load
 * average.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import { loadEnglandPanel } from '../src/data/index.js';
import { prepareGlmm, type GlmmModel } from '../src/glmm/glmm-model.js';
import { optimizeGlmm } from '../src/glmm/optimize-glmm.js';
import { Pirls } from '../src/glmm/pirls.js';
import { machineInfo, textTable } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const machine = machineInfo();
console.log(`PIRLS pass cost: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, load ${machine.loadAverage.join(' ')}`);

const BATCHES = Number(process.env.PIRLS_BATCHES ?? 7);
const MIN_BATCH_MS = 150;

/** ms per pass of repeated runs: median, min and max over batches. */
function perPass(model: GlmmModel, joint: boolean): { median: number; min: number; max: number; cpu: number; passes: number } {
  const opt = optimizeGlmm(model, { vcov: false });
  const pirls = new Pirls(model, opt.beta);
  const theta = opt.theta;
  const beta = joint ? null : opt.beta;
  pirls.run(theta, beta);
  const modes = new Float64Array(pirls.modeCount);
  pirls.saveModes(modes);
  const once = (): void => {
    pirls.loadModes(modes);
    pirls.run(theta, beta);
  };
  for (let w = 0; w < 20; w++) once();
  const per: number[] = [];
  const cpuPer: number[] = [];
  let passes = 0;
  for (let b = 0; b < BATCHES; b++) {
    const it0 = pirls.iterations;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let t = t0;
    do {
      once();
      t = performance.now();
    } while (t - t0 < MIN_BATCH_MS);
    const k = pirls.iterations - it0;
    passes = k;
    per.push((t - t0) / k);
    const c = process.cpuUsage(c0);
    cpuPer.push((c.user + c.system) / 1000 / k);
  }
  per.sort((a, b) => a - b);
  cpuPer.sort((a, b) => a - b);
  const mid = Math.floor(per.length / 2);
  return { median: per[mid], min: per[0], max: per[per.length - 1], cpu: cpuPer[mid], passes };
}

const verb = aq.fromCSV(readFileSync(path.join(root, 'test/fixtures/glmm/verbagg.csv'), 'utf8'));
const panel = (await loadEnglandPanel({ years: [2013, 2018] })).derive({ obs: () => aq.op.row_number() });
const ENGLAND = 'cpp_start_n ~ imd2019_avg_score + offset(log(child_pop_0_17_dfe)) + (1|la_code) + (1|year)';
const cases: Array<[string, GlmmModel]> = [
  ['VerbAgg (7,584 rows, binomial)', prepareGlmm(verb, 'r2 ~ Anger + Gender + btype + situ + (1|id) + (1|item)', { family: 'binomial' })],
  ['England (880 rows, Poisson)', prepareGlmm(panel, ENGLAND, { family: 'poisson' })],
  ['England + (1|obs)', prepareGlmm(panel, `${ENGLAND} + (1|obs)`, { family: 'poisson' })],
];
const rows: string[][] = [];
for (const [name, model] of cases) {
  for (const joint of [true, false]) {
    const r = perPass(model, joint);
    rows.push([name, joint ? 'joint' : 'fixed beta', r.median.toFixed(3), `${r.min.toFixed(3)}-${r.max.toFixed(3)}`, r.cpu.toFixed(3), String(r.passes)]);
  }
}
console.log(textTable(['model', 'stage', 'ms/pass (median)', 'min-max', 'cpu ms/pass', 'passes/batch'], rows));
console.log(`load average after: ${machineInfo().loadAverage.join(' ')}`);
