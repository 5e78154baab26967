/**
 * R^2 of ordinary (weighted) least-squares regressions of the outcome on any subset of the term
 * groups (covariates, and each grouping factor as a block of dummies), computed from the
 * cross-products of the one pass: no dummy matrix is ever built and nothing iterates.
 *
 * The first (largest) factor's dummies are absorbed in closed form: its block of the normal
 * equations is diagonal (the level counts n_j), so the Schur complement of the rest is
 * `B_sub - sum_j g_j g_j' / n_j`, grouped by distinct counts exactly as the mixed-model
 * criterion does (it is that criterion's theta -> infinity limit). The remaining small system is
 * factored by a Cholesky that skips linearly dependent columns (dummies of crossed factors are
 * collinear with the intercept and with each other); the last pivot squared is the residual sum
 * of squares.
 */
import type { CrossProducts } from './cross-products.js';

/** Relative pivot below which a column counts as dependent on earlier ones. */
const DEPENDENT_TOL = 1e-10;

/** Which columns of the cross-products enter one regression. */
export interface RegressionSubset {
  /** Absorb the first (engine order) factor's dummies. */
  readonly first: boolean;
  /** For each other factor (engine order 1..K-1): include its dummies. */
  readonly rest: readonly boolean[];
  /** For each column of X: include it. */
  readonly x: readonly boolean[];
}

/**
 * Computes residual sums of squares of subset regressions on one set of cross-products.
 *
 * @example
 * ```ts
 * const r2 = new SubsetRegressions(prepared.cp);
 * const rss = r2.rss({ first: true, rest: [false], x: [true, true] }); // y ~ x + unit dummies
 * ```
 */
export class SubsetRegressions {
  readonly cp: CrossProducts;
  private readonly work: Float64Array;
  private readonly idx: Int32Array;

  constructor(cp: CrossProducts) {
    this.cp = cp;
    this.work = new Float64Array(cp.m * cp.m);
    this.idx = new Int32Array(cp.m);
  }

  /** Residual (weighted) sum of squares of the outcome on the subset's columns. */
  rss(subset: RegressionSubset): number {
    const cp = this.cp;
    const { m, qr, B, g, n1, q1, restLevels, restOffsets } = cp;
    const idx = this.idx;
    let s = 0;
    restLevels.forEach((q, k) => {
      if (subset.rest[k]) for (let l = 0; l < q; l++) idx[s++] = restOffsets[k] + l;
    });
    for (let c = 0; c < cp.p; c++) if (subset.x[c]) idx[s++] = qr + c;
    idx[s++] = m - 1;
    const A = this.work;
    for (let a = 0; a < s; a++) for (let b = 0; b <= a; b++) A[a * s + b] = B[idx[a] * m + idx[b]];
    if (subset.first) {
      const G = cp.G;
      if (G) {
        const { values } = cp.counts;
        for (let c = 0; c < values.length; c++) {
          const inv = 1 / values[c];
          const off = c * m * m;
          for (let a = 0; a < s; a++) {
            const ra = off + idx[a] * m;
            for (let b = 0; b <= a; b++) A[a * s + b] -= inv * G[ra + idx[b]];
          }
        }
      } else {
        for (let j = 0; j < q1; j++) {
          const inv = 1 / n1[j];
          const gj = j * m;
          for (let a = 0; a < s; a++) {
            const va = inv * g[gj + idx[a]];
            if (va === 0) continue;
            for (let b = 0; b <= a; b++) A[a * s + b] -= va * g[gj + idx[b]];
          }
        }
      }
    }
    // Cholesky that skips dependent columns; the last pivot is the residual.
    for (let j = 0; j < s; j++) {
      const rj = j * s;
      // Dependence is judged against the column's own sum of squares before any elimination.
      const ref = B[idx[j] * m + idx[j]];
      let d = A[rj + j];
      for (let k = 0; k < j; k++) d -= A[rj + k] * A[rj + k];
      if (j === s - 1) return Math.max(d, 0);
      if (!(d > DEPENDENT_TOL * ref)) {
        for (let i = j; i < s; i++) A[i * s + j] = 0;
        continue;
      }
      const l = Math.sqrt(d);
      A[rj + j] = l;
      for (let i = j + 1; i < s; i++) {
        const ri = i * s;
        let v = A[ri + j];
        for (let k = 0; k < j; k++) v -= A[ri + k] * A[rj + k];
        A[ri + j] = v / l;
      }
    }
    return 0;
  }
}
