/**
 * The extended REML (or ML) deviance of a random-intercept model as a function of the
 * quantities the components shares are made of (docs/intervals.md).
 *
 * The deviance in (theta, sigma^2, beta) is
 * `D = ldL2 + ldRX2 - log|W| + df log(2 pi sigma^2) + [r2(theta) + |L_X' beta - l_y|^2] / sigma^2`
 * with `df = n - p` (REML; ML drops `ldRX2` and uses `df = n`), whose minimum over beta and
 * sigma^2 is the profiled criterion. Every share is a function of theta and
 * `rho = beta' S beta / sigma^2` only (S the n - 1 sample covariance of X):
 * `V_k = sigma^2 theta_k^2`, `V_e = sigma^2 c_e` (`c_e = mean(1/w)`), `V_f = sigma^2 rho`. So the
 * profile runs over `(theta, rho)` with `D*(theta, rho) = min {D : beta' S beta = rho sigma^2}`.
 *
 * The inner minimum: with `C = L_X^{-1} S L_X^{-T} = Q diag(lambda) Q'` and `zhat = Q' l_y`, the
 * constrained beta is `z_i = zhat_i / (1 + mu lambda_i)` for a multiplier mu, giving
 * `c(mu) = beta' S beta = sum lambda_i z_i^2` and `h(mu) = sum (zhat_i - z_i)^2`, and then
 * `sigma^2 = c / rho`, so `D*` is a one-dimensional minimum over mu in `(-1/lambda_max, inf)`
 * (Brent, on `t = log(1 + mu lambda_max)`). One factorisation of the criterion per `(theta, rho)`.
 */
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { minimizeScalar } from '../optimize/minimize-scalar.js';
import { ProfiledCriterion, type FixedBlockParts } from '../objective/profiled-criterion.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * `D*(theta, rho)` for one prepared model. Slots: engine-order random terms `0..K-1`, then the
 * fixed part (when there is one), then the residual.
 *
 * @example
 * ```ts
 * const dev = new ShareDeviance(prepared, true, 1);
 * dev.deviance(thetaHat, rhoHat); // the REML criterion at the fit
 * ```
 */
export class ShareDeviance {
  readonly K: number;
  readonly hasFixed: boolean;
  /** `V_e / sigma^2`: 1 unweighted, `mean(1/w)` with precision weights. */
  readonly residualFactor: number;
  /** Residual degrees of freedom of the deviance (n - p for REML, n for ML). */
  readonly df: number;
  private readonly crit: ProfiledCriterion;
  private readonly reml: boolean;
  private readonly ldW: number;
  private readonly p: number;
  private readonly S: Float64Array;
  private readonly parts: FixedBlockParts;
  private readonly work: Float64Array;
  private readonly C: Float64Array;
  private readonly lambda: Float64Array;
  private readonly Q: Float64Array;
  private readonly zhat: Float64Array;
  /** Evaluations of `D*` so far. */
  evaluations = 0;

  /**
   * @param fixedCovariance `S` with `V_f = beta' S beta` (p x p, row-major); default the n - 1
   *   sample covariance of the columns of `design.x` (row-level models).
   */
  constructor(prepared: PreparedModel, hasFixed: boolean, residualFactor: number, fixedCovariance?: Float64Array) {
    const { cp, design, reml } = prepared;
    const p = design.p;
    this.crit = new ProfiledCriterion(cp, reml);
    this.reml = reml;
    this.K = this.crit.size;
    this.hasFixed = hasFixed;
    this.residualFactor = residualFactor;
    this.df = reml ? cp.n - p : cp.n;
    this.ldW = cp.ldW;
    this.p = p;
    this.S = fixedCovariance ?? sampleCovariance(design.x, cp.n, p);
    this.parts = { ldL2: 0, ldRX2: 0, r2: 0, lx: new Float64Array(p * p), ly: new Float64Array(p) };
    this.work = new Float64Array(p * p);
    this.C = new Float64Array(p * p);
    this.lambda = new Float64Array(p);
    this.Q = new Float64Array(p * p);
    this.zhat = new Float64Array(p);
  }

