/**
 * Nonparametric bootstrap that resamples whole units (the levels of the grouping factor with
 * most levels), keeping every row of a drawn unit together. A unit drawn twice enters twice, as
 * two distinct units. With `two-way`, the levels of every grouping factor are drawn
 * independently and a row enters once for each combination of draws of its levels (the
 * "pigeonhole" bootstrap of Owen 2007, for crossed designs).
 *
 * Because the covariates travel with their units, the dependence between covariates and unit
 * effects is kept: the replicates describe the sampling variation of the sample's own split
 * (the estimand is the split expected from a panel of this design drawn from the same
 * population of units; with `two-way`, of units and periods), not the split under a fitted
 * model in which unit effects are independent of the covariates.
 */
import type { EngineDesign, EngineFactor } from '../objective/cross-products.js';
import { CrossProducts } from '../objective/cross-products.js';
import { ProfiledCriterion, type PlsSolution } from '../objective/profiled-criterion.js';
import { optimizeTheta } from '../model/optimize-theta.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { Rng } from '../random/rng.js';
import type { LmmFit } from '../output/lmm-fit.js';
import { quantilesOf, recordReplicate, type Replicate, type ResolvedIntervals } from './bootstrap.js';

/** Which levels are drawn. */
export type ResampleScheme = 'units' | 'two-way';

/** Row indices of each level of a factor. */
function rowsByLevel(f: EngineFactor): Int32Array[] {
  const counts = new Int32Array(f.nlevels);
  for (let i = 0; i < f.codes.length; i++) counts[f.codes[i]]++;
  const out = Array.from(counts, (c) => new Int32Array(c));
  counts.fill(0);
  for (let i = 0; i < f.codes.length; i++) out[f.codes[i]][counts[f.codes[i]]++] = i;
  return out;
}

/**
 * One resample as row indices plus new (compact) level codes per engine factor.
 */
interface Draw {
  rows: Int32Array;
  codes: Int32Array[];
  nlevels: number[];
}

function drawUnits(prepared: PreparedModel, byUnit: Int32Array[], rng: Rng): Draw {
  const factors = prepared.engine.factors;
  const N = byUnit.length;
  const picks = new Int32Array(N);
  let n = 0;
  for (let k = 0; k < N; k++) {
    picks[k] = Math.min(N - 1, Math.floor(rng.uniform() * N));
    n += byUnit[picks[k]].length;
  }
  const rows = new Int32Array(n);
  const unitCodes = new Int32Array(n);
  let r = 0;
  for (let k = 0; k < N; k++) {
    for (const i of byUnit[picks[k]]) {
      rows[r] = i;
      unitCodes[r++] = k;
    }
  }
  const codes: Int32Array[] = [unitCodes];
  const nlevels = [N];
  for (let e = 1; e < factors.length; e++) {
    const [c, nl] = compact(factors[e], rows);
    codes.push(c);
    nlevels.push(nl);
  }
  return { rows, codes, nlevels };
}

/** Recode a factor's levels on a subset of rows to 0..(present - 1). */
function compact(f: EngineFactor, rows: ArrayLike<number>): [Int32Array, number] {
  const map = new Int32Array(f.nlevels).fill(-1);
  const out = new Int32Array(rows.length);
  let next = 0;
  for (let r = 0; r < rows.length; r++) {
    const l = f.codes[rows[r]];
    if (map[l] < 0) map[l] = next++;
    out[r] = map[l];
  }
  return [out, next];
}

function drawTwoWay(prepared: PreparedModel, rng: Rng): Draw {
  const factors = prepared.engine.factors;
  const n0 = prepared.engine.n;
  // Multiplicity of each level of each factor, and the new codes of each copy.
  const mult = factors.map((f) => {
    const m = new Int32Array(f.nlevels);
    for (let k = 0; k < f.nlevels; k++) m[Math.min(f.nlevels - 1, Math.floor(rng.uniform() * f.nlevels))]++;
    return m;
  });
  // First code of each level's copies (copies get consecutive codes).
  const firstCode = mult.map((m) => {
    const fc = new Int32Array(m.length);
    let c = 0;
    for (let l = 0; l < m.length; l++) {
      fc[l] = c;
      c += m[l];
    }
    return fc;
  });
  let n = 0;
  for (let i = 0; i < n0; i++) {
    let c = 1;
    for (let e = 0; e < factors.length; e++) c *= mult[e][factors[e].codes[i]];
    n += c;
  }
  const rows = new Int32Array(n);
  const codes: Int32Array[] = factors.map(() => new Int32Array(n));
  const idx = new Int32Array(factors.length);
  let r = 0;
  for (let i = 0; i < n0; i++) {
    // Enumerate the combinations of copies of this row's levels.
    const ms = factors.map((f, e) => mult[e][f.codes[i]]);
    if (ms.some((m) => m === 0)) continue;
    idx.fill(0);
    for (;;) {
      rows[r] = i;
      for (let e = 0; e < factors.length; e++) codes[e][r] = firstCode[e][factors[e].codes[i]] + idx[e];
      r++;
      let e = 0;
      while (e < factors.length && ++idx[e] === ms[e]) idx[e++] = 0;
      if (e === factors.length) break;
    }
  }
  // Compact the codes (levels drawn zero times leave gaps) and keep the levels that have rows.
  const nlevels: number[] = [];
  for (let e = 0; e < factors.length; e++) {
    const total = mult[e].reduce((a, b) => a + b, 0);
    const [c, nl] = compact({ codes: codes[e], nlevels: total }, Int32Array.from({ length: n }, (_, k) => k));
    codes[e] = c;
    nlevels.push(nl);
  }
  return { rows, codes, nlevels };
}

