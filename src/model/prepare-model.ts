/**
 * Preparation of a model for fitting: parse the formula, build the model frame and X, drop
 * aliased columns, centre, order the random terms for the engine, and make the one pass to the
 * cross-products. A prepared model is reused by bootstrap refits and by other outcomes on the
 * same design.
 */
import { checkDenseBlockSize, denseBlockWarning } from './dense-size.js';
import { VardecompError } from '../errors.js';
import { toDataSource } from '../input/data-source.js';
import { buildModelFrame, MAX_MAGNITUDE, type ColumnReading, type ModelFrame } from '../input/model-frame.js';
import { buildFixedDesign, withoutColumns, type FixedDesign } from '../formula/design-matrix.js';
import type { FormulaInput, ModelSpec } from '../formula/model-spec.js';
import { modelColumns, parseFormula } from '../formula/parse-formula.js';
import { derivedColumn } from '../formula/specials.js';
import { CrossProducts, type EngineDesign } from '../objective/cross-products.js';
import type { CellDesign } from '../objective/cell-cross-products.js';
import { ProfiledCriterion } from '../objective/profiled-criterion.js';
import { SubsetRegressions } from '../objective/subset-regressions.js';
import type { MinimizeControl } from '../optimize/minimize.js';
import { diagnostic, diagnosticSink, type Diagnostic } from '../diagnostics.js';
import { columnSpreads, scaleDiagnostic } from './check-scale.js';
import { termsSpannedByX } from './identified-terms.js';
import { INTERCEPT, RandomEffectsTerm } from '../terms/random-effects-term.js';
import { RandomTerms } from '../terms/random-terms.js';

/** Options of `fit`. */
export interface FitOptions {
  /** Restricted maximum likelihood (default true); false for maximum likelihood. */
  reml?: boolean;
  /** Precision weights (lme4's `weights`): a column name or one weight per input row. */
  weights?: string | ArrayLike<number>;
  /**
   * An offset (lme4's `offset` argument): a column name or one value per input row, added to any
   * `offset(...)` terms of the formula. The fit works on `y - offset`; fitted values include it.
   */
  offset?: string | ArrayLike<number>;
  /** Optimiser controls. */
  control?: MinimizeControl;
  /**
   * Stated readings of columns: `numeric` (numbers written as text are read as numbers) or
   * `categorical` (each value a level, numbers included). Without it a text column most of whose
   * values are numbers is an error, never a factor made silently.
   */
  types?: Readonly<Record<string, ColumnReading>>;
  /**
   * Level order of categorical covariates, the first being the reference level. Without it levels
   * are sorted as R's `factor()` sorts them in an English / UTF-8 locale (`apple` before `Banana`).
   */
  levels?: Readonly<Record<string, readonly string[]>>;
  /**
   * Called with each warning diagnostic as soon as it is known, before the optimiser runs (the
   * same records also come back in the fit's `diagnostics`). A caller can say what will happen
   * before the work starts: a `LARGE_DENSE_BLOCK` warning, for one, comes before a fit that takes
   * minutes.
   */
  onWarning?: (warning: Diagnostic) => void;
}

/** A model ready for the optimiser. */
export interface PreparedModel {
  readonly spec: ModelSpec;
  readonly frame: ModelFrame;
  /**
   * X with aliased columns removed; with an intercept, every other column is centred (its
   * weighted mean, `xShift[j]`, subtracted). Same array as `engine.x`.
   */
  readonly design: FixedDesign;
  readonly reml: boolean;
  /** Names of aliased columns dropped, in X order. */
  readonly aliased: readonly string[];
  /** Column means subtracted before the pass (0 for the intercept), and the outcome's mean. */
  readonly xShift: Float64Array;
  readonly yShift: number;
  /** `engineOrder[e]` = index (formula order) of the term in engine position e. */
  readonly engineOrder: readonly number[];
  /**
   * Precision weights are scaled for the engine: `engine.weights = frame.weights / weightScale`
   * (a power of two near their geometric mean, 1 without weights), so that the fit is the same
   * for `w` and `c * w`. The engine's theta and sigma refer to the scaled weights; the user's are
   * `theta / sqrt(weightScale)` and `sigma * sqrt(weightScale)` (see {@link weightScaleOf}).
   */
  readonly weightScale: number;
  /** The random-effects terms (formula order) and theta's layout. */
  readonly terms: RandomTerms;
  readonly engine: EngineDesign;
  readonly cp: CrossProducts;
  readonly criterion: ProfiledCriterion;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Present when the model was prepared from cell statistics (`prepare-from-cells.ts`): then
   * `frame` and `design` describe cells, not rows (`frame.rows` and `frame.y` are empty, factor
   * codes and `design.x` hold one entry per cell) and nothing that needs rows is available.
   */
  readonly cells?: CellDesign;
}

