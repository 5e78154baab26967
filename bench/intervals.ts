/**
 * Interval timings (`npm run bench:intervals`, not run by CI): on 150 x 8 panels of
 * `y ~ x + (1|unit) + (1|period)` (20 panels from the simulator, balanced and with 15% missing),
 * the time for an interval for every share:
 *
 * - `profile`: the components method's default profile-likelihood intervals (all four shares);
 * - `percentile 1000`: the parametric percentile bootstrap with 1,000 refits, for comparison;
 * - `unit bootstrap 1000`: sequential and Shapley with 1,000 unit resamples and the unit jackknife (their default intervals).
 *
 * Each panel is fitted once; the decomposition with intervals is timed (the point estimate alone
 * costs microseconds). Prints medians with the spread and writes bench/results/intervals.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { decompose, fit, simulatePanel } from '../src/index.js';
import { compareFit } from '../src/decompose/decompose-fit.js';

const FORMULA = 'y ~ x + (1|unit) + (1|period)';
const panels = Number(process.argv[2] ?? 20);
const quantile = (v: number[], p: number) => {
  const s = [...v].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]) - s[lo]);
};
const fits = Array.from({ length: panels }, (_, i) => fit(simulatePanel({ units: 150, periods: 8, seed: 100 + i, missing: i % 2 ? 0.15 : 0 }), FORMULA));
const cases: Record<string, (m: ReturnType<typeof fit>, seed: number) => unknown> = {
  profile: (m) => decompose(m, { intervals: true }),
  'percentile 1000': (m, seed) => decompose(m, { intervals: { method: 'percentile', n: 1000, seed } }),
  // The default intervals of sequential and Shapley: 1,000 unit resamples plus the unit jackknife (150 deletions).
  'unit bootstrap 1000 (sequential + Shapley)': (m, seed) => compareFit(m, { intervals: { n: 1000, seed } }, ['sequential', 'shapley']),
};
// Warm-up (JIT) on one panel.
for (const f of Object.values(cases)) f(fits[0], 1);
const load = os.loadavg();
const results = Object.entries(cases).map(([name, f]) => {
  const times = fits.map((m, i) => {
    const t0 = performance.now();
    f(m, i + 1);
    return performance.now() - t0;
  });
  return { name, panels, median: quantile(times, 0.5), q25: quantile(times, 0.25), q75: quantile(times, 0.75), min: Math.min(...times), max: Math.max(...times) };
});
const loadAfter = os.loadavg();
for (const r of results) {
  console.log(`${r.name.padEnd(44)} median ${r.median.toFixed(1)} ms  IQR ${r.q25.toFixed(1)}-${r.q75.toFixed(1)}  range ${r.min.toFixed(1)}-${r.max.toFixed(1)}  (${r.panels} panels)`);
}
console.log(`load average before ${load.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}; ${os.cpus().length} cores`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/intervals.json',
  JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, loadBefore: load, loadAfter, results }, null, 2) + '\n',
);
