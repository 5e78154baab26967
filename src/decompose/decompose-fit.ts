/**
 * Decompositions of a fitted model as plain data: one method, all three side by side, with
 * optional intervals (profile likelihood, unit bootstrap or parametric percentile bootstrap; see
 * docs/intervals.md). The report layer wraps these in classes.
 */
import { VardecompError } from '../errors.js';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import type { LmmFit } from '../output/lmm-fit.js';
import type { PreparedModel } from '../model/prepare-model.js';
import type { CrossProducts } from '../objective/cross-products.js';
import type { PlsSolution } from '../objective/profiled-criterion.js';
import { componentVariances, type ComponentInputs, type ComponentVariances } from './components.js';
import { cellComponentVariances } from './cell-components.js';
import { fittedEngineTheta, percentileInterval, resolveIntervals, runBootstrap, type IntervalOptions, type ResolvedIntervals } from './bootstrap.js';
import { profileIntervals, type ProfileResult } from './profile-intervals.js';
import { calibratedUnitInterval, runUnitBootstrap, runUnitJackknife, runUnitResamplesFromSums } from './unit-bootstrap.js';
import { unitCrossProductsCover } from './unit-cross-products.js';
import {
  DECOMPOSITION_METHODS,
  type ComparisonData,
  type ComparisonRow,
  type ComponentShare,
  type DecompositionData,
  type DecompositionMethod,
  type IntervalInfo,
  type ShareIntervalKind,
} from './decomposition-data.js';
import { randomGroupVariances, randomKeys, type ModelTerms, type RandomVariancePart } from './random-parts.js';
import {
  r2Game,
  resolveCovariateSplit,
  sequentialShares,
  shapleyShares,
  type CovariateSplitInfo,
  type CovariateSplitOptions,
  type R2Game,
  type R2Split,
} from './r2-shares.js';

/** Options shared by the decomposition entry points. */
export interface DecompositionOptions {
  /** Display names by key, e.g. `{ la_code: 'local', year: 'national', fixed: 'deprivation' }`. */
  labels?: Readonly<Record<string, string>>;
  /** Entry order for the sequential method (default: `fixed`, then random terms in formula order). */
  order?: readonly string[];
  /** Intervals: `true` for the defaults (profile likelihood for components, unit bootstrap for sequential and Shapley), or settings. */
  intervals?: IntervalOptions | boolean;
  /**
   * How the Shapley method splits the fixed share across covariate terms: exactly up to
   * `exactMaxTerms` terms (default 12), above it from `permutations` sampled entry orders
   * (default 500, `seed` 1) with standard errors. The group shares are always exact.
   */
  shapley?: CovariateSplitOptions;
  /**
   * The components method's residual part with precision weights. `'average'` (default): the
   * average residual variance of the rows, `sigma^2 * mean(1 / w)`, which does not depend on the
   * unit of the weights. `'sigma2'`: `sigma^2`, the residual variance of a row of weight 1, as
   * insight::get_variance and performance::r2_nakagawa report it; its shares change when the
   * weights are rescaled (for `c * w`, sigma^2 is `c` times larger). The same without weights.
   * Point estimates only: with `'sigma2'`, intervals are refused.
   */
  weightedResidual?: 'average' | 'sigma2';
}

const RESERVED = ['fixed', 'residual'];

/**
 * The decomposition keys of a model's grouping factors ({@link randomKeys}), refused with
 * `E_OPTION` when one is named `fixed` or `residual` (it would clash with those keys).
 *
 * @example
 * ```ts
 * decompositionGroups(prepared); // ['la', 'year']
 * ```
 */
export function decompositionGroups(model: ModelTerms): string[] {
  const groups = randomKeys(model);
  for (const g of groups) {
    if (RESERVED.includes(g)) {
      throw new VardecompError('E_OPTION', `A random term named "${g}" clashes with the decomposition key "${g}": rename the column`, {
        column: g,
      });
    }
  }
  return groups;
}

function keysOf(prepared: PreparedModel): { keys: string[]; hasFixed: boolean } {
  const groups = decompositionGroups(prepared);
  const hasFixed = prepared.design.p > (prepared.spec.intercept ? 1 : 0);
  return { keys: [...(hasFixed ? ['fixed'] : []), ...groups, 'residual'], hasFixed };
}

