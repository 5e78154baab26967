/**
 * Shared pieces of the benchmarks: the synthetic panels, machine description, small statistics
 * and table printing. Benchmarks are run by hand (`npm run bench`, `npm run bench:lme4`), never
 * by CI.
 */
import os from 'node:os';
import { simulatePanel } from '../src/simulate/index.js';

/** The model every benchmark fits. */
export const FORMULA = 'y ~ x + (1|unit) + (1|period)';

/** A benchmark panel: `units` x `periods` rows. */
export interface PanelSize {
  readonly name: string;
  readonly units: number;
  readonly periods: number;
}

export const PANELS: readonly PanelSize[] = [
  { name: '150x8', units: 150, periods: 8 },
  { name: '1,000x20', units: 1_000, periods: 20 },
  { name: '10,000x20', units: 10_000, periods: 20 },
  { name: '50,000x20', units: 50_000, periods: 20 },
];

/**
 * The benchmark panel of a size: NAO-like shares, a covariate that varies both between and
 * within units (so X'Z is dense), seed 1. Columns `unit` (strings), `period` (integers), `x`, `y`.
 */
export function makePanel(size: PanelSize, seed = 1) {
  return simulatePanel({ units: size.units, periods: size.periods, seed, covariateWithin: 0.5 });
}

/** Where and when the numbers were taken. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
  readonly date: string;
  /** 1, 5 and 15 minute load averages when the run started (other work skews timings). */
  readonly loadAverage: readonly number[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** A warning when the machine is busy enough to skew timings, or null. */
export function loadWarning(m: MachineInfo): string | null {
  const load = m.loadAverage[0];
  return load > 0.5 * m.cores
    ? `warning: load average ${load} on ${m.cores} cores: other processes compete for the CPU and the timings are pessimistic`
    : null;
}

/** Median, min and max of a sample (milliseconds). */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
}

export function summarise(times: readonly number[]): Summary {
  const s = [...times].sort((a, b) => a - b);
  const k = s.length;
  const median = k % 2 === 1 ? s[(k - 1) / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
  return { median, min: s[0], max: s[k - 1], samples: k };
}

/** Time `fn` `reps` times after `warmup` calls; milliseconds per call. */
export function timeIt(fn: () => unknown, reps: number, warmup: number): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Milliseconds with three significant digits (at least 3 decimals below 1 ms). */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x < 1) return x.toFixed(3);
  if (x < 10) return x.toFixed(2);
  if (x < 100) return x.toFixed(1);
  return x.toFixed(0);
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** A plain-text table with right-aligned columns except the first. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A markdown table. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (r: readonly string[]) => `| ${r.join(' | ')} |`;
  return [line(header), line(header.map((_, c) => (c === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}
