/**
 * Newton steps on an estimated Hessian: the regularised Newton direction, and the convergence
 * check at an optimum (is the gradient negligible against the curvature?).
 */
import { choleskyInPlace, solveLowerInPlace, solveLowerTransposeInPlace } from '../linalg/dense-cholesky.js';

/**
 * The Newton direction `p = -(H + lambda I)^-1 g` for a row-major `d x d` Hessian estimate `H`:
 * lambda is 0 when H is positive definite, else the first of `s, 10 s, 100 s, ...` that makes
 * it so, `s = max(1e-8 max_i |H_ii|, minShift)` (at most `maxAttempts` factorisations in all).
 * `L` (length `d * d`) receives the Cholesky factor of `H + lambda I`, `p` the direction. Returns
 * false, `p` unset, when no shift succeeds (a Hessian with a NaN entry).
 *
 * @example
 * ```ts
 * const p = new Float64Array(2);
 * regularisedNewtonDirection(Float64Array.of(2, 0, 0, 4), Float64Array.of(1, 2), 2, new Float64Array(4), p, 1e-10); // p = [-0.5, -0.5]
 * ```
 */
export function regularisedNewtonDirection(
  H: ArrayLike<number>,
  g: ArrayLike<number>,
  d: number,
  L: Float64Array,
  p: Float64Array,
  minShift: number,
  maxAttempts = 40,
): boolean {
  let maxDiag = 0;
  for (let i = 0; i < d; i++) maxDiag = Math.max(maxDiag, Math.abs(H[i * d + i]));
  let shift = 0;
  let ok = false;
  for (let attempt = 0; attempt < maxAttempts && !ok; attempt++) {
    for (let i = 0; i < d * d; i++) L[i] = H[i];
    for (let i = 0; i < d; i++) L[i * d + i] += shift;
    ok = choleskyInPlace(L, d) < 0;
    if (!ok) shift = shift === 0 ? Math.max(1e-8 * maxDiag, minShift) : shift * 10;
  }
  if (!ok) return false;
  for (let i = 0; i < d; i++) p[i] = -g[i];
  solveLowerInPlace(L, d, 0, d, p);
  solveLowerTransposeInPlace(L, d, 0, d, p);
  return true;
}

/**
 * The largest relative Newton step `|g_i / H_ii| / max(1, |x_i|)` over the coordinates `free`, or
 * Infinity when a diagonal curvature there is not positive. `hessian` is row-major `dim x dim`.
 * An optimum counts as converged when this is below about 1e-3.
 *
 * @example
 * ```ts
 * relativeNewtonStep(Float64Array.of(1e-6, 0), Float64Array.of(2, 0, 0, 1), Float64Array.of(0.5, 3), [0, 1], 2); // 5e-7
 * ```
 */
export function relativeNewtonStep(
  gradient: ArrayLike<number>,
  hessian: ArrayLike<number>,
  x: ArrayLike<number>,
  free: readonly number[],
  dim: number,
): number {
  let maxRel = 0;
  for (const i of free) {
    const h = hessian[i * dim + i];
    if (!(h > 0)) return Infinity;
    maxRel = Math.max(maxRel, Math.abs(gradient[i] / h) / Math.max(1, Math.abs(x[i])));
  }
  return maxRel;
}
