/**
 * Typed errors for bad input.
 *
 * Every error the library throws on purpose is a {@link VardecompError} with a stable
 * machine-readable `code`; the message names the column, level, option or formula position at
 * fault. Numerical trouble inside a fit is never thrown: it is reported as a diagnostic.
 */

/**
 * The stable error codes. Codes are part of the public API: they are never renamed.
 *
 * - `E_INPUT`: the data argument is not a table, a column object or an array of rows.
 * - `E_COLUMN`: a column the model needs is not in the data.
 * - `E_NONNUMERIC`: a numeric column (outcome, covariate, weights, offset) holds a non-numeric value,
 *   or a formula function gives a value that is not a finite number (`log` of 0, division by 0);
 *   the message names the term, the row and the value.
 * - `E_EMPTY`: no usable rows remain, or a column is entirely missing.
 * - `E_CONSTANT`: the outcome has no variation among the usable rows.
 * - `E_LEVELS`: a grouping factor has too few levels, or as many levels as rows.
 * - `E_RANK`: fewer usable rows than parameters.
 * - `E_WEIGHTS`: weights are missing, non-finite, zero or negative, or of the wrong length.
 * - `E_FORMULA`: the formula is malformed (the message gives the position).
 * - `E_UNSUPPORTED`: valid lme4 syntax that this version does not fit (random slopes, a function
 *   outside the registry of formula functions such as `poly(x, 2)`), or crossed terms whose dense
 *   block would exceed the engine's memory limit (`src/model/dense-size.ts`), or an interval
 *   scheme that is not offered because it does not cover (`intervals.resample: 'two-way'`).
 * - `E_OPTION`: an option has the wrong type or is out of range.
 * - `E_NEEDS_ROWS`: a result that needs the rows (fitted values, residuals) was asked of a model
 *   fitted from cell statistics (aggregates).
 */
export type VardecompErrorCode =
  | 'E_INPUT'
  | 'E_COLUMN'
  | 'E_NONNUMERIC'
  | 'E_EMPTY'
  | 'E_CONSTANT'
  | 'E_LEVELS'
  | 'E_RANK'
  | 'E_WEIGHTS'
  | 'E_FORMULA'
  | 'E_UNSUPPORTED'
  | 'E_OPTION'
  | 'E_NEEDS_ROWS';

/**
 * The error thrown for bad input.
 *
 * @example
 * ```ts
 * import { fit, VardecompError } from 'vardecomp';
 * try {
 *   fit(rows, 'y ~ x + (1|la)');
 * } catch (e) {
 *   if (e instanceof VardecompError && e.code === 'E_COLUMN') console.error(e.message);
 * }
 * ```
 */
export class VardecompError extends Error {
  /** Stable code, see {@link VardecompErrorCode}. */
  readonly code: VardecompErrorCode;
  /** Optional structured detail (column name, formula position, offending value). */
  readonly detail?: Readonly<Record<string, unknown>>;

  constructor(code: VardecompErrorCode, message: string, detail?: Record<string, unknown>) {
    super(message);
    this.name = 'VardecompError';
    this.code = code;
    if (detail !== undefined) this.detail = Object.freeze({ ...detail });
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
