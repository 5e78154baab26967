/**
 * Derivative-free minimisation of the profiled criterion over theta.
 *
 * The criterion depends on each theta_k only through its square (flipping the sign of a
 * relative standard deviation flips the sign of the corresponding modes and changes nothing
 * else), so it is an even function in every coordinate. The bound theta >= 0 therefore needs no
 * constrained search: minimise over all of R^k and report |theta|. A variance at the boundary is
 * then a stationary point at 0, which Newton's method reaches exactly.
 *
 * Two phases: a trust-region search on quadratic interpolation models
 * ({@link quadraticModelSearch}; every evaluation enters the model) brings theta near the optimum
 * from the moment-based start; a Newton polish with central finite-difference gradient and
 * Hessian diagonal (forward cross differences off the diagonal; regularised when not positive
 * definite, with a backtracking line search) converges it to working precision and provides the
 * gradient and Hessian for the convergence check. On InstEval-sized crossed designs, where one
 * evaluation factors a dense block of order 1,000 or more, the whole search takes about 60
 * evaluations for three variance components; for panels, where an evaluation costs
 * microseconds, the result is converged far beyond the 2e-4 of lme4's default optimiser.
 * `phases.simplex = false` skips the first phase for a start already near the optimum;
 * `phases.newton = false` stops after it (a first stage whose result only starts another search).
 * `phases.chord = true` (an expensive criterion started near its optimum, whose curvature
 * changes little there) starts from x0 itself and takes chord steps: each Newton step costs the
 * `2k` evaluations of the central gradient and Hessian diagonal, with the cross terms kept from
 * the last point where they were evaluated (none at first). They are evaluated (forward) after
 * a step whose quadratic model proved poor, and, close to the optimum, afresh before one true
 * Newton step. At the end the Hessian is that of the final point with central cross
 * differences (`2k + k(k-1)` evaluations), accurate enough for a covariance matrix; with
 * `phases.finalCross = false` only its gradient and diagonal (all a convergence check needs).
 */
import { quadraticModelSearch } from './quadratic-model.js';
import { regularisedNewtonDirection } from './newton-step.js';

/**
 * Relative predicted decrease below which one full Newton step ends the polish: theta is then
 * within about `sqrt(2e-10 f / H)` of the optimum before the step and its square after it.
 */
const CONVERGED_DECREASE = 1e-10;

/** Relative size of a decrease below the rounding of the criterion's value. */
const PRECISION_DECREASE = 1e-15;

/** Optimiser controls. */
export interface MinimizeControl {
  /** Evaluation budget (default 10,000). */
  maxEvaluations?: number;
  /**
   * The first (model-based) phase stops when the criterion values at its interpolation points
   * span less than this, relative to the criterion (default 1e-8).
   */
  simplexTolerance?: number;
  /** Newton stops when a step is shorter than this, relative to 1 + |theta| (default 1e-10). */
  stepTolerance?: number;
  /**
   * Step of the finite differences, relative to `max(|x_i|, 0.1)` (default 1e-4). A criterion
   * computed by an inner iteration, whose value carries noise well above rounding, needs a
   * larger one.
   */
  differenceStep?: number;
  /**
   * Relative noise of the criterion's values (default 1e-15, their rounding): a Newton step
   * predicted to decrease the criterion by less than this ends the search, as no line search
   * could confirm it.
   */
  valueNoise?: number;
}

/** Result of {@link minimizeEven}. */
export interface MinimizeResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly evaluations: number;
  /**
   * Finite-difference gradient at `x`, or at the point one converged Newton step before `x`
   * (a predicted decrease below 1e-10 relative) when the polish ended with that step.
   */
  readonly gradient: Float64Array;
  /** Finite-difference Hessian at the same point, row-major. */
  readonly hessian: Float64Array;
  readonly newtonIterations: number;
  /** True when the search stopped by its tolerances, not by the evaluation budget. */
  readonly withinBudget: boolean;
}

/**
 * Minimise an objective that is even in each coordinate, from `x0`.
 *
 * @example
 * ```ts
 * const r = minimizeEven((t) => (t[0] * t[0] - 4) ** 2, Float64Array.of(1));
 * Math.abs(r.x[0]); // 2
 * ```
 */
