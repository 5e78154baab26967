/**
 * Nonparametric bootstrap that resamples whole units (the levels of the first grouping factor),
 * keeping every row of a drawn unit together. A unit drawn twice enters twice, as two distinct
 * units. Because the covariates travel with their units, the dependence between covariates and
 * unit effects is kept: the replicates describe the sampling variation of the sample's own split
 * (the estimand is the split expected from a panel of this design drawn from the same
 * population of units, the other grouping levels as observed), not the split under a fitted
 * model in which unit effects are independent of the covariates.
 *
 * The interval ({@link calibratedUnitInterval}) takes its shape from the bootstrap and its scale
 * from the delete-a-group jackknife over units ({@link runUnitJackknife}), with levels from
 * Student's t with G - 1 degrees of freedom; docs/intervals.md derives it.
 */
import type { EngineDesign, EngineFactor } from '../objective/cross-products.js';
import { CrossProducts } from '../objective/cross-products.js';
import { ProfiledCriterion, type PlsSolution } from '../objective/profiled-criterion.js';
import { optimizeTheta } from '../model/optimize-theta.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { Rng } from '../random/rng.js';
import { normalCdf } from '../random/normal-quantile.js';
import { studentTQuantile } from '../random/t-quantile.js';
import type { LmmFit } from '../output/lmm-fit.js';
import { fittedEngineTheta, quantilesOf, recordReplicate, type Replicate, type ResolvedIntervals } from './bootstrap.js';
import { UnitCrossProducts, type ReplicateRegressions } from './unit-cross-products.js';

/** Row indices of each level of a factor. */
function rowsByLevel(f: EngineFactor): Int32Array[] {
  const counts = new Int32Array(f.nlevels);
  for (let i = 0; i < f.codes.length; i++) counts[f.codes[i]]++;
  const out = Array.from(counts, (c) => new Int32Array(c));
  counts.fill(0);
  for (let i = 0; i < f.codes.length; i++) out[f.codes[i]][counts[f.codes[i]]++] = i;
  return out;
}

/**
 * One resample as row indices plus new (compact) level codes per engine factor.
 */
interface Draw {
  rows: Int32Array;
  codes: Int32Array[];
  nlevels: number[];
}

/**
 * The rows of the listed units, in order, each listed unit entering as a new level (a unit listed
 * twice enters as two units); the other factors' levels recoded to those present.
 */
function drawOfUnits(prepared: PreparedModel, byUnit: Int32Array[], units: Int32Array): Draw {
  const factors = prepared.engine.factors;
  let n = 0;
  for (let k = 0; k < units.length; k++) n += byUnit[units[k]].length;
  const rows = new Int32Array(n);
  const unitCodes = new Int32Array(n);
  let r = 0;
  for (let k = 0; k < units.length; k++) {
    const unitRows = byUnit[units[k]];
    for (let j = 0; j < unitRows.length; j++) {
      rows[r] = unitRows[j];
      unitCodes[r++] = k;
    }
  }
  const codes: Int32Array[] = [unitCodes];
  const nlevels = [units.length];
  for (let e = 1; e < factors.length; e++) {
    const [c, nl] = compact(factors[e], rows);
    codes.push(c);
    nlevels.push(nl);
  }
  return { rows, codes, nlevels };
}

/** N of N units drawn with replacement (the replicate's own stream). */
function drawPicks(N: number, rng: Rng): Int32Array {
  const picks = new Int32Array(N);
  for (let k = 0; k < N; k++) picks[k] = Math.min(N - 1, Math.floor(rng.uniform() * N));
  return picks;
}

/** N units drawn with replacement. */
function drawUnits(prepared: PreparedModel, byUnit: Int32Array[], rng: Rng): Draw {
  return drawOfUnits(prepared, byUnit, drawPicks(byUnit.length, rng));
}

/** Recode a factor's levels on a subset of rows to 0..(present - 1). */
function compact(f: EngineFactor, rows: ArrayLike<number>): [Int32Array, number] {
  const map = new Int32Array(f.nlevels).fill(-1);
  const out = new Int32Array(rows.length);
  let next = 0;
  for (let r = 0; r < rows.length; r++) {
    const l = f.codes[rows[r]];
    if (map[l] < 0) map[l] = next++;
    out[r] = map[l];
  }
  return [out, next];
}

