/**
 * Performance benchmarks: `npm run bench` (not run by CI).
 *
 * For each synthetic panel (150x8, the NAO size, up to 50,000x20 = 1M rows) it times, with
 * tinybench, the REML fit of `y ~ x + (1|unit) + (1|period)`:
 *
 * - `fit`: end to end from the arquero table (column extraction, model frame, factor encoding,
 *   X, the one pass over the rows, optimisation, the fit object);
 * - `engine`: the same model prepared once (`prepareModel`), then `fitPrepared` alone: the
 *   optimisation, whose cost does not depend on the number of rows.
 *
 * Then the decomposition entry points when `src/index.ts` exports them (skipped with a message
 * otherwise): 1000 bootstrap replicates on 150x8, `decomposeMany` with 7 outcomes on 150x8 and
 * the Shapley method on 10,000x20. Finally the peak memory of one 1M-row fit, measured in a
 * fresh process (`bench/memory.ts`).
 *
 * Writes `bench/results/latest.json` and prints a table with the targets next to the results.
 * Options: `--quick` (fewer iterations), `--only=<substring>` (cases whose name matches),
 * `--no-memory`, `--out=<path>`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from 'arquero';
import { Bench } from 'tinybench';
import * as api from '../src/index.js';
import { fitPrepared } from '../src/fit.js';
import { prepareModel } from '../src/model/prepare-model.js';
import { FORMULA, PANELS, loadWarning, machineInfo, makePanel, mib, ms, textTable, type PanelSize } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = flag('quick');
const only = option('only');
const outPath = option('out') ?? path.join(here, 'results', 'latest.json');

/** Targets from the performance issue (milliseconds). */
const TARGETS: Record<string, { ms?: number; memoryFactor?: number; text: string }> = {
  'fit 150x8': { ms: 0.5, text: '<= 0.5 ms' },
  'fit 10,000x20': { ms: 30, text: '<= 30 ms' },
  'fit 50,000x20': { ms: 300, text: '<= 300 ms' },
  'decompose 150x8, 1000 bootstrap replicates': { ms: 1000, text: '<= 1 s' },
  'memory 50,000x20': { memoryFactor: 3, text: 'peak <= 3x input' },
};

interface CaseResult {
  name: string;
  rows: number;
  median: number;
  min: number;
  max: number;
  mean: number;
  samples: number;
  rme: number;
  evaluations?: number;
  note?: string;
  target?: string;
  met?: boolean;
}

interface Skipped {
  name: string;
  reason: string;
}

const results: CaseResult[] = [];
const skipped: Skipped[] = [];

/** Iteration settings by panel size: enough for a stable median, fewer for 1M rows. */
function settings(rows: number): { time: number; iterations: number; warmupIterations: number; warmupTime: number } {
  const scale = quick ? 0.25 : 1;
  if (rows <= 2_000) return { time: 2000 * scale, iterations: Math.ceil(500 * scale), warmupIterations: 50, warmupTime: 300 };
  if (rows <= 20_000) return { time: 2000 * scale, iterations: Math.ceil(100 * scale), warmupIterations: 10, warmupTime: 300 };
  if (rows <= 200_000) return { time: 3000 * scale, iterations: Math.ceil(30 * scale), warmupIterations: 3, warmupTime: 0 };
  return { time: 0, iterations: quick ? 3 : 9, warmupIterations: 2, warmupTime: 0 };
}

function wanted(name: string): boolean {
  return only === undefined || name.includes(only);
}

/** Run one case with tinybench and record median, min-max over the samples. */
function runCase(name: string, rows: number, fn: () => unknown, extra: Partial<CaseResult> = {}, iterations?: number): void {
  if (!wanted(name)) return;
  const s = settings(rows);
  const bench = new Bench({
    name,
    time: s.time,
    iterations: iterations ?? s.iterations,
    warmupIterations: s.warmupIterations,
    warmupTime: s.warmupTime,
    retainSamples: false,
    throws: true,
  });
  bench.add(name, fn);
  process.stdout.write(`  ${name} ... `);
  bench.runSync();
  const task = bench.tasks[0];
  const r = task.result;
  if (r.state !== 'completed') {
    const reason = r.state === 'errored' ? r.error.message : r.state;
    skipped.push({ name, reason });
    process.stdout.write(`failed: ${reason}\n`);
    return;
  }
  const L = r.latency;
  const target = TARGETS[name];
  const res: CaseResult = {
    name,
    rows,
    median: L.p50,
    min: L.min,
    max: L.max,
    mean: L.mean,
    samples: L.samplesCount,
    rme: L.rme,
    ...extra,
    ...(target?.ms !== undefined ? { target: target.text, met: L.p50 <= target.ms } : {}),
  };
  results.push(res);
  process.stdout.write(`median ${ms(res.median)} ms (${res.samples} runs)\n`);
}

function skip(name: string, reason: string): void {
  if (!wanted(name)) return;
  skipped.push({ name, reason });
  console.log(`  ${name}: skipped (${reason})`);
}

const machine = machineInfo();
console.log(`vardecomp benchmarks: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}${quick ? ' (quick)' : ''}`);
const busy = loadWarning(machine);
console.log(busy ? `${busy}\n` : '');

// 1. Fits, end to end and engine only.
const panels = new Map<string, ReturnType<typeof makePanel>>();
const panelOf = (size: PanelSize) => {
  let t = panels.get(size.name);
  if (!t) {
    t = makePanel(size);
    panels.set(size.name, t);
  }
  return t;
};
for (const size of PANELS) {
  const fitName = `fit ${size.name}`;
  const engineName = `engine ${size.name}`;
  if (!wanted(fitName) && !wanted(engineName)) continue;
  const tab = panelOf(size);
  const rows = tab.numRows();
  const probe = api.fit(tab, FORMULA);
  const evaluations = probe.optimizer.evaluations;
  runCase(fitName, rows, () => api.fit(tab, FORMULA), { evaluations, note: 'arquero table -> LmmFit' });
  const prepared = prepareModel(tab, FORMULA);
  runCase(engineName, rows, () => fitPrepared(prepared), {
    evaluations,
    note: 'prepareModel once, then fitPrepared (optimiser + solve + fit object)',
  });
}

