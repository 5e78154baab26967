/**
 * The convergence check at an optimum: is the gradient negligible against the curvature?
 */

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
