/**
 * The two optimisation stages of glmer (nAGQ = 1):
 *
 * 1. a start: theta alone, with beta updated inside PIRLS (glmer's nAGQ = 0 fit), from theta = 1;
 * 2. theta and beta together on the Laplace deviance, from stage 1's end.
 *
 * theta is each term's lambda in lme4's order (engine order here). The Laplace deviance depends on
 * lambda only through lambda lambda', so both stages search all of R^k and rectify before each
 * evaluation (a lambda column with a negative diagonal flips sign; for a scalar term, |theta|).
 *
 * For scalar random intercepts with a canonical link the gradient of the Laplace deviance is
 * analytic ({@link laplaceGradient}). Stage 1 is then a few EM-type steps in theta
 * ({@link emStart}, beta by joint PIRLS at each theta) instead of glmer's derivative-free search of
 * the nAGQ = 0 deviance, which only serves as a start; otherwise it is that search
 * ({@link minimizeEven}'s quadratic-model phase, to a modest tolerance).
 *
 * Stage 2 searches beta in standardised coordinates (`beta = beta1 + R delta`, with `R R'` the
 * unscaled covariance of stage 1's beta), so that every coordinate has about unit curvature. The
 * Laplace deviance is even in each theta, so the search runs over all of R^k and reports |theta|
 * (see {@link minimizeEven}). With the analytic gradient stage 2 takes quasi-Newton steps on it
 * ({@link minimizeWithGradient}; the starting Hessian differences theta only and takes the
 * standardised beta block as 2I, the curvature of the deviance in the joint fit's coordinates);
 * otherwise (or when that search fails or ends near a variance of 0) chord Newton steps
 * (`2(k + p)` evaluations each, the cross terms kept until a step's model proves poor). Each
 * evaluation's PIRLS starts from modes predicted by the earlier ones ({@link ModePredictor}).
 *
 * The covariance of beta is the beta block of `2 H^-1` (glmer's default `use.hessian = TRUE`),
 * H the Hessian of the Laplace deviance in (theta, beta) at the optimum: forward differences of
 * the analytic gradient, step 1e-4 (`k + p` evaluations beside the gradient at the optimum),
 * where it exists; else central differences of the deviance, step 1e-3 ({@link centralHessian},
 * `1 + (k + p)(k + p + 1)` evaluations).
 */
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { choleskyInPlace } from '../linalg/dense-cholesky.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import { minimizeEven, type MinimizeControl } from '../optimize/minimize.js';
import { minimizeWithGradient } from '../optimize/minimize-gradient.js';
import { centralHessian, forwardHessianFromGradient } from '../optimize/central-hessian.js';
import { regularisedNewtonDirection, relativeNewtonStep } from '../optimize/newton-step.js';
import { SINGULAR_TOL } from '../model/optimize-theta.js';
import type { GlmmModel } from './glmm-model.js';
import { emStart } from './em-start.js';
import { hasLaplaceGradient, laplaceGradient } from './laplace-gradient.js';
import { ModePredictor } from './mode-predictor.js';
import { Pirls, type PirlsResult } from './pirls.js';

/**
 * The optimiser's path: how stage 2 was started (EM-type steps, glmer's nAGQ = 0 search, or a
 * given start) and how it searched (quasi-Newton on the analytic gradient, or chord Newton steps).
 *
 * @example
 * ```ts
 * const m: GlmmMethod = 'laplace: EM start, quasi-Newton on the gradient';
 * ```
 */
export type GlmmMethod = `laplace: ${'EM' | 'nAGQ = 0' | 'given'} start, ${'quasi-Newton on the gradient' | 'chord Newton'}`;

/** Result of {@link optimizeGlmm}; theta in engine order. */
export interface GlmmOptimum {
  readonly method: GlmmMethod;
  readonly theta: Float64Array;
  readonly beta: Float64Array;
  readonly deviance: number;
  /** PIRLS at the optimum. */
  readonly solution: PirlsResult;
  /** Linear predictor and conditional mean at the optimum. */
  readonly state: { readonly eta: Float64Array; readonly mu: Float64Array };
  /** Covariance of beta: the beta block of `2 H^-1`, H the Hessian of the Laplace deviance in (theta, beta). */
  readonly vcov: Float64Array;
  readonly converged: boolean;
  /** Laplace deviance evaluations in stage 1 and stage 2. */
  readonly evaluations: { readonly stage1: number; readonly stage2: number };
  /** PIRLS iterations in all (each one pass over the rows). */
  readonly pirlsIterations: number;
  /** Finite-difference gradient of stage 2 at the optimum (theta then beta, engine order). */
  readonly gradient: Float64Array;
  readonly diagnostics: readonly Diagnostic[];
}

