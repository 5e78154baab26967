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
 *
 * Vector terms (random slopes): theta holds each term's lambda (lme4's column-major lower
 * triangle, terms in engine order). The first term's level j has the S x S block
 * `D_j = Lambda1' T_j Lambda1 + I`; with `M_j = Lambda1 D_j^{-1} Lambda1'` the Schur update is
 * `sum_j g_j' M_j g_j` (grouped by equal `T_j`), `log det` adds `sum_j log det D_j`, and the rest
 * is `Lambda_r' (B - update) Lambda_r + I_r` with `Lambda_r` block diagonal.
 */
import { choleskyArrowInPlace } from '../linalg/arrow-cholesky.js';
import { BLOCKED_FROM, choleskyInPlace, inverseFromCholesky, solveLowerTransposeInPlace } from '../linalg/dense-cholesky.js';
import { denseRankFourLower, sparseRankOneLower } from '../linalg/sparse-update.js';
import { fillLambda, thetaSize } from '../terms/lambda.js';
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

/** Output of {@link ProfiledCriterion.fixedBlock}: caller-owned, overwritten on each call. */
export interface FixedBlockParts {
  ldL2: number;
  ldRX2: number;
  r2: number;
  /** p x p, row-major, lower triangle. */
  readonly lx: Float64Array;
  /** p. */
  readonly ly: Float64Array;
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
  /** True when some term has more than one column: the block (vector-term) path is used. */
  private readonly blocks: boolean;
  /** Offset of each engine term's theta. */
  readonly thetaOffsets: Int32Array;
  private readonly size_: number;
  // S x S scratch for the block path (S the largest width).
  private readonly lam: Float64Array;
  private readonly dBuf: Float64Array;
  private readonly mBuf: Float64Array;
  private readonly vBuf: Float64Array;
  /** Up to four queued full-pattern levels of the per-level Schur update: their weights and rows of g. */
  private readonly alpha4 = new Float64Array(4);
  private readonly bases4 = new Int32Array(4);

  constructor(cp: CrossProducts, reml: boolean) {
    this.cp = cp;
    this.reml = reml;
    this.work = new Float64Array(cp.m * cp.m);
    this.scale = new Float64Array(cp.m);
    const widths = cp.widths;
    this.blocks = widths.some((w) => w > 1);
    this.thetaOffsets = new Int32Array(widths.length);
    let off = 0;
    widths.forEach((w, e) => {
      this.thetaOffsets[e] = off;
      off += thetaSize(w);
    });
    this.size_ = off;
    const smax = Math.max(...widths);
    this.lam = new Float64Array(smax * smax);
    this.dBuf = new Float64Array(smax * smax);
    this.mBuf = new Float64Array(smax * smax);
    this.vBuf = new Float64Array(Math.max(smax, cp.m));
  }

  /**
   * Per-level mode only: the order of the leading block of `A(theta)` that stays diagonal (the
   * second term's levels, when every first-term level touches at most one of them, as under an
   * observation-level or nested first term), or 0. Worth it only when the dense rest is small.
   * Cached per nonzero pattern.
   */
  private diagonalLead(): number {
    const cp = this.cp;
    const pattern = cp.pattern;
    if (pattern === this.leadPattern) return this.lead;
    this.leadPattern = pattern;
    this.lead = 0;
    if (!pattern || cp.restLevels.length === 0) return 0;
    const d = cp.restLevels[0];
    const { m, B } = cp;
    if (m - d >= BLOCKED_FROM) return 0;
    const { start, index } = pattern;
    for (let j = 0; j < cp.q1; j++) if (start[j + 1] - start[j] > 1 && index[start[j] + 1] < d) return 0;
    for (let i = 0; i < d; i++) for (let k = 0; k < i; k++) if (B[i * m + k] !== 0) return 0;
    this.lead = d;
    // factor() leaves the leading block's off-diagonal entries of the work array alone from now on
    this.work.fill(0);
    return d;
  }

  private leadPattern: CrossProducts['pattern'] | undefined = undefined;
  private lead = 0;

  /** Number of theta parameters (engine order: each term's lambda entries in turn). */
  get size(): number {
    return this.size_;
  }

