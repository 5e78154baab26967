/**
 * The relative covariance factor of one random-effects term: a lower-triangular S x S matrix
 * lambda whose non-zero entries are the term's theta, in lme4's order (column-major lower
 * triangle: `getME(m, "theta")`). These kernels allocate nothing; matrices are row-major S x S.
 *
 * For S = 1 lambda is the scalar theta, the relative standard deviation of a random intercept.
 */
import { INTERCEPT_COLUMN } from '../formula/model-spec.js';

/**
 * Number of theta entries of an S-column term: S (S + 1) / 2.
 *
 * @example
 * ```ts
 * thetaSize(2); // 3
 * ```
 */
export function thetaSize(S: number): number {
  return (S * (S + 1)) / 2;
}

/**
 * Fill `out` (row-major S x S) with lambda from `theta[offset ..]`, zeros above the diagonal.
 *
 * @example
 * ```ts
 * const L = new Float64Array(4);
 * fillLambda(Float64Array.of(1, 0.5, 2), 0, 2, L); // [[1, 0], [0.5, 2]]
 * ```
 */
export function fillLambda(theta: ArrayLike<number>, offset: number, S: number, out: Float64Array): void {
  let k = offset;
  for (let c = 0; c < S; c++) {
    for (let r = 0; r < c; r++) out[r * S + c] = 0;
    for (let r = c; r < S; r++) out[r * S + c] = theta[k++];
  }
}

/**
 * Position (relative to the term's offset) of each diagonal entry of lambda in theta.
 *
 * @example
 * ```ts
 * diagonalPositions(2); // [0, 2]
 * ```
 */
export function diagonalPositions(S: number): number[] {
  const out: number[] = [];
  let k = 0;
  for (let c = 0; c < S; c++) {
    out.push(k);
    k += S - c;
  }
  return out;
}

/**
 * Rectify theta in place: flip the sign of every lambda column whose diagonal is negative
 * (lambda lambda' is unchanged), so that each diagonal entry is >= 0.
 *
 * @example
 * ```ts
 * const t = Float64Array.of(-1, 0.5, 2);
 * rectifyTheta(t, 0, 2); // t = [1, -0.5, 2]
 * ```
 */
export function rectifyTheta(theta: Float64Array, offset: number, S: number): void {
  let k = offset;
  for (let c = 0; c < S; c++) {
    const len = S - c;
    if (theta[k] < 0) for (let r = 0; r < len; r++) theta[k + r] = -theta[k + r];
    k += len;
  }
}

/**
 * The covariance `sigma^2 lambda lambda'` (row-major S x S) of a term's effects.
 *
 * @example
 * ```ts
 * covarianceFromTheta(Float64Array.of(1, 0.5, 2), 0, 2, 3); // 9 * [[1, 0.5], [0.5, 4.25]]
 * ```
 */
export function covarianceFromTheta(theta: ArrayLike<number>, offset: number, S: number, sigma: number): Float64Array {
  const L = new Float64Array(S * S);
  fillLambda(theta, offset, S, L);
  const out = new Float64Array(S * S);
  const s2 = sigma * sigma;
  for (let a = 0; a < S; a++) {
    for (let b = 0; b < S; b++) {
      let v = 0;
      for (let t = 0; t <= Math.min(a, b); t++) v += L[a * S + t] * L[b * S + t];
      out[a * S + b] = s2 * v;
    }
  }
  return out;
}

/**
 * lme4's theta names for a term on `group` with `columns`: the group name for a scalar random
 * intercept; `group.column` for a diagonal entry and `group.row.column` below it otherwise
 * (`Subject.(Intercept)`, `Subject.Days.(Intercept)`, `Subject.Days`).
 *
 * @example
 * ```ts
 * thetaNames('Subject', ['(Intercept)', 'Days']); // ['Subject.(Intercept)', 'Subject.Days.(Intercept)', 'Subject.Days']
 * thetaNames('la', ['(Intercept)']); // ['la']
 * ```
 */
export function thetaNames(group: string, columns: readonly string[]): string[] {
  if (columns.length === 1 && columns[0] === INTERCEPT_COLUMN) return [group];
  const out: string[] = [];
  for (let c = 0; c < columns.length; c++) {
    out.push(`${group}.${columns[c]}`);
    for (let r = c + 1; r < columns.length; r++) out.push(`${group}.${columns[r]}.${columns[c]}`);
  }
  return out;
}

/**
 * The spherical modes of one level: the `u` of least norm with `lambda u = b` (row-major S x S
 * lambda in `L`, `b` and `u` of length S), so that `||u||^2` is the penalty of modes `b`. With
 * every diagonal entry non-zero this is forward substitution; otherwise (a boundary fit) `u =
 * lambda' y` for any solution `y` of `lambda lambda' y = b`, from an elimination that skips the
 * zero pivots (`b` is in lambda's range, as the modes of a fit at lambda are). `work` holds S^2.
 *
 * @example
 * ```ts
 * const u = new Float64Array(2);
 * sphericalModes(Float64Array.of(2, 0, 1, 4), 2, Float64Array.of(2, 5), u, new Float64Array(4)); // u = [1, 1]
 * ```
 */
export function sphericalModes(L: Float64Array, S: number, b: ArrayLike<number>, u: Float64Array, work: Float64Array): void {
  let full = true;
  for (let s = 0; s < S && full; s++) full = L[s * S + s] !== 0;
  if (full) {
    for (let s = 0; s < S; s++) {
      let v = b[s];
      for (let t = 0; t < s; t++) v -= L[s * S + t] * u[t];
      u[s] = v / L[s * S + s];
    }
    return;
  }
  // M = lambda lambda' (symmetric positive semidefinite), then M y = b by Gauss-Jordan on the
  // non-zero pivots.
  let scale = 0;
  for (let a = 0; a < S; a++) {
    for (let c = 0; c < S; c++) {
      let v = 0;
      for (let t = 0; t <= Math.min(a, c); t++) v += L[a * S + t] * L[c * S + t];
      work[a * S + c] = v;
      scale = Math.max(scale, Math.abs(v));
    }
  }
  const y = Float64Array.from({ length: S }, (_, s) => b[s]);
  const used = new Uint8Array(S);
  const tol = 1e-12 * scale;
  for (let s = 0; s < S; s++) {
    const piv = work[s * S + s];
    if (!(Math.abs(piv) > tol)) continue;
    used[s] = 1;
    for (let r = 0; r < S; r++) {
      if (r === s) continue;
      const f = work[r * S + s] / piv;
      if (f === 0) continue;
      for (let c = 0; c < S; c++) work[r * S + c] -= f * work[s * S + c];
      y[r] -= f * y[s];
    }
  }
  for (let s = 0; s < S; s++) y[s] = used[s] ? y[s] / work[s * S + s] : 0;
  for (let s = 0; s < S; s++) {
    let v = 0;
    for (let r = s; r < S; r++) v += L[r * S + s] * y[r];
    u[s] = v;
  }
}
