/**
 * Parametric bootstrap for decomposition shares: simulate outcomes from the fitted model
 * (`y* = X beta + sum_k sigma_k z_k + sigma e / sqrt(w)`), refit each on the same design
 * (reusing every design-only cross-product and starting from the fitted theta), recompute the
 * shares, and take percentile intervals. Seeded: the same seed gives the same replicates.
 */
import { VardecompError } from '../errors.js';
import { optimizeTheta } from '../model/optimize-theta.js';
import type { PreparedModel } from '../model/prepare-model.js';
import type { CrossProducts } from '../objective/cross-products.js';
import { ProfiledCriterion, type PlsSolution } from '../objective/profiled-criterion.js';
import { Rng } from '../random/rng.js';
import { cellResponseSimulator } from './cell-simulation.js';
import type { LmmFit } from '../output/lmm-fit.js';

/**
 * How intervals are made. `auto` (the default): profile likelihood for the components shares of
 * random-intercept Gaussian models (a percentile parametric bootstrap where the profile does not
 * apply), a unit bootstrap for sequential and Shapley. `profile`: the same (the profile exists for
 * the components method only). `percentile`: the parametric percentile bootstrap for every
 * method (as partR2 and lme4's bootMer). `unit-bootstrap`: resample whole units for every method.
 */
export type IntervalMethodOption = 'auto' | 'profile' | 'percentile' | 'unit-bootstrap';

const INTERVAL_METHODS: readonly IntervalMethodOption[] = ['auto', 'profile', 'percentile', 'unit-bootstrap'];

/** Interval options. */
export interface IntervalOptions {
  /** Interval method (default `auto`). */
  method?: IntervalMethodOption;
  /**
   * What a unit bootstrap draws: whole units (the only scheme offered). `'two-way'` (units and
   * periods drawn independently) is refused with `E_UNSUPPORTED`: with 5 to 12 periods it
   * cannot reproduce the spread of a period share (docs/intervals.md).
   */
  resample?: 'units';
  /** Replicates (default 1000). */
  n?: number;
  /** Interval coverage (default 0.95). */
  level?: number;
  /** Seed (default 1). */
  seed?: number;
  /** Called after each replicate with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Keep every replicate's shares in the result (default false). */
  keepReplicates?: boolean;
}

/** Validated interval settings. */
export interface ResolvedIntervals {
  readonly method: IntervalMethodOption;
  readonly resample: 'units';
  readonly n: number;
  readonly level: number;
  readonly seed: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly keepReplicates: boolean;
}

/**
 * The most bootstrap replicates `intervals.n` may ask for.
 *
 * @example
 * ```ts
 * if (n > MAX_REPLICATES) throw new Error('too many replicates');
 * ```
 */
export const MAX_REPLICATES = 1e7;

/**
 * Validate interval options (`E_OPTION` naming the field).
 *
 * @example
 * ```ts
 * resolveIntervals({ n: 500, seed: 7 }); // { method: 'auto', resample: 'units', n: 500, level: 0.95, seed: 7, keepReplicates: false }
 * ```
 */
export function resolveIntervals(opt: IntervalOptions | boolean | undefined): ResolvedIntervals | null {
  if (opt === undefined || opt === false) return null;
  const o: IntervalOptions = opt === true ? {} : opt;
  if (typeof o !== 'object' || o === null) throw new VardecompError('E_OPTION', 'Option "intervals" must be an object or true');
  for (const k of Object.keys(o)) {
    if (!['method', 'resample', 'n', 'level', 'seed', 'onProgress', 'keepReplicates'].includes(k)) {
      throw new VardecompError('E_OPTION', `Unknown option "intervals.${k}" (expected method, resample, n, level, seed, onProgress, keepReplicates)`);
    }
  }
  const method = o.method ?? 'auto';
  if (!INTERVAL_METHODS.includes(method)) {
    throw new VardecompError('E_OPTION', `Option "intervals.method" must be one of ${INTERVAL_METHODS.join(', ')} (got ${JSON.stringify(method)})`);
  }
  const resample = o.resample ?? 'units';
  if ((resample as string) === 'two-way') {
    throw new VardecompError(
      'E_UNSUPPORTED',
      'Option "intervals.resample: \'two-way\'" is not offered: resampling the few levels of a crossed factor (5 to 12 periods) ' +
        'cannot reproduce the spread of its share, and its 95% intervals covered the period share 77-92% of the time ' +
        '(docs/validation.md). Use the default unit bootstrap (resample: \'units\'; the periods as observed), or the ' +
        "components method's profile-likelihood intervals, which treat the period variance as random with its T - 1 degrees of freedom",
      { option: 'intervals.resample' },
    );
  }
  if (resample !== 'units') {
    throw new VardecompError('E_OPTION', `Option "intervals.resample" must be "units" (got ${JSON.stringify(resample)})`, { option: 'intervals.resample' });
  }
  const n = o.n ?? 1000;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 2 || n > MAX_REPLICATES) {
    throw new VardecompError('E_OPTION', `Option "intervals.n" must be an integer from 2 to 10,000,000 (got ${String(n)})`);
  }
  const level = o.level ?? 0.95;
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    throw new VardecompError('E_OPTION', `Option "intervals.level" must be a number strictly between 0 and 1 (got ${String(level)})`);
  }
  const seed = o.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new VardecompError('E_OPTION', `Option "intervals.seed" must be a finite number (got ${String(seed)})`);
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new VardecompError('E_OPTION', 'Option "intervals.onProgress" must be a function');
  }
  if (o.keepReplicates !== undefined && typeof o.keepReplicates !== 'boolean') {
    throw new VardecompError('E_OPTION', 'Option "intervals.keepReplicates" must be true or false');
  }
  return { method, resample, n, level, seed, onProgress: o.onProgress, keepReplicates: o.keepReplicates ?? false };
}

