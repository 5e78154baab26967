/**
 * The exact gradient of the Laplace deviance in (theta, beta) for GLMMs whose random-effects terms
 * are all scalar random intercepts and whose link is canonical (Poisson/log, binomial/logit).
 *
 * With `r_i = pw_i (y_i - mu_i)`, working weights `w_i` (= `d mu / d eta` times `pw_i`),
 * `w'_i = d w_i / d eta_i`, `M = Lambda'Z'WZ Lambda + I`, the modes `u` solving
 * `u = Lambda'Z' r` and `D = -2 sum log p(y_i | mu_i) + ||u||^2 + log det M`:
 *
 * - `q_i = [Z Lambda M^-1 Lambda'Z']_ii`, `a_i = w'_i q_i` (the change of `log det M` with eta_i),
 *   `s = M^-1 Lambda'Z' a`, `c_i = a_i - w_i (Z Lambda s)_i`;
 * - `dD/d beta = X'(c - 2 r)` (the envelope of the penalised deviance in u, plus `log det M`
 *   through eta = X beta + Z Lambda u(beta), with `du/d beta = -M^-1 Lambda'Z'WX`);
 * - `dD/d theta_k = -2 u_k'(Z_k'r) + 2 (n_k - tr_k M^-1) / theta_k + sum_i u_k[i] c_i + s_k'(Z_k'r)`
 *   (`tr_k` the trace of term k's diagonal block; 0 at `theta_k = 0`, where D is even in theta_k).
 *
 * Only selected entries of `M^-1` are formed, in the same blocked layout as the engine: the term
 * with most levels is diagonal (`D`), the others form a block `C` with the coupling `B` kept sparse
 * by level (its pattern `P_j` per level `j`, fixed by the codes, is built once per set of terms);
 * the Schur complement `S = C - B'D^-1 B` is factorised. With `Z = S^-1`:
 * `(M^-1)_jj = 1/D_j + b_j'Z b_j / D_j^2` and `(M^-1)_{j,m} = -(Z b_j)_m / D_j`, needed only for
 * `m` in `P_j`, so `Z b_j` is taken over `P_j` alone; `q_i` needs `Z` at the pairs of levels that
 * share a row, and `s` comes from solves with the factor of `S`. When the first term is nested in
 * the second (an observation-level term, or each level inside one level of the next term), that
 * term's block of `S` stays diagonal, and so does the next one's while each term is nested in the
 * next (`(1|obs) + (1|brood) + (1|location)`): those `d` levels are eliminated on their sparse
 * patterns (a level's ancestors and the other terms' levels sharing its rows) and only the rest is
 * dense ({@link choleskyPatternInPlace}); `Z` is formed on those patterns by Takahashi's recursion
 * ({@link patternInverseFromCholesky}), never between two levels of one nested term, which no row
 * or level pairs. Columns of X constant within a term's levels (the intercept, person- or
 * item-level covariates) take `X'(c - 2r)` through that term's level sums of c and r.
 * Cost per call: a few passes over the rows, `O(sum_j |P_j|^2)`, and for `S` the sum of its
 * nested levels' squared pattern sizes plus `O(e^3)` for the `e` levels outside them.
 */
import { VardecompError } from '../errors.js';
import { choleskyInPlace, solveLowerInPlace, solveLowerTransposeInPlace } from '../linalg/dense-cholesky.js';
import { dotAt } from '../linalg/dot.js';
import { choleskyPatternInPlace, patternInverseFromCholesky } from '../linalg/pattern-cholesky.js';
import { levelCovariates, type LevelCovariates } from '../objective/level-covariates.js';
import { couplingPattern } from '../objective/coupling-pattern.js';
import { rowsByLevel } from '../objective/rows-by-level.js';
import type { EngineFactor } from '../objective/cross-products.js';
import type { GlmmModel } from './glmm-model.js';

/** The gradient of the Laplace deviance: theta in engine order, beta in design order. */
export interface LaplaceGradient {
  readonly theta: Float64Array;
  readonly beta: Float64Array;
}

/**
 * Whether {@link laplaceGradient} applies to this model (every term a scalar random intercept,
 * a canonical link).
 *
 * @example
 * ```ts
 * if (hasLaplaceGradient(model)) laplaceGradient(model, theta, mu, u);
 * ```
 */