/** Options of {@link optimizeGlmm}. */
export interface GlmmOptimizeOptions {
  readonly control?: MinimizeControl;
  /**
   * Skip stage 1's search (bootstrap refits): stage 2 starts from this theta (engine order) and
   * the beta of one joint PIRLS run there, started from this beta.
   */
  readonly start?: { readonly theta: ArrayLike<number>; readonly beta: ArrayLike<number> };
  /** Compute the covariance of beta (default true; bootstrap refits skip it). */
  readonly vcov?: boolean;
}

/**
 * Fit a prepared GLMM by the Laplace approximation.
 *
 * @example
 * ```ts
 * const opt = optimizeGlmm(prepareGlmm(rows, 'y ~ x + (1|g)', { family: 'poisson' }));
 * opt.theta; opt.beta; opt.deviance;
 * ```
 */
export function optimizeGlmm(model: GlmmModel, options: GlmmOptimizeOptions = {}): GlmmOptimum {
  const control = options.control ?? {};
  const terms = model.terms;
  const k = terms.size;
  const p = model.design.p;
  const pirls = new Pirls(model, options.start ? Float64Array.from(options.start.beta) : undefined);
  const abs = new Float64Array(k);
  /** Rectified copy of the first k entries of x into `out`. */
  const rectified = (x: ArrayLike<number>, out: Float64Array): Float64Array => {
    for (let i = 0; i < k; i++) out[i] = x[i];
    terms.rectifyEngine(out);
    return out;
  };
  const diagnostics: Diagnostic[] = [];

  // Stage 1: theta with beta inside PIRLS.
  let stage1 = 0;
  let startKind: 'EM' | 'nAGQ = 0' | 'given' = 'given';
  let theta1: Float64Array;
  let beta1: Float64Array;
  let vcov1: Float64Array | null;
  if (options.start) {
    theta1 = rectified(options.start.theta, new Float64Array(k));
    const joint = pirls.run(theta1, null);
    const usable = Number.isFinite(joint.deviance) && joint.beta.every(Number.isFinite);
    beta1 = usable ? joint.beta : Float64Array.from(options.start.beta);
    vcov1 = usable ? joint.unscaledVcov : null;
  } else if (hasLaplaceGradient(model)) {
    // EM-type steps in theta from the analytic gradient, beta by joint PIRLS at each theta.
    const start = new Float64Array(k);
    terms.terms.forEach((t, i) => t.startTheta(start, terms.engineOffsets[i]));
    const em = emStart(model, pirls, start);
    startKind = 'EM';
    stage1 = em.steps;
    theta1 = em.theta;
    beta1 = em.joint.beta;
    vcov1 = em.joint.unscaledVcov;
  } else {
    startKind = 'nAGQ = 0';
    const f0 = (t: Float64Array): number => {
      stage1++;
      return pirls.run(rectified(t, abs), null).deviance;
    };
    // Only a start for stage 2: the simplex to a modest tolerance, no Newton polish.
    const start = new Float64Array(k);
    terms.terms.forEach((t, i) => t.startTheta(start, terms.engineOffsets[i]));
    const budget = Math.min(control.maxEvaluations ?? Infinity, START_BUDGET_PER_THETA * k);
    const r0 = minimizeEven(f0, start, { ...control, maxEvaluations: budget, simplexTolerance: 1e-7 }, { newton: false });
    theta1 = rectified(r0.x, new Float64Array(k));
    const joint = pirls.run(theta1, null);
    beta1 = joint.beta;
    vcov1 = joint.unscaledVcov;
  }

  // Stage 2: theta and beta on the Laplace deviance, beta in standardised coordinates.
  const R = standardiser(vcov1, p);
  const beta = new Float64Array(p);
  // Coordinates x = 1 + delta (delta = 0 at stage 1's beta), so that the optimiser's relative
  // finite-difference steps are 1e-4 standard errors rather than vanishing at delta = 0.
  const toBeta = (x: ArrayLike<number>, off: number, out: Float64Array): void => {
    for (let i = 0; i < p; i++) {
      let s = beta1[i];
      for (let j = 0; j <= i; j++) s += R[i * p + j] * (x[off + j] - 1);
      out[i] = s;
    }
  };
  let stage2 = 0;
  // Each evaluation starts PIRLS from modes predicted by the earlier ones (points keyed by
  // |theta| and the standardised beta).
  const predictor = new ModePredictor(k + p, pirls.modeCount);
  const key = new Float64Array(k + p);
  const modes = new Float64Array(pirls.modeCount);
  const evaluate = (x: Float64Array, tolerance?: number): number => {
    toBeta(x, k, beta);
    rectified(x, abs);
    key.set(abs);
    key.set(x.subarray(k), k);
    if (predictor.predict(key, modes)) pirls.loadModes(modes);
    const dev = pirls.run(abs, beta, tolerance).deviance;
    pirls.saveModes(modes);
    predictor.record(key, modes);
    return dev;
  };
  // The analytic gradient in the search coordinates: theta = |x| (sign), beta = beta1 + R (x - 1).
  const gradient = new Float64Array(k + p);
  let lastDeviance = Number.NaN;
  const gradientAt = (x: Float64Array, tolerance?: number): Float64Array => {
    lastDeviance = evaluate(x, tolerance);
    const g = laplaceGradient(model, abs, pirls.mean, modes);
    for (let i = 0; i < k; i++) gradient[i] = x[i] < 0 ? -g.theta[i] : g.theta[i];
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let i = j; i < p; i++) s += R[i * p + j] * g.beta[i];
      gradient[k + j] = s;
    }
    return gradient;
  };
  const f = (x: Float64Array): number => {
    stage2++;
    return evaluate(x);
  };
  /**
   * With the analytic gradient, quasi-Newton steps (`k` evaluations for the starting Hessian's
   * theta columns, then one or two per step); chord Newton steps on the deviance alone otherwise, or
   * when the gradient search fails or ends near a variance of 0 (where the gradient's
   * `1 / theta` terms lose precision and the even extension needs the chord search's care).
   */
  const stage2Search = (start: Float64Array): Stage2Result => {
    let from = start;
    if (hasLaplaceGradient(model)) {
      const q = minimizeWithGradient(
        (x) => {
          stage2++;
          const g = gradientAt(x);
          return { f: lastDeviance, g };
        },
        start,
        {
          valueNoise: control.valueNoise ?? VALUE_NOISE,
          maxEvaluations: control.maxEvaluations ?? GRADIENT_BUDGET,
          // beta is standardised by its joint-PIRLS covariance at the start: curvature about 2
          assumedCurvature: { coordinates: betaCoordinates, value: 2 },
        },
      );
      const nearBoundary = diagonal.some((i) => Math.abs(q.x[i]) < BOUNDARY_THETA);
      if (q.converged && !nearBoundary) {
        return { x: q.x, gradient: q.gradient, hessian: q.hessian, withinBudget: true, evaluations: q.evaluations, search: 'quasi-Newton on the gradient' };
      }
      if (Number.isFinite(q.f) && q.x.every(Number.isFinite)) from = q.x;
    }
    const chord = minimizeEven(f, from, { valueNoise: VALUE_NOISE, ...control }, { simplex: false, chord: true, finalCross: false });
    return { ...chord, search: 'chord Newton' };
  };
  const betaCoordinates = Array.from({ length: p }, (_, j) => k + j);
  const x0 = new Float64Array(k + p).fill(1);
  x0.set(theta1);
  const wantVcov = options.vcov !== false;
  const diagonal = terms.engineDiagonal();
  const res = stage2Search(x0);
  const theta = rectified(res.x, new Float64Array(k));
  const betaHat = new Float64Array(p);
  toBeta(res.x, k, betaHat);
  let solution = pirls.run(theta, betaHat);
  // Snap near-zero theta to the boundary when that does not worsen the deviance.
  for (const i of diagonal) {
    if (theta[i] !== 0 && theta[i] < 1e-3) {
      const keep = theta[i];
      theta[i] = 0;
      const s0 = pirls.run(theta, betaHat);
      if (s0.deviance <= solution.deviance + 1e-10 * Math.abs(solution.deviance)) solution = s0;
      else {
        theta[i] = keep;
        pirls.run(theta, betaHat);
      }
    }
  }
  // The state at the optimum, kept before the Hessian's evaluations move PIRLS away from it.
  let state = pirls.state();
  const isDiagonal = new Set(diagonal);
  const free = [...Array(k + p).keys()].filter((i) => i >= k || !isDiagonal.has(i) || theta[i] > 0);
  // The covariance from the Hessian at the optimum: steps of 1e-4 on the analytic gradient, or
  // 1e-3 on the deviance (in standard errors for beta), whose PIRLS noise (about 1e-10) smaller
  // steps would amplify.
  let vcov: Float64Array = new Float64Array(p * p).fill(Number.NaN);
  let hessian: Float64Array | null = null;
  // The reported point in the search's coordinates (theta rectified and snapped), and the
  // gradient there from the Hessian's own evaluations: the convergence check below judges that
  // point, not the search's last iterate.
  const xhat = Float64Array.from(res.x);
  xhat.set(theta);
  const gradientAtOptimum = new Float64Array(k + p);
  const derivativesAtOptimum = (): Float64Array => {
    // With the analytic gradient: forward differences of the gradient (k + p evaluations, the
    // gradient search's own gradient at the optimum reused when nothing was rectified or
    // snapped) instead of 1 + (k + p)(k + p + 1).
    const searched = res.search === 'quasi-Newton on the gradient' && xhat.every((v, i) => v === res.x[i]);
    const H = hasLaplaceGradient(model)
      ? forwardHessianFromGradient((x) => gradientAt(x, HESSIAN_PIRLS_TOLERANCE), xhat, GRADIENT_HESSIAN_STEP, searched ? res.gradient : undefined, gradientAtOptimum)
      : centralHessian(evaluate, xhat, HESSIAN_STEP, gradientAtOptimum);
    if (wantVcov) vcov = covarianceFromHessian(H, R, k, p);
    return H;
  };
  // Without the covariance (vcov: false) the Hessian of the reported point is computed only when
  // the search's own derivatives (of its last iterate) fail the convergence check, to judge it.
  const searchJudged =
    !wantVcov && res.withinBudget && solution.converged && !(relativeNewtonStep(res.gradient, res.hessian, res.x, free, k + p) < NEWTON_STEP_TOL);
  if (wantVcov || searchJudged) {
    let H = derivativesAtOptimum();
    // A search that stopped short of the optimum on noisy finite differences of its own (a chord
    // search's curvature from steps of 1e-4 can even be negative): Newton steps over the free
    // parameters on the reported point's Hessian, each kept only when it lowers the deviance.
    for (let polish = 0; polish < MAX_POLISH_STEPS && res.withinBudget && solution.converged; polish++) {
      const rel = relativeNewtonStep(gradientAtOptimum, H, xhat, free, k + p);
      const step = Number.isFinite(rel) && rel >= NEWTON_STEP_TOL ? newtonStepOver(H, gradientAtOptimum, k + p, free) : null;
      if (!step) break;
      const trial = Float64Array.from(xhat);
      for (const i of free) trial[i] += step[i];
      const trialTheta = rectified(trial, new Float64Array(k));
      const trialBeta = new Float64Array(p);
      toBeta(trial, k, trialBeta);
      const s = pirls.run(trialTheta, trialBeta);
      if (!(s.converged && s.deviance < solution.deviance)) {
        pirls.run(theta, betaHat);
        break;
      }
      theta.set(trialTheta);
      betaHat.set(trialBeta);
      xhat.set(trial);
      xhat.set(theta);
      solution = s;
      state = pirls.state();
      H = derivativesAtOptimum();
    }
    hessian = H;
  }
  if (wantVcov && !isPositiveDefinite(vcov, p)) {
    // As glmer's vcov: from R_X at the optimum's weights instead (PIRLS back at the optimum: the
    // Hessian's evaluations moved it), with a warning.
    pirls.run(theta, betaHat);
    vcov = pirls.unscaledVcovAt(theta) ?? vcov;
    diagnostics.push(
      diagnostic(
        'VCOV_FROM_RX',
        'warning',
        'The covariance of the fixed effects from the Hessian of the Laplace deviance is not positive definite: it is taken from R_X at the optimum (standard errors conditional on the variance parameters)',
      ),
    );
  }
  let converged = res.withinBudget && Number.isFinite(solution.deviance) && solution.converged;
  if (!res.withinBudget) {
    diagnostics.push(diagnostic('EVALUATION_LIMIT', 'warning', `The optimiser stopped at its evaluation limit (${res.evaluations} evaluations)`));
  }
  if (!solution.converged) {
    converged = false;
    diagnostics.push(diagnostic('NOT_CONVERGED', 'warning', 'PIRLS did not converge at the optimum: check the estimates'));
  }
  if (converged && hessian && !isPositiveDefinite(restrict(hessian, k + p, free), free.length)) {
    // lme4's "degenerate Hessian" check: not a strict minimum in the free parameters
    converged = false;
    diagnostics.push(
      diagnostic(
        'NOT_CONVERGED',
        'warning',
        'The Hessian of the Laplace deviance in theta and beta is not positive definite at the optimum (a degenerate Hessian): a fixed effect may be unbounded (separation) or a term not identified; check the estimates',
      ),
    );
  }
  if (converged) {
    // On the Hessian and gradient of the reported point where they were computed (the search's
    // own finite differences are of its last iterate, before a near-zero theta was snapped to 0,
    // and a chord search's are rough estimates: their diagonal can be negative at a minimum);
    // without the covariance (vcov: false) and a search that passed it, on the search's.
    const maxRel = hessian
      ? relativeNewtonStep(gradientAtOptimum, hessian, xhat, free, k + p)
      : relativeNewtonStep(res.gradient, res.hessian, res.x, free, k + p);
    if (!(maxRel < NEWTON_STEP_TOL)) {
      converged = false;
      diagnostics.push(
        diagnostic(
          'NOT_CONVERGED',
          'warning',
          `The Laplace deviance's gradient at the optimum is not negligible (relative Newton step ${maxRel.toExponential(2)}): check the estimates`,
        ),
      );
    }
  }
  const names = terms.toEngineNames();
  for (const i of diagonal) {
    if (theta[i] < SINGULAR_TOL) {
      const what = terms.scalarOnly ? `the variance of "${names[i]}"` : `the relative covariance factor entry "${names[i]}"`;
      diagnostics.push(diagnostic('SINGULAR', 'warning', `Singular fit: ${what} is estimated as ${theta[i] === 0 ? '0' : 'near 0'}`));
    }
  }
  return {
    method: `laplace: ${startKind} start, ${res.search}`,
    theta,
    beta: betaHat,
    deviance: solution.deviance,
    solution,
    state,
    vcov,
    converged,
    evaluations: { stage1, stage2 },
    pirlsIterations: pirls.iterations,
    gradient: res.gradient,
    diagnostics,
  };
}

