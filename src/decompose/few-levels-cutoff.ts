/**
 * The finite-sample cut-off of the likelihood-ratio statistic for a variance component estimated
 * from few levels (docs/intervals.md, "Few levels and the boundary").
 *
 * In the balanced one-way layout with `k + 1` levels of `m` rows each and the within-level
 * variance known, the REML statistic for the variance ratio `r = 1 + m sigma_a^2 / sigma_e^2`
 * depends on the data only through `u = F / r`, where F is the between/within mean-square ratio
 * and `u ~ chi2_k / k` exactly. With the estimate `max(F, 1)` (REML truncates at the boundary)
 *
 * ```
 * LR(r) = k g(u)                        u >= 1/r    (g(u) = u - 1 - log u)
 *       = k (log r - (r - 1) u)         u <  1/r    (the estimate at the boundary)
 * ```
 *
 * The exact 95% test of `r` rejects when `LR(r) > c_k(r)` with `P(LR(r) > c_k(r)) = 5%`. Far from
 * the boundary `c_k` is the 95% point of `k g(u)`, about `3.8415 (1 + 1/(3k))` (Bartlett's
 * correction); at the boundary (`r = 1`) it is `k g(q_k / k)` with `q_k` the 95% point of chi2_k,
 * the finite-sample version of the 50:50 mixture's 2.7055; in between it moves smoothly, because
 * near the boundary part of the upper tail is folded onto the estimate 0. As `k` grows, `c_k`
 * tends to 3.8415 away from the boundary and to 2.7055 at it.
 */
import { falsePosition } from '../optimize/false-position.js';
import { chiSquareCdf, chiSquareSurvival } from '../random/chi-square-cdf.js';
import { chiSquare1Quantile } from '../random/normal-quantile.js';

/** The root u > 1 of `u - 1 - log u = a` (Newton from the right, where it converges monotonically). */
function upperRoot(a: number): number {
  if (!(a > 0)) return 1;
  let u = 2 * a + 2;
  for (let i = 0; i < 100; i++) {
    const step = (u - 1 - Math.log(u) - a) / (1 - 1 / u);
    u -= step;
    if (Math.abs(step) <= 1e-15 * u) break;
  }
  return u;
}

/** The root u < 1 of `u - 1 - log u = a`, as `u = exp(-w)` with `exp(-w) + w - 1 = a` (Newton in w). */
function lowerRoot(a: number): number {
  if (!(a > 0)) return 1;
  let w = a + 1;
  for (let i = 0; i < 100; i++) {
    const e = Math.exp(-w);
    const step = (e + w - 1 - a) / (1 - e);
    w -= step;
    if (Math.abs(step) <= 1e-15 * w) break;
  }
  return Math.exp(-w);
}

/**
 * `P(LR(r) > c)` for the statistic above: `k` degrees of freedom between levels, variance ratio
 * `r >= 1`.
 *
 * @example
 * ```ts
 * fewLevelsTail(3.8415, 1e6, 1); // 0.05 (one level of freedom far from the boundary: chi2_1)
 * ```
 */
export function fewLevelsTail(c: number, k: number, r: number): number {
  const a = c / k;
  const upper = chiSquareSurvival(k * upperRoot(a), k);
  const u1 = lowerRoot(a);
  let low: number;
  const inv = 1 / r;
  if (inv < u1) low = chiSquareCdf(k * u1, k);
  else if (r - 1 > 1e-12) {
    const uStar = (Math.log(r) - a) / (r - 1);
    low = uStar > 0 ? chiSquareCdf(k * uStar, k) : 0;
  } else low = 0;
  return upper + low;
}

/**
 * The cut-off `c` with `P(LR(r) > c) = 1 - level` for a variance component with `k` degrees of
 * freedom between its levels at variance ratio `r = 1 + m sigma_a^2 / sigma_e^2` (m rows a level).
 *
 * @example
 * ```ts
 * fewLevelsCutoff(4, 1e9, 0.95); // 4.158, near 3.8415 (1 + 1/12)
 * fewLevelsCutoff(4, 1, 0.95); // 2.033: at the boundary, k g(qchisq(0.95, 4) / 4)
 * fewLevelsCutoff(1e6, 5, 0.95); // 3.8415
 * ```
 */
export function fewLevelsCutoff(k: number, r: number, level: number): number {
  const alpha = 1 - level;
  const f = (c: number) => alpha - fewLevelsTail(c, k, r);
  // The tail probability falls from near 1 at c = 0 to alpha somewhere below twice the chi2_1 point.
  let lo = 0.25 * chiSquare1Quantile(level);
  let hi = 2 * chiSquare1Quantile(level);
  let flo = f(lo);
  let fhi = f(hi);
  for (let i = 0; i < 60 && flo > 0; i++) {
    lo /= 2;
    flo = f(lo);
  }
  for (let i = 0; i < 60 && fhi < 0; i++) {
    hi *= 2;
    fhi = f(hi);
  }
  return falsePosition(f, lo, hi, flo, fhi, 1e-10, 1e-12);
}
