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
 *
 * A first factor with slopes (S columns per level) is absorbed the same way with the level's
 * S x S Gram block: `B_sub - sum_j g_j' T_j^- g_j`, with a generalised inverse `T_j^-` (a level
 * whose slope variable does not vary has a singular `T_j`; the projection is the same for every
 * generalised inverse). A rest factor with slopes enters as all its columns (intercept dummies
 * and per-level slope columns).
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

/** Where the columns sit in the m x m cross-products (the fields of CrossProducts that say it). */
export interface ColumnLayout {
  readonly m: number;
  /** Rows of the rest terms' columns; X starts here. */
  readonly qr: number;
  readonly p: number;
  readonly restLevels: Int32Array;
  readonly restOffsets: Int32Array;
  /** Columns per level of each term (engine order). */
  readonly widths: Int32Array;
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
  private readonly ref: Float64Array;
  private readonly tinv: Float64Array;
  private readonly tfac: Float64Array;
  private readonly tkeep: Uint8Array;
  private readonly tcol: Float64Array;

  constructor(cp: CrossProducts) {
    this.cp = cp;
    this.work = new Float64Array(cp.m * cp.m);
    this.idx = new Int32Array(cp.m);
    this.ref = new Float64Array(cp.m);
    this.tinv = new Float64Array(cp.S1 * cp.S1);
    this.tfac = new Float64Array(cp.S1 * cp.S1);
    this.tkeep = new Uint8Array(cp.S1);
    this.tcol = new Float64Array(cp.S1);
  }

  /** A generalised inverse of the Gram block at `T[off ..]` (S1 x S1) into `tinv`. */
  private gramInverse(T: Float64Array, off: number): void {
    const S = this.cp.S1;
    const F = this.tfac;
    const out = this.tinv;
    for (let e = 0; e < S * S; e++) F[e] = T[off + e];
    const keep = this.tkeep;
    // Cholesky skipping dependent columns.
    for (let j = 0; j < S; j++) {
      let d = F[j * S + j];
      for (let k = 0; k < j; k++) d -= F[j * S + k] * F[j * S + k];
      if (!(d > DEPENDENT_TOL * T[off + j * S + j])) {
        for (let i = j; i < S; i++) F[i * S + j] = 0;
        keep[j] = 0;
        continue;
      }
      keep[j] = 1;
      const l = Math.sqrt(d);
      F[j * S + j] = l;
      for (let i = j + 1; i < S; i++) {
        let v = F[i * S + j];
        for (let k = 0; k < j; k++) v -= F[i * S + k] * F[j * S + k];
        F[i * S + j] = v / l;
      }
    }
    // (F F')^{-1} on the kept columns, 0 elsewhere.
    out.fill(0);
    const col = this.tcol;
    for (let c = 0; c < S; c++) {
      if (!keep[c]) continue;
      col.fill(0);
      col[c] = 1;
      for (let i = 0; i < S; i++) {
        if (!keep[i]) continue;
        let v = col[i];
        for (let k = 0; k < i; k++) if (keep[k]) v -= F[i * S + k] * col[k];
        col[i] = v / F[i * S + i];
      }
      for (let i = S - 1; i >= 0; i--) {
        if (!keep[i]) {
          col[i] = 0;
          continue;
        }
        let v = col[i];
        for (let k = i + 1; k < S; k++) if (keep[k]) v -= F[k * S + i] * col[k];
        col[i] = v / F[i * S + i];
      }
      for (let i = 0; i < S; i++) out[i * S + c] = col[i];
    }
  }

