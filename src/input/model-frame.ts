/**
 * The model frame: the columns a model uses, restricted to complete rows, with factors encoded.
 *
 * Rows with a missing value (null, undefined, NaN, +-Infinity, an empty or blank string or a
 * missing marker such as `NA`) in any column the model uses are dropped and counted per column;
 * nothing else is dropped. The caller's data is only read.
 */
import { VardecompError } from '../errors.js';
import { isMissingText, missingDecided, parseNumberText } from './cell-text.js';
import type { ColumnValues, DataSource } from './data-source.js';
import type { DictionaryCodes } from './dictionary-codes.js';

/** A numeric covariate. */
export interface NumericVariable {
  readonly kind: 'numeric';
  readonly name: string;
  readonly values: Float64Array;
}

/** A categorical covariate or grouping factor: integer codes into sorted levels. */
export interface CategoricalVariable {
  readonly kind: 'categorical';
  readonly name: string;
  readonly codes: Int32Array;
  readonly levels: readonly string[];
}

/** A covariate column after encoding. */
export type FrameVariable = NumericVariable | CategoricalVariable;

/** A grouping factor of a random term; `name` is lme4's group name (`la`, `la:region`). */
export interface GroupingFactor {
  readonly name: string;
  readonly variables: readonly string[];
  readonly codes: Int32Array;
  readonly levels: readonly string[];
}

/**
 * A variable computed from columns (a formula function such as `log(x)` or
 * `within(cilif, la_code)`): the frame reads its columns (so their missing values drop rows like
 * any other column's), then evaluates it over the rows kept.
 *
 * @example
 * ```ts
 * const logx: DerivedColumn = {
 *   label: 'log(x)',
 *   columns: ['x'],
 *   evaluate: (read, rows, numeric) => numeric('x').map(Math.log),
 * };
 * ```
 */
export interface DerivedColumn {
  /** The variable's name in the frame (`log(x)`). */
  readonly label: string;
  /** Data columns it reads. */
  readonly columns: readonly string[];
  /**
   * One value per kept row (`rows` are input row indices); throws a `VardecompError` naming the
   * term for a bad value. `numeric(column)` gives a column's values over the kept rows read as a
   * numeric covariate is read (numbers written as text only with `types`).
   */
  evaluate(read: (column: string) => ColumnValues, rows: Int32Array, numeric: (column: string) => Float64Array): Float64Array;
}

/** What the model needs from the data. */
export interface FrameRequest {
  readonly outcome: string;
  /** Distinct covariate columns used by the fixed part. */
  readonly covariates: readonly string[];
  /** Random terms: lme4 group name and the columns whose combinations form the groups. */
  readonly groups: ReadonlyArray<{ readonly name: string; readonly variables: readonly string[] }>;
  /** Precision weights: a column name or an array with one weight per input row. */
  readonly weights?: string | ArrayLike<number> | null;
  /** Variables computed by formula functions, stored in `variables` under their labels. */
  readonly derived?: readonly DerivedColumn[];
  /**
   * Offsets, summed into `frame.offset`: formula `offset(...)` terms, a column name, or an array
   * with one value per input row (rows where a column or array value is missing are dropped).
   */
  readonly offsets?: ReadonlyArray<DerivedColumn | string | ArrayLike<number>>;
  /** Stated readings of columns (see {@link ColumnReading}); the others are read by their values. */
  readonly types?: Readonly<Record<string, ColumnReading>>;
  /** Stated level order of categorical covariates (the first is the reference level). */
  readonly levels?: Readonly<Record<string, readonly string[]>>;
}

/**
 * How a column is read: `numeric` (numbers, and numbers written as text such as `"1.5"`) or
 * `categorical` (each distinct value a level, numbers included).
 *
 * @example
 * ```ts
 * fit(rows, 'y ~ year + (1|la)', { types: { year: 'categorical' } });
 * ```
 */
export type ColumnReading = 'numeric' | 'categorical';

