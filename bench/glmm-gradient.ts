/**
 * Cost of one analytic Laplace gradient (`laplaceGradient`) on the glmer fixtures:
 * `npx tsx bench/glmm-gradient.ts [reps]` (not run by CI). For each fixture the modes are found
 * once by PIRLS at the fixture's second devFunOnly point, then the gradient is timed over repeated
 * calls after a warm-up; prints the median and range per call and the load average.
 */
import { prepareGlmm } from '../src/glmm/glmm-model.js';
import { laplaceGradient } from '../src/glmm/laplace-gradient.js';
import { Pirls } from '../src/glmm/pirls.js';
import { loadGlmmFixture } from '../test/helpers/glmm-fixtures.js';
import { machineInfo, ms, summarise, textTable } from './common.js';

const reps = Number(process.argv[2] ?? 200);
const machine = machineInfo();
console.log(`laplaceGradient per call: node ${machine.node}, load ${machine.loadAverage.join(' ')}`);
const rows: string[][] = [];
for (const name of ['verbagg', 'england-poisson', 'england-poisson-olre', 'grouseticks', 'cbpp']) {
  const { fixture, table } = loadGlmmFixture(name);
  const model = prepareGlmm(table, fixture.formula, { family: fixture.family });
  const pirls = new Pirls(model);
  const pt = fixture.laplaceAt[1];
  const theta = model.terms.toEngine(Float64Array.from(pt.theta));
  pirls.run(theta, Float64Array.from(pt.beta));
  const u = new Float64Array(pirls.modeCount);
  pirls.saveModes(u);
  const mu = pirls.state().mu;
  let g = laplaceGradient(model, theta, mu, u);
  for (let w = 0; w < 20; w++) g = laplaceGradient(model, theta, mu, u);
  // Batches of calls so the clock's resolution does not matter for the small models.
  const batch = Math.max(1, Math.round(2000 / model.n));
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let b = 0; b < batch; b++) g = laplaceGradient(model, theta, mu, u);
    times.push((performance.now() - t0) / batch);
  }
  const s = summarise(times);
  rows.push([name, String(model.n), ms(s.median), `${ms(s.min)}-${ms(s.max)}`, String(reps * batch), [...g.theta, ...g.beta].slice(0, 3).map((v) => v.toPrecision(10)).join(' ')]);
}
console.log(textTable(['fixture', 'rows', 'median', 'min-max', 'calls', 'gradient (first 3)'], rows));
console.log(`load average after: ${machineInfo().loadAverage.join(' ')}`);
