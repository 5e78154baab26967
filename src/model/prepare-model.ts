/**
 * Preparation of a model for fitting: parse the formula, build the model frame and X, drop
 * aliased columns, centre, order the random terms for the engine, and make the one pass to the
 * cross-products. A prepared model is reused by bootstrap refits and by other outcomes on the
 * same design.
 */
import { VardecompError } from '../errors.js';
import { toDataSource } from '../input/data-source.js';
import { buildModelFrame, type ModelFrame } from '../input/model-frame.js';
import { buildFixedDesign, type FixedDesign } from '../formula/design-matrix.js';
import type { FormulaInput, ModelSpec } from '../formula/model-spec.js';
import { parseFormula } from '../formula/parse-formula.js';
import { CrossProducts, type EngineDesign } from '../objective/cross-products.js';
import { ProfiledCriterion } from '../objective/profiled-criterion.js';
import type { MinimizeControl } from '../optimize/minimize.js';
import { diagnostic, type Diagnostic } from '../diagnostics.js';

/** Options of `fit`. */
export interface FitOptions {
  /** Restricted maximum likelihood (default true); false for maximum likelihood. */
  reml?: boolean;
  /** Precision weights (lme4's `weights`): a column name or one weight per input row. */
  weights?: string | ArrayLike<number>;
  /** Optimiser controls. */
  control?: MinimizeControl;
}

/** A model ready for the optimiser. */
export interface PreparedModel {
  readonly spec: ModelSpec;
  readonly frame: ModelFrame;
  /** X with aliased columns removed (uncentred). */
  readonly design: FixedDesign;
  readonly reml: boolean;
  /** Names of aliased columns dropped, in X order. */
  readonly aliased: readonly string[];
  /** Column means subtracted before the pass (0 for the intercept), and the outcome's mean. */
  readonly xShift: Float64Array;
  readonly yShift: number;
  /** `engineOrder[e]` = index (formula order) of the term in engine position e. */
  readonly engineOrder: readonly number[];
  readonly engine: EngineDesign;
  readonly cp: CrossProducts;
  readonly criterion: ProfiledCriterion;
  readonly diagnostics: readonly Diagnostic[];
}

/** Tolerance for aliased columns: relative residual variance after the earlier columns. */
const ALIAS_TOL = 1e-7;

function weightedMean(v: Float64Array, w: Float64Array | null): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < v.length; i++) {
    const wi = w ? w[i] : 1;
    s += wi * v[i];
    sw += wi;
  }
  return s / sw;
}

/** Indices of columns linearly dependent on earlier ones (sequential Cholesky of X'WX). */
function aliasedColumns(xc: Float64Array, n: number, p: number, w: Float64Array | null): number[] {
  const xtx = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (w ? w[i] : 1) * xc[a * n + i] * xc[b * n + i];
      xtx[a * p + b] = s;
    }
  }
  const keep: number[] = [];
  const dropped: number[] = [];
  const L = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    const orig = xtx[a * p + a];
    const row = new Float64Array(keep.length);
    for (let k = 0; k < keep.length; k++) {
      const b = keep[k];
      let s = a > b ? xtx[a * p + b] : xtx[b * p + a];
      for (let q = 0; q < k; q++) s -= row[q] * L[k * p + q];
      row[k] = s / L[k * p + k];
    }
    let d = orig;
    for (let k = 0; k < keep.length; k++) d -= row[k] * row[k];
    if (!(orig > 0) || d <= ALIAS_TOL * orig) {
      dropped.push(a);
      continue;
    }
    const k = keep.length;
    for (let q = 0; q < k; q++) L[k * p + q] = row[q];
    L[k * p + k] = Math.sqrt(d);
    keep.push(a);
  }
  return dropped;
}

/**
 * Prepare a model: everything up to (and including) the one pass over the data.
 *
 * @example
 * ```ts
 * const prepared = prepareModel(rows, 'y ~ x + (1|la) + (1|year)', { reml: true });
 * prepared.criterion.evaluate(Float64Array.of(1, 0.5));
 * ```
 */
