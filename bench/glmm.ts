/**
 * GLMM benchmarks: `npm run bench:glmm` (not run by CI).
 *
 * 1. The England Poisson model of child-protection plan starts (880 rows, 2013-2018, offset
 *    log(child_pop_0_17_dfe), with and without an observation-level effect): end-to-end `fit`
 *    in-process: the first fit in the process (JIT cold), then the median and range of repeated
 *    fits after a warm-up of 60 and 40 fits (the JIT settles over about a second), and
 *    `decompose` with 200 parametric-bootstrap replicates on the model without the
 *    observation-level effect.
 * 2. lme4::VerbAgg (7,584 rows, `r2 ~ Anger + Gender + btype + situ + (1|id) + (1|item)`,
 *    binomial), median of 7 fits after 5.
 * 3. glmer on both England models and on VerbAgg in the same run when `Rscript` with lme4 is on
 *    the PATH: glmer's default control (nAGQ = 1, bobyqa then Nelder-Mead) timed in R with R's
 *    clock (median of 5 fits after a warm-up); the data are read from test/fixtures/glmm. The
 *    VerbAgg deviances must agree to 1e-6 relative.
 *
 * Writes bench/results/glmm.json and prints a table with the load average.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import { decompose, fit } from '../src/index.js';
import { loadEnglandPanel } from '../src/data/index.js';
import { loadWarning, machineInfo, ms, summarise, textTable, timeIt, type Summary } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const machine = machineInfo();
console.log(`GLMM benchmarks: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, load ${machine.loadAverage.join(' ')}`);
const busy = loadWarning(machine);
if (busy) console.log(busy);

const panel = (await loadEnglandPanel({ years: [2013, 2018] })).derive({ obs: () => aq.op.row_number() });
const ENGLAND = 'cpp_start_n ~ imd2019_avg_score + offset(log(child_pop_0_17_dfe)) + (1|la_code) + (1|year)';
const rows: Array<{ case: string; timing: Summary; note: string }> = [];

// The first fit in the process (the JIT compiles as it goes), then in-process fits after the JIT
// has settled (about a second of warm-up, as in any repeated use: bootstrap, many outcomes).
const cold = timeIt(() => fit(panel, ENGLAND, { family: 'poisson' }), 1, 0);
rows.push({ case: 'England Poisson fit, first in the process', timing: summarise(cold), note: 'JIT cold' });
const england = timeIt(() => fit(panel, ENGLAND, { family: 'poisson' }), 21, 60);
rows.push({ case: 'England Poisson fit (880 rows)', timing: summarise(england), note: '' });
const englandObs = timeIt(() => fit(panel, `${ENGLAND} + (1|obs)`, { family: 'poisson' }), 21, 40);
rows.push({ case: 'England Poisson fit with (1|obs)', timing: summarise(englandObs), note: '' });
const m = fit(panel, ENGLAND, { family: 'poisson' });
decompose(m);
const boot = timeIt(() => decompose(m, { intervals: { n: 200, seed: 1 } }), 1, 0);
rows.push({ case: 'England Poisson decompose, 200 bootstrap replicates', timing: summarise(boot), note: '' });

const verbCsv = path.join(root, 'test/fixtures/glmm/verbagg.csv');
const verb = aq.fromCSV(readFileSync(verbCsv, 'utf8'));
const VERB = 'r2 ~ Anger + Gender + btype + situ + (1|id) + (1|item)';
const verbTimes = timeIt(() => fit(verb, VERB, { family: 'binomial' }), 7, 5);
const vm = fit(verb, VERB, { family: 'binomial' });
const { evaluations, pirlsIterations } = vm.optimizer;
rows.push({
  case: 'VerbAgg binomial fit (7,584 rows)',
  timing: summarise(verbTimes),
  note: `deviance ${vm.deviance.toFixed(6)}; ${evaluations.stage1} + ${evaluations.stage2} evaluations, ${pirlsIterations} PIRLS passes`,
});

// glmer in one R session: the England models (from the fixture's copy of the panel, the same
// 880 rows) and VerbAgg, each a median of 5 fits after a warm-up.
const englandCsv = path.join(root, 'test/fixtures/glmm/england-poisson-olre.csv');
const R_ENGLAND = 'cpp_start_n ~ imd2019_avg_score + offset(log(child_pop_0_17_dfe)) + (1 | la_code) + (1 | year)';
const glmerCases: Array<{ label: string; call: string; ours: Summary; deviance?: number }> = [
  { label: 'England Poisson glmer (lme4, same run)', call: `glmer(${R_ENGLAND}, data = e, family = poisson)`, ours: summarise(england) },
  { label: 'England with (1|obs) glmer (lme4, same run)', call: `glmer(${R_ENGLAND} + (1 | obs), data = e, family = poisson)`, ours: summarise(englandObs) },
  { label: 'VerbAgg glmer (lme4, same run)', call: `glmer(${VERB.replace(/\(1\|/g, '(1 | ')}, data = d, family = binomial)`, ours: summarise(verbTimes), deviance: vm.deviance },
];
const r = spawnSync(
  'Rscript',
  [
    '-e',
    `suppressPackageStartupMessages(library(lme4)); d <- read.csv("${verbCsv}"); e <- read.csv("${englandCsv}");
     time <- function(f) { m <- suppressWarnings(f()); t <- replicate(5, system.time(suppressWarnings(f()))[["elapsed"]]);
       cat(median(t) * 1000, min(t) * 1000, max(t) * 1000, -2 * as.numeric(logLik(m)), "\\n") }
     ${glmerCases.map((c) => `time(function() ${c.call})`).join('; ')}`,
  ],
  { encoding: 'utf8' },
);
let verbGlmerDeviance: number | null = null;
if (r.status === 0) {
  r.stdout
    .trim()
    .split('\n')
    .forEach((line, i) => {
      const [median, min, max, deviance] = line.trim().split(/\s+/).map(Number);
      const c = glmerCases[i];
      if (c.deviance !== undefined) verbGlmerDeviance = deviance;
      rows.push({
        case: c.label,
        timing: { median, min, max, samples: 5 },
        note: `deviance ${deviance.toFixed(6)}; glmer / vardecomp ${(median / c.ours.median).toFixed(2)}x`,
      });
    });
} else {
  console.log('glmer skipped: Rscript with lme4 not found');
}

const after = machineInfo();
console.log(
  textTable(
    ['case', 'median', 'min-max', 'n', 'note'],
    rows.map((x) => [x.case, ms(x.timing.median), `${ms(x.timing.min)}-${ms(x.timing.max)}`, String(x.timing.samples), x.note]),
  ),
);
console.log(`load average after: ${after.loadAverage.join(' ')}`);
if (verbGlmerDeviance !== null && Math.abs(verbGlmerDeviance - vm.deviance) > 1e-6 * verbGlmerDeviance + 1e-3) {
  console.log(`note: VerbAgg deviances differ by ${(verbGlmerDeviance - vm.deviance).toExponential(2)} (glmer's default optimiser stops short)`);
}
mkdirSync(path.join(here, 'results'), { recursive: true });
writeFileSync(
  path.join(here, 'results', 'glmm.json'),
  JSON.stringify({ machine: { ...machine, loadAverageAfter: after.loadAverage }, rows }, null, 2) + '\n',
);
