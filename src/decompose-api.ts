/**
 * `decompose`, `compare` and `decomposeMany`: the public entry points of the decomposition.
 */
import { VardecompError } from './errors.js';
import type { FormulaInput } from './formula/model-spec.js';
import { modelColumns, parseFormula } from './formula/parse-formula.js';
import { formatName } from './formula/tokenize.js';
import { toDataSource, type DataInput } from './input/data-source.js';
import { missingTest, numericColumn } from './input/model-frame.js';
import { prepareModel, type FitOptions, type PreparedModel } from './model/prepare-model.js';
import { withOutcome } from './model/share-design.js';
import { LmmFit } from './output/lmm-fit.js';
import { GlmmFit } from './output/glmm-fit.js';
import { fitPrepared } from './fit.js';
import { fitGlmm, fitGlmmModel } from './fit-glmm.js';
import { prepareGlmm, type GlmmFitOptions } from './glmm/glmm-model.js';
import { checkGlmmDecompositionOptions, decomposeGlmmFit, requireGlmmComponents, type GlmmDecompositionOptions } from './decompose/glmm-decompose.js';
import { compareFit, decomposeFit, type DecompositionOptions } from './decompose/decompose-fit.js';
import { DECOMPOSITION_METHODS, type DecompositionMethod } from './decompose/decomposition-data.js';
import { Comparison, Decomposition, ManyDecomposition } from './report/index.js';

/** Options of {@link decompose}: the fit's options, the method, labels, order and intervals. */
export interface DecomposeOptions extends FitOptions, DecompositionOptions {
  /** `'components'` (default), `'sequential'` or `'shapley'` (Gaussian models only). */
  method?: DecompositionMethod;
  /** `'gaussian'` (default), or a GLMM: `'poisson'` or `'binomial'` (latent-scale components). */
  family?: 'gaussian' | GlmmFitOptions['family'];
  /** GLMMs: an offset column or array (see {@link GlmmFitOptions}). */
  offset?: GlmmFitOptions['offset'];
  /** GLMMs: the Poisson distribution-specific variance (`'lognormal'`, `'delta'`, `'trigamma'`). */
  approximation?: GlmmDecompositionOptions['approximation'];
}

/** Options of {@link compare}. */
export type CompareOptions = FitOptions & DecompositionOptions;