/** The encoded complete-case data. */
export interface ModelFrame {
  /** Rows in the input. */
  readonly nrowsInput: number;
  /** Indices (into the input) of the rows used, ascending. */
  readonly rows: Int32Array;
  readonly nobs: number;
  readonly nDropped: number;
  /** Rows with a missing value, by column (a row missing in two columns counts in both). */
  readonly missingByColumn: ReadonlyArray<{ column: string; count: number }>;
  readonly outcome: string;
  readonly y: Float64Array;
  readonly weights: Float64Array | null;
  /**
   * The offset over the model rows (the sum of the formula's `offset(...)` terms and the
   * `offset` option), or null. It is a known part of the linear predictor: a Gaussian fit works
   * on `y - offset` and adds it back to the fitted values, as lme4 does.
   */
  readonly offset: Float64Array | null;
  readonly variables: ReadonlyMap<string, FrameVariable>;
  readonly factors: readonly GroupingFactor[];
}

/**
 * Largest magnitude accepted in the outcome, a numeric covariate or a weight (and the smallest
 * weight is its inverse): beyond it the weighted sums of squares of the one pass over the data
 * could overflow or underflow double precision.
 *
 * @example
 * ```ts
 * if (Math.abs(value) > MAX_MAGNITUDE) console.warn('rescale this column before fitting');
 * ```
 */
export const MAX_MAGNITUDE = 1e64;

/**
 * Largest ratio of the largest to the smallest weight.
 *
 * @example
 * ```ts
 * const ok = Math.max(...w) / Math.min(...w) <= MAX_WEIGHT_RATIO;
 * ```
 */
export const MAX_WEIGHT_RATIO = 1e12;

/**
 * True for the values the library treats as missing: null, undefined, NaN, +-Infinity, empty
 * (or blank) strings and the missing markers `NA`, `N/A`, `NaN`, `null`, `.`, `#N/A`
 * ({@link DEFAULT_MISSING_MARKERS}).
 *
 * @example
 * ```ts
 * [null, NaN, '', ' ', 'NA', 0, 'a'].map(isMissing); // [true, true, true, true, true, false, false]
 * ```
 */
export function isMissing(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'number') return !Number.isFinite(v);
  if (typeof v === 'string') return isMissingText(v);
  return false;
}

/**
 * The missing-value test for the values of one column: {@link isMissing}, except for a column
 * whose missing cells its reader decided (`parseTable` / `readTable` with their `na` markers):
 * there only null, undefined, NaN, +-Infinity and blank strings are missing, so a level called
 * `NA` stays a level when the reader was told `NA` is not a missing marker.
 *
 * @example
 * ```ts
 * const { table } = parseTable('g,y\nNA,1\nb,2\n', { na: [] });
 * const test = missingTest(table.column('g'));
 * test('NA'); // false: the reader kept it as text
 * ```
 */
export function missingTest(col: unknown): (v: unknown) => boolean {
  return missingDecided(col) ? isAbsent : isMissing;
}

function isAbsent(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'number') return !Number.isFinite(v);
  return typeof v === 'string' && v.trim() === '';
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'object') return Object.prototype.toString.call(v);
  return String(v);
}

/**
 * Throw `E_NONNUMERIC` unless `v` can be a level of the grouping column `column` (a string, a
 * number or a boolean), naming the row and the value; `what` names the column's role.
 *
 * @example
 * ```ts
 * checkLevelValue('la_code', 3, 'E09000001'); // fine
 * checkLevelValue('la_code', 4, {}); // throws E_NONNUMERIC naming row 4
 * ```
 */
export function checkLevelValue(column: string, row: number, v: unknown, what = 'Grouping column'): void {
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    throw new VardecompError(
      'E_NONNUMERIC',
      `${what} "${column}" row ${row} holds ${describe(v)}: levels must be strings, numbers or booleans`,
      { column, row },
    );
  }
}

function tooLarge(what: string, column: string, row: number, v: number): VardecompError {
  return new VardecompError(
    'E_NONNUMERIC',
    `${what} row ${row} holds ${v}, beyond the supported magnitude ${MAX_MAGNITUDE}: rescale the column`,
    { column, row },
  );
}

/**
 * R's order of text in an English or UTF-8 locale (ICU collation: case is a tie-breaker, so
 * `apple` < `Banana` < `banana`), as `sort()` and `factor()` in R.
 */
