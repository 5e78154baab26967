/**
 * Latent-scale variance parts of a GLMM (Nakagawa, Johnson & Schielzeth 2017), the components
 * method for Poisson and binomial models:
 *
 * - fixed: the sample variance (n - 1) of `X beta` over the model rows (the offset excluded),
 *   split per covariate term as for Gaussian models;
 * - each grouping factor: Johnson's `Tr(Z Sigma Z') / n` over the model rows, summed over the
 *   factor's terms (its variance for a random intercept; with slopes, each column's variance times
 *   the mean square of its variable plus twice each covariance times the mean cross-product); an
 *   observation-level term is overdispersion and is reported with the residual (its own part, kind
 *   `residual`);
 * - distribution-specific variance: pi^2 / 3 for binomial/logit; for Poisson/log
 *   `ln(1 + 1/lambda)` (lognormal, the default), `1/lambda` (delta) or `trigamma(lambda)`, where
 *   `lambda` is the mean over the model rows of `exp(b0_null + offset_i + sigma2_null / 2)`, from
 *   the null model: the same random terms and offset with an intercept only, `sigma2_null` its
 *   random part on the latent scale (Johnson's total; the sum of the variances for random
 *   intercepts).
 *
 * Without an offset this is current insight's `get_variance(approximation = "lognormal")`. With an
 * offset, insight uses `exp(b0_null + sigma2_null / 2)` and so evaluates the Poisson variance at a
 * rate per unit of exposure (per child, for the England counts) instead of at the expected count.
 */
import type { LatentApproximation } from '../family/family.js';
import type { GlmmModel } from '../glmm/glmm-model.js';
import { componentVariances } from './components.js';

/** The null model's quantities behind lambda. */
export interface NullModelSummary {
  /** Intercept of the null model. */
  readonly intercept: number;
  /** Its random part: Johnson's `Tr(Z Sigma Z') / n` summed over the terms (the sum of the variances for random intercepts). */
  readonly sigma2: number;
}

/** Latent-scale variance parts; random terms in formula order. */
export interface LatentParts {
  readonly fixed: number;
  /** Per covariate term, adding to `fixed`. */
  readonly terms: Float64Array;
  readonly random: Float64Array;
  /** The distribution-specific variance. */
  readonly distribution: number;
  /** Poisson: the mean expected count of the null model; binomial: null. */
  readonly lambda: number | null;
  readonly total: number;
}

/**
 * The null model of a GLMM: intercept only, the same random terms, offset and prior weights.
 *
 * @example
 * ```ts
 * const nullOpt = optimizeGlmm(nullGlmmModel(model));
 * ```
 */
export function nullGlmmModel(model: GlmmModel): GlmmModel {
  const n = model.n;
  return {
    ...model,
    design: { n, p: 1, x: new Float64Array(n).fill(1), names: ['(Intercept)'], termOf: Int32Array.of(-1), terms: [] },
    aliased: [],
    diagnostics: [],
  };
}

/**
 * `lambda = mean_i exp(b0_null + offset_i + sigma2_null / 2)`.
 *
 * @example
 * ```ts
 * poissonLambda(model.offset, { intercept: -5.2, sigma2: 0.07 });
 * ```
 */
export function poissonLambda(offset: Float64Array, nullModel: NullModelSummary): number {
  let s = 0;
  const c = nullModel.intercept + nullModel.sigma2 / 2;
  for (let i = 0; i < offset.length; i++) s += Math.exp(c + offset[i]);
  return s / offset.length;
}

/**
 * Latent-scale variance parts at given estimates.
 *
 * @example
 * ```ts
 * const parts = latentParts(model, beta, [0.061, 0.0058], { intercept: -5.2, sigma2: 0.066 }, 'lognormal');
 * parts.distribution / parts.total; // the distribution-specific share
 * ```
 */
export function latentParts(
  model: GlmmModel,
  beta: ArrayLike<number>,
  randomVariances: ArrayLike<number>,
  nullModel: NullModelSummary | null,
  approximation: LatentApproximation,
): LatentParts {
  const lambda = model.family.name === 'poisson' && nullModel ? poissonLambda(model.offset, nullModel) : null;
  const distribution = model.family.latentVariance(lambda ?? Number.NaN, approximation);
  const cv = componentVariances({
    x: model.design.x,
    n: model.n,
    p: model.design.p,
    beta,
    termOf: model.design.termOf,
    nterms: model.design.terms.length,
    randomVariances,
    sigma2: distribution,
    weights: null,
  });
  return { fixed: cv.fixed, terms: cv.terms, random: cv.random, distribution, lambda, total: cv.total };
}
