/**
 * The profiled REML / ML criterion of a random-intercept linear mixed model, as lme4 defines it
 * (`REMLcrit`, `deviance`), evaluated from the cross-products alone.
 *
 * For theta (one relative standard deviation per random term, engine order) the matrix
 * `A(theta) = [Lambda'Z'WZ Lambda + I, Lambda'Z'WX, Lambda'Z'Wy; ., X'WX, X'Wy; ., ., y'Wy]`
 * is factored as `L L'`. The first term's diagonal block `D = theta1^2 n_j + 1` is eliminated
 * in closed form; the Schur complement of the rest is
 * `S (B - sum_c a_c G_c) S + I_r` with `a_c = theta1^2 / (theta1^2 n_c + 1)` and
 * `S = diag(theta_k on each other term's levels, 1 on X and y)`, factored densely (m x m).
 *
 * - `ldL2 = sum_j log(theta1^2 n_j + 1) + 2 sum log diag(L_r)`, `ldRX2 = 2 sum log diag(L_X)`,
 *   `r2 = L_yy^2` (the penalised weighted residual sum of squares).
 * - ML: `ldL2 - log|W| + n (1 + log(2 pi r2 / n))`.
 * - REML: `ldL2 + ldRX2 - log|W| + (n - p)(1 + log(2 pi r2 / (n - p)))`.
 */
import { choleskyInPlace, inverseFromCholesky, solveLowerTransposeInPlace } from '../linalg/dense-cholesky.js';
import { sparseRankOneLower } from '../linalg/sparse-update.js';
import type { CrossProducts } from './cross-products.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Everything derived from the factorisation at one theta. */
export interface PlsSolution {
  /** Engine-order theta. */
  readonly theta: Float64Array;
  readonly criterion: number;
  readonly ldL2: number;
  readonly ldRX2: number;
  /** Penalised weighted residual sum of squares. */
  readonly r2: number;
  readonly sigma: number;
  readonly beta: Float64Array;
  /** `(R_X' R_X)^{-1}`, row-major p x p; `vcov = sigma^2` times this. */
  readonly unscaledVcov: Float64Array;
  /** Conditional modes `b = Lambda u`, one array per term in engine order. */
  readonly b: Float64Array[];
}

/**
 * The profiled criterion over the cross-products of one design and response.
 *
 * @example
 * ```ts
 * const crit = new ProfiledCriterion(cp, true);
 * crit.evaluate(Float64Array.of(1.2, 0.4)); // REML criterion at theta
 * const sol = crit.solve(Float64Array.of(1.2, 0.4)); // beta, sigma, conditional modes
 * ```
 */
export class ProfiledCriterion {
  readonly cp: CrossProducts;
  readonly reml: boolean;
  /** Number of criterion evaluations so far. */
  evaluations = 0;
  private readonly work: Float64Array;
  private readonly scale: Float64Array;

  constructor(cp: CrossProducts, reml: boolean) {
    this.cp = cp;
    this.reml = reml;
    this.work = new Float64Array(cp.m * cp.m);
    this.scale = new Float64Array(cp.m);
  }

  /** Number of theta parameters (random terms). */
  get size(): number {
    return 1 + this.cp.restLevels.length;
  }

  /**
   * Factor `A(theta)` into the work buffer. Returns the first term's `log det` part, or NaN if
   * the dense factorisation failed (the caller maps that to +Infinity).
   */
  private factor(theta: ArrayLike<number>): number {
    const cp = this.cp;
    const { m, qr, B, g, n1, q1, restLevels, restOffsets } = cp;
    const A = this.work;
    const s = this.scale;
    const t1 = theta[0];
    const t1s = t1 * t1;
    A.set(B);
    let ld1 = 0;
    const G = cp.G;
    if (G) {
      const { values, multiplicity } = cp.counts;
      const mm = m * m;
      for (let c = 0; c < values.length; c++) {
        const d = t1s * values[c] + 1;
        ld1 += multiplicity[c] * Math.log(d);
        const a = t1s / d;
        if (a === 0) continue;
        const off = c * mm;
        for (let i = 0; i < m; i++) {
          const ri = i * m;
          for (let k = 0; k <= i; k++) A[ri + k] -= a * G[off + ri + k];
        }
      }
    } else {
      const { start, index } = cp.pattern!;
      for (let j = 0; j < q1; j++) {
        const d = t1s * n1[j] + 1;
        ld1 += Math.log(d);
        const a = t1s / d;
        if (a === 0) continue;
        sparseRankOneLower(A, m, a, g, j * m, index, start[j], start[j + 1]);
      }
    }
    for (let k = 0; k < restLevels.length; k++) {
      const tk = theta[k + 1];
      const o = restOffsets[k];
      for (let l = 0; l < restLevels[k]; l++) s[o + l] = tk;
    }
    for (let i = qr; i < m; i++) s[i] = 1;
    for (let i = 0; i < m; i++) {
      const ri = i * m;
      const si = s[i];
      for (let k = 0; k <= i; k++) A[ri + k] *= si * s[k];
    }
    for (let i = 0; i < qr; i++) A[i * m + i] += 1;
    const failed = choleskyInPlace(A, m);
    // A zero final pivot means a perfect fit (r2 = 0): the criterion is then -Infinity, not an error.
    if (failed >= 0 && failed < m - 1) return Number.NaN;
    if (failed === m - 1) A[m * m - 1] = 0;
    return ld1;
  }