/** The model on a resample's rows: design, cross-products and criterion. */
function resampledModel(prepared: PreparedModel, y: Float64Array, draw: Draw): PreparedModel {
  const { rows, codes, nlevels } = draw;
  const n = rows.length;
  const n0 = prepared.engine.n;
  const p = prepared.design.p;
  const x = new Float64Array(n * p);
  for (let c = 0; c < p; c++) for (let r = 0; r < n; r++) x[c * n + r] = prepared.design.x[c * n0 + rows[r]];
  const w0 = prepared.engine.weights;
  const weights = w0 ? Float64Array.from(rows, (i) => w0[i]) : null;
  const f0 = prepared.frame.weights;
  const frameWeights = f0 ? Float64Array.from(rows, (i) => f0[i]) : null;
  const yr = Float64Array.from(rows, (i) => y[i]);
  const engine: EngineDesign = {
    n,
    p,
    x,
    // Random-slope terms carry their columns' values per row: they travel with the rows.
    factors: codes.map((c, e) => {
      const cols = prepared.engine.factors[e].columns;
      return {
        codes: c,
        nlevels: nlevels[e],
        ...(cols ? { columns: cols.map((col) => (col ? Float64Array.from(rows, (i) => col[i]) : null)) } : {}),
      };
    }),
    weights,
  };
  const cp = new CrossProducts(engine, yr);
  const criterion = new ProfiledCriterion(cp, prepared.reml);
  return {
    ...prepared,
    frame: { ...prepared.frame, nobs: n, y: yr, weights: frameWeights },
    design: { ...prepared.design, n, x },
    engine,
    cp,
    criterion,
  };
}

/** What every resample needs: the response the criterion sees, the rows of each unit, the fitted engine theta. */
interface ResampleBase {
  prepared: PreparedModel;
  y: Float64Array;
  byUnit: Int32Array[];
  thetaFitted: Float64Array;
}

function resampleBase(fitted: LmmFit): ResampleBase {
  const prepared = fitted.prepared;
  // The response the criterion sees: y - offset, shifted as the cross-products were.
  const offset = prepared.frame.offset;
  const y = Float64Array.from(prepared.frame.y, (v, i) => v - (offset ? offset[i] : 0) - prepared.yShift);
  return { prepared, y, byUnit: rowsByLevel(prepared.engine.factors[0]), thetaFitted: fittedEngineTheta(fitted) };
}

/** The shares of one resample (refitted when `needsRefit`); an empty record when the resample fails. */
function sharesOfDraw(
  base: ResampleBase,
  draw: Draw,
  shares: (rep: Replicate) => Record<string, number>,
  needsRefit: boolean,
): Record<string, number> {
  try {
    const model = resampledModel(base.prepared, base.y, draw);
    let solution: PlsSolution | null = null;
    let converged = true;
    if (needsRefit) {
      const opt = optimizeTheta(model, {}, base.thetaFitted);
      solution = model.criterion.solve(opt.theta);
      converged = opt.converged;
    }
    // Methods that do not refit (sequential, Shapley) never read the solution: solve only on demand.
    let lazy = solution;
    const rep: Replicate = {
      prepared: model,
      cp: model.cp,
      get solution(): PlsSolution {
        lazy ??= model.criterion.solve(base.thetaFitted);
        return lazy;
      },
      converged,
    };
    return shares(rep);
  } catch {
    return {};
  }
}

/**
 * Run the unit bootstrap: for each replicate call `shares(rep)`; the refit is done
 * only when `needsRefit` (the components method), starting from the fitted theta. Returns the
 * per-key replicate arrays (NaN where a replicate failed).
 *
 * @example
 * ```ts
 * const reps = runUnitBootstrap(fitted, settings, (rep) => r2Split(rep.prepared, rep.cp, 'shapley', []).shares, false);
 * ```
 */
export function runUnitBootstrap(
  fitted: LmmFit,
  settings: ResolvedIntervals,
  shares: (rep: Replicate) => Record<string, number>,
  needsRefit: boolean,
): Map<string, Float64Array> {
  const base = resampleBase(fitted);
  const out = new Map<string, Float64Array>();
  const root = new Rng(settings.seed);
  for (let r = 0; r < settings.n; r++) {
    const rng = root.fork(r);
    let rec: Record<string, number>;
    try {
      rec = sharesOfDraw(base, drawUnits(base.prepared, base.byUnit, rng), shares, needsRefit);
    } catch {
      rec = {};
    }
    recordReplicate(out, rec, r, settings.n);
    settings.onProgress?.(r + 1, settings.n);
  }
  return out;
}

