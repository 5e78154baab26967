/**
 * The Hessian of a function at a point by finite differences, as a covariance matrix needs it:
 * central differences of the function's values, or forward differences of its gradient.
 */

/**
 * Hessian of `f` at `xhat` (row-major, d x d) by central differences of step `h` in every
 * coordinate: `(f(+h_i) - 2 f + f(-h_i)) / h^2` on the diagonal and, off it,
 * `(f(+h_i +h_j) + f(-h_i -h_j) - f(+h_i) - f(-h_i) - f(+h_j) - f(-h_j) + 2 f) / (2 h^2)`. The
 * error is O(h^2) as with the four-point cross formula (lme4's `deriv12`), at two evaluations
 * per pair instead of four: `1 + d(d + 1)` evaluations in all. `f` may keep the array it is given
 * only for the duration of the call. `gradientOut` (length d), when given, receives the central
 * gradient `(f(+h_i) - f(-h_i)) / (2h)` from the same evaluations: the derivatives of the point
 * itself, for a convergence check.
 *
 * @example
 * ```ts
 * const g = new Float64Array(2);
 * const H = centralHessian((x) => x[0] ** 2 + 3 * x[0] * x[1], Float64Array.of(1, 2), 1e-3, g);
 * // H ≈ [2, 3, 3, 0], g ≈ [8, 3]
 * ```
 */
export function centralHessian(
  f: (x: Float64Array) => number,
  xhat: ArrayLike<number>,
  h: number,
  gradientOut?: Float64Array,
): Float64Array {
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
    if (gradientOut) gradientOut[i] = (fp[i] - fm[i]) / (2 * h);
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
 * Hessian of a function at `xhat` (row-major, d x d) by forward differences of its gradient `g`,
 * step `h` in every coordinate: column i is `(g(x + h e_i) - g(x)) / h`, the result symmetrised.
 * The error is O(h), so `h` can be small: a gradient carries far less noise relative to its
 * differences than a function value does to its second differences. `d + 1` gradient
 * evaluations (`d` when the gradient at `xhat` is given as `g0`). `g` may keep the array it is
 * given only for the duration of the call. `gradientOut` (length d), when given, receives the
 * gradient at `xhat` (`g0` or its evaluation).
 *
 * `shape.relativeStep` takes the step `h max(1, |x_i|)` instead. `shape.assumed` names
 * coordinates whose curvature is known well enough: they are not differenced (one evaluation
 * fewer each), their diagonal is `value`, 0 between two of them, and a pair with one differenced
 * coordinate takes that coordinate's column.
 *
 * @example
 * ```ts
 * const g = new Float64Array(2);
 * const H = forwardHessianFromGradient((x) => Float64Array.of(2 * x[0] + 3 * x[1], 3 * x[0]), Float64Array.of(1, 2), 1e-4, undefined, g);
 * // H ≈ [2, 3, 3, 0], g = [8, 3]
 * ```
 */
export function forwardHessianFromGradient(
  g: (x: Float64Array) => Float64Array,
  xhat: ArrayLike<number>,
  h: number,
  g0?: ArrayLike<number>,
  gradientOut?: Float64Array,
  shape: { readonly relativeStep?: boolean; readonly assumed?: { readonly coordinates: readonly number[]; readonly value: number } } = {},
): Float64Array {
  const d = xhat.length;
  const x = Float64Array.from(xhat);
  const base = Float64Array.from(g0 ?? g(x));
  gradientOut?.set(base);
  const assumed = new Uint8Array(d);
  for (const i of shape.assumed?.coordinates ?? []) assumed[i] = 1;
  const H = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    if (assumed[i]) {
      H[i * d + i] = shape.assumed!.value;
      continue;
    }
    const step = shape.relativeStep ? h * Math.max(1, Math.abs(xhat[i])) : h;
    x[i] = xhat[i] + step;
    const gp = g(x);
    x[i] = xhat[i];
    for (let j = 0; j < d; j++) H[j * d + i] = (gp[j] - base[j]) / step;
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      // a differenced column stands alone where the other coordinate was assumed
      const v = assumed[i] ? (assumed[j] ? 0 : H[i * d + j]) : assumed[j] ? H[j * d + i] : (H[i * d + j] + H[j * d + i]) / 2;
      H[i * d + j] = v;
      H[j * d + i] = v;
    }
  }
  return H;
}