  /** `beta' S beta`: the fixed part's variance for coefficients beta (the components method's V_f). */
  fixedVariance(beta: ArrayLike<number>): number {
    const { p, S } = this;
    let v = 0;
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) v += beta[a] * S[a * p + b] * beta[b];
    return v;
  }

  /**
   * `D*(theta, rho)`: the deviance minimised over beta and sigma^2 subject to
   * `beta' S beta = rho sigma^2` (rho is ignored without a fixed part). +Infinity where the
   * factorisation fails.
   */
  deviance(theta: ArrayLike<number>, rho: number): number {
    this.evaluations++;
    const parts = this.parts;
    if (!this.crit.fixedBlock(theta, parts)) return Number.POSITIVE_INFINITY;
    const df = this.df;
    const base = parts.ldL2 + (this.reml ? parts.ldRX2 : 0) - this.ldW;
    const r2 = parts.r2;
    if (!this.hasFixed) return base + df * (1 + LOG_2PI + Math.log(r2 / df));
    this.rotate();
    const { lambda, zhat, p } = this;
    let lmax = 0;
    let c0 = 0;
    for (let i = 0; i < p; i++) {
      if (lambda[i] > lmax) lmax = lambda[i];
      c0 += lambda[i] * zhat[i] * zhat[i];
    }
    const small = 1e-12 * lmax;
    if (rho <= 0 || lmax <= 0) {
      let h = 0;
      for (let i = 0; i < p; i++) if (lambda[i] > small) h += zhat[i] * zhat[i];
      return base + df * (1 + LOG_2PI + Math.log((r2 + h) / df));
    }
    if (!(c0 > 0)) return Number.POSITIVE_INFINITY;
    const g = (t: number): number => {
      const mu = Math.expm1(t) / lmax;
      let c = 0;
      let h = 0;
      for (let i = 0; i < p; i++) {
        const l = lambda[i] > small ? lambda[i] : 0;
        const z = zhat[i] / (1 + mu * l);
        c += l * z * z;
        h += (zhat[i] - z) ** 2;
      }
      if (!(c > 0)) return Number.POSITIVE_INFINITY;
      return df * (LOG_2PI + Math.log(c / rho)) + (rho * (r2 + h)) / c;
    };
    // sigma^2 near r2/df puts c near rho r2/df; c scales like exp(-2t) away from mu = 0.
    const t0 = 0.5 * Math.log((c0 * df) / (rho * r2));
    const lo = Math.max(t0 - 12, -700);
    const best = minimizeScalar(g, lo, t0 + 12, 1e-9);
    return base + best.f;
  }

  /** `C = L_X^{-1} S L_X^{-T}` from the last factorisation, its eigenvectors, and `zhat = Q' l_y`. */
  private rotate(): void {
    const { p, S, work, C, lambda, Q, zhat } = this;
    const { lx, ly } = this.parts;
    // work = L^{-1} S (forward substitution, column by column).
    for (let col = 0; col < p; col++) {
      for (let i = 0; i < p; i++) {
        let s = S[i * p + col];
        for (let k = 0; k < i; k++) s -= lx[i * p + k] * work[k * p + col];
        work[i * p + col] = s / lx[i * p + i];
      }
    }
    // C = L^{-1} work' (S symmetric, so this is L^{-1} S L^{-T}).
    for (let col = 0; col < p; col++) {
      for (let i = 0; i < p; i++) {
        let s = work[col * p + i];
        for (let k = 0; k < i; k++) s -= lx[i * p + k] * C[k * p + col];
        C[i * p + col] = s / lx[i * p + i];
      }
    }
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < i; j++) {
        const v = 0.5 * (C[i * p + j] + C[j * p + i]);
        C[i * p + j] = v;
        C[j * p + i] = v;
      }
    }
    symmetricEigen(C, p, lambda, Q);
    for (let i = 0; i < p; i++) {
      if (lambda[i] < 0) lambda[i] = 0;
      let s = 0;
      for (let k = 0; k < p; k++) s += Q[k * p + i] * ly[k];
      zhat[i] = s;
    }
  }
}

/** The n - 1 sample covariance of the columns of a column-major n x p matrix (p x p, row-major). */
function sampleCovariance(x: Float64Array, n: number, p: number): Float64Array {
  const mean = new Float64Array(p);
  for (let c = 0; c < p; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[c * n + i];
    mean[c] = s / n;
  }
  const S = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (x[a * n + i] - mean[a]) * (x[b * n + i] - mean[b]);
      const v = n > 1 ? s / (n - 1) : 0;
      S[a * p + b] = v;
      S[b * p + a] = v;
    }
  }
  return S;
}