/** Every unit whose group is not `drop`, with the units renumbered from 0. */
function drawWithout(prepared: PreparedModel, byUnit: Int32Array[], groupOf: Int32Array, drop: number): Draw {
  const kept: number[] = [];
  for (let k = 0; k < byUnit.length; k++) if (groupOf[k] !== drop) kept.push(k);
  return drawOfUnits(prepared, byUnit, Int32Array.from(kept));
}

/**
 * Most groups of the unit jackknife: up to this many units, each unit is left out in turn
 * (delete-one); with more, the units are dealt at random into this many groups of (nearly) equal
 * size and each group is left out in turn (delete-a-group, Kott 2001), so the cost stays that of
 * about 200 resamples.
 */
export const MAX_JACKKNIFE_GROUPS = 200;

/**
 * The jackknife group of each of N units: unit k alone (group k) when N is at most
 * {@link MAX_JACKKNIFE_GROUPS}; otherwise a permutation drawn from `seed` deals the units
 * round-robin into that many groups, whose sizes differ by at most one.
 *
 * @example
 * ```ts
 * unitGroups(3, 1); // Int32Array [0, 1, 2]
 * unitGroups(450, 1); // 200 groups of 2 or 3 units
 * ```
 */
export function unitGroups(N: number, seed: number): Int32Array {
  const G = Math.min(N, MAX_JACKKNIFE_GROUPS);
  const groupOf = new Int32Array(N);
  if (G === N) {
    for (let k = 0; k < N; k++) groupOf[k] = k;
    return groupOf;
  }
  const perm = Int32Array.from({ length: N }, (_, k) => k);
  const rng = new Rng(seed).fork('jackknife-groups');
  for (let k = N - 1; k > 0; k--) {
    const j = rng.int(k + 1);
    const t = perm[k];
    perm[k] = perm[j];
    perm[j] = t;
  }
  for (let k = 0; k < N; k++) groupOf[perm[k]] = k % G;
  return groupOf;
}

/**
 * The unit jackknife: the shares with each group of units ({@link unitGroups}) left out in turn
 * (entry g without group g; NaN where that resample failed).
 *
 * @example
 * ```ts
 * const loo = runUnitJackknife(fitted, (rep) => r2Split(rep.prepared, rep.cp, 'shapley', []).shares, false, 1);
 * ```
 */
export function runUnitJackknife(
  fitted: LmmFit,
  shares: (rep: Replicate) => Record<string, number>,
  needsRefit: boolean,
  seed: number,
): Map<string, Float64Array> {
  const base = resampleBase(fitted);
  const groupOf = unitGroups(base.byUnit.length, seed);
  const G = Math.min(base.byUnit.length, MAX_JACKKNIFE_GROUPS);
  const out = new Map<string, Float64Array>();
  for (let g = 0; g < G; g++) recordReplicate(out, sharesOfDraw(base, drawWithout(base.prepared, base.byUnit, groupOf, g), shares, needsRefit), g, G);
  return out;
}

/**
 * The unit bootstrap and the unit jackknife of methods that need only least-squares fits
 * (sequential and Shapley), from per-unit cross-products ({@link UnitCrossProducts}): the same
 * draws as {@link runUnitBootstrap} (same seed, same replicates) and the same deletions as
 * {@link runUnitJackknife}, each replicate a weighted sum of the units' blocks instead of a pass
 * over its rows. `shares(regs)` splits one replicate. Models with random slopes, or whose blocks
 * would not fit ({@link unitCrossProductsCover}), take the row-by-row functions.
 *
 * @example
 * ```ts
 * const { replicates, jackknife } = runUnitResamplesFromSums(fitted, settings, (regs) =>
 *   shapleyShares(r2Game(fitted.prepared, regs), false).shares,
 * );
 * ```
 */
