/**
 * The random-effects part of a fitted model's record, shared by `LmmFit` and `GlmmFit`: VarCorr
 * rows and correlations from theta, lme4's isSingular, conditional modes per grouping factor and
 * column, and the printed random-effects table.
 */
import { VardecompError } from '../errors.js';
import { SINGULAR_TOL } from '../model/optimize-theta.js';
import type { RandomCorrelation, VarCorrRow } from '../terms/random-effects-term.js';
import type { RandomTerms } from '../terms/random-terms.js';
import { fmt, record, summaryTable as table } from './summary-text.js';

/**
 * Conditional modes of one grouping factor: keyed by level for a factor with one random-effect
 * column; with slopes, one field per column (`(Intercept)`, `Days`), each keyed by level.
 */
export type RanefRecord = Record<string, number> | Record<string, Record<string, number>>;

/** A correlation counts as on the +-1 boundary (a singular fit) within this distance of it. */
const CORRELATION_BOUNDARY_TOL = 1e-6;

/**
 * VarCorr rows (one per random-effect column, formula order) and correlations at a formula-order
 * theta and scale sigma (1 for a GLMM).
 *
 * @example
 * ```ts
 * const { rows, correlations } = varCorrOf(prepared.terms, thetaFormula, sigma);
 * ```
 */
export function varCorrOf(
  terms: RandomTerms,
  thetaFormula: ArrayLike<number>,
  sigma: number,
): { rows: VarCorrRow[]; correlations: RandomCorrelation[] } {
  const rows: VarCorrRow[] = [];
  const correlations: RandomCorrelation[] = [];
  terms.terms.forEach((t, i) => {
    const vc = t.varcorr(thetaFormula, terms.formulaOffsets[i], sigma);
    rows.push(...vc.rows);
    correlations.push(...vc.correlations);
  });
  return { rows, correlations };
}

/**
 * lme4's isSingular: a diagonal entry of some lambda below 1e-4, or a correlation at +-1.
 *
 * @example
 * ```ts
 * isSingularFit(terms, thetaFormula, correlations); // false
 * ```
 */
export function isSingularFit(terms: RandomTerms, thetaFormula: ArrayLike<number>, correlations: readonly RandomCorrelation[]): boolean {
  return (
    terms.terms.some((t, i) => t.diagonal.some((d) => thetaFormula[terms.formulaOffsets[i] + d] < SINGULAR_TOL)) ||
    correlations.some((c) => Math.abs(c.correlation) > 1 - CORRELATION_BOUNDARY_TOL)
  );
}

/**
 * A formula-order theta from the user's (keyed by the fit's theta names, or an array in that
 * order), checked: `E_OPTION` naming the entry for a missing or non-finite value or a negative
 * diagonal entry of lambda.
 *
 * @example
 * ```ts
 * thetaFromUser(terms, { 'Subject.(Intercept)': 1, 'Subject.Days.(Intercept)': 0, 'Subject.Days': 0.2 });
 * ```
 */
export function thetaFromUser(terms: RandomTerms, theta: Readonly<Record<string, number>> | ArrayLike<number>): Float64Array {
  const t = new Float64Array(terms.size);
  const isArray = typeof (theta as ArrayLike<number>).length === 'number';
  if (isArray && (theta as ArrayLike<number>).length !== terms.size) {
    throw new VardecompError(
      'E_OPTION',
      `theta must have ${terms.size} entries (${terms.thetaNames.join(', ')}), got ${(theta as ArrayLike<number>).length}`,
    );
  }
  const diagonal = new Set(terms.terms.flatMap((tm, i) => tm.diagonal.map((d) => terms.formulaOffsets[i] + d)));
  terms.thetaNames.forEach((name, k) => {
    const v = isArray ? (theta as ArrayLike<number>)[k] : (theta as Record<string, number>)[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || (diagonal.has(k) && v < 0)) {
      const what = diagonal.has(k) ? 'a finite number >= 0' : 'a finite number';
      throw new VardecompError('E_OPTION', `theta for "${name}" must be ${what} (got ${String(v)})`);
    }
    t[k] = v;
  });
  return t;
}

