/**
 * The aggregate table: cell statistics as rows of a table, the shape an SQL `GROUP BY` (see
 * `sql/cell-query.ts`) or an arquero rollup returns, and the shape `vardecomp fit --aggregates`
 * reads.
 *
 * One row per cell. Columns:
 *
 * - the key columns under their own names (grouping variables of the random terms, then the
 *   categorical covariates);
 * - `vd_n`: the number of rows in the cell;
 * - `vd_mean_<a>`: the mean of statistic column a (the layout's numeric monomials in formula
 *   order, then the outcome), minus its origin;
 * - optionally `vd_origin_<a>`: that origin, any value near the column's values (the same on
 *   every row; 0 when absent). Means of values near 0 keep the digits that a mean of a column
 *   with a large offset would lose;
 * - `vd_cov_<a>_<b>` (a >= b): the population covariance of columns a and b within the cell
 *   (`COVAR_POP`; the co-moment divided by the count);
 * - optionally `vd_dropped`: rows of the input left out for a missing value (the same on every
 *   row), or `vd_complete`: 0 on rows that aggregate incomplete input rows (their `vd_n` counts
 *   as dropped; the rest of such a row is ignored), 1 on cells.
 *
 * With precision weights (the table then has `vd_w`), `vd_mean_<a>` and `vd_cov_<a>_<b>` are
 * weighted (`sum w u / sum w`, `sum w (u_a - mean_a) (u_b - mean_b) / sum w`), and the table also
 * holds what the components method and the checks of the row path need:
 *
 * - `vd_w`: the weight sum; `vd_winv`: the sum of `1 / w`; `vd_logw`: the sum of `log w`;
 * - `vd_wmin`, `vd_wmax`: the smallest and largest weight (checked as the row path checks each
 *   weight: finite, positive, within the magnitude bound and the ratio bound);
 * - `vd_umean_<a>`, `vd_ucov_<a>_<b>`: the unweighted means (minus the origin) and population
 *   covariances.
 *
 * A covariate of the formula that is present as a column is a categorical covariate (a key).
 */
import { VardecompError } from '../errors.js';
import type { FormulaInput, ModelSpec } from '../formula/model-spec.js';
import { parseFormula } from '../formula/parse-formula.js';
import { derivedCodeColumn, derivedColumnsRead, formulaFunctions } from './sql-formula.js';
import { cellLayout, packedIndex, type CellLayout, type CellStatistics } from './cell-statistics.js';
import { toDataSource, type ColumnValues, type DataInput, type DataSource } from './data-source.js';
import { MAX_MAGNITUDE, MAX_WEIGHT_RATIO } from './model-frame.js';

/** Name of the count column. */
export const COUNT_COLUMN = 'vd_n';
/** Name of the optional dropped-rows column. */
export const DROPPED_COLUMN = 'vd_dropped';
/**
 * Name of the optional completeness column: 1 for a cell of complete rows, 0 for a group of rows
 * with a missing model value (counted as dropped, otherwise ignored). `cellQuery` writes it.
 */
export const COMPLETE_COLUMN = 'vd_complete';

/** Names of the weighted table's columns: weight sum, sums of 1/w and log w, smallest and largest weight. */
export const WEIGHT_COLUMNS = Object.freeze({
  sum: 'vd_w',
  inverse: 'vd_winv',
  log: 'vd_logw',
  min: 'vd_wmin',
  max: 'vd_wmax',
} as const);

/**
 * Column names of the aggregate table for a layout (keys excluded), in query order; `weighted`
 * adds the weight columns and the unweighted moments.
 *
 * @example
 * ```ts
 * aggregateColumns(2); // ['vd_n', 'vd_mean_0', 'vd_mean_1', 'vd_cov_0_0', 'vd_cov_1_0', 'vd_cov_1_1']
 * aggregateColumns(1, true); // ['vd_n', 'vd_mean_0', 'vd_cov_0_0', 'vd_w', 'vd_winv', 'vd_logw', 'vd_wmin', 'vd_wmax', 'vd_umean_0', 'vd_ucov_0_0']
 * ```
 */
