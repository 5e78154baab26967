/**
 * Preparation of a model from cell statistics instead of rows: the same steps as
 * `prepareModel` (levels, X, aliasing, centring, engine order, the cross-products, the outcome
 * checks), each read from the cells. What only rows can give (fitted values and residuals per
 * row) is unavailable on the result and says so.
 */
import { INTERCEPT, RandomEffectsTerm } from '../terms/random-effects-term.js';
import { RandomTerms } from '../terms/random-terms.js';
import { diagnostic, diagnosticSink } from '../diagnostics.js';
import { VardecompError } from '../errors.js';
import { buildFixedDesign, withoutColumns, type FixedDesign } from '../formula/design-matrix.js';
import type { FormulaInput } from '../formula/model-spec.js';
import { parseFormula } from '../formula/parse-formula.js';
import type { CellStatistics } from '../input/cell-statistics.js';
import { toDataSource } from '../input/data-source.js';
import { buildModelFrame, type FrameVariable, type ModelFrame } from '../input/model-frame.js';
import { cellCrossProducts, cellShifts, type CellDesign } from '../objective/cell-cross-products.js';
import { ProfiledCriterion } from '../objective/profiled-criterion.js';
import { checkDenseBlockSize, denseBlockWarning } from './dense-size.js';
import { termsSpannedByX } from './identified-terms.js';
import {
  aliasedFromGram,
  checkFitOptions,
  checkGroupingLevels,
  checkResidualVariation,
  EXACT_FIT_TOL,
  fittedExactlyError,
  notIdentified,
  type FitOptions,
  type PreparedModel,
} from './prepare-model.js';

/** Options of a fit from cell statistics: the weights are in the cells already. */
export type CellFitOptions = Omit<FitOptions, 'weights'>;

/**
 * The error for a feature that needs rows when the model was fitted from cell statistics.
 *
 * @example
 * ```ts
 * throw needsRowsError('Fitted values per row'); // VardecompError E_NEEDS_ROWS
 * ```
 */
export function needsRowsError(what: string): VardecompError {
  return new VardecompError(
    'E_NEEDS_ROWS',
    `${what} needs the rows: this model was fitted from cell statistics (aggregates), which do not hold them; fit from the rows instead`,
  );
}

const COUNT = '\u0000count';

/**
 * Prepare a model from cell statistics (see `input/cell-statistics.ts` for the builders).
 *
 * @example
 * ```ts
 * const prepared = prepareFromCells(cellsFromRows(rows, 'y ~ x + (1|la)'), 'y ~ x + (1|la)');
 * ```
 */