export function hasLaplaceGradient(model: GlmmModel): boolean {
  const { family, terms, engineOrder } = model;
  const canonical = (family.name === 'poisson' && family.link === 'log') || (family.name === 'binomial' && family.link === 'logit');
  return canonical && engineOrder.every((fi) => terms.terms[fi].engineFactor().columns === undefined);
}

/**
 * What the gradient needs of the random terms' codes, fixed for a set of terms, with the scratch
 * arrays it fills at every call. The levels outside the first term are numbered `0 .. r)` in
 * engine order ("rest" indices); `rest[i * (K - 1) + k - 1]` is row i's level of term k and
 * `pos[...]` the place of that level in the coupling pattern of row i's first-term level.
 */
interface Layout {
  readonly engineOrder: readonly number[];
  readonly n: number;
  readonly K: number;
  readonly n0: number;
  readonly r: number;
  /**
   * The leading levels of `S` eliminated on their patterns (the terms after the first while each
   * is nested in the next), or 0, and those patterns (rows below the diagonal, by column).
   */
  readonly lead: number;
  readonly leadPtr: Int32Array;
  readonly leadIdx: Int32Array;
  readonly nlev: Int32Array;
  readonly uOff: Int32Array;
  readonly thIdx: Int32Array;
  readonly codes0: Int32Array;
  readonly rest: Int32Array;
  readonly pos: Int32Array;
  /** Coupling pattern: the rest levels `colIdx[rowPtr[j] .. rowPtr[j + 1])` (ascending) share a row with level j. */
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly scratch: Scratch;
}

interface Scratch {
  readonly w: Float64Array;
  readonly a: Float64Array;
  readonly c: Float64Array;
  readonly D: Float64Array;
  readonly mjj: Float64Array;
  readonly vals: Float64Array;
  readonly ysel: Float64Array;
  readonly S: Float64Array;
  readonly Z: Float64Array;
  readonly t: Float64Array;
  readonly zr: Float64Array;
  readonly s: Float64Array;
  readonly rhs: Float64Array;
}

/** Layouts by random terms (bootstrap replicates share their model's terms). */
const layouts = new WeakMap<GlmmModel['terms'], Layout>();

/** Whether every level of `inner` lies within one level of `outer` (over the model's rows). */
function nestedIn(inner: EngineFactor, outer: EngineFactor, n: number): boolean {
  const parent = new Int32Array(inner.nlevels).fill(-1);
  for (let i = 0; i < n; i++) {
    const l = inner.codes[i];
    const o = outer.codes[i];
    if (parent[l] < 0) parent[l] = o;
    else if (parent[l] !== o) return false;
  }
  return true;
}

