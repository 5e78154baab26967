/**
 * `vardecomp/duckdb`: fit, decompose and compare from data that DuckDB reads (a table, a Parquet
 * or CSV file, any SQL query), without loading the rows into JavaScript. DuckDB runs the cell
 * query's `GROUP BY` (see `cellQuery`); only one row per cell comes back, and the model is fitted
 * from those cell statistics.
 *
 * Node only (it needs the optional dependency `@duckdb/node-api`); the core library never imports
 * this entry.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { VardecompError } from '../errors.js';
import type { FormulaInput } from '../formula/model-spec.js';
import { parseFormula } from '../formula/parse-formula.js';
import { cellsFromAggregates } from '../input/aggregate-table.js';
import type { CellStatistics } from '../input/cell-statistics.js';
import { DEFAULT_MISSING_MARKERS } from '../input/cell-text.js';
import { cellQuery, isQuery, quoteIdentifier, sourceRelation } from '../input/cell-query.js';
import { derivedColumnsRead } from '../input/sql-formula.js';
import type { CellFitOptions } from '../model/prepare-from-cells.js';
import type { LmmFit } from '../output/lmm-fit.js';
import { fitCells } from '../fit-aggregates.js';
import { compare, decompose, type DecomposeOptions } from '../decompose-api.js';
import type { DecompositionOptions } from '../decompose/decompose-fit.js';
import type { Comparison, Decomposition } from '../report/index.js';

/**
 * Where the data are: a table or view name, a file (`.parquet`, `.csv`, `.tsv`, `.json`; globs
 * such as `data/*.parquet` too), or a query (`SELECT ...` / `WITH ...`). A string is read as a
 * query when it starts with SELECT or WITH, as a file when it ends in one of those extensions,
 * and as a table name otherwise.
 */
export type DuckDBSource = string | { table: string } | { file: string } | { sql: string };

/** Options of the DuckDB entry points. */
export interface DuckDBOptions {
  /** A DuckDB database file to open (default: an in-memory database). */
  database?: string;
  /** An open connection (`DuckDBConnection` of `@duckdb/node-api`) to use instead. */
  connection?: unknown;
  /** Covariates to treat as categories even though DuckDB stores them as numbers. */
  categorical?: readonly string[];
  /** Called with the query text before it runs (for logging). */
  onQuery?: (sql: string) => void;
  /**
   * A column of precision weights (lme4's `weights`): NULL weights drop their rows as missing;
   * a weight that is not finite and positive is `E_WEIGHTS`, naming the cell, as the row path.
   */
  weights?: string;
}

interface Connection {
  runAndReadAll(sql: string): Promise<{ getRowObjectsJS(): Record<string, unknown>[]; getColumnsObjectJS(): Record<string, unknown[]> }>;
  closeSync?(): void;
}

const FILE_READERS: Record<string, string> = {
  '.parquet': 'read_parquet',
  '.csv': 'read_csv',
  '.tsv': 'read_csv',
  '.json': 'read_json_auto',
  '.ndjson': 'read_json_auto',
};

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quoteName = (s: string) => s.split('.').map((p) => quoteIdentifier(p, 'duckdb')).join('.');

/**
 * The `FROM` text of a source.
 *
 * @example
 * ```ts
 * fromClause('pupils.parquet'); // read_parquet('pupils.parquet')
 * fromClause({ table: 'main.pupils' }); // "main"."pupils"
 * ```
 */
