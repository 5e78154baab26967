/**
 * Random terms the fixed effects make unidentifiable: when every level indicator of a grouping
 * factor lies in the column space of X (`y ~ unit + (1|unit)`, or a fixed factor that codes the
 * same partition under another name), X absorbs every difference between the levels and the
 * term's variance is not identified by the data.
 */
import { choleskyInPlace, solveLowerInPlace } from '../linalg/dense-cholesky.js';
import type { CrossProducts } from '../objective/cross-products.js';

/**
 * Relative residual sum of squares (of a level indicator on X) below which the indicator
 * counts as fitted exactly by X.
 */
const SPANNED_TOL = 1e-9;

/**
 * Engine positions of the random terms whose every level indicator is (up to rounding) a linear
 * combination of X's columns, read from the cross-products (`X'WX`, `X'Wz_j`, `z_j'Wz_j`); no
 * pass over the rows. Costs one `p x p` factorisation and `p^2` per level.
 *
 * @example
 * ```ts
 * const e = termsSpannedByX(prepared.cp); // [0] for y ~ unit + (1|unit)
 * ```
 */
export function termsSpannedByX(cp: CrossProducts): number[] {
  const { m, qr, p, B, g, n1, q1, restLevels, restOffsets } = cp;
  if (p === 0) return [];
  const L = new Float64Array(p * p);
  for (let c = 0; c < p; c++) for (let d = 0; d <= c; d++) L[c * p + d] = B[(qr + c) * m + qr + d];
  if (choleskyInPlace(L, p) >= 0) return [];
  const v = new Float64Array(p);
  const spanned = (zz: number): boolean => {
    solveLowerInPlace(L, p, 0, p, v);
    let s = 0;
    for (let c = 0; c < p; c++) s += v[c] * v[c];
    return zz - s <= SPANNED_TOL * zz;
  };
  const out: number[] = [];
  let all = true;
  for (let j = 0; j < q1 && all; j++) {
    for (let c = 0; c < p; c++) v[c] = g[j * m + qr + c];
    all = spanned(n1[j]);
  }
  if (all) out.push(0);
  for (let k = 0; k < restLevels.length; k++) {
    all = true;
    for (let l = 0; l < restLevels[k] && all; l++) {
      const a = restOffsets[k] + l;
      for (let c = 0; c < p; c++) v[c] = B[(qr + c) * m + a];
      all = spanned(B[a * m + a]);
    }
    if (all) out.push(k + 1);
  }
  return out;
}
