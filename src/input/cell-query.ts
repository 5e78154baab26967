/**
 * One SQL query that returns a model's cell statistics (the aggregate table of
 * `aggregate-table.ts`), for DuckDB, PostgreSQL, BigQuery and Spark SQL: the data never leave
 * the engine, only one row per cell comes back.
 *
 * The query reads the source once: each row gets its keys, its statistic columns as doubles
 * (numeric monomials, outcome last) and a completeness flag (every model column present and
 * finite, keys not blank, as the row path's model frame decides); the `GROUP BY` runs over
 * keys and flag. Incomplete rows land in `vd_complete = 0` groups, which the reader counts as
 * dropped and skips. Means are taken about an origin, one complete row's values (any value in
 * the data's range keeps the cell means' digits; see `cell-statistics.ts`), and co-moments are
 * `COVAR_POP`, which every engine here computes with a stable update.
 *
 * Formula functions (`log(x)`, `scale(x)`, `within(x, g)`, ...) are computed in the query over the
 * complete rows (`sql-formula.ts`); precision weights add weighted sums (`aggregate-table.ts`).
 */
import { VardecompError } from '../errors.js';
import type { FormulaInput } from '../formula/model-spec.js';
import { parseFormula } from '../formula/parse-formula.js';
import { covColumn, magnitudeColumn, meanColumn, originColumn, queryNumericColumns, COMPLETE_COLUMN, COUNT_COLUMN, WEIGHT_COLUMNS } from './aggregate-table.js';
import { MAX_MAGNITUDE } from './model-frame.js';
import { derivedCodeColumn, derivedColumnsRead, derivedValueColumn, formulaFunctions, translateDerived } from './sql-formula.js';
import { cellLayout, type CellLayout } from './cell-statistics.js';

/** The SQL dialects a cell query is written for. */
export type SqlDialect = 'duckdb' | 'postgres' | 'bigquery' | 'spark';

/**
 * The dialects, in display order.
 *
 * @example
 * ```ts
 * SQL_DIALECTS.includes('postgres'); // true
 * ```
 */
export const SQL_DIALECTS: readonly SqlDialect[] = ['duckdb', 'postgres', 'bigquery', 'spark'];

/** Options of {@link cellQuery}. */
export interface CellQueryOptions {
  /**
   * The data: a table name (pasted into `FROM` as written, so qualify and quote it as the engine
   * needs, e.g. `analytics.pupils` or `read_parquet('pupils.parquet')`), or a query starting with
   * `SELECT` or `WITH` (used as a subquery).
   */
  from: string;
  /** Default `duckdb`. */
  dialect?: SqlDialect;
  /** Covariates that are categories (they join the cell keys). Default none: every covariate is numeric. */
  categorical?: readonly string[];
  /**
   * A column of precision weights (lme4's `weights`). Rows with a NULL weight are dropped as
   * missing; a weight that is not finite and positive, or beyond the row path's bounds, is
   * reported by the reader (`E_WEIGHTS`, naming the cell), as the row path reports it.
   */
  weights?: string;
}

interface Dialect {
  quote(name: string): string;
  /**
   * How the row CTE is declared: it is read twice (the origin row and the GROUP BY), and DuckDB
   * and PostgreSQL would otherwise materialise it (all rows in memory: 1.2 GiB at 30M rows);
   * BigQuery and Spark inline it.
   */
  cte: string;
  double: string;
  text: string;
  finite(expr: string): string;
  /** Positive infinity as a double literal. */
  infinity: string;
  /** A scalar function's name (formula functions; see sql-formula.ts). */
  fn?(name: 'LN' | 'SQRT' | 'EXP' | 'POWER'): string;
}

const DIALECTS: Record<SqlDialect, Dialect> = {
  duckdb: {
    quote: (n) => `"${n.replace(/"/g, '""')}"`,
    cte: 'AS NOT MATERIALIZED',
    double: 'DOUBLE',
    text: 'VARCHAR',
    finite: (e) => `isfinite(${e})`,
    infinity: "CAST('Infinity' AS DOUBLE)",
  },
  postgres: {
    quote: (n) => `"${n.replace(/"/g, '""')}"`,
    cte: 'AS NOT MATERIALIZED',
    double: 'DOUBLE PRECISION',
    text: 'TEXT',
    finite: (e) => `${e} NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)`,
    infinity: "'Infinity'::float8",
  },
  bigquery: {
    quote: (n) => `\`${n.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``,
    cte: 'AS',
    double: 'FLOAT64',
    text: 'STRING',
    finite: (e) => `NOT IS_NAN(${e}) AND NOT IS_INF(${e})`,
    infinity: "CAST('inf' AS FLOAT64)",
    fn: (name) => `SAFE.${name}`,
  },
  spark: {
    quote: (n) => `\`${n.replace(/`/g, '``')}\``,
    cte: 'AS',
    double: 'DOUBLE',
    text: 'STRING',
    finite: (e) => `NOT isnan(${e}) AND abs(${e}) != double('infinity')`,
    infinity: "double('infinity')",
  },
};