/**
 * Check the `labels` option against the decomposition keys (`E_OPTION` for an unknown key or a
 * label that is not a string) and fill in each key's own name where no label is given.
 *
 * @example
 * ```ts
 * resolveLabels(['fixed', 'la', 'residual'], { la: 'Local authority' }); // { fixed: 'fixed', la: 'Local authority', residual: 'residual' }
 * ```
 */
export function resolveLabels(keys: readonly string[], labels: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (labels !== undefined && (typeof labels !== 'object' || labels === null)) {
    throw new VardecompError('E_OPTION', 'Option "labels" must be an object mapping keys to names');
  }
  const given = labels ?? {};
  for (const k of Object.keys(given)) {
    if (!keys.includes(k)) throw new VardecompError('E_OPTION', `Option "labels" names "${k}", which is not a key (keys: ${keys.join(', ')})`);
    if (typeof given[k] !== 'string') throw new VardecompError('E_OPTION', `Option "labels.${k}" must be a string`);
  }
  return Object.fromEntries(keys.map((k) => [k, Object.prototype.hasOwnProperty.call(given, k) ? given[k] : k]));
}

function resolveOrder(keys: readonly string[], order: readonly string[] | undefined): string[] {
  const groupKeys = keys.filter((k) => k !== 'residual');
  if (order === undefined) return groupKeys;
  if (!Array.isArray(order) || order.length !== groupKeys.length || !groupKeys.every((k) => order.includes(k))) {
    throw new VardecompError(
      'E_OPTION',
      `Option "order" must list each of ${groupKeys.map((k) => `"${k}"`).join(', ')} once (got ${JSON.stringify(order)})`,
    );
  }
  return order.slice();
}

/** A solution's random variances per grouping factor (Johnson's, for slopes). */
function randomVariances(prepared: PreparedModel, sol: PlsSolution): Float64Array {
  return randomGroupVariances(prepared, prepared.terms.toFormula(sol.theta), sol.sigma).variances;
}

/**
 * The components method's parts from the rows, or from the cells of a model fitted from
 * aggregates. `weightScale`: the scale of the weights `inp.sigma2` goes with (1 user, the
 * model's `weightScale` engine), or null for insight's `sigma^2` residual; the row path reads the
 * same choice from `inp.weights`.
 */
function variancesOf(prepared: PreparedModel, inp: ComponentInputs, weightScale: number | null): ComponentVariances {
  if (!prepared.cells) return componentVariances(inp);
  const weighted = prepared.cells.weight !== prepared.cells.count;
  return cellComponentVariances({ ...inp, cells: prepared.cells, xShift: prepared.xShift, weighted, residualWeightScale: weightScale });
}

function componentsFromSolution(prepared: PreparedModel, sol: PlsSolution): ComponentVariances {
  const { engine, design } = prepared;
  return variancesOf(prepared, {
    x: engine.x,
    n: engine.n,
    p: engine.p,
    beta: sol.beta,
    termOf: design.termOf,
    nterms: design.terms.length,
    randomVariances: randomVariances(prepared, sol),
    // The engine's sigma goes with the engine's (scaled) weights.
    sigma2: sol.sigma * sol.sigma,
    weights: engine.weights,
  }, prepared.weightScale);
}

function componentShares(prepared: PreparedModel, cv: ComponentVariances, hasFixed: boolean): Record<string, number> {
  const groups = randomKeys(prepared);
  return Object.fromEntries([
    ...(hasFixed ? [['fixed', cv.fixed / cv.total]] : []),
    ...groups.map((g, i) => [g, cv.random[i] / cv.total]),
    ['residual', cv.residual / cv.total],
  ]);
}

/** A replicate's split by one method: only the group shares (the Shapley covariate split is skipped). */
function splitOfGame(game: R2Game, method: 'sequential' | 'shapley', order: string[]): R2Split {
  return method === 'sequential' ? sequentialShares(game, order) : shapleyShares(game, false);
}

function r2Split(prepared: PreparedModel, cp: CrossProducts, method: 'sequential' | 'shapley', order: string[]): R2Split {
  return splitOfGame(r2Game(prepared, cp), method, order);
}

