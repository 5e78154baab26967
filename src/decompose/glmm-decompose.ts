/**
 * Decomposition of a GLMM on the latent scale (the components method; see latent-shares.ts), with
 * parametric-bootstrap intervals: simulate counts (or successes) from the fitted model — new
 * random effects for every term, each level's drawn from N(0, Lambda Lambda'), then Poisson or
 * binomial responses at the conditional means —,
 * refit each replicate (and its null model) from the fitted estimates, and take percentile
 * intervals of the shares. sequential and Shapley split the R^2 of a Gaussian model and are
 * refused for GLMMs.
 */
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { VardecompError } from '../errors.js';
import type { LatentApproximation } from '../family/family.js';
import type { GlmmModel } from '../glmm/glmm-model.js';
import { optimizeGlmm } from '../glmm/optimize-glmm.js';
import type { GlmmFit } from '../output/glmm-fit.js';
import { binomialDraw, poissonDraw } from '../random/count-samplers.js';
import { Rng } from '../random/rng.js';
import { percentileInterval, resolveIntervals, type ResolvedIntervals } from './bootstrap.js';
import { decompositionGroups, resolveLabels, type DecompositionOptions } from './decompose-fit.js';
import type { ComponentShare, DecompositionData, DecompositionMethod } from './decomposition-data.js';
import { latentParts, nullGlmmModel, type LatentParts, type NullModelSummary } from './latent-shares.js';
import { randomGroupVariances, randomKeys } from './random-parts.js';

/** Options of a GLMM decomposition. */
export interface GlmmDecompositionOptions extends DecompositionOptions {
  /** The Poisson distribution-specific variance: `'lognormal'` (default), `'delta'` or `'trigamma'`. */
  approximation?: LatentApproximation;
}

const APPROXIMATIONS: readonly LatentApproximation[] = ['lognormal', 'delta', 'trigamma'];

/** A null-model fit: its summary and the engine-order theta and intercept to restart from. */
interface NullFit {
  readonly summary: NullModelSummary;
  readonly theta: Float64Array;
  readonly beta: Float64Array;
}

/** The null model of each fitted GLMM, fitted once. */
const nullFits = new WeakMap<GlmmFit, NullFit>();

/** Bootstrap refits stop at Newton steps below 1e-7 (relative): far below the replicates' spread. */
const REFIT_CONTROL = { stepTolerance: 1e-7 };

function fitNull(model: GlmmModel, start?: NullFit): NullFit {
  const opt = optimizeGlmm(nullGlmmModel(model), {
    vcov: false,
    ...(start ? { start: { theta: start.theta, beta: start.beta }, control: REFIT_CONTROL } : {}),
  });
  // The null model's random variance on the latent scale: Johnson's Tr(Z Sigma Z')/n over the
  // rows (the sum of the variances for random intercepts).
  let sigma2 = 0;
  for (const v of groupVariances(model, opt.theta)) sigma2 += v;
  return { summary: { intercept: opt.beta[0], sigma2 }, theta: opt.theta, beta: opt.beta };
}

/** Johnson's variance of each grouping factor ({@link randomKeys} order) at an engine-order theta (scale 1). */
function groupVariances(model: GlmmModel, engineTheta: ArrayLike<number>): Float64Array {
  return randomGroupVariances(model, model.terms.toFormula(engineTheta), 1).variances;
}

function sharesOf(model: GlmmModel, parts: LatentParts, hasFixed: boolean): Record<string, number> {
  const groups = randomKeys(model);
  return Object.fromEntries([
    ...(hasFixed ? [['fixed', parts.fixed / parts.total]] : [['fixed', 0]]),
    ...groups.map((g, i) => [g, parts.random[i] / parts.total]),
    ['residual', parts.distribution / parts.total],
  ]);
}

/**
 * Refuse (`E_UNSUPPORTED`) a method other than components for a GLMM: sequential and Shapley
 * split the R^2 of a Gaussian model.
 *
 * @example
 * ```ts
 * requireGlmmComponents('shapley', 'poisson'); // throws, pointing to method "components"
 * ```
 */
export function requireGlmmComponents(method: DecompositionMethod, family: string): void {
  if (method === 'components') return;
  throw new VardecompError(
    'E_UNSUPPORTED',
    `The ${method} method splits the R^2 of a Gaussian model and is not defined for a ${family} GLMM: use method "components" (latent-scale shares)`,
    { option: 'method' },
  );
}

