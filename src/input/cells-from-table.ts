/**
 * Cell statistics by an arquero rollup: the complete rows of the model's columns are grouped by
 * the cell keys and aggregated by arquero (`count`, `mean`, `covariancep`) into the aggregate
 * table that an SQL `GROUP BY` returns, which {@link cellsFromAggregates} then reads.
 */
import { op, table } from 'arquero';
import type { FormulaInput } from '../formula/model-spec.js';
import { aggregateColumns, cellsFromAggregates, covColumn, meanColumn, originColumn, COUNT_COLUMN, DROPPED_COLUMN } from './aggregate-table.js';
import { cellFrame, statisticColumns, type CellStatistics } from './cell-statistics.js';
import type { DataInput } from './data-source.js';

/**
 * Cell statistics of a table (or any data input) computed by an arquero `groupby().rollup()`.
 *
 * @example
 * ```ts
 * const cells = cellsFromTable(aq.loadCSV('panel.csv'), 'y ~ x + (1|la) + (1|year)');
 * ```
 */
export function cellsFromTable(data: DataInput, formula: FormulaInput): CellStatistics {
  // The model frame decides which rows are complete and which covariates are categories.
  const { spec, source, frame, layout } = cellFrame(data, formula);
  const n = frame.nobs;
  const cols: Record<string, ArrayLike<unknown>> = {};
  for (const k of layout.keys) {
    const col = source.column(k);
    cols[k] = Array.from(frame.rows, (i) => col[i]);
  }
  const statName = (a: number) => `vd_s_${a}`;
  statisticColumns(frame, layout).forEach((col, a) => (cols[statName(a)] = col));
  const v = layout.columns.length;
  // Origins (the overall means), subtracted before the rollup so that cell means keep their digits.
  const origins: number[] = [];
  for (let a = 0; a < v; a++) {
    const col = cols[statName(a)] as Float64Array;
    let s = 0;
    for (let i = 0; i < n; i++) s += col[i];
    const o = s / n;
    origins.push(o);
    cols[statName(a)] = col.map((x) => x - o);
  }
  const rollup: Record<string, unknown> = { [COUNT_COLUMN]: op.count() };
  for (let a = 0; a < v; a++) rollup[meanColumn(a)] = op.mean(statName(a));
  for (let a = 0; a < v; a++) for (let b = 0; b <= a; b++) rollup[covColumn(a, b)] = op.covariancep(statName(a), statName(b));
  const agg = table(cols)
    .groupby([...layout.keys])
    .rollup(rollup as Parameters<ReturnType<typeof table>['rollup']>[0]);
  const constants: Record<string, string> = { [DROPPED_COLUMN]: `() => ${frame.nDropped}` };
  origins.forEach((o, a) => (constants[originColumn(a)] = `() => ${o}`));
  const out = agg.derive(constants).select([...layout.keys, ...aggregateColumns(v), ...Object.keys(constants)]);
  const cells = cellsFromAggregates(out, spec.text);
  return { ...cells, nrowsInput: frame.nrowsInput, nDropped: frame.nDropped, missingByColumn: frame.missingByColumn };
}
