/**
 * Profile-likelihood intervals for the components shares (docs/intervals.md).
 *
 * For each share j, `LR_j(s)` from {@link ShareProfile}; the interval is `{s : LR_j(s) <= c_j(s)}`.
 * For a random term's share, `c_j(s)` is the finite-sample cut-off of a variance component with
 * `k_j` degrees of freedom between its levels at the variance ratio the profile reaches at s
 * ({@link fewLevelsCutoff}: about `3.8415 (1 + 1/(3 k_j))` away from 0, the finite-sample version of
 * the 50:50 mixture's 2.7055 at 0). The share includes 0, one-sided `[0, upper]`, when
 * `LR_j(0) <= c_j(0)` or the fit is singular. The fixed and residual shares use `qchisq(level, 1)`
 * (3.8415), the fixed share with the mixture cut-off `qchisq(2 level - 1, 1)` (2.7055) at 0: when
 * `LR_j(0)` lies between the two, its lower end is where `LR_j` crosses 2.7055, so that 0 stays out.
 *
 * Each end is found by stepping out from the estimate on the logit scale (steps doubling from
 * 0.25) until `LR_j` exceeds the cut-off, then by regula falsi (Illinois) on the bracket.
 */
import { falsePosition } from '../optimize/false-position.js';
import { chiSquare1Quantile } from '../random/normal-quantile.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { ShareDeviance } from './share-deviance.js';
import { ShareProfile } from './share-profile.js';
import { fewLevelsCutoff } from './few-levels-cutoff.js';

/** How one share's interval was made. */
export type ShareIntervalMethod = 'profile' | 'profile-boundary';

/** One share's profile interval. */
export interface ProfileInterval {
  readonly lower: number;
  readonly upper: number;
  /** `profile-boundary`: one-sided at 0 (the boundary test kept 0, or the fit is singular). */
  readonly method: ShareIntervalMethod;
  /** `LR_j(0)` where it was computed (random and fixed shares not at the boundary). */
  readonly lrAtZero?: number;
}

/** The fitted quantities the profile starts from. */
export interface ProfileInputs {
  readonly prepared: PreparedModel;
  /** Engine-order theta at the fit. */
  readonly theta: ArrayLike<number>;
  readonly beta: ArrayLike<number>;
  readonly sigma: number;
  /** Whether a fixed part is among the shares. */
  readonly hasFixed: boolean;
  /** `V_e / sigma^2` (1 unweighted, `mean(1/w)` with precision weights). */
  readonly residualFactor: number;
  /** `S` with `V_f = beta' S beta` (default: the sample covariance of the rows of X). */
  readonly fixedCovariance?: Float64Array;
}

/** Result: an interval per slot (engine-order random terms, fixed, residual) and the cost. */
export interface ProfileResult {
  /** Share keys by slot: random groups in engine order, `fixed` (if any), `residual`. */
  readonly slots: readonly string[];
  readonly intervals: readonly ProfileInterval[];
  /** Shares at the fit by slot (they match the components method's point estimates). */
  readonly shares: Float64Array;
  /** Evaluations of the constrained deviance. */
  readonly evaluations: number;
}

const logit = (s: number) => Math.log(s / (1 - s));
const expit = (e: number) => 1 / (1 + Math.exp(-e));

/** Step from `s0` on the logit scale (direction +1 or -1) until `f > 0`; returns the bracket. */
function bracket(f: (s: number) => number, s0: number, dir: 1 | -1): [number, number, number, number] | null {
  let sIn = s0;
  let fIn = f(s0);
  if (fIn > 0) return null;
  let step = 0.25;
  const e0 = logit(Math.min(Math.max(s0, 1e-7), 1 - 1e-9));
  for (let k = 0; k < 40; k++) {
    const s = expit(e0 + dir * step);
    if (s <= 1e-12 || s >= 1 - 1e-12) return null;
    const fs = f(s);
    if (fs > 0) return [sIn, s, fIn, fs];
    sIn = s;
    fIn = fs;
    step *= 2;
  }
  return null;
}

/**
 * Per engine-order random term: the degrees of freedom between its levels, `k` = levels minus the
 * columns of X constant within every level (the intercept, level-wide covariates), at least 1; and
 * the mean number of rows a level, `m`.
 */