/**
 * The inverse of a symmetric d x d matrix through its eigen-decomposition, or null when it is
 * not finite or singular (an eigenvalue at or below 1e-12 of the largest in size).
 */
function symmetricInverse(H: Float64Array, d: number): Float64Array | null {
  if (!H.every(Number.isFinite)) return null;
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  symmetricEigen(H.slice(), d, values, vectors);
  const scale = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (!(scale > 0) || values.some((v) => Math.abs(v) <= 1e-12 * scale)) return null;
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let e = 0; e < d; e++) s += (vectors[i * d + e] * vectors[j * d + e]) / values[e];
      out[i * d + j] = s;
      out[j * d + i] = s;
    }
  return out;
}

/** True when the symmetric p x p matrix is finite and positive definite (lme4: smallest eigenvalue > 0). */
function isPositiveDefinite(v: Float64Array, p: number): boolean {
  if (!v.every(Number.isFinite)) return false;
  const L = v.slice();
  return choleskyInPlace(L, p) < 0;
}

/** Lower Cholesky factor of stage 1's unscaled covariance of beta (identity if unavailable). */
function standardiser(vcov: Float64Array | null, p: number): Float64Array {
  const R = new Float64Array(p * p);
  if (vcov) {
    R.set(vcov);
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) R[i * p + j] = 0;
    if (choleskyInPlace(R, p) < 0) return R;
    R.fill(0);
  }
  for (let i = 0; i < p; i++) R[i * p + i] = 1;
  return R;
}

