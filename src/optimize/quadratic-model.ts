/**
 * A derivative-free trust-region search on quadratic interpolation models (in the spirit of
 * Powell's UOBYQA): every evaluation enters the model, so an expensive criterion (a large dense
 * block) is minimised in far fewer evaluations than a simplex search needs.
 *
 * The model `q(s) = c + g's + s'Hs / 2` interpolates the criterion at `(k+1)(k+2)/2` points
 * around the best point so far; each iteration minimises it within a trust radius, evaluates the
 * criterion once there, and replaces the point farthest from the best. When a step fails and
 * the point set has spread beyond the radius, a geometry step (a coordinate step of the radius's
 * length from the best point) replaces the farthest point instead of shrinking the radius.
 */
import { choleskyInPlace, solveLowerInPlace, solveLowerTransposeInPlace } from '../linalg/dense-cholesky.js';

/** Controls of {@link quadraticModelSearch}. */
export interface QuadraticModelControl {
  /** Initial trust radius (absolute, in the parameters' units). */
  readonly radius: number;
  /** Stop when the trust radius falls below this. */
  readonly minRadius: number;
  /**
   * Stop when the values at the interpolation points span less than this relative to the best
   * value, once the radius is within 100 times `minRadius`.
   */
  readonly valueTolerance: number;
  /** Evaluation budget of the search. */
  readonly maxEvaluations: number;
}

/** Result of {@link quadraticModelSearch}. */
export interface QuadraticModelResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly evaluations: number;
  /**
   * True when the search stopped by its radius or value tolerance; false when it stopped by
   * its budget, a stall (no progress in `4N` evaluations) or a point set it could not repair.
   */
  readonly converged: boolean;
}

/** Number of coefficients of a full quadratic in k variables. */
function modelSize(k: number): number {
  return ((k + 1) * (k + 2)) / 2;
}

/** Monomials of `s / scale`: 1, s_i, then s_i s_j (j <= i), into `out`. */
function monomials(s: Float64Array, scale: number, out: Float64Array): void {
  const k = s.length;
  out[0] = 1;
  for (let i = 0; i < k; i++) out[1 + i] = s[i] / scale;
  let t = 1 + k;
  for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) out[t++] = (s[i] / scale) * (s[j] / scale);
}

/**
 * Solve the square system `M c = r` (row-major, n x n) in place by Gaussian elimination with
 * partial pivoting. Returns false when a pivot is below `tol` times the largest entry (the
 * interpolation points are degenerate).
 */
function solveSquare(M: Float64Array, r: Float64Array, n: number, tol: number): boolean {
  let big = 0;
  for (let i = 0; i < n * n; i++) big = Math.max(big, Math.abs(M[i]));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(M[i * n + c]) > Math.abs(M[p * n + c])) p = i;
    if (!(Math.abs(M[p * n + c]) > tol * big)) return false;
    if (p !== c) {
      for (let j = 0; j < n; j++) {
        const t = M[c * n + j];
        M[c * n + j] = M[p * n + j];
        M[p * n + j] = t;
      }
      const t = r[c];
      r[c] = r[p];
      r[p] = t;
    }
    const inv = 1 / M[c * n + c];
    for (let i = c + 1; i < n; i++) {
      const f = M[i * n + c] * inv;
      if (f === 0) continue;
      for (let j = c; j < n; j++) M[i * n + j] -= f * M[c * n + j];
      r[i] -= f * r[c];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = r[i];
    for (let j = i + 1; j < n; j++) s -= M[i * n + j] * r[j];
    r[i] = s / M[i * n + i];
  }
  return true;
}

/**
 * Minimise `g's + s'Hs / 2` subject to `|s| <= radius` (Moré-Sorensen style: the Newton step if
 * H is positive definite and the step fits, otherwise the regularised step `(H + lambda I)^{-1}`
 * with lambda found by bisection on the step length). Writes the step into `s`; returns the
 * model decrease `-(g's + s'Hs / 2)`.
 */
