/**
 * The Hessian of a function at a point by central differences, as a covariance matrix needs it.
 */

/**
 * Hessian of `f` at `xhat` (row-major, d x d) by central differences of step `h` in every
 * coordinate: `(f(+h_i) - 2 f + f(-h_i)) / h^2` on the diagonal and, off it,
 * `(f(+h_i +h_j) + f(-h_i -h_j) - f(+h_i) - f(-h_i) - f(+h_j) - f(-h_j) + 2 f) / (2 h^2)`. The
 * error is O(h^2) as with the four-point cross formula (lme4's `deriv12`), at two evaluations
 * per pair instead of four: `1 + d(d + 1)` evaluations in all. `f` may keep the array it is given
 * only for the duration of the call.
 *
 * @example
 * ```ts
 * const H = centralHessian((x) => x[0] ** 2 + 3 * x[0] * x[1], Float64Array.of(1, 2), 1e-3);
 * // H ≈ [2, 3, 3, 0]
 * ```
 */
export function centralHessian(f: (x: Float64Array) => number, xhat: ArrayLike<number>, h: number): Float64Array {
  const d = xhat.length;
  const x = Float64Array.from(xhat);
  const f0 = f(x);
  const fp = new Float64Array(d);
  const fm = new Float64Array(d);
  const H = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    x[i] = xhat[i] + h;
    fp[i] = f(x);
    x[i] = xhat[i] - h;
    fm[i] = f(x);
    x[i] = xhat[i];
    H[i * d + i] = (fp[i] - 2 * f0 + fm[i]) / (h * h);
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      x[i] = xhat[i] + h;
      x[j] = xhat[j] + h;
      const fpp = f(x);
      x[i] = xhat[i] - h;
      x[j] = xhat[j] - h;
      const fmm = f(x);
      x[i] = xhat[i];
      x[j] = xhat[j];
      const v = (fpp + fmm - fp[i] - fm[i] - fp[j] - fm[j] + 2 * f0) / (2 * h * h);
      H[i * d + j] = v;
      H[j * d + i] = v;
    }
  }
  return H;
}

/**
 * Hessian of a function at `xhat` (row-major, d x d) by central differences of its gradient `g`,
 * step `h` in every coordinate: column i is `(g(+h_i) - g(-h_i)) / 2h`, the result symmetrised.
 * The error is O(h^2), at `2d` gradient evaluations instead of the `1 + d(d + 1)` function
 * evaluations of {@link centralHessian}. `g` may keep the array it is given only for the duration
 * of the call.
 *
 * @example
 * ```ts
 * const H = centralHessianFromGradient((x) => Float64Array.of(2 * x[0] + 3 * x[1], 3 * x[0]), Float64Array.of(1, 2), 1e-3);
 * // H ≈ [2, 3, 3, 0]
 * ```
 */
export function centralHessianFromGradient(g: (x: Float64Array) => Float64Array, xhat: ArrayLike<number>, h: number): Float64Array {
  const d = xhat.length;
  const x = Float64Array.from(xhat);
  const H = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    x[i] = xhat[i] + h;
    const gp = g(x).slice();
    x[i] = xhat[i] - h;
    const gm = g(x);
    x[i] = xhat[i];
    for (let j = 0; j < d; j++) H[j * d + i] = (gp[j] - gm[j]) / (2 * h);
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const v = (H[i * d + j] + H[j * d + i]) / 2;
      H[i * d + j] = v;
      H[j * d + i] = v;
    }
  }
  return H;
}
