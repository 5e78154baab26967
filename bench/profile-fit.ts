/**
 * A profiling workload: repeated end-to-end fits on one panel size. Line numbers survive only in
 * a bundle (tsx maps every function to line 1), so profile it as:
 *
 * ```sh
 * npx esbuild bench/profile-fit.ts --bundle --platform=node --format=esm --outfile=/tmp/vd-prof/fit.mjs
 * node --cpu-prof --cpu-prof-interval 200 --cpu-prof-dir=/tmp/vd-prof /tmp/vd-prof/fit.mjs 10000 20 100
 * node bench/profile-summary.mjs /tmp/vd-prof /tmp/vd-prof/fit.mjs
 * ```
 *
 * Arguments: units, periods, fits (default 10000 20 100). `--columns` fits from a column object
 * of the table's own arrays instead of the arquero table.
 */
import { fit } from '../src/fit.js';
import { FORMULA, makePanel } from './common.js';

const [units = 10_000, periods = 20, reps = 100] = process.argv.slice(2).filter((a) => !a.startsWith('--')).map(Number);
const table = makePanel({ name: 'profile', units, periods });
const data = process.argv.includes('--columns')
  ? Object.fromEntries(table.columnNames().map((c) => [c, table.array(c) as ArrayLike<unknown>]))
  : table;
for (let i = 0; i < Math.min(10, reps); i++) fit(data, FORMULA);
const t0 = performance.now();
for (let i = 0; i < reps; i++) fit(data, FORMULA);
console.error(`${units}x${periods}: ${((performance.now() - t0) / reps).toFixed(3)} ms per fit over ${reps} fits`);