/**
 * Relative noise of the Laplace deviance from its PIRLS iterations (about 1e-10 on 8,000 for
 * VerbAgg, 1e-14): stage 2 stops at a predicted decrease below ten times that.
 */
const VALUE_NOISE = 1e-13;

/**
 * Evaluation budget of the nAGQ = 0 start per theta parameter: a start only (the glmer fixtures
 * with slopes take at most about 160 per parameter); on an ill-conditioned deviance (a covariate
 * of 1e6 under a slope) the simplex would otherwise spend its whole budget there.
 */
const START_BUDGET_PER_THETA = 250;

/** Evaluation budget of the gradient search of stage 2 (before the chord search takes over). */
const GRADIENT_BUDGET = 200;

/** A theta below this at the end of the gradient search hands stage 2 to the chord search. */
const BOUNDARY_THETA = 1e-2;

/** What stage 2 reports: the optimum, the gradient and Hessian there (for the convergence check). */
interface Stage2Result {
  readonly x: Float64Array;
  readonly gradient: Float64Array;
  readonly hessian: Float64Array;
  readonly withinBudget: boolean;
  readonly evaluations: number;
  readonly search: 'quasi-Newton on the gradient' | 'chord Newton';
}

/** Step of the central differences for the covariance (theta, and beta in standardised units). */
const HESSIAN_STEP = 1e-3;

