/**
 * A random-effects term of a fitted model's design: its grouping factor's levels and codes, its
 * columns of Z within a level, and the operations the engine, optimiser, output, bootstrap and
 * decomposition call on its relative covariance factor lambda (S x S lower triangular; see
 * `lambda.ts` for theta's layout).
 */
import { INTERCEPT_COLUMN as INTERCEPT } from '../formula/model-spec.js';
import { covarianceFromTheta, diagonalPositions, fillLambda, rectifyTheta, sphericalModes, thetaNames, thetaSize } from './lambda.js';

export { INTERCEPT_COLUMN as INTERCEPT } from '../formula/model-spec.js';

/** One row of a variance-components table. */
export interface VarCorrRow {
  readonly group: string;
  /** The random-effect column: `(Intercept)` or the slope variable (absent for the residual row). */
  readonly name?: string;
  readonly variance: number;
  readonly sd: number;
}

/** The correlation of two random-effect columns of one term. */
export interface RandomCorrelation {
  readonly group: string;
  readonly names: readonly [string, string];
  readonly correlation: number;
}

/** A part of a term's variance contribution: `names` equal for a variance, different for a covariance. */
export interface VariancePart {
  readonly group: string;
  readonly names: readonly [string, string];
  readonly value: number;
}

/**
 * A random-effects term `(columns | group)` over the rows of a model frame.
 *
 * @example
 * ```ts
 * const term = new RandomEffectsTerm('Subject', ['(Intercept)', 'Days'], levels, codes, [null, days]);
 * term.width; // 2
 * term.thetaNames; // ['Subject.(Intercept)', 'Subject.Days.(Intercept)', 'Subject.Days']
 * term.covariance(Float64Array.of(1, 0, 0.2), 0, 25); // sigma^2 lambda lambda'
 * ```
 */
export class RandomEffectsTerm {
  readonly group: string;
  readonly columns: readonly string[];
  readonly levels: readonly string[];
  readonly codes: Int32Array;
  /** Z's column values per row (`null` for the intercept). */
  readonly z: readonly (Float64Array | null)[];
  /** Number of random-effect columns per level (S). */
  readonly width: number;
  /** Number of theta entries: S (S + 1) / 2. */
  readonly thetaSize: number;
  readonly thetaNames: readonly string[];
  /** Theta positions (relative to the term's offset) of lambda's diagonal. */
  readonly diagonal: readonly number[];
  /** True for a scalar random intercept `(1 | g)`. */
  readonly scalarIntercept: boolean;
  /** `(1/n) sum_i z_i z_i'` over the model rows (row-major S x S), for Johnson's variance. */
  readonly moments: Float64Array;

  constructor(
    group: string,
    columns: readonly string[],
    levels: readonly string[],
    codes: Int32Array,
    z: readonly (Float64Array | null)[],
  ) {
    this.group = group;
    this.columns = columns.slice();
    this.levels = levels;
    this.codes = codes;
    this.z = z.slice();
    this.width = columns.length;
    this.thetaSize = thetaSize(this.width);
    this.thetaNames = thetaNames(group, columns);
    this.diagonal = diagonalPositions(this.width);
    this.scalarIntercept = this.width === 1 && columns[0] === INTERCEPT;
    const S = this.width;
    const n = codes.length;
    const mom = new Float64Array(S * S);
    for (let a = 0; a < S; a++) {
      for (let b = 0; b <= a; b++) {
        const za = z[a];
        const zb = z[b];
        let sum = 0;
        for (let i = 0; i < n; i++) sum += (za ? za[i] : 1) * (zb ? zb[i] : 1);
        mom[a * S + b] = mom[b * S + a] = sum / n;
      }
    }
    this.moments = mom;
  }

  /** The term as the engine sees it (no columns for a scalar intercept: the fast path). */
  engineFactor(): { codes: Int32Array; nlevels: number; columns?: readonly (Float64Array | null)[] } {
    return this.scalarIntercept
      ? { codes: this.codes, nlevels: this.levels.length }
      : { codes: this.codes, nlevels: this.levels.length, columns: this.z };
  }

  /** lambda (row-major S x S) from `theta[offset ..]`. */
  lambda(theta: ArrayLike<number>, offset = 0): Float64Array {
    const L = new Float64Array(this.width * this.width);
    fillLambda(theta, offset, this.width, L);
    return L;
  }

  /** lme4's start: the identity (1 on the diagonal, 0 below). */
  startTheta(out: Float64Array, offset: number): void {
    for (let k = 0; k < this.thetaSize; k++) out[offset + k] = 0;
    for (const d of this.diagonal) out[offset + d] = 1;
  }

  /** Flip lambda columns with a negative diagonal (in place). */
  rectify(theta: Float64Array, offset: number): void {
    rectifyTheta(theta, offset, this.width);
  }

  /** Covariance of the term's effects `sigma^2 lambda lambda'` (row-major S x S). */
  covariance(theta: ArrayLike<number>, offset: number, sigma: number): Float64Array {
    return covarianceFromTheta(theta, offset, this.width, sigma);
  }