function layoutOf(model: GlmmModel): Layout {
  const { terms, engineOrder, n } = model;
  const cached = layouts.get(terms);
  if (cached && cached.n === n && cached.engineOrder.length === engineOrder.length && cached.engineOrder.every((v, k) => v === engineOrder[k])) {
    return cached;
  }
  const K = engineOrder.length;
  const factors = engineOrder.map((fi) => terms.terms[fi].engineFactor());
  const nlev = Int32Array.from(factors, (f) => f.nlevels);
  const uOff = new Int32Array(K);
  for (let k = 1; k < K; k++) uOff[k] = uOff[k - 1] + nlev[k - 1];
  const n0 = nlev[0];
  const r = K > 1 ? uOff[K - 1] + nlev[K - 1] - n0 : 0;
  const codes0 = factors[0].codes;
  const K1 = K - 1;
  const rest = new Int32Array(n * K1);
  for (let i = 0; i < n; i++) for (let k = 1; k < K; k++) rest[i * K1 + k - 1] = uOff[k] - n0 + factors[k].codes[i];

  // The coupling pattern per first-term level (distinct rest levels of its rows, ascending), and
  // each row's positions in its level's pattern.
  const rows = rowsByLevel(codes0, n0);
  const { start: rowPtr, index: colIdx } = couplingPattern(
    codes0,
    n0,
    factors.slice(1).map((f) => f.codes),
    Int32Array.from({ length: K1 }, (_, k) => uOff[k + 1] - n0),
    r,
    rows,
  );
  const slot = new Int32Array(r).fill(-1);
  const pos = new Int32Array(n * K1);
  for (let j = 0; j < n0; j++) {
    for (let e = rowPtr[j]; e < rowPtr[j + 1]; e++) slot[colIdx[e]] = e;
    for (let t = rows.start[j]; t < rows.start[j + 1]; t++) {
      const i = rows.order[t];
      for (let k = 0; k < K1; k++) pos[i * K1 + k] = slot[rest[i * K1 + k]];
    }
  }
  // The second term's block of S is diagonal when no first-term level touches two of its levels;
  // then each next term's too while the term before is nested in it.
  let chain = K > 1 ? 1 : 0;
  for (let j = 0; j < n0 && chain > 0; j++) if (rowPtr[j + 1] - rowPtr[j] > 1 && colIdx[rowPtr[j] + 1] < nlev[1]) chain = 0;
  while (chain > 0 && chain + 1 < K && nestedIn(factors[chain], factors[chain + 1], n)) chain++;
  let lead = 0;
  for (let k = 1; k <= chain; k++) lead += nlev[k];
  // A nested level's pattern: the levels of later terms in its rows (its ancestors, then the rest).
  const below = Array.from({ length: lead }, () => new Set<number>());
  for (let i = 0; i < n; i++)
    for (let k = 1; k <= chain; k++) for (let l = k + 1; l < K; l++) below[rest[i * K1 + k - 1]].add(rest[i * K1 + l - 1]);
  const leadPtr = new Int32Array(lead + 1);
  const leadRows: number[] = [];
  below.forEach((set, x) => {
    leadRows.push(...[...set].sort((a, b) => a - b));
    leadPtr[x + 1] = leadRows.length;
  });

  const q = n0 + r;
  const layout: Layout = {
    engineOrder: engineOrder.slice(),
    n,
    K,
    n0,
    r,
    lead,
    leadPtr,
    leadIdx: Int32Array.from(leadRows),
    nlev,
    uOff,
    thIdx: Int32Array.from(engineOrder, (fi) => terms.engineOffsets[fi]),
    codes0,
    rest,
    pos,
    rowPtr,
    colIdx,
    scratch: {
      w: new Float64Array(n),
      a: new Float64Array(n),
      c: new Float64Array(n),
      D: new Float64Array(n0),
      mjj: new Float64Array(n0),
      vals: new Float64Array(colIdx.length),
      ysel: new Float64Array(colIdx.length),
      S: new Float64Array(r * r),
      Z: new Float64Array(r * r),
      t: new Float64Array(q),
      zr: new Float64Array(q),
      s: new Float64Array(q),
      rhs: new Float64Array(r),
    },
  };
  layouts.set(terms, layout);
  return layout;
}

/** The columns of X constant within a term's levels, by design (the null model shares the terms, not X). */
const levelColumns = new WeakMap<GlmmModel['design'], { readonly terms: GlmmModel['terms']; readonly lc: LevelCovariates }>();

function levelColumnsOf(model: GlmmModel): LevelCovariates {
  const { design, terms, engineOrder, n } = model;
  const cached = levelColumns.get(design);
  if (cached && cached.terms === terms) return cached.lc;
  const factors = engineOrder.map((fi) => terms.terms[fi].engineFactor());
  // Any term will do (a sum over its levels instead of the rows): no cost limit.
  const lc = levelCovariates(design.x, n, design.p, factors.map((f) => f.codes), factors.map((f) => f.nlevels), Infinity);
  levelColumns.set(design, { terms, lc });
  return lc;
}

/**
 * The gradient of the Laplace deviance at theta (engine order) from the state at the conditional
 * modes: `mu` at the modes and the spherical modes `u` (engine order, concatenated; as
 * `Pirls.saveModes` writes them). The deviance is the one `Pirls.run(theta, beta)` returns.
 *
 * @example
 * ```ts
 * const pirls = new Pirls(model);
 * pirls.run(theta, beta);
 * const u = new Float64Array(pirls.modeCount);
 * pirls.saveModes(u);
 * const g = laplaceGradient(model, theta, pirls.mean, u); // g.theta, g.beta
 * ```
 */