const collator = new Intl.Collator('en-US');

/**
 * Level order: numbers numerically, then everything else by its text as R sorts it (R's
 * `factor()` in an English / UTF-8 locale; code points break the rare collation ties). A total
 * order even when a column mixes numbers and text, so the levels do not depend on the row order.
 */
function compareLevels(a: unknown, b: unknown): number {
  const na = typeof a === 'number';
  const nb = typeof b === 'number';
  if (na && nb) return (a as number) - (b as number);
  if (na !== nb) return na ? -1 : 1;
  const sa = String(a);
  const sb = String(b);
  return collator.compare(sa, sb) || (sa < sb ? -1 : sa > sb ? 1 : 0);
}

const UPPER_ALNUM = /^[0-9A-Z]*$/;
const LOWER_ALNUM = /^[0-9a-z]*$/;

/**
 * True when every value is a string of digits and letters of one case (`E06000001`, `U001`,
 * `school42`): the collation then orders as code points do (digits before letters, letters
 * alphabetically, a prefix first), and the much cheaper code-point comparison gives R's order.
 */
function codePointOrderIsR(raw: readonly unknown[]): boolean {
  let upper = true;
  let lower = true;
  for (const v of raw) {
    if (typeof v !== 'string') return false;
    if (upper && !UPPER_ALNUM.test(v)) upper = false;
    if (lower && !LOWER_ALNUM.test(v)) lower = false;
    if (!upper && !lower) return false;
  }
  return true;
}

function compareCodePoints(a: unknown, b: unknown): number {
  return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
}

function levelLabel(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

/** Encode the used rows of a column as codes into its sorted distinct values. */
function encode(
  col: ColumnValues,
  rows: Int32Array,
  checkNew?: (v: unknown, row: number) => void,
  dict?: DictionaryCodes | null,
): { codes: Int32Array; levels: string[] } {
  const raw: unknown[] = [];
  const codes = dict ? codesFromDictionary(dict, rows, raw, checkNew) : codesByValue(col, rows, raw, checkNew);
  return sortLevels(raw, codes);
}

/**
 * Codes in order of first appearance from a dictionary encoding: one array read per row, each
 * distinct value met once (no hashing).
 */
function codesFromDictionary(dict: DictionaryCodes, rows: Int32Array, raw: unknown[], checkNew?: (v: unknown, row: number) => void): Int32Array {
  const { keys, dictionary } = dict;
  const size = dictionary.length;
  const first = new Int32Array(size).fill(-1);
  const codes = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const key = keys[rows[i]];
    if (!(key >= 0 && key < size)) throw new Error(`internal: dictionary key ${key} of row ${rows[i]} is outside the dictionary`);
    let c = first[key];
    if (c < 0) {
      const v = dictionary[key];
      if (checkNew) checkNew(v, rows[i]);
      c = raw.length;
      first[key] = c;
      raw.push(v);
    }
    codes[i] = c;
  }
  return codes;
}

/** Codes in order of first appearance, by looking each value up. */
function codesByValue(col: ColumnValues, rows: Int32Array, raw: unknown[], checkNew?: (v: unknown, row: number) => void): Int32Array {
  const index = new Map<unknown, number>();
  const codes = new Int32Array(rows.length);
  // Sorted or grouped data repeats a value over consecutive rows: skip the lookup then.
  let prev: unknown = undefined;
  let prevCode = -1;
  for (let i = 0; i < rows.length; i++) {
    const v = col[rows[i]];
    if (v === prev && prevCode >= 0) {
      codes[i] = prevCode;
      continue;
    }
    let c = index.get(v);
    if (c === undefined) {
      // Each distinct value is checked once, at its first row.
      if (checkNew) checkNew(v, rows[i]);
      c = raw.length;
      index.set(v, c);
      raw.push(v);
    }
    codes[i] = c;
    prev = v;
    prevCode = c;
  }
  return codes;
}

/**
 * The distinct labels of `values` in level order (as a categorical column's levels: R's
 * `factor()` order; values that print alike are one level).
 *
 * @example
 * ```ts
 * levelOrder(['Y', 'N', 'Y']); // ['N', 'Y']
 * levelOrder([10, 9, 'a']); // ['9', '10', 'a']
 * ```
 */
