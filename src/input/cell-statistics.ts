/**
 * Cell statistics: the sufficient statistics of a random-intercept model (DESIGN.md, "Sufficient
 * statistics are the engine's only input").
 *
 * A cell is one combination of the key columns: the grouping variables of the random terms and
 * the categorical covariates. Within a cell every random effect and every dummy of X is constant,
 * so the model needs, per cell, only
 *
 * - the row count and the weight sum,
 * - the (weighted) means of the statistic columns: the numeric monomials of the fixed part
 *   (`x`, `x:z` for an interaction of two numeric columns, `log(x)` or `within(x, g)` for a
 *   formula function, evaluated over the complete rows) and the outcome, last,
 * - their (weighted) within-cell centred cross-products, the co-moments
 *   `sum_i w_i (u_ai - mean_a)(u_bi - mean_b)`, packed lower triangle
 *   (`index(a, b) = a (a + 1) / 2 + b`, `a >= b`).
 *
 * Means and co-moments rather than raw sums keep the statistics accurate when a column has a
 * large offset (a raw `sum x^2 - (sum x)^2 / n` cancels; a co-moment does not), and they are what
 * SQL engines compute stably (`AVG`, `COVAR_POP`). The means are stored relative to an origin per
 * column (any value near the data, e.g. its overall mean): a cell mean of `z - origin` keeps the
 * digits that a plain mean of a column such as `1e6 + noise` would round away. A slope term's `Z'Z` blocks are sums of
 * `z z'` within cells, so slope columns extend the statistic columns the same way.
 *
 * Builders: {@link cellsFromRows} (one pass over in-memory rows),
 * {@link cellsFromAggregates} (the rows of an aggregate query: SQL `GROUP BY` or an arquero
 * rollup, see `aggregate-table.ts`).
 */
import { VardecompError } from '../errors.js';
import type { FormulaInput, ModelSpec } from '../formula/model-spec.js';
import { parseFormula } from '../formula/parse-formula.js';
import { derivedColumn } from '../formula/specials.js';
import { toDataSource, type ColumnValues, type DataInput, type DataSource } from './data-source.js';
import { buildModelFrame, type ModelFrame } from './model-frame.js';

/** Per-cell sufficient statistics of one model's columns. */
export interface CellStatistics {
  readonly ncells: number;
  /** Key columns (random-term variables, then categorical covariates): one raw value per cell. */
  readonly keys: Readonly<Record<string, ColumnValues>>;
  /** Statistic columns: the numeric monomials of the fixed part (`x`, `x:z`), then the outcome. */
  readonly columns: readonly string[];
  /** Rows per cell. */
  readonly count: Float64Array;
  /** Weight sum per cell; null when unweighted (the weight of a cell is then its count). */
  readonly weight: Float64Array | null;
  /** Per statistic column, the origin its means are measured from (zeros are fine). */
  readonly origin: Float64Array;
  /** Weighted means minus the origin, `ncells x columns.length`, row-major. */
  readonly mean: Float64Array;
  /** Weighted within-cell co-moments, `ncells x v (v + 1) / 2` (packed lower triangles). */
  readonly comoment: Float64Array;
  /** Sum of the log weights over all rows (0 when unweighted). */
  readonly sumLogWeight: number;
  /**
   * Weighted cells only: per cell, the sum of `1 / w` over its rows (the components method's
   * residual part, `sigma^2 * mean(1/w)`). Absent when the builder had no rows' weights.
   */
  readonly sumInverseWeight?: Float64Array | null;
  /**
   * Weighted cells only: the unweighted means (minus the origin) and within-cell co-moments of
   * the statistic columns, laid out as `mean` and `comoment` (the components method's fixed part
   * is an unweighted variance over the rows). Absent when the builder had no rows.
   */
  readonly unweighted?: CellMoments | null;
  /**
   * The formula's offset terms (`offset(log(pop))`), when the outcome's statistics are of the
   * outcome minus their sum (the response a fit with offsets sees).
   */
  readonly offsets?: readonly string[];
  /** Rows in the input, and rows dropped for missing values before aggregation. */
  readonly nrowsInput: number;
  readonly nDropped: number;
  /** Rows dropped per column, when known. */
  readonly missingByColumn: ReadonlyArray<{ column: string; count: number }>;
}