/** Options of {@link decomposeMany}. */
export interface DecomposeManyOptions extends DecomposeOptions {
  /** Outcome columns. */
  outcomes: readonly string[];
  /** The right-hand side shared by every outcome, e.g. `'imd + (1|la) + (1|year)'`. */
  rhs: string;
  /** Called after each outcome with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

const FIT_KEYS = ['reml', 'weights', 'offset', 'control', 'types', 'levels', 'onWarning'];
const DECOMPOSE_KEYS = ['labels', 'order', 'intervals', 'shapley', 'weightedResidual'];
const GLMM_KEYS = ['family', 'offset', 'link', 'weights', 'control', 'types', 'levels', 'onWarning'];

const isGlmmFamily = (o: { family?: unknown }): boolean => o.family !== undefined && o.family !== 'gaussian';

function glmmOptionsOf(o: DecomposeOptions): GlmmFitOptions {
  return Object.fromEntries(GLMM_KEYS.filter((k) => k in o).map((k) => [k, (o as Record<string, unknown>)[k]])) as unknown as GlmmFitOptions;
}

function checkKeys(options: object, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new VardecompError('E_OPTION', `Unknown option "${k}" for ${where} (expected ${allowed.join(', ')})`);
  }
}

function fitOptionsOf(o: FitOptions): FitOptions {
  return Object.fromEntries(FIT_KEYS.filter((k) => k in o).map((k) => [k, (o as Record<string, unknown>)[k]])) as FitOptions;
}

function resolveMethod(method: unknown): DecompositionMethod {
  const m = method ?? 'components';
  if (!DECOMPOSITION_METHODS.includes(m as DecompositionMethod)) {
    throw new VardecompError('E_OPTION', `Option "method" must be one of ${DECOMPOSITION_METHODS.join(', ')} (got ${JSON.stringify(method)})`);
  }
  return m as DecompositionMethod;
}

function asObject<T extends object>(o: T | undefined, where: string): T {
  if (o === undefined) return {} as T;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new VardecompError('E_OPTION', `Options of ${where} must be an object`);
  return o;
}

/**
 * Split the variation of an outcome into fixed (covariates), each random term and residual
 * shares, by the chosen method, optionally with parametric-bootstrap intervals.
 *
 * @example
 * ```ts
 * import { decompose } from 'vardecomp';
 * const d = decompose(table, 'cpp_start_rate ~ imd2019_avg_score + (1|la_code) + (1|year)', {
 *   labels: { la_code: 'local', year: 'national', fixed: 'deprivation' },
 *   intervals: { n: 1000, seed: 1 },
 * });
 * console.log(d.format());
 * ```
 */
export function decompose(fit: LmmFit | GlmmFit, options?: DecomposeOptions): Decomposition;
export function decompose(data: DataInput, formula: FormulaInput, options?: DecomposeOptions): Decomposition;
export function decompose(a: LmmFit | GlmmFit | DataInput, b?: FormulaInput | DecomposeOptions, c?: DecomposeOptions): Decomposition {
  if (a instanceof GlmmFit) {
    const o = asObject(b as DecomposeOptions | undefined, 'decompose');
    checkKeys(o, ['method', 'approximation', ...DECOMPOSE_KEYS], 'decompose(fit, options)');
    return new Decomposition(decomposeGlmmFit(a, resolveMethod(o.method), o));
  }
  if (!(a instanceof LmmFit) && c !== undefined && typeof c === 'object' && c !== null && isGlmmFamily(c)) {
    const o = c;
    checkKeys(o, ['method', 'approximation', ...GLMM_KEYS, ...DECOMPOSE_KEYS], 'decompose');
    const method = resolveMethod(o.method);
    // refused before the fit, not after it
    requireGlmmComponents(method, String(o.family));
    checkGlmmDecompositionOptions(o, String(o.family));
    const m = fitGlmm(a, b as FormulaInput, glmmOptionsOf(o));
    return new Decomposition(decomposeGlmmFit(m, method, o));
  }
  if (a instanceof LmmFit) {
    const o = asObject(b as DecomposeOptions | undefined, 'decompose');
    checkKeys(o, ['method', ...DECOMPOSE_KEYS], 'decompose(fit, options)');
    return new Decomposition(decomposeFit(a, resolveMethod(o.method), o));
  }
  const o = asObject(c, 'decompose');
  checkKeys(o, ['method', 'family', ...FIT_KEYS, ...DECOMPOSE_KEYS], 'decompose');
  const method = resolveMethod(o.method);
  const m = fitPrepared(prepareModel(a, b as FormulaInput, fitOptionsOf(o)), fitOptionsOf(o));
  return new Decomposition(decomposeFit(m, method, o));
}

/**
 * The same data through all three methods, side by side (one row per key, a share per
 * method), sharing one set of bootstrap replicates when intervals are asked for.
 *
 * @example
 * ```ts
 * const c = compare(table, 'rate ~ deprivation + (1|la) + (1|year)', { intervals: { n: 500 } });
 * console.log(c.format());
 * ```
 */
export function compare(fit: LmmFit | GlmmFit, options?: DecompositionOptions): Comparison;
export function compare(data: DataInput, formula: FormulaInput, options?: CompareOptions): Comparison;
export function compare(a: LmmFit | GlmmFit | DataInput, b?: FormulaInput | DecompositionOptions, c?: CompareOptions): Comparison {
  // sequential and Shapley are not defined for GLMMs: refuse with the reason.
  if (a instanceof GlmmFit) requireGlmmComponents('sequential', a.family);
  if (c !== undefined && typeof c === 'object' && c !== null && isGlmmFamily(c as { family?: unknown })) {
    throw new VardecompError(
      'E_UNSUPPORTED',
      'compare runs the sequential and Shapley methods, which split the R^2 of a Gaussian model: for a GLMM use decompose with method "components"',
      { option: 'family' },
    );
  }
  if (a instanceof LmmFit) {
    const o = asObject(b as DecompositionOptions | undefined, 'compare');
    checkKeys(o, DECOMPOSE_KEYS, 'compare(fit, options)');
    return new Comparison(compareFit(a, o));
  }
  const o = asObject(c, 'compare');
  checkKeys(o, [...FIT_KEYS, ...DECOMPOSE_KEYS], 'compare');
  const m = fitPrepared(prepareModel(a, b as FormulaInput, fitOptionsOf(o)), fitOptionsOf(o));
  return new Comparison(compareFit(m, o));
}

/**
 * Decompose several outcomes on one right-hand side (the NAO looked at several measures).
 * Rows are dropped per outcome and reported in each result; outcomes observed on the same rows
 * share all design work (frame, X, factor codes, design cross-products).
 *
 * @example
 * ```ts
 * const many = decomposeMany(table, {
 *   outcomes: ['cpp_start_rate', 'cin_episodes_rate', 'lac_rate'],
 *   rhs: 'imd2019_avg_score + (1|la_code) + (1|year)',
 *   labels: { la_code: 'local', year: 'national', fixed: 'deprivation' },
 * });
 * console.log(many.format());
 * ```
 */
export function decomposeMany(data: DataInput, options: DecomposeManyOptions): ManyDecomposition {
  const o = asObject(options, 'decomposeMany');
  const glmm = isGlmmFamily(o as { family?: unknown });
  checkKeys(o, ['outcomes', 'rhs', 'onProgress', 'method', ...(glmm ? ['approximation', ...GLMM_KEYS] : FIT_KEYS), ...DECOMPOSE_KEYS], 'decomposeMany');
  if (!Array.isArray(o.outcomes) || o.outcomes.length === 0 || !o.outcomes.every((x) => typeof x === 'string' && x.length > 0)) {
    throw new VardecompError('E_OPTION', 'Option "outcomes" must be a non-empty array of column names');
  }
  if (new Set(o.outcomes).size !== o.outcomes.length) throw new VardecompError('E_OPTION', 'Option "outcomes" lists a column twice');
  if (typeof o.rhs !== 'string' || o.rhs.trim() === '') {
    throw new VardecompError('E_OPTION', 'Option "rhs" must be the right-hand side of a formula, e.g. "x + (1|unit) + (1|period)"');
  }
  if (o.rhs.includes('~')) throw new VardecompError('E_OPTION', `Option "rhs" must not contain "~" (got "${o.rhs}")`);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new VardecompError('E_OPTION', 'Option "onProgress" must be a function');
  }
  const method = resolveMethod(o.method);
  if (glmm) return decomposeManyGlmm(data, o, method);
  const fitOptions = fitOptionsOf(o);
  const source = toDataSource(data);
  const specs = o.outcomes.map((outcome) => parseFormula(`${formatName(outcome)} ~ ${o.rhs}`));
  // Rows complete on the right-hand side (and weights column), computed once.
  const rhsColumns = new Set<string>(modelColumns(specs[0]).all.filter((c) => c !== specs[0].outcome));
  if (typeof o.weights === 'string') rhsColumns.add(o.weights);
  if (typeof o.offset === 'string') rhsColumns.add(o.offset);
  const rhsOk = new Uint8Array(source.nrows).fill(1);
  const rhsValues: Array<ArrayLike<unknown>> = [...rhsColumns].map((col) => source.column(col));
  if (o.offset !== undefined && typeof o.offset !== 'string') rhsValues.push(o.offset);
  for (const v of rhsValues) {
    const missing = missingTest(v);
    for (let i = 0; i < source.nrows; i++) if (missing(v[i])) rhsOk[i] = 0;
  }
  const byRows = new Map<string, PreparedModel>();
  const results = specs.map((spec, k) => {
    const ycol = source.column(spec.outcome);
    const used: number[] = [];
    let outcomeMissing = 0;
    const missing = missingTest(ycol);
    for (let i = 0; i < source.nrows; i++) {
      if (missing(ycol[i])) outcomeMissing++;
      else if (rhsOk[i]) used.push(i);
    }
    const key = used.join(',');
    const shared = byRows.get(key);
    let prepared: PreparedModel;
    if (shared) {
      // Read as the model frame reads an outcome (stated types, the first real text cell named).
      const stated = fitOptions.types?.[spec.outcome] === 'numeric';
      const y = numericColumn(ycol, Int32Array.from(used), `Outcome "${spec.outcome}"`, spec.outcome, stated);
      prepared = withOutcome(shared, spec, y, outcomeMissing);
    } else {
      prepared = prepareModel(data, spec.text, fitOptions);
      byRows.set(key, prepared);
    }
    const m = fitPrepared(prepared, fitOptions);
    const d = decomposeFit(m, method, o);
    o.onProgress?.(k + 1, specs.length);
    return d;
  });
  return new ManyDecomposition({ rhs: o.rhs.trim(), method, outcomes: o.outcomes.slice(), results });
}

/**
 * decomposeMany for a GLMM family: each outcome's GLMM on the shared right-hand side, decomposed
 * on the latent scale (components only; sequential and Shapley are refused before any fit).
 */
function decomposeManyGlmm(data: DataInput, o: DecomposeManyOptions, method: DecompositionMethod): ManyDecomposition {
  requireGlmmComponents(method, String(o.family));
  checkGlmmDecompositionOptions(o, String(o.family));
  const glmmOptions = glmmOptionsOf(o);
  // Every outcome's model is prepared (its input checked) before any is fitted.
  const models = o.outcomes.map((outcome) => prepareGlmm(data, `${formatName(outcome)} ~ ${o.rhs}`, glmmOptions));
  const results = models.map((model, k) => {
    const m = fitGlmmModel(model, glmmOptions.control);
    const d = decomposeGlmmFit(m, method, o);
    o.onProgress?.(k + 1, o.outcomes.length);
    return d;
  });
  return new ManyDecomposition({ rhs: o.rhs.trim(), method, outcomes: o.outcomes.slice(), results });
}