function requireIntercept(prepared: PreparedModel, method: DecompositionMethod): void {
  if (method !== 'components' && !prepared.spec.intercept) {
    throw new VardecompError('E_OPTION', `The ${method} method splits R^2 about the mean and needs a model with an intercept`);
  }
}

interface PointResult {
  /** Parts of each grouping factor's variance (components of a model with random slopes). */
  randomParts?: RandomVariancePart[];
  shares: Record<string, number>;
  covariates: Record<string, number>;
  total: number;
  variances?: Record<string, number>;
  r2?: number;
  covariateSplit?: CovariateSplitInfo;
}

function pointEstimate(
  fit: LmmFit,
  method: DecompositionMethod,
  order: string[],
  hasFixed: boolean,
  shapley: CovariateSplitOptions,
  weightedResidual: 'average' | 'sigma2' = 'average',
): PointResult {
  const prepared = fit.prepared;
  if (method === 'components') {
    // Only sigma^2 Lambda Lambda' enters, the same on the user's and the engine's scale.
    const random = randomGroupVariances(
      prepared,
      prepared.terms.thetaNames.map((nm) => fit.theta[nm]),
      fit.sigma,
    );
    // design.x is centred: X beta differs by a constant, which leaves every variance unchanged.
    const cv = variancesOf(prepared, {
      x: prepared.design.x,
      n: prepared.frame.nobs,
      p: prepared.design.p,
      beta: fit.betaArray(),
      termOf: prepared.design.termOf,
      nterms: prepared.design.terms.length,
      randomVariances: random.variances,
      sigma2: fit.sigma * fit.sigma,
      // insight's convention: sigma^2 alone (the residual variance at weight 1).
      weights: weightedResidual === 'sigma2' ? null : prepared.frame.weights,
    }, weightedResidual === 'sigma2' ? null : 1);
    const liveTerms = prepared.design.terms.filter((_, t) => prepared.design.termOf.includes(t));
    return {
      ...(prepared.terms.scalarOnly ? {} : { randomParts: random.parts }),
      shares: componentShares(prepared, cv, hasFixed),
      covariates: Object.fromEntries(liveTerms.map((t) => [t, cv.terms[prepared.design.terms.indexOf(t)] / cv.total])),
      total: cv.total,
      variances: Object.fromEntries([
        ...(hasFixed ? [['fixed', cv.fixed]] : []),
        ...random.keys.map((g, i) => [g, cv.random[i]]),
        ['residual', cv.residual],
      ]),
    };
  }
  const game = r2Game(prepared, prepared.cp);
  const split = method === 'sequential' ? sequentialShares(game, order) : shapleyShares(game, shapley);
  let wsum = 0;
  const w = prepared.frame.weights;
  if (prepared.cells) for (const wc of prepared.cells.weight) wsum += wc * prepared.weightScale;
  else for (let i = 0; i < prepared.frame.nobs; i++) wsum += w ? w[i] : 1;
  // game.tss is on the engine's (scaled) weights; wsum on the user's.
  const tss = game.tss * prepared.weightScale;
  return {
    shares: split.shares,
    covariates: split.covariates,
    total: tss / (wsum - 1),
    r2: split.r2,
    ...(split.covariateSplit ? { covariateSplit: split.covariateSplit } : {}),
  };
}

/** Check the `weightedResidual` option (E_OPTION): a convention name; `'sigma2'` without intervals on weighted fits. */
function resolveWeightedResidual(value: unknown, weightedWithIntervals: boolean): 'average' | 'sigma2' {
  if (value === undefined) return 'average';
  if (value !== 'average' && value !== 'sigma2') {
    throw new VardecompError('E_OPTION', `Option "weightedResidual" must be "average" or "sigma2" (got ${JSON.stringify(value)})`, {
      option: 'weightedResidual',
    });
  }
  if (value === 'sigma2' && weightedWithIntervals) {
    throw new VardecompError(
      'E_OPTION',
      'Option "weightedResidual: \'sigma2\'" gives point estimates only: intervals are computed for the default "average" convention',
      { option: 'weightedResidual' },
    );
  }
  return value;
}

/** A model without covariates explains nothing by them: `fixed` is 0 (share and variance). */
function withZeroFixed(pt: PointResult): PointResult {
  if ('fixed' in pt.shares) return pt;
  return {
    ...pt,
    shares: { fixed: 0, ...pt.shares },
    ...(pt.variances ? { variances: { fixed: 0, ...pt.variances } } : {}),
  };
}