/** Tolerance for aliased columns: relative residual variance after the earlier columns. */
const ALIAS_TOL = 1e-7;

/**
 * An outcome whose relative residual sum of squares after the fixed effects is below this is
 * fitted exactly (up to rounding): the residual variance would be 0 and the criterion unbounded.
 *
 * @example
 * ```ts
 * if (!(aliasedFromGram(cp.B, off, cp.m, p).yResidual > EXACT_FIT_TOL)) throw fittedExactlyError('y', n, names);
 * ```
 */
export const EXACT_FIT_TOL = 1e-13;

const FIT_OPTION_KEYS: readonly string[] = ['reml', 'weights', 'offset', 'control', 'types', 'levels', 'onWarning'];
const CONTROL_KEYS: readonly string[] = ['maxEvaluations', 'simplexTolerance', 'stepTolerance'];

function describeOption(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return typeof v;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const optionError = (option: string, problem: string, value: unknown): VardecompError =>
  new VardecompError('E_OPTION', `Option "${option}" ${problem} (got ${describeOption(value)})`, { option });

/**
 * Check the options of `fit` (throws `E_OPTION` naming the option): only `reml`, `weights`,
 * `offset` and `control` are known; `reml` is a boolean; `weights` and `offset` a column name or
 * an array of numbers;
 * `control` an object whose fields are positive finite numbers (`maxEvaluations` a whole number).
 *
 * @example
 * ```ts
 * checkFitOptions({ reml: false, control: { maxEvaluations: 500 } }); // fine
 * checkFitOptions({ reml: 'yes' }); // throws VardecompError E_OPTION
 * ```
 */
export function checkFitOptions(options: unknown): asserts options is FitOptions {
  if (options === undefined) return;
  if (!isPlainObject(options)) {
    throw new VardecompError('E_OPTION', `Options must be an object such as { reml: false } (got ${describeOption(options)})`);
  }
  for (const key of Object.keys(options)) {
    if (!FIT_OPTION_KEYS.includes(key)) {
      throw new VardecompError('E_OPTION', `Unknown option "${key}": the options of fit are ${FIT_OPTION_KEYS.join(', ')}`, {
        option: key,
      });
    }
  }
  const { reml, weights, offset, control, types, levels, onWarning } = options;
  if (reml !== undefined && typeof reml !== 'boolean') throw optionError('reml', 'must be true or false', reml);
  if (onWarning !== undefined && typeof onWarning !== 'function') throw optionError('onWarning', 'must be a function', onWarning);
  if (types !== undefined) {
    if (!isPlainObject(types)) throw optionError('types', "must be an object such as { year: 'categorical' }", types);
    for (const [col, t] of Object.entries(types)) {
      if (t !== 'numeric' && t !== 'categorical') throw optionError(`types.${col}`, 'must be "numeric" or "categorical"', t);
    }
  }
  if (levels !== undefined) {
    if (!isPlainObject(levels)) throw optionError('levels', "must be an object such as { kind: ['b', 'a'] }", levels);
    for (const [col, l] of Object.entries(levels)) {
      if (!Array.isArray(l) || l.length === 0 || l.some((x) => typeof x !== 'string')) {
        throw optionError(`levels.${col}`, 'must be a non-empty array of strings', l);
      }
    }
  }
  const columnOrArray = (v: unknown): boolean =>
    v === undefined ||
    v === null ||
    typeof v === 'string' ||
    Array.isArray(v) ||
    (ArrayBuffer.isView(v) && !(v instanceof DataView));
  if (!columnOrArray(weights)) {
    throw optionError('weights', 'must be a column name or an array with one weight per row', weights);
  }
  if (!columnOrArray(offset)) throw optionError('offset', 'must be a column name or an array with one value per row', offset);
  if (control === undefined) return;
  if (!isPlainObject(control)) throw optionError('control', 'must be an object such as { maxEvaluations: 1000 }', control);
  for (const key of Object.keys(control)) {
    if (!CONTROL_KEYS.includes(key)) {
      throw new VardecompError('E_OPTION', `Unknown option "control.${key}": the optimiser controls are ${CONTROL_KEYS.join(', ')}`, {
        option: `control.${key}`,
      });
    }
    const v = control[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw optionError(`control.${key}`, 'must be a positive finite number', v);
    }
    if (key === 'maxEvaluations' && !Number.isInteger(v)) throw optionError('control.maxEvaluations', 'must be a whole number', v);
  }
}

/**
 * The response the criterion sees: `y - offset` (lme4 fits the offset as a known part of the
 * linear predictor), or `y` itself without an offset.
 */
function responseOf(y: Float64Array, offset: Float64Array | null): Float64Array {
  return offset ? Float64Array.from(y, (v, i) => v - offset[i]) : y;
}

/**
 * Relative spread of `y - offset`, against the magnitude of y and the offset, at or below which
 * it is only rounding: the offset accounts for the outcome exactly.
 */
const OFFSET_ROUNDING_TOL = 1e-12;

/**
 * The outcome checks for `y - offset` (`adjusted`): finite, not constant, and not constant up to
 * the rounding of the subtraction (`y = z + 1` with `offset(z)`), which would otherwise be fitted
 * as rounding noise.
 */
function checkOffsetResponse(outcome: string, y: Float64Array, offset: Float64Array, adjusted: Float64Array, rows: ArrayLike<number>): void {
  checkOutcomeRange(`${outcome} - offset`, adjusted, rows);
  let scale = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < y.length; i++) {
    scale = Math.max(scale, Math.abs(y[i]), Math.abs(offset[i]));
    lo = Math.min(lo, adjusted[i]);
    hi = Math.max(hi, adjusted[i]);
  }
  if (hi - lo <= OFFSET_ROUNDING_TOL * scale) {
    throw new VardecompError(
      'E_CONSTANT',
      `Outcome "${outcome}" minus the offset is constant (${lo}) up to rounding over the ${y.length} usable rows: the offset accounts for it exactly`,
      { column: outcome },
    );
  }
}