/** One simulated replicate, refitted: what share calculators need. */
export interface Replicate {
  readonly prepared: PreparedModel;
  readonly cp: CrossProducts;
  /** The refit at the replicate's optimum (engine-order theta inside). */
  readonly solution: PlsSolution;
  readonly converged: boolean;
}

/**
 * A function that draws one replicate outcome row by row
 * (`y* = X beta + Z b + sigma e / sqrt(w)`, each term's effects `b` drawn level by level from
 * N(0, sigma^2 Lambda Lambda')) and writes its cross-products into `cp`.
 *
 * @example
 * ```ts
 * const simulate = rowResponseSimulator(fitted, cp);
 * simulate(new Rng(1));
 * ```
 */
export function rowResponseSimulator(fitted: LmmFit, cp: CrossProducts): (rng: Rng) => void {
  const { frame, design, spec } = fitted.prepared;
  const n = frame.nobs;
  // X is stored centred, so this mean is X beta up to a constant; each replicate is re-centred.
  const beta = fitted.betaArray();
  const mean = new Float64Array(n);
  for (let c = 0; c < design.p; c++) {
    const off = c * n;
    for (let i = 0; i < n; i++) mean[i] += beta[c] * design.x[off + i];
  }
  const { terms } = fitted.prepared;
  // theta and sigma on the user's scale (for the user's weights); each term's effects are drawn
  // from N(0, sigma^2 Lambda Lambda'), level by level.
  const thetaUser = terms.thetaNames.map((nm) => fitted.theta[nm]);
  const sds = terms.terms.map((t, i) => (t.scalarIntercept ? thetaUser[terms.formulaOffsets[i]] * fitted.sigma : NaN));
  const sigma = fitted.sigma;
  const w = frame.weights;
  const ystar = new Float64Array(n);
  const effects = terms.terms.map((t) => new Float64Array(t.levels.length * t.width));
  const vector = terms.terms.map((t, k) => ({ k, t })).filter((e) => !e.t.scalarIntercept);
  const scalar = terms.terms.map((t, k) => k).filter((k) => terms.terms[k].scalarIntercept);
  return (rng: Rng) => {
    const draw = () => rng.normal();
    terms.terms.forEach((t, k) => {
      const e = effects[k];
      if (t.scalarIntercept) for (let l = 0; l < e.length; l++) e[l] = sds[k] * rng.normal();
      else t.drawEffects(thetaUser, terms.formulaOffsets[k], sigma, draw, e);
    });
    let wsum = 0;
    let wy = 0;
    for (let i = 0; i < n; i++) {
      let v = mean[i] + sigma * rng.normal() / (w ? Math.sqrt(w[i]) : 1);
      for (const k of scalar) v += effects[k][terms.terms[k].codes[i]];
      for (const { k, t } of vector) {
        const S = t.width;
        const base = t.codes[i] * S;
        for (let s2 = 0; s2 < S; s2++) v += effects[k][base + s2] * (t.z[s2] ? t.z[s2]![i] : 1);
      }
      ystar[i] = v;
      const wi = w ? w[i] : 1;
      wsum += wi;
      wy += wi * v;
    }
    const shift = spec.intercept ? wy / wsum : 0;
    for (let i = 0; i < n; i++) ystar[i] -= shift;
    cp.setResponse(ystar);
  };
}