export function levelOrder(values: readonly unknown[]): string[] {
  const raw = [...new Set(values)];
  return sortLevels(raw, Int32Array.from(raw.keys())).levels;
}

/** Renumber codes (in order of first appearance of `raw`) to sorted, merged levels. */
function sortLevels(raw: unknown[], codes: Int32Array): { codes: Int32Array; levels: string[] } {
  const compare = codePointOrderIsR(raw) ? compareCodePoints : compareLevels;
  const order = raw.map((_, i) => i).sort((i, j) => compare(raw[i], raw[j]));
  const remap = new Int32Array(raw.length);
  order.forEach((old, pos) => (remap[old] = pos));
  for (let i = 0; i < codes.length; i++) codes[i] = remap[codes[i]];
  // Distinct raw values can print alike (1 and "1"): merge them so a level is one label.
  const labels = order.map((i) => levelLabel(raw[i]));
  const uniq = new Map<string, number>();
  const merge = new Int32Array(labels.length);
  const levels: string[] = [];
  labels.forEach((l, i) => {
    let k = uniq.get(l);
    if (k === undefined) {
      k = levels.length;
      uniq.set(l, k);
      levels.push(l);
    }
    merge[i] = k;
  });
  if (levels.length !== labels.length) for (let i = 0; i < codes.length; i++) codes[i] = merge[codes[i]];
  return { codes, levels };
}

/** Combine single-column factors into an interaction factor (observed combinations only). */
function interact(parts: Array<{ codes: Int32Array; levels: readonly string[] }>, n: number) {
  const key = new Map<string, number>();
  const combos: number[][] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cs = parts.map((p) => p.codes[i]);
    const k = cs.join(',');
    let c = key.get(k);
    if (c === undefined) {
      c = combos.length;
      key.set(k, c);
      combos.push(cs);
    }
    codes[i] = c;
  }
  // Order as R's interaction(): the first variable varies fastest.
  const order = combos
    .map((_, i) => i)
    .sort((a, b) => {
      for (let j = parts.length - 1; j >= 0; j--) {
        const d = combos[a][j] - combos[b][j];
        if (d !== 0) return d;
      }
      return 0;
    });
  const remap = new Int32Array(combos.length);
  order.forEach((old, pos) => (remap[old] = pos));
  for (let i = 0; i < n; i++) codes[i] = remap[codes[i]];
  const levels = order.map((c) => combos[c].map((code, j) => parts[j].levels[code]).join(':'));
  return { codes, levels };
}

/**
 * Clear `keep` at the rows where `col` is missing (as {@link isMissing}; numbers in the weights
 * column are never missing, bad weights are reported later) and return how many there are.
 * Tight loops for typed arrays.
 */
function markMissing(col: ColumnValues, keep: Uint8Array, isWeights: boolean): number {
  const n = keep.length;
  let count = 0;
  if (col instanceof Float64Array || col instanceof Float32Array) {
    if (isWeights) return 0;
    for (let i = 0; i < n; i++) {
      const v = col[i];
      if (v - v !== 0) {
        count++;
        keep[i] = 0;
      }
    }
    return count;
  }
  if (ArrayBuffer.isView(col)) return 0; // integer typed arrays: always present
  // Strings are missing markers unless the column's reader decided its missing cells already.
  const markers = !missingDecided(col);
  for (let i = 0; i < n; i++) {
    const v = col[i];
    let miss: boolean;
    if (typeof v === 'number') miss = !isWeights && v - v !== 0;
    else if (typeof v === 'string') miss = markers ? isMissingText(v) : v.trim() === '';
    else miss = v === null || v === undefined;
    if (miss) {
      count++;
      keep[i] = 0;
    }
  }
  return count;
}

/**
 * The used rows of a numeric column as numbers. Numbers written as text (`"1.5"`) are read only
 * when the column is stated numeric; otherwise text is an error naming the first text cell, and
 * whether the column's other text cells are numbers.
 *
 * @example
 * ```ts
 * numericColumn(['1.5', 'NA', '2'], Int32Array.of(0, 2), 'Outcome "y"', 'y', true); // Float64Array [1.5, 2]
 * ```
 */
