/**
 * The engine's cross-products assembled from cell statistics instead of rows.
 *
 * Within a cell every grouping level and every dummy of X is constant, so column j of X is
 * `x_ij = ind_cj * u_{a(j), i}`: a per-cell indicator part (0 or 1; 1 for the intercept and for
 * numeric terms) times a numeric monomial `u_a` (1 for the intercept and for pure dummies). With
 * the cell's weight sum `W_c`, weighted means `m_c` and within-cell co-moments `C_c`, the centred
 * cell mean of column j is `h_cj = ind_cj m_{c,a(j)} - s_j` and
 *
 *     sum_{i in c} w_i (x_ij - s_j)(x_ik - s_k) = ind_cj ind_ck C_c[a(j), a(k)] + W_c h_cj h_ck,
 *
 * exactly: so `B`, `g` and `n1` are the row pass's blocks with one "row" per cell of weight
 * `W_c` and values `h_c`, plus the co-moments on the X/y block. The centring shifts `s` are the
 * weighted means of X and y, from the same cell means. Means are stored relative to an origin per
 * statistic column (`m = m' + o`), and `h` is formed as `ind m' + (ind o - s)` so that a large
 * offset cancels before the cell's own part is added.
 */
import { CrossProducts, type EngineFactor } from './cross-products.js';

/** Cells as the engine sees them: engine-order factor codes, X split into indicator and monomial. */
export interface CellDesign {
  readonly ncells: number;
  /** Rows in all cells (the model's n). */
  readonly nobs: number;
  /** Rows per cell. */
  readonly count: Float64Array;
  /** Weight sum per cell (its count when unweighted). */
  readonly weight: Float64Array;
  /** Random terms in engine order, with one code per cell. */
  readonly factors: readonly EngineFactor[];
  /** Columns of X. */
  readonly p: number;
  /** Indicator part of X, column-major `ncells x p`. */
  readonly ind: Float64Array;
  /** Statistic column of each X column's monomial; -1 for a constant (intercept, pure dummies). */
  readonly mono: Int32Array;
  /** Statistic columns; the outcome is the last. */
  readonly v: number;
  /** Origin of each statistic column's means. */
  readonly origin: Float64Array;
  /** Weighted means minus the origin, `ncells x v`. */
  readonly mean: Float64Array;
  /** Within-cell co-moments, `ncells x v (v + 1) / 2` packed lower triangles. */
  readonly comoment: Float64Array;
  readonly sumLogWeight: number;
  /** Weighted cells: per cell, the sum of `1 / w` on the user's weight scale (when known). */
  readonly sumInverseWeight?: Float64Array | null;
  /** Weighted cells: unweighted means (minus the origin) and co-moments, laid out as `mean` and `comoment` (when known). */
  readonly unweighted?: { readonly mean: Float64Array; readonly comoment: Float64Array } | null;
}

const packed = (a: number, b: number): number => (a >= b ? (a * (a + 1)) / 2 + b : (b * (b + 1)) / 2 + a);

/**
 * Weighted means of the columns of X (0 for the intercept, as the row path leaves it) and of
 * the outcome, from the cell means.
 *
 * @example
 * ```ts
 * const { xShift, yShift } = cellShifts(design, true);
 * ```
 */
export function cellShifts(d: CellDesign, centre: boolean): { xShift: Float64Array; yShift: number } {
  const { ncells, p, ind, mono, v, mean, weight, origin } = d;
  const xShift = new Float64Array(p);
  if (!centre) return { xShift, yShift: 0 };
  let W = 0;
  let ys = 0;
  for (let c = 0; c < ncells; c++) {
    W += weight[c];
    ys += weight[c] * mean[c * v + v - 1];
  }
  // Column 0 is the intercept (centring happens only with one): mean = (sum W ind m' + o sum W ind) / W.
  for (let j = 1; j < p; j++) {
    let s = 0;
    let wi = 0;
    const a = mono[j];
    for (let c = 0; c < ncells; c++) {
      const wind = weight[c] * ind[j * ncells + c];
      wi += wind;
      if (a >= 0) s += wind * mean[c * v + a];
    }
    xShift[j] = a >= 0 ? s / W + (origin[a] * wi) / W : wi / W;
  }
  return { xShift, yShift: origin[v - 1] + ys / W };
}

/**
 * Centred cell means of X's columns and the outcome (length p + 1) into `h`.
 *
 * @example
 * ```ts
 * const h = new Float64Array(design.p + 1);
 * centredCellMeans(design, 0, xShift, yShift, h); // h[p]: cell 0's outcome mean minus yShift
 * ```
 */
