/**
 * Small text helpers shared by the report classes: percentages, variances, intervals,
 * column alignment and markdown escaping. Browser-safe (no Node APIs).
 */

/**
 * A share as a percentage with a fixed number of decimals, e.g. `0.44 -> "44.0%"`.
 *
 * @example
 * ```ts
 * formatPercent(0.4401); // "44.0%"
 * formatPercent(0.4401, 2, false); // "44.01"
 * ```
 */
export function formatPercent(share: number, digits = 1, sign = true): string {
  if (!Number.isFinite(share)) return String(share);
  // Avoid "-0.0%" for tiny negative rounding noise.
  const text = (share * 100).toFixed(digits);
  const clean = /^-0\.?0*$/.test(text) ? text.slice(1) : text;
  return sign ? `${clean}%` : clean;
}

/**
 * Decimals that show the largest of `values` with about four significant digits (0 to 6).
 * Using one count for a whole column keeps the decimal points aligned.
 *
 * @example
 * ```ts
 * columnDecimals([823.4, 82.2, 254.9]); // 1
 * columnDecimals([0.0123, 0.004]); // 4
 * ```
 */
export function columnDecimals(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  if (finite.length === 0) return 0;
  const top = Math.max(...finite);
  return Math.min(6, Math.max(0, 3 - Math.floor(Math.log10(top))));
}

/**
 * A number with the given decimals, or in exponent form when it is very large or very small.
 *
 * @example
 * ```ts
 * formatNumber(823.41, 1); // "823.4"
 * formatNumber(1.5e9, 1); // "1.500e+9"
 * ```
 */
export function formatNumber(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e9 || a < 1e-6)) return x.toExponential(3);
  return x.toFixed(decimals);
}

/**
 * Lay rows of cells out as aligned columns (one space of gutter, a leading space as lme4
 * prints, and `gutter` spaces between columns). `align[c]` is `'left'` or `'right'`; trailing
 * spaces are trimmed.
 *
 * @example
 * ```ts
 * alignColumns([['Group', 'Share'], ['local', '44.0%']], ['left', 'right']);
 * // " Group  Share\n local  44.0%"
 * ```
 */
export function alignColumns(rows: readonly (readonly string[])[], align: readonly ('left' | 'right')[], gutter = 2): string {
  if (rows.length === 0) return '';
  const ncol = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: ncol }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const sep = ' '.repeat(gutter);
  return rows
    .map((r) => {
      const cells = widths.map((w, c) => {
        const cell = r[c] ?? '';
        return align[c] === 'right' ? cell.padStart(w) : cell.padEnd(w);
      });
      return ` ${cells.join(sep)}`.trimEnd();
    })
    .join('\n');
}

/**
 * A percentile interval as `[lower%, upper%]`, each end padded to `width` characters so that
 * intervals line up in a column.
 *
 * @example
 * ```ts
 * formatInterval(0.391, 0.487); // "[39.1%, 48.7%]"
 * formatInterval(0.041, 0.198, 1, 5); // "[ 4.1%, 19.8%]"
 * ```
 */
export function formatInterval(lower: number, upper: number, digits = 1, width = 0, sign = true): string {
  return `[${formatPercent(lower, digits, sign).padStart(width)}, ${formatPercent(upper, digits, sign).padStart(width)}]`;
}

/**
 * Escape text for a markdown table cell (pipes, backslashes, newlines).
 *
 * @example
 * ```ts
 * markdownCell('y ~ x + (1|la)'); // "y ~ x + (1\\|la)"
 * ```
 */
export function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * A markdown table from a header row, body rows and per-column alignment.
 *
 * @example
 * ```ts
 * markdownTable(['Component', 'Share'], [['local', '44.0%']], ['left', 'right']);
 * // "| Component | Share |\n|:--|--:|\n| local | 44.0% |"
 * ```
 */
export function markdownTable(
  header: readonly string[],
  body: readonly (readonly string[])[],
  align: readonly ('left' | 'right')[],
): string {
  // A delimiter row or body row with another number of cells than the header is not a table.
  for (const cells of [align, ...body]) {
    if (cells.length !== header.length) {
      throw new RangeError(`markdownTable: ${cells.length} cells for ${header.length} columns`);
    }
  }
  const line = (cells: readonly string[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;
  const rule = `|${align.map((a) => (a === 'right' ? '--:' : ':--')).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

/**
 * `"894 observations (6 dropped)"`-style count text.
 *
 * @example
 * ```ts
 * observationsText(894, 6); // "894 observations (6 rows dropped for missing values)"
 * ```
 */
export function observationsText(nobs: number, nDropped: number): string {
  const base = `${nobs.toLocaleString('en-GB')} observations`;
  if (nDropped <= 0) return base;
  return `${base} (${nDropped.toLocaleString('en-GB')} ${nDropped === 1 ? 'row' : 'rows'} dropped for missing values)`;
}

/**
 * Percentage for an interval level, e.g. `0.95 -> "95%"`, `0.9 -> "90%"`, `0.975 -> "97.5%"`.
 *
 * @example
 * ```ts
 * levelText(0.95); // "95%"
 * ```
 */
export function levelText(level: number): string {
  return `${Number((level * 100).toFixed(2))}%`;
}