  /**
   * `M = L D^{-1} L'` with `D = L' T L + I` for the first term's lambda `L` (in `lam`) and a
   * Gram block `T` (row-major S1 x S1 at `toff` of `T`); `M` goes to `mBuf`. Returns `log det D`.
   */
  private levelBlock(T: Float64Array, toff: number): number {
    const S = this.cp.S1;
    const L = this.lam;
    const D = this.dBuf;
    const M = this.mBuf;
    // D = L' T L + I (full), via M as scratch for T L.
    for (let a = 0; a < S; a++) {
      for (let b = 0; b < S; b++) {
        let v = 0;
        for (let c = b; c < S; c++) v += T[toff + a * S + c] * L[c * S + b];
        M[a * S + b] = v;
      }
    }
    for (let a = 0; a < S; a++) {
      for (let b = 0; b <= a; b++) {
        let v = 0;
        for (let c = a; c < S; c++) v += L[c * S + a] * M[c * S + b];
        D[a * S + b] = v + (a === b ? 1 : 0);
      }
    }
    choleskyInPlace(D, S); // D >= I: never fails
    let ld = 0;
    for (let a = 0; a < S; a++) ld += 2 * Math.log(D[a * S + a]);
    // W = C^{-1} L' (column by column into M's transpose), then M = W'W.
    for (let col = 0; col < S; col++) {
      // column col of L' is row col of L
      for (let a = 0; a < S; a++) {
        let v = a <= col ? L[col * S + a] : 0;
        for (let k = 0; k < a; k++) v -= D[a * S + k] * this.vBuf[k];
        this.vBuf[a] = v / D[a * S + a];
      }
      for (let a = 0; a < S; a++) M[col * S + a] = this.vBuf[a]; // M row col = W[:, col]
    }
    // M currently holds W' (row col = column col of W); M_out[s,t] = sum_a W[a,s] W[a,t].
    const Wt = M;
    for (let s = 0; s < S; s++) {
      for (let t = 0; t <= s; t++) {
        let v = 0;
        for (let a = 0; a < S; a++) v += Wt[s * S + a] * Wt[t * S + a];
        D[s * S + t] = v; // reuse D's lower triangle for M (its factor is no longer needed)
      }
    }
    for (let s = 0; s < S; s++) for (let t = 0; t <= s; t++) M[s * S + t] = M[t * S + s] = D[s * S + t];
    return ld;
  }

  /** Factor for the block path; see {@link factor}. */
  private factorBlocks(theta: ArrayLike<number>): number {
    const cp = this.cp;
    const { m, qr, B, g, n1, q1, S1, restLevels, restOffsets, widths } = cp;
    const A = this.work;
    const M = this.mBuf;
    const v = this.vBuf;
    A.set(B);
    fillLambda(theta, 0, S1, this.lam);
    let ld1 = 0;
    const G = cp.G;
    const SS = S1 * S1;
    if (G) {
      const { values, multiplicity } = cp.counts;
      const pairs = (S1 * (S1 + 1)) / 2;
      const mm = m * m;
      for (let c = 0; c < multiplicity.length; c++) {
        ld1 += multiplicity[c] * this.levelBlock(values, c * SS);
        let pr = 0;
        for (let s = 0; s < S1; s++) {
          for (let t = 0; t <= s; t++, pr++) {
            const a = M[s * S1 + t];
            if (a === 0) continue;
            const off = (c * pairs + pr) * mm;
            for (let i = 0; i < m; i++) {
              const ri = i * m;
              for (let k = 0; k <= i; k++) A[ri + k] -= a * G[off + ri + k];
            }
          }
        }
      }
    } else {
      for (let j = 0; j < q1; j++) {
        ld1 += this.levelBlock(n1, j * SS);
        const gj = j * S1 * m;
        for (let i = 0; i < m; i++) {
          let any = false;
          for (let t = 0; t < S1; t++) {
            let vt = 0;
            for (let s = 0; s < S1; s++) vt += M[s * S1 + t] * g[gj + s * m + i];
            v[t] = vt;
            if (vt !== 0) any = true;
          }
          if (!any) continue;
          const ri = i * m;
          for (let k = 0; k <= i; k++) {
            let d = 0;
            for (let t = 0; t < S1; t++) d += v[t] * g[gj + t * m + k];
            A[ri + k] -= d;
          }
        }
      }
    }
    // Mirror to the upper triangle, then A <- Lambda_r' A Lambda_r on the rest rows and columns.
    for (let i = 0; i < m; i++) for (let k = 0; k < i; k++) A[k * m + i] = A[i * m + k];
    const L = this.lam;
    for (let r = 0; r < restLevels.length; r++) {
      const S = widths[r + 1];
      fillLambda(theta, this.thetaOffsets[r + 1], S, L);
      const o0 = restOffsets[r];
      for (let l = 0; l < restLevels[r]; l++) {
        const o = o0 + l * S;
        // columns: A[i, o+b] = sum_{d >= b} A[i, o+d] L[d, b]
        for (let i = 0; i < m; i++) {
          const ri = i * m + o;
          for (let b = 0; b < S; b++) {
            let val = 0;
            for (let d = b; d < S; d++) val += A[ri + d] * L[d * S + b];
            A[ri + b] = val;
          }
        }
        // rows: A[o+a, k] = sum_{c >= a} L[c, a] A[o+c, k]
        for (let k = 0; k < m; k++) {
          for (let a = 0; a < S; a++) {
            let val = 0;
            for (let c = a; c < S; c++) val += L[c * S + a] * A[(o + c) * m + k];
            A[(o + a) * m + k] = val;
          }
        }
      }
    }
    for (let i = 0; i < qr; i++) A[i * m + i] += 1;
    const failed = choleskyInPlace(A, m);
    if (failed >= 0 && failed < m - 1) return Number.NaN;
    if (failed === m - 1) A[m * m - 1] = 0;
    return ld1;
  }

