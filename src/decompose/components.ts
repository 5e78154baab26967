/**
 * The components method: variance parts of a fitted mixed model (Nakagawa & Schielzeth 2013;
 * performance::r2_nakagawa and insight::get_variance; variancePartition for the per-covariate
 * split).
 *
 * - fixed: the sample variance (n - 1 denominator) of the fixed-effect predictions `X beta`;
 * - each random term: its variance `sigma_k^2`;
 * - residual: `sigma^2`, or with precision weights `sigma^2 * mean(1 / w_i)`, the average
 *   residual variance of an observation. This is where the method differs from
 *   insight::get_variance, whose residual variance is `sigma^2` (an observation of weight 1) and
 *   so changes with the unit of the weights; pass `weights: null` for that convention
 *   (`weightedResidual: 'sigma2'` in `decompose`);
 * - per covariate term t: `var(X_t beta_t)`, rescaled so the terms add to the fixed part, as
 *   variancePartition does.
 */

/** Inputs: X column-major (n x p), its coefficients and each column's term (-1 = intercept). */
export interface ComponentInputs {
  readonly x: Float64Array;
  readonly n: number;
  readonly p: number;
  readonly beta: ArrayLike<number>;
  readonly termOf: Int32Array;
  readonly nterms: number;
  /** Random-term variances, formula order. */
  readonly randomVariances: ArrayLike<number>;
  readonly sigma2: number;
  readonly weights: Float64Array | null;
}

/** The variance parts. */
export interface ComponentVariances {
  readonly fixed: number;
  /** Per covariate term, rescaled to add to `fixed`. */
  readonly terms: Float64Array;
  readonly random: Float64Array;
  readonly residual: number;
  readonly total: number;
}

function sampleVariance(v: Float64Array): number {
  const n = v.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i] - mean) ** 2;
  return n > 1 ? ss / (n - 1) : 0;
}

/**
 * Variance parts of a fit.
 *
 * @example
 * ```ts
 * const parts = componentVariances({ x, n, p, beta, termOf, nterms: 1, randomVariances: [4, 1], sigma2: 2, weights: null });
 * parts.fixed / parts.total; // the covariates' share
 * ```
 */
export function componentVariances(inp: ComponentInputs): ComponentVariances {
  const { x, n, p, beta, termOf, nterms } = inp;
  const pred = new Float64Array(n);
  const part = new Float64Array(n);
  const terms = new Float64Array(nterms);
  for (let t = 0; t < nterms; t++) {
    part.fill(0);
    let any = false;
    for (let c = 0; c < p; c++) {
      if (termOf[c] !== t) continue;
      any = true;
      const b = beta[c];
      const off = c * n;
      for (let i = 0; i < n; i++) part[i] += b * x[off + i];
    }
    if (!any) continue;
    for (let i = 0; i < n; i++) pred[i] += part[i];
    terms[t] = sampleVariance(part);
  }
  const fixed = sampleVariance(pred);
  const sumTerms = terms.reduce((a, b) => a + b, 0);
  for (let t = 0; t < nterms; t++) terms[t] = sumTerms > 0 ? (terms[t] / sumTerms) * fixed : 0;
  let residual = inp.sigma2;
  if (inp.weights) {
    let s = 0;
    for (let i = 0; i < n; i++) s += 1 / inp.weights[i];
    residual *= s / n;
  }
  const random = Float64Array.from(inp.randomVariances);
  const total = fixed + random.reduce((a, b) => a + b, 0) + residual;
  return { fixed, terms, random, residual, total };
}
