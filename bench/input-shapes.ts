/**
 * The REML fit of `y ~ x + (1|unit) + (1|period)` from the input shapes users have, against the
 * simulator's arquero table: `npm run bench:shapes` (not run by CI).
 *
 * Shapes, each holding the same panel (string unit ids, integer periods):
 * - `simulator table`: `simulatePanel`'s arquero table (the baseline);
 * - `column object, string ids`: plain arrays with a separate string object per row, as a CSV
 *   parser that does not intern strings gives them;
 * - `arquero fromCSV table`: `aq.fromCSV` on the panel's CSV text (what `aq.loadCSV` gives);
 * - `parseTable table`: the library's reader (text columns carry dictionary keys);
 * - `Arrow table`: `aq.fromArrow` on the panel as Arrow IPC (dictionary-encoded ids);
 * - `CLI path: read CSV file + fit`: `readTable(path)` then `fit`, as `vardecomp fit file.csv`
 *   does (without the process start), and `read CSV file` alone.
 *
 * Each round times every shape once, in turn, so that load from other processes falls on all
 * shapes alike; the ratio to the simulator table is taken per round and its median reported.
 * Writes `bench/results/input-shapes.json`. Options: `--rounds=<n>` (default 60; 15 at 10,000x20).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromArrow, fromCSV, toArrowIPC } from 'arquero';
import { fit, parseTable } from '../src/index.js';
import { readTable } from '../src/node/index.js';
import { FORMULA, PANELS, loadWarning, machineInfo, makePanel, ms, summarise, textTable } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const roundsOption = process.argv.find((a) => a.startsWith('--rounds='))?.slice(9);
const dir = mkdtempSync(path.join(tmpdir(), 'vardecomp-bench-'));

interface Row {
  panel: string;
  shape: string;
  median: number;
  min: number;
  max: number;
  ratioMedian: number;
  ratioQ1: number;
  ratioQ3: number;
  rounds: number;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (h - lo);
};

const machine = machineInfo();
const rows: Row[] = [];
for (const size of [PANELS[0], PANELS[2]]) {
  const sim = makePanel(size);
  const csv = sim.toCSV();
  const file = path.join(dir, `${size.units}x${size.periods}.csv`);
  writeFileSync(file, csv);
  const fresh: Record<string, unknown[]> = {};
  for (const n of sim.columnNames()) {
    fresh[n] = Array.from(sim.array(n) as ArrayLike<unknown>, (v) => (typeof v === 'string' ? ` ${v}`.slice(1) : v));
  }
  const fromCsv = fromCSV(csv);
  const parsed = parseTable(csv).table;
  const arrow = fromArrow(toArrowIPC(sim));
  const shapes: Array<[string, () => unknown | Promise<unknown>]> = [
    ['simulator table', () => fit(sim, FORMULA)],
    ['column object, string ids', () => fit(fresh, FORMULA)],
    ['arquero fromCSV table', () => fit(fromCsv, FORMULA)],
    ['parseTable table', () => fit(parsed, FORMULA)],
    ['Arrow table', () => fit(arrow, FORMULA)],
    ['read CSV file (readTable)', () => readTable(file)],
    ['CLI path: read CSV file + fit', async () => fit((await readTable(file)).table, FORMULA)],
  ];
  const big = size.units * size.periods > 2000;
  const rounds = Number(roundsOption ?? (big ? 15 : 60));
  const times = shapes.map(() => [] as number[]);
  for (let r = -3; r < rounds; r++) {
    for (let s = 0; s < shapes.length; s++) {
      const t0 = performance.now();
      await shapes[s][1]();
      const dt = performance.now() - t0;
      if (r >= 0) times[s].push(dt);
    }
  }
  shapes.forEach(([shape], s) => {
    const sum = summarise(times[s]);
    const ratios = times[s].map((t, r) => t / times[0][r]);
    rows.push({
      panel: size.name,
      shape,
      median: sum.median,
      min: sum.min,
      max: sum.max,
      ratioMedian: quantile(ratios, 0.5),
      ratioQ1: quantile(ratios, 0.25),
      ratioQ3: quantile(ratios, 0.75),
      rounds,
    });
  });
}
rmSync(dir, { recursive: true, force: true });

const warning = loadWarning(machine);
console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAverage.join(' ')}`);
if (warning) console.log(warning);
console.log(
  textTable(
    ['panel / shape', 'median ms', 'min', 'max', 'x simulator (median [IQR])'],
    rows.map((r) => [
      `${r.panel} ${r.shape}`,
      ms(r.median),
      ms(r.min),
      ms(r.max),
      `${r.ratioMedian.toFixed(2)} [${r.ratioQ1.toFixed(2)}, ${r.ratioQ3.toFixed(2)}]`,
    ]),
  ),
);
mkdirSync(path.join(here, 'results'), { recursive: true });
writeFileSync(path.join(here, 'results', 'input-shapes.json'), `${JSON.stringify({ machine, formula: FORMULA, rows }, null, 2)}\n`);