/** The model on a resample's rows: design, cross-products and criterion. */
function resampledModel(prepared: PreparedModel, y: Float64Array, draw: Draw): PreparedModel {
  const { rows, codes, nlevels } = draw;
  const n = rows.length;
  const n0 = prepared.engine.n;
  const p = prepared.design.p;
  const x = new Float64Array(n * p);
  for (let c = 0; c < p; c++) for (let r = 0; r < n; r++) x[c * n + r] = prepared.design.x[c * n0 + rows[r]];
  const w0 = prepared.engine.weights;
  const weights = w0 ? Float64Array.from(rows, (i) => w0[i]) : null;
  const f0 = prepared.frame.weights;
  const frameWeights = f0 ? Float64Array.from(rows, (i) => f0[i]) : null;
  const yr = Float64Array.from(rows, (i) => y[i]);
  const engine: EngineDesign = {
    n,
    p,
    x,
    // Random-slope terms carry their columns' values per row: they travel with the rows.
    factors: codes.map((c, e) => {
      const cols = prepared.engine.factors[e].columns;
      return {
        codes: c,
        nlevels: nlevels[e],
        ...(cols ? { columns: cols.map((col) => (col ? Float64Array.from(rows, (i) => col[i]) : null)) } : {}),
      };
    }),
    weights,
  };
  const cp = new CrossProducts(engine, yr);
  const criterion = new ProfiledCriterion(cp, prepared.reml);
  return {
    ...prepared,
    frame: { ...prepared.frame, nobs: n, y: yr, weights: frameWeights },
    design: { ...prepared.design, n, x },
    engine,
    cp,
    criterion,
  };
}

/**
 * Run the unit (or two-way) bootstrap: for each replicate call `shares(rep)`; the refit is done
 * only when `needsRefit` (the components method), starting from the fitted theta. Returns the
 * per-key replicate arrays (NaN where a replicate failed).
 *
 * @example
 * ```ts
 * const reps = runUnitBootstrap(fitted, settings, 'units', (rep) => r2Split(rep.prepared, rep.cp, 'shapley', []).shares, false);
 * ```
 */
export function runUnitBootstrap(
  fitted: LmmFit,
  settings: ResolvedIntervals,
  scheme: ResampleScheme,
  shares: (rep: Replicate) => Record<string, number>,
  needsRefit: boolean,
): Map<string, Float64Array> {
  const prepared = fitted.prepared;
  // The response the criterion sees: y - offset, shifted as the cross-products were.
  const offset = prepared.frame.offset;
  const y = Float64Array.from(prepared.frame.y, (v, i) => v - (offset ? offset[i] : 0) - prepared.yShift);
  const byUnit = rowsByLevel(prepared.engine.factors[0]);
  // The engine's theta (for the scaled weights, see PreparedModel.weightScale).
  const rootScale = Math.sqrt(prepared.weightScale);
  const thetaFitted = prepared.terms.toEngine(prepared.terms.thetaNames.map((nm) => fitted.theta[nm] * rootScale));
  const out = new Map<string, Float64Array>();
  const root = new Rng(settings.seed);
  for (let r = 0; r < settings.n; r++) {
    const rng = root.fork(r);
    let rec: Record<string, number>;
    try {
      const draw = scheme === 'units' ? drawUnits(prepared, byUnit, rng) : drawTwoWay(prepared, rng);
      const model = resampledModel(prepared, y, draw);
      let solution: PlsSolution | null = null;
      let converged = true;
      if (needsRefit) {
        const opt = optimizeTheta(model, {}, thetaFitted);
        solution = model.criterion.solve(opt.theta);
        converged = opt.converged;
      }
      rec = shares({ prepared: model, cp: model.cp, solution: solution ?? model.criterion.solve(thetaFitted), converged });
    } catch {
      rec = {};
    }
    recordReplicate(out, rec, r, settings.n);
    settings.onProgress?.(r + 1, settings.n);
  }
  return out;
}

/**
 * The percentile interval of the replicates re-centred on the estimate:
 * `[estimate - (median - q_lo), estimate + (q_hi - median)]`, clipped to [0, 1]. It removes the
 * bootstrap's median bias and so always contains the estimate.
 *
 * @example
 * ```ts
 * centredPercentileInterval(Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5), 0.32, 0.5); // [0.22, 0.42]
 * ```
 */
export function centredPercentileInterval(values: Float64Array, estimate: number, level: number): [number, number] {
  const q = quantilesOf(values);
  if (!q) return [NaN, NaN];
  const a = (1 - level) / 2;
  const med = q(0.5);
  return [Math.max(0, estimate - (med - q(a))), Math.min(1, estimate + (q(1 - a) - med))];
}