/** Options of the Gaussian decomposition that have no meaning for a GLMM's latent-scale components. */
const GAUSSIAN_ONLY: ReadonlyArray<readonly [keyof GlmmDecompositionOptions, string]> = [
  ['order', 'orders the terms of the sequential method'],
  ['shapley', 'splits the covariates in the Shapley method'],
  ['weightedResidual', "chooses a weighted Gaussian model's residual convention; a GLMM's residual part is the distribution-specific variance"],
];

/**
 * Refuse (`E_OPTION`) options of the Gaussian methods given for a GLMM, rather than ignore them.
 *
 * @example
 * ```ts
 * refuseGaussianOptions({ order: ['year', 'la'] }, 'poisson'); // throws, naming "order"
 * ```
 */
export function refuseGaussianOptions(options: GlmmDecompositionOptions, family: string): void {
  for (const [key, what] of GAUSSIAN_ONLY) {
    if (options[key] === undefined) continue;
    throw new VardecompError(
      'E_OPTION',
      `Option "${key}" ${what}: it does not apply to the latent-scale components of a ${family} GLMM. Remove it`,
      { option: key },
    );
  }
}

/** The Poisson approximation asked for (default lognormal), or `E_OPTION`. */
function approximationOf(options: GlmmDecompositionOptions): LatentApproximation {
  const approximation = options.approximation ?? 'lognormal';
  if (!APPROXIMATIONS.includes(approximation)) {
    throw new VardecompError('E_OPTION', `Option "approximation" must be one of ${APPROXIMATIONS.join(', ')} (got ${JSON.stringify(approximation)})`, {
      option: 'approximation',
    });
  }
  return approximation;
}

/**
 * Check the options of a GLMM decomposition that need no fit (`E_OPTION`): the Gaussian methods'
 * options, the approximation and the intervals; `decompose` and `decomposeMany` call it before
 * fitting anything.
 *
 * @example
 * ```ts
 * checkGlmmDecompositionOptions({ approximation: 'exact' }, 'poisson'); // throws, naming "approximation"
 * ```
 */
export function checkGlmmDecompositionOptions(options: GlmmDecompositionOptions, family: string): void {
  refuseGaussianOptions(options, family);
  approximationOf(options);
  resolveIntervals(options.intervals);
}

/**
 * Decompose a fitted GLMM by the components method on the latent scale, optionally with
 * parametric-bootstrap intervals.
 *
 * @example
 * ```ts
 * const d = decomposeGlmmFit(fit(rows, 'n ~ x + (1|la) + (1|year) + (1|obs)', { family: 'poisson', offset: 'log_pop' }), 'components');
 * d.shares; // { fixed, la, year, obs, residual }
 * ```
 */
export function decomposeGlmmFit(fit: GlmmFit, method: DecompositionMethod, options: GlmmDecompositionOptions = {}): DecompositionData {
  requireGlmmComponents(method, fit.family);
  refuseGaussianOptions(options, fit.family);
  const approximation = approximationOf(options);
  const model = fit.model;
  const groups = decompositionGroups(model);
  const hasFixed = model.design.p > (model.spec.intercept ? 1 : 0);
  const keys = ['fixed', ...groups, 'residual'];
  const labels = resolveLabels(keys, options.labels);
  let nullFit: NullFit | null = null;
  if (model.family.name === 'poisson') {
    nullFit = nullFits.get(fit) ?? fitNull(model);
    nullFits.set(fit, nullFit);
  }
  const random = randomGroupVariances(model, model.terms.toFormula(fit.engineTheta), 1);
  const parts = latentParts(model, fit.betaArray(), random.variances, nullFit?.summary ?? null, approximation);
  const shares = sharesOf(model, parts, hasFixed);
  const settings = resolveIntervals(options.intervals);
  const reps = settings ? runGlmmBootstrap(fit, settings, approximation, nullFit, hasFixed) : null;
  const obs = new Set(fit.observationLevel);
  const kindOf = (k: string): ComponentShare['kind'] =>
    k === 'fixed' ? 'fixed' : k === 'residual' || obs.has(k) ? 'residual' : 'random';
  const varianceOf = (k: string): number =>
    k === 'fixed' ? (hasFixed ? parts.fixed : 0) : k === 'residual' ? parts.distribution : parts.random[groups.indexOf(k)];
  let succeeded = 0;
  if (reps) succeeded = Array.from(reps.get('residual') ?? []).filter(Number.isFinite).length;
  const components: ComponentShare[] = keys.map((key) => {
    const base: ComponentShare = { key, label: labels[key], kind: kindOf(key), variance: varianceOf(key), share: shares[key] };
    if (!reps || !settings) return base;
    const [lower, upper] = percentileInterval(reps.get(key)!, settings.level);
    return { ...base, lower, upper, intervalMethod: 'percentile' as const };
  });
  const liveTerms = model.design.terms.filter((_, t) => model.design.termOf.includes(t));
  const diagnostics: Diagnostic[] = [...fit.diagnostics];
  if (obs.size > 0) {
    diagnostics.push(
      diagnostic(
        'OBSERVATION_LEVEL',
        'info',
        `${[...obs].map((g) => `"${g}"`).join(', ')} has one level per row: an observation-level effect (overdispersion), reported with the residual`,
      ),
    );
  }
  return {
    method,
    outcome: model.spec.outcome,
    formula: fit.formula,
    nobs: fit.nobs,
    nDropped: fit.nDropped,
    shares,
    components,
    covariates: Object.fromEntries(liveTerms.map((t) => [t, parts.terms[model.design.terms.indexOf(t)] / parts.total])),
    total: parts.total,
    labels,
    ...(settings
      ? {
          intervals: {
            n: settings.n,
            succeeded,
            level: settings.level,
            seed: settings.seed,
            kind: 'parametric-bootstrap' as const,
            estimand: 'the latent-scale shares under the fitted GLMM, design held fixed (percentile of a parametric bootstrap)',
            ...(settings.method !== 'percentile'
              ? {
                  fallback:
                    'profile-likelihood and unit-bootstrap intervals cover Gaussian models: percentile parametric bootstrap used for this GLMM',
                }
              : {}),
            ...(settings.keepReplicates ? { replicates: Object.fromEntries(keys.map((k) => [k, Array.from(reps!.get(k)!)])) } : {}),
          },
        }
      : {}),
    diagnostics,
    ...(model.terms.scalarOnly
      ? {}
      : { randomParts: random.parts.map((rp) => ({ key: rp.key, names: rp.names, variance: rp.variance, share: rp.variance / parts.total })) }),
    latent: { family: fit.family, approximation, lambda: parts.lambda, distribution: parts.distribution, nullModel: nullFit?.summary ?? null },
  };
}

