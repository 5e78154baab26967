/**
 * Quasi-Newton minimisation with an exact gradient, for a criterion started near its optimum
 * (stage 2 of a GLMM fit): the Hessian of the start from forward differences of the gradient
 * (`d` gradient evaluations), then Newton steps with a backtracking line search, the Hessian
 * updated by BFGS from each step's change of gradient (one evaluation per step when the full
 * step is taken).
 */
import { forwardHessianFromGradient } from './central-hessian.js';
import { regularisedNewtonDirection } from './newton-step.js';

/** The criterion and its gradient at a point (the gradient may be overwritten by the next call). */
export type ValueAndGradient = (x: Float64Array) => { readonly f: number; readonly g: Float64Array };

/** Options of {@link minimizeWithGradient}. */
export interface GradientMinimizeOptions {
  /** Step of the forward differences for the starting Hessian (default 1e-3). */
  readonly differenceStep?: number;
  /**
   * Relative noise of the criterion's values: a Newton step predicted to decrease it by less than
   * this ends the search (default 1e-13).
   */
  readonly valueNoise?: number;
  /** Evaluation budget (default 200). */
  readonly maxEvaluations?: number;
  /**
   * Coordinates whose curvature is known well enough to start from: the starting Hessian takes
   * forward differences along the other coordinates only (whole columns, so their cross terms
   * with these are differenced too), puts `value` on these coordinates' diagonal and 0 between
   * them. Saves one gradient evaluation per coordinate listed.
   */
  readonly assumedCurvature?: { readonly coordinates: readonly number[]; readonly value: number };
}

/** Result of {@link minimizeWithGradient}. */
export interface GradientMinimizeResult {
  readonly x: Float64Array;
  readonly f: number;
  /** The gradient at `x`. */
  readonly gradient: Float64Array;
  /** The quasi-Newton Hessian at `x` (row-major). */
  readonly hessian: Float64Array;
  readonly evaluations: number;
  readonly iterations: number;
  /** True when a Newton step's predicted decrease fell below the value noise. */
  readonly converged: boolean;
}

const ARMIJO = 1e-4;
const MAX_HALVINGS = 30;

/**
 * Minimise `fg` from `x0` by quasi-Newton steps with an exact gradient.
 *
 * @example
 * ```ts
 * const fg = (x: Float64Array) => ({ f: (x[0] - 1) ** 2 + 2 * x[1] ** 2, g: Float64Array.of(2 * (x[0] - 1), 4 * x[1]) });
 * const r = minimizeWithGradient(fg, Float64Array.of(0.5, 0.3)); // r.x ≈ [1, 0]
 * ```
 */
export function minimizeWithGradient(fg: ValueAndGradient, x0: ArrayLike<number>, options: GradientMinimizeOptions = {}): GradientMinimizeResult {
  const h = options.differenceStep ?? 1e-3;
  const noise = options.valueNoise ?? 1e-13;
  const budget = options.maxEvaluations ?? 200;
  const d = x0.length;
  let evaluations = 0;
  const call = (x: Float64Array) => {
    evaluations++;
    const r = fg(x);
    return { f: r.f, g: r.g.slice() };
  };
  let x: Float64Array = Float64Array.from(x0);
  const first = call(x);
  let f = first.f;
  let g: Float64Array = first.g;
  // Starting Hessian: forward differences of the gradient (relative steps), the assumed
  // coordinates' curvature as given.
  const H = forwardHessianFromGradient((xp) => call(xp).g, x, h, g, undefined, {
    relativeStep: true,
    assumed: options.assumedCurvature,
  });
  let converged = false;
  let iterations = 0;
  const L = new Float64Array(d * d);
  const p = new Float64Array(d);
  while (evaluations < budget && Number.isFinite(f)) {
    if (!regularisedNewtonDirection(H, g, d, L, p, 1e-8)) break;
    let slope = 0;
    for (let i = 0; i < d; i++) slope += g[i] * p[i];
    if (-slope / 2 <= noise * Math.max(Math.abs(f), 1)) {
      converged = true;
      break;
    }
    iterations++;
    let t = 1;
    let next: { f: number; g: Float64Array } | null = null;
    let xn = x;
    for (let k = 0; k <= MAX_HALVINGS && evaluations < budget; k++, t /= 2) {
      xn = Float64Array.from(x, (v, i) => v + t * p[i]);
      const r = call(xn);
      if (r.f <= f + ARMIJO * t * slope) {
        next = r;
        break;
      }
    }
    if (!next) break;
    // BFGS update of H from s = xn - x, y = gn - g (skipped unless s'y > 0).
    const s = Float64Array.from(xn, (v, i) => v - x[i]);
    const yv = Float64Array.from(next.g, (v, i) => v - g[i]);
    let sy = 0;
    for (let i = 0; i < d; i++) sy += s[i] * yv[i];
    if (sy > 0) {
      const Hs = new Float64Array(d);
      let sHs = 0;
      for (let i = 0; i < d; i++) {
        let v = 0;
        for (let j = 0; j < d; j++) v += H[i * d + j] * s[j];
        Hs[i] = v;
        sHs += s[i] * v;
      }
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) H[i * d + j] += (yv[i] * yv[j]) / sy - (Hs[i] * Hs[j]) / sHs;
    }
    x = xn;
    f = next.f;
    g = next.g;
  }
  return { x, f, gradient: g, hessian: H, evaluations, iterations, converged };
}