export function laplaceGradient(model: GlmmModel, theta: ArrayLike<number>, mu: Float64Array, u: Float64Array): LaplaceGradient {
  if (!hasLaplaceGradient(model)) {
    throw new VardecompError('E_UNSUPPORTED', 'the analytic Laplace gradient needs scalar random intercepts and a canonical link');
  }
  const { n, y, priorWeights, design, family } = model;
  const { K, n0, r, lead, leadPtr, leadIdx, nlev, uOff, thIdx, codes0, rest, pos, rowPtr, colIdx, scratch } = layoutOf(model);
  const { w, a, c, D, mjj, vals, ysel, S, Z, t, zr, s, rhs } = scratch;
  const K1 = K - 1;
  const th = Float64Array.from(thIdx, (o) => theta[o]);
  const th0 = th[0];
  const binomial = family.name === 'binomial';

  // Working weights w, their derivative (into a, times q below) and the residuals r (into c); D
  // (diagonal), the coupling B on its pattern, and S = C (lower triangle) before the update.
  D.fill(1);
  vals.fill(0);
  S.fill(0);
  for (let m = 0; m < r; m++) S[m * r + m] = 1;
  for (let i = 0; i < n; i++) {
    const m = mu[i];
    const pw = priorWeights[i];
    c[i] = pw * (y[i] - m);
    const wi = binomial ? pw * m * (1 - m) : pw * m;
    w[i] = wi;
    a[i] = binomial ? wi * (1 - 2 * m) : wi;
    D[codes0[i]] += th0 * th0 * wi;
    const base = i * K1;
    for (let k = 1; k < K; k++) {
      const wk = th[k] * wi;
      vals[pos[base + k - 1]] += th0 * wk;
      const row = rest[base + k - 1] * r;
      for (let l = 1; l <= k; l++) S[row + rest[base + l - 1]] += wk * th[l];
    }
  }
  // S = C - B'D^-1 B (the pattern is ascending, so (p, q <= p) is in the lower triangle). A level
  // whose pattern is a run of consecutive levels (as in crossed designs) is read without indices.
  for (let j = 0; j < n0; j++) {
    const dj = 1 / D[j];
    const p0 = rowPtr[j];
    const p1 = rowPtr[j + 1];
    if (p1 > p0 && colIdx[p1 - 1] - colIdx[p0] === p1 - 1 - p0) {
      // S[colIdx[p], colIdx[q]] is S[at + (p - p0) r + q]; two rows at a time.
      const at = colIdx[p0] * (r + 1) - p0;
      let p = p0;
      for (; p + 1 < p1; p += 2) {
        const s0 = at + (p - p0) * r;
        const s1 = s0 + r;
        const v0 = vals[p] * dj;
        const v1 = vals[p + 1] * dj;
        for (let q = p0; q <= p; q++) {
          const x = vals[q];
          S[s0 + q] -= v0 * x;
          S[s1 + q] -= v1 * x;
        }
        S[s1 + p + 1] -= v1 * vals[p + 1];
      }
      if (p < p1) {
        const s0 = at + (p - p0) * r;
        const v0 = vals[p] * dj;
        for (let q = p0; q <= p; q++) S[s0 + q] -= v0 * vals[q];
      }
    } else {
      for (let p = p0; p < p1; p++) {
        const vp = vals[p] * dj;
        const row = colIdx[p] * r;
        for (let q = p0; q <= p; q++) S[row + colIdx[q]] -= vp * vals[q];
      }
    }
  }
  if (r > 0) {
    const failed = lead > 0 ? choleskyPatternInPlace(S, r, lead, leadPtr, leadIdx) : choleskyInPlace(S, r);
    if (failed >= 0) throw new VardecompError('E_RANK', "the Schur complement of Lambda'Z'WZ Lambda + I is not positive definite");
    patternInverseFromCholesky(S, r, lead, leadPtr, leadIdx, Z);
  }

  // (M^-1)_jj, and y_j = Z b_j on the pattern of level j (ysel, beside vals).
  const trace = new Float64Array(K);
  for (let j = 0; j < n0; j++) {
    const p0 = rowPtr[j];
    const p1 = rowPtr[j + 1];
    let by = 0;
    if (p1 > p0 && colIdx[p1 - 1] - colIdx[p0] === p1 - 1 - p0) {
      // A run: Z's rows and columns are consecutive; two rows at a time share the loads of b_j.
      const at = colIdx[p0] * (r + 1) - p0;
      let p = p0;
      for (; p + 1 < p1; p += 2) {
        const z0 = at + (p - p0) * r;
        const z1 = z0 + r;
        let v0 = 0;
        let v1 = 0;
        for (let q = p0; q < p1; q++) {
          const x = vals[q];
          v0 += Z[z0 + q] * x;
          v1 += Z[z1 + q] * x;
        }
        ysel[p] = v0;
        ysel[p + 1] = v1;
        by += vals[p] * v0 + vals[p + 1] * v1;
      }
      if (p < p1) {
        const z0 = at + (p - p0) * r;
        let v0 = 0;
        for (let q = p0; q < p1; q++) v0 += Z[z0 + q] * vals[q];
        ysel[p] = v0;
        by += vals[p] * v0;
      }
    } else {
      for (let p = p0; p < p1; p++) {
        const row = colIdx[p] * r;
        let v = 0;
        for (let q = p0; q < p1; q++) v += Z[row + colIdx[q]] * vals[q];
        ysel[p] = v;
        by += vals[p] * v;
      }
    }
    const dj = 1 / D[j];
    mjj[j] = dj + by * dj * dj;
    trace[0] += mjj[j];
  }
  for (let k = 1; k < K; k++) for (let m = 0; m < nlev[k]; m++) trace[k] += Z[(uOff[k] - n0 + m) * (r + 1)];

  // q_i = [Z Lambda M^-1 Lambda'Z']_ii; a = w' q; t = Lambda'Z'a; Z'r per term.
  t.fill(0);
  zr.fill(0);
  for (let i = 0; i < n; i++) {
    const j = codes0[i];
    const base = i * K1;
    let qi = th0 * th0 * mjj[j];
    let cross = 0;
    for (let k = 1; k < K; k++) {
      const row = rest[base + k - 1] * r;
      cross += th[k] * ysel[pos[base + k - 1]];
      let zk = 0;
      for (let l = 1; l < K; l++) zk += th[l] * Z[row + rest[base + l - 1]];
      qi += th[k] * zk;
    }
    qi -= (2 * th0 * cross) / D[j];
    const ai = a[i] * qi;
    a[i] = ai;
    const ri = c[i];
    t[j] += th0 * ai;
    zr[j] += ri;
    for (let k = 1; k < K; k++) {
      const l = n0 + rest[base + k - 1];
      t[l] += th[k] * ai;
      zr[l] += ri;
    }
  }

  // s = M^-1 t by blocks: S x = t_rest - B'D^-1 t_0 with the factor of S, then s_0.
  if (r > 0) {
    for (let m = 0; m < r; m++) rhs[m] = t[n0 + m];
    for (let j = 0; j < n0; j++) {
      const tj = t[j] / D[j];
      for (let p = rowPtr[j]; p < rowPtr[j + 1]; p++) rhs[colIdx[p]] -= vals[p] * tj;
    }
    solveLowerInPlace(S, r, 0, r, rhs);
    solveLowerTransposeInPlace(S, r, 0, r, rhs);
    s.set(rhs, n0);
  }
  for (let j = 0; j < n0; j++) {
    let v = t[j];
    for (let p = rowPtr[j]; p < rowPtr[j + 1]; p++) v -= vals[p] * s[n0 + colIdx[p]];
    s[j] = v / D[j];
  }

  // c = a - W Z Lambda s (kept as c - 2r for beta), its sums per level of every term (into t,
  // no longer needed); the gradients.
  t.fill(0);
  for (let i = 0; i < n; i++) {
    const j = codes0[i];
    const base = i * K1;
    let g = th0 * s[j];
    for (let k = 1; k < K; k++) g += th[k] * s[n0 + rest[base + k - 1]];
    const ci = a[i] - w[i] * g;
    t[j] += ci;
    for (let k = 1; k < K; k++) t[n0 + rest[base + k - 1]] += ci;
    c[i] = ci - 2 * c[i];
  }
  const gTheta = new Float64Array(theta.length);
  for (let k = 0; k < K; k++) {
    let ur = 0;
    let sr = 0;
    let uc = 0;
    for (let m = 0; m < nlev[k]; m++) {
      const l = uOff[k] + m;
      ur += u[l] * zr[l];
      sr += s[l] * zr[l];
      uc += u[l] * t[l];
    }
    const logdet = th[k] > 0 ? (2 * (nlev[k] - trace[k])) / th[k] : 0;
    gTheta[thIdx[k]] = -2 * ur + logdet + uc + sr;
  }
  // X'(c - 2r): a column constant within a term's levels through that term's level sums.
  const { home, values } = levelColumnsOf(model);
  const gBeta = new Float64Array(design.p);
  for (let jb = 0; jb < design.p; jb++) {
    const k = home[jb];
    const v = values[jb];
    if (k >= 0 && v) {
      let sum = 0;
      for (let m = 0; m < nlev[k]; m++) sum += v[m] * (t[uOff[k] + m] - 2 * zr[uOff[k] + m]);
      gBeta[jb] = sum;
    } else {
      gBeta[jb] = dotAt(c, design.x, jb * n, n);
    }
  }
  return { theta: gTheta, beta: gBeta };
}