export function fromClause(source: DuckDBSource): string {
  if (typeof source === 'string') {
    if (isQuery(source)) return source;
    const ext = extname(source.replace(/\*+$/, '')).toLowerCase();
    if (FILE_READERS[ext] || existsSync(source)) return fromClause({ file: source });
    return fromClause({ table: source });
  }
  if (typeof source !== 'object' || source === null) throw new VardecompError('E_INPUT', 'A DuckDB source is a table name, a file path or a query');
  if ('sql' in source) return source.sql;
  if ('table' in source) return quoteName(source.table);
  if ('file' in source) {
    const ext = extname(source.file).toLowerCase();
    const reader = FILE_READERS[ext];
    if (!reader) {
      throw new VardecompError('E_INPUT', `File "${source.file}": DuckDB reads .parquet, .csv, .tsv, .json and .ndjson here`, { file: source.file });
    }
    // Delimited text is read with the missing markers R, Stata, SAS and pandas write, as the
    // library's own reader reads them (an `NA` would otherwise make a numeric column VARCHAR).
    const text = reader === 'read_csv' ? `, nullstr = [${[...DEFAULT_MISSING_MARKERS, ''].map(sqlString).join(', ')}]` : '';
    return `${reader}(${sqlString(source.file)}${ext === '.tsv' ? ", delim = '\\t'" : ''}${text})`;
  }
  throw new VardecompError('E_INPUT', 'A DuckDB source is a table name, a file path or a query');
}