  /**
   * Factor `A(theta)` into the work buffer. Returns the first term's `log det` part, or NaN if
   * the dense factorisation failed (the caller maps that to +Infinity).
   */
  private factor(theta: ArrayLike<number>): number {
    if (this.blocks) return this.factorBlocks(theta);
    const cp = this.cp;
    const { m, qr, B, g, n1, q1, restLevels, restOffsets } = cp;
    const A = this.work;
    const s = this.scale;
    const t1 = theta[0];
    const t1s = t1 * t1;
    const lead = this.diagonalLead();
    if (lead > 0) {
      // Arrowhead: the leading block stays diagonal (its off-diagonal entries of A are zero and
      // never written), so only its diagonal and the rows below it are copied and scaled.
      for (let i = 0; i < lead; i++) A[i * m + i] = B[i * m + i];
      A.set(B.subarray(lead * m), lead * m);
    } else A.set(B);
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
      // Levels whose pattern is full go four at a time through the dense update, in order.
      const alpha = this.alpha4;
      const bases = this.bases4;
      let queued = 0;
      // The sum of log(d_j) as the log of running products (each d_j >= 1): one log per 1e250 of
      // product instead of one per level; a factor of 1e50 or more, which could overflow the
      // product, is taken on its own.
      let product = 1;
      for (let j = 0; j < q1; j++) {
        const d = t1s * n1[j] + 1;
        if (d < 1e50) {
          product *= d;
          if (product > 1e250) {
            ld1 += Math.log(product);
            product = 1;
          }
        } else ld1 += Math.log(d);
        const a = t1s / d;
        if (a === 0) continue;
        if (start[j + 1] - start[j] < m) {
          sparseRankOneLower(A, m, a, g, j * m, index, start[j], start[j + 1]);
          continue;
        }
        alpha[queued] = a;
        bases[queued++] = j * m;
        if (queued === 4) {
          denseRankFourLower(A, m, alpha, g, bases);
          queued = 0;
        }
      }
      for (let r = queued; r < 4; r++) alpha[r] = 0;
      if (queued > 0) denseRankFourLower(A, m, alpha, g, bases);
      ld1 += Math.log(product);
    }
    for (let k = 0; k < restLevels.length; k++) {
      const tk = theta[k + 1];
      const o = restOffsets[k];
      for (let l = 0; l < restLevels[k]; l++) s[o + l] = tk;
    }
    for (let i = qr; i < m; i++) s[i] = 1;
    for (let i = 0; i < lead; i++) A[i * m + i] *= s[i] * s[i];
    for (let i = lead; i < m; i++) {
      const ri = i * m;
      const si = s[i];
      for (let k = 0; k <= i; k++) A[ri + k] *= si * s[k];
    }
    for (let i = 0; i < qr; i++) A[i * m + i] += 1;
    const failed = lead > 0 ? choleskyArrowInPlace(A, m, lead) : choleskyInPlace(A, m);
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

