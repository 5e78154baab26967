/**
 * Per-unit cross-products for the sequential and Shapley unit bootstrap. Every regression of the
 * R^2 game (r2-shares.ts) needs only the normal equations of its columns: the rest terms'
 * dummies, the columns of X and y, with or without the first term's (the unit's) dummies
 * absorbed. Both are sums over units:
 *
 * - `B = sum_u B_u`, `B_u = sum_{i in u} w_i z_i z_i'` with `z_i = [dummies, x_i, y_i]`;
 * - with the unit dummies absorbed, `W = sum_u W_u`, `W_u = B_u - g_u g_u' / n_u`, the
 *   within-unit (centred) cross-products (`g_u = sum_{i in u} w_i z_i`, `n_u = sum_{i in u} w_i`).
 *
 * A resample that draws unit u `c_u` times (each copy a unit of its own) has
 * `B = sum_u c_u B_u` and `W = sum_u c_u W_u`; a jackknife deletion has `c_u = 0` for the units
 * left out and 1 for the others. So the rows are read once, and a replicate costs one weighted
 * sum of the units' blocks instead of a pass over its rows.
 *
 * The columns keep the fitted model's layout (CrossProducts: rest terms' levels, then X, then y),
 * with every level of the rest terms; a level no drawn unit has is a zero column, which the
 * regressions skip as dependent, as they would skip a level the resample never made. Scalar
 * random intercepts only (a term with slopes enters through per-level slope columns: the
 * row-by-row path in unit-bootstrap.ts handles it).
 */
import type { PreparedModel } from '../model/prepare-model.js';
import { dependentSkippingResidual, subsetColumns, type ColumnLayout, type RegressionSubset } from '../objective/subset-regressions.js';

/**
 * The most doubles the per-unit blocks may take (two packed m x m triangles a unit); beyond it the unit
 * bootstrap refits each replicate from its rows.
 */
export const MAX_UNIT_BLOCK_DOUBLES = 1 << 22;

/**
 * Whether {@link UnitCrossProducts} covers a model: every random term a scalar intercept, and the
 * per-unit blocks within {@link MAX_UNIT_BLOCK_DOUBLES}.
 *
 * @example
 * ```ts
 * if (unitCrossProductsCover(fitted.prepared)) new UnitCrossProducts(fitted.prepared, y);
 * ```
 */
export function unitCrossProductsCover(prepared: PreparedModel): boolean {
  const { factors } = prepared.engine;
  if (factors.length === 0 || factors.some((f) => f.columns !== undefined)) return false;
  let m = prepared.design.p + 1;
  for (let k = 1; k < factors.length; k++) m += factors[k].nlevels;
  return factors[0].nlevels * m * (m + 1) <= MAX_UNIT_BLOCK_DOUBLES;
}

/**
 * Regressions on one replicate's summed cross-products: `rss(subset)` as
 * SubsetRegressions gives it for the replicate's rows.
 */
export interface ReplicateRegressions {
  rss(subset: RegressionSubset): number;
}

/**
 * The units' blocks `B_u` and `W_u` (lower triangles, packed row by row: entry (a, b), b <= a, at
 * `a (a + 1) / 2 + b`; `B_u` then `W_u`, unit after unit), built in one pass over the rows of a
 * prepared model with the response `y` (as the criterion sees it).
 *
 * @example
 * ```ts
 * const ucp = new UnitCrossProducts(prepared, y);
 * const counts = new Float64Array(ucp.units).fill(1);
 * counts[3] = 0; // leave unit 3 out
 * const regs = ucp.replicate(counts);
 * regs.rss({ first: true, rest: [true], x: [true, true] }); // y ~ x + unit + period without unit 3
 * ```
 */
export class UnitCrossProducts implements ColumnLayout {
  /** Number of units (levels of the first engine term). */
  readonly units: number;
  readonly m: number;
  readonly qr: number;
  readonly p: number;
  readonly restLevels: Int32Array;
  readonly restOffsets: Int32Array;
  readonly widths: Int32Array;
  /** Entries of one packed lower triangle, `m (m + 1) / 2`. */
  readonly packed: number;
  /** Per unit, `B_u` then `W_u` packed (2 `packed` doubles a unit). */
  readonly blocks: Float64Array;
  /** The current replicate's `B` then `W`, packed. */
  private readonly sums: Float64Array;
  private readonly A: Float64Array;
  private readonly ref: Float64Array;
  private readonly idx: Int32Array;

