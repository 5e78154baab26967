/**
 * Root finding on a bracket by regula falsi with the Illinois modification (the end that stays
 * put has its function value halved), used for the ends of the profile intervals and for
 * likelihood-ratio cut-offs.
 */

/**
 * A root of `f` between `a` (f < 0) and `b` (f > 0) by the Illinois variant of regula falsi,
 * to `|b - a| < tol` or `|f| <= ftol`.
 *
 * @example
 * ```ts
 * falsePosition((s) => s * s - 2, 1, 2, -1, 2); // 1.41421356...
 * ```
 */
export function falsePosition(f: (s: number) => number, a: number, b: number, fa: number, fb: number, tol = 1e-7, ftol = 1e-5): number {
  let side = 0;
  let c = b;
  for (let it = 0; it < 60; it++) {
    c = (a * fb - b * fa) / (fb - fa);
    if (!(c > Math.min(a, b) && c < Math.max(a, b))) c = 0.5 * (a + b);
    const fc = f(c);
    if (Math.abs(b - a) < tol || Math.abs(fc) <= ftol) return c;
    if (fc > 0) {
      b = c;
      fb = fc;
      if (side === 1) fa /= 2;
      side = 1;
    } else {
      a = c;
      fa = fc;
      if (side === -1) fb /= 2;
      side = -1;
    }
    if (Math.abs(b - a) < tol) break;
  }
  return c;
}
