/**
 * Text helpers of the printed model summaries (`LmmFit.summary`, `GlmmFit.summary`).
 */
import type { Diagnostic } from '../diagnostics.js';

/**
 * A number with `digits` significant digits, in exponent form below 1e-3 or from 1e6 on.
 *
 * @example
 * ```ts
 * fmt(0.000123); // '1.230e-4'
 * fmt(12.3456); // '12.35'
 * ```
 */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(digits - 1);
  return x.toPrecision(digits);
}

/**
 * Rows of cells as aligned text columns (right-aligned where `alignRight` says so).
 *
 * @example
 * ```ts
 * summaryTable([['', 'Estimate'], ['x', '1.5']], [false, true]);
 * ```
 */
export function summaryTable(rows: string[][], alignRight: boolean[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (alignRight[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' ').trimEnd())
    .join('\n');
}

/**
 * An object keyed by `keys` with the matching `values`.
 *
 * @example
 * ```ts
 * record(['a', 'b'], [1, 2]); // { a: 1, b: 2 }
 * ```
 */
export const record = (keys: readonly string[], values: ArrayLike<number>): Record<string, number> =>
  Object.fromEntries(keys.map((k, i) => [k, values[i]]));

/**
 * The summary's `Number of obs` line: each grouping factor once (a factor repeats for
 * `(x || g)`) with its level count, and the rows dropped for missing values.
 *
 * @example
 * ```ts
 * groupsLine(180, ['Subject', 'Subject'], { Subject: 18 }, 0); // 'Number of obs: 180, groups:  Subject, 18'
 * ```
 */
export function groupsLine(nobs: number, groups: readonly string[], ngroups: Readonly<Record<string, number>>, nDropped: number): string {
  return (
    `Number of obs: ${nobs}, groups:  ${[...new Set(groups)].map((g) => `${g}, ${ngroups[g]}`).join('; ')}` +
    (nDropped > 0 ? ` (${nDropped} rows dropped for missing values)` : '')
  );
}

/**
 * The summary's closing lines: a blank line, then each warning diagnostic as `CODE: message`
 * (nothing without warnings).
 *
 * @example
 * ```ts
 * warningLines([diagnostic('SINGULAR', 'warning', 'Singular fit')]); // ['', 'SINGULAR: Singular fit']
 * ```
 */
export function warningLines(diagnostics: readonly Diagnostic[]): string[] {
  const warn = diagnostics.filter((d) => d.level === 'warning');
  return warn.length > 0 ? ['', ...warn.map((d) => `${d.code}: ${d.message}`)] : [];
}