/** Means (minus the origin) and packed within-cell co-moments of the statistic columns. */
export interface CellMoments {
  readonly mean: Float64Array;
  readonly comoment: Float64Array;
}

/** A numeric monomial of the fixed part: the product of its variables (`x:z`). */
export interface CellMonomial {
  readonly name: string;
  readonly variables: readonly string[];
}

/** Which columns a model's cells are keyed by and which statistics they carry. */
export interface CellLayout {
  readonly spec: ModelSpec;
  /** Key columns: random-term variables (formula order), then categorical covariates. */
  readonly keys: readonly string[];
  readonly categorical: readonly string[];
  readonly monomials: readonly CellMonomial[];
  /** Monomial names, then the outcome. */
  readonly columns: readonly string[];
}

/**
 * Position of the co-moment of statistic columns a and b in a cell's packed lower triangle.
 *
 * @example
 * ```ts
 * packedIndex(2, 1); // 4: (0,0) (1,0) (1,1) (2,0) (2,1) ...
 * ```
 */
export function packedIndex(a: number, b: number): number {
  return a >= b ? (a * (a + 1)) / 2 + b : (b * (b + 1)) / 2 + a;
}

/**
 * The cell layout of a model: its keys (grouping variables and categorical covariates) and its
 * statistic columns (numeric monomials, outcome last). `categorical` names the covariates that
 * are categories (they join the keys).
 *
 * @example
 * ```ts
 * const layout = cellLayout(parseFormula('y ~ x + region + x:z + (1|la) + (1|year)'), ['region']);
 * layout.keys;    // ['la', 'year', 'region']
 * layout.columns; // ['x', 'x:z', 'y']
 * ```
 */
export function cellLayout(spec: ModelSpec, categorical: readonly string[]): CellLayout {
  const covariates = new Set(spec.fixed.flatMap((t) => t.variables));
  const derived = new Set((spec.derived ?? []).map((d) => d.label));
  for (const c of categorical) {
    if (!covariates.has(c) || derived.has(c)) {
      throw new VardecompError('E_OPTION', `"${c}" is named as a categorical covariate but is not a covariate column of the formula`, { column: c });
    }
  }
  const keys: string[] = [];
  for (const r of spec.random) for (const v of r.variables) if (!keys.includes(v)) keys.push(v);
  const cats = categorical.filter((c) => !keys.includes(c));
  keys.push(...cats);
  if (keys.includes(spec.outcome)) {
    throw new VardecompError('E_FORMULA', `The outcome "${spec.outcome}" is also a grouping or categorical column`, { column: spec.outcome });
  }
  const monomials: CellMonomial[] = [];
  for (const t of spec.fixed) {
    const vars = t.variables.filter((v) => !categorical.includes(v));
    if (vars.length === 0) continue;
    const name = vars.join(':');
    if (!monomials.some((m) => m.name === name)) monomials.push({ name, variables: vars });
  }
  return { spec, keys, categorical: categorical.slice(), monomials, columns: [...monomials.map((m) => m.name), spec.outcome] };
}

/** Options of {@link cellsFromRows}. */
export interface CellsFromRowsOptions {
  /** Precision weights: a column name or one weight per input row. */
  weights?: string | ArrayLike<number>;
}

/**
 * Combine per-cell key codes into one cell index per row (cells in order of first appearance).
 */
function cellIndex(codes: readonly Int32Array[], sizes: readonly number[], n: number): { cellOf: Int32Array; first: number[] } {
  const cellOf = new Int32Array(n);
  const first: number[] = [];
  let radix = 1;
  for (const s of sizes) radix *= Math.max(1, s);
  const numeric = radix < 2 ** 52;
  const index = new Map<number | string, number>();
  for (let i = 0; i < n; i++) {
    let key: number | string;
    if (numeric) {
      let k = 0;
      for (let f = 0; f < codes.length; f++) k = k * sizes[f] + codes[f][i];
      key = k;
    } else {
      key = codes.map((c) => c[i]).join(',');
    }
    let c = index.get(key);
    if (c === undefined) {
      c = first.length;
      index.set(key, c);
      first.push(i);
    }
    cellOf[i] = c;
  }
  return { cellOf, first };
}