  /**
   * Factor at theta and copy out what a profile over the fixed effects needs, without
   * allocating: `ldL2`, `ldRX2`, `r2` into `parts`, the p x p lower-triangular block `L_X`
   * (row-major, `L_X L_X' = R_X' R_X`) into `parts.lx`, and the y row over X into `parts.ly`
   * (so `beta_hat` solves `L_X' beta = ly` and `(beta - beta_hat)' R_X'R_X (beta - beta_hat)`
   * is `|L_X' beta - ly|^2`). Returns false where the factorisation fails.
   *
   * @example
   * ```ts
   * const parts = { ldL2: 0, ldRX2: 0, r2: 0, lx: new Float64Array(p * p), ly: new Float64Array(p) };
   * if (crit.fixedBlock(theta, parts)) parts.r2; // penalised weighted RSS at theta
   * ```
   */
  fixedBlock(theta: ArrayLike<number>, parts: FixedBlockParts): boolean {
    this.evaluations++;
    const ld1 = this.factor(theta);
    if (Number.isNaN(ld1)) return false;
    const { ldL2, ldRX2, r2 } = this.assemble(ld1);
    const { m, qr, p } = this.cp;
    const A = this.work;
    parts.ldL2 = ldL2;
    parts.ldRX2 = ldRX2;
    parts.r2 = r2;
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) parts.lx[a * p + b] = b <= a ? A[(qr + a) * m + qr + b] : 0;
      parts.ly[a] = A[(m - 1) * m + qr + a];
    }
    return Number.isFinite(ldL2) && Number.isFinite(ldRX2);
  }

  /** Solve the penalised least-squares problem at theta: beta, sigma, conditional modes. */
  solve(thetaIn: ArrayLike<number>): PlsSolution {
    const theta = Float64Array.from(thetaIn);
    const cp = this.cp;
    const { m, qr, p, n } = cp;
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
    const b = this.blocks ? this.modesBlocks(theta, v, beta) : this.modesScalar(theta, v, beta);
    return { theta, criterion, ldL2, ldRX2, r2, sigma, beta, unscaledVcov, b };
  }

  /** Conditional modes for scalar terms: `b = theta u` on the rest, closed form on the first. */
  private modesScalar(theta: Float64Array, v: Float64Array, beta: Float64Array): Float64Array[] {
    const { m, qr, p, g, n1, q1, restLevels, restOffsets } = this.cp;
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
    const pattern = this.cp.pattern;
    for (let j = 0; j < q1; j++) {
      const gj = j * m;
      let r = g[gj + m - 1];
      if (pattern) {
        // per-level mode: only the level's nonzeros (the pattern lists y last)
        const { start, index } = pattern;
        for (let t = start[j]; t < start[j + 1]; t++) {
          const i = index[t];
          if (i < k) r -= coef[i] * g[gj + i];
        }
      } else {
        for (let i = 0; i < k; i++) r -= coef[i] * g[gj + i];
      }
      b1[j] = (t1s * r) / (t1s * n1[j] + 1);
    }
    const b: Float64Array[] = [b1];
    for (let k = 0; k < restLevels.length; k++) {
      const o = restOffsets[k];
      const bk = new Float64Array(restLevels[k]);
      for (let l = 0; l < restLevels[k]; l++) bk[l] = theta[k + 1] * v[o + l];
      b.push(bk);
    }
    return b;
  }

  /**
   * Conditional modes for vector terms: `b = Lambda u` per level on the rest; on the first
   * term `b_j = M_j r_j` with `r_j` the level's residual cross-products.
   */
  private modesBlocks(theta: Float64Array, v: Float64Array, beta: Float64Array): Float64Array[] {
    const { m, qr, p, g, n1, q1, S1, restLevels, restOffsets, widths } = this.cp;
    const coef = new Float64Array(qr + p);
    const rest: Float64Array[] = [];
    const L = this.lam;
    for (let r = 0; r < restLevels.length; r++) {
      const S = widths[r + 1];
      fillLambda(theta, this.thetaOffsets[r + 1], S, L);
      const o0 = restOffsets[r];
      const bk = new Float64Array(restLevels[r] * S);
      for (let l = 0; l < restLevels[r]; l++) {
        for (let s = 0; s < S; s++) {
          let val = 0;
          for (let t = 0; t <= s; t++) val += L[s * S + t] * v[o0 + l * S + t];
          bk[l * S + s] = val;
          coef[o0 + l * S + s] = val;
        }
      }
      rest.push(bk);
    }
    for (let c = 0; c < p; c++) coef[qr + c] = beta[c];
    fillLambda(theta, 0, S1, L);
    const b1 = new Float64Array(q1 * S1);
    const r = new Float64Array(S1);
    const SS = S1 * S1;
    const k = qr + p;
    for (let j = 0; j < q1; j++) {
      this.levelBlock(n1, j * SS);
      for (let s = 0; s < S1; s++) {
        const gs = (j * S1 + s) * m;
        let val = g[gs + m - 1];
        for (let i = 0; i < k; i++) val -= coef[i] * g[gs + i];
        r[s] = val;
      }
      for (let s = 0; s < S1; s++) {
        let val = 0;
        for (let t = 0; t < S1; t++) val += this.mBuf[s * S1 + t] * r[t];
        b1[j * S1 + s] = val;
      }
    }
    return [b1, ...rest];
  }
}