export function aggregateColumns(v: number, weighted = false): string[] {
  const out = [COUNT_COLUMN];
  for (let a = 0; a < v; a++) out.push(meanColumn(a));
  for (let a = 0; a < v; a++) for (let b = 0; b <= a; b++) out.push(covColumn(a, b));
  if (weighted) {
    out.push(...Object.values(WEIGHT_COLUMNS));
    for (let a = 0; a < v; a++) out.push(meanColumn(a, false));
    for (let a = 0; a < v; a++) for (let b = 0; b <= a; b++) out.push(covColumn(a, b, false));
  }
  return out;
}

/**
 * The mean column of statistic column a (`weighted` false: the unweighted mean of a weighted table).
 *
 * @example
 * ```ts
 * meanColumn(0); // 'vd_mean_0'
 * meanColumn(0, false); // 'vd_umean_0'
 * ```
 */
export function meanColumn(a: number, weighted = true): string {
  return `vd_${weighted ? '' : 'u'}mean_${a}`;
}

/**
 * The origin column of statistic column a.
 *
 * @example
 * ```ts
 * originColumn(0); // 'vd_origin_0'
 * ```
 */
export function originColumn(a: number): string {
  return `vd_origin_${a}`;
}

/**
 * The covariance column of statistic columns a and b (a >= b; `weighted` false: the unweighted
 * covariance of a weighted table).
 *
 * @example
 * ```ts
 * covColumn(1, 0); // 'vd_cov_1_0'
 * covColumn(1, 0, false); // 'vd_ucov_1_0'
 * ```
 */