function trustRegionStep(g: Float64Array, H: Float64Array, radius: number, s: Float64Array, work: Float64Array): number {
  const k = g.length;
  const stepFor = (lambda: number): number => {
    for (let i = 0; i < k * k; i++) work[i] = H[i];
    for (let i = 0; i < k; i++) work[i * k + i] += lambda;
    if (choleskyInPlace(work, k) >= 0) return Number.POSITIVE_INFINITY;
    for (let i = 0; i < k; i++) s[i] = -g[i];
    solveLowerInPlace(work, k, 0, k, s);
    solveLowerTransposeInPlace(work, k, 0, k, s);
    let n2 = 0;
    for (let i = 0; i < k; i++) n2 += s[i] * s[i];
    return Math.sqrt(n2);
  };
  let len = stepFor(0);
  if (!(len <= radius)) {
    let hnorm = 0;
    for (let i = 0; i < k * k; i++) hnorm = Math.max(hnorm, Math.abs(H[i]));
    let gnorm = 0;
    for (let i = 0; i < k; i++) gnorm += g[i] * g[i];
    gnorm = Math.sqrt(gnorm);
    let lo = 0;
    let hi = k * hnorm + gnorm / radius + 1e-300;
    // |s(lambda)| decreases in lambda on the positive definite range: bisect to |s| ~ radius.
    for (let it = 0; it < 60; it++) {
      const mid = 0.5 * (lo + hi);
      const l = stepFor(mid);
      if (l > radius) lo = mid;
      else hi = mid;
      if (hi - lo <= 1e-12 * hi) break;
    }
    len = stepFor(hi);
    if (len > radius) for (let i = 0; i < k; i++) s[i] *= radius / len;
  }
  let dec = 0;
  for (let i = 0; i < k; i++) {
    let hs = 0;
    for (let j = 0; j < k; j++) hs += H[i * k + j] * s[j];
    dec -= g[i] * s[i] + 0.5 * s[i] * hs;
  }
  return dec;
}

/**
 * Minimise `f` from `x0` with quadratic interpolation models in a trust region.
 *
 * @example
 * ```ts
 * const r = quadraticModelSearch((x) => (x[0] - 1) ** 2 + 10 * (x[1] + 2) ** 2, Float64Array.of(0, 0), {
 *   radius: 0.5, minRadius: 1e-8, valueTolerance: 1e-12, maxEvaluations: 200,
 * });
 * r.x; // ~ [1, -2]
 * ```
 */
