/**
 * Parametric-bootstrap outcomes drawn as cell statistics, exactly: the distribution of each
 * cell's outcome mean and co-moments under the fitted model, without drawing a row.
 *
 * In cell c (weight sum W, monomials u with co-moment matrix C, rank r; engine-scaled weights
 * and `sigma`), `y = X beta + b_c + e` with `e_i ~ N(0, sigma^2 / w_i)`. With `bt` the
 * coefficients of the monomials in the cell and `E = sum_i w_i (u_i - m)(e_i)`:
 *
 * - mean:       `f_c + b_c + ebar`, `ebar ~ N(0, sigma^2 / W)`;
 * - co-moments: `C bt + E`, `E ~ N(0, sigma^2 C)` (drawn as `sigma F z`, `F F' = C`, z in R^r);
 * - outcome's:  `bt' C bt + 2 bt' E + sigma^2 (|z|^2 + chi^2_{n_c - 1 - r})`,
 *
 * since `sum w (e - ebar)^2 / sigma^2` splits into the part in the span of the centred monomials
 * (`|z|^2`) and an independent chi-square remainder. All three are independent of `ebar`.
 */
import { pivotedCholesky } from '../linalg/pivoted-cholesky.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { centredCellMeans, setCellResponse, type CellDesign } from '../objective/cell-cross-products.js';
import type { CrossProducts } from '../objective/cross-products.js';
import type { LmmFit } from '../output/lmm-fit.js';
import { chiSquare } from '../random/chi-square.js';
import type { Rng } from '../random/rng.js';

const packed = (a: number, b: number): number => (a >= b ? (a * (a + 1)) / 2 + b : (b * (b + 1)) / 2 + a);

/**
 * A function that draws one replicate outcome as cell statistics and writes its cross-products
 * into `cp` (the model's design-only blocks are kept).
 *
 * @example
 * ```ts
 * const simulate = cellResponseSimulator(fitted, cp);
 * simulate(new Rng(1)); // cp now holds a replicate's outcome
 * ```
 */
export function cellResponseSimulator(fitted: LmmFit, cp: CrossProducts): (rng: Rng) => void {
  const prepared: PreparedModel = fitted.prepared;
  const d = prepared.cells as CellDesign;
  const { ncells, p, v, mono, ind, count, weight, comoment, factors } = d;
  const { spec, frame, xShift } = prepared;
  const k = v - 1; // monomials
  const np = (v * (v + 1)) / 2;
  // Fixed part per cell (up to a constant when there is an intercept) and the monomial coefficients.
  const beta = fitted.betaArray();
  const h = new Float64Array(p + 1);
  const fbar = new Float64Array(ncells);
  const bt = new Float64Array(ncells * k);
  for (let c = 0; c < ncells; c++) {
    centredCellMeans(d, c, xShift, 0, h);
    let s = 0;
    for (let j = 0; j < p; j++) s += beta[j] * h[j];
    fbar[c] = s;
    for (let j = 0; j < p; j++) if (mono[j] >= 0) bt[c * k + mono[j]] += beta[j] * ind[j * ncells + c];
  }
  // Per cell: F (F F' = C), rank, C bt and bt' C bt.
  const factorsOf: Float64Array[] = [];
  const ranks = new Int32Array(ncells);
  const cbt = new Float64Array(ncells * k);
  const btcbt = new Float64Array(ncells);
  const C = new Float64Array(k * k);
  for (let c = 0; c < ncells; c++) {
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) C[a * k + b] = comoment[c * np + packed(a, b)];
    const { factor, rank } = pivotedCholesky(C, k);
    factorsOf.push(factor);
    ranks[c] = rank;
    let q = 0;
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let b = 0; b < k; b++) s += C[a * k + b] * bt[c * k + b];
      cbt[c * k + a] = s;
      q += bt[c * k + a] * s;
    }
    btcbt[c] = q;
  }
  // Random effects are drawn per level in formula order, as the row bootstrap draws them.
  const sds = spec.random.map((r) => fitted.varcorr.find((x) => x.group === r.group)!.sd);
  const groupCodes = frame.factors.map((f) => f.codes);
  const effects = frame.factors.map((f) => new Float64Array(f.levels.length));
  // The engine's sigma goes with the engine's (scaled) weights.
  const sigma = fitted.sigma / Math.sqrt(prepared.weightScale);
  const origin = Float64Array.from(d.origin);
  origin[v - 1] = 0;
  const mean = Float64Array.from(d.mean);
  const como = Float64Array.from(comoment);
  const rep: CellDesign = { ...d, origin, mean, comoment: como };
  const e = new Float64Array(k);
  const z = new Float64Array(k);
  return (rng: Rng) => {
    effects.forEach((eff, g) => {
      for (let l = 0; l < eff.length; l++) eff[l] = sds[g] * rng.normal();
    });
    let W = 0;
    let ys = 0;
    for (let c = 0; c < ncells; c++) {
      let b = 0;
      for (let g = 0; g < effects.length; g++) b += effects[g][groupCodes[g][c]];
      const ym = fbar[c] + b + (sigma * rng.normal()) / Math.sqrt(weight[c]);
      mean[c * v + v - 1] = ym;
      W += weight[c];
      ys += weight[c] * ym;
      const r = ranks[c];
      const F = factorsOf[c];
      let zz = 0;
      for (let q = 0; q < r; q++) {
        z[q] = rng.normal();
        zz += z[q] * z[q];
      }
      let bte = 0;
      for (let a = 0; a < k; a++) {
        let s = 0;
        for (let q = 0; q < r; q++) s += F[a * r + q] * z[q];
        e[a] = sigma * s;
        bte += bt[c * k + a] * e[a];
        como[c * np + packed(v - 1, a)] = cbt[c * k + a] + e[a];
      }
      const remainder = chiSquare(rng, count[c] - 1 - r);
      como[c * np + packed(v - 1, v - 1)] = btcbt[c] + 2 * bte + sigma * sigma * (zz + remainder);
    }
    const yShift = spec.intercept ? ys / W : 0;
    setCellResponse(cp, rep, xShift, yShift);
  };
}
