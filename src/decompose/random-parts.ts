/**
 * The random part of the components method per grouping factor: Johnson's (2014) variance of a
 * random-slope model, `Tr(Z_g Sigma_g Z_g') / n` over the model rows (the average over the rows of
 * the variance the factor's effects add to an observation), summed over the factor's terms, as
 * insight / partR2 / MuMIn compute it. For a random intercept this is its variance. With slopes
 * it has parts: each column's variance times the mean square of its variable, and twice each
 * covariance times the mean cross-product. The total does not change when a slope's variable is
 * shifted by a constant (the intercept variance and the covariance absorb the shift); the split
 * into parts does.
 */
import type { ModelSpec } from '../formula/model-spec.js';
import type { RandomTerms } from '../terms/random-terms.js';

/** What the random parts need of a prepared model (Gaussian or GLMM): its formula and terms. */
export interface ModelTerms {
  readonly spec: ModelSpec;
  readonly terms: RandomTerms;
}

/** One part of a factor's variance: a column's variance (`names` equal) or a covariance. */
export interface RandomVariancePart {
  /** The grouping factor (the decomposition key). */
  readonly key: string;
  readonly names: readonly [string, string];
  readonly variance: number;
}

/**
 * The decomposition keys of the random part: each grouping factor once, in formula order (the
 * terms of `(x || g)` share the key `g`).
 *
 * @example
 * ```ts
 * randomKeys(prepareModel(rows, 'y ~ (x || g) + (1 | h)')); // ['g', 'h']
 * ```
 */
export function randomKeys(prepared: ModelTerms): string[] {
  return [...new Set(prepared.spec.random.map((r) => r.group))];
}

/**
 * Johnson's variance of each grouping factor (in {@link randomKeys} order) and its parts, at a
 * formula-order theta and sigma (any consistent scale: only `sigma^2 Lambda Lambda'` enters).
 *
 * @example
 * ```ts
 * const { variances, parts } = randomGroupVariances(prepared, thetaFormula, sigma);
 * ```
 */
export function randomGroupVariances(
  prepared: ModelTerms,
  thetaFormula: ArrayLike<number>,
  sigma: number,
): { keys: string[]; variances: Float64Array; parts: RandomVariancePart[] } {
  const keys = randomKeys(prepared);
  const variances = new Float64Array(keys.length);
  const parts: RandomVariancePart[] = [];
  const { terms } = prepared;
  terms.terms.forEach((t, i) => {
    const k = keys.indexOf(t.group);
    const contribution = t.varianceContribution(t.covariance(thetaFormula, terms.formulaOffsets[i], sigma));
    variances[k] += contribution.total;
    for (const p of contribution.parts) parts.push({ key: t.group, names: p.names, variance: p.value });
  });
  return { keys, variances, parts };
}