export function quadraticModelSearch(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  control: QuadraticModelControl,
): QuadraticModelResult {
  const k = x0.length;
  const N = modelSize(k);
  let evals = 0;
  const F = (x: Float64Array): number => {
    evals++;
    const v = f(x);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };
  let radius = control.radius;
  // Interpolation set: points and values.
  const pts: Float64Array[] = [];
  const vals = new Float64Array(N);
  const base = Float64Array.from(x0);
  const add = (p: Float64Array): void => {
    vals[pts.length] = F(p);
    pts.push(p);
  };
  add(base.slice());
  for (let i = 0; i < k; i++) {
    const p = base.slice();
    p[i] += radius;
    add(p);
  }
  for (let i = 0; i < k; i++) {
    const p = base.slice();
    p[i] -= radius;
    add(p);
  }
  for (let i = 0; i < k; i++)
    for (let j = 0; j < i; j++) {
      const p = base.slice();
      p[i] += radius;
      p[j] += radius;
      add(p);
    }
  let best = 0;
  for (let t = 1; t < N; t++) if (vals[t] < vals[best]) best = t;

  const M = new Float64Array(N * N);
  const coef = new Float64Array(N);
  const row = new Float64Array(N);
  const diff = new Float64Array(k);
  const g = new Float64Array(k);
  const H = new Float64Array(k * k);
  const s = new Float64Array(k);
  const work = new Float64Array(k * k);

  const farthest = (): { index: number; distance: number } => {
    let index = -1;
    let distance = -1;
    for (let t = 0; t < N; t++) {
      if (t === best) continue;
      let d2 = 0;
      for (let i = 0; i < k; i++) d2 += (pts[t][i] - pts[best][i]) ** 2;
      if (d2 > distance) {
        distance = d2;
        index = t;
      }
    }
    return { index, distance: Math.sqrt(distance) };
  };
  // Replace point t by a step of the radius's length from the best point, in the stencil
  // direction (a coordinate step either way, or a step along two coordinates) farthest from every
  // other point of the set, so the set never holds duplicates.
  const candidate = new Float64Array(k);
  const chosen = new Float64Array(k);
  const geometryStep = (t: number): boolean => {
    const xb = pts[best];
    let bestScore = -1;
    const consider = (): void => {
      let score = Number.POSITIVE_INFINITY;
      for (let u = 0; u < N; u++) {
        let d2 = 0;
        for (let i = 0; i < k; i++) d2 += (pts[u][i] - candidate[i]) ** 2;
        score = Math.min(score, d2);
      }
      if (score > bestScore) {
        bestScore = score;
        chosen.set(candidate);
      }
    };
    for (let i = 0; i < k; i++)
      for (const sign of [1, -1]) {
        candidate.set(xb);
        candidate[i] += sign * radius;
        consider();
      }
    const r2 = radius / Math.SQRT2;
    for (let i = 0; i < k; i++)
      for (let j = 0; j < i; j++)
        for (const [a, b] of [[1, 1], [1, -1], [-1, 1], [-1, -1]]) {
          candidate.set(xb);
          candidate[i] += a * r2;
          candidate[j] += b * r2;
          consider();
        }
    // Every candidate already in the set (a quarter of the radius away at most): cannot repair.
    if (!(bestScore > 0.0625 * radius * radius)) return false;
    const p = Float64Array.from(chosen);
    pts[t] = p;
    vals[t] = F(p);
    if (vals[t] < vals[best]) {
      best = t;
      lastProgress = evals;
    }
    return true;
  };

  let lastProgress = evals;
  let converged = false;
  for (;;) {
    if (radius < control.minRadius) {
      converged = true;
      break;
    }
    if (evals >= control.maxEvaluations || evals - lastProgress > 4 * N || !Number.isFinite(vals[best])) break;
    if (radius <= 100 * control.minRadius) {
      let hi = vals[0];
      for (let t = 1; t < N; t++) hi = Math.max(hi, vals[t]);
      if (hi - vals[best] <= control.valueTolerance * (1 + Math.abs(vals[best]))) {
        converged = true;
        break;
      }
    }
    // Fit the model around the best point, in units of the radius.
    const xb = pts[best];
    const fb = vals[best];
    let scale = 0;
    for (let t = 0; t < N; t++) for (let i = 0; i < k; i++) scale = Math.max(scale, Math.abs(pts[t][i] - xb[i]));
    let finite = true;
    for (let t = 0; t < N; t++) {
      for (let i = 0; i < k; i++) diff[i] = pts[t][i] - xb[i];
      monomials(diff, scale, row);
      M.set(row, t * N);
      coef[t] = vals[t] - fb;
      if (!Number.isFinite(coef[t])) finite = false;
    }
    if (!finite || !solveSquare(M, coef, N, 1e-12)) {
      // Degenerate or infinite values: renew the farthest point, or give up when nothing helps.
      const far = farthest();
      if (!finite) radius *= 0.5;
      if (far.index < 0 || !geometryStep(far.index)) break;
      continue;
    }
    for (let i = 0; i < k; i++) g[i] = coef[1 + i] / scale;
    let t = 1 + k;
    for (let i = 0; i < k; i++)
      for (let j = 0; j <= i; j++) {
        const c = coef[t++] / (scale * scale);
        if (i === j) H[i * k + i] = 2 * c;
        else {
          H[i * k + j] = c;
          H[j * k + i] = c;
        }
      }
    const predicted = trustRegionStep(g, H, radius, s, work);
    let slen = 0;
    for (let i = 0; i < k; i++) slen = Math.max(slen, Math.abs(s[i]));
    if (!(predicted > 1e-14 * (1 + Math.abs(fb))) || slen < 0.5 * control.minRadius) {
      // The model predicts nothing more at this radius: refine the geometry, or shrink.
      const far = farthest();
      if (!(far.distance > 2 * radius && geometryStep(far.index))) radius *= 0.1;
      continue;
    }
    const xn = xb.slice();
    for (let i = 0; i < k; i++) xn[i] += s[i];
    const fn = F(xn);
    const ratio = (fb - fn) / predicted;
    // The new point replaces the one farthest from the best.
    const far = farthest();
    if (far.index < 0) break;
    pts[far.index] = xn;
    vals[far.index] = fn;
    if (fn < fb) {
      best = far.index;
      lastProgress = evals;
    }
    if (ratio >= 0.7 && slen >= 0.9 * radius) radius *= 2;
    else if (ratio < 0.1) {
      const spread = farthest();
      if (!(spread.distance > 2 * radius && geometryStep(spread.index))) radius *= 0.5;
    }
  }
  return { x: Float64Array.from(pts[best]), f: vals[best], evaluations: evals, converged };
}