  private assemble(ld1: number): { criterion: number; ldL2: number; ldRX2: number; r2: number } {
    const { m, qr, p, n, ldW } = this.cp;
    const A = this.work;
    let ldL2 = ld1;
    for (let i = 0; i < qr; i++) ldL2 += 2 * Math.log(A[i * m + i]);
    let ldRX2 = 0;
    for (let i = qr; i < qr + p; i++) ldRX2 += 2 * Math.log(A[i * m + i]);
    const lyy = A[m * m - 1];
    const r2 = lyy * lyy;
    let criterion: number;
    if (this.reml) {
      const nmp = n - p;
      criterion = ldL2 + ldRX2 - ldW + nmp * (1 + LOG_2PI + Math.log(r2 / nmp));
    } else {
      criterion = ldL2 - ldW + n * (1 + LOG_2PI + Math.log(r2 / n));
    }
    return { criterion, ldL2, ldRX2, r2 };
  }

  /**
   * The profiled criterion at theta (engine order). Allocation-free; returns +Infinity where the
   * factorisation fails (it never throws).
   */
  evaluate(theta: ArrayLike<number>): number {
    this.evaluations++;
    const ld1 = this.factor(theta);
    if (Number.isNaN(ld1)) return Number.POSITIVE_INFINITY;
    const c = this.assemble(ld1).criterion;
    return Number.isNaN(c) ? Number.POSITIVE_INFINITY : c;
  }

  /** Solve the penalised least-squares problem at theta: beta, sigma, conditional modes. */
  solve(thetaIn: ArrayLike<number>): PlsSolution {
    const theta = Float64Array.from(thetaIn);
    const cp = this.cp;
    const { m, qr, p, n, g, n1, q1, restLevels, restOffsets } = cp;
    const ld1 = this.factor(theta);
    const A = this.work;
    const { criterion, ldL2, ldRX2, r2 } = Number.isNaN(ld1)
      ? { criterion: Number.POSITIVE_INFINITY, ldL2: NaN, ldRX2: NaN, r2: NaN }
      : this.assemble(ld1);
    // Back-substitution for [u_rest; beta]: L_rest' v = (y row of L).
    const v = new Float64Array(qr + p);
    const yrow = (m - 1) * m;
    for (let i = 0; i < qr + p; i++) v[i] = A[yrow + i];
    solveLowerTransposeInPlace(A, m, 0, qr + p, v);
    const beta = v.slice(qr, qr + p);
    const unscaledVcov = inverseFromCholesky(A, m, qr, p);
    const sigma = Math.sqrt(r2 / (this.reml ? n - p : n));
    // First term's modes in closed form.
    const t1 = theta[0];
    const t1s = t1 * t1;
    const b1 = new Float64Array(q1);
    for (let k = 0; k < restLevels.length; k++) {
      const tk = theta[k + 1];
      const o = restOffsets[k];
      for (let l = 0; l < restLevels[k]; l++) this.scale[o + l] = tk;
    }
    // r_j = y'Z1_j - (S u)' g_j - beta' X'Z1_j, with the coefficients gathered once.
    const coef = new Float64Array(qr + p);
    for (let i = 0; i < qr; i++) coef[i] = this.scale[i] * v[i];
    for (let c = 0; c < p; c++) coef[qr + c] = beta[c];
    const k = qr + p;
    for (let j = 0; j < q1; j++) {
      const gj = j * m;
      let r = g[gj + m - 1];
      for (let i = 0; i < k; i++) r -= coef[i] * g[gj + i];
      b1[j] = (t1s * r) / (t1s * n1[j] + 1);
    }
    const b: Float64Array[] = [b1];
    for (let k = 0; k < restLevels.length; k++) {
      const o = restOffsets[k];
      const bk = new Float64Array(restLevels[k]);
      for (let l = 0; l < restLevels[k]; l++) bk[l] = theta[k + 1] * v[o + l];
      b.push(bk);
    }
    return { theta, criterion, ldL2, ldRX2, r2, sigma, beta, unscaledVcov, b };
  }
}