/** Shares of one replicate for each requested method, flattened as `method/key`. */
function replicateShares(
  methods: readonly DecompositionMethod[],
  order: string[],
  hasFixed: boolean,
): (rep: { prepared: PreparedModel; cp: CrossProducts; solution: PlsSolution }) => Record<string, number> {
  return (rep) => {
    const out: Array<[string, number]> = [];
    for (const method of methods) {
      const shares =
        method === 'components'
          ? componentShares(rep.prepared, componentsFromSolution(rep.prepared, rep.solution), hasFixed)
          : r2Split(rep.prepared, rep.cp, method, order).shares;
      for (const [k, v] of Object.entries(shares)) out.push([`${method}/${k}`, v]);
    }
    return Object.fromEntries(out);
  };
}

type DecompositionIntervalKind = IntervalInfo['kind'];

/** Most random terms for which the default intervals are profiles (each end is a search over the other parts). */
const PROFILE_MAX_TERMS = 3;

/**
 * Whether the profile-likelihood intervals cover a fit: a Gaussian model with one variance
 * parameter (a random intercept) per random term, and at most {@link PROFILE_MAX_TERMS} terms.
 */
function profileCovers(fit: LmmFit): boolean {
  const prepared = fit.prepared;
  const k = prepared.spec.random.length;
  return prepared.terms.scalarOnly && prepared.criterion.size === k && k > 0 && k <= PROFILE_MAX_TERMS;
}

function intervalKindFor(method: DecompositionMethod, settings: ResolvedIntervals, profileOk: boolean, rows: boolean): DecompositionIntervalKind {
  if (settings.method === 'percentile') return 'parametric-bootstrap';
  // Resampling units needs the rows; a model fitted from cell statistics has none.
  if (!rows) return method === 'components' && profileOk && settings.method !== 'unit-bootstrap' ? 'profile' : 'parametric-bootstrap';
  if (settings.method === 'unit-bootstrap') return 'unit-bootstrap';
  if (method === 'components') return profileOk ? 'profile' : 'parametric-bootstrap';
  return 'unit-bootstrap';
}

const ESTIMANDS: Record<DecompositionIntervalKind, (method: DecompositionMethod) => string> = {
  profile: () =>
    "the model's variance shares (the fixed part as beta' S beta with this sample's covariate covariance S); profile likelihood of the REML deviance",
  'parametric-bootstrap': (m) =>
    m === 'components'
      ? 'the shares under the fitted model, design held fixed (percentile of a parametric bootstrap)'
      : 'the expected split of an outcome simulated from the fitted mixed model, design held fixed (unit effects independent of the covariates), not the sample split',
  'unit-bootstrap': () => 'the split expected from a panel of this design drawn from the same population of units (the other grouping levels as observed)',
};

/**
 * The matrix S of the components method's fixed part, `V_f = beta' S beta`, read off the method's
 * own definition by polarisation (rows or cells alike): `S_aa = V_f(e_a)`,
 * `S_ab = (V_f(e_a + e_b) - V_f(e_a) - V_f(e_b)) / 2`.
 */
function fixedCovariance(prepared: PreparedModel): Float64Array {
  const { engine, design } = prepared;
  const p = engine.p;
  const beta = new Float64Array(p);
  const vf = (a: number, b: number): number => {
    beta.fill(0);
    beta[a] = 1;
    beta[b] = 1;
    return variancesOf(prepared, {
      x: engine.x,
      n: engine.n,
      p,
      beta,
      termOf: design.termOf,
      nterms: design.terms.length,
      randomVariances: new Float64Array(prepared.spec.random.length),
      sigma2: 1,
      weights: engine.weights,
    }, prepared.weightScale).fixed;
  };
  const diag = Float64Array.from({ length: p }, (_, a) => vf(a, a));
  const S = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    S[a * p + a] = diag[a];
    for (let b = 0; b < a; b++) {
      const v = (vf(a, b) - diag[a] - diag[b]) / 2;
      S[a * p + b] = v;
      S[b * p + a] = v;
    }
  }
  return S;
}