export function prepareModel(data: unknown, formula: FormulaInput, options: FitOptions = {}): PreparedModel {
  if (typeof options !== 'object' || options === null) {
    throw new VardecompError('E_OPTION', 'Options must be an object');
  }
  const reml = options.reml ?? true;
  if (typeof reml !== 'boolean') throw new VardecompError('E_OPTION', `Option "reml" must be true or false (got ${String(reml)})`);
  const spec = parseFormula(formula);
  if (spec.random.length === 0) {
    throw new VardecompError(
      'E_FORMULA',
      `Formula "${spec.text}" has no random term: add one such as (1 | unit)`,
    );
  }
  const covariates = [...new Set(spec.fixed.flatMap((t) => t.variables))];
  const source = toDataSource(data);
  const frame = buildModelFrame(source, {
    outcome: spec.outcome,
    covariates,
    groups: spec.random.map((r) => ({ name: r.group, variables: r.variables })),
    weights: options.weights ?? null,
  });
  const diagnostics: Diagnostic[] = [];
  if (frame.nDropped > 0) {
    const by = frame.missingByColumn.map((m) => `${m.column}: ${m.count}`).join(', ');
    diagnostics.push(
      diagnostic('DROPPED_ROWS', 'info', `${frame.nDropped} of ${frame.nrowsInput} rows dropped for missing values (${by})`),
    );
  }
  const { nobs, y, weights } = frame;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (let i = 0; i < nobs; i++) {
    if (y[i] < ymin) ymin = y[i];
    if (y[i] > ymax) ymax = y[i];
  }
  if (!(ymax > ymin)) {
    throw new VardecompError('E_CONSTANT', `Outcome "${spec.outcome}" is constant (${ymin}) over the ${nobs} usable rows`, {
      column: spec.outcome,
    });
  }
  for (const f of frame.factors) {
    if (f.levels.length < 2) {
      throw new VardecompError('E_LEVELS', `Grouping factor "${f.name}" has only one level ("${f.levels[0]}") in the usable rows`, {
        column: f.name,
      });
    }
    if (f.levels.length >= nobs) {
      throw new VardecompError(
        'E_LEVELS',
        `Grouping factor "${f.name}" has ${f.levels.length} levels for ${nobs} rows: its variance cannot be told apart from the residual`,
        { column: f.name },
      );
    }
    if (f.levels.length < 5) {
      diagnostics.push(
        diagnostic('FEW_LEVELS', 'warning', `Grouping factor "${f.name}" has ${f.levels.length} levels: its variance is poorly estimated`),
      );
    }
  }

  // X, centred when there is an intercept (exactly invariant: unit-triangular change of basis).
  let design = buildFixedDesign(frame, spec);
  const hasIntercept = spec.intercept;
  const centre = (d: FixedDesign) => {
    const shift = new Float64Array(d.p);
    const xc = d.x.slice();
    if (hasIntercept) {
      for (let j = 1; j < d.p; j++) {
        const col = xc.subarray(j * nobs, (j + 1) * nobs);
        shift[j] = weightedMean(col, weights);
        for (let i = 0; i < nobs; i++) col[i] -= shift[j];
      }
    }
    return { shift, xc };
  };
  let { shift, xc } = centre(design);
  const drop = aliasedColumns(xc, nobs, design.p, weights);
  const aliased = drop.map((j) => design.names[j]);
  if (drop.length > 0) {
    const keep = [...Array(design.p).keys()].filter((j) => !drop.includes(j));
    const x = new Float64Array(nobs * keep.length);
    keep.forEach((j, k) => x.set(design.x.subarray(j * nobs, (j + 1) * nobs), k * nobs));
    design = {
      ...design,
      p: keep.length,
      x,
      names: keep.map((j) => design.names[j]),
      termOf: Int32Array.from(keep.map((j) => design.termOf[j])),
    };
    ({ shift, xc } = centre(design));
    diagnostics.push(
      diagnostic(
        'RANK_DEFICIENT',
        'warning',
        `Fixed-effect model matrix is rank deficient: dropped ${aliased.map((a) => `"${a}"`).join(', ')}`,
      ),
    );
  }
  if (nobs <= design.p) {
    throw new VardecompError('E_RANK', `${nobs} usable rows for ${design.p} fixed-effect parameters: need more rows than parameters`);
  }
  const yShift = hasIntercept ? weightedMean(y, weights) : 0;
  const yc = new Float64Array(nobs);
  for (let i = 0; i < nobs; i++) yc[i] = y[i] - yShift;

  const engineOrder = frame.factors
    .map((f, i) => ({ i, q: f.levels.length }))
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((e) => e.i);
  const engine: EngineDesign = {
    n: nobs,
    p: design.p,
    x: xc,
    factors: engineOrder.map((i) => ({ codes: frame.factors[i].codes, nlevels: frame.factors[i].levels.length })),
    weights,
  };
  const cp = new CrossProducts(engine, yc);
  const criterion = new ProfiledCriterion(cp, reml);
  return { spec, frame, design, reml, aliased, xShift: shift, yShift, engineOrder, engine, cp, criterion, diagnostics };
}