/**
 * Step of the forward differences of the analytic gradient for the covariance: their error is
 * O(h), and the gradient's noise (about 1e-10 relative) over 1e-4 stays far below it.
 */
const GRADIENT_HESSIAN_STEP = 1e-4;

/**
 * The PIRLS runs behind the gradients of the covariance Hessian stop once a step moves the
 * linear predictor by less than this, skipping the factorisation at the final weights: that
 * factorisation gives the deviance's `ldL2` only, which the gradient does not use (the standard
 * errors are bitwise the same on the glmer fixtures).
 */
const HESSIAN_PIRLS_TOLERANCE = 1e-6;

/**
 * The Newton step `-H_ff^-1 g_f` over the coordinates `free` (zero elsewhere), or null when
 * `H_ff` is not positive definite.
 */
function newtonStepOver(H: Float64Array, g: Float64Array, d: number, free: readonly number[]): Float64Array | null {
  const m = free.length;
  const direction = new Float64Array(m);
  const ok = regularisedNewtonDirection(restrict(H, d, free), Float64Array.from(free, (i) => g[i]), m, new Float64Array(m * m), direction, 0, 1);
  if (!ok) return null;
  const step = new Float64Array(d);
  free.forEach((i, a) => (step[i] = direction[a]));
  return step;
}