export function prepareFromCells(cells: CellStatistics, formula: FormulaInput, options: CellFitOptions = {}): PreparedModel {
  checkFitOptions(options);
  if ((options as FitOptions).weights !== undefined) {
    throw new VardecompError('E_OPTION', 'Option "weights" does not apply to a fit from cell statistics: the cells hold weighted statistics already', {
      option: 'weights',
    });
  }
  const reml = options.reml ?? true;
  const spec = parseFormula(formula);
  if (spec.random.length === 0) throw new VardecompError('E_FORMULA', `Formula "${spec.text}" has no random term: add one such as (1 | unit)`);
  const slope = spec.random.find((r) => r.columns.length !== 1 || r.columns[0] !== INTERCEPT);
  if (slope) {
    throw new VardecompError(
      'E_NEEDS_ROWS',
      `Random slopes (the term on "${slope.group}" with ${slope.columns.join(', ')}) need per-cell slope moments that cell statistics do not hold: fit from the rows`,
      { group: slope.group },
    );
  }
  if (cells.columns[cells.columns.length - 1] !== spec.outcome) {
    throw new VardecompError('E_COLUMN', `The cell statistics are of outcome "${cells.columns[cells.columns.length - 1]}", not "${spec.outcome}"`, {
      column: spec.outcome,
    });
  }
  // Formula functions are statistic columns of the cells (evaluated over the complete rows by
  // the builder); offset terms are subtracted from the outcome by the builder, so the cells must
  // have been built for the same ones. The offset option would need the rows.
  if ((options as FitOptions).offset !== undefined) {
    throw new VardecompError(
      'E_NEEDS_ROWS',
      'An offset option cannot be applied to cell statistics, which are built before the fit: write the offset in the formula ' +
        'as offset(column) (every cell builder and the SQL cell query subtract it from the outcome), or fit from the rows',
      { option: 'offset' },
    );
  }
  const wanted = (spec.offsets ?? []).map((o) => o.label).join(' + ');
  const held = (cells.offsets ?? []).join(' + ');
  if (wanted !== held) {
    throw new VardecompError(
      'E_COLUMN',
      `The cell statistics' outcome is "${spec.outcome}"${held ? ` minus ${held}` : ''}, not "${spec.outcome}"${wanted ? ` minus ${wanted}` : ''}: build the cells for this formula`,
      { column: spec.outcome },
    );
  }
  const covariates = [...new Set(spec.fixed.flatMap((t) => t.variables))];
  const categorical = covariates.filter((c) => Object.prototype.hasOwnProperty.call(cells.keys, c));
  const { ncells } = cells;
  // Categorical covariates stay categories even when their keys are numbers.
  const keyColumns: Record<string, ArrayLike<unknown>> = { ...cells.keys };
  for (const c of categorical) {
    const col = cells.keys[c];
    if (Array.from(col).some((x) => typeof x === 'number')) keyColumns[c] = Array.from(col, (x) => String(x));
  }
  // Encode the keys exactly as the row path encodes them (same level order and labels).
  const cellFrame = buildModelFrame(toDataSource({ ...keyColumns, [COUNT]: cells.count }), {
    outcome: COUNT,
    covariates: categorical,
    groups: spec.random.map((r) => ({ name: r.group, variables: r.variables })),
  });
  let nobs = 0;
  for (let c = 0; c < ncells; c++) nobs += cells.count[c];
  const diagnostics = diagnosticSink(options.onWarning);
  if (cells.nDropped > 0) {
    const by = cells.missingByColumn.length > 0 ? ` (${cells.missingByColumn.map((m) => `${m.column}: ${m.count}`).join(', ')})` : '';
    diagnostics.push(diagnostic('DROPPED_ROWS', 'info', `${cells.nDropped} of ${cells.nrowsInput} rows dropped for missing values${by}`));
  }
  checkGroupingLevels(cellFrame.factors, nobs, diagnostics);

  // X per cell: indicator parts (numeric variables set to 1), each column's monomial.
  const ones = new Float64Array(ncells).fill(1);
  const variables = new Map<string, FrameVariable>();
  for (const c of covariates) {
    variables.set(c, categorical.includes(c) ? cellFrame.variables.get(c)! : { kind: 'numeric', name: c, values: ones });
  }
  const full = buildFixedDesign({ ...cellFrame, nobs: ncells, variables }, spec);
  const monoOf = (j: number, d: FixedDesign): number => {
    const t = d.termOf[j];
    if (t < 0) return -1;
    const vars = spec.fixed[t].variables.filter((v) => !categorical.includes(v));
    return vars.length === 0 ? -1 : cells.columns.indexOf(vars.join(':'));
  };
  const engineOrder = cellFrame.factors
    .map((f, i) => ({ i, q: f.levels.length }))
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((e) => e.i);
  // The cell cross-products have the row path's dense block: refuse it before allocating it.
  const engineTerms = engineOrder.map((i) => ({ group: spec.random[i].group, nlevels: cellFrame.factors[i].levels.length }));
  checkDenseBlockSize(engineTerms, full.p);
  const slow = denseBlockWarning(engineTerms, full.p);
  if (slow) diagnostics.push(slow);
  const v = cells.columns.length;
  // Precision weights are scaled for the engine as in the row path (PreparedModel.weightScale):
  // the power of two nearest their geometric mean, from the sum of log weights.
  const weightScale = cells.weight ? 2 ** Math.round(cells.sumLogWeight / Math.LN2 / nobs) : 1;
  const engineWeight = cells.weight ? Float64Array.from(cells.weight, (w) => w / weightScale) : cells.count;
  const engineComoment = weightScale !== 1 ? Float64Array.from(cells.comoment, (c) => c / weightScale) : cells.comoment;
  const cellDesign = (d: FixedDesign): CellDesign => ({
    ncells,
    nobs,
    count: cells.count,
    weight: engineWeight,
    factors: engineOrder.map((i) => ({ codes: cellFrame.factors[i].codes, nlevels: cellFrame.factors[i].levels.length })),
    p: d.p,
    ind: d.x,
    mono: Int32Array.from({ length: d.p }, (_, j) => monoOf(j, d)),
    v,
    origin: cells.origin,
    mean: cells.mean,
    comoment: engineComoment,
    sumLogWeight: cells.sumLogWeight - nobs * Math.log(weightScale),
    sumInverseWeight: cells.weight ? (cells.sumInverseWeight ?? null) : null,
    unweighted: cells.weight ? (cells.unweighted ?? null) : null,
  });
  let design = full;
  let cd = cellDesign(design);
  if (Array.from(cd.mono).some((a, j) => a < 0 && design.termOf[j] >= 0 && spec.fixed[design.termOf[j]].variables.some((x) => !categorical.includes(x)))) {
    const missing = design.names.find((_, j) => cd.mono[j] < 0 && design.termOf[j] >= 0 && spec.fixed[design.termOf[j]].variables.some((x) => !categorical.includes(x)));
    throw new VardecompError('E_COLUMN', `The cell statistics have no statistic column for "${missing}" (they hold ${cells.columns.join(', ')}): build them for this formula`, {
      column: missing,
    });
  }
  let { xShift, yShift } = cellShifts(cd, spec.intercept);
  let cp = cellCrossProducts(cd, xShift, yShift);
  if (!(cp.B[cp.m * cp.m - 1] > 0)) {
    throw new VardecompError('E_CONSTANT', `Outcome "${spec.outcome}" is constant over the ${nobs} rows of the cells`, { column: spec.outcome });
  }
  const { dropped, yResidual } = aliasedFromGram(cp.B, cp.qr * cp.m + cp.qr, cp.m, design.p);
  const aliased = dropped.map((j) => design.names[j]);
  if (dropped.length > 0) {
    design = withoutColumns(full, dropped);
    cd = cellDesign(design);
    ({ xShift, yShift } = cellShifts(cd, spec.intercept));
    cp = cellCrossProducts(cd, xShift, yShift);
    diagnostics.push(
      diagnostic('RANK_DEFICIENT', 'warning', `Fixed-effect model matrix is rank deficient: dropped ${aliased.map((a) => `"${a}"`).join(', ')}`),
    );
  }
  if (nobs <= design.p) {
    throw new VardecompError('E_RANK', `${nobs} usable rows for ${design.p} fixed-effect parameters: need more rows than parameters`, {
      rows: nobs,
      parameters: design.p,
    });
  }
  if (!(yResidual > EXACT_FIT_TOL)) throw fittedExactlyError(spec.outcome, nobs, design.names);
  // The exact residual-degrees-of-freedom check of the row path needs the rows; the bound that
  // rules it out for almost every data set needs only the counts.
  const bound = design.p + cellFrame.factors.reduce((s, f) => s + f.levels.length - 1, 0) + (spec.intercept ? 0 : 1);
  if (bound >= nobs) {
    throw new VardecompError(
      'E_LEVELS',
      `The grouping factors and fixed effects have ${bound} parameters for ${nobs} rows: whether residual degrees of freedom are left cannot be checked from cell statistics; fit from the rows`,
      { column: cellFrame.factors[0].name },
    );
  }
  checkResidualVariation(cp, spec.outcome, cellFrame.factors);
  for (const e of termsSpannedByX(cp)) diagnostics.push(notIdentified(cellFrame.factors[engineOrder[e]].name));
  const frame: ModelFrame = {
    nrowsInput: cells.nrowsInput,
    rows: new Int32Array(0),
    nobs,
    nDropped: cells.nDropped,
    missingByColumn: cells.missingByColumn,
    outcome: spec.outcome,
    y: new Float64Array(0),
    weights: null,
    offset: null,
    variables: cellFrame.variables,
    factors: cellFrame.factors,
  };
  const engine = { n: nobs, p: design.p, x: new Float64Array(0), factors: cd.factors, weights: null };
  const criterion = new ProfiledCriterion(cp, reml);
  // Random intercepts only (checked above); codes are per cell, which is all an intercept term needs.
  const terms = new RandomTerms(
    spec.random.map((r, i) => new RandomEffectsTerm(r.group, r.columns, cellFrame.factors[i].levels, cellFrame.factors[i].codes, [null])),
    engineOrder,
  );
  return { spec, frame, design, reml, aliased, xShift, yShift, engineOrder, weightScale, terms, engine, cp, criterion, diagnostics, cells: cd };
}
