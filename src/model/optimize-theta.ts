/**
 * Optimise theta for a prepared model: moment start (or a given start), even-function search,
 * boundary snapping, convergence checks. Never throws for numerical trouble: it reports.
 */
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { minimizeEven, type MinimizeControl } from '../optimize/minimize.js';
import { relativeNewtonStep } from '../optimize/newton-step.js';
import { momentStart } from '../optimize/start-values.js';
import type { PreparedModel } from './prepare-model.js';

/**
 * Threshold below which lme4 calls a diagonal entry of lambda (for a random intercept, its
 * relative standard deviation) singular (`isSingular`).
 *
 * @example
 * ```ts
 * const singular = Object.values(fit.theta).some((t) => t < SINGULAR_TOL);
 * ```
 */
export const SINGULAR_TOL = 1e-4;

/** What the optimiser did. */
export interface OptimizerInfo {
  readonly method: 'quadratic-model+newton';
  readonly evaluations: number;
  readonly newtonIterations: number;
  /** Starting theta, keyed as `theta` (formula order). */
  readonly thetaStart: Record<string, number>;
  /** Finite-difference gradient of the criterion at the optimum, keyed as `theta`. */
  readonly gradient: Record<string, number>;
}

/** Result of {@link optimizeTheta}; theta in engine order. */
export interface ThetaOptimum {
  readonly theta: Float64Array;
  readonly criterion: number;
  readonly converged: boolean;
  readonly evaluations: number;
  readonly newtonIterations: number;
  readonly start: Float64Array;
  readonly gradient: Float64Array;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Minimise the prepared model's profiled criterion.
 *
 * @example
 * ```ts
 * const opt = optimizeTheta(prepareModel(rows, 'y ~ (1|g)'));
 * opt.theta; opt.converged;
 * ```
 */
export function optimizeTheta(
  prepared: PreparedModel,
  control: MinimizeControl = {},
  start?: ArrayLike<number>,
): ThetaOptimum {
  const crit = prepared.criterion;
  const terms = prepared.terms;
  const before = crit.evaluations;
  const diagonal = terms.engineDiagonal();
  let theta0: Float64Array;
  if (start) {
    // Rectified, and off the boundary so that the search can move every diagonal entry.
    theta0 = Float64Array.from(start);
    terms.rectifyEngine(theta0);
    for (const d of diagonal) theta0[d] = Math.max(theta0[d], 0.05);
  } else if (terms.scalarOnly) {
    theta0 = momentStart(prepared.cp);
  } else {
    theta0 = new Float64Array(terms.size);
    terms.terms.forEach((t, i) => t.startTheta(theta0, terms.engineOffsets[i]));
  }
  // Unconstrained search (the criterion depends on lambda only through lambda lambda'), then
  // rectified: lambda columns with a negative diagonal flip sign.
  const res = minimizeEven((t) => crit.evaluate(t), theta0, control);
  const theta = Float64Array.from(res.x);
  terms.rectifyEngine(theta);
  let f = crit.evaluate(theta);
  // Snap near-zero diagonal entries to the boundary when that does not worsen the criterion.
  for (const i of diagonal) {
    if (theta[i] !== 0 && theta[i] < 1e-3) {
      const keep = theta[i];
      theta[i] = 0;
      const f0 = crit.evaluate(theta);
      if (f0 <= f + 1e-10 * Math.max(1, Math.abs(f))) f = Math.min(f, f0);
      else theta[i] = keep;
    }
  }
  const names = terms.toEngineNames();
  const diagnostics: Diagnostic[] = [];
  // Convergence: a Newton step on the interior coordinates is negligible and the curvature positive.
  const k = theta.length;
  const isDiagonal = new Set(diagonal);
  const free = [...Array(k).keys()].filter((i) => !isDiagonal.has(i) || theta[i] > 0);
  let converged = res.withinBudget && Number.isFinite(f);
  if (!Number.isFinite(f)) {
    diagnostics.push(diagnostic('NOT_FINITE', 'warning', `The criterion at the optimum is ${f}: the fit failed numerically`));
  }
  if (!res.withinBudget) {
    diagnostics.push(
      diagnostic('EVALUATION_LIMIT', 'warning', `The optimiser stopped at its evaluation limit (${res.evaluations} evaluations)`),
    );
  }
  if (converged && free.length > 0) {
    const maxRel = relativeNewtonStep(res.gradient, res.hessian, theta, free, k);
    if (!(maxRel < 1e-3)) {
      converged = false;
      diagnostics.push(
        diagnostic(
          'NOT_CONVERGED',
          'warning',
          `The criterion's gradient at the optimum is not negligible (relative Newton step ${maxRel.toExponential(2)}): check the estimates`,
        ),
      );
    }
  }
  for (const i of diagonal) {
    if (theta[i] < SINGULAR_TOL) {
      diagnostics.push(
        diagnostic(
          'SINGULAR',
          'warning',
          terms.scalarOnly
            ? `Singular fit: the variance of "${names[i]}" is estimated as ${theta[i] === 0 ? '0' : 'near 0'}`
            : `Singular fit: the relative covariance factor entry "${names[i]}" is estimated as ${theta[i] === 0 ? '0' : 'near 0'}`,
        ),
      );
    }
  }
  return {
    theta,
    criterion: f,
    converged,
    evaluations: crit.evaluations - before,
    newtonIterations: res.newtonIterations,
    start: theta0,
    gradient: res.gradient,
    diagnostics,
  };
}
