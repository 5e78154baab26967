/**
 * Penalised iteratively reweighted least squares (PIRLS) and the Laplace deviance of a GLMM, as
 * lme4 defines them (`pwrssUpdate`, `glmResp::Laplace`).
 *
 * At each iteration the working weights `w_i = pw_i mu_eta(eta_i)^2 / V(mu_i)` and the working
 * response `z_i = eta_i - offset_i + (y_i - mu_i) / mu_eta(eta_i)` (minus `X beta` when beta is
 * held fixed) reweight the engine's one pass: the same blocked factorisation as the linear mixed
 * model ({@link CrossProducts}, {@link ProfiledCriterion}) solves the penalised weighted least
 * squares problem for the new conditional modes `u` (and beta, in the joint stage). Steps that
 * raise the penalised deviance `sum d_i + ||u||^2` are halved. At convergence
 *
 * `Laplace deviance = ldL2 + ||u||^2 - 2 sum log p(y_i | mu_i)`,
 *
 * with `ldL2 = log det(Lambda'Z'WZ Lambda + I)` at the working weights (glmer's `devfun` value;
 * `logLik = -deviance / 2`).
 */
import { choleskyInPlace, solveLowerInPlace, solveLowerTransposeInPlace } from '../linalg/dense-cholesky.js';
import { dotAt } from '../linalg/dot.js';
import { rowKernel, type RowKernel, type RowSums } from '../family/row-kernel.js';
import type { EngineDesign, EngineFactor } from '../objective/cross-products.js';
import { CrossProducts, termWidth } from '../objective/cross-products.js';
import { levelCovariates } from '../objective/level-covariates.js';
import { ProfiledCriterion, type FixedBlockParts } from '../objective/profiled-criterion.js';
import type { GlmmModel } from './glmm-model.js';

/** The state at the end of a PIRLS run. */
export interface PirlsResult {
  /** The Laplace deviance (-2 x the approximate log-likelihood). */
  readonly deviance: number;
  /** log det of `Lambda'Z'WZ Lambda + I` at the working weights. */
  readonly ldL2: number;
  /** `||u||^2`. */
  readonly sqrL: number;
  /** Sum of the squared deviance residuals at the conditional modes. */
  readonly devResid: number;
  /** Conditional log-likelihood `sum log p(y_i | mu_i)`. */
  readonly condLogLik: number;
  /** Fixed effects used (or estimated, in the joint stage). */
  readonly beta: Float64Array;
  /** `(R_X' R_X)^-1` from the last joint solve (row-major p x p); null when beta was fixed. */
  readonly unscaledVcov: Float64Array | null;
  /** Conditional modes `b = Lambda u`, one array per term in engine order. */
  readonly b: Float64Array[];
  readonly iterations: number;
  readonly converged: boolean;
}

/** Largest change of the linear predictor at which PIRLS stops. */
const PIRLS_TOL = 1e-12;
/**
 * A full step that moves the linear predictor by less than this and lowers the penalised
 * deviance by no more than its rounding also ends PIRLS: the modes are then at the fixed point
 * to rounding, and the step sizes that follow are the rounding of the solve (a few 1e-12 on some
 * data), which {@link PIRLS_TOL} alone would chase to the iteration limit.
 */
const STALL_TOL = 1e-9;
/**
 * A full step (fixed beta) that moves the linear predictor by less than this ends PIRLS with one
 * factorisation at the new weights: the next step would move it by about the square.
 */
const FINAL_STEP_TOL = 1e-7;
const PIRLS_MAXIT = 60;
/** Consecutive steps without a decrease of the penalised deviance beyond rounding that end PIRLS. */
const FLAT_STEPS = 4;
const MAX_HALVINGS = 20;

/**
 * PIRLS for one prepared GLMM. Holds the conditional modes of the last run (as `u`) to start the
 * next one, as lme4 does.
 *
 * @example
 * ```ts
 * const pirls = new Pirls(model);
 * const joint = pirls.run(Float64Array.of(1), null); // nAGQ = 0: beta and u together
 * const lap = pirls.run(Float64Array.of(0.64), joint.beta); // Laplace deviance at (theta, beta)
 * ```
 */