/** Profile intervals for the components shares; `residualVariance` is the components method's residual part. */
function profileFor(fit: LmmFit, hasFixed: boolean, level: number, residualVariance: number): ProfileResult {
  const prepared = fit.prepared;
  // The engine's theta and sigma (for the scaled weights, see PreparedModel.weightScale).
  const theta = fittedEngineTheta(fit);
  const sigma = fit.sigma / Math.sqrt(prepared.weightScale);
  const residualFactor = residualVariance / (sigma * sigma);
  const fixed = hasFixed ? fixedCovariance(prepared) : undefined;
  return profileIntervals({ prepared, theta, beta: fit.betaArray(), sigma, hasFixed, residualFactor, fixedCovariance: fixed }, level);
}

/**
 * The fit's diagnostics, plus a `NOT_FINITE` warning when a share is not a finite number: a NaN
 * never leaves the library without a word.
 */
function withFiniteCheck(diagnostics: readonly Diagnostic[], shares: Record<string, number>, method: DecompositionMethod): readonly Diagnostic[] {
  const bad = Object.entries(shares).filter(([, v]) => !Number.isFinite(v));
  if (bad.length === 0) return diagnostics;
  const list = bad.map(([k, v]) => `${k} = ${v}`).join(', ');
  return [...diagnostics, diagnostic('NOT_FINITE', 'warning', `The ${method} shares are not finite numbers (${list}): the fit failed numerically`)];
}

/** An info note when the Shapley covariate split was estimated by sampling. */
function withSplitNote(diagnostics: readonly Diagnostic[], split: CovariateSplitInfo | undefined): readonly Diagnostic[] {
  if (!split || split.method !== 'permutation') return diagnostics;
  const worst = Math.max(...Object.values(split.se ?? {}));
  return [
    ...diagnostics,
    diagnostic(
      'SAMPLED_SPLIT',
      'info',
      `The Shapley split of the fixed share across ${split.terms} covariate terms is estimated from ${split.permutations} sampled orders ` +
        `(seed ${split.seed}; largest standard error ${(100 * worst).toPrecision(2)} points); the fixed share itself is exact. ` +
        'Raise shapley.permutations for more precision',
    ),
  ];
}

/**
 * Decompose a fitted model's variation by one method, as plain data.
 *
 * @example
 * ```ts
 * const d = decomposeFit(fit(rows, 'y ~ x + (1|la) + (1|year)'), 'components', { intervals: { n: 500 } });
 * d.shares; // { fixed, la, year, residual }
 * ```
 */
export function decomposeFit(fit: LmmFit, method: DecompositionMethod, options: DecompositionOptions = {}): DecompositionData {
  return compareFit(fit, options, [method]).decompositions[method];
}

/**
 * All requested methods on one fit, sharing one set of bootstrap replicates (each simulated
 * outcome is refitted once and split by every method).
 *
 * @example
 * ```ts
 * const c = compareFit(fit(rows, 'y ~ x + (1|la) + (1|year)'));
 * c.rows; // one row per key with a share per method
 * ```
 */