function weightedMean(v: Float64Array, w: Float64Array | null): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < v.length; i++) {
    const wi = w ? w[i] : 1;
    s += wi * v[i];
    sw += wi;
  }
  return s / sw;
}

/**
 * {@link aliasedColumns} from the Gram matrix of `[X y]` (centred, weighted; lower triangle,
 * row-major with row stride `stride`, starting at `offset`). `prepareModel` passes the X/y block
 * of the one pass's B, so that aliasing costs no pass over the rows of its own.
 *
 * @example
 * ```ts
 * const { dropped, yResidual } = aliasedFromGram(cp.B, cp.qr * cp.m + cp.qr, cp.m, cp.p);
 * ```
 */
export function aliasedFromGram(gram: Float64Array, offset: number, stride: number, p: number): { dropped: number[]; yResidual: number } {
  const m = p + 1;
  const xtx = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b <= a; b++) xtx[a * m + b] = gram[offset + a * stride + b];
  const keep: number[] = [];
  const dropped: number[] = [];
  const L = new Float64Array(m * m);
  let yResidual = 0;
  for (let a = 0; a < m; a++) {
    const orig = xtx[a * m + a];
    const row = new Float64Array(keep.length);
    for (let k = 0; k < keep.length; k++) {
      const b = keep[k];
      let s = a > b ? xtx[a * m + b] : xtx[b * m + a];
      for (let q = 0; q < k; q++) s -= row[q] * L[k * m + q];
      row[k] = s / L[k * m + k];
    }
    let d = orig;
    for (let k = 0; k < keep.length; k++) d -= row[k] * row[k];
    if (a === p) {
      yResidual = orig > 0 ? d / orig : 0;
      break;
    }
    if (!(orig > 0) || d <= ALIAS_TOL * orig) {
      dropped.push(a);
      continue;
    }
    const k = keep.length;
    for (let q = 0; q < k; q++) L[k * m + q] = row[q];
    L[k * m + k] = Math.sqrt(d);
    keep.push(a);
  }
  return { dropped, yResidual };
}