  /** VarCorr rows (one per column) and the correlations of the column pairs. */
  varcorr(theta: ArrayLike<number>, offset: number, sigma: number): { rows: VarCorrRow[]; correlations: RandomCorrelation[] } {
    const S = this.width;
    const C = this.covariance(theta, offset, sigma);
    const rows = this.columns.map((name, a) => ({ group: this.group, name, variance: C[a * S + a], sd: Math.sqrt(C[a * S + a]) }));
    const correlations: RandomCorrelation[] = [];
    for (let a = 0; a < S; a++) {
      for (let b = a + 1; b < S; b++) {
        const den = Math.sqrt(C[a * S + a] * C[b * S + b]);
        correlations.push({
          group: this.group,
          names: [this.columns[a], this.columns[b]],
          correlation: den > 0 ? Math.max(-1, Math.min(1, C[a * S + b] / den)) : Number.NaN,
        });
      }
    }
    return { rows, correlations };
  }

  /**
   * Johnson's variance contribution `Tr(Z Sigma Z')/n` over the model rows, and its parts: one
   * per variance (`names` equal) and per covariance (`2 Sigma_ab m_ab`).
   */
  varianceContribution(sigmaMatrix: Float64Array): { total: number; parts: VariancePart[] } {
    const S = this.width;
    const mom = this.moments;
    const parts: VariancePart[] = [];
    let total = 0;
    for (let a = 0; a < S; a++) {
      for (let b = 0; b <= a; b++) {
        const value = (a === b ? 1 : 2) * sigmaMatrix[a * S + b] * mom[a * S + b];
        total += value;
        parts.push({ group: this.group, names: [this.columns[b], this.columns[a]], value });
      }
    }
    return { total, parts };
  }

  /**
   * Draw the effects of every level from N(0, sigma^2 lambda lambda') into `out` (level-major,
   * S per level), with `normal` a standard normal generator.
   */
  drawEffects(theta: ArrayLike<number>, offset: number, sigma: number, normal: () => number, out: Float64Array): void {
    const S = this.width;
    const L = this.lambda(theta, offset);
    const u = new Float64Array(S);
    for (let l = 0; l < this.levels.length; l++) {
      for (let s = 0; s < S; s++) u[s] = normal();
      for (let s = 0; s < S; s++) {
        let v = 0;
        for (let t = 0; t <= s; t++) v += L[s * S + t] * u[t];
        out[l * S + s] = sigma * v;
      }
    }
  }

  /**
   * The term's block of `Lambda'Z'WZ Lambda + I` for one level (row-major S x S), straight from
   * the rows: the reference the engine's blocks are checked against.
   */
  diagonalBlock(theta: ArrayLike<number>, offset: number, level: number, weights: Float64Array | null): Float64Array {
    const S = this.width;
    const T = new Float64Array(S * S);
    const { codes, z } = this;
    for (let i = 0; i < codes.length; i++) {
      if (codes[i] !== level) continue;
      const w = weights ? weights[i] : 1;
      for (let a = 0; a < S; a++) {
        const za = z[a] ? z[a]![i] : 1;
        for (let b = 0; b < S; b++) T[a * S + b] += w * za * (z[b] ? z[b]![i] : 1);
      }
    }
    const L = this.lambda(theta, offset);
    const out = new Float64Array(S * S);
    for (let a = 0; a < S; a++) {
      for (let b = 0; b < S; b++) {
        let v = a === b ? 1 : 0;
        for (let c = 0; c < S; c++) for (let d = 0; d < S; d++) v += L[c * S + a] * T[c * S + d] * L[d * S + b];
        out[a * S + b] = v;
      }
    }
    return out;
  }

  /**
   * Modes from spherical modes, `b = lambda u` per level (both level-major, S per level), at
   * `theta[offset ..]`.
   */
  modesFromSpherical(theta: ArrayLike<number>, offset: number, u: ArrayLike<number>, b: Float64Array): void {
    const S = this.width;
    const nl = this.levels.length;
    if (S === 1) {
      const t = theta[offset];
      for (let l = 0; l < nl; l++) b[l] = t * u[l];
      return;
    }
    const L = this.lambda(theta, offset);
    for (let l = 0; l < nl; l++) {
      for (let s = 0; s < S; s++) {
        let v = 0;
        for (let t = 0; t <= s; t++) v += L[s * S + t] * u[l * S + t];
        b[l * S + s] = v;
      }
    }
  }

  /**
   * Spherical modes from modes (`u` of least norm with `lambda u = b`, per level; see
   * `sphericalModes`) into `u`, returning `||u||^2`: the term's part of the penalty. A level's
   * modes outside lambda's range (a scalar term at theta = 0) give u = 0 there.
   */
  sphericalFromModes(theta: ArrayLike<number>, offset: number, b: Float64Array, u: Float64Array): number {
    const S = this.width;
    const nl = this.levels.length;
    let sum = 0;
    if (S === 1) {
      const t = theta[offset];
      for (let l = 0; l < nl; l++) {
        const v = t !== 0 ? b[l] / t : 0;
        u[l] = v;
        sum += v * v;
      }
      return sum;
    }
    const L = this.lambda(theta, offset);
    const work = new Float64Array(S * S);
    const ul = new Float64Array(S);
    for (let l = 0; l < nl; l++) {
      sphericalModes(L, S, b.subarray(l * S, (l + 1) * S), ul, work);
      for (let s = 0; s < S; s++) {
        u[l * S + s] = ul[s];
        sum += ul[s] * ul[s];
      }
    }
    return sum;
  }

  /** Add `Z b` (b level-major, S per level) to `out` over the model rows. */
  addZb(b: ArrayLike<number>, out: Float64Array): void {
    const S = this.width;
    const { codes, z } = this;
    for (let s = 0; s < S; s++) {
      const col = z[s];
      for (let i = 0; i < codes.length; i++) out[i] += b[codes[i] * S + s] * (col ? col[i] : 1);
    }
  }
}
