/**
 * `fit`: the public entry to the engine.
 */
import { fitGlmm } from './fit-glmm.js';
import type { FormulaInput } from './formula/model-spec.js';
import type { GlmmFitOptions } from './glmm/glmm-model.js';
import type { DataInput } from './input/data-source.js';
import { optimizeTheta } from './model/optimize-theta.js';
import { fittedExactlyError, prepareModel, type FitOptions, type PreparedModel } from './model/prepare-model.js';
import type { GlmmFit } from './output/glmm-fit.js';
import { LmmFit } from './output/lmm-fit.js';

/**
 * Fit a linear mixed model with random intercepts and slopes by REML (default) or ML, as lme4's `lmer`; with
 * `family: 'poisson'` or `'binomial'`, a generalised linear mixed model by the Laplace
 * approximation, as lme4's `glmer` (see {@link GlmmFit}).
 *
 * @param data an arquero table, a column object or an array of row objects
 * @param formula an lme4-style formula string or a formula object
 * @example
 * ```ts
 * import { fit } from 'vardecomp';
 * const m = fit(table, 'cpp_start_rate ~ imd2019_avg_score + (1|la_code) + (1|year)');
 * console.log(m.summary());
 * m.varcorr; // [{ group: 'la_code', name: '(Intercept)', variance, sd }, { group: 'year', ... }, { group: 'Residual', ... }]
 * fit(sleepstudy, 'Reaction ~ Days + (Days | Subject)').correlations; // [{ group: 'Subject', names: ['(Intercept)', 'Days'], correlation }]
 * const counts = fit(table, 'cpp_start_n ~ imd2019_avg_score + (1|la_code) + (1|year)', {
 *   family: 'poisson', offset: logPop,
 * });
 * ```
 */
export function fit(data: DataInput, formula: FormulaInput, options: GlmmFitOptions): GlmmFit;
export function fit(data: DataInput, formula: FormulaInput, options?: FitOptions & { family?: 'gaussian' }): LmmFit;
export function fit(data: DataInput, formula: FormulaInput, options: (FitOptions & { family?: 'gaussian' }) | GlmmFitOptions = {}): LmmFit | GlmmFit {
  const family = (options as { family?: unknown } | null)?.family;
  if (family !== undefined && family !== 'gaussian') return fitGlmm(data, formula, options as GlmmFitOptions);
  if (family === 'gaussian') {
    const { family: _gaussian, ...rest } = options as FitOptions & { family?: 'gaussian' };
    return fitPrepared(prepareModel(data, formula, rest), rest);
  }
  return fitPrepared(prepareModel(data, formula, options as FitOptions), options as FitOptions);
}

/**
 * Fit an already prepared model, optionally from a given theta (formula order). Used by refits
 * that reuse the design work (bootstrap, other outcomes).
 *
 * @example
 * ```ts
 * const prepared = prepareModel(rows, 'y ~ (1|g)');
 * const m = fitPrepared(prepared);
 * ```
 */
export function fitPrepared(prepared: PreparedModel, options: FitOptions = {}, startFormulaOrder?: ArrayLike<number>): LmmFit {
  const start = startFormulaOrder ? prepared.terms.toEngine(startFormulaOrder) : undefined;
  const opt = optimizeTheta(prepared, options.control, start);
  // A criterion of -Infinity at the optimum is a penalised residual sum of squares of exactly 0:
  // the rows are interpolated, which the checks before the fit (with their rounding tolerances)
  // can miss on extreme data. No variance can be estimated: say so rather than return zeros.
  if (opt.criterion === Number.NEGATIVE_INFINITY) {
    throw fittedExactlyError(prepared.spec.outcome, prepared.frame.nobs, null, prepared.frame.factors);
  }
  const solution = prepared.criterion.solve(opt.theta);
  return new LmmFit(prepared, opt, solution);
}
