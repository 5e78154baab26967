/**
 * Pieces shared by the report classes: option types, method descriptions, the notes printed
 * under a table, and frozen copies of plain data.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { DecompositionData, DecompositionMethod, IntervalInfo, ShareIntervalKind } from '../decompose/decomposition-data.js';
import { formatPercent, levelText } from './text-layout.js';

/**
 * Options of the `format()` methods.
 *
 * @example
 * ```ts
 * decomposition.format({ digits: 2, header: false });
 * ```
 */
export interface FormatOptions {
  /** Decimals of the percentages, 0 to 6 (default 1). */
  digits?: number;
  /** Print the header lines (method, formula, observations) and the notes (default true). */
  header?: boolean;
}

/**
 * Options of the `toMarkdown()` methods.
 *
 * @example
 * ```ts
 * decomposition.toMarkdown({ caption: true });
 * ```
 */
export interface MarkdownOptions {
  /** Decimals of the percentages, 0 to 6 (default 1). */
  digits?: number;
  /** Put a one-line caption (outcome, method, formula, observations) above the table (default false). */
  caption?: boolean;
}

/**
 * What each method measures, in a few words (used in headers and notes).
 *
 * @example
 * ```ts
 * METHOD_TITLES.shapley; // "Shapley (LMG) R² shares"
 * ```
 */
export const METHOD_TITLES: Readonly<Record<DecompositionMethod, string>> = {
  components: 'variance components of the mixed model',
  sequential: 'sequential R² increments',
  shapley: 'Shapley (LMG) R² shares',
};

/**
 * A deep copy of a plain JSON-like value (arrays and objects) with every level frozen.
 *
 * @example
 * ```ts
 * const shares = frozenCopy({ la: 0.44, residual: 0.56 });
 * Object.isFrozen(shares); // true
 * ```
 */
export function frozenCopy<T>(value: T): T {
  if (Array.isArray(value)) return Object.freeze(value.map((v: unknown) => frozenCopy(v))) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.freeze(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, frozenCopy(v)]))) as T;
  }
  return value;
}

/**
 * Validate the `digits` option (integer 0 to 6, default 1).
 *
 * @example
 * ```ts
 * checkDigits(undefined); // 1
 * checkDigits(7); // throws RangeError
 * ```
 */
export function checkDigits(digits: number | undefined): number {
  const d = digits ?? 1;
  if (!Number.isInteger(d) || d < 0 || d > 6) throw new RangeError(`digits must be an integer from 0 to 6 (got ${String(digits)})`);
  return d;
}

/**
 * The warnings of a fit as `Note: ...` lines (information-level diagnostics are left out).
 *
 * @example
 * ```ts
 * diagnosticNotes([{ code: 'SINGULAR', level: 'warning', message: 'The variance of "year" is estimated as 0' }]);
 * // ['Note: The variance of "year" is estimated as 0']
 * ```
 */
export function diagnosticNotes(diagnostics: readonly Diagnostic[], prefix = ''): string[] {
  return diagnostics.filter((d) => d.level === 'warning').map((d) => `Note: ${prefix}${d.message}`);
}

/**
 * Lines describing how the intervals were made: the method, what they estimate, and any
 * fallback.
 *
 * @example
 * ```ts
 * intervalNote({ n: 1000, succeeded: 1000, level: 0.95, seed: 1, kind: 'parametric-bootstrap' });
 * // "Intervals: 95% percentile, parametric bootstrap, 1,000 replicates, seed 1"
 * intervalNote({ n: 0, succeeded: 0, level: 0.95, seed: 1, kind: 'profile' });
 * // "Intervals: 95% profile likelihood (REML deviance; cut-offs corrected for the number of levels of each random term, chi-square(1) for the fixed and residual shares; one-sided at 0 where the boundary test keeps 0)"
 * ```
 */
