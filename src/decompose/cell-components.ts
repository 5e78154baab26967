/**
 * The components method from cell statistics: the sample variance (n - 1 denominator) of the
 * fixed-effect predictions `X beta`, in all and per covariate term, without the rows.
 *
 * Within cell c, `X beta` is `f_c + sum_a bt_ca (u_a - m_ca)`, with `f_c = sum_j beta_j h_cj`
 * (centred cell means, `centredCellMeans`) and `bt_ca = sum_{j: a(j) = a} beta_j ind_cj` the
 * coefficient of monomial a in that cell; so its sum of squares about the overall mean is
 * `sum_c [bt_c' C_c bt_c + n_c (f_c - fbar)^2]`. The rest (random variances, residual) is as in
 * `components.ts`. With precision weights the row path's variance of `X beta` is still unweighted
 * and its residual part is `sigma^2 * mean(1/w)`: weighted cells then need the unweighted moments
 * and the per-cell sums of `1/w` (`cellsFromRows` gives them), and without them are refused.
 */
import { needsRowsError } from '../model/prepare-from-cells.js';
import { centredCellMeans, type CellDesign } from '../objective/cell-cross-products.js';
import type { ComponentInputs, ComponentVariances } from './components.js';

/** Inputs: those of `componentVariances` without the rows, plus the cells and X's centring shifts. */
export interface CellComponentInputs extends Omit<ComponentInputs, 'x' | 'n' | 'p' | 'weights'> {
  readonly cells: CellDesign;
  readonly xShift: Float64Array;
  /** True when the cells hold weighted statistics. */
  readonly weighted: boolean;
  /**
   * The residual convention with weights: the scale of the weights `sigma2` goes with (1 for the
   * user's weights, `weightScale` for the engine's: `sigma^2 * mean(scale / w)`), or null for
   * `sigma^2` alone (insight's convention).
   */
  readonly residualWeightScale: number | null;
}

/** Sample variance of the part of `X beta` on the columns `use` selects. */
function predictionVariance(inp: CellComponentInputs, use: (j: number) => boolean): number {
  const { cells: d, xShift, beta } = inp;
  const { ncells, p, v, mono, ind, count, comoment } = d;
  const h = new Float64Array(p + 1);
  const f = new Float64Array(ncells);
  let fbar = 0;
  for (let c = 0; c < ncells; c++) {
    centredCellMeans(d, c, xShift, 0, h);
    let s = 0;
    for (let j = 0; j < p; j++) if (use(j)) s += beta[j] * h[j];
    f[c] = s;
    fbar += count[c] * s;
  }
  fbar /= d.nobs;
  const bt = new Float64Array(v);
  const np = (v * (v + 1)) / 2;
  let ss = 0;
  for (let c = 0; c < ncells; c++) {
    bt.fill(0);
    for (let j = 0; j < p; j++) if (use(j) && mono[j] >= 0) bt[mono[j]] += beta[j] * ind[j * ncells + c];
    let within = 0;
    const off = c * np;
    for (let a = 0; a < v - 1; a++) {
      if (bt[a] === 0) continue;
      for (let b = 0; b < v - 1; b++) {
        const k = a >= b ? (a * (a + 1)) / 2 + b : (b * (b + 1)) / 2 + a;
        within += bt[a] * bt[b] * comoment[off + k];
      }
    }
    ss += within + count[c] * (f[c] - fbar) ** 2;
  }
  return d.nobs > 1 ? ss / (d.nobs - 1) : 0;
}

/**
 * Variance parts of a fit from cell statistics. Weighted cells need their per-cell sums of `1/w`
 * and unweighted moments (else `E_NEEDS_ROWS`).
 *
 * @example
 * ```ts
 * const parts = cellComponentVariances({ cells, xShift, beta, termOf, nterms: 1, randomVariances: [4, 1], sigma2: 2, weighted: false, residualWeightScale: 1 });
 * ```
 */
export function cellComponentVariances(inp: CellComponentInputs): ComponentVariances {
  let residual = inp.sigma2;
  if (inp.weighted) {
    const { sumInverseWeight, unweighted } = inp.cells;
    if (!sumInverseWeight || !unweighted) {
      throw needsRowsError('The components method with precision weights (the per-cell sums of 1/w and unweighted moments, which cellsFromRows gives)');
    }
    // The fixed part is the unweighted variance of X beta over the rows, as in the row path.
    inp = { ...inp, cells: { ...inp.cells, mean: unweighted.mean, comoment: unweighted.comoment } };
    if (inp.residualWeightScale !== null) {
      let s = 0;
      for (let c = 0; c < inp.cells.ncells; c++) s += sumInverseWeight[c];
      residual *= (inp.residualWeightScale * s) / inp.cells.nobs;
    }
  }
  const { termOf, nterms } = inp;
  const terms = new Float64Array(nterms);
  for (let t = 0; t < nterms; t++) {
    if (termOf.includes(t)) terms[t] = predictionVariance(inp, (j) => termOf[j] === t);
  }
  const fixed = predictionVariance(inp, (j) => termOf[j] >= 0);
  const sumTerms = terms.reduce((a, b) => a + b, 0);
  for (let t = 0; t < nterms; t++) terms[t] = sumTerms > 0 ? (terms[t] / sumTerms) * fixed : 0;
  const random = Float64Array.from(inp.randomVariances);
  return { fixed, terms, random, residual, total: fixed + random.reduce((a, b) => a + b, 0) + residual };
}