export class Pirls {
  readonly model: GlmmModel;
  readonly factors: readonly EngineFactor[];
  /** Number of PIRLS iterations (each one pass over the rows) so far. */
  iterations = 0;
  private readonly eta: Float64Array;
  private readonly mu: Float64Array;
  private readonly w: Float64Array;
  private readonly z: Float64Array;
  /** `offset + X beta`: the linear predictor without the random effects. */
  private readonly base: Float64Array;
  private readonly etaPrev: Float64Array;
  /** The family's work per row: mu, working weights and response, deviance and log-likelihood. */
  private readonly kernel: RowKernel;
  /** The sums of the last {@link update}. */
  private readonly sums: RowSums = { dev: 0, logLik: 0 };
  /** What the working response subtracts from eta: the offset (joint stage) or `base` (beta fixed). */
  private shift: Float64Array;
  /** Spherical modes `u`, engine order (level-major, S per level), kept between runs. */
  private readonly u: Float64Array[];
  /** Scratch of the same shapes as `u`. */
  private readonly uWork: Float64Array[];
  /** Offset of each engine term's lambda in the engine-order theta. */
  private readonly termOffsets: readonly number[];
  private readonly noX = new Float64Array(0);
  private beta0: Float64Array;
  /** Reusable solvers for the joint and the fixed-beta stage (per-level Schur layout only). */
  private jointCrit: ProfiledCriterion | null = null;
  private fixedCrit: ProfiledCriterion | null = null;

  constructor(model: GlmmModel, startBeta?: Float64Array) {
    this.model = model;
    const { n, terms, engineOrder } = model;
    this.factors = engineOrder.map((fi) => terms.terms[fi].engineFactor());
    this.termOffsets = engineOrder.map((fi) => terms.engineOffsets[fi]);
    this.eta = new Float64Array(n);
    this.mu = new Float64Array(n);
    this.w = new Float64Array(n);
    this.z = new Float64Array(n);
    this.base = Float64Array.from(model.offset);
    this.shift = model.offset;
    this.kernel = rowKernel(model.family, model.y, model.priorWeights);
    this.etaPrev = new Float64Array(n);
    this.u = this.factors.map((f) => new Float64Array(f.nlevels * termWidth(f)));
    this.uWork = this.u.map((u) => new Float64Array(u.length));
    this.beta0 = startBeta ? Float64Array.from(startBeta) : glmStart(model, this.kernel);
  }

  /**
   * The PLS solver at the current weights and working response: the cross-products of the first
   * step of each stage (joint, or beta fixed) are kept and reweighted in place afterwards when
   * they allow it (per-level Schur updates), so a PIRLS step rebuilds no structure and
   * allocates no blocks.
   */
  private criterion(engine: EngineDesign, joint: boolean, z: Float64Array): ProfiledCriterion {
    const cached = joint ? this.jointCrit : this.fixedCrit;
    if (cached) {
      // PIRLS takes the factorisation only: no sum of log weights
      cached.cp.reweight(z, false);
      return cached;
    }
    const crit = new ProfiledCriterion(new CrossProducts(engine, z), false);
    if (!crit.cp.reweightable) return crit;
    if (joint) this.jointCrit = crit;
    else this.fixedCrit = crit;
    return crit;
  }

  /** Forget the conditional modes (start the next run from u = 0). */
  reset(): void {
    for (const u of this.u) u.fill(0);
  }

  /** Set `u` (engine order) from conditional modes `b` at theta (engine order). */
  setModes(theta: ArrayLike<number>, b: readonly Float64Array[]): void {
    this.u.forEach((u, k) => this.term(k).sphericalFromModes(theta, this.termOffsets[k], b[k], u));
  }

  private term(k: number) {
    return this.model.terms.terms[this.model.engineOrder[k]];
  }

  /** Length of the spherical modes `u` (all terms, engine order). */
  get modeCount(): number {
    let s = 0;
    for (const u of this.u) s += u.length;
    return s;
  }

