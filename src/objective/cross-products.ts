/**
 * The one pass over the data. Everything the profiled criterion needs is accumulated here, so an
 * evaluation of the criterion never touches the rows again.
 *
 * Layout (DESIGN.md, "Why it is fast"): random terms are sorted by number of levels, largest
 * first. The first term's block of `Lambda'Z'WZ Lambda + I` is diagonal, so it is eliminated in
 * closed form. The remaining dense system has `m = qr + p + 1` rows: the levels of the other
 * random terms (`qr` in all), the `p` columns of X, and y last.
 *
 * - `B` (m x m, row-major, symmetric): `[Zr'WZr, Zr'WX, Zr'Wy; ., X'WX, X'Wy; ., ., y'Wy]`.
 * - `g` (q1 x m, row-major): row j is level j's column of `[Zr'WZ1; X'WZ1; y'WZ1]`.
 * - `n1` (q1): the weight sum (count) of each level of the first term.
 * - Levels with equal `n1` are grouped and `G_c = sum_{j in group c} g_j g_j'` precomputed, so
 *   the Schur update costs O(#distinct counts x m^2) per evaluation. With too many distinct
 *   counts (weights, or a crossed design whose G_c blocks would not fit in memory), or when it is
 *   cheaper, the update is one sparse rank-one update per level over the nonzeros of g_j
 *   (`pattern`), O(sum_j nnz_j^2) per evaluation.
 *
 * The y row and column are kept separate from the design-only parts: {@link CrossProducts.setResponse}
 * swaps in a new outcome in O(n + q1 m) without redoing the design work.
 */

import { rowPattern } from '../linalg/sparse-update.js';

/** A random-intercept term as the engine sees it: integer level codes per observation. */
export interface EngineFactor {
  readonly codes: Int32Array;
  readonly nlevels: number;
}

/** Inputs of the one pass. X is column-major (n x p). */
export interface EngineDesign {
  readonly n: number;
  readonly p: number;
  readonly x: Float64Array;
  /** Random terms in engine order: most levels first. */
  readonly factors: readonly EngineFactor[];
  readonly weights: Float64Array | null;
}

/** Grouping of first-term levels into distinct counts. */
interface CountGroups {
  /** Distinct counts (weight sums). */
  readonly values: Float64Array;
  /** Levels per distinct count. */
  readonly multiplicity: Float64Array;
  /** Group index of each level. */
  readonly groupOf: Int32Array;
}

/** The largest total size (in doubles) of the precomputed G_c blocks before the per-level fallback. */
const MAX_GROUPED_DOUBLES = 1 << 22;

/**
 * Cross-products of a design and a response, built in one pass over the rows.
 *
 * @example
 * ```ts
 * const cp = new CrossProducts(design, y);
 * cp.m; // qr + p + 1
 * cp.setResponse(ySimulated); // reuse the design work for a new outcome
 * ```
 */
export class CrossProducts {
  readonly n: number;
  readonly p: number;
  readonly q1: number;
  /** Levels of each non-first term, and each one's offset in the dense block. */
  readonly restLevels: Int32Array;
  readonly restOffsets: Int32Array;
  readonly qr: number;
  readonly m: number;
  readonly B: Float64Array;
  readonly g: Float64Array;
  readonly n1: Float64Array;
  readonly counts: CountGroups;
  /** `G_c` blocks (lower triangles valid), one m x m block per distinct count; null in per-level mode. */
  readonly G: Float64Array | null;
  /**
   * Per-level mode only (`G` null): the nonzero columns of each row of `g` (the y column always
   * included), for the sparse rank-one Schur updates.
   */
  readonly pattern: { readonly start: Int32Array; readonly index: Int32Array } | null;
  /** Sum of log weights (0 when unweighted). */
  readonly ldW: number;
  /** The rows behind the cross-products; null when they were assembled from cell statistics. */
  private readonly design: EngineDesign | null;

