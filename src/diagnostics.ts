/**
 * Diagnostics are data: every notable condition of a fit is reported as a
 * `{ code, level, message }` record, never printed and never thrown.
 */

/** A stable diagnostic code. */
export type DiagnosticCode =
  | 'DROPPED_ROWS'
  | 'SINGULAR'
  | 'NOT_CONVERGED'
  | 'EVALUATION_LIMIT'
  | 'FEW_LEVELS'
  | 'RANK_DEFICIENT'
  | 'NOT_FINITE'
  | 'NOT_IDENTIFIED'
  | 'OBSERVATION_LEVEL'
  | 'SAMPLED_SPLIT'
  | 'LARGE_DENSE_BLOCK'
  | 'RESPONSE_CODING'
  | 'VCOV_FROM_RX'
  | 'SCALE';

/** One diagnostic of a fit. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly level: 'info' | 'warning';
  readonly message: string;
}

/**
 * Build a diagnostic record.
 *
 * @example
 * ```ts
 * diagnostic('SINGULAR', 'warning', 'The variance of "year" is estimated as 0');
 * ```
 */
export function diagnostic(code: DiagnosticCode, level: 'info' | 'warning', message: string): Diagnostic {
  return Object.freeze({ code, level, message });
}

/**
 * A list of diagnostics that also hands each warning to `onWarning` as it is added (the fit
 * option: warnings known before the optimiser runs reach the caller then).
 *
 * @example
 * ```ts
 * const diagnostics = diagnosticSink((w) => console.warn(w.message));
 * diagnostics.push(diagnostic('FEW_LEVELS', 'warning', 'Grouping factor "region" has 3 levels')); // logged now
 * ```
 */
export function diagnosticSink(onWarning?: (warning: Diagnostic) => void): Diagnostic[] {
  const list: Diagnostic[] = [];
  if (!onWarning) return list;
  const push = list.push.bind(list);
  list.push = (...items: Diagnostic[]): number => {
    const n = push(...items);
    for (const d of items) if (d.level === 'warning') onWarning(d);
    return n;
  };
  return list;
}
