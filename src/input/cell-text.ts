/**
 * How a cell's text is read: the missing-value markers R, Stata, SAS, Excel and pandas write,
 * and the number syntax. Shared by the text reader and the model frame.
 */

/**
 * The cell texts read as missing by default, in every input shape (after trimming spaces):
 * R's `NA`, `N/A`, `NaN`, `null`, Stata's and SAS's `.` and Excel's `#N/A`. Empty and blank
 * strings are always missing.
 *
 * @example
 * ```ts
 * DEFAULT_MISSING_MARKERS.includes('NA'); // true
 * ```
 */
export const DEFAULT_MISSING_MARKERS: readonly string[] = Object.freeze(['NA', 'N/A', 'NaN', 'null', '.', '#N/A']);

const MARKERS = new Set(DEFAULT_MISSING_MARKERS);

/**
 * True for a string that is empty, blank or one of {@link DEFAULT_MISSING_MARKERS}.
 *
 * @example
 * ```ts
 * ['', ' ', 'NA', ' . ', 'n/a', 'a'].map(isMissingText); // [true, true, true, true, false, false]
 * ```
 */
export function isMissingText(v: string): boolean {
  const c0 = v.length === 0 ? 0 : v.charCodeAt(0);
  // Fast path: a label starting with a letter other than N, or a digit, is present.
  if (c0 > 32 && c0 < 127 && c0 !== 78 /* N */ && c0 !== 110 /* n */ && c0 !== 46 /* . */ && c0 !== 35 /* # */) {
    return false;
  }
  const t = v.trim();
  return t === '' || MARKERS.has(t);
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)(?:inf|infinity)$/i;

/**
 * The number a trimmed cell text writes, or null: decimal numbers with an optional sign and
 * exponent (`12`, `-0.5`, `.5`, `1e-3`; with `decimalComma`, `0,5`), and R's `Inf` / `-Inf`
 * (also `Infinity`, any case). Not numbers: `0x10`, `1,234.5`, `47%`, `1 000`, blank text.
 *
 * @example
 * ```ts
 * parseNumberText('172.5'); // 172.5
 * parseNumberText('-Inf'); // -Infinity
 * parseNumberText('0,47', true); // 0.47
 * parseNumberText('0.47%'); // null
 * ```
 */
export function parseNumberText(t: string, decimalComma = false): number | null {
  const s = decimalComma ? (t.includes('.') ? '' : t.replace(',', '.')) : t;
  if (NUMBER.test(s)) return Number(s);
  const inf = INFINITY.exec(t);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  return null;
}

/** Value arrays whose missing cells a reader has decided (they hold null there). */
const decided = new WeakSet<object>();

/**
 * Record that a reader decided which cells of a value array are missing (by its `na` markers:
 * those cells hold null), so that the model frame does not read the array's remaining strings
 * as missing markers again: a level really called `NA` stays a level when the reader was told
 * `NA` is not a marker. The array is frozen so that the record can never go stale.
 *
 * @example
 * ```ts
 * const values = withMissingDecided(['NA', null, 'b']);
 * missingDecided(values); // true
 * ```
 */
export function withMissingDecided<T extends unknown[]>(values: T): Readonly<T> {
  Object.freeze(values);
  decided.add(values);
  return values;
}

/**
 * True for a value array made by a reader that decided its missing cells (see
 * {@link withMissingDecided}).
 *
 * @example
 * ```ts
 * missingDecided(['NA', 'b']); // false: an array of unknown origin
 * ```
 */
export function missingDecided(values: unknown): boolean {
  return typeof values === 'object' && values !== null && decided.has(values);
}