  /**
   * Cross-products assembled elsewhere, from cell statistics (`cell-cross-products.ts`): the
   * blocks `B`, `g`, `n1` and the sum of log weights. The count groups and the `G_c` blocks are
   * derived here as for the row pass. There are no rows behind them: {@link setResponse} is
   * unavailable; change the y row and column in place and call {@link responseUpdated}.
   *
   * @example
   * ```ts
   * const cp = CrossProducts.fromBlocks({ n, p, restLevels, B, g, n1, ldW: 0 });
   * ```
   */
  static fromBlocks(blocks: {
    n: number;
    p: number;
    restLevels: ArrayLike<number>;
    B: Float64Array;
    g: Float64Array;
    n1: Float64Array;
    ldW: number;
  }): CrossProducts {
    const cp: CrossProducts = Object.create(CrossProducts.prototype);
    const restLevels = Int32Array.from(blocks.restLevels);
    const restOffsets = new Int32Array(restLevels.length);
    let qr = 0;
    restLevels.forEach((q, k) => {
      restOffsets[k] = qr;
      qr += q;
    });
    const m = qr + blocks.p + 1;
    const q1 = blocks.n1.length;
    if (blocks.B.length !== m * m || blocks.g.length !== q1 * m) throw new RangeError('CrossProducts.fromBlocks: block sizes do not match');
    const counts = groupCounts(blocks.n1);
    const { G, pattern } = schurLayout(blocks.g, q1, m, counts.values.length);
    Object.assign(cp, {
      n: blocks.n,
      p: blocks.p,
      q1,
      restLevels,
      restOffsets,
      qr,
      m,
      B: blocks.B,
      g: blocks.g,
      n1: blocks.n1,
      counts,
      G,
      pattern,
      ldW: blocks.ldW,
      design: null,
      groupsBuilt: false,
    });
    if (G) cp.rebuildGroups();
    return cp;
  }

  /** After the y row of `B` and the y column of `g` were changed in place: refresh the `G_c` y rows. */
  responseUpdated(): void {
    if (this.G) {
      if (this.groupsBuilt) this.rebuildGroupResponseRows();
      else this.rebuildGroups();
    }
  }

  constructor(design: EngineDesign, y: Float64Array) {
    const { n, p, factors } = design;
    if (factors.length === 0) throw new RangeError('CrossProducts needs at least one random term');
    this.design = design;
    this.n = n;
    this.p = p;
    this.q1 = factors[0].nlevels;
    const rest = factors.slice(1);
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
    this.B = new Float64Array(m * m);
    this.g = new Float64Array(this.q1 * m);
    this.n1 = new Float64Array(this.q1);
    let ldW = 0;
    if (design.weights) for (let i = 0; i < n; i++) ldW += Math.log(design.weights[i]);
    this.ldW = ldW;
    const fused = design.weights === null && factors.length === 2;
    if (fused) this.accumulateTwoFactors(y);
    else this.accumulateDesign();
    this.counts = groupCounts(this.n1);
    const ng = this.counts.values.length;
    const layout = schurLayout(this.g, this.q1, m, ng);
    this.G = layout.G;
    this.pattern = layout.pattern;
    if (fused) {
      if (this.G) this.rebuildGroups();
    } else {
      this.setResponse(y);
    }
  }

  /**
   * The one pass for the common case (two crossed or nested random intercepts, no weights),
   * design and response together: the second term's block of B is diagonal and each row
   * touches one level of each term.
   */
  private accumulateTwoFactors(y: Float64Array): void {
    const { n, p, x, factors } = this.design!;
    const { m, qr, B, g, n1 } = this;
    const f1 = factors[0].codes;
    const f2 = factors[1].codes;
    const last = m - 1;
    const yrow = last * m;
    for (let i = 0; i < n; i++) {
      const j = f1[i];
      const a = f2[i];
      const gj = j * m;
      const yi = y[i];
      n1[j] += 1;
      g[gj + a] += 1;
      g[gj + last] += yi;
      B[a * m + a] += 1;
      B[yrow + a] += yi;
      B[yrow + last] += yi * yi;
      for (let c = 0; c < p; c++) {
        const xc = x[c * n + i];
        const row = (qr + c) * m;
        g[gj + qr + c] += xc;
        B[row + a] += xc;
        B[yrow + qr + c] += yi * xc;
        for (let d = 0; d <= c; d++) B[row + qr + d] += xc * x[d * n + i];
      }
    }
  }