export function minimizeEven(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  control: MinimizeControl = {},
  phases: { readonly simplex?: boolean; readonly newton?: boolean; readonly chord?: boolean; readonly finalCross?: boolean } = {},
): MinimizeResult {
  const maxEval = control.maxEvaluations ?? 10_000;
  const ftol = control.simplexTolerance ?? 1e-8;
  const stol = control.stepTolerance ?? 1e-10;
  const k = x0.length;
  let evals = 0;
  const F = (x: Float64Array): number => {
    evals++;
    const v = f(x);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };

  // Phase 1: quadratic-model trust-region search, from a radius of a tenth of the start's scale
  // down to 1e-4 of it (or until the model's values agree to `ftol`). With `phases.simplex`
  // false (a start already near the optimum) only the best vertex of the initial simplex is
  // taken, and Newton starts from there.
  let start: { x: Float64Array; f: number };
  if (phases.simplex === false) {
    // A chord polish starts from x0 itself unless a coordinate is 0, a stationary point of an
    // even function that only the simplex's vertices leave.
    const x0v = Float64Array.from(x0);
    start = phases.chord && x0v.every((v) => v !== 0) ? { x: x0v, f: F(x0v) } : nelderMead(F, x0, ftol, 0, () => evals);
  } else {
    let scale0 = 1;
    for (let i = 0; i < k; i++) scale0 = Math.max(scale0, Math.abs(x0[i]));
    const phase1 = quadraticModelSearch(F, x0, {
      radius: 0.1 * scale0,
      minRadius: 1e-4 * scale0,
      valueTolerance: ftol,
      maxEvaluations: Math.max(k + 2, Math.floor(maxEval * 0.8)),
    });
    start = { x: phase1.x, f: phase1.f };
    if (!phase1.converged) {
      // No progress from the models (a degenerate or flat criterion): a simplex search from the
      // best point so far.
      const budget = Math.max(evals + k + 2, Math.floor(maxEval * 0.8));
      const nm = nelderMead(F, phase1.x, ftol, budget, () => evals);
      if (nm.f <= start.f) start = nm;
    }
  }
  const x = Float64Array.from(start.x);
  let fx = start.f;

  // Phase 2: Newton polish with finite differences.
  const grad = new Float64Array(k);
  const hess = new Float64Array(k * k);
  const work = new Float64Array(k * k);
  const step = new Float64Array(k);
  const trial = new Float64Array(k);
  const probe = new Float64Array(k);
  // Central differences for the gradient and the diagonal of the Hessian; one forward cross
  // point per pair for the off-diagonal (`1 + 2k + k(k-1)/2` evaluations, the size of a full
  // quadratic model, instead of `1 + 2k + 2k(k-1)`).
  const hstep = new Float64Array(k);
  const fplus = new Float64Array(k);
  const fminus = new Float64Array(k);
  const relStep = control.differenceStep ?? 1e-4;
  const precision = control.valueNoise ?? PRECISION_DECREASE;
  let derivativesAtX = false;
  // Chord mode: whether the cross terms in `hess` were evaluated at the current x.
  let crossAtX = false;
  let centralAtX = false;
  const derivatives = (cross: false | 'forward' | 'central' = 'forward'): void => {
    for (let i = 0; i < k; i++) {
      const hi = relStep * Math.max(Math.abs(x[i]), 0.1);
      hstep[i] = hi;
      probe.set(x);
      probe[i] = x[i] + hi;
      const fp = F(probe);
      probe[i] = x[i] - hi;
      const fm = F(probe);
      fplus[i] = fp;
      fminus[i] = fm;
      grad[i] = (fp - fm) / (2 * hi);
      hess[i * k + i] = (fp - 2 * fx + fm) / (hi * hi);
    }
    derivativesAtX = true;
    crossAtX = false;
    centralAtX = false;
    if (cross) crossTerms(cross === 'central');
  };
  // Off-diagonal terms at x from the points of `derivatives`: one forward cross point per pair,
  // or (central) the points (+h_i, +h_j) and (-h_i, -h_j), whose error is O(h^2), not O(h).
  const crossTerms = (central: boolean): void => {
    crossAtX = true;
    centralAtX = central;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < i; j++) {
        probe.set(x);
        probe[i] = x[i] + hstep[i];
        probe[j] = x[j] + hstep[j];
        const fpp = F(probe);
        let h: number;
        if (central) {
          probe[i] = x[i] - hstep[i];
          probe[j] = x[j] - hstep[j];
          const fmm = F(probe);
          h = (fpp + fmm - fplus[i] - fminus[i] - fplus[j] - fminus[j] + 2 * fx) / (2 * hstep[i] * hstep[j]);
        } else {
          h = (fpp - fplus[i] - fplus[j] + fx) / (hstep[i] * hstep[j]);
        }
        hess[i * k + j] = h;
        hess[j * k + i] = h;
      }
    }
  };
  // Backtracking along `dir` from x: the first step length with a strict decrease, or 0.
  let lastTrialF = Number.POSITIVE_INFINITY;
  const lineSearch = (dir: Float64Array): number => {
    let t = 1;
    for (let ls = 0; ls < 20; ls++) {
      for (let i = 0; i < k; i++) trial[i] = x[i] + t * dir[i];
      const ft = F(trial);
      if (ft < fx) {
        lastTrialF = ft;
        return t;
      }
      t *= 0.5;
    }
    return 0;
  };
  // Regularise `hess` until positive definite and solve `hess step = -grad`: the step, whether
  // it is below the step tolerance, and the decrease the quadratic model predicts for it.
  const newtonStep = (): { tiny: boolean; predicted: number } | null => {
    if (!regularisedNewtonDirection(hess, grad, k, work, step, 1e-10)) return null;
    let tiny = true;
    for (let i = 0; i < k; i++) if (Math.abs(step[i]) >= stol * (1 + Math.abs(x[i]))) tiny = false;
    // A predicted decrease below the criterion's rounding cannot be confirmed by a line search:
    // x is converged to working precision.
    let predicted = 0;
    for (let i = 0; i < k; i++) predicted -= 0.5 * grad[i] * step[i];
    return { tiny, predicted };
  };
  let iterations = 0;
  let withinBudget = true;
  let finalStep = false;
  // Chord mode: refresh the cross terms when the last step's model was poor (a shortened step,
  // or an actual decrease far from the predicted one), as far from the first Hessian's point.
  let refresh = false;
  for (; iterations < (phases.newton === false ? 0 : 100); iterations++) {
    if (evals + 2 * k * k + 2 > maxEval) {
      withinBudget = false;
      break;
    }
    derivatives(phases.chord && !refresh ? false : 'forward');
    if (!grad.every(Number.isFinite) || !hess.every(Number.isFinite)) break;
    let newton = newtonStep();
    if (!newton) break;
    let polish = false;
    if (phases.chord && !crossAtX && (newton.tiny || newton.predicted <= CONVERGED_DECREASE * (1 + Math.abs(fx)))) {
      // Close to the optimum on stale cross terms: a fresh Hessian here, then a true Newton step.
      crossTerms(phases.finalCross !== false);
      if (!hess.every(Number.isFinite)) break;
      newton = newtonStep();
      if (!newton) break;
      polish = true;
    }
    const { tiny, predicted } = newton;
    if (tiny || predicted <= precision * (1 + Math.abs(fx))) {
      iterations++;
      break;
    }
    let t = lineSearch(step);
    if (t === 0 && k > 1) {
      // The full step found no strict decrease (an ill-conditioned Hessian estimate, e.g. one
      // theta far larger than another): try each coordinate's own Newton step instead.
      for (let i = 0; i < k; i++) {
        const h = hess[i * k + i];
        step[i] = h > 0 ? -grad[i] / h : 0;
      }
      t = lineSearch(step);
    }
    if (t === 0) break;
    let small = true;
    for (let i = 0; i < k; i++) if (Math.abs(t * step[i]) >= stol * (1 + Math.abs(x[i]))) small = false;
    const decrease = fx - lastTrialF;
    refresh = t !== 1 || decrease < 0.5 * predicted || decrease > 2 * predicted;
    x.set(trial);
    fx = lastTrialF;
    derivativesAtX = false;
    crossAtX = false;
    centralAtX = false;
    if (small || decrease <= 1e-15 * (1 + Math.abs(fx))) {
      iterations++;
      break;
    }
    // A full Newton step from a point this close to the optimum leaves an error of the order of
    // the square of the one before (far below the variances' 1e-6): no confirming derivatives.
    // (Not so for a chord step, whose error only shrinks by a constant factor.)
    if ((polish || !phases.chord) && t === 1 && predicted <= CONVERGED_DECREASE * (1 + Math.abs(fx)) && decrease <= 2 * predicted) {
      iterations++;
      finalStep = true;
      break;
    }
  }
  const room = evals + 2 * k * k + 2 <= maxEval;
  if (phases.chord && phases.newton !== false && room && !finalStep) {
    // The Hessian of the final point, every term afresh and central (only the gradient and the
    // diagonal with `finalCross` false: all a convergence check needs). After a converged final
    // step, the fresh Hessian of the point before it stands.
    const cross = phases.finalCross === false ? false : 'central';
    if (!derivativesAtX) derivatives(cross);
    else if (cross && !centralAtX) crossTerms(true);
  } else if (!phases.chord && phases.newton !== false && !derivativesAtX && !finalStep && room) derivatives();
  return {
    x,
    f: fx,
    evaluations: evals,
    gradient: Float64Array.from(grad),
    hessian: Float64Array.from(hess),
    newtonIterations: iterations,
    withinBudget: withinBudget && evals <= maxEval,
  };
}