/**
 * The scale dividing precision weights before the engine sees them: the power of two nearest
 * their geometric mean (1 without weights). Precision weights are scale-free: for `c * w`, lme4's
 * criterion, fixed effects and random-effect variances are those for `w`, while sigma scales by
 * `sqrt(c)` and theta by `1 / sqrt(c)`. Fitting with weights near 1 keeps theta in the range
 * where the optimiser's tolerances and the boundary checks are meaningful; a power of two makes
 * the division exact.
 *
 * @example
 * ```ts
 * weightScaleOf(Float64Array.of(1e16, 1e16)); // 2 ** 53
 * weightScaleOf(null); // 1
 * ```
 */
export function weightScaleOf(weights: ArrayLike<number> | null): number {
  if (!weights || weights.length === 0) return 1;
  let s = 0;
  for (let i = 0; i < weights.length; i++) s += Math.log2(weights[i]);
  const e = Math.round(s / weights.length);
  return Number.isFinite(e) ? 2 ** e : 1;
}

/**
 * The `NOT_IDENTIFIED` warning for a random term whose levels the fixed effects span.
 *
 * @example
 * ```ts
 * for (const e of termsSpannedByX(cp)) diagnostics.push(notIdentified(frame.factors[engineOrder[e]].name));
 * ```
 */
export const notIdentified = (group: string): Diagnostic =>
  diagnostic(
    'NOT_IDENTIFIED',
    'warning',
    `The random term (1 | ${group}) is not identified: the fixed effects fit every level of "${group}" exactly ` +
      `(a fixed factor codes the same groups), so its variance cannot be estimated from the data; drop one of the two`,
  );

/** Largest number of rows for which the residual-degrees-of-freedom check is done exactly. */
const RANK_CHECK_MAX_ROWS = 400;

/**
 * True when `[X Z]` has rank n, so that the random effects and covariates together can
 * interpolate any outcome: the residual variance is not identifiable (lme4's
 * `check.nobs.vs.rankZ`, extended to X). A cheap bound rules this out for almost every data set;
 * only small, sparse designs get the exact check (a pivoted Cholesky of the n x n matrix
 * `M M'` with unit-norm columns). Larger designs that pass the bound are not checked.
 */
function leavesNoResidual(
  xc: Float64Array,
  n: number,
  p: number,
  factors: ModelFrame['factors'],
  hasIntercept: boolean,
): boolean {
  const bound = p + factors.reduce((s, f) => s + f.levels.length - 1, 0) + (hasIntercept ? 0 : 1);
  if (bound < n || n > RANK_CHECK_MAX_ROWS) return false;
  const G = new Float64Array(n * n);
  for (let j = 0; j < p; j++) {
    const col = xc.subarray(j * n, (j + 1) * n);
    let ss = 0;
    for (let i = 0; i < n; i++) ss += col[i] * col[i];
    if (!(ss > 0)) continue;
    for (let a = 0; a < n; a++) {
      const ca = col[a] / ss;
      if (ca === 0) continue;
      for (let b = 0; b <= a; b++) G[a * n + b] += ca * col[b];
    }
  }
  for (const f of factors) {
    const counts = new Float64Array(f.levels.length);
    for (let i = 0; i < n; i++) counts[f.codes[i]]++;
    for (let a = 0; a < n; a++) {
      const ca = f.codes[a];
      const inv = 1 / counts[ca];
      for (let b = 0; b <= a; b++) if (f.codes[b] === ca) G[a * n + b] += inv;
    }
  }
  // Pivoted Cholesky (lower triangle of G): count pivots above a relative tolerance.
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = G[i * n + i];
  const maxDiag = d.reduce((m, v) => Math.max(m, v), 0);
  const tol = 1e-9 * maxDiag;
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const g = (a: number, b: number) => (a >= b ? G[a * n + b] : G[b * n + a]);
  const L = new Float64Array(n * n); // L[k * n + i]: column k, row (permuted) i
  let rank = 0;
  for (let k = 0; k < n; k++) {
    let best = k;
    for (let i = k + 1; i < n; i++) if (d[perm[i]] > d[perm[best]]) best = i;
    if (!(d[perm[best]] > tol)) break;
    [perm[k], perm[best]] = [perm[best], perm[k]];
    const pk = perm[k];
    const piv = Math.sqrt(d[pk]);
    for (let i = k + 1; i < n; i++) {
      const pi = perm[i];
      let v = g(pi, pk);
      for (let q = 0; q < k; q++) v -= L[q * n + pi] * L[q * n + pk];
      v /= piv;
      L[k * n + pi] = v;
      d[pi] -= v * v;
    }
    L[k * n + pk] = piv;
    rank++;
  }
  return rank >= n;
}