  /** Absorb a first factor with S1 > 1 columns per level into `A` (subset indices `idx[0..s)`). */
  private absorbBlocks(A: Float64Array, s: number): void {
    const cp = this.cp;
    const { m, g, n1, q1, S1 } = cp;
    const idx = this.idx;
    const M = this.tinv;
    const SS = S1 * S1;
    const G = cp.G;
    if (G) {
      const { values, multiplicity } = cp.counts;
      const pairs = (S1 * (S1 + 1)) / 2;
      for (let c = 0; c < multiplicity.length; c++) {
        this.gramInverse(values, c * SS);
        let pr = 0;
        for (let u = 0; u < S1; u++) {
          for (let t = 0; t <= u; t++, pr++) {
            const coef = M[u * S1 + t];
            if (coef === 0) continue;
            const off = (c * pairs + pr) * m * m;
            for (let a = 0; a < s; a++) {
              const ra = off + idx[a] * m;
              for (let b = 0; b <= a; b++) A[a * s + b] -= coef * G[ra + idx[b]];
            }
          }
        }
      }
      return;
    }
    for (let j = 0; j < q1; j++) {
      this.gramInverse(n1, j * SS);
      const gj = j * S1 * m;
      for (let a = 0; a < s; a++) {
        for (let b = 0; b <= a; b++) {
          let d = 0;
          for (let u = 0; u < S1; u++) {
            const ga = g[gj + u * m + idx[a]];
            if (ga === 0) continue;
            for (let t = 0; t < S1; t++) d += ga * M[u * S1 + t] * g[gj + t * m + idx[b]];
          }
          A[a * s + b] -= d;
        }
      }
    }
  }

  /** Residual (weighted) sum of squares of the outcome on the subset's columns. */
  rss(subset: RegressionSubset): number {
    const cp = this.cp;
    const { m, B, g, n1, q1 } = cp;
    const idx = this.idx;
    const s = subsetColumns(cp, subset, idx);
    const A = this.work;
    const ref = this.ref;
    for (let a = 0; a < s; a++) {
      for (let b = 0; b <= a; b++) A[a * s + b] = B[idx[a] * m + idx[b]];
      ref[a] = A[a * s + a];
    }
    if (subset.first && cp.S1 > 1) {
      this.absorbBlocks(A, s);
    } else if (subset.first) {
      const G = cp.G;
      if (G) {
        const { values } = cp.counts;
        for (let c = 0; c < values.length; c++) {
          if (!(values[c] > 0)) continue; // a slope that is 0 throughout the level: nothing to absorb
          const inv = 1 / values[c];
          const off = c * m * m;
          for (let a = 0; a < s; a++) {
            const ra = off + idx[a] * m;
            for (let b = 0; b <= a; b++) A[a * s + b] -= inv * G[ra + idx[b]];
          }
        }
      } else {
        for (let j = 0; j < q1; j++) {
          if (!(n1[j] > 0)) continue;
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
    return dependentSkippingResidual(A, s, ref);
  }
}

/**
 * Where each of a subset's columns sits in the m x m cross-products (rest terms' columns, then
 * the chosen columns of X, then y last), written into `idx`; returns how many (`s`).
 *
 * @example
 * ```ts
 * const idx = new Int32Array(cp.m);
 * const s = subsetColumns(cp, { first: false, rest: [true], x: [true, false] }, idx); // period dummies, intercept, y
 * ```
 */
export function subsetColumns(layout: ColumnLayout, subset: RegressionSubset, idx: Int32Array): number {
  const { m, qr, p, restLevels, restOffsets, widths } = layout;
  let s = 0;
  restLevels.forEach((q, k) => {
    if (subset.rest[k]) for (let l = 0; l < q * widths[k + 1]; l++) idx[s++] = restOffsets[k] + l;
  });
  for (let c = 0; c < p; c++) if (subset.x[c]) idx[s++] = qr + c;
  idx[s++] = m - 1;
  return s;
}

/**
 * The residual sum of squares of the last column (y) on the others, from the lower triangle of
 * their s x s normal equations `A` (row-major, overwritten): a Cholesky that skips a column whose
 * pivot falls below {@link DEPENDENT_TOL} times `ref[j]`, the column's own sum of squares before
 * any elimination (of the first factor's dummies too); the last pivot is the residual.
 *
 * @example
 * ```ts
 * // y = 2 x exactly: nothing is left.
 * dependentSkippingResidual(Float64Array.of(1, 0, 2, 4), 2, Float64Array.of(1, 4)); // 0
 * ```
 */
export function dependentSkippingResidual(A: Float64Array, s: number, ref: Float64Array): number {
  // Cholesky that skips dependent columns; the last pivot is the residual.
  for (let j = 0; j < s; j++) {
    const rj = j * s;
    // Dependence is judged against the column's own sum of squares before any elimination.
    let d = A[rj + j];
    for (let k = 0; k < j; k++) d -= A[rj + k] * A[rj + k];
    if (j === s - 1) return Math.max(d, 0);
    if (!(d > DEPENDENT_TOL * ref[j])) {
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