export function numericColumn(col: ColumnValues, rows: Int32Array, what: string, column: string, statedNumeric: boolean): Float64Array {
  const out = new Float64Array(rows.length);
  if (col instanceof Float64Array || col instanceof Float32Array || col instanceof Int32Array) {
    for (let k = 0; k < rows.length; k++) {
      const v = col[rows[k]];
      if (Math.abs(v) > MAX_MAGNITUDE) throw tooLarge(what, column, rows[k], v);
      out[k] = v;
    }
    return out;
  }
  for (let k = 0; k < rows.length; k++) {
    const v = col[rows[k]];
    let x: number | null = typeof v === 'number' ? v : null;
    if (typeof v === 'string' && statedNumeric) x = parseNumberText(v.trim());
    if (x === null) {
      if (typeof v === 'string' && !statedNumeric) {
        // Name the first cell that is really text, not the first string (which may write a number).
        const census = textCensus(col, rows);
        const other = census.others[0];
        if (other === undefined) {
          throw new VardecompError(
            'E_NONNUMERIC',
            `${what} holds numbers written as text (row ${rows[k]}: ${describe(v)}): read them as numbers with the option types: { ${JSON.stringify(column)}: 'numeric' }`,
            { column, row: rows[k], value: v },
          );
        }
        throw new VardecompError(
          'E_NONNUMERIC',
          `${what} row ${other.row} holds ${describe(other.value)}, not a number` +
            (census.numbers > 0 ? ` (${census.numbers} of its values are numbers written as text)` : ''),
          { column, row: other.row, value: other.value },
        );
      }
      throw new VardecompError('E_NONNUMERIC', `${what} row ${rows[k]} holds ${describe(v)}, not a number`, {
        column,
        row: rows[k],
        ...(typeof v === 'string' ? { value: v } : {}),
      });
    }
    if (Math.abs(x) > MAX_MAGNITUDE) throw tooLarge(what, column, rows[k], x);
    out[k] = x;
  }
  return out;
}

/** Among the strings of the used rows: how many are present, how many write numbers, and the first distinct others. */
function textCensus(col: ColumnValues, rows: Int32Array): { present: number; numbers: number; others: Array<{ value: string; row: number }> } {
  let present = 0;
  let numbers = 0;
  const others: Array<{ value: string; row: number }> = [];
  const seen = new Set<string>();
  for (let k = 0; k < rows.length; k++) {
    const v = col[rows[k]];
    if (typeof v !== 'string' && typeof v !== 'boolean') continue;
    present++;
    if (typeof v === 'string' && parseNumberText(v.trim()) !== null) numbers++;
    else if (others.length < 5 && !seen.has(String(v))) {
      seen.add(String(v));
      others.push({ value: String(v), row: rows[k] });
    }
  }
  return { present, numbers, others };
}

/**
 * A text covariate most of whose values are numbers written as text (a numeric column with a
 * stray token, read as text) is not made a factor silently: throw, naming the other values and
 * the options that state either reading.
 */
function refuseNumbersAsText(col: ColumnValues, rows: Int32Array, name: string): void {
  const c0 = rows.length > 0 ? col[rows[0]] : undefined;
  // Cheap exit for the common case: a first label that is not a number.
  if (typeof c0 === 'string' && parseNumberText(c0.trim()) === null && rows.length > 1) {
    const c1 = col[rows[rows.length - 1]];
    if (typeof c1 === 'string' && parseNumberText(c1.trim()) === null) return;
  }
  const census = textCensus(col, rows);
  if (census.numbers === 0 || 2 * census.numbers < census.present) return;
  const key = JSON.stringify(name);
  const others = census.others.map((o) => `${describe(o.value)} (row ${o.row})`).join(', ');
  throw new VardecompError(
    'E_NONNUMERIC',
    `Column "${name}" is text, but ${census.numbers} of its ${census.present} values are numbers written as text` +
      (others === '' ? '' : `; the others are ${others}${census.present - census.numbers > census.others.length ? ', ...' : ''}`) +
      `. State how to read it: types: { ${key}: 'numeric' } for numbers, or types: { ${key}: 'categorical' } for levels`,
    { column: name, ...(census.others[0] ? { row: census.others[0].row, value: census.others[0].value } : {}) },
  );
}