/** Parametric bootstrap of the latent shares: per-key replicate arrays (NaN where a refit failed). */
function runGlmmBootstrap(
  fit: GlmmFit,
  settings: ResolvedIntervals,
  approximation: LatentApproximation,
  nullFit: NullFit | null,
  hasFixed: boolean,
): Map<string, Float64Array> {
  const model = fit.model;
  const { n, design, family, priorWeights, offset } = model;
  const beta = fit.betaArray();
  const xbeta = new Float64Array(n);
  for (let j = 0; j < design.p; j++) {
    const off = j * n;
    for (let i = 0; i < n; i++) xbeta[i] += beta[j] * design.x[off + i];
  }
  const { terms } = model;
  const thetaFormula = terms.toFormula(fit.engineTheta);
  const effects = terms.terms.map((t) => new Float64Array(t.levels.length * t.width));
  const keys = ['fixed', ...randomKeys(model), 'residual'];
  const out = new Map(keys.map((k) => [k, new Float64Array(settings.n).fill(Number.NaN)]));
  const start = { theta: fit.engineTheta, beta };
  const root = new Rng(settings.seed);
  for (let r = 0; r < settings.n; r++) {
    const rng = root.fork(r);
    const eta = Float64Array.from(xbeta, (v, i) => v + offset[i]);
    terms.terms.forEach((t, k) => {
      t.drawEffects(thetaFormula, terms.formulaOffsets[k], 1, () => rng.normal(), effects[k]);
      t.addZb(effects[k], eta);
    });
    const ystar = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const mu = family.linkinv(eta[i]);
      ystar[i] = family.name === 'poisson' ? poissonDraw(rng, mu) : binomialDraw(rng, priorWeights[i], mu) / priorWeights[i];
    }
    let varies = false;
    for (let i = 1; i < n && !varies; i++) varies = ystar[i] !== ystar[0];
    if (varies) {
      try {
        const repModel: GlmmModel = { ...model, y: ystar };
        const opt = optimizeGlmm(repModel, { start, vcov: false, control: REFIT_CONTROL });
        const repNull = nullFit ? fitNull(repModel, nullFit) : null;
        const parts = latentParts(repModel, opt.beta, groupVariances(model, opt.theta), repNull?.summary ?? null, approximation);
        const shares = sharesOf(repModel, parts, hasFixed);
        if (opt.converged) for (const k of keys) out.get(k)![r] = shares[k];
      } catch {
        // A replicate that cannot be refitted stays NaN and is counted as failed.
      }
    }
    settings.onProgress?.(r + 1, settings.n);
  }
  return out;
}
