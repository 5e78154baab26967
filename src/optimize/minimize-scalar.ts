/**
 * Brent's method for a one-dimensional minimum on a bracket (Brent 1973, "Algorithms for
 * Minimization without Derivatives", ch. 5): golden-section steps, parabolic interpolation when
 * it is safe. No allocation beyond the returned pair.
 */

/** Result of {@link minimizeScalar}. */
export interface ScalarMinimum {
  readonly x: number;
  readonly f: number;
  readonly evaluations: number;
}

const GOLD = 0.381966011250105;

/**
 * Minimise `f` on `[a, b]` to an absolute tolerance `tol` in x.
 *
 * @example
 * ```ts
 * minimizeScalar((x) => (x - 2) ** 2, 0, 5).x; // 2
 * ```
 */
export function minimizeScalar(f: (x: number) => number, a: number, b: number, tol = 1e-10, maxIter = 200): ScalarMinimum {
  let x = a + GOLD * (b - a);
  let w = x;
  let v = x;
  let fx = f(x);
  let fw = fx;
  let fv = fx;
  let d = 0;
  let e = 0;
  let evaluations = 1;
  for (let iter = 0; iter < maxIter; iter++) {
    const m = 0.5 * (a + b);
    const tol1 = 1e-10 * Math.abs(x) + tol / 3;
    const tol2 = 2 * tol1;
    if (Math.abs(x - m) <= tol2 - 0.5 * (b - a)) break;
    let golden = true;
    if (Math.abs(e) > tol1) {
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      else q = -q;
      if (Math.abs(p) < Math.abs(0.5 * q * e) && p > q * (a - x) && p < q * (b - x)) {
        e = d;
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = x < m ? tol1 : -tol1;
        golden = false;
      }
    }
    if (golden) {
      e = (x < m ? b : a) - x;
      d = GOLD * e;
    }
    const u = Math.abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
    let fu = f(u);
    if (Number.isNaN(fu)) fu = Number.POSITIVE_INFINITY;
    evaluations++;
    if (fu <= fx) {
      if (u < x) b = x;
      else a = x;
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  return { x, f: fx, evaluations };
}