export function covColumn(a: number, b: number, weighted = true): string {
  const p = weighted ? 'vd_cov' : 'vd_ucov';
  return a >= b ? `${p}_${a}_${b}` : `${p}_${b}_${a}`;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * The layout an aggregate table was made for: covariates present as columns are categorical.
 *
 * @example
 * ```ts
 * aggregateLayout(['la', 'year', 'vd_n', 'vd_mean_0'], parseFormula('y ~ (1|la) + (1|year)')).keys; // ['la', 'year']
 * ```
 */
export function aggregateLayout(columnNames: readonly string[], spec: ReturnType<typeof parseFormula>): CellLayout {
  const covariates = [...new Set(spec.fixed.flatMap((t) => t.variables))];
  return cellLayout(
    spec,
    covariates.filter((c) => columnNames.includes(c)),
  );
}

/**
 * The numeric columns a cell query reads, in the order of its magnitude flags: the covariates of
 * the monomials that are columns, the outcome, and the numeric arguments of formula functions.
 * The row path refuses a value of any of them beyond {@link MAX_MAGNITUDE}; the query flags such
 * values per cell (`vd_big_<i>`) so that the reader can refuse them too.
 *
 * @example
 * ```ts
 * const spec = parseFormula('y ~ x + log(z) + (1|g)');
 * queryNumericColumns(spec, cellLayout(spec, [])); // ['x', 'y', 'z'] (in the layout's order)
 * ```
 */
export function queryNumericColumns(spec: ModelSpec, layout: CellLayout): string[] {
  const labels = (spec.derived ?? []).map((x) => x.label);
  const read = derivedColumnsRead(spec);
  return [...new Set([...layout.monomials.flatMap((m) => m.variables).filter((x) => !labels.includes(x)), spec.outcome, ...read.numeric])];
}

/**
 * The name of a cell query's magnitude flag for its `i`-th numeric column (see
 * {@link queryNumericColumns}): the largest, over the cell's rows, of 1 where the value lies
 * beyond {@link MAX_MAGNITUDE}, else 0.
 *
 * @example
 * ```ts
 * magnitudeColumn(0); // 'vd_big_0'
 * ```
 */
export const magnitudeColumn = (i: number): string => `vd_big_${i}`;

/** Options of {@link cellsFromAggregates}. */
export interface CellsFromAggregatesOptions {
  /** The weights column the table was aggregated with, named in messages about bad weights. */
  weights?: string;
}

/** A cell's keys as text for messages: `school = "S1", year = 2019`. */
function cellLabel(source: DataSource, keys: readonly string[], r: number): string {
  return keys.map((k) => `${k} = ${describe(source.column(k)[r])}`).join(', ');
}

/**
 * The weight columns of a weighted aggregate table, checked as the row path checks each weight
 * (`buildModelFrame`): every weight finite and positive, within {@link MAX_MAGNITUDE} and its
 * inverse, and the largest at most {@link MAX_WEIGHT_RATIO} times the smallest. An engine does
 * not say which row holds a bad weight: the error names the cell and the value.
 */
function readWeights(
  source: DataSource,
  num: (name: string) => Float64Array,
  keys: readonly string[],
  wname: string,
): { sum: Float64Array; inverse: Float64Array; sumLog: number } {
  const ncells = source.nrows;
  const lo = num(WEIGHT_COLUMNS.min);
  const hi = num(WEIGHT_COLUMNS.max);
  let rlo = 0;
  let rhi = 0;
  // A row's smallest and largest weight: finite, positive and within the magnitude bounds.
  const checkWeight = (v: number, r: number): void => {
    if (!(Number.isFinite(v) && v > 0)) {
      throw new VardecompError(
        'E_WEIGHTS',
        `Weight "${wname}" is ${v} in a row of the cell ${cellLabel(source, keys, r)} (aggregate row ${r}): weights must be finite and positive`,
        { column: wname, cell: r },
      );
    }
    if (v > MAX_MAGNITUDE || v < 1 / MAX_MAGNITUDE) {
      throw new VardecompError(
        'E_WEIGHTS',
        `Weight "${wname}" is ${v} in a row of the cell ${cellLabel(source, keys, r)} (aggregate row ${r}): weights must lie between ${1 / MAX_MAGNITUDE} and ${MAX_MAGNITUDE} (rescale them)`,
        { column: wname, cell: r },
      );
    }
  };
  for (let r = 0; r < ncells; r++) {
    checkWeight(lo[r], r);
    checkWeight(hi[r], r);
    if (lo[r] < lo[rlo]) rlo = r;
    if (hi[r] > hi[rhi]) rhi = r;
  }
  if (hi[rhi] / lo[rlo] > MAX_WEIGHT_RATIO) {
    throw new VardecompError(
      'E_WEIGHTS',
      `Weights "${wname}" span a factor of ${(hi[rhi] / lo[rlo]).toExponential(1)} (cell ${cellLabel(source, keys, rlo)}: ${lo[rlo]}, ` +
        `cell ${cellLabel(source, keys, rhi)}: ${hi[rhi]}), more than ${MAX_WEIGHT_RATIO}: beyond what double precision can fit`,
      { column: wname, cell: rhi },
    );
  }
  const sum = num(WEIGHT_COLUMNS.sum);
  const inverse = num(WEIGHT_COLUMNS.inverse);
  const log = num(WEIGHT_COLUMNS.log);
  let sumLog = 0;
  const checkPositive = (col: string, values: Float64Array, r: number): void => {
    if (!(Number.isFinite(values[r]) && values[r] > 0)) {
      throw new VardecompError('E_NONNUMERIC', `Aggregate column "${col}" row ${r} holds ${describe(source.column(col)[r])}: must be a finite number > 0`, { column: col, row: r });
    }
  };
  for (let r = 0; r < ncells; r++) {
    checkPositive(WEIGHT_COLUMNS.sum, sum, r);
    checkPositive(WEIGHT_COLUMNS.inverse, inverse, r);
    if (!Number.isFinite(log[r])) {
      throw new VardecompError('E_NONNUMERIC', `Aggregate column "${WEIGHT_COLUMNS.log}" row ${r} holds ${describe(source.column(WEIGHT_COLUMNS.log)[r])}: must be a finite number`, {
        column: WEIGHT_COLUMNS.log,
        row: r,
      });
    }
    sumLog += log[r];
  }
  return { sum, inverse, sumLog };
}

/**
 * The formula functions' error codes of a query's cells (`vd_bad_<k>`, see `sql-formula.ts`),
 * refused as the row path refuses the values: a value undefined, not finite or beyond the
 * magnitude bound in some row is `E_NONNUMERIC`, a constant `scale()` argument `E_CONSTANT`.
 * Tables without the columns (written by other means) are not checked.
 */
function checkDerivedCodes(source: DataSource, spec: ModelSpec, keys: readonly string[]): void {
  const offsets = spec.offsets?.length ?? 0;
  const functions = formulaFunctions(spec);
  functions.forEach((d, k) => {
    const name = derivedCodeColumn(k);
    if (!source.has(name)) {
      // The outcome statistic of a table written for offsets is y minus them: only such a table
      // (with their codes) may be read for a formula with offsets.
      if (k >= functions.length - offsets) {
        throw new VardecompError(
          'E_COLUMN',
          `The aggregate table has no column "${name}" for the offset ${d.label}: write it for this formula (vardecomp sql), which subtracts the offset from the outcome`,
          { column: name, term: d.label },
        );
      }
      return;
    }
    const col = source.column(name);
    let constant = -1;
    for (let r = 0; r < source.nrows; r++) {
      const code = toNumber(col[r]);
      if (code === 2) {
        throw new VardecompError(
          'E_NONNUMERIC',
          `Term "${d.label}" is undefined, not finite or beyond ${MAX_MAGNITUDE} in a row of the cell ${cellLabel(source, keys, r)} (aggregate row ${r}), ` +
            'for example the log of a value <= 0; the SQL engine does not say which row (a fit from the rows names it)',
          { term: d.label, cell: r },
        );
      }
      if (code === 1 && constant < 0) constant = r;
      else if (code !== 0 && code !== 1) {
        throw new VardecompError('E_NONNUMERIC', `Aggregate column "${name}" row ${r} holds ${describe(col[r])}: must be 0, 1 or 2`, { column: name, row: r });
      }
    }
    if (constant >= 0) {
      throw new VardecompError('E_CONSTANT', `Term "${d.label}": the argument is constant over the model rows, so it cannot be scaled`, { term: d.label });
    }
  });
}

/**
 * The magnitude flags of a query's cells (`vd_big_<i>`): a value of a numeric column beyond
 * {@link MAX_MAGNITUDE} in a row of a complete cell is `E_NONNUMERIC`, as the row path refuses it.
 * Tables without the columns (written by other means) are not checked.
 */
function checkMagnitudes(source: DataSource, spec: ModelSpec, layout: CellLayout): void {
  queryNumericColumns(spec, layout).forEach((column, i) => {
    const name = magnitudeColumn(i);
    if (!source.has(name)) return;
    const col = source.column(name);
    for (let r = 0; r < source.nrows; r++) {
      const flag = toNumber(col[r]);
      if (flag === 1) {
        throw new VardecompError(
          'E_NONNUMERIC',
          `Column "${column}" holds a value beyond the supported magnitude ${MAX_MAGNITUDE} in a row of the cell ${cellLabel(source, layout.keys, r)} (aggregate row ${r}): ` +
            'rescale the column (the SQL engine does not say which row; a fit from the rows names it)',
          { column, cell: r },
        );
      }
      if (flag !== 0) {
        throw new VardecompError('E_NONNUMERIC', `Aggregate column "${name}" row ${r} holds ${describe(col[r])}: must be 0 or 1`, { column: name, row: r });
      }
    }
  });
}

/**
 * Cell statistics from the rows of an aggregate table (an SQL result, an arquero rollup, a CSV of
 * either). Checks every value: counts are whole numbers >= 1, means finite, variances >= 0;
 * errors name the column and the row.
 *
 * @example
 * ```ts
 * const cells = cellsFromAggregates(await conn.runAndReadAll(query).getRowObjects(), 'y ~ x + (1|la) + (1|year)');
 * ```
 */
export function cellsFromAggregates(data: DataInput, formula: FormulaInput, options: CellsFromAggregatesOptions = {}): CellStatistics {
  const spec = parseFormula(formula);
  const all = toDataSource(data);
  const layout = aggregateLayout(all.columnNames(), spec);
  // Groups of incomplete rows (vd_complete = 0) only count as dropped.
  let droppedGroups = 0;
  let source = all;
  if (all.has(COMPLETE_COLUMN)) {
    const flag = all.column(COMPLETE_COLUMN);
    const n = all.has(COUNT_COLUMN) ? all.column(COUNT_COLUMN) : null;
    const keep: number[] = [];
    for (let r = 0; r < all.nrows; r++) {
      const f = toNumber(flag[r]);
      if (f === 1) keep.push(r);
      else if (f === 0) droppedGroups += n ? toNumber(n[r]) : 0;
      else throw new VardecompError('E_NONNUMERIC', `Aggregate column "${COMPLETE_COLUMN}" row ${r} holds ${describe(flag[r])}: must be 0 or 1`, { column: COMPLETE_COLUMN, row: r });
    }
    if (!Number.isFinite(droppedGroups)) throw new VardecompError('E_NONNUMERIC', `Aggregate column "${COUNT_COLUMN}" holds a count that is not a number`, { column: COUNT_COLUMN });
    if (keep.length < all.nrows) {
      const cols: Record<string, unknown[]> = {};
      for (const name of all.columnNames()) {
        const col = all.column(name);
        cols[name] = keep.map((r) => col[r]);
      }
      source = toDataSource(cols);
      if (keep.length === 0) throw new VardecompError('E_EMPTY', `No complete rows: all ${droppedGroups} rows miss a value in a column of the model`);
    }
  }
  const ncells = source.nrows;
  if (ncells === 0) throw new VardecompError('E_EMPTY', 'The aggregate table has no rows (no complete rows in the data?)');
  checkDerivedCodes(source, spec, layout.keys);
  checkMagnitudes(source, spec, layout);
  const v = layout.columns.length;
  const need = [...layout.keys, ...aggregateColumns(v)];
  for (const name of need) {
    if (!source.has(name)) {
      throw new VardecompError(
        'E_COLUMN',
        `The aggregate table has no column "${name}": it must hold the columns of \`vardecomp sql\` for this formula (${need.join(', ')})`,
        { column: name },
      );
    }
  }
  const num = (name: string): Float64Array => {
    const col = source.column(name);
    const out = new Float64Array(ncells);
    for (let r = 0; r < ncells; r++) out[r] = toNumber(col[r]);
    return out;
  };
  const bad = (name: string, r: number, value: unknown, what: string) =>
    new VardecompError('E_NONNUMERIC', `Aggregate column "${name}" row ${r} holds ${describe(value)}: ${what}`, { column: name, row: r });
  const count = num(COUNT_COLUMN);
  for (let r = 0; r < ncells; r++) {
    const c = count[r];
    if (!(Number.isInteger(c) && c >= 1)) throw bad(COUNT_COLUMN, r, source.column(COUNT_COLUMN)[r], 'a cell count must be a whole number >= 1');
  }
  const weighted = source.has(WEIGHT_COLUMNS.sum);
  if (weighted) {
    for (const name of aggregateColumns(v, true)) {
      if (!source.has(name)) {
        throw new VardecompError('E_COLUMN', `The aggregate table has "${WEIGHT_COLUMNS.sum}" (weighted cells) but no column "${name}": write it with \`vardecomp sql --weights\``, {
          column: name,
        });
      }
    }
  }
  const weights = weighted ? readWeights(source, num, layout.keys, options.weights ?? 'weights') : null;
  const meansOf = (w: boolean): Float64Array => {
    const mean = new Float64Array(ncells * v);
    for (let a = 0; a < v; a++) {
      const name = meanColumn(a, w);
      const col = num(name);
      for (let r = 0; r < ncells; r++) {
        if (!Number.isFinite(col[r])) throw bad(name, r, source.column(name)[r], `the mean of "${layout.columns[a]}" must be a finite number`);
        mean[r * v + a] = col[r];
      }
    }
    return mean;
  };
  // Co-moments: covariances times the cell's weight sum (its count when unweighted).
  const comomentsOf = (w: boolean, scale: Float64Array): Float64Array => {
    const np = (v * (v + 1)) / 2;
    const comoment = new Float64Array(ncells * np);
    for (let a = 0; a < v; a++) {
      for (let b = 0; b <= a; b++) {
        const name = covColumn(a, b, w);
        const raw = source.column(name);
        const col = num(name);
        const k = packedIndex(a, b);
        for (let r = 0; r < ncells; r++) {
          let c = col[r];
          // One-row cells: engines return 0 or NULL for a population covariance.
          if (count[r] === 1 && (raw[r] === null || raw[r] === undefined || Number.isNaN(c))) c = 0;
          if (!Number.isFinite(c) || (a === b && c < 0)) {
            throw bad(name, r, raw[r], a === b ? 'a variance must be a finite number >= 0' : 'a covariance must be a finite number');
          }
          comoment[r * np + k] = c * scale[r];
        }
      }
    }
    return comoment;
  };
  const mean = meansOf(true);
  const origin = new Float64Array(v);
  for (let a = 0; a < v; a++) {
    const name = originColumn(a);
    if (!source.has(name)) continue;
    const o = toNumber(source.column(name)[0]);
    if (!Number.isFinite(o)) throw bad(name, 0, source.column(name)[0], 'an origin must be a finite number');
    origin[a] = o;
  }
  const comoment = comomentsOf(true, weights ? weights.sum : count);
  const unweighted = weights ? { mean: meansOf(false), comoment: comomentsOf(false, count) } : null;
  const keys: Record<string, ColumnValues> = {};
  for (const k of layout.keys) {
    const col = source.column(k);
    const vals = new Array<unknown>(ncells);
    for (let r = 0; r < ncells; r++) {
      const x = col[r];
      if (x === null || x === undefined || (typeof x === 'number' && !Number.isFinite(x))) {
        throw new VardecompError('E_NONNUMERIC', `Aggregate key "${k}" row ${r} is missing: rows with a missing key must be left out before aggregating`, {
          column: k,
          row: r,
        });
      }
      vals[r] = typeof x === 'bigint' ? (Number.isSafeInteger(Number(x)) ? Number(x) : String(x)) : x;
    }
    keys[k] = vals;
  }
  let nDropped = droppedGroups;
  if (source.has(DROPPED_COLUMN)) {
    const d = toNumber(source.column(DROPPED_COLUMN)[0]);
    if (!(Number.isInteger(d) && d >= 0)) throw bad(DROPPED_COLUMN, 0, source.column(DROPPED_COLUMN)[0], 'must be a whole number >= 0');
    nDropped += d;
  }
  let total = 0;
  for (let r = 0; r < ncells; r++) total += count[r];
  return {
    ncells,
    keys,
    columns: layout.columns,
    count,
    weight: weights ? weights.sum : null,
    origin,
    mean,
    comoment,
    sumLogWeight: weights ? weights.sumLog : 0,
    ...(spec.offsets ? { offsets: spec.offsets.map((o) => o.label) } : {}),
    ...(weights ? { sumInverseWeight: weights.inverse, unweighted } : {}),
    nrowsInput: total + nDropped,
    nDropped,
    missingByColumn: [],
  };
}