export function runUnitResamplesFromSums(
  fitted: LmmFit,
  settings: ResolvedIntervals,
  shares: (regs: ReplicateRegressions) => Record<string, number>,
): { replicates: Map<string, Float64Array>; jackknife: Map<string, Float64Array> } {
  const base = resampleBase(fitted);
  const sums = new UnitCrossProducts(base.prepared, base.y);
  const N = base.byUnit.length;
  const counts = new Float64Array(N);
  const split = (): Record<string, number> => {
    try {
      return shares(sums.replicate(counts));
    } catch {
      return {};
    }
  };
  const replicates = new Map<string, Float64Array>();
  const root = new Rng(settings.seed);
  for (let r = 0; r < settings.n; r++) {
    const picks = drawPicks(N, root.fork(r));
    counts.fill(0);
    for (let k = 0; k < N; k++) counts[picks[k]]++;
    recordReplicate(replicates, split(), r, settings.n);
    settings.onProgress?.(r + 1, settings.n);
  }
  const groupOf = unitGroups(N, settings.seed);
  const G = Math.min(N, MAX_JACKKNIFE_GROUPS);
  const jackknife = new Map<string, Float64Array>();
  for (let g = 0; g < G; g++) {
    for (let u = 0; u < N; u++) counts[u] = groupOf[u] === g ? 0 : 1;
    recordReplicate(jackknife, split(), g, G);
  }
  return { replicates, jackknife };
}

/**
 * The unit-bootstrap interval of a share, calibrated for few units: the percentile interval of
 * the replicates re-centred on the estimate, its two arms scaled by `k = se_J / sd*` (the
 * jackknife standard error over the bootstrap standard deviation), at the levels
 * `Phi(qt(alpha, G - 1))` and `Phi(qt(1 - alpha, G - 1))` with G jackknife groups:
 *
 * `[est - k (median* - q*(a')), est + k (q*(1 - a') - median*)]`, clipped to [0, 1].
 *
 * It keeps the bootstrap's skewness, takes its spread from the jackknife (which does not shrink
 * with few units as the bootstrap does) and widens the levels as a t reference does for an
 * estimated standard error. It always contains the estimate. Without a usable jackknife (fewer
 * than two finite values) it is the plain re-centred percentile; with no bootstrap spread,
 * `est -/+ qt(1 - alpha, G - 1) se_J`.
 *
 * @example
 * ```ts
 * const [lo, hi] = calibratedUnitInterval(reps, jackknife, 0.32, 0.95);
 * ```
 */
export function calibratedUnitInterval(values: Float64Array, jackknife: Float64Array | undefined, estimate: number, level: number): [number, number] {
  const q = quantilesOf(values);
  if (!q) return [NaN, NaN];
  const a = (1 - level) / 2;
  const loo = jackknife ? Array.from(jackknife).filter(Number.isFinite) : [];
  const G = loo.length;
  if (G < 2) return centredPercentileInterval(values, estimate, level);
  const mj = loo.reduce((s, v) => s + v, 0) / G;
  const seJ = Math.sqrt(((G - 1) / G) * loo.reduce((s, v) => s + (v - mj) ** 2, 0));
  const sdBoot = standardDeviation(values);
  const tq = studentTQuantile(1 - a, G - 1);
  const clip = (lo: number, hi: number): [number, number] => [Math.max(0, lo), Math.min(1, hi)];
  if (!(sdBoot > 0)) return clip(estimate - tq * seJ, estimate + tq * seJ);
  const k = seJ / sdBoot;
  const aT = normalCdf(-tq);
  const med = q(0.5);
  return clip(estimate - k * (med - q(aT)), estimate + k * (q(1 - aT) - med));
}

/** Standard deviation (n - 1) of the finite values. */
function standardDeviation(values: Float64Array): number {
  let n = 0;
  let m = 0;
  let s = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    n++;
    const d = v - m;
    m += d / n;
    s += d * (v - m);
  }
  return n > 1 ? Math.sqrt(s / (n - 1)) : NaN;
}

/**
 * The percentile interval of the replicates re-centred on the estimate:
 * `[estimate - (median - q_lo), estimate + (q_hi - median)]`, clipped to [0, 1]. It removes the
 * bootstrap's median bias and so always contains the estimate.
 *
 * @example
 * ```ts
 * centredPercentileInterval(Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5), 0.32, 0.5); // [0.22, 0.42]
 * ```
 */
export function centredPercentileInterval(values: Float64Array, estimate: number, level: number): [number, number] {
  const q = quantilesOf(values);
  if (!q) return [NaN, NaN];
  const a = (1 - level) / 2;
  const med = q(0.5);
  return [Math.max(0, estimate - (med - q(a))), Math.min(1, estimate + (q(1 - a) - med))];
}