async function openConnection(options: DuckDBOptions): Promise<{ conn: Connection; close: () => void }> {
  if (options.connection) return { conn: options.connection as Connection, close: () => {} };
  let api: typeof import('@duckdb/node-api');
  try {
    api = await import('@duckdb/node-api');
  } catch {
    throw new VardecompError('E_INPUT', 'vardecomp/duckdb needs the package @duckdb/node-api: npm install @duckdb/node-api');
  }
  const instance = await api.DuckDBInstance.create(options.database ?? ':memory:');
  const conn = await instance.connect();
  return {
    conn: conn as unknown as Connection,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

const TEXT_TYPES = /^(VARCHAR|BOOLEAN|ENUM|UUID)/i;
const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL|REAL)/i;

function duckdbError(e: unknown, from: string): VardecompError {
  const message = e instanceof Error ? e.message : String(e);
  return new VardecompError('E_INPUT', `DuckDB could not read ${from.length > 200 ? `${from.slice(0, 200)}...` : from}: ${message}`);
}

/**
 * Cell statistics of a model computed by DuckDB: the covariates' types decide which are
 * categorical (text, boolean, enum) as the row path decides, the cell query runs in DuckDB, and
 * its rows (one per cell) are read into cell statistics.
 *
 * @example
 * ```ts
 * import { cellsFromDuckDB } from 'vardecomp/duckdb';
 * const cells = await cellsFromDuckDB('pupils.parquet', 'score ~ ses + (1|school) + (1|year)');
 * ```
 */
export async function cellsFromDuckDB(source: DuckDBSource, formula: FormulaInput, options: DuckDBOptions = {}): Promise<CellStatistics> {
  const spec = parseFormula(formula);
  const from = fromClause(source);
  const fromText = sourceRelation(from);
  const { conn, close } = await openConnection(options);
  try {
    let types: Record<string, unknown>[];
    try {
      types = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${fromText}`)).getRowObjectsJS();
    } catch (e) {
      throw duckdbError(e, typeof source === 'string' ? source : from);
    }
    const typeOf = new Map(types.map((r) => [String(r.column_name), String(r.column_type)]));
    const labels = new Set((spec.derived ?? []).map((d) => d.label));
    const covariates = [...new Set(spec.fixed.flatMap((t) => t.variables))].filter((c) => !labels.has(c));
    const weights = options.weights;
    const read = derivedColumnsRead(spec);
    const used = [
      ...new Set([spec.outcome, ...covariates, ...spec.random.flatMap((r) => r.variables), ...read.numeric, ...read.grouping, ...(weights !== undefined ? [weights] : [])]),
    ];
    for (const c of used) {
      if (!typeOf.has(c)) {
        throw new VardecompError('E_COLUMN', `Column "${c}" is not in the data (columns: ${[...typeOf.keys()].join(', ')})`, { column: c });
      }
    }
    const categorical = covariates.filter((c) => TEXT_TYPES.test(typeOf.get(c)!) || (options.categorical ?? []).includes(c));
    for (const c of new Set([spec.outcome, ...covariates.filter((x) => !categorical.includes(x)), ...read.numeric, ...(weights !== undefined ? [weights] : [])])) {
      if (!NUMERIC_TYPES.test(typeOf.get(c)!)) {
        const hint = TEXT_TYPES.test(typeOf.get(c)!)
          ? ` (if the text is a missing marker such as NA, read the file with read_csv(..., nullstr = ['NA', '']) in your query, or pass the file path, which reads the usual markers)`
          : '';
        throw new VardecompError('E_NONNUMERIC', `Column "${c}" has DuckDB type ${typeOf.get(c)}: a number is needed${hint}`, { column: c });
      }
    }
    const { sql } = cellQuery(spec.text, { from, dialect: 'duckdb', categorical, ...(weights !== undefined ? { weights } : {}) });
    options.onQuery?.(sql);
    let columns: Record<string, unknown[]>;
    try {
      columns = (await conn.runAndReadAll(sql)).getColumnsObjectJS();
    } catch (e) {
      throw duckdbError(e, typeof source === 'string' ? source : from);
    }
    return cellsFromAggregates(columns, spec.text, weights !== undefined ? { weights } : {});
  } finally {
    close();
  }
}

/**
 * Fit a random-intercept model to data DuckDB reads, from cell statistics.
 *
 * @example
 * ```ts
 * import { fitDuckDB } from 'vardecomp/duckdb';
 * const m = await fitDuckDB('pupils.parquet', 'score ~ ses + (1|school) + (1|year)');
 * console.log(m.summary());
 * ```
 */
export async function fitDuckDB(
  source: DuckDBSource,
  formula: FormulaInput,
  options: DuckDBOptions & CellFitOptions = {},
): Promise<LmmFit> {
  const { database, connection, categorical, onQuery, weights, ...fitOptions } = options;
  const cells = await cellsFromDuckDB(source, formula, { database, connection, categorical, onQuery, weights });
  return fitCells(cells, formula, fitOptions);
}

/**
 * Decompose the variation of an outcome in data DuckDB reads (every method, with bootstrap
 * intervals drawn as cell statistics).
 *
 * @example
 * ```ts
 * import { decomposeDuckDB } from 'vardecomp/duckdb';
 * const d = await decomposeDuckDB({ sql: 'SELECT * FROM pupils WHERE year >= 2015' }, 'score ~ ses + (1|school) + (1|year)', {
 *   method: 'shapley',
 * });
 * console.log(d.format());
 * ```
 */
export async function decomposeDuckDB(
  source: DuckDBSource,
  formula: FormulaInput,
  options: DuckDBOptions & CellFitOptions & Omit<DecomposeOptions, 'weights' | 'reml' | 'control'> = {},
): Promise<Decomposition> {
  const { database, connection, categorical, onQuery, weights, reml, control, ...rest } = options;
  const m = await fitDuckDB(source, formula, { database, connection, categorical, onQuery, weights, reml, control });
  return decompose(m, rest);
}

/**
 * The three methods side by side for data DuckDB reads.
 *
 * @example
 * ```ts
 * import { compareDuckDB } from 'vardecomp/duckdb';
 * console.log((await compareDuckDB('pupils.parquet', 'score ~ ses + (1|school) + (1|year)')).format());
 * ```
 */
export async function compareDuckDB(
  source: DuckDBSource,
  formula: FormulaInput,
  options: DuckDBOptions & CellFitOptions & DecompositionOptions = {},
): Promise<Comparison> {
  const { database, connection, categorical, onQuery, weights, reml, control, ...rest } = options;
  const m = await fitDuckDB(source, formula, { database, connection, categorical, onQuery, weights, reml, control });
  return compare(m, rest);
}
