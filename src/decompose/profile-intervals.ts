/**
 * Profile-likelihood intervals for the components shares (docs/intervals.md).
 *
 * For each share j, `LR_j(s)` from {@link ShareProfile}; the interval is
 * `{s : LR_j(s) <= q}` with `q = qchisq(level, 1)` (3.8415 at 95%), except at the boundary:
 * a share whose part can be 0 (a random term, the fixed part) includes 0 when the test of
 * `share = 0` against the 50:50 mixture of chi2_0 and chi2_1 does not reject, i.e.
 * `LR_j(0) <= qchisq(2 level - 1, 1)` (2.7055 at 95%), and the interval is then one-sided,
 * `[0, upper]`. A fit at the boundary (singular) has lower end 0. When `LR_j(0)` lies between the
 * two cut-offs, the lower end is where `LR_j` crosses the mixture cut-off, so that 0 stays out.
 *
 * Each end is found by stepping out from the estimate on the logit scale (steps doubling from
 * 0.25) until `LR_j` exceeds the cut-off, then by regula falsi (Illinois) on the bracket.
 */
import { chiSquare1Quantile } from '../random/normal-quantile.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { ShareDeviance } from './share-deviance.js';
import { ShareProfile } from './share-profile.js';

/** How one share's interval was made. */
export type ShareIntervalMethod = 'profile' | 'profile-boundary';

/** One share's profile interval. */
export interface ProfileInterval {
  readonly lower: number;
  readonly upper: number;
  /** `profile-boundary`: one-sided at 0 (the mixed chi-square test kept 0, or the fit is singular). */
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

/**
 * A root of `f` between `a` (f < 0) and `b` (f > 0) by the Illinois variant of regula falsi,
 * to `|b - a| < tol` or `|f| <= ftol`.
 *
 * @example
 * ```ts
 * falsePosition((s) => s * s - 2, 1, 2, -1, 2); // 1.41421356...
 * ```
 */
export function falsePosition(f: (s: number) => number, a: number, b: number, fa: number, fb: number, tol = 1e-7, ftol = 1e-5): number {
  let side = 0;
  let c = b;
  for (let it = 0; it < 60; it++) {
    c = (a * fb - b * fa) / (fb - fa);
    if (!(c > Math.min(a, b) && c < Math.max(a, b))) c = 0.5 * (a + b);
    const fc = f(c);
    if (Math.abs(b - a) < tol || Math.abs(fc) <= ftol) return c;
    if (fc > 0) {
      b = c;
      fb = fc;
      if (side === 1) fa /= 2;
      side = 1;
    } else {
      a = c;
      fa = fc;
      if (side === -1) fb /= 2;
      side = -1;
    }
    if (Math.abs(b - a) < tol) break;
  }
  return c;
}

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
  let evaluations = 0;
  const intervals = slots.map((_, j): ProfileInterval => {
    const prof = new ShareProfile(dev, theta, rhoHat, dHat, j);
    const sHat = shares[j];
    const lrOf = (q: number) => (s: number) => prof.lr(s) - q;
    // Upper end.
    let upper = 1;
    const up = bracket(lrOf(cut), sHat, 1);
    if (up) upper = falsePosition(lrOf(cut), ...up);
    // Lower end.
    let lower: number;
    let method: ShareIntervalMethod = 'profile';
    let lrAtZero: number | undefined;
    if (j !== residualSlot && sHat <= 0) {
      lower = 0;
      method = 'profile-boundary';
    } else {
      let q = cut;
      if (j !== residualSlot) {
        prof.reset();
        lrAtZero = prof.lr(0);
        if (lrAtZero <= cutBoundary) {
          evaluations += prof.evaluations;
          return { lower: 0, upper, method: 'profile-boundary', lrAtZero };
        }
        if (lrAtZero <= cut) q = cutBoundary;
      }
      prof.reset();
      const down = bracket(lrOf(q), sHat, -1);
      if (down) lower = falsePosition(lrOf(q), ...down);
      else if (lrAtZero !== undefined) {
        // Stepping reached the floor of the logit scale: the crossing lies in (0, that floor).
        lower = falsePosition(lrOf(q), sHat, 0, -q, lrAtZero - q);
      } else lower = 0;
    }
    evaluations += prof.evaluations;
    return { lower, upper, method, ...(lrAtZero !== undefined ? { lrAtZero } : {}) };
  });
  return { slots, intervals, shares, evaluations };
}
