/**
 * The CLI's inputs that are fitted from cell statistics: a Parquet file or `--sql "<query>"`
 * (DuckDB runs the cell query; only cells come back), and `--aggregates` (the input file is the
 * result of `vardecomp sql`'s query, run elsewhere).
 */
import { resolve } from 'node:path';
import { VardecompError } from '../errors.js';
import { fitAggregates } from '../fit-aggregates.js';
import { WEIGHT_COLUMNS } from '../input/aggregate-table.js';
import type { LmmFit } from '../output/lmm-fit.js';
import type { Diagnostic } from '../diagnostics.js';
import type { CellStatistics } from '../input/cell-statistics.js';
import { formatName } from '../formula/tokenize.js';
import type { CliIo } from './cli-io.js';
import { readInput, type InputOptions } from './read-input.js';

/** The options of the data commands that route a model through cell statistics. */
export interface AggregateInputOptions extends InputOptions {
  aggregates?: boolean;
  sql?: string;
  weights?: string;
  ml?: boolean;
}

/**
 * True when the command's input is fitted from cell statistics.
 *
 * @example
 * ```ts
 * usesCells('pupils.parquet', {}); // true
 * usesCells('panel.csv', {}); // false
 * ```
 */
export function usesCells(file: string | undefined, o: AggregateInputOptions): boolean {
  return o.aggregates === true || o.sql !== undefined || (file !== undefined && /\.parquet$/i.test(file));
}

/**
 * The fit from cell statistics for a command's input: DuckDB for a Parquet file or `--sql`, the
 * aggregate table for `--aggregates`.
 *
 * @example
 * ```ts
 * const m = await fitFromCells('pupils.parquet', { }, 'score ~ ses + (1|school)', io);
 * ```
 */
export async function fitFromCells(
  file: string | undefined,
  o: AggregateInputOptions,
  formula: string,
  io: CliIo,
  onWarning?: (warning: Diagnostic) => void,
): Promise<LmmFit> {
  const reml = !o.ml;
  const early = onWarning ? { onWarning } : {};
  if (o.aggregates) {
    if (o.sql !== undefined) throw new VardecompError('E_OPTION', 'Give either --sql or --aggregates, not both', { option: 'sql' });
    const { table } = await readInput(file, o, io);
    checkAggregateWeights(table.columnNames(), o.weights);
    return fitAggregates(table, formula, { reml, ...early, ...(o.weights !== undefined ? { weights: o.weights } : {}) });
  }
  const { fitDuckDB } = await import('../duckdb/index.js');
  return fitDuckDB(duckdbSource(file, o, io), formula, { reml, ...early, ...(o.weights !== undefined ? { weights: o.weights } : {}) });
}

/**
 * An aggregate table is weighted when the query was written with weights (`vardecomp sql
 * --weights`): `--weights` must say so, and must not be given for an unweighted table.
 */
function checkAggregateWeights(columns: readonly string[], weights: string | undefined): void {
  const weighted = columns.includes(WEIGHT_COLUMNS.sum);
  if (weighted && weights === undefined) {
    throw new VardecompError(
      'E_OPTION',
      `The aggregate table holds weighted statistics ("${WEIGHT_COLUMNS.sum}"): name the weights column it was written with, --weights <column>`,
      { option: 'weights' },
    );
  }
  if (!weighted && weights !== undefined) {
    throw new VardecompError(
      'E_OPTION',
      `Option "--weights" needs a weighted aggregate table (with "${WEIGHT_COLUMNS.sum}"): write its query with vardecomp sql --weights ${weights}`,
      { option: 'weights' },
    );
  }
}

function duckdbSource(file: string | undefined, o: AggregateInputOptions, io: CliIo): { sql: string } | { file: string } {
  if (o.sql !== undefined && file !== undefined && file !== '-') {
    throw new VardecompError('E_OPTION', 'Give either a data file or --sql "<query>", not both (the query names its own data)', { option: 'sql' });
  }
  return o.sql !== undefined ? { sql: o.sql } : { file: resolve(io.cwd ?? process.cwd(), file!) };
}

/**
 * Cell statistics of several outcomes on one right-hand side, one DuckDB aggregation each (a
 * Parquet file or `--sql`; an aggregate table holds one outcome, so `--aggregates` is refused).
 *
 * @example
 * ```ts
 * const byOutcome = await cellsForOutcomes('pupils.parquet', {}, ['maths', 'reading'], 'ses + (1|school)', io);
 * ```
 */
export async function cellsForOutcomes(
  file: string | undefined,
  o: AggregateInputOptions,
  outcomes: readonly string[],
  rhs: string,
  io: CliIo,
): Promise<Record<string, CellStatistics>> {
  if (o.aggregates) {
    throw new VardecompError('E_OPTION', 'An aggregate table holds one outcome: decompose it with --formula, or run one query per outcome', { option: 'aggregates' });
  }
  const source = duckdbSource(file, o, io);
  const { cellsFromDuckDB } = await import('../duckdb/index.js');
  const out: Record<string, CellStatistics> = {};
  const options = o.weights !== undefined ? { weights: o.weights } : {};
  for (const outcome of outcomes) out[outcome] = await cellsFromDuckDB(source, `${formatName(outcome)} ~ ${rhs}`, options);
  return out;
}