// 2. Decomposition entry points, when exported.
const exported = api as Record<string, unknown>;
type DecomposeFn = (data: unknown, formula: string, options?: Record<string, unknown>) => unknown;
type DecomposeManyFn = (data: unknown, options: Record<string, unknown>) => unknown;
const decompose = typeof exported.decompose === 'function' ? (exported.decompose as DecomposeFn) : null;
const decomposeMany = typeof exported.decomposeMany === 'function' ? (exported.decomposeMany as DecomposeManyFn) : null;
const notExported = (what: string) => `${what} is not exported from src/index.ts yet`;

const nao = PANELS[0];
const bootName = 'decompose 150x8, 1000 bootstrap replicates';
if (decompose) {
  const tab = panelOf(nao);
  runCase(bootName, tab.numRows(), () => decompose(tab, FORMULA, { intervals: { n: 1000, seed: 1 } }), {
    note: 'components method, parametric bootstrap, refit per replicate',
  }, quick ? 3 : 10);
} else {
  skip(bootName, notExported('decompose'));
}

const manyName = 'decomposeMany 150x8, 7 outcomes';
if (decomposeMany) {
  const base = panelOf(nao);
  const cols: Record<string, ArrayLike<unknown>> = {
    unit: base.array('unit'),
    period: base.array('period'),
    x: base.array('x'),
  };
  const outcomes: string[] = [];
  for (let k = 1; k <= 7; k++) {
    cols[`y${k}`] = makePanel(nao, k).array('y');
    outcomes.push(`y${k}`);
  }
  const tab = table(cols);
  runCase(manyName, tab.numRows(), () => decomposeMany(tab, { outcomes, rhs: 'x + (1|unit) + (1|period)' }), {
    note: 'components method, one shared design',
  });
} else {
  skip(manyName, notExported('decomposeMany'));
}

const shapleyName = 'decompose 10,000x20, shapley';
if (decompose) {
  const tab = panelOf(PANELS[2]);
  runCase(shapleyName, tab.numRows(), () => decompose(tab, FORMULA, { method: 'shapley' }), { note: 'end to end from the table' });
} else {
  skip(shapleyName, notExported('decompose'));
}

// 3. Peak memory of one 1M-row fit, in a fresh process.
interface MemoryResult {
  rows: number;
  inputBytes: number;
  nominalInputBytes: number;
  peakRssDelta: number;
  peakSource: string;
  allocatedNoGc: number;
  retainedAfterGc: number;
  fitMs: number;
}
let memory: (MemoryResult & { factor: number; target: string; met: boolean }) | null = null;
const big = PANELS[3];
const memName = `memory ${big.name}`;
if (!flag('no-memory') && wanted(memName)) {
  process.stdout.write(`  ${memName} (fresh process) ... `);
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(here, 'memory.ts'), String(big.units), String(big.periods)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status === 0) {
    const m = JSON.parse(child.stdout.trim().split('\n').pop()!) as MemoryResult;
    const factor = m.peakRssDelta / m.inputBytes;
    memory = { ...m, factor, target: TARGETS[memName].text, met: factor <= TARGETS[memName].memoryFactor! };
    console.log(`peak +${mib(m.peakRssDelta)} for ${mib(m.inputBytes)} of input (${factor.toFixed(2)}x)`);
  } else {
    const reason = (child.stderr || child.error?.message || `exit ${child.status}`).trim().split('\n').slice(-3).join(' ');
    skipped.push({ name: memName, reason });
    console.log(`failed: ${reason}`);
  }
}

// Report.
console.log('');
const rowsOut = results.map((r) => [
  r.name,
  r.rows.toLocaleString('en-GB'),
  ms(r.median),
  `${ms(r.min)}-${ms(r.max)}`,
  String(r.samples),
  r.evaluations === undefined ? '' : String(r.evaluations),
  r.target ?? '',
  r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
]);
console.log(textTable(['case', 'rows', 'median ms', 'min-max ms', 'runs', 'evals', 'target', ''], rowsOut));
if (memory) {
  console.log('');
  console.log(
    textTable(
      ['memory (1 fit, fresh process)', 'input', 'peak RSS increase', 'factor', 'allocated (no gc)', 'retained by fit', 'target', ''],
      [
        [
          `fit ${big.name}`,
          mib(memory.inputBytes),
          mib(memory.peakRssDelta),
          `${memory.factor.toFixed(2)}x`,
          mib(memory.allocatedNoGc),
          mib(memory.retainedAfterGc),
          memory.target,
          memory.met ? 'met' : 'MISSED',
        ],
      ],
    ),
  );
}
const busyAtEnd = loadWarning(machineInfo());
if (busy || busyAtEnd) console.log(`\n${busyAtEnd ?? busy}`);
if (skipped.length > 0) {
  console.log('');
  for (const s of skipped) console.log(`skipped: ${s.name}: ${s.reason}`);
}

mkdirSync(path.dirname(outPath), { recursive: true });
writeFileSync(
  outPath,
  `${JSON.stringify({ machine, loadAverageAtEnd: machineInfo().loadAverage, formula: FORMULA, quick, targets: TARGETS, cases: results, memory, skipped }, null, 2)}\n`,
);
console.log(`\nwrote ${path.relative(process.cwd(), outPath)}`);