function levelDegrees(prepared: PreparedModel): { k: Float64Array; m: Float64Array } {
  const { frame, design, engineOrder } = prepared;
  const p = design.p;
  const k = new Float64Array(engineOrder.length);
  const m = new Float64Array(engineOrder.length);
  engineOrder.forEach((fi, e) => {
    const f = frame.factors[fi];
    const levels = f.levels.length;
    const entries = f.codes.length;
    let constant = 0;
    const seen = new Float64Array(levels);
    for (let c = 0; c < p && design.x.length === entries * p; c++) {
      const col = design.x.subarray(c * entries, (c + 1) * entries);
      let scale = 0;
      for (let i = 0; i < entries; i++) scale = Math.max(scale, Math.abs(col[i]));
      seen.fill(Number.NaN);
      let isConstant = true;
      for (let i = 0; i < entries && isConstant; i++) {
        const lv = f.codes[i];
        if (Number.isNaN(seen[lv])) seen[lv] = col[i];
        else if (Math.abs(col[i] - seen[lv]) > 1e-12 * scale) isConstant = false;
      }
      if (isConstant) constant++;
    }
    k[e] = Math.max(1, levels - constant);
    m[e] = frame.nobs / levels;
  });
  return { k, m };
}

/**
 * Profile-likelihood intervals for every components share of a random-intercept Gaussian fit.
 *
 * @example
 * ```ts
 * const res = profileIntervals({ prepared, theta, beta, sigma, hasFixed: true, residualFactor: 1 }, 0.95);
 * res.intervals[res.slots.indexOf('year')]; // { lower, upper, method }
 * ```
 */
export function profileIntervals(inp: ProfileInputs, level: number): ProfileResult {
  const { prepared, theta, beta, sigma, hasFixed, residualFactor } = inp;
  const dev = new ShareDeviance(prepared, hasFixed, residualFactor, inp.fixedCovariance);
  const K = dev.K;
  const rhoHat = hasFixed ? dev.fixedVariance(beta) / (sigma * sigma) : 0;
  const dHat = dev.deviance(theta, rhoHat);
  const slots = [...prepared.engineOrder.map((fi) => prepared.spec.random[fi].group), ...(hasFixed ? ['fixed'] : []), 'residual'];
  const parts = [...Array.from({ length: K }, (_, k) => theta[k] * theta[k]), ...(hasFixed ? [rhoHat] : []), residualFactor];
  const total = parts.reduce((a, b) => a + b, 0);
  const shares = Float64Array.from(parts, (v) => v / total);
  const cut = chiSquare1Quantile(level);
  const cutBoundary = chiSquare1Quantile(2 * level - 1);
  const residualSlot = slots.length - 1;
  const { k: levelsDf, m: rowsPerLevel } = levelDegrees(prepared);
  let evaluations = 0;
  const intervals = slots.map((_, j): ProfileInterval => {
    const prof = new ShareProfile(dev, theta, rhoHat, dHat, j);
    const sHat = shares[j];
    // A random term's cut-off is the finite-sample one at the variance ratio the profile reaches at s
    // (few-levels-cutoff.ts); the fixed part and the residual use chi2_1.
    const cutAt =
      j < K
        ? (s: number) => fewLevelsCutoff(levelsDf[j], 1 + (rowsPerLevel[j] * prof.partAt(s)) / residualFactor, level)
        : () => cut;
    const excess = (s: number) => {
      const lr = prof.lr(s);
      return lr - cutAt(s);
    };
    // Upper end.
    let upper = 1;
    const up = bracket(excess, sHat, 1);
    if (up) upper = falsePosition(excess, ...up);
    // Lower end.
    let lower: number;
    let method: ShareIntervalMethod = 'profile';
    let lrAtZero: number | undefined;
    if (j !== residualSlot && sHat <= 0) {
      lower = 0;
      method = 'profile-boundary';
    } else {
      let f = excess;
      if (j !== residualSlot) {
        prof.reset();
        lrAtZero = prof.lr(0);
        const atZero = j < K ? cutAt(0) : cutBoundary;
        if (lrAtZero <= atZero) {
          evaluations += prof.evaluations;
          return { lower: 0, upper, method: 'profile-boundary', lrAtZero };
        }
        // The fixed part: between the mixture's and chi2_1's cut-offs, the crossing of the former keeps 0 out.
        if (j >= K && lrAtZero <= cut) f = (s: number) => prof.lr(s) - cutBoundary;
      }
      prof.reset();
      const down = bracket(f, sHat, -1);
      if (down) lower = falsePosition(f, ...down);
      else if (lrAtZero !== undefined) {
        // Stepping reached the floor of the logit scale: the crossing lies in (0, that floor).
        lower = falsePosition(f, sHat, 0, f(sHat), f(0));
      } else lower = 0;
    }
    evaluations += prof.evaluations;
    return { lower, upper, method, ...(lrAtZero !== undefined ? { lrAtZero } : {}) };
  });
  return { slots, intervals, shares, evaluations };
}