export function intervalNote(info: IntervalInfo): string {
  const ok = info.succeeded === info.n ? '' : ` (${info.succeeded.toLocaleString('en-GB')} succeeded)`;
  const reps = `${info.n.toLocaleString('en-GB')} replicates${ok}, seed ${info.seed}`;
  const level = levelText(info.level);
  let line: string;
  switch (info.kind) {
    case 'profile':
      line = `Intervals: ${level} profile likelihood (REML deviance; cut-offs corrected for the number of levels of each random term, chi-square(1) for the fixed and residual shares; one-sided at 0 where the boundary test keeps 0)`;
      if (info.n > 0) line += `; percentile parametric bootstrap for the shares noted, ${reps}`;
      break;
    case 'unit-bootstrap':
      line = `Intervals: ${level} unit bootstrap (whole units resampled; percentile re-centred on the estimate, scaled to the unit jackknife, t levels), ${reps}`;
      break;
    default:
      line = `Intervals: ${level} percentile, parametric bootstrap, ${reps}`;
  }
  if (info.estimand) line += `\nEstimand: ${info.estimand}`;
  if (info.fallback) line += `\nNote: ${info.fallback}`;
  return line;
}

/** Display names of the per-share interval methods. */
const SHARE_INTERVAL_NAMES: Readonly<Record<ShareIntervalKind, string>> = {
  profile: 'profile',
  'profile-boundary': 'profile, one-sided at 0',
  percentile: 'parametric percentile',
  'unit-bootstrap': 'unit bootstrap',
};

/**
 * The interval method of one share, for tables.
 *
 * @example
 * ```ts
 * shareIntervalName('profile-boundary'); // "profile, one-sided at 0"
 * ```
 */
export function shareIntervalName(kind: ShareIntervalKind | undefined): string {
  return kind ? SHARE_INTERVAL_NAMES[kind] : '';
}

/**
 * One line naming each share's interval method when they differ within a decomposition
 * (e.g. a share one-sided at 0), or null when all shares used the same one.
 *
 * @example
 * ```ts
 * shareMethodsNote([{ label: 'year', intervalMethod: 'profile-boundary' }, { label: 'la', intervalMethod: 'profile' }]);
 * // "Interval method by share: year profile, one-sided at 0; la profile"
 * ```
 */
export function shareMethodsNote(components: ReadonlyArray<{ readonly label: string; readonly intervalMethod?: ShareIntervalKind }>): string | null {
  const kinds = new Set(components.map((c) => c.intervalMethod));
  if (kinds.size <= 1) return null;
  return `Interval method by share: ${components.map((c) => `${c.label} ${shareIntervalName(c.intervalMethod)}`).join('; ')}`;
}

/**
 * A display label: the user's label for `key` when there is one, else the key.
 *
 * @example
 * ```ts
 * labelOf({ la_code: 'local' }, 'la_code'); // "local"
 * labelOf({}, 'year'); // "year"
 * ```
 */
export function labelOf(labels: Readonly<Record<string, string>>, key: string): string {
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : key;
}

/**
 * The covariate split line, `Covariates: deprivation 15.0% = imd 10.0% + income 5.0%`, or
 * `null` when there is at most one covariate term.
 *
 * @example
 * ```ts
 * covariateSplitLine(d, 1); // "Covariates: deprivation 15.0% = imd 10.0% + income 5.0%"
 * ```
 */
export function covariateSplitLine(d: DecompositionData, digits: number): string | null {
  const terms = Object.keys(d.covariates);
  if (terms.length < 2) return null;
  const fixed = d.components.find((c) => c.kind === 'fixed');
  const head = fixed ? `${fixed.label} ${formatPercent(fixed.share, digits)} = ` : '';
  const split = d.covariateSplit;
  const sampled =
    split?.method === 'permutation'
      ? ` (Shapley split estimated from ${split.permutations!.toLocaleString('en-GB')} sampled orders, seed ${split.seed}; standard errors up to ` +
        `${formatPercent(Math.max(...Object.values(split.se ?? {})), 2)})`
      : '';
  return `Covariates: ${head}${terms.map((t) => `${labelOf(d.labels, t)} ${formatPercent(d.covariates[t], digits)}`).join(' + ')}${sampled}`;
}

/**
 * The header of the interval column, e.g. `95% interval`.
 *
 * @example
 * ```ts
 * intervalHeader({ level: 0.9 }); // "90% interval"
 * ```
 */
export function intervalHeader(info: { readonly level: number } | undefined): string {
  return `${levelText(info?.level ?? 0.95)} interval`;
}
