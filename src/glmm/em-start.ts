/**
 * The start of stage 2 for GLMMs with the analytic Laplace gradient (scalar random intercepts,
 * canonical link): EM-type steps in theta, beta re-estimated at each theta by joint PIRLS (glmer's
 * nAGQ = 0 fit there). It replaces glmer's stage 1 (a derivative-free search of the nAGQ = 0
 * deviance over theta, 26 to 142 evaluations on the fixtures) by 2 to 5 steps that each cost one
 * joint PIRLS run and one gradient.
 *
 * For a scalar term k with `n_k` levels, `b_k = theta_k u_k` and, under the Laplace
 * approximation, `Var(u | y) = M^-1` with `M = Lambda'Z'WZ Lambda + I`. EM's update of the
 * variance is `theta_k^2 <- E(||b_k||^2 | y) / n_k = theta_k^2 (||u_k||^2 + tr_k M^-1) / n_k`.
 * At the conditional modes `u_k = theta_k Z_k'r`, so the gradient of the Laplace deviance is
 * `g_k = (2 / theta_k)(n_k - tr_k M^-1 - ||u_k||^2) + h_k`, `h_k` the terms from the working
 * weights' change with eta ({@link laplaceGradient}). The step taken is
 *
 * `theta_k^2 <- theta_k^2 (1 - theta_k g_k / (2 n_k))`,
 *
 * EM's update with `h_k` folded in, so that it stands still exactly where the Laplace deviance is
 * stationary in theta (at the current beta). The factor is kept within [0.01, 100] (theta moves
 * at most tenfold a step) and theta at or above 0.01: a variance heading for 0 is
 * left to stage 2, whose search handles the boundary.
 */
import type { GlmmModel } from './glmm-model.js';
import { laplaceGradient } from './laplace-gradient.js';
import type { Pirls, PirlsResult } from './pirls.js';

/** Result of {@link emStart}: theta (engine order) and the joint PIRLS run there. */
export interface EmStart {
  readonly theta: Float64Array;
  /** Joint PIRLS (beta and u together) at `theta`: its beta and unscaled covariance start stage 2. */
  readonly joint: PirlsResult;
  /** EM steps taken (each one gradient and one joint PIRLS run). */
  readonly steps: number;
}

/** Steps stop when no theta moves by more than this, relative to max(theta, 0.05). */
const EM_TOLERANCE = 0.05;
/** The most EM steps before stage 2 takes over. */
export const EM_MAX_STEPS = 8;
/** EM steps do not take theta below this (unless it starts at 0). */
const EM_FLOOR = 0.01;
/**
 * The joint PIRLS runs stop once a step moves the linear predictor by less than this (PIRLS is
 * Newton's method: the modes are then within about its square of the fixed point): their beta
 * and modes only start stage 2, whose own runs converge fully.
 */
const EM_PIRLS_TOLERANCE = 1e-2;

/**
 * EM-type steps in theta from `theta0` (engine order; every term a scalar random intercept),
 * each followed by a joint PIRLS run at the new theta.
 *
 * @example
 * ```ts
 * const pirls = new Pirls(model);
 * const { theta, joint } = emStart(model, pirls, Float64Array.of(1, 1));
 * joint.beta; // beta at theta (joint PIRLS), to start stage 2 from
 * ```
 */
export function emStart(model: GlmmModel, pirls: Pirls, theta0: ArrayLike<number>): EmStart {
  const { terms, engineOrder } = model;
  const theta = Float64Array.from(theta0);
  const k = theta.length;
  const levels = new Float64Array(k);
  for (const fi of engineOrder) levels[terms.engineOffsets[fi]] = terms.terms[fi].engineFactor().nlevels;
  const u = new Float64Array(pirls.modeCount);
  let joint = pirls.run(theta, null, EM_PIRLS_TOLERANCE);
  let steps = 0;
  while (steps < EM_MAX_STEPS && Number.isFinite(joint.deviance)) {
    pirls.saveModes(u);
    const g = laplaceGradient(model, theta, pirls.mean, u).theta;
    const next = theta.slice();
    let change = 0;
    for (let i = 0; i < k; i++) {
      const t = theta[i];
      if (t === 0) continue;
      const factor = Math.min(100, Math.max(0.01, 1 - (t * g[i]) / (2 * levels[i])));
      next[i] = Math.max(EM_FLOOR, t * Math.sqrt(factor));
      change = Math.max(change, Math.abs(next[i] - t) / Math.max(t, 0.05));
    }
    if (!next.every(Number.isFinite)) break;
    // start from the last modes on the data scale (b = theta u), which move less with theta than u
    pirls.setModes(next, joint.b);
    const run = pirls.run(next, null, EM_PIRLS_TOLERANCE);
    if (!Number.isFinite(run.deviance)) break;
    theta.set(next);
    joint = run;
    steps++;
    if (change < EM_TOLERANCE) break;
  }
  return { theta, joint, steps };
}
