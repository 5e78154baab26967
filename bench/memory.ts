/**
 * Peak memory of one end-to-end `fit` on a large panel, measured in a fresh process so that
 * nothing else is on the heap. Run by `bench/run.ts` as
 * `node --expose-gc --import tsx bench/memory.ts <units> <periods>`; prints one JSON object.
 *
 * - `inputBytes`: heap + array-buffer bytes the input table holds (measured: gc before and after
 *   building it), and `nominalInputBytes` = rows x 4 columns x 8 bytes.
 * - `peakRssDelta`: the process's peak resident set during the fit (Linux `VmHWM`, reset just
 *   before the fit through `/proc/self/clear_refs`) minus the resident set before it. Elsewhere
 *   it falls back to `process.resourceUsage().maxRSS`, which is only an upper bound's lower
 *   bound when building the input peaked higher (`peakSource` says which).
 * - `allocatedNoGc`: heap + array-buffer growth from just before to just after the fit, with no
 *   collection in between (a lower bound on what the fit allocated).
 * - `retainedAfterGc`: what the returned fit object keeps alive.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fit } from '../src/fit.js';
import { FORMULA, makePanel } from './common.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('bench/memory.ts needs --expose-gc');
  process.exit(2);
}
const collect = () => {
  for (let i = 0; i < 3; i++) gc();
};
const units = Number(process.argv[2] ?? 50_000);
const periods = Number(process.argv[3] ?? 20);
const live = () => {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external, data: m.heapUsed + m.arrayBuffers };
};

/** Peak RSS in bytes since the last reset, and whether the reset worked. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
function readPeak(resetOk: boolean): { bytes: number; source: string } {
  if (resetOk) {
    try {
      const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
      if (m) return { bytes: Number(m[1]) * 1024, source: 'VmHWM (reset before the fit)' };
    } catch {
      /* fall through */
    }
  }
  return { bytes: process.resourceUsage().maxRSS * 1024, source: 'maxRSS (process lifetime)' };
}

// Warm the code paths on a small panel so that compiled code is not counted.
for (let i = 0; i < 20; i++) fit(makePanel({ name: 'warm', units: 150, periods: 8 }), FORMULA);
collect();
const m0 = live();
const table = makePanel({ name: 'big', units, periods });
collect();
const m1 = live();
const rows = table.numRows();
const inputBytes = m1.data - m0.data;

collect();
const before = live();
const resetOk = resetPeak();
const t0 = performance.now();
const model = fit(table, FORMULA);
const elapsed = performance.now() - t0;
const peak = readPeak(resetOk);
const after = live();
collect();
const retained = live();
const result = {
  rows,
  units,
  periods,
  inputBytes,
  nominalInputBytes: rows * 4 * 8,
  rssBefore: before.rss,
  peakRss: peak.bytes,
  peakRssDelta: peak.bytes - before.rss,
  peakSource: peak.source,
  allocatedNoGc: after.data - before.data,
  retainedAfterGc: retained.data - before.data,
  fitMs: elapsed,
  remlCriterion: model.remlCriterion,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