/** Encode a categorical covariate with stated levels (the first is the reference). */
function encodeWithLevels(col: ColumnValues, rows: Int32Array, name: string, levels: readonly string[]): { codes: Int32Array; levels: string[] } {
  const index = new Map<string, number>();
  levels.forEach((l, i) => {
    if (typeof l !== 'string' || index.has(l)) {
      throw new VardecompError('E_OPTION', `Option "levels" of "${name}" must list distinct strings (got ${describe(l)} twice or not a string)`, {
        option: 'levels',
        column: name,
      });
    }
    index.set(l, i);
  });
  const codes = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const v = col[rows[k]];
    const c = index.get(levelLabel(v));
    if (c === undefined) {
      throw new VardecompError(
        'E_INPUT',
        `Column "${name}" row ${rows[k]} holds ${describe(v)}, which is not among the stated levels (${levels.map((l) => JSON.stringify(l)).join(', ')})`,
        { column: name, row: rows[k] },
      );
    }
    codes[k] = c;
  }
  return { codes, levels: levels.slice() };
}

function numericKindOf(col: ColumnValues, name: string, nrows: number): 'numeric' | 'categorical' | 'empty' {
  if (col instanceof Float64Array || col instanceof Float32Array || col instanceof Int32Array) return 'numeric';
  let sawNumber = -1;
  let sawLabel = -1;
  const missing = missingTest(col);
  for (let i = 0; i < nrows; i++) {
    const v = col[i];
    if (missing(v)) continue;
    if (typeof v === 'number') sawNumber = i;
    else if (typeof v === 'string' || typeof v === 'boolean') sawLabel = i;
    else {
      throw new VardecompError(
        'E_NONNUMERIC',
        `Column "${name}" row ${i} holds ${describe(v)}: covariates must be numbers, strings or booleans`,
        { column: name, row: i },
      );
    }
    if (sawNumber >= 0 && sawLabel >= 0) {
      throw new VardecompError(
        'E_NONNUMERIC',
        `Column "${name}" mixes numbers (row ${sawNumber}: ${describe(col[sawNumber])}) and text (row ${sawLabel}: ${describe(col[sawLabel])})`,
        { column: name, row: Math.max(sawNumber, sawLabel) },
      );
    }
  }
  return sawNumber >= 0 ? 'numeric' : sawLabel >= 0 ? 'categorical' : 'empty';
}

/**
 * Build the model frame for a request.
 *
 * @example
 * ```ts
 * const frame = buildModelFrame(toDataSource(rows), {
 *   outcome: 'y', covariates: ['x'], groups: [{ name: 'la', variables: ['la'] }],
 * });
 * frame.nobs; frame.nDropped;
 * ```
 */