/**
 * Residual sum of squares, relative to the total, below which the outcome counts as fitted
 * exactly by the fixed effects and the grouping factors together.
 */
const EXACT_FIT_WITH_GROUPS_TOL = 1e-11;

/**
 * Throw `E_CONSTANT` when y is (up to rounding) a linear combination of X and the grouping
 * factors' indicators: no residual variation is left and the criterion is unbounded as theta
 * grows. The least-squares fit on every column comes from the cross-products already built
 * (the theta -> infinity limit of the criterion), so this costs no pass over the data.
 *
 * @example
 * ```ts
 * checkResidualVariation(prepared.cp, 'y', prepared.frame.factors); // throws E_CONSTANT if none is left
 * ```
 */
export function checkResidualVariation(cp: CrossProducts, outcome: string, factors: ModelFrame['factors']): void {
  const regs = new SubsetRegressions(cp);
  const rest = new Array<boolean>(cp.restLevels.length).fill(true);
  const rss = regs.rss({ first: true, rest, x: new Array<boolean>(cp.p).fill(true) });
  const tss = cp.B[cp.m * cp.m - 1];
  if (!(rss > EXACT_FIT_WITH_GROUPS_TOL * tss)) throw fittedExactlyError(outcome, cp.n, null, factors);
}

/**
 * Throw `E_NONNUMERIC` for an outcome value that is not finite or beyond {@link MAX_MAGNITUDE},
 * and `E_CONSTANT` for an outcome without usable variation; `rows` are the input row indices
 * used in messages.
 *
 * @example
 * ```ts
 * checkOutcomeRange('rate', Float64Array.of(1, 1, 1), [0, 1, 2]); // throws E_CONSTANT
 * ```
 */
export function checkOutcomeRange(outcome: string, y: Float64Array, rows: ArrayLike<number>): void {
  const n = y.length;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!Number.isFinite(v) || Math.abs(v) > MAX_MAGNITUDE) {
      throw new VardecompError(
        'E_NONNUMERIC',
        `Outcome "${outcome}" row ${rows[i]} holds ${v}: values must be finite and within the supported magnitude ${MAX_MAGNITUDE} (rescale the column)`,
        { column: outcome, row: rows[i] },
      );
    }
    if (v < ymin) ymin = v;
    if (v > ymax) ymax = v;
  }
  if (!(ymax > ymin)) {
    throw new VardecompError('E_CONSTANT', `Outcome "${outcome}" is constant (${ymin}) over the ${n} usable rows`, {
      column: outcome,
    });
  }
  if (ymax - ymin < 1 / MAX_MAGNITUDE) {
    throw new VardecompError(
      'E_CONSTANT',
      `Outcome "${outcome}" varies by only ${ymax - ymin} over the ${n} usable rows: too little to fit (rescale it)`,
      { column: outcome },
    );
  }
}

/**
 * The `E_CONSTANT` error for an outcome fitted exactly by the fixed effects (and, when
 * `factors` is given, the grouping factors).
 *
 * @example
 * ```ts
 * throw fittedExactlyError('y', 120, ['(Intercept)', 'x']);
 * ```
 */
