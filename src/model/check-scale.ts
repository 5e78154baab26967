/**
 * The scale check of the fixed-effect columns (lme4's `checkScaleX`): columns whose standard
 * deviations differ by more than a factor of 1e3, or lie more than 1e3 from 1 (the implicit
 * scale of the variance parameters), make the optimisation ill-conditioned.
 */
import { diagnostic, type Diagnostic } from '../diagnostics.js';

/** Largest ratio of standard deviations (between columns, or of one against 1) that passes. */
export const SCALE_RATIO_LIMIT = 1e3;

/**
 * The sample standard deviation of each column of a column-major `n x p` matrix, NaN for a
 * column whose values are all 0 or 1 (the intercept, dummies), which the scale check skips. Read
 * before a column is centred: centring keeps the spread but not the 0/1 values.
 *
 * @example
 * ```ts
 * columnSpreads(Float64Array.of(1, 1, 1, 2, 4, 6), 3, 2); // [NaN, 2]
 * ```
 */
export function columnSpreads(x: ArrayLike<number>, n: number, p: number): Float64Array {
  const out = new Float64Array(p).fill(Number.NaN);
  if (n < 2) return out;
  for (let j = 0; j < p; j++) {
    let dummy = true;
    let mean = 0;
    for (let i = 0; i < n; i++) {
      const v = x[j * n + i];
      if (v !== 0 && v !== 1) dummy = false;
      mean += v;
    }
    if (dummy) continue;
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[j * n + i] - mean) ** 2;
    out[j] = Math.sqrt(ss / (n - 1));
  }
  return out;
}

/**
 * A `SCALE` warning when the fixed-effect columns are on very different scales, else null. As
 * lme4's `checkScaleX`, only the columns with a value other than 0 or 1 count (their spreads from
 * {@link columnSpreads}; NaN skips a column), each by its sample standard deviation; the check
 * fails when the ratio of the largest to the smallest exceeds {@link SCALE_RATIO_LIMIT}, or when
 * one of them is beyond that limit from 1. The message names the columns with the smallest and
 * largest spread and the ratio.
 *
 * @example
 * ```ts
 * const x = Float64Array.of(1, 1, 1, 0.1, 0.5, 0.9, 1e5, 3e5, 2e5); // (Intercept), z, pop
 * scaleDiagnostic(columnSpreads(x, 3, 3), ['(Intercept)', 'z', 'pop'])?.code; // 'SCALE'
 * ```
 */
export function scaleDiagnostic(spreads: ArrayLike<number>, names: readonly string[]): Diagnostic | null {
  let lo = -1;
  let hi = -1;
  let sdLo = Infinity;
  let sdHi = -Infinity;
  for (let j = 0; j < names.length; j++) {
    const sd = spreads[j];
    if (Number.isNaN(sd)) continue;
    if (sd < sdLo) [lo, sdLo] = [j, sd];
    if (sd > sdHi) [hi, sdHi] = [j, sd];
  }
  if (lo < 0) return null;
  const ratio = sdHi / sdLo;
  const limit = SCALE_RATIO_LIMIT;
  if (!(ratio > limit || sdHi > limit || sdLo < 1 / limit)) return null;
  const fmt = (v: number) => v.toPrecision(3);
  const spread =
    lo === hi
      ? `"${names[hi]}" has standard deviation ${fmt(sdHi)}`
      : `the standard deviations range from ${fmt(sdLo)} ("${names[lo]}") to ${fmt(sdHi)} ("${names[hi]}"), a ratio of ${fmt(ratio)}`;
  return diagnostic(
    'SCALE',
    'warning',
    `Some predictor variables are on very different scales: ${spread} (beyond a factor of ${limit} between columns or from 1); ` +
      'the fit may be slow and its estimates and standard errors inaccurate: consider rescaling',
  );
}