export function centredCellMeans(d: CellDesign, c: number, xShift: Float64Array, yShift: number, h: Float64Array): void {
  const { ncells, p, ind, mono, v, mean, origin } = d;
  for (let j = 0; j < p; j++) {
    const a = mono[j];
    const i = ind[j * ncells + c];
    h[j] = a >= 0 ? (i === 0 ? -xShift[j] : i * mean[c * v + a] + (i * origin[a] - xShift[j])) : i - xShift[j];
  }
  h[p] = mean[c * v + v - 1] + (origin[v - 1] - yShift);
}

/** Within-cell co-moment of X/y columns t and u (index p is the outcome). */
function within(d: CellDesign, c: number, t: number, u: number): number {
  const { ncells, p, ind, mono, v, comoment } = d;
  const at = t === p ? v - 1 : mono[t];
  const au = u === p ? v - 1 : mono[u];
  if (at < 0 || au < 0) return 0;
  const it = t === p ? 1 : ind[t * ncells + c];
  const iu = u === p ? 1 : ind[u * ncells + c];
  if (it === 0 || iu === 0) return 0;
  return it * iu * comoment[(c * v * (v + 1)) / 2 + packed(at, au)];
}

/**
 * The engine's cross-products from cells, X and y centred by the given shifts.
 *
 * @example
 * ```ts
 * const { xShift, yShift } = cellShifts(design, true);
 * const cp = cellCrossProducts(design, xShift, yShift); // same blocks as the row pass
 * ```
 */
export function cellCrossProducts(d: CellDesign, xShift: Float64Array, yShift: number): CrossProducts {
  const { ncells, p, factors, weight } = d;
  const q1 = factors[0].nlevels;
  const rest = factors.slice(1);
  const restOffsets: number[] = [];
  let qr = 0;
  for (const f of rest) {
    restOffsets.push(qr);
    qr += f.nlevels;
  }
  const m = qr + p + 1;
  const B = new Float64Array(m * m);
  const g = new Float64Array(q1 * m);
  const n1 = new Float64Array(q1);
  const K = rest.length;
  const idx = new Int32Array(K);
  const h = new Float64Array(p + 1);
  const f1 = factors[0].codes;
  for (let c = 0; c < ncells; c++) {
    const w = weight[c];
    const j = f1[c];
    n1[j] += w;
    const gj = j * m;
    for (let k = 0; k < K; k++) idx[k] = restOffsets[k] + rest[k].codes[c];
    for (let k = 0; k < K; k++) {
      const a = idx[k];
      g[gj + a] += w;
      for (let l = 0; l <= k; l++) {
        const b = idx[l];
        if (b <= a) B[a * m + b] += w;
        else B[b * m + a] += w;
      }
    }
    centredCellMeans(d, c, xShift, yShift, h);
    for (let t = 0; t <= p; t++) {
      const wh = w * h[t];
      const row = (qr + t) * m;
      g[gj + qr + t] += wh;
      for (let k = 0; k < K; k++) B[row + idx[k]] += wh;
      for (let u = 0; u <= t; u++) B[row + qr + u] += within(d, c, t, u) + wh * h[u];
    }
  }
  return CrossProducts.fromBlocks({ n: d.nobs, p, restLevels: rest.map((f) => f.nlevels), B, g, n1, ldW: d.sumLogWeight });
}

/**
 * Rewrite the outcome's row of `B` and column of `g` from the cells' (new) outcome statistics,
 * centred by `yShift`; the design-only blocks are kept. O(cells x (K + p)).
 *
 * @example
 * ```ts
 * setCellResponse(cp, replicateDesign, xShift, yShiftReplicate);
 * ```
 */
export function setCellResponse(cp: CrossProducts, d: CellDesign, xShift: Float64Array, yShift: number): void {
  const { ncells, p, factors, weight } = d;
  const { m, qr, B, g, restOffsets } = cp;
  const last = m - 1;
  const yrow = last * m;
  B.fill(0, yrow, yrow + m);
  for (let j = 0; j < cp.q1; j++) g[j * m + last] = 0;
  const h = new Float64Array(p + 1);
  const K = factors.length - 1;
  const f1 = factors[0].codes;
  for (let c = 0; c < ncells; c++) {
    const w = weight[c];
    centredCellMeans(d, c, xShift, yShift, h);
    const wy = w * h[p];
    g[f1[c] * m + last] += wy;
    for (let k = 0; k < K; k++) B[yrow + restOffsets[k] + factors[k + 1].codes[c]] += wy;
    for (let u = 0; u <= p; u++) B[yrow + qr + u] += within(d, c, p, u) + wy * h[u];
  }
  cp.responseUpdated();
}