export function fittedExactlyError(
  outcome: string,
  n: number,
  fixedNames: readonly string[] | null,
  factors?: ModelFrame['factors'],
): VardecompError {
  if (factors) {
    const names = factors.map((f) => `"${f.name}"`).join(', ');
    return new VardecompError(
      'E_CONSTANT',
      `Outcome "${outcome}" is fitted exactly by the fixed effects and the grouping factors ${names}: ` +
        `no residual variation is left over the ${n} usable rows, so the residual variance would be 0`,
      { column: outcome },
    );
  }
  const by = fixedNames && fixedNames.length > 0 ? ` by ${fixedNames.map((nm) => `"${nm}"`).join(', ')}` : '';
  return new VardecompError(
    'E_CONSTANT',
    `Outcome "${outcome}" is fitted exactly${by}: no residual variation is left over the ${n} usable rows`,
    { column: outcome },
  );
}

/**
 * The checks {@link prepareModel} makes of the outcome, for another outcome `y` on an already
 * prepared design (one value per row of `prepared.frame.rows`): finite values within the
 * supported magnitude, not constant, and not fitted exactly by X alone or by X and the grouping
 * factors. Throws `E_NONNUMERIC` or `E_CONSTANT` naming the outcome.
 *
 * @example
 * ```ts
 * checkOutcome(prepared, 'lac_rate', y); // before reusing `prepared` for another outcome
 * ```
 */
export function checkOutcome(prepared: PreparedModel, outcome: string, y: Float64Array): void {
  outcomeCrossProducts(prepared, outcome, y);
}

/**
 * The cross-products of a prepared design with another outcome `y`, after the outcome checks of
 * {@link checkOutcome}; returns them with the outcome's centring shift. The design-only work is
 * reused; the checks read the new cross-products instead of passing over the rows again.
 *
 * @example
 * ```ts
 * const { cp, yShift } = outcomeCrossProducts(prepared, 'lac_rate', y);
 * ```
 */
export function outcomeCrossProducts(
  prepared: PreparedModel,
  outcome: string,
  yRaw: Float64Array,
): { cp: CrossProducts; yShift: number } {
  const { frame, design } = prepared;
  checkOutcomeRange(outcome, yRaw, frame.rows);
  const y = responseOf(yRaw, frame.offset);
  if (frame.offset) checkOffsetResponse(outcome, yRaw, frame.offset, y, frame.rows);
  const yShift = prepared.spec.intercept ? weightedMean(y, frame.weights) : 0;
  const yc = Float64Array.from(y, (v) => v - yShift);
  const cp = prepared.cp.clone();
  cp.setResponse(yc);
  const { yResidual } = aliasedFromGram(cp.B, cp.qr * cp.m + cp.qr, cp.m, cp.p);
  if (!(yResidual > EXACT_FIT_TOL)) throw fittedExactlyError(outcome, frame.nobs, design.names);
  checkResidualVariation(cp, outcome, frame.factors);
  return { cp, yShift };
}

/**
 * Throw `E_LEVELS` for a grouping factor with one level or with as many levels as rows; add a
 * `FEW_LEVELS` warning for one with fewer than five.
 *
 * @example
 * ```ts
 * checkGroupingLevels(frame.factors, frame.nobs, diagnostics);
 * ```
 */
export function checkGroupingLevels(factors: ModelFrame['factors'], nobs: number, diagnostics: Diagnostic[]): void {
  const seen = new Set<string>();
  for (const f of factors) {
    // (x || g) gives two terms on one factor: check and report it once
    if (seen.has(f.name)) continue;
    seen.add(f.name);
    if (f.levels.length < 2) {
      throw new VardecompError('E_LEVELS', `Grouping factor "${f.name}" has only one level ("${f.levels[0]}") in the usable rows`, {
        column: f.name,
      });
    }
    if (f.levels.length >= nobs) {
      throw new VardecompError(
        'E_LEVELS',
        `Grouping factor "${f.name}" has ${f.levels.length} levels for ${nobs} rows: its variance cannot be told apart from the residual`,
        { column: f.name },
      );
    }
    if (f.levels.length < 5) {
      diagnostics.push(
        diagnostic('FEW_LEVELS', 'warning', `Grouping factor "${f.name}" has ${f.levels.length} levels: its variance is poorly estimated`),
      );
    }
  }
}

/**
 * Prepare a model: everything up to (and including) the one pass over the data.
 *
 * @example
 * ```ts
 * const prepared = prepareModel(rows, 'y ~ x + (1|la) + (1|year)', { reml: true });
 * prepared.criterion.evaluate(Float64Array.of(1, 0.5));
 * ```
 */
