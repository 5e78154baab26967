/**
 * `fitGlmm`: the GLMM path of `fit` (family Poisson or binomial).
 */
import type { FormulaInput } from './formula/model-spec.js';
import { prepareGlmm, type GlmmFitOptions, type GlmmModel } from './glmm/glmm-model.js';
import { optimizeGlmm } from './glmm/optimize-glmm.js';
import type { MinimizeControl } from './optimize/minimize.js';
import { GlmmFit } from './output/glmm-fit.js';

/**
 * Fit a generalised linear mixed model by the Laplace approximation, as lme4's `glmer` (nAGQ = 1).
 *
 * @example
 * ```ts
 * const m = fitGlmm(rows, 'cbind(incidence, size - incidence) ~ period + (1 | herd)', { family: 'binomial' });
 * m.beta; m.varcorr; m.logLik;
 * ```
 */
export function fitGlmm(data: unknown, formula: FormulaInput, options: GlmmFitOptions): GlmmFit {
  const model = prepareGlmm(data, formula, options);
  return fitGlmmModel(model, options.control);
}

/**
 * Fit a prepared GLMM, optionally starting the joint stage from a given theta (engine order) and
 * beta (bootstrap refits).
 *
 * @example
 * ```ts
 * const model = prepareGlmm(rows, 'y ~ x + (1 | g)', { family: 'poisson' });
 * const m = fitGlmmModel(model);
 * ```
 */
export function fitGlmmModel(
  model: GlmmModel,
  control?: MinimizeControl,
  start?: { theta: ArrayLike<number>; beta: ArrayLike<number> },
): GlmmFit {
  const opt = optimizeGlmm(model, { control, start });
  return new GlmmFit(model, opt, opt.state);
}
