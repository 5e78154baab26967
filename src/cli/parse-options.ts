/**
 * Parsers for CLI option values. Every bad value is a `VardecompError` with code `E_OPTION`
 * naming the option, so the CLI reports it in one line and exits with status 2.
 */
import { VardecompError } from '../errors.js';

function optionError(option: string, message: string, value: unknown): VardecompError {
  return new VardecompError('E_OPTION', `Option "--${option}" ${message} (got ${JSON.stringify(value)})`, { option, value });
}

/**
 * A comma-separated list, trimmed, without empty items.
 *
 * @example
 * ```ts
 * parseList('a, b,c', 'outcomes'); // ['a', 'b', 'c']
 * ```
 */
export function parseList(text: string, option: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw optionError(option, 'must list at least one name, separated by commas', text);
  return items;
}

/**
 * `key=value` pairs separated by commas (the value may contain `=` but not commas).
 *
 * @example
 * ```ts
 * parsePairs('la_code=local,year=national', 'labels'); // { la_code: 'local', year: 'national' }
 * ```
 */
export function parsePairs(text: string, option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? '' : item.slice(0, eq).trim();
    const value = eq < 0 ? '' : item.slice(eq + 1).trim();
    if (key === '' || value === '') throw optionError(option, 'must be key=value pairs separated by commas', text);
    if (Object.prototype.hasOwnProperty.call(out, key)) throw optionError(option, `names "${key}" twice`, text);
    out[key] = value;
  }
  if (Object.keys(out).length === 0) throw optionError(option, 'must be key=value pairs separated by commas', text);
  return out;
}

/**
 * `--labels la_code=local,year=national,fixed=deprivation`.
 *
 * @example
 * ```ts
 * parseLabels('la_code=local,fixed=deprivation'); // { la_code: 'local', fixed: 'deprivation' }
 * ```
 */
export function parseLabels(text: string): Record<string, string> {
  return parsePairs(text, 'labels');
}

/**
 * `--shares unit=.44,fixed=.15,period=.1,residual=.31` (numbers, or percentages ending in `%`).
 *
 * @example
 * ```ts
 * parseShares('unit=.6,residual=.4'); // { unit: 0.6, residual: 0.4 }
 * parseShares('unit=60%,residual=40%'); // { unit: 0.6, residual: 0.4 }
 * ```
 */
export function parseShares(text: string): Record<string, number> {
  const pairs = parsePairs(text, 'shares');
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(pairs)) {
    const percent = v.endsWith('%');
    const x = Number(percent ? v.slice(0, -1) : v);
    if (!Number.isFinite(x)) throw optionError('shares', `needs a number for "${k}"`, text);
    out[k] = percent ? x / 100 : x;
  }
  return out;
}

/**
 * A finite number option.
 *
 * @example
 * ```ts
 * parseNumber('0.9', 'level'); // 0.9
 * ```
 */
export function parseNumber(text: string, option: string): number {
  // Decimal notation only: JavaScript's Number() would also read "0x10", "0b1", "0o7" and "".
  const x = DECIMAL.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isFinite(x)) throw optionError(option, 'must be a decimal number', text);
  return x;
}

/** A decimal number: optional sign, digits with an optional point, optional exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A probability strictly between 0 and 1, such as an interval's coverage. A percentage such as
 * `95` is refused with the proportion it probably meant.
 *
 * @example
 * ```ts
 * parseProportion('0.9', 'level'); // 0.9
 * parseProportion('95', 'level'); // throws E_OPTION: ... (for 95%, write 0.95)
 * ```
 */
export function parseProportion(text: string, option: string): number {
  const x = parseNumber(text, option);
  if (!(x > 0 && x < 1)) {
    const hint = x > 1 && x < 100 ? ` (for ${x}%, write ${x / 100})` : '';
    throw optionError(option, `must be strictly between 0 and 1${hint}`, text);
  }
  return x;
}

/**
 * An integer option at least `min`.
 *
 * @example
 * ```ts
 * parseInteger('200', 'bootstrap', 2); // 200
 * parseInteger('0x10', 'bootstrap'); // throws E_OPTION (decimal only)
 * ```
 */
export function parseInteger(text: string, option: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  const x = parseNumber(text, option);
  if (!Number.isSafeInteger(x)) throw optionError(option, 'must be a whole number', text);
  if (x < min) throw optionError(option, `must be at least ${min}`, text);
  if (x > max) throw optionError(option, `must be at most ${max.toLocaleString('en-GB')}`, text);
  return x;
}

/**
 * One of a fixed set of words.
 *
 * @example
 * ```ts
 * parseChoice('shapley', 'method', ['components', 'sequential', 'shapley']); // "shapley"
 * ```
 */
export function parseChoice<T extends string>(text: string, option: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw optionError(option, `must be one of ${choices.join(', ')}`, text);
  return text as T;
}
