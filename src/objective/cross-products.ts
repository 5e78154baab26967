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
 *
 * Vector terms (random slopes; S columns per level) generalise this layout: a rest term takes
 * `S` consecutive rows per level (level-major, lme4's order); the first term's level j has the
 * S x S Gram block `T_j = Z_j'WZ_j` (in `n1`, S^2 per level) and S rows of `g`; levels with
 * equal `T_j` are grouped (the count grouping is the case S = 1), and per group and pair of
 * columns (s >= t) the block `H_c^{st} = sum_j (g_js g_jt' + g_jt g_js')` (halved for s = t)
 * is precomputed.
 */

import { dotAt } from '../linalg/dot.js';
import { rowPattern } from '../linalg/sparse-update.js';
import { couplingPattern } from './coupling-pattern.js';
import { rowsByLevel } from './rows-by-level.js';
import { levelCovariates, type LevelCovariates } from './level-covariates.js';

/**
 * A random-effects term as the engine sees it: integer level codes per observation and, for a
 * term with slopes, its S columns of Z within a level (`null` for the intercept's column of
 * ones). Without `columns` the term is a scalar random intercept.
 */
export interface EngineFactor {
  readonly codes: Int32Array;
  readonly nlevels: number;
  readonly columns?: readonly (Float64Array | null)[];
}

/** Number of random-effect columns per level of an engine term. */
export const termWidth = (f: EngineFactor): number => f.columns?.length ?? 1;

/** Inputs of the one pass. X is column-major (n x p). */
export interface EngineDesign {
  readonly n: number;
  readonly p: number;
  readonly x: Float64Array;
  /** Random terms in engine order: most levels first. */
  readonly factors: readonly EngineFactor[];
  readonly weights: Float64Array | null;
  /**
   * Use the per-level (sparse) Schur updates whatever the count groups: for cross-products that
   * serve one solve each (a PIRLS step), where building the `G_c` blocks would cost as much as
   * the updates they save.
   */
  readonly perLevel?: boolean;
}

/** Grouping of first-term levels into distinct counts (distinct Gram blocks for a vector term). */
interface CountGroups {
  /** Distinct counts (weight sums); for a first term of width S, S x S Gram blocks, one after another. */
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
  /** Random-effect columns per level of each term (engine order); 1 for random intercepts. */
  readonly widths: Int32Array;
  /** Width of the first term. */
  readonly S1: number;
  /** True when some term has slopes: the general (vector-term) layout is used. */
  readonly vector: boolean;
  /** Levels of each non-first term, and each one's offset in the dense block (levels x width rows). */
  readonly restLevels: Int32Array;
  readonly restOffsets: Int32Array;
  readonly qr: number;
  readonly m: number;
  readonly B: Float64Array;
  readonly g: Float64Array;
  readonly n1: Float64Array;
  /** The levels grouped by equal counts `n1` (derived on first use after {@link reweight}). */
  get counts(): CountGroups {
    if (!this.countsCache) this.countsCache = groupCounts(this.n1, this.S1);
    return this.countsCache;
  }
  private countsCache: CountGroups | null = null;
  /** `G_c` blocks (lower triangles valid), one m x m block per distinct count; null in per-level mode. */
  readonly G: Float64Array | null;
  /**
   * Per-level mode only (`G` null): the nonzero columns of each row of `g` (the y column always
   * included), for the sparse rank-one Schur updates.
   */
  readonly pattern: { readonly start: Int32Array; readonly index: Int32Array } | null;
  /** Sum of log weights (0 when unweighted; NaN after {@link reweight} without log weights). */
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
    const counts = groupCounts(blocks.n1, 1);
    const { G, pattern } = schurLayout(blocks.g, q1, m, counts.values.length);
    Object.assign(cp, {
      n: blocks.n,
      p: blocks.p,
      q1,
      // cells carry random intercepts only: every term has one column
      widths: new Int32Array(restLevels.length + 1).fill(1),
      S1: 1,
      vector: false,
      restLevels,
      restOffsets,
      qr,
      m,
      B: blocks.B,
      g: blocks.g,
      n1: blocks.n1,
      countsCache: counts,
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
    this.widths = Int32Array.from(factors.map(termWidth));
    this.vector = factors.some((f) => f.columns !== undefined);
    const S1 = this.widths[0];
    this.S1 = S1;
    const rest = factors.slice(1);
    this.restLevels = Int32Array.from(rest.map((f) => f.nlevels));
    this.restOffsets = new Int32Array(rest.length);
    let qr = 0;
    rest.forEach((f, k) => {
      this.restOffsets[k] = qr;
      qr += f.nlevels * termWidth(f);
    });
    this.qr = qr;
    const m = qr + p + 1;
    this.m = m;
    this.B = new Float64Array(m * m);
    this.g = new Float64Array(this.q1 * S1 * m);
    this.n1 = new Float64Array(this.q1 * S1 * S1);
    if (design.perLevel && design.weights !== null && !this.vector) {
      // PIRLS's layout: the pass of reweight() (design and response together, level columns
      // through their levels), the structural pattern, no count groups
      this.ldW = this.accumulateDesign(y, true, true);
      this.G = null;
      this.pattern = this.structuralPattern();
      return;
    }
    let ldW = 0;
    if (design.weights) for (let i = 0; i < n; i++) ldW += Math.log(design.weights[i]);
    this.ldW = ldW;
    const fused = !this.vector && design.weights === null && factors.length === 2;
    if (fused) this.accumulateTwoFactors(y);
    else if (this.vector) this.accumulateGeneral(y);
    else this.accumulateDesign();
    this.countsCache = groupCounts(this.n1, S1);
    const ng = this.counts.multiplicity.length;
    if (S1 === 1) {
      const layout = design.perLevel ? { G: null, pattern: rowPattern(this.g, this.q1, m, [m - 1]) } : schurLayout(this.g, this.q1, m, ng);
      this.G = layout.G;
      this.pattern = layout.pattern;
    } else {
      // S x S blocks per level: grouped pair blocks H_c^{st} when they fit, else per-level updates.
      const pairs = (S1 * (S1 + 1)) / 2;
      this.G = ng * pairs * m * m <= MAX_GROUPED_DOUBLES && ng < this.q1 ? new Float64Array(ng * pairs * m * m) : null;
      this.pattern = null;
    }
    if (fused || this.vector) {
      // the pass included the response: only the groups are left to build
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

  /**
   * Design-only parts of B and g, and the level counts. With `y` (from {@link reweight}, the y
   * row and column zeroed) the response's parts are added too, each sum in the order
   * {@link setResponse} would take, and the sum of log weights is returned when `logWeights`
   * (else NaN).
   *
   * The random-term parts go row by row; X's go column by column: `w x_c` once per column,
   * scattered into the level rows, and the entries of X'WX and X'Wy as dot products summed in
   * registers, each over the rows in order (the same sums, term for term, as row by row).
   * With `byLevels` the columns constant within the levels of a term go through those levels
   * instead of the rows ({@link levelCovariates}): the same sums in another order.
   */
  private accumulateDesign(y?: Float64Array, logWeights = false, byLevels = false): number {
    const { n, p, x, factors, weights } = this.design!;
    const { m, qr, B, g, n1, restOffsets } = this;
    const f1 = factors[0].codes;
    const rest = factors.slice(1).map((f) => f.codes);
    const K = rest.length;
    const idx = new Int32Array(K);
    const last = m - 1;
    const yrow = last * m;
    let ldW = 0;
    const wy = y ? this.scratch(0) : null;
    if (K === 1 && y && weights) {
      // the common PIRLS case (two terms), the same sums without the general loop's bookkeeping
      ldW = this.levelPartTwoTerms(f1, rest[0], restOffsets[0], weights, y, wy!, logWeights);
    } else for (let i = 0; i < n; i++) {
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
      if (y) {
        if (logWeights) ldW += Math.log(w);
        const wyi = w * y[i];
        wy![i] = wyi;
        g[gj + last] += wyi;
        for (let k = 0; k < K; k++) B[yrow + idx[k]] += wyi;
        B[yrow + last] += wyi * y[i];
      }
    }
    const lc = byLevels && p > 0 ? this.levelColumns() : null;
    const home = lc ? lc.home : null;
    // X'WZ of the columns taken through the levels of their term (from the blocks just built)
    if (lc) for (let c = 0; c < p; c++) if (home![c] >= 0) this.levelColumnBlocks(c, home![c], lc.values[c]!);
    const wx = p > 0 ? this.scratch(1) : null;
    for (let c = 0; c < p; c++) {
      const xc = x.subarray(c * n, (c + 1) * n);
      const row = (qr + c) * m;
      const hc = home ? home[c] : -1;
      if (hc < 0) {
        for (let i = 0; i < n; i++) {
          const v = weights ? weights[i] * xc[i] : xc[i];
          wx![i] = v;
          g[f1[i] * m + qr + c] += v;
        }
        for (let k = 0; k < K; k++) {
          const codes = rest[k];
          const ro = row + restOffsets[k];
          for (let i = 0; i < n; i++) B[ro + codes[i]] += wx![i];
        }
      }
      for (let d = 0; d <= c; d++) {
        const hd = home ? home[d] : -1;
        if (hc >= 0) B[row + qr + d] += this.throughLevels(d, hc, lc!.values[c]!);
        else if (hd >= 0) B[row + qr + d] += this.throughLevels(c, hd, lc!.values[d]!);
        else B[row + qr + d] += dotAt(wx!, x, d * n, n);
      }
      if (wy) B[yrow + qr + c] += hc >= 0 ? this.throughLevels(-1, hc, lc!.values[c]!) : dotAt(wy, x, c * n, n);
    }
    return logWeights ? ldW : Number.NaN;
  }

  /**
   * The random-term and response parts of {@link accumulateDesign} for two terms, weighted:
   * level sums, `Z_1'WZ_2` (in g), the diagonal `Z_2'WZ_2`, and y's row and column; returns the
   * sum of log weights when `logWeights` (else 0).
   */
  private levelPartTwoTerms(
    f1: Int32Array,
    r1: Int32Array,
    o1: number,
    weights: Float64Array,
    y: Float64Array,
    wy: Float64Array,
    logWeights: boolean,
  ): number {
    const { m, B, g, n1, n } = this;
    const last = m - 1;
    const yrow = last * m;
    let ldW = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (logWeights) ldW += Math.log(w);
      const j = f1[i];
      const a = o1 + r1[i];
      const gj = j * m;
      const yi = y[i];
      const wyi = w * yi;
      n1[j] += w;
      g[gj + a] += w;
      B[a * m + a] += w;
      wy[i] = wyi;
      g[gj + last] += wyi;
      B[yrow + a] += wyi;
      B[yrow + last] += wyi * yi;
    }
    return ldW;
  }

  /** Scratch vectors of length n (0: w y, 1: w x_c), kept for the next pass. */
  private scratch(k: 0 | 1): Float64Array {
    const have = this.scratchVectors[k];
    if (have) return have;
    return (this.scratchVectors[k] = new Float64Array(this.n));
  }
  private scratchVectors: (Float64Array | null)[] = [null, null];

  /** The columns of X taken through the levels of a term (computed once). */
  private levelColumns(): LevelCovariates {
    if (!this.levelCache) {
      const { n, p, x, factors } = this.design!;
      const K = factors.length - 1;
      // a column through the rows: w x, its scatter into g and each rest term's block (slow,
      // data-dependent stores), counted twice against the dense level work
      this.levelCache = levelCovariates(
        x,
        n,
        p,
        factors.map((f) => f.codes),
        factors.map((f) => f.nlevels),
        2 * n * (2 + K),
      );
    }
    return this.levelCache;
  }
  private levelCache: LevelCovariates | null = null;

  /**
   * `Z'W x_c` for a column constant within the levels of term `k` (values `v`): its column of g
   * and its row of B over the rest terms, from the level blocks.
   */
  private levelColumnBlocks(c: number, k: number, v: Float64Array): void {
    const { m, qr, B, g, n1, q1, restLevels, restOffsets } = this;
    const row = (qr + c) * m;
    if (k === 0) {
      for (let j = 0; j < q1; j++) {
        const vj = v[j];
        g[j * m + qr + c] = n1[j] * vj;
        if (vj === 0) continue;
        const gj = j * m;
        for (let b = 0; b < qr; b++) B[row + b] += g[gj + b] * vj;
      }
      return;
    }
    const ok = restOffsets[k - 1];
    const Lk = restLevels[k - 1];
    for (let j = 0; j < q1; j++) {
      const gj = j * m + ok;
      let s = 0;
      for (let a = 0; a < Lk; a++) s += g[gj + a] * v[a];
      g[j * m + qr + c] = s;
    }
    for (let r = 0; r < restLevels.length; r++) {
      const or = restOffsets[r];
      const Lr = restLevels[r];
      if (r === k - 1) {
        for (let b = 0; b < Lr; b++) B[row + or + b] = B[(or + b) * m + or + b] * v[b];
        continue;
      }
      // Z_r'WZ_k, stored in the lower triangle
      for (let b = 0; b < Lr; b++) {
        let s = 0;
        for (let a = 0; a < Lk; a++) {
          const i = or + b;
          const l = ok + a;
          s += (i > l ? B[i * m + l] : B[l * m + i]) * v[a];
        }
        B[row + or + b] = s;
      }
    }
  }

  /**
   * `x_o'W x_c` for a column constant within the levels of term `k` (values `v`), through the
   * levels: `(x_o'WZ_k) v`, with `x_o'WZ_k` already built (`o = -1`: y's row).
   */
  private throughLevels(o: number, k: number, v: Float64Array): number {
    const { m, qr, B, g, q1, restOffsets } = this;
    const col = o < 0 ? m - 1 : qr + o;
    let s = 0;
    if (k === 0) {
      for (let j = 0; j < q1; j++) s += g[j * m + col] * v[j];
      return s;
    }
    const base = col * m + restOffsets[k - 1];
    for (let a = 0; a < v.length; a++) s += B[base + a] * v[a];
    return s;
  }

  /**
   * The entries of one row of `[Zr X]` (rest terms' columns, then X), as dense-block indices
   * (ascending) and values, written into `idx`/`val`; returns how many. Also writes the first
   * term's S1 values into `z1`.
   */
  private rowEntries(i: number, idx: Int32Array, val: Float64Array, z1: Float64Array): number {
    const { n, p, x, factors } = this.design!;
    const { qr, restOffsets, widths } = this;
    let c = 0;
    for (let k = 1; k < factors.length; k++) {
      const f = factors[k];
      const S = widths[k];
      const base = restOffsets[k - 1] + f.codes[i] * S;
      for (let s = 0; s < S; s++) {
        const col = f.columns ? f.columns[s] : null;
        idx[c] = base + s;
        val[c++] = col ? col[i] : 1;
      }
    }
    for (let d = 0; d < p; d++) {
      idx[c] = qr + d;
      val[c++] = x[d * n + i];
    }
    const first = factors[0];
    for (let s = 0; s < this.S1; s++) {
      const col = first.columns ? first.columns[s] : null;
      z1[s] = col ? col[i] : 1;
    }
    return c;
  }

  /** B, g and the first term's Gram blocks for vector terms, design and response together: one pass. */
  private accumulateGeneral(y: Float64Array): void {
    const { n, factors, weights } = this.design!;
    const { m, B, g, n1, S1 } = this;
    const f1 = factors[0].codes;
    const width = this.qr + this.p + 1;
    const idx = new Int32Array(width);
    const val = new Float64Array(width);
    const z1 = new Float64Array(S1);
    const SS = S1 * S1;
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i] : 1;
      let cnt = this.rowEntries(i, idx, val, z1);
      // the response last: its index m - 1 keeps idx ascending
      idx[cnt] = m - 1;
      val[cnt++] = y[i];
      const j = f1[i];
      for (let s = 0; s < S1; s++) {
        const ws = w * z1[s];
        for (let t = 0; t < S1; t++) n1[j * SS + s * S1 + t] += ws * z1[t];
        if (ws === 0) continue;
        const row = (j * S1 + s) * m;
        for (let e = 0; e < cnt; e++) g[row + idx[e]] += ws * val[e];
      }
      for (let e = 0; e < cnt; e++) {
        const wa = w * val[e];
        if (wa === 0) continue;
        const ra = idx[e] * m;
        for (let u = 0; u <= e; u++) B[ra + idx[u]] += wa * val[u];
      }
    }
  }

  /** {@link setResponse} for vector terms. */
  private setResponseGeneral(y: Float64Array): void {
    const { n, factors, weights } = this.design!;
    const { m, B, g, S1 } = this;
    const last = m - 1;
    const yrow = last * m;
    for (let a = 0; a < m; a++) B[yrow + a] = 0;
    for (let r = 0; r < this.q1 * S1; r++) g[r * m + last] = 0;
    const f1 = factors[0].codes;
    const width = this.qr + this.p;
    const idx = new Int32Array(width);
    const val = new Float64Array(width);
    const z1 = new Float64Array(S1);
    for (let i = 0; i < n; i++) {
      const w = weights ? weights[i] : 1;
      const wy = w * y[i];
      const cnt = this.rowEntries(i, idx, val, z1);
      const j = f1[i];
      for (let s = 0; s < S1; s++) g[(j * S1 + s) * m + last] += wy * z1[s];
      for (let e = 0; e < cnt; e++) B[yrow + idx[e]] += wy * val[e];
      B[yrow + last] += wy * y[i];
    }
    this.responseUpdated();
  }

  /**
   * Replace the outcome: recompute the y row of B, the y column of g and the y rows of the G_c
   * blocks. O(n x (K + p) + q1 x m); design-only work is reused.
   */
  setResponse(y: Float64Array): void {
    if (!this.design) throw new RangeError('setResponse needs rows: these cross-products were built from cell statistics');
    if (this.vector) {
      this.setResponseGeneral(y);
      return;
    }
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

  /**
   * Whether {@link reweight} can refresh these cross-products in place: scalar terms, rows
   * behind them, weights, and the per-level (sparse) Schur layout.
   */
  get reweightable(): boolean {
    return this.design !== null && this.design.weights !== null && !this.vector && this.G === null;
  }

  /**
   * Recompute the cross-products in place after the design's weights (the same array, changed
   * in place) and the response changed, as between PIRLS steps: the allocations and the design's
   * structure are reused, and the nonzero pattern becomes the structural one (each level's rest
   * columns from the codes, every X column and y), so it stays valid whatever the weights.
   * Only when {@link reweightable}. Without `logWeights` the sum of log weights is not computed
   * (one logarithm per row): {@link ldW}, and with it the profiled criterion, is then NaN, as
   * suits a caller that takes only the factorisation (PIRLS).
   *
   * @example
   * ```ts
   * const cp = new CrossProducts({ ...design, weights: w }, z);
   * w.set(newWeights);
   * cp.reweight(newZ); // same as new CrossProducts({ ...design, weights: w }, newZ)
   * cp.reweight(newZ, false); // the same but ldW (NaN)
   * ```
   */
  reweight(y: Float64Array, logWeights = true): void {
    if (!this.reweightable) throw new RangeError('CrossProducts.reweight needs weighted scalar terms in per-level mode');
    const design = this.design!;
    this.B.fill(0);
    this.n1.fill(0);
    const structural = this.structuralPattern();
    // Every entry of g ever written lies in the structural pattern (each row's levels, X and y):
    // zeroing those clears g (q1 x m, mostly zeros under an observation-level first term).
    const { start, index } = structural;
    const { g, m } = this;
    for (let j = 0; j < this.q1; j++) for (let t = start[j]; t < start[j + 1]; t++) g[j * m + index[t]] = 0;
    // Design, response and log weights in one pass (the G_c blocks do not exist here).
    const ldW = this.accumulateDesign(y, logWeights, true);
    // The count groups serve the grouped layout only: derived again if asked for.
    Object.assign(this, { ldW, countsCache: null, pattern: structural });
  }

  /**
   * The structural nonzero pattern of g's rows (computed once): each first-term level's rest
   * columns (from the codes of its rows), then every X column and y. Used in per-level mode and
   * once {@link reweight} has run.
   */
  private structuralPattern(): { start: Int32Array; index: Int32Array } {
    if (this.structural) return this.structural;
    const { factors } = this.design!;
    const { q1, m, qr, restOffsets } = this;
    const rest = factors.slice(1).map((f) => f.codes);
    const coupling = couplingPattern(factors[0].codes, q1, rest, restOffsets, qr);
    // each level's rest columns, then every X column and y
    const extra = m - qr;
    const start = Int32Array.from(coupling.start, (s, j) => s + j * extra);
    const index = new Int32Array(start[q1]);
    for (let j = 0; j < q1; j++) {
      let t = start[j];
      for (let e = coupling.start[j]; e < coupling.start[j + 1]; e++) index[t++] = coupling.index[e];
      for (let c = qr; c < m; c++) index[t++] = c;
    }
    this.structural = { start, index };
    return this.structural;
  }
  private structural: { start: Int32Array; index: Int32Array } | null = null;

  /** True once the design-only parts of the G_c blocks exist. */
  private groupsBuilt = false;

  /** `G_c = sum g_j g_j'` over the levels of each count group (lower triangles). */
  private rebuildGroups(): void {
    if (this.S1 > 1) {
      this.rebuildPairGroups(false);
      return;
    }
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

  /**
   * `H_c^{st}` for a first term of width S1 > 1 (lower triangles): all rows, or only the y row
   * (`responseOnly`, after a change of outcome).
   */
  private rebuildPairGroups(responseOnly: boolean): void {
    const { m, g, q1, S1 } = this;
    const G = this.G!;
    const { groupOf } = this.counts;
    const pairs = (S1 * (S1 + 1)) / 2;
    const mm = m * m;
    const last = m - 1;
    const ng = G.length / (pairs * mm);
    if (responseOnly) for (let c = 0; c < ng * pairs; c++) G.fill(0, c * mm + last * m, c * mm + mm);
    else G.fill(0);
    for (let j = 0; j < q1; j++) {
      let pr = 0;
      for (let s = 0; s < S1; s++) {
        const gs = (j * S1 + s) * m;
        for (let t = 0; t <= s; t++, pr++) {
          const gt = (j * S1 + t) * m;
          const off = (groupOf[j] * pairs + pr) * mm;
          for (let a = responseOnly ? last : 0; a < m; a++) {
            const vs = g[gs + a];
            const vt = g[gt + a];
            if (vs === 0 && vt === 0) continue;
            const ra = off + a * m;
            if (s === t) for (let b = 0; b <= a; b++) G[ra + b] += vs * g[gs + b];
            else for (let b = 0; b <= a; b++) G[ra + b] += vs * g[gt + b] + vt * g[gs + b];
          }
        }
      }
    }
    this.groupsBuilt = true;
  }

  /** First-term levels ordered by count group (stable). */
  private levelsByGroup(): Int32Array {
    const { groupOf, values } = this.counts;
    return rowsByLevel(groupOf, values.length).order;
  }

  /** Only the y rows of the G_c blocks: O(q1 x m) after a change of outcome. */
  private rebuildGroupResponseRows(): void {
    if (this.S1 > 1) {
      this.rebuildPairGroups(true);
      return;
    }
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

  /** Number of distinct first-term counts or Gram blocks (the cost driver of one evaluation in grouped mode). */
  get distinctCounts(): number {
    return this.counts.multiplicity.length;
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

function groupCounts(n1: Float64Array, S: number): CountGroups {
  const SS = S * S;
  const values: number[] = [];
  const mult: number[] = [];
  const q1 = n1.length / SS;
  const groupOf = new Int32Array(q1);
  // Keyed by the block's first entry (the level's weight sum); blocks sharing it are compared
  // entry by entry (no text keys: with weights nearly every block is distinct).
  const index = new Map<number, number[]>();
  const sameBlock = (j: number, c: number): boolean => {
    for (let e = 1; e < SS; e++) if (n1[j * SS + e] !== values[c * SS + e]) return false;
    return true;
  };
  for (let j = 0; j < q1; j++) {
    const head = n1[j * SS];
    let candidates = index.get(head);
    if (!candidates) index.set(head, (candidates = []));
    let c = candidates.find((k) => sameBlock(j, k));
    if (c === undefined) {
      candidates.push(mult.length);
      c = mult.length;
      for (let e = 0; e < SS; e++) values.push(n1[j * SS + e]);
      mult.push(0);
    }
    mult[c]++;
    groupOf[j] = c;
  }
  return { values: Float64Array.from(values), multiplicity: Float64Array.from(mult), groupOf };
}
