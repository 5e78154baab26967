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
 * `M^-1`'s selected entries come from the same blocked layout as the engine: the term with most
 * levels is diagonal (`D`), the others form a dense block `C` with the coupling `B` kept sparse
 * by level; the Schur complement `S = C - B'D^-1 B` is factorised densely. Cost: one pass over the
 * rows, `O(nnz(B) r + r^3)` for `r` levels outside the first term.
 */
import { VardecompError } from '../errors.js';
import { choleskyInPlace, symmetricInverseFromCholesky } from '../linalg/dense-cholesky.js';
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

/** Rows grouped by the first engine term's level: rows `order[start[j] .. start[j + 1])` have level j. */
interface RowGroups {
  readonly start: Int32Array;
  readonly order: Int32Array;
}

/** The grouping of each model's rows, which the gradient needs at every evaluation. */
const rowGroups = new WeakMap<GlmmModel, RowGroups>();

/** The rows of `model` grouped by the level `codes` gives them (a counting sort, once per model). */
function rowsByFirstLevel(model: GlmmModel, codes: ArrayLike<number>, nlevels: number): RowGroups {
  const cached = rowGroups.get(model);
  if (cached) return cached;
  const n = model.n;
  const start = new Int32Array(nlevels + 1);
  for (let i = 0; i < n; i++) start[codes[i] + 1]++;
  for (let j = 0; j < nlevels; j++) start[j + 1] += start[j];
  const order = new Int32Array(n);
  const fill = start.slice(0, nlevels);
  for (let i = 0; i < n; i++) order[fill[codes[i]]++] = i;
  const groups = { start, order };
  rowGroups.set(model, groups);
  return groups;
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
 * const g = laplaceGradient(model, theta, pirls.state().mu, u); // g.theta, g.beta
 * ```
 */
export function laplaceGradient(model: GlmmModel, theta: ArrayLike<number>, mu: Float64Array, u: Float64Array): LaplaceGradient {
  if (!hasLaplaceGradient(model)) {
    throw new VardecompError('E_UNSUPPORTED', 'the analytic Laplace gradient needs scalar random intercepts and a canonical link');
  }
  const { n, y, priorWeights, design, terms, engineOrder, family } = model;
  const K = engineOrder.length;
  const codes = engineOrder.map((fi) => terms.terms[fi].engineFactor().codes);
  const nlev = engineOrder.map((fi) => terms.terms[fi].engineFactor().nlevels);
  const th = engineOrder.map((fi) => theta[terms.engineOffsets[fi]]);
  const thIdx = engineOrder.map((fi) => terms.engineOffsets[fi]);
  // Level offsets: term 0 in [0, n0), the others in the dense block (index relative to n0).
  const uOff = new Int32Array(K);
  for (let k = 1; k < K; k++) uOff[k] = uOff[k - 1] + nlev[k - 1];
  const n0 = nlev[0];
  const r = K > 1 ? uOff[K - 1] + nlev[K - 1] - n0 : 0;
  const binomial = family.name === 'binomial';

  const resid = new Float64Array(n);
  const w = new Float64Array(n);
  const wd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = mu[i];
    const pw = priorWeights[i];
    resid[i] = pw * (y[i] - m);
    if (binomial) {
      const v = m * (1 - m);
      w[i] = pw * v;
      wd[i] = pw * v * (1 - 2 * m);
    } else {
      w[i] = pw * m;
      wd[i] = pw * m;
    }
  }

  const { start, order } = rowsByFirstLevel(model, codes[0], n0);

  // D (diagonal), B (CSR by first-term level) and C (dense r x r, lower triangle).
  const D = new Float64Array(n0).fill(1);
  const S = new Float64Array(r * r);
  for (let m = 0; m < r; m++) S[m * r + m] = 1;
  const rowPtr = new Int32Array(n0 + 1);
  const colIdx: number[] = [];
  const vals: number[] = [];
  const scratch = new Float64Array(r);
  const mark = new Uint8Array(r);
  const touched: number[] = [];
  const idx = new Int32Array(K);
  for (let j = 0; j < n0; j++) {
    for (let p = start[j]; p < start[j + 1]; p++) {
      const i = order[p];
      const wi = w[i];
      D[j] += th[0] * th[0] * wi;
      for (let k = 1; k < K; k++) idx[k] = uOff[k] - n0 + codes[k][i];
      for (let k = 1; k < K; k++) {
        const mk = idx[k];
        if (!mark[mk]) {
          mark[mk] = 1;
          touched.push(mk);
        }
        scratch[mk] += th[0] * th[k] * wi;
        for (let l = 1; l <= k; l++) {
          const ml = idx[l];
          const v = th[k] * th[l] * wi;
          if (mk >= ml) S[mk * r + ml] += v;
          else S[ml * r + mk] += v;
        }
      }
    }
    touched.sort((a, b) => a - b);
    for (const m of touched) {
      colIdx.push(m);
      vals.push(scratch[m]);
      scratch[m] = 0;
      mark[m] = 0;
    }
    touched.length = 0;
    rowPtr[j + 1] = colIdx.length;
  }
  // S = C - B'D^-1 B.
  for (let j = 0; j < n0; j++) {
    const dj = 1 / D[j];
    for (let p = rowPtr[j]; p < rowPtr[j + 1]; p++) {
      const vp = vals[p] * dj;
      const mp = colIdx[p];
      for (let q = rowPtr[j]; q <= p; q++) S[mp * r + colIdx[q]] -= vp * vals[q];
    }
  }
  let Sinv: Float64Array = new Float64Array(0);
  if (r > 0) {
    if (choleskyInPlace(S, r) >= 0) throw new VardecompError('E_RANK', 'the Schur complement of Lambda\'Z\'WZ Lambda + I is not positive definite');
    Sinv = symmetricInverseFromCholesky(S, r);
  }

  // Selected entries of M^-1: q_i, the traces per term.
  const q = new Float64Array(n);
  const trace = new Float64Array(K);
  const yj = new Float64Array(r);
  for (let j = 0; j < n0; j++) {
    // y_j = S^-1 b_j; (M^-1)_{j,m} = -y_j[m] / D_j; (M^-1)_jj = 1/D_j + b_j'y_j / D_j^2.
    yj.fill(0);
    let by = 0;
    for (let p = rowPtr[j]; p < rowPtr[j + 1]; p++) {
      const row = colIdx[p] * r;
      const v = vals[p];
      for (let m = 0; m < r; m++) yj[m] += Sinv[row + m] * v;
    }
    for (let p = rowPtr[j]; p < rowPtr[j + 1]; p++) by += vals[p] * yj[colIdx[p]];
    const dj = 1 / D[j];
    const mjj = dj + by * dj * dj;
    trace[0] += mjj;
    for (let p = start[j]; p < start[j + 1]; p++) {
      const i = order[p];
      let qi = th[0] * th[0] * mjj;
      for (let k = 1; k < K; k++) {
        const mk = uOff[k] - n0 + codes[k][i];
        qi -= 2 * th[0] * th[k] * yj[mk] * dj;
        for (let l = 1; l < K; l++) qi += th[k] * th[l] * Sinv[mk * r + uOff[l] - n0 + codes[l][i]];
      }
      q[i] = qi;
    }
  }
  for (let k = 1; k < K; k++) for (let m = 0; m < nlev[k]; m++) trace[k] += Sinv[(uOff[k] - n0 + m) * (r + 1)];

  // a = w' q; t = Lambda'Z'a; s = M^-1 t (block solve); Z'r per term.
  const a = new Float64Array(n);
  const t = new Float64Array(n0 + r);
  const zr = new Float64Array(n0 + r);
  for (let i = 0; i < n; i++) {
    a[i] = wd[i] * q[i];
    for (let k = 0; k < K; k++) {
      const l = uOff[k] + codes[k][i];
      t[l] += th[k] * a[i];
      zr[l] += resid[i];
    }
  }
  const s = new Float64Array(n0 + r);
  if (r > 0) {
    const rhs = new Float64Array(r);
    for (let m = 0; m < r; m++) rhs[m] = t[n0 + m];
    for (let j = 0; j < n0; j++) {
      const tj = t[j] / D[j];
      for (let p = rowPtr[j]; p < rowPtr[j + 1]; p++) rhs[colIdx[p]] -= vals[p] * tj;
    }
    for (let m = 0; m < r; m++) {
      let v = 0;
      for (let l = 0; l < r; l++) v += Sinv[m * r + l] * rhs[l];
      s[n0 + m] = v;
    }
  }
  for (let j = 0; j < n0; j++) {
    let v = t[j];
    for (let p = rowPtr[j]; p < rowPtr[j + 1]; p++) v -= vals[p] * s[n0 + colIdx[p]];
    s[j] = v / D[j];
  }

  // c = a - W Z Lambda s; the gradients.
  const c = new Float64Array(n);
  const gTheta = new Float64Array(theta.length);
  const uc = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    let g = 0;
    for (let k = 0; k < K; k++) g += th[k] * s[uOff[k] + codes[k][i]];
    c[i] = a[i] - w[i] * g;
    for (let k = 0; k < K; k++) uc[k] += u[uOff[k] + codes[k][i]] * c[i];
  }
  for (let k = 0; k < K; k++) {
    let ur = 0;
    let sr = 0;
    for (let m = 0; m < nlev[k]; m++) {
      const l = uOff[k] + m;
      ur += u[l] * zr[l];
      sr += s[l] * zr[l];
    }
    const logdet = th[k] > 0 ? (2 * (nlev[k] - trace[k])) / th[k] : 0;
    gTheta[thIdx[k]] = -2 * ur + logdet + uc[k] + sr;
  }
  const gBeta = new Float64Array(design.p);
  for (let jb = 0; jb < design.p; jb++) {
    const col = design.x.subarray(jb * n, (jb + 1) * n);
    let v = 0;
    for (let i = 0; i < n; i++) v += col[i] * (c[i] - 2 * resid[i]);
    gBeta[jb] = v;
  }
  return { theta: gTheta, beta: gBeta };
}