export function compareFit(
  fit: LmmFit,
  options: DecompositionOptions = {},
  methods: readonly DecompositionMethod[] = DECOMPOSITION_METHODS,
): ComparisonData {
  if (typeof options !== 'object' || options === null) throw new VardecompError('E_OPTION', 'Options must be an object');
  for (const m of methods) {
    if (!DECOMPOSITION_METHODS.includes(m)) {
      throw new VardecompError('E_OPTION', `Option "method" must be one of ${DECOMPOSITION_METHODS.join(', ')} (got ${JSON.stringify(m)})`);
    }
  }
  const prepared = fit.prepared;
  for (const m of methods) requireIntercept(prepared, m);
  const { keys, hasFixed } = keysOf(prepared);
  // Every decomposition has the same keys: without covariates, `fixed` is there with share 0.
  const shown = hasFixed ? keys : ['fixed', ...keys];
  const labels = resolveLabels(shown, options.labels);
  const order = resolveOrder(keys, options.order);
  const settings = resolveIntervals(options.intervals);
  const shapley = resolveCovariateSplit(options.shapley);
  const weightedResidual = resolveWeightedResidual(options.weightedResidual, settings !== null && prepared.frame.weights !== null);
  const points = new Map(methods.map((m) => [m, withZeroFixed(pointEstimate(fit, m, order, hasFixed, shapley, weightedResidual))]));
  const profileOk = profileCovers(fit);
  const hasRows = !prepared.cells;
  const kinds = new Map(methods.map((m) => [m, settings ? intervalKindFor(m, settings, profileOk, hasRows) : null]));
  const profile = settings && methods.includes('components') && kinds.get('components') === 'profile'
      ? profileFor(fit, hasFixed, settings.level, points.get('components')!.variances!.residual)
      : null;
  const profileFailed = profile ? profile.intervals.some((iv) => !(Number.isFinite(iv.lower) && Number.isFinite(iv.upper))) : false;
  // Parametric replicates: for the methods that use them, and for components when a profile end failed.
  const parametricMethods = methods.filter((m) => kinds.get(m) === 'parametric-bootstrap' || (m === 'components' && profileFailed));
  let reps: Map<string, Float64Array> | null = null;
  if (settings && parametricMethods.length > 0) {
    reps = runBootstrap(fit, settings, replicateShares(parametricMethods, order, hasFixed), parametricMethods.includes('components'));
  }
  const unitMethods = methods.filter((m) => kinds.get(m) === 'unit-bootstrap');
  let unitReps: Map<string, Float64Array> | null = null;
  let unitJackknife: Map<string, Float64Array> | null = null;
  if (settings && unitMethods.length > 0) {
    // Sequential and Shapley replicates are least-squares fits: from per-unit cross-products
    // when the model allows (same draws, same values); components replicates are refits.
    const summed = unitCrossProductsCover(prepared)
      ? unitMethods.filter((m): m is 'sequential' | 'shapley' => m !== 'components')
      : [];
    const rowMethods = unitMethods.filter((m) => !(summed as DecompositionMethod[]).includes(m));
    unitReps = new Map();
    unitJackknife = new Map();
    if (rowMethods.length > 0) {
      const unitShares = replicateShares(rowMethods, order, hasFixed);
      const refit = rowMethods.includes('components');
      for (const [k, v] of runUnitBootstrap(fit, settings, unitShares, refit)) unitReps.set(k, v);
      // The jackknife over units sets the interval's scale (see calibratedUnitInterval).
      for (const [k, v] of runUnitJackknife(fit, unitShares, refit, settings.seed)) unitJackknife.set(k, v);
    }
    if (summed.length > 0) {
      // Progress is reported by the refits when there are any (they take the time).
      const quiet = rowMethods.length > 0 ? { ...settings, onProgress: undefined } : settings;
      const sums = runUnitResamplesFromSums(fit, quiet, (regs) => {
        // One game for both methods: its regressions are shared.
        const game = r2Game(prepared, regs);
        const out: Record<string, number> = {};
        for (const method of summed) {
          for (const [k, v] of Object.entries(splitOfGame(game, method, order).shares)) out[`${method}/${k}`] = v;
        }
        return out;
      });
      for (const [k, v] of sums.replicates) unitReps.set(k, v);
      for (const [k, v] of sums.jackknife) unitJackknife.set(k, v);
    }
  }
  const kindOf = (k: string): ComponentShare['kind'] => (k === 'fixed' ? 'fixed' : k === 'residual' ? 'residual' : 'random');
  const decompositions = {} as Record<DecompositionMethod, DecompositionData>;
  for (const method of methods) {
    const pt = points.get(method)!;
    const kind = kinds.get(method) ?? null;
    const pool = kind === 'unit-bootstrap' ? unitReps : reps;
    let fallback: string | undefined;
    if (settings && method === 'components' && kind === 'parametric-bootstrap' && !profileOk && settings.method !== 'percentile') {
      fallback = `profile-likelihood intervals cover random-intercept Gaussian models with up to ${PROFILE_MAX_TERMS} random terms: percentile parametric bootstrap used`;
    } else if (settings && kind === 'parametric-bootstrap' && !hasRows && settings.method !== 'percentile') {
      fallback = 'the unit bootstrap resamples rows, and a model fitted from cell statistics has none: percentile parametric bootstrap used';
    }
    const components: ComponentShare[] = shown.map((key) => {
      const base: ComponentShare = {
        key,
        label: labels[key],
        kind: kindOf(key),
        ...(pt.variances ? { variance: pt.variances[key] } : {}),
        share: pt.shares[key],
      };
      if (!settings || !kind) return base;
      if (!hasFixed && key === 'fixed') {
        // No covariates: the fixed share is 0 by construction, not estimated.
        return { ...base, lower: 0, upper: 0, intervalMethod: kind === 'profile' ? 'profile' : kind === 'parametric-bootstrap' ? 'percentile' : kind };
      }
      if (kind === 'profile' && profile) {
        const iv = profile.intervals[profile.slots.indexOf(key)];
        if (Number.isFinite(iv.lower) && Number.isFinite(iv.upper)) {
          return { ...base, lower: iv.lower, upper: iv.upper, intervalMethod: iv.method };
        }
        fallback = 'the profile did not bracket every end: those shares use the percentile parametric bootstrap';
        const arr = reps?.get(`${method}/${key}`);
        const [lower, upper] = arr ? percentileInterval(arr, settings.level) : [NaN, NaN];
        return { ...base, lower, upper, intervalMethod: 'percentile' };
      }
      const arr = pool?.get(`${method}/${key}`);
      if (!arr) return { ...base, lower: NaN, upper: NaN };
      if (kind === 'parametric-bootstrap') {
        const [lower, upper] = percentileInterval(arr, settings.level);
        return { ...base, lower, upper, intervalMethod: 'percentile' };
      }
      const [lower, upper] = calibratedUnitInterval(arr, unitJackknife?.get(`${method}/${key}`), pt.shares[key], settings.level);
      return { ...base, lower, upper, intervalMethod: 'unit-bootstrap' };
    });
    let succeeded = 0;
    let nReps = 0;
    const usedPool = kind === 'profile' ? (profileFailed ? reps : null) : pool;
    if (settings && usedPool) {
      nReps = settings.n;
      const first = usedPool.get(`${method}/${keys[0]}`);
      succeeded = first ? Array.from(first).filter(Number.isFinite).length : 0;
    }
    decompositions[method] = {
      method,
      outcome: prepared.spec.outcome,
      formula: fit.formula,
      nobs: fit.nobs,
      nDropped: fit.nDropped,
      shares: Object.fromEntries(shown.map((k) => [k, pt.shares[k]])),
      components,
      covariates: pt.covariates,
      total: pt.total,
      labels,
      ...(method === 'sequential' ? { order } : {}),
      ...(pt.r2 !== undefined ? { r2: pt.r2 } : {}),
      ...(pt.randomParts ? { randomParts: pt.randomParts.map((rp) => ({ ...rp, share: rp.variance / pt.total })) } : {}),
      ...(pt.covariateSplit ? { covariateSplit: pt.covariateSplit } : {}),
      ...(settings && kind
        ? {
            intervals: {
              n: nReps,
              succeeded,
              level: settings.level,
              seed: settings.seed,
              kind,
              estimand: ESTIMANDS[kind](method),
              ...(fallback ? { fallback } : {}),
              ...(settings.keepReplicates && usedPool
                ? {
                    replicates: Object.fromEntries(
                      shown.map((k) => [k, Array.from(usedPool.get(`${method}/${k}`) ?? (k === 'fixed' ? new Float64Array(settings.n) : []))]),
                    ),
                  }
                : {}),
            },
          }
        : {}),
      diagnostics: withSplitNote(withFiniteCheck(fit.diagnostics, pt.shares, method), pt.covariateSplit),
    };
  }
  const rows: ComparisonRow[] = shown.map((key) => {
    const pick = (f: (d: DecompositionData) => number | undefined) =>
      Object.fromEntries(methods.map((m) => [m, f(decompositions[m]) ?? NaN])) as Record<DecompositionMethod, number>;
    const comp = (d: DecompositionData) => d.components.find((c) => c.key === key)!;
    return {
      key,
      label: labels[key],
      kind: kindOf(key),
      shares: pick((d) => d.shares[key]),
      ...(settings ? { lower: pick((d) => comp(d).lower), upper: pick((d) => comp(d).upper) } : {}),
    };
  });
  return { outcome: prepared.spec.outcome, formula: fit.formula, methods: methods.slice(), rows, decompositions };
}