/** The random-effect columns of a grouping factor and, per column, its term and position. */
function groupColumns(terms: RandomTerms, group: string): Array<{ name: string; term: number; s: number }> {
  const idx = terms.indicesOf(group);
  if (idx.length === 0) {
    const groups = [...new Set(terms.terms.map((t) => t.group))];
    throw new VardecompError('E_OPTION', `"${group}" is not a random term of this model (terms: ${groups.join(', ')})`);
  }
  return idx.flatMap((i) => terms.terms[i].columns.map((name, s) => ({ name, term: i, s })));
}

/**
 * Conditional modes of one grouping factor's column (default: its first, usually
 * `(Intercept)`) in level order, from the modes `b` (engine order, level-major).
 *
 * @example
 * ```ts
 * ranefArrayOf(terms, solution.b, 'Subject', 'Days').values;
 * ```
 */
export function ranefArrayOf(
  terms: RandomTerms,
  b: readonly Float64Array[],
  group: string,
  column?: string,
): { levels: readonly string[]; values: Float64Array } {
  const cols = groupColumns(terms, group);
  const col = column === undefined ? cols[0] : cols.find((c) => c.name === column);
  if (!col) {
    throw new VardecompError('E_OPTION', `"${column}" is not a random-effect column of "${group}" (columns: ${cols.map((c) => c.name).join(', ')})`);
  }
  const t = terms.terms[col.term];
  const bk = b[terms.engineOrder.indexOf(col.term)];
  const S = t.width;
  return { levels: t.levels, values: Float64Array.from({ length: t.levels.length }, (_, l) => bk[l * S + col.s]) };
}

/**
 * Conditional modes of one grouping factor (lme4's `ranef`): keyed by level for one column, else
 * one field per column keyed by level.
 *
 * @example
 * ```ts
 * ranefOf(terms, solution.b, 'la'); // { E06000001: 0.3, ... }
 * ```
 */
export function ranefOf<T extends RanefRecord = Record<string, number>>(terms: RandomTerms, b: readonly Float64Array[], group: string): T {
  const cols = groupColumns(terms, group);
  if (cols.length === 1) {
    const { levels, values } = ranefArrayOf(terms, b, group);
    return record(levels, values) as T;
  }
  return Object.fromEntries(
    cols.map((c) => {
      const { levels, values } = ranefArrayOf(terms, b, group, c.name);
      return [c.name, record(levels, values)];
    }),
  ) as T;
}

/**
 * lme4's printed random-effects table: the group named once per term, a Corr column with slopes,
 * and the residual row when given.
 *
 * @example
 * ```ts
 * randomEffectsTable(terms, rows, correlations, { group: 'Residual', variance: 4, sd: 2 });
 * ```
 */
export function randomEffectsTable(
  terms: RandomTerms,
  rows: readonly VarCorrRow[],
  correlations: readonly RandomCorrelation[],
  residual?: VarCorrRow,
): string {
  const withCorr = correlations.length > 0;
  const rc = [['Groups', 'Name', 'Variance', 'Std.Dev.', ...(withCorr ? ['Corr'] : [])]];
  let k = 0;
  terms.terms.forEach((t) => {
    t.columns.forEach((name, a) => {
      const r = rows[k++];
      const corr = withCorr
        ? [
            t.columns
              .slice(0, a)
              .map((b) => correlations.find((c) => c.group === t.group && c.names[0] === b && c.names[1] === name)!.correlation)
              .map((c) => (Number.isNaN(c) ? '  NaN' : c.toFixed(2).padStart(5)))
              .join(' '),
          ]
        : [];
      rc.push([a === 0 ? t.group : '', name, fmt(r.variance), fmt(r.sd), ...corr]);
    });
  });
  if (residual) rc.push(['Residual', '', fmt(residual.variance), fmt(residual.sd), ...(withCorr ? [''] : [])]);
  return table(rc, [false, false, true, true, false]).replace(/^/gm, ' ');
}