  /** Design-only parts of B and g, and the level counts: one pass over the rows. */
  private accumulateDesign(): void {
    const { n, p, x, factors, weights } = this.design!;
    const { m, qr, B, g, n1, restOffsets } = this;
    const f1 = factors[0].codes;
    const rest = factors.slice(1).map((f) => f.codes);
    const K = rest.length;
    const idx = new Int32Array(K);
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i] : 1;
      const j = f1[i];
      n1[j] += w;
      const gj = j * m;
      for (let k = 0; k < K; k++) idx[k] = restOffsets[k] + rest[k][i];
      for (let k = 0; k < K; k++) {
        const a = idx[k];
        g[gj + a] += w;
        const ra = a * m;
        for (let l = 0; l <= k; l++) {
          const b = idx[l];
          if (b <= a) B[ra + b] += w;
          else B[b * m + a] += w;
        }
      }
      for (let c = 0; c < p; c++) {
        const wx = w * x[c * n + i];
        const row = (qr + c) * m;
        g[gj + qr + c] += wx;
        for (let k = 0; k < K; k++) B[row + idx[k]] += wx;
        for (let d = 0; d <= c; d++) B[row + qr + d] += wx * x[d * n + i];
      }
    }
  }

  /**
   * Replace the outcome: recompute the y row of B, the y column of g and the y rows of the G_c
   * blocks. O(n x (K + p) + q1 x m); design-only work is reused.
   */
  setResponse(y: Float64Array): void {
    if (!this.design) throw new RangeError('setResponse needs rows: these cross-products were built from cell statistics');
    const { n, p, x, factors, weights } = this.design;
    const { m, qr, B, g, q1, restOffsets } = this;
    const last = m - 1;
    const yrow = last * m;
    for (let a = 0; a < m; a++) B[yrow + a] = 0;
    for (let j = 0; j < q1; j++) g[j * m + last] = 0;
    const f1 = factors[0].codes;
    const K = factors.length - 1;
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i] : 1;
      const wy = w * y[i];
      g[f1[i] * m + last] += wy;
      for (let k = 0; k < K; k++) B[yrow + restOffsets[k] + factors[k + 1].codes[i]] += wy;
      for (let c = 0; c < p; c++) B[yrow + qr + c] += wy * x[c * n + i];
      B[yrow + last] += wy * y[i];
    }
    this.responseUpdated();
  }

  /** True once the design-only parts of the G_c blocks exist. */
  private groupsBuilt = false;

  /** `G_c = sum g_j g_j'` over the levels of each count group (lower triangles). */
  private rebuildGroups(): void {
    const { m, g, q1 } = this;
    const G = this.G!;
    const { groupOf } = this.counts;
    G.fill(0);
    const byGroup = this.levelsByGroup();
    // Four levels of one count group at a time: a quarter of the loads and stores of G.
    let k = 0;
    while (k < q1) {
      const c = groupOf[byGroup[k]];
      let end = k;
      while (end < q1 && groupOf[byGroup[end]] === c) end++;
      const off = c * m * m;
      for (; k + 3 < end; k += 4) {
        const g0 = byGroup[k] * m;
        const g1 = byGroup[k + 1] * m;
        const g2 = byGroup[k + 2] * m;
        const g3 = byGroup[k + 3] * m;
        for (let a = 0; a < m; a++) {
          const v0 = g[g0 + a];
          const v1 = g[g1 + a];
          const v2 = g[g2 + a];
          const v3 = g[g3 + a];
          if (v0 === 0 && v1 === 0 && v2 === 0 && v3 === 0) continue;
          const ra = off + a * m;
          for (let b = 0; b <= a; b++) G[ra + b] += v0 * g[g0 + b] + v1 * g[g1 + b] + v2 * g[g2 + b] + v3 * g[g3 + b];
        }
      }
      for (; k < end; k++) {
        const gj = byGroup[k] * m;
        for (let a = 0; a < m; a++) {
          const va = g[gj + a];
          if (va === 0) continue;
          const ra = off + a * m;
          for (let b = 0; b <= a; b++) G[ra + b] += va * g[gj + b];
        }
      }
    }
    this.groupsBuilt = true;
  }

  /** First-term levels ordered by count group (stable). */
  private levelsByGroup(): Int32Array {
    const { groupOf, values } = this.counts;
    const start = new Int32Array(values.length + 1);
    for (let j = 0; j < groupOf.length; j++) start[groupOf[j] + 1]++;
    for (let c = 0; c < values.length; c++) start[c + 1] += start[c];
    const out = new Int32Array(groupOf.length);
    for (let j = 0; j < groupOf.length; j++) out[start[groupOf[j]]++] = j;
    return out;
  }

  /** Only the y rows of the G_c blocks: O(q1 x m) after a change of outcome. */
  private rebuildGroupResponseRows(): void {
    const { m, g, q1 } = this;
    const G = this.G!;
    const { groupOf, values } = this.counts;
    const last = m - 1;
    const mm = m * m;
    for (let c = 0; c < values.length; c++) G.fill(0, c * mm + last * m, c * mm + mm);
    for (let j = 0; j < q1; j++) {
      const gj = j * m;
      const vy = g[gj + last];
      if (vy === 0) continue;
      const row = groupOf[j] * mm + last * m;
      for (let b = 0; b <= last; b++) G[row + b] += vy * g[gj + b];
    }
  }

  /**
   * An independent copy for refits with other outcomes (bootstrap replicates): the design and
   * the count grouping are shared, the y-dependent arrays are copied.
   */
  clone(): CrossProducts {
    const copy: CrossProducts = Object.create(CrossProducts.prototype);
    Object.assign(copy, this, {
      B: this.B.slice(),
      g: this.g.slice(),
      G: this.G ? this.G.slice() : null,
    });
    return copy;
  }

  /** Number of distinct first-term counts (the cost driver of one evaluation in grouped mode). */
  get distinctCounts(): number {
    return this.counts.values.length;
  }
}

