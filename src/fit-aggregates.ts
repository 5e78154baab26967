/**
 * Fits from aggregates: `fitAggregates` reads the aggregate table an SQL `GROUP BY` returns
 * (see `vardecomp sql` and `cellQuery`), `fitCells` takes cell statistics from any builder, and
 * `decomposeManyAggregates` decomposes several outcomes, one aggregate table each.
 *
 * A fit from aggregates is an ordinary `LmmFit`: REML/ML estimates, `ranef`, and every
 * decomposition method with parametric-bootstrap intervals (replicates are drawn as cell
 * statistics, exactly). Fitted values and residuals per row need rows and throw `E_NEEDS_ROWS`.
 */
import { VardecompError } from './errors.js';
import type { FormulaInput } from './formula/model-spec.js';
import { formatName } from './formula/tokenize.js';
import { cellsFromAggregates } from './input/aggregate-table.js';
import type { CellStatistics } from './input/cell-statistics.js';
import type { DataInput } from './input/data-source.js';
import { prepareFromCells, type CellFitOptions } from './model/prepare-from-cells.js';
import { LmmFit } from './output/lmm-fit.js';
import { fitPrepared } from './fit.js';
import { decomposeFit, type DecompositionOptions } from './decompose/decompose-fit.js';
import { DECOMPOSITION_METHODS, type DecompositionMethod } from './decompose/decomposition-data.js';
import { ManyDecomposition } from './report/index.js';

/**
 * Fit a random-intercept model from cell statistics (from `cellsFromRows`, `cellsFromTable`,
 * `cellsFromAggregates` or the DuckDB entry).
 *
 * @example
 * ```ts
 * const m = fitCells(cellsFromRows(rows, 'y ~ x + (1|la) + (1|year)'), 'y ~ x + (1|la) + (1|year)');
 * m.varcorr;
 * ```
 */
export function fitCells(cells: CellStatistics, formula: FormulaInput, options: CellFitOptions = {}): LmmFit {
  return fitPrepared(prepareFromCells(cells, formula, options), options);
}

/**
 * Fit a random-intercept model from the rows of an aggregate table: the result of the query
 * `vardecomp sql` prints (or `cellQuery` returns) for the same formula, run on any SQL engine.
 *
 * @param rows the aggregate table: an arquero table, a column object or row objects
 * @example
 * ```ts
 * import { fitAggregates, decompose } from 'vardecomp';
 * const m = fitAggregates(await pgClient.query(sql).then((r) => r.rows), 'score ~ ses + (1|school) + (1|year)');
 * console.log(decompose(m).format());
 * m.fitted(); // throws VardecompError E_NEEDS_ROWS
 * ```
 */
export function fitAggregates(rows: DataInput, formula: FormulaInput, options: FitAggregatesOptions = {}): LmmFit {
  const { weights, ...fitOptions } = options;
  return fitCells(cellsFromAggregates(rows, formula, weights !== undefined ? { weights } : {}), formula, fitOptions);
}

/** Options of {@link fitAggregates}. */
export interface FitAggregatesOptions extends CellFitOptions {
  /**
   * The weights column a weighted table was written with (`cellQuery`'s `weights`): only named in
   * messages about bad weights; a table is weighted when it has the column `vd_w`.
   */
  weights?: string;
}

/** Options of {@link decomposeManyAggregates}. */
export interface DecomposeManyAggregatesOptions extends CellFitOptions, DecompositionOptions {
  /** The right-hand side shared by every outcome, e.g. `'ses + (1|school) + (1|year)'`. */
  rhs: string;
  /** `'components'` (default), `'sequential'` or `'shapley'`. */
  method?: DecompositionMethod;
  /** Called after each outcome with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Decompose several outcomes on one right-hand side from aggregates: one aggregate table (or
 * cell statistics) per outcome, keyed by the outcome's name.
 *
 * @example
 * ```ts
 * const many = decomposeManyAggregates({ maths: mathsRows, reading: readingRows }, { rhs: 'ses + (1|school) + (1|year)' });
 * console.log(many.format());
 * ```
 */
export function decomposeManyAggregates(
  aggregates: Readonly<Record<string, DataInput | CellStatistics>>,
  options: DecomposeManyAggregatesOptions,
): ManyDecomposition {
  if (typeof options !== 'object' || options === null) throw new VardecompError('E_OPTION', 'Options of decomposeManyAggregates must be an object');
  const allowed = ['rhs', 'method', 'onProgress', 'onWarning', 'reml', 'control', 'labels', 'order', 'intervals'];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new VardecompError('E_OPTION', `Unknown option "${key}" for decomposeManyAggregates (expected ${allowed.join(', ')})`);
  }
  const { rhs, method = 'components', onProgress, onWarning, reml, control, ...decomposition } = options;
  if (typeof rhs !== 'string' || rhs.trim() === '' || rhs.includes('~')) {
    throw new VardecompError('E_OPTION', 'Option "rhs" must be the right-hand side of a formula, e.g. "x + (1|unit) + (1|period)"');
  }
  if (!DECOMPOSITION_METHODS.includes(method)) {
    throw new VardecompError('E_OPTION', `Option "method" must be one of ${DECOMPOSITION_METHODS.join(', ')} (got ${JSON.stringify(method)})`);
  }
  const outcomes = Object.keys(aggregates);
  if (outcomes.length === 0) throw new VardecompError('E_OPTION', 'decomposeManyAggregates needs at least one outcome');
  const fitOptions: CellFitOptions = {
    ...(reml !== undefined ? { reml } : {}),
    ...(control !== undefined ? { control } : {}),
    ...(onWarning !== undefined ? { onWarning } : {}),
  };
  const results = outcomes.map((outcome, k) => {
    const formula = `${formatName(outcome)} ~ ${rhs}`;
    const input = aggregates[outcome];
    const m = isCellStatistics(input) ? fitCells(input, formula, fitOptions) : fitAggregates(input, formula, fitOptions);
    const d = decomposeFit(m, method, decomposition);
    onProgress?.(k + 1, outcomes.length);
    return d;
  });
  return new ManyDecomposition({ rhs: rhs.trim(), method, outcomes, results });
}

function isCellStatistics(x: unknown): x is CellStatistics {
  return typeof x === 'object' && x !== null && 'comoment' in x && 'ncells' in x && (x as CellStatistics).comoment instanceof Float64Array;
}
