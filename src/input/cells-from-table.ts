/**
 * Cell statistics by an arquero rollup: the complete rows of the model's columns are grouped by
 * the cell keys and aggregated by arquero (`count`, `mean`, `covariancep`; with precision weights
 * weighted sums about the cells' weighted means) into the aggregate table that an SQL
 * `GROUP BY` returns, which {@link cellsFromAggregates} then reads.
 */
import { op, table } from 'arquero';
import type { FormulaInput } from '../formula/model-spec.js';
import {
  aggregateColumns,
  cellsFromAggregates,
  covColumn,
  meanColumn,
  originColumn,
  COUNT_COLUMN,
  DROPPED_COLUMN,
  WEIGHT_COLUMNS,
} from './aggregate-table.js';
import { cellFrame, statisticColumns, statisticOrigins, type CellStatistics, type CellsFromRowsOptions } from './cell-statistics.js';
import type { DataInput } from './data-source.js';
import { derivedCodeColumn, formulaFunctions } from './sql-formula.js';

type Table = ReturnType<typeof table>;
type Rollup = Parameters<Table['rollup']>[0];

/**
 * Cell statistics of a table (or any data input) computed by an arquero `groupby().rollup()`.
 * Weights are read and checked by the model frame, as the row path reads them.
 *
 * @example
 * ```ts
 * const cells = cellsFromTable(aq.loadCSV('panel.csv'), 'y ~ x + (1|la) + (1|year)');
 * const weighted = cellsFromTable(rows, 'y ~ x + (1|la)', { weights: 'w' });
 * ```
 */
export function cellsFromTable(data: DataInput, formula: FormulaInput, options: CellsFromRowsOptions = {}): CellStatistics {
  // The model frame decides which rows are complete and which covariates are categories.
  const { spec, source, frame, layout } = cellFrame(data, formula, options.weights);
  const w = frame.weights;
  const cols: Record<string, ArrayLike<unknown>> = {};
  for (const k of layout.keys) {
    const col = source.column(k);
    cols[k] = Array.from(frame.rows, (i) => col[i]);
  }
  const statName = (a: number) => `vd_s_${a}`;
  const stats = statisticColumns(frame, layout);
  const v = layout.columns.length;
  // Origins (the overall (weighted) means), subtracted before the rollup so that cell means keep their digits.
  const origins = statisticOrigins(stats, w);
  stats.forEach((col, a) => (cols[statName(a)] = col.map((x) => x - origins[a])));
  const rollup: Record<string, unknown> = { [COUNT_COLUMN]: op.count() };
  let grouped = table(cols).groupby([...layout.keys]);
  const covariances = (out: (a: number, b: number) => string) => {
    for (let a = 0; a < v; a++) for (let b = 0; b <= a; b++) rollup[out(a, b)] = op.covariancep(statName(a), statName(b));
  };
  if (!w) {
    for (let a = 0; a < v; a++) rollup[meanColumn(a)] = op.mean(statName(a));
    covariances(covColumn);
  } else {
    // Weighted cell means (a grouped derive), then the weighted co-moments about them.
    const field = (name: string) => `d[${JSON.stringify(name)}]`;
    const wsName = (a: number) => `vd_ws_${a}`;
    const wmName = (a: number) => `vd_wm_${a}`;
    const withWeights = grouped.assign(
      table({
        vd_wt: w,
        vd_winv: Float64Array.from(w, (x) => 1 / x),
        vd_logw: Float64Array.from(w, Math.log),
        ...Object.fromEntries(stats.map((_, a) => [wsName(a), Float64Array.from(cols[statName(a)] as Float64Array, (x, i) => w[i] * x)])),
      }),
    );
    const means: Record<string, string> = {};
    for (let a = 0; a < v; a++) means[wmName(a)] = `d => op.sum(${field(wsName(a))}) / op.sum(d.vd_wt)`;
    const products: Record<string, string> = {};
    for (let a = 0; a < v; a++) {
      for (let b = 0; b <= a; b++) {
        products[`vd_wp_${a}_${b}`] =
          `d => d.vd_wt * (${field(statName(a))} - ${field(wmName(a))}) * (${field(statName(b))} - ${field(wmName(b))})`;
      }
    }
    grouped = withWeights.derive(means).derive(products).groupby([...layout.keys]);
    rollup[WEIGHT_COLUMNS.sum] = op.sum('vd_wt');
    for (let a = 0; a < v; a++) rollup[meanColumn(a)] = `d => op.sum(${field(wsName(a))}) / op.sum(d.vd_wt)`;
    for (let a = 0; a < v; a++) for (let b = 0; b <= a; b++) rollup[covColumn(a, b)] = `d => op.sum(${field(`vd_wp_${a}_${b}`)}) / op.sum(d.vd_wt)`;
    rollup[WEIGHT_COLUMNS.inverse] = op.sum('vd_winv');
    rollup[WEIGHT_COLUMNS.log] = op.sum('vd_logw');
    rollup[WEIGHT_COLUMNS.min] = op.min('vd_wt');
    rollup[WEIGHT_COLUMNS.max] = op.max('vd_wt');
    for (let a = 0; a < v; a++) rollup[meanColumn(a, false)] = op.mean(statName(a));
    covariances((a, b) => covColumn(a, b, false));
  }
  const agg = grouped.rollup(rollup as Rollup);
  const constants: Record<string, string> = { [DROPPED_COLUMN]: `() => ${frame.nDropped}` };
  // Formula functions and offsets were evaluated by the model frame (which refuses bad values):
  // every cell's error code is 0.
  formulaFunctions(spec).forEach((_, k) => (constants[derivedCodeColumn(k)] = '() => 0'));
  origins.forEach((o, a) => (constants[originColumn(a)] = `() => ${o}`));
  const out = agg.derive(constants).select([...layout.keys, ...aggregateColumns(v, w !== null), ...Object.keys(constants)]);
  const cells = cellsFromAggregates(out, spec.text);
  return { ...cells, nrowsInput: frame.nrowsInput, nDropped: frame.nDropped, missingByColumn: frame.missingByColumn };
}