/**
 * The model frame of the rows a cell builder aggregates (complete cases, as `fit` uses them) and
 * the cell layout it implies (string-valued covariates are categorical).
 *
 * @example
 * ```ts
 * const { frame, layout } = cellFrame(rows, 'y ~ x + region + (1|la)');
 * layout.keys; // ['la', 'region']
 * ```
 */
export function cellFrame(
  data: DataInput,
  formula: FormulaInput,
  weights?: string | ArrayLike<number>,
): { spec: ModelSpec; source: DataSource; frame: ModelFrame; layout: CellLayout } {
  const spec = parseFormula(formula);
  const source = toDataSource(data);
  const derived = new Set((spec.derived ?? []).map((d) => d.label));
  const covariates = [...new Set(spec.fixed.flatMap((t) => t.variables))].filter((c) => !derived.has(c));
  const frame = buildModelFrame(source, {
    outcome: spec.outcome,
    covariates,
    groups: spec.random.map((r) => ({ name: r.group, variables: r.variables })),
    weights: weights ?? null,
    // Formula functions are evaluated over the complete rows, as the row path evaluates them;
    // each is then a numeric statistic column like any other.
    ...(spec.derived ? { derived: spec.derived.map(derivedColumn) } : {}),
    // Offset terms: the outcome's statistics are then of y minus their sum (statisticColumns).
    ...(spec.offsets ? { offsets: spec.offsets.map(derivedColumn) } : {}),
  });
  const layout = cellLayout(
    spec,
    covariates.filter((c) => frame.variables.get(c)?.kind === 'categorical'),
  );
  return { spec, source, frame, layout };
}

/**
 * The statistic columns of a frame's rows, one Float64Array each (monomials, then the outcome,
 * minus the frame's offset when it has one).
 *
 * @example
 * ```ts
 * const [x, xz, y] = statisticColumns(frame, layout);
 * ```
 */
export function statisticColumns(frame: ModelFrame, layout: CellLayout): Float64Array[] {
  const n = frame.nobs;
  const cols: Float64Array[] = layout.monomials.map((m) => {
    const out = new Float64Array(n).fill(1);
    for (const name of m.variables) {
      const v = frame.variables.get(name);
      if (!v || v.kind !== 'numeric') throw new VardecompError('E_NONNUMERIC', `Covariate "${name}" is not numeric`, { column: name });
      for (let i = 0; i < n; i++) out[i] *= v.values[i];
    }
    return out;
  });
  // With offsets the outcome's statistic is the response the fit sees, y minus the offsets.
  cols.push(frame.offset ? Float64Array.from(frame.y, (y, i) => y - frame.offset![i]) : frame.y);
  return cols;
}

/**
 * The origins of the statistic columns: their overall (weighted) means, so that cell means are
 * of small numbers (a cell mean of `z - origin` keeps the digits a plain mean would round away).
 *
 * @example
 * ```ts
 * statisticOrigins([Float64Array.of(1, 3)], null); // Float64Array [2]
 * statisticOrigins([Float64Array.of(1, 3)], Float64Array.of(3, 1)); // Float64Array [1.5]
 * ```
 */
export function statisticOrigins(stats: readonly Float64Array[], w: ArrayLike<number> | null): Float64Array {
  const n = stats[0]?.length ?? 0;
  let wtotal = 0;
  for (let i = 0; i < n; i++) wtotal += w ? w[i] : 1;
  return Float64Array.from(stats, (col) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (w ? w[i] : 1) * col[i];
    return s / wtotal;
  });
}

/**
 * Cell statistics of in-memory rows: the model frame (complete cases, as `fit` uses them), then
 * one pass for the cell means and one for the within-cell co-moments.
 *
 * @example
 * ```ts
 * const cells = cellsFromRows(rows, 'y ~ x + (1|la) + (1|year)');
 * cells.ncells; // number of (la, year) combinations present
 * ```
 */