/**
 * Quote a column name as an identifier of the dialect.
 *
 * @example
 * ```ts
 * quoteIdentifier('pupil "id"', 'postgres'); // "pupil ""id"""
 * quoteIdentifier('pupil`s', 'spark');       // `pupil``s`
 * ```
 */
export function quoteIdentifier(name: string, dialect: SqlDialect): string {
  if (name.includes('\u0000')) throw new VardecompError('E_COLUMN', `Column name ${JSON.stringify(name)} holds a NUL character, which no SQL engine accepts`, { column: name });
  return DIALECTS[dialect].quote(name);
}

/**
 * True when a source text is a query (it starts with SELECT or WITH) rather than a table name.
 *
 * @example
 * ```ts
 * isQuery('SELECT * FROM pupils'); // true
 * isQuery('main.pupils'); // false
 * ```
 */
export function isQuery(from: string): boolean {
  return /^\s*\(?\s*(select|with)\b/i.test(from);
}

/**
 * The relation a cell query reads: a table name as given, or a query as the subquery
 * `vd_source` (a trailing semicolon dropped; on lines of its own, so that a closing `--`
 * comment cannot swallow the parenthesis).
 *
 * @example
 * ```ts
 * sourceRelation('pupils'); // "pupils"
 * sourceRelation('SELECT * FROM pupils;'); // "(\nSELECT * FROM pupils\n) AS vd_source"
 * ```
 */
export function sourceRelation(from: string): string {
  return isQuery(from) ? `(\n${from.trim().replace(/;\s*$/, '')}\n) AS vd_source` : from.trim();
}

/**
 * The query returning the cell statistics of a model, and the layout it was written for.
 *
 * @example
 * ```ts
 * const { sql } = cellQuery('score ~ ses + (1|school) + (1|year)', { from: 'pupils', dialect: 'postgres' });
 * // run it anywhere, then: fitAggregates(resultRows, 'score ~ ses + (1|school) + (1|year)')
 * ```
 */
export function cellQuery(formula: FormulaInput, options: CellQueryOptions): { sql: string; layout: CellLayout } {
  const dialect = options.dialect ?? 'duckdb';
  if (!Object.prototype.hasOwnProperty.call(DIALECTS, dialect)) {
    throw new VardecompError('E_OPTION', `Option "dialect" must be one of ${SQL_DIALECTS.join(', ')} (got ${JSON.stringify(dialect)})`, { option: 'dialect' });
  }
  if (typeof options.from !== 'string' || options.from.trim() === '') {
    throw new VardecompError('E_OPTION', 'Option "from" must be a table name or a query', { option: 'from' });
  }
  const d = DIALECTS[dialect];
  const spec = parseFormula(formula);
  if (spec.random.length === 0) throw new VardecompError('E_FORMULA', `Formula "${spec.text}" has no random term: add one such as (1 | unit)`);
  const layout = cellLayout(spec, options.categorical ?? []);
  const q = (n: string) => quoteIdentifier(n, dialect);
  const num = (n: string) => `CAST(${q(n)} AS ${d.double})`;
  const from = sourceRelation(options.from);
  const labels = (spec.derived ?? []).map((x) => x.label);
  const functions = formulaFunctions(spec);
  const read = derivedColumnsRead(spec);
  // Numeric columns: monomial variables that are columns, the outcome, and formula functions' arguments.
  const numeric = queryNumericColumns(spec, layout);
  const grouping = read.grouping.filter((g) => !layout.keys.includes(g));
  const weights = options.weights;
  if (weights !== undefined && (typeof weights !== 'string' || weights.trim() === '')) {
    throw new VardecompError('E_OPTION', 'Option "weights" must be a column name', { option: 'weights' });
  }
  const present = (k: string) => `${q(k)} IS NOT NULL AND TRIM(CAST(${q(k)} AS ${d.text})) <> ''`;
  const complete = [
    ...layout.keys.map(present),
    ...grouping.map(present),
    ...numeric.map((n) => `${num(n)} IS NOT NULL AND ${d.finite(num(n))}`),
    // A weight is missing only when NULL: other bad weights are errors, as in the row path.
    ...(weights !== undefined ? [`${q(weights)} IS NOT NULL`] : []),
  ];
  const sel = (lines: string[]) => lines.map((l) => `    ${l}`).join(',\n');
  const bound = (x: number) => `CAST(${x} AS ${d.double})`;
  const weightLines =
    weights === undefined
      ? []
      : [
          `${num(weights)} AS vd_wraw`,
          // The weight where the row path accepts it, else NULL (the reader then refuses the cell).
          `CASE WHEN ${num(weights)} >= ${bound(1 / MAX_MAGNITUDE)} AND ${num(weights)} <= ${bound(MAX_MAGNITUDE)} THEN ${num(weights)} END AS vd_wt`,
        ];
  const okLine = `CASE WHEN ${complete.join('\n      AND ')} THEN 1 ELSE 0 END AS vd_ok`;
  // A value beyond the row path's magnitude bound, flagged per column (the reader refuses it).
  const bigLines = numeric.map((n, i) => `CASE WHEN ABS(${num(n)}) > ${bound(MAX_MAGNITUDE)} THEN 1 ELSE 0 END AS ${magnitudeColumn(i)}`);
  // Without formula functions the row CTE computes the statistic columns itself; with them, the
  // row CTE casts the columns (vd_c_<i>) and decides completeness, window CTEs add group means
  // over the complete rows, one CTE evaluates each function (vd_d_<k>) and the last the
  // statistic columns and each function's error code (see sql-formula.ts).
  const ctes: string[] = [];
  let last = 'vd_rows';
  let stats: string[];
  let codes: string[] = [];
  if (functions.length === 0) {
    stats = [...layout.monomials.map((m) => m.variables.map(num).join(' * ')), num(spec.outcome)];
    ctes.push(`vd_rows ${d.cte} (\n  SELECT\n${sel([...layout.keys.map(q), ...stats.map((x, a) => `${x} AS vd_s_${a}`), ...weightLines, ...bigLines, okLine])}\n  FROM ${from}\n)`);
  } else {
    const col = (n: string) => `vd_c_${numeric.indexOf(n)}`;
    const t = translateDerived(spec, { numeric: col, grouping: q, double: d.double, infinity: d.infinity, ...(d.fn ? { fn: d.fn } : {}) });
    ctes.push(
      `vd_rows ${d.cte} (\n  SELECT\n${sel([...layout.keys.map(q), ...grouping.map(q), ...numeric.map((n) => `${num(n)} AS ${col(n)}`), ...weightLines, ...bigLines, okLine])}\n  FROM ${from}\n)`,
    );
    for (let level = 1; level <= t.levels; level++) {
      const cols = t.windows.filter((w) => w.level === level).map((w) => `${w.sql} AS ${w.name}`);
      ctes.push(`vd_level_${level} AS (\n  SELECT *,\n${sel(cols)}\n  FROM ${last}\n)`);
      last = `vd_level_${level}`;
    }
    // Without windows every CTE streams (NOT MATERIALIZED where the dialect says so): the rows
    // are never held (3M rows: 162 MiB peak instead of 266); window functions hold each
    // partition's rows anyway.
    const streamed = t.levels > 0 ? 'AS' : d.cte;
    ctes.push(`vd_derived ${streamed} (\n  SELECT *,\n${sel(t.values.map((v, k) => `${v} AS ${derivedValueColumn(k)}`))}\n  FROM ${last}\n)`);
    const variable = (x: string) => (labels.includes(x) ? derivedValueColumn(labels.indexOf(x)) : col(x));
    // With offsets the outcome's statistic is y minus their sum, as the row path fits it.
    const offsets = (spec.offsets ?? []).map((_, k) => derivedValueColumn(labels.length + k));
    const outcome = offsets.length === 0 ? col(spec.outcome) : `(${col(spec.outcome)} - (${offsets.join(' + ')}))`;
    stats = [...layout.monomials.map((m) => m.variables.map(variable).join(' * ')), outcome];
    codes = [...t.codes];
    // Read twice (origin, GROUP BY): with windows, computed once when the engine materialises it.
    ctes.push(
      `vd_values ${streamed} (\n  SELECT\n${sel([
        ...layout.keys.map(q),
        ...stats.map((x, a) => `${x} AS vd_s_${a}`),
        ...codes.map((c, k) => `${c} AS vd_e_${k}`),
        ...(weights !== undefined ? ['vd_wraw', 'vd_wt'] : []),
        ...numeric.map((_, i) => magnitudeColumn(i)),
        'vd_ok',
      ])}\n  FROM vd_derived\n)`,
    );
    last = 'vd_values';
  }
  const v = stats.length;
  const originCte = sel(stats.map((_, a) => `vd_s_${a} AS vd_o_${a}`));
  const aggregates: string[] = [...layout.keys.map((k) => `r.${q(k)}`), `r.vd_ok AS ${COMPLETE_COLUMN}`, `COUNT(*) AS ${COUNT_COLUMN}`];
  const dev = (a: number) => `(r.vd_s_${a} - o.vd_o_${a})`;
  const avg = (a: number) => `AVG(r.vd_s_${a} - o.vd_o_${a})`;
  if (weights === undefined) {
    for (let a = 0; a < v; a++) aggregates.push(`${avg(a)} AS ${meanColumn(a)}`);
    for (let a = 0; a < v; a++) for (let b = 0; b <= a; b++) aggregates.push(`COVAR_POP(r.vd_s_${a}, r.vd_s_${b}) AS ${covColumn(a, b)}`);
  } else {
    // Weighted means and covariances from weighted sums about the origin (one complete row's
    // values, so the sums are of numbers of the data's spread, not of its offset).
    const wsum = 'NULLIF(SUM(r.vd_wt), 0)';
    const wmean = (a: number) => `SUM(r.vd_wt * ${dev(a)}) / ${wsum}`;
    for (let a = 0; a < v; a++) aggregates.push(`${wmean(a)} AS ${meanColumn(a)}`);
    for (let a = 0; a < v; a++) {
      for (let b = 0; b <= a; b++) {
        const cov = `SUM(r.vd_wt * ${dev(a)} * ${dev(b)}) / ${wsum} - (${wmean(a)}) * (${wmean(b)})`;
        aggregates.push(`${a === b ? `GREATEST(${cov}, ${bound(0)})` : cov} AS ${covColumn(a, b)}`);
      }
    }
    aggregates.push(
      `SUM(r.vd_wt) AS ${WEIGHT_COLUMNS.sum}`,
      `SUM(1 / r.vd_wt) AS ${WEIGHT_COLUMNS.inverse}`,
      `SUM(LN(r.vd_wt)) AS ${WEIGHT_COLUMNS.log}`,
      `MIN(r.vd_wraw) AS ${WEIGHT_COLUMNS.min}`,
      `MAX(r.vd_wraw) AS ${WEIGHT_COLUMNS.max}`,
    );
    for (let a = 0; a < v; a++) aggregates.push(`${avg(a)} AS ${meanColumn(a, false)}`);
    for (let a = 0; a < v; a++) for (let b = 0; b <= a; b++) aggregates.push(`COVAR_POP(r.vd_s_${a}, r.vd_s_${b}) AS ${covColumn(a, b, false)}`);
  }
  for (let a = 0; a < v; a++) aggregates.push(`MAX(o.vd_o_${a}) AS ${originColumn(a)}`);
  codes.forEach((_, k) => aggregates.push(`MAX(r.vd_e_${k}) AS ${derivedCodeColumn(k)}`));
  numeric.forEach((_, i) => aggregates.push(`MAX(r.${magnitudeColumn(i)}) AS ${magnitudeColumn(i)}`));
  const groupBy = [...layout.keys.map((k) => `r.${q(k)}`), 'r.vd_ok'].join(', ');
  const sql = [
    `-- vardecomp cell statistics for: ${spec.text.replace(/[\r\n]+/g, ' ')}`,
    `-- statistic columns: ${layout.columns.map((c, a) => `${a} = ${c}`).join(', ').replace(/[\r\n]+/g, ' ')}`,
    ...(weights !== undefined ? [`-- precision weights: ${weights.replace(/[\r\n]+/g, ' ')}`] : []),
    ...(functions.length > 0
      ? [`-- formula functions (error codes vd_bad_<k>): ${functions.map((f, k) => `${k} = ${f.label}`).join(', ').replace(/[\r\n]+/g, ' ')}`]
      : []),
    ...(spec.offsets ? ['-- the outcome statistic is the outcome minus the offsets'] : []),
    `WITH ${ctes.join(', ')}, vd_origin AS (`,
    '  SELECT',
    originCte,
    `  FROM ${last} WHERE vd_ok = 1 LIMIT 1`,
    ')',
    'SELECT',
    sel(aggregates).replace(/^ {4}/gm, '  '),
    `FROM ${last} AS r CROSS JOIN vd_origin AS o`,
    `GROUP BY ${groupBy}`,
  ].join('\n');
  return { sql, layout };
}