  /** Copy the spherical modes `u` of the last run (terms in engine order, concatenated) into `out`. */
  saveModes(out: Float64Array): void {
    let o = 0;
    for (const u of this.u) {
      out.set(u, o);
      o += u.length;
    }
  }

  /** Start the next run from these spherical modes (the layout of {@link saveModes}). */
  loadModes(src: ArrayLike<number>): void {
    let o = 0;
    for (const u of this.u) {
      for (let l = 0; l < u.length; l++) u[l] = src[o + l];
      o += u.length;
    }
  }

  /** The starting fixed effects (from a GLM without random effects). */
  get startBeta(): Float64Array {
    return this.beta0.slice();
  }

  /** The beta behind `base` (empty before the first computation). */
  private xbetaOf: Float64Array = new Float64Array(0);

  /**
   * `offset + X beta` into `base`. Columns constant within the levels of a term (the intercept,
   * a person's covariates, an item's) are summed per level first, so that each row gathers one
   * value per such term instead of multiplying every column.
   */
  private computeXBeta(beta: Float64Array): void {
    const { n, design, offset } = this.model;
    // Evaluations that move theta only (finite differences, line searches) keep beta: X beta stands.
    const prev = this.xbetaOf;
    if (prev.length === beta.length && prev.every((v, j) => v === beta[j])) return;
    this.xbetaOf = beta.slice();
    const plan = this.xbetaPlan();
    const used: number[] = [];
    for (let k = 0; k < plan.tables.length; k++) {
      const t = plan.tables[k];
      t.fill(0);
      let any = false;
      for (let c = 0; c < design.p; c++) {
        if (plan.home[c] !== k || beta[c] === 0) continue;
        const v = plan.values[c]!;
        const bc = beta[c];
        for (let l = 0; l < t.length; l++) t[l] += bc * v[l];
        any = true;
      }
      if (any) used.push(k);
    }
    const cols: number[] = [];
    for (let j = 0; j < design.p; j++) if (plan.home[j] < 0 && beta[j] !== 0) cols.push(j);
    const x = design.x;
    const base = this.base;
    const factors = this.factors;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < used.length; t++) {
        const k = used[t];
        s += plan.tables[k][factors[k].codes[i]];
      }
      for (let t = 0; t < cols.length; t++) {
        const j = cols[t];
        s += beta[j] * x[j * n + i];
      }
      base[i] = offset[i] + s;
    }
  }

  /** Which columns of X {@link computeXBeta} sums per level, and the per-level tables (computed once). */
  private xbetaPlan(): { home: Int32Array; values: readonly (Float64Array | null)[]; tables: Float64Array[] } {
    if (this.xbPlan) return this.xbPlan;
    const { n, design } = this.model;
    const codes = this.factors.map((f) => f.codes);
    const levels = this.factors.map((f) => f.nlevels);
    const lc = levelCovariates(design.x, n, design.p, codes, levels, Number.POSITIVE_INFINITY);
    const home = Int32Array.from(lc.home, (k) => (k >= 0 && levels[k] <= n / 4 ? k : -1));
    this.xbPlan = { home, values: lc.values, tables: levels.map((L) => new Float64Array(L)) };
    return this.xbPlan;
  }
  private xbPlan: { home: Int32Array; values: readonly (Float64Array | null)[]; tables: Float64Array[] } | null = null;

  /** ldL2 of a factorisation without a solve (fixed-beta stage: no X block). */
  private readonly ldParts: FixedBlockParts = { ldL2: 0, ldRX2: 0, r2: 0, lx: new Float64Array(0), ly: new Float64Array(0) };

  /**
   * eta from `base` and modes b, then (the family's row kernel) mu and the working weights and
   * response at that eta, the sums of deviance residuals and log-likelihood (into `sums`);
   * returns the sum of deviance residuals.
   */
  private update(b: readonly Float64Array[]): number {
    const { eta, factors } = this;
    const n = eta.length;
    eta.set(this.base);
    for (let k = 0; k < factors.length; k++) {
      const { codes, columns } = factors[k];
      const bk = b[k];
      if (!columns) {
        for (let i = 0; i < n; i++) eta[i] += bk[codes[i]];
        continue;
      }
      const S = columns.length;
      for (let i = 0; i < n; i++) {
        const base = codes[i] * S;
        let e = eta[i];
        for (let s = 0; s < S; s++) {
          const col = columns[s];
          e += bk[base + s] * (col ? col[i] : 1);
        }
        eta[i] = e;
      }
    }
    this.kernel.evaluate(eta, this.shift, this.mu, this.w, this.z, this.sums);
    return this.sums.dev;
  }

  /** `||u||^2` of modes b at theta: u the least-norm solution of `Lambda u = b`. */
  private sqrL(theta: ArrayLike<number>, b: readonly Float64Array[]): number {
    let s = 0;
    b.forEach((bk, k) => (s += this.term(k).sphericalFromModes(theta, this.termOffsets[k], bk, this.uWork[k])));
    return s;
  }

  /**
   * Run PIRLS at theta (engine order). With `beta` null, beta and u are updated together
   * (glmer's nAGQ = 0 stage, from the last beta); otherwise u alone at the given beta.
   * `tolerance` is the change of the linear predictor at which it stops (default 1e-12). A
   * looser one (above 1e-7) serves a run whose modes only start something else or feed a
   * gradient: it ends at the first step that small, without the factorisation at the final
   * weights that makes the deviance exact (`ldL2` is then from that step's weights).
   */
  run(theta: ArrayLike<number>, beta: Float64Array | null, tolerance = PIRLS_TOL): PirlsResult {
    this.overflowed = false;
    const first = this.runFrom(theta, beta, tolerance);
    if (first.converged || !(this.overflowed || !Number.isFinite(first.deviance))) return first;
    // The kept modes (or beta) are too far from this theta's: the working response overflowed
    // and no step halving recovered. Once more from u = 0 and, jointly, the GLM start.
    this.reset();
    if (beta === null) this.beta0 = glmStart(this.model, this.kernel);
    this.overflowed = false;
    return this.runFrom(theta, beta, tolerance);
  }

  /** Set by {@link runFrom} when a step overflowed the mean and no halving recovered. */
  private overflowed = false;

  private runFrom(theta: ArrayLike<number>, beta: Float64Array | null, tolerance: number): PirlsResult {
    const model = this.model;
    const { n, design } = model;
    const joint = beta === null;
    let curBeta: Float64Array = Float64Array.from(beta ?? this.beta0);
    this.computeXBeta(curBeta);
    this.shift = joint ? model.offset : this.base;
    let b: Float64Array[] = this.u.map((u, k) => {
      const bk = new Float64Array(u.length);
      this.term(k).modesFromSpherical(theta, this.termOffsets[k], u, bk);
      return bk;
    });
    let pdev = this.update(b) + this.sqrL(theta, b);
    if (!Number.isFinite(pdev)) {
      this.reset();
      b = this.u.map((u) => new Float64Array(u.length));
      pdev = this.update(b);
    }
    const engine: EngineDesign = {
      n,
      p: joint ? design.p : 0,
      x: joint ? design.x : this.noX,
      factors: this.factors,
      weights: this.w,
      perLevel: true,
    };
    let ldL2 = Number.NaN;
    let unscaledVcov: Float64Array | null = null;
    let converged = false;
    let it = 0;
    let devResid = Number.NaN;
    let flat = 0;
    for (; it < PIRLS_MAXIT; it++) {
      this.iterations++;
      // w and z are those of the last update (at the current modes)
      const { z, etaPrev } = this;
      etaPrev.set(this.eta);
      const sol = this.criterion(engine, joint, z).solve(theta);
      ldL2 = sol.ldL2;
      let newBeta = joint ? sol.beta : curBeta;
      let newB = sol.b;
      if (joint) this.computeXBeta(newBeta);
      let dev = this.update(newB);
      let newPdev = dev + this.sqrL(theta, newB);
      // Halve steps that raise the penalised deviance beyond rounding.
      const slack = 1e-11 * Math.max(Math.abs(pdev), 1);
      const fullStep = newPdev <= pdev + slack;
      const overflow = !Number.isFinite(newPdev);
      for (let h = 0; h < MAX_HALVINGS && !(newPdev <= pdev + slack); h++) {
        // in place: the solution's arrays are this run's own
        for (let k = 0; k < newB.length; k++) {
          const nb = newB[k];
          const ob = b[k];
          for (let l = 0; l < nb.length; l++) nb[l] = (nb[l] + ob[l]) / 2;
        }
        if (joint) {
          for (let j = 0; j < newBeta.length; j++) newBeta[j] = (newBeta[j] + curBeta[j]) / 2;
          this.computeXBeta(newBeta);
        }
        dev = this.update(newB);
        newPdev = dev + this.sqrL(theta, newB);
      }
      if (overflow && !(newPdev <= pdev + slack)) {
        // The step overflowed the mean and no halving brought it back: stay where it was.
        this.overflowed = true;
        newB = b;
        newBeta = curBeta;
        if (joint) this.computeXBeta(newBeta);
        dev = this.update(newB);
        newPdev = dev + this.sqrL(theta, newB);
      }
      if (joint) unscaledVcov = sol.unscaledVcov;
      // Converged when the linear predictor no longer moves: the weights of this iteration's
      // factorisation (hence ldL2) are then those at the final modes.
      let change = 0;
      for (let i = 0; i < n; i++) change = Math.max(change, Math.abs(this.eta[i] - etaPrev[i]));
      b = newB;
      curBeta = newBeta;
      devResid = dev;
      const failed = !(newPdev <= pdev + slack);
      // Steps that no longer lower the penalised deviance beyond rounding, several in a row: the
      // modes are at the fixed point to the solve's precision, which an ill-conditioned system (a
      // covariate of 1e5 under a random slope) leaves far above STALL_TOL in eta.
      const noDecrease = newPdev >= pdev - slack;
      flat = noDecrease ? flat + 1 : 0;
      const stalled = (noDecrease && fullStep && change <= STALL_TOL) || flat >= FLAT_STEPS;
      pdev = newPdev;
      if (!joint && tolerance <= FINAL_STEP_TOL && !failed && fullStep && change <= FINAL_STEP_TOL && Number.isFinite(newPdev)) {
        // PIRLS is Newton's method: after a full step this small the modes are within about
        // its square of the fixed point. ldL2 is then taken from one more factorisation at
        // their weights (no solve), not from this step's, whose weights are off by the step:
        // over n rows that would put noise of about n times the step into the deviance.
        this.iterations++;
        if (this.criterion(engine, false, z).fixedBlock(theta, this.ldParts)) {
          ldL2 = this.ldParts.ldL2;
          converged = true;
          it += 2;
          break;
        }
      }
      if (change <= tolerance || failed || stalled || this.overflowed) {
        converged = Number.isFinite(newPdev) && !this.overflowed;
        it++;
        break;
      }
    }
    this.setModes(theta, b);
    if (joint) this.beta0 = curBeta.slice();
    // From the last update, at the final modes: summed by the kernel row by row, each row's
    // constant with it (summed apart, their large and opposite totals would cancel and leave the
    // deviance with rounding noise far above the rows' own).
    const condLogLik = this.sums.logLik;
    const sqrL = this.sqrL(theta, b);
    const deviance = ldL2 + sqrL - 2 * condLogLik;
    return {
      deviance: Number.isFinite(deviance) ? deviance : Number.POSITIVE_INFINITY,
      ldL2,
      sqrL,
      devResid,
      condLogLik,
      beta: curBeta,
      unscaledVcov,
      b,
      iterations: it,
      converged,
    };
  }

  /**
   * `(R_X' R_X)^-1` at theta and the working weights of the last run (lme4's `RX`, from which
   * glmer's `vcov` falls back when the Hessian's is not positive definite), or null when the
   * factorisation fails.
   */
  unscaledVcovAt(theta: ArrayLike<number>): Float64Array | null {
    const { n, design } = this.model;
    const engine: EngineDesign = { n, p: design.p, x: design.x, factors: this.factors, weights: this.w, perLevel: true };
    return this.criterion(engine, true, this.z).solve(theta).unscaledVcov;
  }

  /**
   * The mean at the end of the last run: PIRLS's own array, without a copy (for a gradient taken
   * right after the run; the next run overwrites it).
   */
  get mean(): Float64Array {
    return this.mu;
  }

  /** The linear predictor and mean at the end of the last run (copies). */
  state(): { eta: Float64Array; mu: Float64Array } {
    return { eta: this.eta.slice(), mu: this.mu.slice() };
  }
}