export function prepareModel(data: unknown, formula: FormulaInput, options: FitOptions = {}): PreparedModel {
  checkFitOptions(options);
  const reml = options.reml ?? true;
  const spec = parseFormula(formula);
  if (spec.random.length === 0) {
    throw new VardecompError(
      'E_FORMULA',
      `Formula "${spec.text}" has no random term: add one such as (1 | unit)`,
    );
  }
  const source = toDataSource(data);
  const offsets = [
    ...(spec.offsets ?? []).map(derivedColumn),
    ...(options.offset !== undefined && options.offset !== null ? [options.offset] : []),
  ];
  const frame = buildModelFrame(source, {
    outcome: spec.outcome,
    covariates: modelColumns(spec).covariates,
    groups: spec.random.map((r) => ({ name: r.group, variables: r.variables })),
    weights: options.weights ?? null,
    ...(spec.derived ? { derived: spec.derived.map(derivedColumn) } : {}),
    ...(offsets.length > 0 ? { offsets } : {}),
    ...(options.types !== undefined ? { types: options.types } : {}),
    ...(options.levels !== undefined ? { levels: options.levels } : {}),
  });
  const diagnostics = diagnosticSink(options.onWarning);
  if (frame.nDropped > 0) {
    const by = frame.missingByColumn.map((m) => `${m.column}: ${m.count}`).join(', ');
    diagnostics.push(
      diagnostic('DROPPED_ROWS', 'info', `${frame.nDropped} of ${frame.nrowsInput} rows dropped for missing values (${by})`),
    );
  }
  const { nobs, weights } = frame;
  checkOutcomeRange(spec.outcome, frame.y, frame.rows);
  // With an offset the model is fitted to y - offset (lme4's criterion); fitted values add it back.
  const y = responseOf(frame.y, frame.offset);
  if (frame.offset) checkOffsetResponse(spec.outcome, frame.y, frame.offset, y, frame.rows);
  checkGroupingLevels(frame.factors, nobs, diagnostics);

  // X, centred when there is an intercept (exactly invariant: unit-triangular change of basis).
  let design = buildFixedDesign(frame, spec);
  // Spreads for the scale check, read before centring (which keeps them but not 0/1 dummies).
  const spreads = columnSpreads(design.x, nobs, design.p);
  const hasIntercept = spec.intercept;
  // Centred in place: X is built here, so nothing outside is changed, and it is stored once.
  const centre = (d: FixedDesign) => {
    const shift = new Float64Array(d.p);
    const xc = d.x;
    if (hasIntercept) {
      for (let j = 1; j < d.p; j++) {
        const col = xc.subarray(j * nobs, (j + 1) * nobs);
        shift[j] = weightedMean(col, weights);
        for (let i = 0; i < nobs; i++) col[i] -= shift[j];
      }
    }
    return { shift, xc };
  };
  let { shift, xc } = centre(design);
  const yc = new Float64Array(nobs);
  const yShift = hasIntercept ? weightedMean(y, weights) : 0;
  for (let i = 0; i < nobs; i++) yc[i] = y[i] - yShift;
  const weightScale = weightScaleOf(weights);
  const engineWeights = weights && weightScale !== 1 ? Float64Array.from(weights, (w) => w / weightScale) : weights;
  const engineOrder = frame.factors
    .map((f, i) => ({ i, q: f.levels.length }))
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((e) => e.i);
  const terms = new RandomTerms(buildTerms(spec, frame), engineOrder);
  const engineFor = (d: FixedDesign, x: Float64Array): EngineDesign => ({
    n: nobs,
    p: d.p,
    x,
    factors: engineOrder.map((i) => terms.terms[i].engineFactor()),
    weights: engineWeights,
  });
  // A term with slopes takes levels x columns rows of the dense block.
  const engineTerms = engineOrder.map((i) => ({ group: spec.random[i].group, nlevels: frame.factors[i].levels.length * terms.terms[i].width }));
  checkDenseBlockSize(engineTerms, design.p);
  const slow = denseBlockWarning(engineTerms, design.p);
  if (slow) diagnostics.push(slow);
  // The one pass first: the aliasing check reads its X/y block instead of passing over the rows.
  let engine = engineFor(design, xc);
  let cp = new CrossProducts(engine, yc);
  const { dropped: drop, yResidual } = aliasedFromGram(cp.B, cp.qr * cp.m + cp.qr, cp.m, design.p);
  const aliased = drop.map((j) => design.names[j]);
  if (drop.length > 0) {
    const keep = [...Array(design.p).keys()].filter((j) => !drop.includes(j));
    design = withoutColumns(design, drop);
    // The kept columns are already centred: carry their shifts over.
    shift = Float64Array.from(keep, (j) => shift[j]);
    xc = design.x;
    engine = engineFor(design, xc);
    cp = new CrossProducts(engine, yc);
    diagnostics.push(
      diagnostic(
        'RANK_DEFICIENT',
        'warning',
        `Fixed-effect model matrix is rank deficient: dropped ${aliased.map((a) => `"${a}"`).join(', ')}`,
      ),
    );
  }
  const scale = scaleDiagnostic(
    spreads.filter((_, j) => !drop.includes(j)),
    design.names,
  );
  if (scale) diagnostics.push(scale);
  if (nobs <= design.p) {
    const shown = design.names.slice(0, 10).map((nm) => `"${nm}"`).join(', ') + (design.p > 10 ? ', ...' : '');
    throw new VardecompError(
      'E_RANK',
      `${nobs} usable rows for ${design.p} fixed-effect parameters (${shown}): need more rows than parameters`,
      { rows: nobs, parameters: design.p },
    );
  }
  if (!(yResidual > EXACT_FIT_TOL)) throw fittedExactlyError(spec.outcome, nobs, design.names);

  if (terms.scalarOnly && leavesNoResidual(xc, nobs, design.p, frame.factors, hasIntercept)) {
    const names = frame.factors.map((f) => `"${f.name}"`).join(', ');
    throw new VardecompError(
      'E_LEVELS',
      `The grouping factors ${names} and the fixed effects together fit each of the ${nobs} usable rows exactly: ` +
        'no residual degrees of freedom are left, so the variances cannot be told apart from the residual',
      { column: frame.factors[0].name, groups: frame.factors.map((f) => f.name) },
    );
  }


  checkResidualVariation(cp, spec.outcome, frame.factors);
  for (const e of termsSpannedByX(cp)) diagnostics.push(notIdentified(frame.factors[engineOrder[e]].name));
  const criterion = new ProfiledCriterion(cp, reml);
  return { spec, frame, design, reml, aliased, xShift: shift, yShift, engineOrder, weightScale, terms, engine, cp, criterion, diagnostics };
}