/** The rows and columns `keep` of a row-major d x d matrix. */
function restrict(H: Float64Array, d: number, keep: readonly number[]): Float64Array {
  const m = keep.length;
  const out = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) out[a * m + b] = H[keep[a] * d + keep[b]];
  return out;
}

/**
 * The covariance of beta as glmer's `vcov`: the beta block of `2 H^-1` (H over theta and beta,
 * inverted as a symmetric matrix, not necessarily positive definite: lme4 uses `solve`), mapped
 * back from standardised coordinates: `R V R'`. NaN where H is singular or not finite.
 */
function covarianceFromHessian(H: Float64Array, R: Float64Array, k: number, p: number): Float64Array {
  const d = k + p;
  const Hinv = symmetricInverse(H, d);
  if (!Hinv) return new Float64Array(p * p).fill(Number.NaN);
  const V = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) V[i * p + j] = Hinv[(k + i) * d + k + j] + Hinv[(k + j) * d + k + i];
  const T = new Float64Array(p * p);
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let a = 0; a <= i; a++) s += R[i * p + a] * V[a * p + j];
      T[i * p + j] = s;
    }
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let a = 0; a <= j; a++) s += T[i * p + a] * R[j * p + a];
      out[i * p + j] = s;
    }
  return out;
}

/**
 * An optimum counts as converged when its largest relative Newton step
 * ({@link relativeNewtonStep}) is below this.
 */
const NEWTON_STEP_TOL = 1e-3;

/** Newton steps at most from the reported point when the search stopped short of the optimum. */
const MAX_POLISH_STEPS = 3;