/**
 * Starting fixed effects: iteratively reweighted least squares of the GLM without random
 * effects (glm's start, as glmer), a few iterations from mu = (y + mean) / 2.
 */
function glmStart(model: GlmmModel, kernel: RowKernel): Float64Array {
  const { n, design, family, y, priorWeights, offset } = model;
  const p = design.p;
  const x = design.x;
  const eta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m0 = family.name === 'binomial' ? (priorWeights[i] * y[i] + 0.5) / (priorWeights[i] + 1) : y[i] + 0.1;
    eta[i] = family.linkfun(m0);
  }
  let beta: Float64Array = new Float64Array(p);
  const xtwx = new Float64Array(p * p);
  const xtwz = new Float64Array(p);
  const mu = new Float64Array(n);
  const w = new Float64Array(n);
  const z = new Float64Array(n);
  const wx = new Float64Array(n);
  const sums: RowSums = { dev: 0, logLik: 0 };
  const etaAt = (b: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      let e = offset[i];
      for (let j = 0; j < p; j++) e += b[j] * x[j * n + i];
      eta[i] = e;
    }
  };
  // The deviance each step must not exceed: at beta = 0 first, then at the last accepted beta.
  const start = eta.slice();
  etaAt(beta);
  kernel.evaluate(eta, offset, mu, w, z, sums);
  let devRef = Number.isFinite(sums.dev) ? sums.dev : Number.POSITIVE_INFINITY;
  // working weights and response at the start (then at each accepted step's)
  eta.set(start);
  kernel.evaluate(eta, offset, mu, w, z, sums);
  for (let iter = 0; iter < 25; iter++) {
    // X'WX and X'Wz column by column
    for (let a = 0; a < p; a++) {
      for (let i = 0; i < n; i++) wx[i] = w[i] * x[a * n + i];
      xtwz[a] = dotAt(wx, z, 0, n);
      for (let c = 0; c <= a; c++) xtwx[a * p + c] = dotAt(wx, x, c * n, n);
    }
    const next = solveSymmetric(xtwx, xtwz, p);
    if (!next) break;
    // A step that raises the deviance or overflows the mean is halved toward the last beta (as
    // glm.fit's "step size truncated due to divergence"; a model without an intercept can
    // overshoot from the start at log(y) by hundreds).
    const accepted = (): boolean => next.every(Number.isFinite) && sums.dev <= devRef + 1e-10 * devRef + 1e-12;
    etaAt(next);
    kernel.evaluate(eta, offset, mu, w, z, sums);
    for (let h = 0; h < 40 && !accepted(); h++) {
      for (let j = 0; j < p; j++) next[j] = (next[j] + beta[j]) / 2;
      etaAt(next);
      kernel.evaluate(eta, offset, mu, w, z, sums);
    }
    if (!accepted()) break;
    devRef = sums.dev;
    let change = 0;
    for (let j = 0; j < p; j++) change = Math.max(change, Math.abs(next[j] - beta[j]) / (1 + Math.abs(next[j])));
    beta = next;
    if (change < 1e-10) break;
  }
  return beta;
}

/** Solve S x = r for symmetric positive definite S (lower triangle given, overwritten), or null. */
function solveSymmetric(S: Float64Array, r: Float64Array, p: number): Float64Array | null {
  if (choleskyInPlace(S, p) >= 0) return null;
  const v = Float64Array.from(r);
  solveLowerInPlace(S, p, 0, p, v);
  solveLowerTransposeInPlace(S, p, 0, p, v);
  return v;
}