export function buildModelFrame(source: DataSource, req: FrameRequest): ModelFrame {
  const n = source.nrows;
  if (n === 0) throw new VardecompError('E_EMPTY', 'The data has no rows');
  const used = new Set<string>([req.outcome, ...req.covariates]);
  for (const g of req.groups) for (const v of g.variables) used.add(v);
  const cols = new Map<string, ColumnValues>();
  for (const name of used) cols.set(name, source.column(name));
  // Columns read by formula functions and offsets: a missing column names its term.
  const derivedReqs = [...(req.derived ?? []), ...(req.offsets ?? []).filter((o): o is DerivedColumn => isDerived(o))];
  for (const d of derivedReqs) {
    for (const name of d.columns) {
      if (cols.has(name)) continue;
      cols.set(name, readForTerm(source, name, d.label));
    }
  }
  const offsetCols: Array<[string, ColumnValues]> = [];
  for (const o of req.offsets ?? []) {
    if (isDerived(o)) continue;
    if (typeof o === 'string') {
      if (!cols.has(o)) cols.set(o, readForTerm(source, o, 'offset'));
      continue;
    }
    if (o.length !== n) {
      throw new VardecompError('E_OPTION', `offset has ${o.length} values but the data has ${n} rows`, { option: 'offset' });
    }
    offsetCols.push(['offset', o as ColumnValues]);
  }

  // Weights: a column (part of the model) or an array aligned with the input rows.
  let wcol: ColumnValues | null = null;
  let wname = 'weights';
  if (req.weights !== undefined && req.weights !== null) {
    if (typeof req.weights === 'string') {
      wname = req.weights;
      wcol = source.column(req.weights);
    } else if (typeof (req.weights as ArrayLike<number>).length === 'number') {
      wcol = req.weights as ArrayLike<number>;
      if (wcol.length !== n) {
        throw new VardecompError('E_WEIGHTS', `weights has ${wcol.length} values but the data has ${n} rows`);
      }
    } else {
      throw new VardecompError('E_OPTION', 'Option "weights" must be a column name or an array of numbers');
    }
  }

  // Completeness, counted per column.
  const keep = new Uint8Array(n).fill(1);
  const missingByColumn: Array<{ column: string; count: number }> = [];
  const checked: Array<[string, ColumnValues]> = [...cols, ...offsetCols];
  if (wcol) checked.push([wname, wcol]);
  for (const [name, col] of checked) {
    const count = markMissing(col, keep, col === wcol);
    if (count === n) {
      throw new VardecompError('E_EMPTY', `Column "${name}" is entirely missing`, { column: name });
    }
    if (count > 0) missingByColumn.push({ column: name, count });
  }
  let nobs = 0;
  for (let i = 0; i < n; i++) nobs += keep[i];
  if (nobs === 0) {
    throw new VardecompError(
      'E_EMPTY',
      `No complete rows: every row misses a value in one of ${[...checked.map((c) => `"${c[0]}"`)].join(', ')}`,
    );
  }
  const rows = new Int32Array(nobs);
  for (let i = 0, k = 0; i < n; i++) if (keep[i]) rows[k++] = i;

  // Outcome.
  const ycol = cols.get(req.outcome)!;
  const y = numericColumn(ycol, rows, `Outcome "${req.outcome}"`, req.outcome, req.types?.[req.outcome] === 'numeric');

  // Weights.
  let weights: Float64Array | null = null;
  if (wcol) {
    weights = new Float64Array(nobs);
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < nobs; k++) {
      const v = wcol[rows[k]];
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
        throw new VardecompError(
          typeof v === 'number' ? 'E_WEIGHTS' : 'E_NONNUMERIC',
          `Weight "${wname}" row ${rows[k]} is ${describe(v)}: weights must be finite and positive`,
          { column: wname, row: rows[k] },
        );
      }
      if (v > MAX_MAGNITUDE || v < 1 / MAX_MAGNITUDE) {
        throw new VardecompError(
          'E_WEIGHTS',
          `Weight "${wname}" row ${rows[k]} is ${describe(v)}: weights must lie between ${1 / MAX_MAGNITUDE} and ${MAX_MAGNITUDE} (rescale them)`,
          { column: wname, row: rows[k] },
        );
      }
      weights[k] = v;
      if (v < weights[lo]) lo = k;
      if (v > weights[hi]) hi = k;
    }
    if (weights[hi] / weights[lo] > MAX_WEIGHT_RATIO) {
      throw new VardecompError(
        'E_WEIGHTS',
        `Weights "${wname}" span a factor of ${(weights[hi] / weights[lo]).toExponential(1)} (row ${rows[lo]}: ${weights[lo]}, ` +
          `row ${rows[hi]}: ${weights[hi]}), more than ${MAX_WEIGHT_RATIO}: beyond what double precision can fit`,
        { column: wname, row: rows[hi] },
      );
    }
  }

  // Covariates.
  const variables = new Map<string, FrameVariable>();
  for (const name of req.covariates) {
    const col = cols.get(name)!;
    const stated = req.types?.[name];
    const kind = stated ?? numericKindOf(col, name, n);
    if (kind === 'numeric') {
      const values = numericColumn(col, rows, `Covariate "${name}"`, name, stated === 'numeric');
      variables.set(name, { kind: 'numeric', name, values });
    } else {
      if (stated === undefined) refuseNumbersAsText(col, rows, name);
      const given = req.levels?.[name];
      const { codes, levels } =
        given === undefined ? encode(col, rows, undefined, source.dictionary?.(name)) : encodeWithLevels(col, rows, name, given);
      variables.set(name, { kind: 'categorical', name, codes, levels });
    }
  }

  // Formula functions, evaluated over the kept rows.
  const read = (name: string): ColumnValues => cols.get(name) ?? readForTerm(source, name, 'a formula function');
  // A numeric argument is read as a numeric covariate is (numbers written as text only when stated).
  const numericFor = (label: string) => (name: string): Float64Array =>
    numericColumn(read(name), rows, `Term "${label}": column "${name}"`, name, req.types?.[name] === 'numeric');
  for (const d of req.derived ?? []) {
    if (variables.has(d.label)) continue;
    variables.set(d.label, { kind: 'numeric', name: d.label, values: checkDerived(d.label, d.evaluate(read, rows, numericFor(d.label)), rows) });
  }

  // Offsets, summed.
  let offset: Float64Array | null = null;
  for (const o of req.offsets ?? []) {
    let values: Float64Array;
    if (isDerived(o)) values = checkDerived(o.label, o.evaluate(read, rows, numericFor(o.label)), rows);
    else {
      const name = typeof o === 'string' ? o : 'offset';
      const col = typeof o === 'string' ? cols.get(o)! : (o as ColumnValues);
      values = new Float64Array(nobs);
      for (let k = 0; k < nobs; k++) {
        const v = col[rows[k]];
        if (typeof v !== 'number') {
          throw new VardecompError('E_NONNUMERIC', `Offset "${name}" row ${rows[k]} holds ${describe(v)}, not a number`, {
            column: name,
            row: rows[k],
          });
        }
        values[k] = v;
      }
      checkDerived(`offset "${name}"`, values, rows);
    }
    if (offset === null) offset = values;
    else for (let k = 0; k < nobs; k++) offset[k] += values[k];
  }

  // Grouping factors.
  const single = new Map<string, { codes: Int32Array; levels: string[] }>();
  const factors: GroupingFactor[] = req.groups.map((g) => {
    const parts = g.variables.map((v) => {
      let e = single.get(v);
      if (!e) {
        const col = cols.get(v)!;
        e = encode(col, rows, (val, row) => checkLevelValue(v, row, val), source.dictionary?.(v));
        single.set(v, e);
      }
      return e;
    });
    const f = parts.length === 1 ? parts[0] : interact(parts, nobs);
    return { name: g.name, variables: g.variables.slice(), codes: f.codes, levels: f.levels };
  });

  return {
    nrowsInput: n,
    rows,
    nobs,
    nDropped: n - nobs,
    missingByColumn,
    outcome: req.outcome,
    y,
    weights,
    offset,
    variables,
    factors,
  };
}

const isDerived = (o: DerivedColumn | string | ArrayLike<number>): o is DerivedColumn =>
  typeof o === 'object' && o !== null && typeof (o as DerivedColumn).evaluate === 'function';

/** Read a column a formula function or offset needs; a missing column names the term. */
function readForTerm(source: DataSource, name: string, term: string): ColumnValues {
  try {
    return source.column(name);
  } catch (e) {
    if (e instanceof VardecompError && e.code === 'E_COLUMN') {
      throw new VardecompError('E_COLUMN', `Term "${term}": ${e.message}`, {
        ...e.detail,
        column: name,
        term,
      });
    }
    throw e;
  }
}

/** A derived variable's values must be finite and within {@link MAX_MAGNITUDE}. */
function checkDerived(term: string, values: Float64Array, rows: Int32Array): Float64Array {
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!Number.isFinite(v)) {
      throw new VardecompError('E_NONNUMERIC', `Term "${term}" is ${v} at row ${rows[k]}, not a finite number`, { term, row: rows[k] });
    }
    if (Math.abs(v) > MAX_MAGNITUDE) throw tooLarge(`Term "${term}"`, term, rows[k], v);
  }
  return values;
}