/**
 * The random-effects terms over the frame's rows: each term's grouping factor and its Z columns
 * (slopes must be numeric: `E_UNSUPPORTED` for a categorical one; `E_LEVELS` when a term has as
 * many random effects as rows). Shared by the Gaussian and the GLMM preparation.
 *
 * @example
 * ```ts
 * const terms = buildTerms(spec, frame); // one RandomEffectsTerm per spec.random entry
 * ```
 */
export function buildTerms(spec: ModelSpec, frame: ModelFrame): RandomEffectsTerm[] {
  return spec.random.map((r, i) => {
    const f = frame.factors[i];
    const z = r.columns.map((c) => {
      if (c === INTERCEPT) return null;
      const v = frame.variables.get(c)!;
      if (v.kind !== 'numeric') {
        throw new VardecompError(
          'E_UNSUPPORTED',
          `Random slope on "${c}" in the term on "${r.group}": "${c}" is categorical (${v.levels.length} levels); ` +
            'slopes must be numeric columns (fit a separate term per level, or code the contrast as a numeric column)',
          { column: c, group: r.group },
        );
      }
      return v.values;
    });
    if (r.columns.length > 1 && f.levels.length * r.columns.length >= frame.nobs) {
      throw new VardecompError(
        'E_LEVELS',
        `The term (${r.columns.join(' + ')} | ${r.group}) has ${f.levels.length * r.columns.length} random effects for ${frame.nobs} rows: ` +
          'they cannot be told apart from the residual',
        { column: f.name },
      );
    }
    return new RandomEffectsTerm(r.group, r.columns, f.levels, f.codes, z);
  });
}