/**
 * How the Schur update is stored: `G_c` blocks (zeroed, to be built) when they fit in memory
 * and cost no more per evaluation than the sparse per-level updates, else the rows' nonzero
 * pattern for those.
 */
function schurLayout(
  g: Float64Array,
  q1: number,
  m: number,
  ng: number,
): { G: Float64Array | null; pattern: { start: Int32Array; index: Int32Array } | null } {
  const grouped = ng * m * m <= MAX_GROUPED_DOUBLES && ng < q1 && groupedIsCheaper(g, q1, m, ng);
  return grouped ? { G: new Float64Array(ng * m * m), pattern: null } : { G: null, pattern: rowPattern(g, q1, m, [m - 1]) };
}

/**
 * Whether the grouped Schur update (`ng` lower triangles of order m) costs no more per evaluation
 * than the sparse per-level one (`nnz (nnz + 1) / 2` per level, the y column counted in every
 * row). Every row has at least its y entry, so a grouped cost within `q1` needs no count.
 */
function groupedIsCheaper(g: Float64Array, q1: number, m: number, ng: number): boolean {
  const groupedCost = (ng * m * (m + 1)) / 2;
  if (groupedCost <= q1) return true;
  let sparseCost = 0;
  for (let j = 0; j < q1; j++) {
    let nnz = 1;
    const base = j * m;
    for (let c = 0; c < m - 1; c++) if (g[base + c] !== 0) nnz++;
    sparseCost += (nnz * (nnz + 1)) / 2;
    if (sparseCost >= groupedCost) return true;
  }
  return false;
}

function groupCounts(n1: Float64Array): CountGroups {
  const index = new Map<number, number>();
  const values: number[] = [];
  const mult: number[] = [];
  const groupOf = new Int32Array(n1.length);
  for (let j = 0; j < n1.length; j++) {
    let c = index.get(n1[j]);
    if (c === undefined) {
      c = values.length;
      index.set(n1[j], c);
      values.push(n1[j]);
      mult.push(0);
    }
    mult[c]++;
    groupOf[j] = c;
  }
  return { values: Float64Array.from(values), multiplicity: Float64Array.from(mult), groupOf };
}