export function cellsFromRows(data: DataInput, formula: FormulaInput, options: CellsFromRowsOptions = {}): CellStatistics {
  const { source, frame, layout } = cellFrame(data, formula, options.weights);
  const categorical = layout.categorical;
  const n = frame.nobs;
  const codes: Int32Array[] = [];
  const sizes: number[] = [];
  for (const f of frame.factors) {
    codes.push(f.codes);
    sizes.push(f.levels.length);
  }
  for (const c of categorical) {
    const v = frame.variables.get(c)!;
    if (v.kind === 'categorical') {
      codes.push(v.codes);
      sizes.push(v.levels.length);
    }
  }
  const { cellOf, first } = cellIndex(codes, sizes, n);
  const ncells = first.length;
  const keys: Record<string, unknown[]> = {};
  for (const k of layout.keys) {
    const col = source.column(k);
    keys[k] = first.map((i) => col[frame.rows[i]]);
  }
  const stats = statisticColumns(frame, layout);
  const v = stats.length;
  const w = frame.weights;
  const count = new Float64Array(ncells);
  const weight = w ? new Float64Array(ncells) : null;
  const mean = new Float64Array(ncells * v);
  const origin = statisticOrigins(stats, w);
  for (let i = 0; i < n; i++) {
    const c = cellOf[i];
    const wi = w ? w[i] : 1;
    count[c] += 1;
    if (weight) weight[c] += wi;
    for (let a = 0; a < v; a++) mean[c * v + a] += wi * (stats[a][i] - origin[a]);
  }
  const wsum = weight ?? count;
  for (let c = 0; c < ncells; c++) for (let a = 0; a < v; a++) mean[c * v + a] /= wsum[c];
  const { comoment, sumLogWeight } = cellComoments(stats, origin, cellOf, count, mean, w);
  // Weighted cells also carry what the components method needs of the rows: sum(1/w) and the
  // unweighted moments (the same passes with unit weights).
  let sumInverseWeight: Float64Array | null = null;
  let unweighted: CellMoments | null = null;
  if (w) {
    sumInverseWeight = new Float64Array(ncells);
    const umean = new Float64Array(ncells * v);
    for (let i = 0; i < n; i++) {
      const c = cellOf[i];
      sumInverseWeight[c] += 1 / w[i];
      for (let a = 0; a < v; a++) umean[c * v + a] += stats[a][i] - origin[a];
    }
    for (let c = 0; c < ncells; c++) for (let a = 0; a < v; a++) umean[c * v + a] /= count[c];
    unweighted = { mean: umean, comoment: cellComoments(stats, origin, cellOf, count, umean, null).comoment };
  }
  return {
    ncells,
    keys,
    columns: layout.columns,
    count,
    weight,
    origin,
    mean,
    comoment,
    sumLogWeight,
    sumInverseWeight,
    unweighted,
    ...(frame.offset ? { offsets: layout.spec.offsets!.map((o) => o.label) } : {}),
    nrowsInput: frame.nrowsInput,
    nDropped: frame.nDropped,
    missingByColumn: frame.missingByColumn,
  };
}

/** Within-cell co-moments about the given cell means (weighted by `w` when given) and the sum of the log weights. */
function cellComoments(
  stats: readonly Float64Array[],
  origin: Float64Array,
  cellOf: Int32Array,
  count: Float64Array,
  mean: Float64Array,
  w: Float64Array | null,
): { comoment: Float64Array; sumLogWeight: number } {
  const v = stats.length;
  const np = (v * (v + 1)) / 2;
  const comoment = new Float64Array(count.length * np);
  const dev = new Float64Array(v);
  let sumLogWeight = 0;
  for (let i = 0; i < cellOf.length; i++) {
    const c = cellOf[i];
    const wi = w ? w[i] : 1;
    if (w) sumLogWeight += Math.log(wi);
    for (let a = 0; a < v; a++) dev[a] = stats[a][i] - origin[a] - mean[c * v + a];
    let k = c * np;
    for (let a = 0; a < v; a++) {
      const wa = wi * dev[a];
      for (let b = 0; b <= a; b++) comoment[k++] += wa * dev[b];
    }
  }
  return { comoment, sumLogWeight };
}