/**
 * Nelder-Mead simplex search from `x0`: the fallback first phase when the quadratic models
 * cannot make progress (a degenerate or flat criterion). Stops when the simplex's values span
 * less than `ftol` relative and its size is below 1e-4, or at `budget` evaluations (counted by
 * `F` through `evaluations`).
 */
function nelderMead(
  F: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  ftol: number,
  budget: number,
  evaluations: () => number,
): { x: Float64Array; f: number } {
  const k = x0.length;
  const simplex: Float64Array[] = [];
  const fv = new Float64Array(k + 1);
  for (let i = 0; i <= k; i++) {
    const v = Float64Array.from(x0);
    if (i > 0) v[i - 1] += Math.max(0.25 * Math.abs(v[i - 1]), 0.1);
    simplex.push(v);
    fv[i] = F(v);
  }
  const centroid = new Float64Array(k);
  const xr = new Float64Array(k);
  const xe = new Float64Array(k);
  const xc = new Float64Array(k);
  const order = Array.from({ length: k + 1 }, (_, i) => i);
  const nmBudget = budget;
  while (evaluations() < nmBudget) {
    order.sort((a, b) => fv[a] - fv[b]);
    const best = order[0];
    const worst = order[k];
    const second = order[k - 1] ?? best;
    if (Number.isFinite(fv[worst]) && fv[worst] - fv[best] <= ftol * (1 + Math.abs(fv[best]))) {
      let size = 0;
      for (let i = 0; i <= k; i++)
        for (let d = 0; d < k; d++) size = Math.max(size, Math.abs(simplex[i][d] - simplex[best][d]));
      if (size < 1e-4) break;
    }
    centroid.fill(0);
    for (const i of order) if (i !== worst) for (let d = 0; d < k; d++) centroid[d] += simplex[i][d] / k;
    for (let d = 0; d < k; d++) xr[d] = centroid[d] + (centroid[d] - simplex[worst][d]);
    const fr = F(xr);
    if (fr < fv[best]) {
      for (let d = 0; d < k; d++) xe[d] = centroid[d] + 2 * (centroid[d] - simplex[worst][d]);
      const fe = F(xe);
      if (fe < fr) {
        simplex[worst].set(xe);
        fv[worst] = fe;
      } else {
        simplex[worst].set(xr);
        fv[worst] = fr;
      }
      continue;
    }
    if (fr < fv[second]) {
      simplex[worst].set(xr);
      fv[worst] = fr;
      continue;
    }
    const outside = fr < fv[worst];
    for (let d = 0; d < k; d++) {
      xc[d] = outside
        ? centroid[d] + 0.5 * (xr[d] - centroid[d])
        : centroid[d] + 0.5 * (simplex[worst][d] - centroid[d]);
    }
    const fc = F(xc);
    if (fc < Math.min(fr, fv[worst])) {
      simplex[worst].set(xc);
      fv[worst] = fc;
      continue;
    }
    for (const i of order) {
      if (i === best) continue;
      for (let d = 0; d < k; d++) simplex[i][d] = simplex[best][d] + 0.5 * (simplex[i][d] - simplex[best][d]);
      fv[i] = F(simplex[i]);
    }
  }
  let bi = 0;
  for (let i = 1; i <= k; i++) if (fv[i] < fv[bi]) bi = i;
  return { x: Float64Array.from(simplex[bi]), f: fv[bi] };
}