  constructor(prepared: PreparedModel, y: Float64Array) {
    const { engine, design } = prepared;
    const factors = engine.factors;
    if (!unitCrossProductsCover(prepared)) throw new RangeError('UnitCrossProducts: random intercepts only, within the block limit');
    const n = engine.n;
    const p = design.p;
    const x = design.x;
    const w = engine.weights;
    const rest = factors.slice(1);
    this.units = factors[0].nlevels;
    this.p = p;
    this.restLevels = Int32Array.from(rest.map((f) => f.nlevels));
    this.restOffsets = new Int32Array(rest.length);
    let qr = 0;
    rest.forEach((f, k) => {
      this.restOffsets[k] = qr;
      qr += f.nlevels;
    });
    this.qr = qr;
    const m = qr + p + 1;
    this.m = m;
    this.widths = new Int32Array(factors.length).fill(1);
    const L = (m * (m + 1)) / 2;
    this.packed = L;
    const N = this.units;
    const blocks = new Float64Array(2 * N * L);
    const g = new Float64Array(N * m);
    const nu = new Float64Array(N);
    // The nonzero entries of one row's z: one dummy per rest term, the columns of X, y.
    const K = rest.length;
    const nz = K + p + 1;
    const at = new Int32Array(nz);
    const val = new Float64Array(nz);
    for (let c = 0; c < p; c++) at[K + c] = qr + c;
    at[nz - 1] = m - 1;
    const unitOf = factors[0].codes;
    for (let i = 0; i < n; i++) {
      const u = unitOf[i];
      const wi = w ? w[i] : 1;
      for (let k = 0; k < K; k++) {
        at[k] = this.restOffsets[k] + rest[k].codes[i];
        val[k] = 1;
      }
      for (let c = 0; c < p; c++) val[K + c] = x[c * n + i];
      val[nz - 1] = y[i];
      nu[u] += wi;
      const base = 2 * u * L;
      const gu = u * m;
      for (let a = 0; a < nz; a++) {
        const wa = wi * val[a];
        const ia = at[a];
        g[gu + ia] += wa;
        const row = base + (ia * (ia + 1)) / 2;
        for (let b = 0; b < nz; b++) {
          const ib = at[b];
          // Lower triangle (the dummies of two rest terms may come in either order).
          if (ib <= ia) blocks[row + ib] += wa * val[b];
        }
      }
    }
    // W_u = B_u - g_u g_u' / n_u.
    for (let u = 0; u < N; u++) {
      const bu = 2 * u * L;
      const wu = bu + L;
      for (let e = 0; e < L; e++) blocks[wu + e] = blocks[bu + e];
      if (!(nu[u] > 0)) continue;
      const inv = 1 / nu[u];
      const gu = u * m;
      for (let a = 0; a < m; a++) {
        const va = inv * g[gu + a];
        if (va === 0) continue;
        const row = wu + (a * (a + 1)) / 2;
        for (let b = 0; b <= a; b++) blocks[row + b] -= va * g[gu + b];
      }
    }
    this.blocks = blocks;
    this.sums = new Float64Array(2 * L);
    this.A = new Float64Array(m * m);
    this.ref = new Float64Array(m);
    this.idx = new Int32Array(m);
  }

  /**
   * The regressions of the replicate in which unit u enters `counts[u]` times (0 for a unit left
   * out). The returned object reads this instance's buffers: it is valid until the next call.
   */
  replicate(counts: ArrayLike<number>): ReplicateRegressions {
    const { blocks, sums } = this;
    const L2 = 2 * this.packed;
    sums.fill(0);
    for (let u = 0; u < this.units; u++) {
      const c = counts[u];
      if (c === 0) continue;
      const base = u * L2;
      for (let e = 0; e < L2; e++) sums[e] += c * blocks[base + e];
    }
    return { rss: (subset) => this.rss(subset) };
  }

  /** Residual sum of squares of one subset regression on the current replicate's sums. */
  private rss(subset: RegressionSubset): number {
    const { sums, A, ref, idx } = this;
    const s = subsetColumns(this, subset, idx);
    // Unabsorbed B for the reference sums of squares; W when the unit dummies are absorbed.
    const off = subset.first ? this.packed : 0;
    for (let a = 0; a < s; a++) {
      const ia = idx[a];
      const row = (ia * (ia + 1)) / 2;
      for (let b = 0; b <= a; b++) A[a * s + b] = sums[off + row + idx[b]];
      ref[a] = sums[row + ia];
    }
    return dependentSkippingResidual(A, s, ref);
  }
}
