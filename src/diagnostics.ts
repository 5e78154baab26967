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
  | 'RESPONSE_CODING';

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