/**
 * Run the bootstrap: for each replicate call `shares(rep)`, which returns shares by key (or
 * several sets, e.g. one per method, flattened as `method/key`). Returns the per-key replicate
 * arrays (NaN where a replicate failed).
 *
 * @example
 * ```ts
 * const reps = runBootstrap(fitted, resolveIntervals({ n: 200 })!, (rep) => ({ la: ..., year: ... }));
 * ```
 */
export function runBootstrap(
  fitted: LmmFit,
  settings: ResolvedIntervals,
  shares: (rep: Replicate) => Record<string, number>,
  needsRefit = true,
): Map<string, Float64Array> {
  const prepared = fitted.prepared;
  const cp = prepared.cp.clone();
  const criterion = new ProfiledCriterion(cp, prepared.reml);
  const repModel: PreparedModel = { ...prepared, cp, criterion };
  const thetaFitted = fittedEngineTheta(fitted);
  // A model fitted from cell statistics draws each replicate's cell statistics exactly.
  const simulate = prepared.cells ? cellResponseSimulator(fitted, cp) : rowResponseSimulator(fitted, cp);
  const out = new Map<string, Float64Array>();
  const root = new Rng(settings.seed);
  for (let r = 0; r < settings.n; r++) {
    simulate(root.fork(r));
    let rec: Record<string, number>;
    try {
      let solution: PlsSolution;
      let converged = true;
      if (needsRefit) {
        const opt = optimizeTheta(repModel, {}, thetaFitted);
        solution = criterion.solve(opt.theta);
        converged = opt.converged;
      } else {
        solution = criterion.solve(thetaFitted);
      }
      rec = shares({ prepared: repModel, cp, solution, converged });
    } catch {
      rec = {};
    }
    recordReplicate(out, rec, r, settings.n);
    settings.onProgress?.(r + 1, settings.n);
  }
  return out;
}

/**
 * A fit's theta as the engine fits it: engine order, for the engine's scaled weights
 * (`theta * sqrt(weightScale)`, see PreparedModel.weightScale), where the fit reports theta by
 * name for the user's weights.
 *
 * @example
 * ```ts
 * fitted.prepared.criterion.solve(fittedEngineTheta(fitted)); // the fitted solution
 * ```
 */
export function fittedEngineTheta(fitted: LmmFit): Float64Array {
  const { terms, weightScale } = fitted.prepared;
  const rootScale = Math.sqrt(weightScale);
  return terms.toEngine(terms.thetaNames.map((nm) => fitted.theta[nm] * rootScale));
}

/**
 * Store replicate `r`'s shares by key (arrays of length `total`, NaN until set).
 *
 * @example
 * ```ts
 * const out = new Map<string, Float64Array>();
 * recordReplicate(out, { la: 0.4 }, 0, 100); // out.get('la')[0] === 0.4
 * ```
 */
export function recordReplicate(out: Map<string, Float64Array>, rec: Record<string, number>, r: number, total: number): void {
  for (const [k, v] of Object.entries(rec)) {
    let arr = out.get(k);
    if (!arr) {
      arr = new Float64Array(total).fill(NaN);
      out.set(k, arr);
    }
    arr[r] = v;
  }
}

/**
 * Type-7 quantiles (R's default `quantile`) of the finite values of a replicate array: returns
 * the quantile function, or null when no value is finite.
 *
 * @example
 * ```ts
 * quantilesOf(Float64Array.of(1, 2, 3, 4, 5))!(0.25); // 2
 * ```
 */
export function quantilesOf(values: Float64Array): ((p: number) => number) | null {
  const v = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return (p: number) => {
    const h = (v.length - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, v.length - 1);
    return v[lo] + (h - lo) * (v[hi] - v[lo]);
  };
}

/**
 * Percentile interval of the finite values of a replicate array (type-7 quantiles, as R's
 * default `quantile`).
 *
 * @example
 * ```ts
 * percentileInterval(Float64Array.of(1, 2, 3, 4, 5), 0.5); // [2, 4]
 * ```
 */
export function percentileInterval(values: Float64Array, level: number): [number, number] {
  const q = quantilesOf(values);
  if (!q) return [NaN, NaN];
  const a = (1 - level) / 2;
  return [q(a), q(1 - a)];
}
