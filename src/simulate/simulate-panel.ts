/**
 * Simulated unit x period panels with known variance components, for tests, benchmarks,
 * examples and power checks.
 *
 * The data-generating process (DGP), for unit i = 1..N and period t = 1..T:
 *
 * ```
 * y_it = intercept + beta * x_it + u_i + v_t + e_it
 * u_i  ~ N(0, f_u)                 unit effects
 * v_t  ~ N(0, f_v)                 period effects
 * e_it ~ N(0, f_e / w_it)          residuals (w_it = 1 without weights)
 * x_it = s * (sqrt(1 - c) * a_i + sqrt(c) * b_it),  a_i, b_it ~ N(0, 1)
 * ```
 *
 * where `f = shares * total` (f_u unit, f_x fixed, f_v period, f_e residual), `c` is
 * `covariateWithin` and `s = sqrt(f_x) / |beta|`, so that `Var(beta * x) = f_x`. The four parts
 * therefore add to `total` in expectation, and the NAO-style variance shares are the targets.
 */
import { table } from 'arquero';
import type { ColumnTable } from 'arquero';
import { VardecompError } from '../errors.js';
import { Rng, fillNormal } from '../random/rng.js';

/**
 * Target variance shares of the four parts of the outcome. Each must be finite and >= 0 and
 * together they must sum to 1 (within 1e-9). A key left out counts as 0.
 *
 * @example
 * ```ts
 * const shares: PanelShares = { unit: 0.6, residual: 0.4 }; // no covariate or period effects
 * simulatePanel({ shares });
 * ```
 */
export interface PanelShares {
  /** Unit effects u_i (the NAO's "local authority characteristics"). */
  readonly unit?: number;
  /** The covariate part beta * x_it (the NAO's "deprivation"). */
  readonly fixed?: number;
  /** Period effects v_t (the NAO's "changes that affect all LAs equally"). */
  readonly period?: number;
  /** The residual e_it (unit x period interaction and noise). */
  readonly residual?: number;
}

/**
 * Column names of the simulated table.
 *
 * @example
 * ```ts
 * const names: Partial<PanelColumnNames> = { unit: 'school', period: 'year' };
 * simulatePanel({ names }).columnNames(); // ['school', 'year', 'x', 'y']
 * ```
 */
export interface PanelColumnNames {
  /** Unit label column (strings `U001`, `U002`, ...). Default `unit`. */
  readonly unit: string;
  /** Period column (integers `startPeriod`, ..., `startPeriod + T - 1`). Default `period`. */
  readonly period: string;
  /** Covariate column. Default `x`. */
  readonly x: string;
  /** Outcome column. Default `y`. */
  readonly y: string;
  /** Precision-weight column (only with `weights: true`). Default `w`. */
  readonly weights: string;
  /** True unit effect u_i (only with `components: true`). Default `u`. */
  readonly unitEffect: string;
  /** True period effect v_t (only with `components: true`). Default `v`. */
  readonly periodEffect: string;
  /** True residual e_it (only with `components: true`). Default `e`. */
  readonly residual: string;
}

/**
 * Options of {@link simulatePanel}; every one is optional.
 *
 * @example
 * ```ts
 * const options: SimulatePanelOptions = { units: 40, periods: 5, covariateWithin: 0.5, missing: 0.1, seed: 3 };
 * const panel = simulatePanel(options); // 200 - 20 = 180 rows
 * ```
 */
export interface SimulatePanelOptions {
  /** Number of units N, an integer >= 2 (>= 3 with `exact`). Default 150. */
  readonly units?: number;
  /** Number of periods T, an integer >= 2. Default 8. */
  readonly periods?: number;
  /** Seed: any finite number. Default 1. */
  readonly seed?: number;
  /** Target variance shares. Default `{ unit: 0.44, fixed: 0.15, period: 0.10, residual: 0.31 }`. */
  readonly shares?: PanelShares;
  /** Total variance the four parts add to, finite and > 0. Default 1. */
  readonly total?: number;
  /** The outcome's intercept (the covariate is centred, so this is about the outcome mean). Default 100. */
  readonly intercept?: number;
  /**
   * The covariate's true coefficient (sign and scale): x is scaled so that beta * x carries the
   * target variance. Must be non-zero when `shares.fixed > 0`. When `shares.fixed` is 0 the
   * covariate has unit variance and its true coefficient is 0 (beta is not used). Default 1.
   */
  readonly beta?: number;
  /**
   * Share of the covariate's own variance that varies within units over time, in [0, 1].
   * 0 = time-invariant (like the IMD score), 1 = pure within-unit variation. Default 0.
   */
  readonly covariateWithin?: number;
  /** Fraction of rows dropped at random, in [0, 1): round(missing * N * T) rows are removed. Default 0. */
  readonly missing?: number;
  /**
   * Add a column of positive precision weights (population-like, lognormal, mean 1 over the
   * complete panel); the residual variance of row (i, t) is then f_e / w_it. Default false.
   */
  readonly weights?: boolean;
  /** Column names; a partial object overrides the defaults key by key. */
  readonly names?: Partial<PanelColumnNames>;
  /** First period label (an integer). Default 1. */
  readonly startPeriod?: number;
  /** Make the realised components decompose exactly onto the targets (see {@link simulatePanel}). Default false. */
  readonly exact?: boolean;
  /** Add the true realised u_i, v_t and e_it as columns (names `u`, `v`, `e`). Default false. */
  readonly components?: boolean;
  /**
   * Correlation, in [-1, 1], between the covariate's between-unit part `a_i` and the unit
   * effect `u_i`: `a_i = r u_i / sd(u) + sqrt(1 - r^2) a'_i` (so covariates and unit effects are
   * dependent, as in most real panels; the parts then no longer add to `total`). Needs
   * `shares.unit > 0` and `covariateWithin < 1` when non-zero; not with `exact`. Default 0.
   */
  readonly unitCovariateCorrelation?: number;
  /**
   * The realised period effects v_1..v_T (outcome units), instead of drawing them: panels that
   * share their periods and differ in their units. Not with `exact`. Default: drawn.
   */
  readonly periodEffects?: ArrayLike<number>;
}

const DEFAULT_NAMES: PanelColumnNames = {
  unit: 'unit',
  period: 'period',
  x: 'x',
  y: 'y',
  weights: 'w',
  unitEffect: 'u',
  periodEffect: 'v',
  residual: 'e',
};

const DEFAULT_SHARES = { unit: 0.44, fixed: 0.15, period: 0.1, residual: 0.31 } as const;

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'units',
  'periods',
  'seed',
  'shares',
  'total',
  'intercept',
  'beta',
  'covariateWithin',
  'missing',
  'weights',
  'names',
  'startPeriod',
  'exact',
  'components',
  'unitCovariateCorrelation',
  'periodEffects',
]);

const SHARE_KEYS = ['unit', 'fixed', 'period', 'residual'] as const;

/** Standard deviation of the unit-level log weight (population-like spread). */
const WEIGHT_SD_UNIT = 0.6;
/** Standard deviation of the row-level log-weight drift. */
const WEIGHT_SD_ROW = 0.05;

interface Resolved {
  units: number;
  periods: number;
  seed: number;
  shares: { unit: number; fixed: number; period: number; residual: number };
  total: number;
  intercept: number;
  beta: number;
  covariateWithin: number;
  missing: number;
  weights: boolean;
  names: PanelColumnNames;
  startPeriod: number;
  exact: boolean;
  components: boolean;
  unitCovariateCorrelation: number;
  periodEffects: Float64Array | null;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return Object.prototype.toString.call(v);
  return String(v);
}

function optionError(option: string, message: string, value: unknown): VardecompError {
  return new VardecompError('E_OPTION', `Option "${option}" ${message} (got ${describe(value)})`, {
    option,
    value,
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finiteOption(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw optionError(name, 'must be a finite number', value);
  }
  return value;
}

/**
 * The most rows (`units * periods`) {@link simulatePanel} makes: the panel is held in memory,
 * about {@link BYTES_PER_SIMULATED_ROW} bytes a row (numeric columns and the unit labels), so
 * the limit is about 1 GB.
 *
 * @example
 * ```ts
 * simulatePanel({ units: 1e9 }); // throws E_OPTION naming "units" and the memory it would need
 * ```
 */
export const MAX_SIMULATED_ROWS = 10_000_000;

/** Approximate bytes a simulated row takes (five doubles, a level code and its label's share). */
const BYTES_PER_SIMULATED_ROW = 100;

function integerOption(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw optionError(name, 'must be an integer', value);
  }
  if (value < min) throw optionError(name, `must be >= ${min}`, value);
  return value;
}

function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw optionError(name, 'must be true or false', value);
  return value;
}

function resolveOptions(options: unknown): Resolved {
  if (options === undefined) options = {};
  if (!isPlainObject(options)) {
    throw new VardecompError('E_OPTION', `Options must be an object (got ${describe(options)})`, {
      option: 'options',
    });
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new VardecompError(
        'E_OPTION',
        `Unknown option "${key}" (known options: ${[...OPTION_KEYS].join(', ')})`,
        { option: key },
      );
    }
  }
  const o = options;
  const units = integerOption('units', o.units, 150, 2);
  const periods = integerOption('periods', o.periods, 8, 2);
  const seed = finiteOption('seed', o.seed, 1);
  const total = finiteOption('total', o.total, 1);
  if (!(total > 0)) throw optionError('total', 'must be > 0', o.total);
  const intercept = finiteOption('intercept', o.intercept, 100);
  const beta = finiteOption('beta', o.beta, 1);
  const covariateWithin = finiteOption('covariateWithin', o.covariateWithin, 0);
  if (covariateWithin < 0 || covariateWithin > 1) {
    throw optionError('covariateWithin', 'must be in [0, 1]', o.covariateWithin);
  }
  const missing = finiteOption('missing', o.missing, 0);
  if (missing < 0 || missing >= 1) throw optionError('missing', 'must be in [0, 1)', o.missing);
  const weights = booleanOption('weights', o.weights, false);
  const exact = booleanOption('exact', o.exact, false);
  const components = booleanOption('components', o.components, false);
  const startPeriod = integerOption('startPeriod', o.startPeriod, 1, Number.MIN_SAFE_INTEGER);

  // shares
  let shares: Resolved['shares'] = { ...DEFAULT_SHARES };
  if (o.shares !== undefined) {
    if (!isPlainObject(o.shares)) throw optionError('shares', 'must be an object', o.shares);
    for (const key of Object.keys(o.shares)) {
      if (!(SHARE_KEYS as readonly string[]).includes(key)) {
        throw optionError(`shares.${key}`, `is not a share (use ${SHARE_KEYS.join(', ')})`, o.shares[key]);
      }
    }
    const s = { unit: 0, fixed: 0, period: 0, residual: 0 };
    for (const key of SHARE_KEYS) {
      const v = o.shares[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw optionError(`shares.${key}`, 'must be a finite number >= 0', v);
      }
      s[key] = v;
    }
    shares = s;
  }
  const sum = shares.unit + shares.fixed + shares.period + shares.residual;
  if (Math.abs(sum - 1) > 1e-9) {
    throw new VardecompError(
      'E_OPTION',
      `Option "shares" must sum to 1 (got ${SHARE_KEYS.map((k) => `${k} ${shares[k]}`).join(' + ')} = ${sum})`,
      { option: 'shares', value: { ...shares } },
    );
  }
  if (shares.fixed > 0 && beta === 0) {
    throw optionError('beta', 'must be non-zero when shares.fixed > 0', o.beta);
  }

  // names
  let names: PanelColumnNames = DEFAULT_NAMES;
  if (o.names !== undefined) {
    if (!isPlainObject(o.names)) throw optionError('names', 'must be an object', o.names);
    const merged: Record<string, string> = { ...DEFAULT_NAMES };
    for (const [key, v] of Object.entries(o.names)) {
      if (!(key in DEFAULT_NAMES)) {
        throw optionError(`names.${key}`, `is not a column role (use ${Object.keys(DEFAULT_NAMES).join(', ')})`, v);
      }
      if (v === undefined) continue;
      if (typeof v !== 'string' || v.length === 0) throw optionError(`names.${key}`, 'must be a non-empty string', v);
      merged[key] = v;
    }
    names = merged as unknown as PanelColumnNames;
  }
  const used: Array<keyof PanelColumnNames> = ['unit', 'period', 'x', 'y'];
  if (weights) used.push('weights');
  if (components) used.push('unitEffect', 'periodEffect', 'residual');
  const seen = new Map<string, string>();
  for (const role of used) {
    const name = names[role];
    const other = seen.get(name);
    if (other !== undefined) {
      throw optionError(`names.${role}`, `duplicates the column name of names.${other}`, name);
    }
    seen.set(name, role);
  }

  if (exact && units < 3) throw optionError('units', 'must be >= 3 with exact: true', units);
  const n = units * periods;
  if (n > MAX_SIMULATED_ROWS) {
    const gb = (n * BYTES_PER_SIMULATED_ROW) / 1e9;
    throw optionError(
      units >= periods ? 'units' : 'periods',
      `gives ${units} x ${periods} = ${n.toExponential(2)} rows, more than the ${MAX_SIMULATED_ROWS.toLocaleString('en-GB')} rows ` +
        `a simulated panel may have (it would need about ${gb < 10 ? gb.toFixed(1) : gb.toFixed(0)} GB)`,
      units >= periods ? units : periods,
    );
  }
  if (Math.round(missing * n) >= n) {
    throw optionError('missing', `drops all ${n} rows`, missing);
  }

  const unitCovariateCorrelation = finiteOption('unitCovariateCorrelation', o.unitCovariateCorrelation, 0);
  if (unitCovariateCorrelation < -1 || unitCovariateCorrelation > 1) {
    throw optionError('unitCovariateCorrelation', 'must be in [-1, 1]', o.unitCovariateCorrelation);
  }
  if (unitCovariateCorrelation !== 0 && (exact || shares.unit === 0 || covariateWithin === 1)) {
    throw optionError('unitCovariateCorrelation', 'needs shares.unit > 0, covariateWithin < 1 and exact: false when non-zero', o.unitCovariateCorrelation);
  }
  let periodEffects: Float64Array | null = null;
  if (o.periodEffects !== undefined) {
    const pe = o.periodEffects as ArrayLike<unknown>;
    if (typeof pe !== 'object' || pe === null || typeof pe.length !== 'number' || pe.length !== periods) {
      throw optionError('periodEffects', `must be an array of ${periods} numbers (one per period)`, o.periodEffects);
    }
    periodEffects = new Float64Array(periods);
    for (let t = 0; t < periods; t++) {
      const v = pe[t];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw optionError(`periodEffects[${t}]`, 'must be a finite number', v);
      periodEffects[t] = v;
    }
    if (exact) throw optionError('periodEffects', 'cannot be combined with exact: true', o.periodEffects);
  }

  return {
    unitCovariateCorrelation,
    periodEffects,
    units,
    periods,
    seed,
    shares,
    total,
    intercept,
    beta,
    covariateWithin,
    missing,
    weights,
    names,
    startPeriod,
    exact,
    components,
  };
}

/** Subtract the mean. */
function centre(a: Float64Array): void {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const m = s / a.length;
  for (let i = 0; i < a.length; i++) a[i] -= m;
}

/** Remove row and column means of an N x T matrix stored unit-major (row i = unit i). */
function doubleCentre(z: Float64Array, N: number, T: number): void {
  const rowMean = new Float64Array(N);
  const colMean = new Float64Array(T);
  let grand = 0;
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < T; t++) {
      const v = z[i * T + t];
      rowMean[i] += v;
      colMean[t] += v;
      grand += v;
    }
  }
  for (let i = 0; i < N; i++) rowMean[i] /= T;
  for (let t = 0; t < T; t++) colMean[t] /= N;
  grand /= N * T;
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < T; t++) z[i * T + t] += grand - rowMean[i] - colMean[t];
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** a -= (a.b / b.b) b: make a orthogonal to b (b must be non-zero). */
function orthogonalise(a: Float64Array, b: Float64Array): void {
  const bb = dot(b, b);
  if (bb === 0) return;
  const k = dot(a, b) / bb;
  for (let i = 0; i < a.length; i++) a[i] -= k * b[i];
}

/** Scale a so that sum(a^2) = target (target >= 0). */
function scaleToSumSquares(a: Float64Array, target: number): void {
  const ss = dot(a, a);
  const k = target === 0 || ss === 0 ? 0 : Math.sqrt(target / ss);
  for (let i = 0; i < a.length; i++) a[i] *= k;
}

function scale(a: Float64Array, k: number): void {
  for (let i = 0; i < a.length; i++) a[i] *= k;
}

/**
 * Simulate a unit x period panel whose outcome splits into unit effects, a covariate part,
 * period effects and a residual with known target variance shares.
 *
 * **DGP.** For units i = 1..N and periods t = 1..T,
 * `y_it = intercept + beta * x_it + u_i + v_t + e_it` with `u_i ~ N(0, f_u)`,
 * `v_t ~ N(0, f_v)`, `e_it ~ N(0, f_e / w_it)` (w = 1 without weights) and
 * `x_it = s * (sqrt(1 - c) * a_i + sqrt(c) * b_it)`, `a_i, b_it ~ N(0, 1)`, `c = covariateWithin`,
 * `s = sqrt(f_x) / |beta|`; here `f_u, f_x, f_v, f_e` are `shares.unit`, `shares.fixed`,
 * `shares.period`, `shares.residual` times `total`. So `Var(beta * x) = f_x` and the parts add to
 * `total` in expectation. With weights, f_e is the residual variance at weight 1 (lme4's
 * sigma^2), and `w_it = exp(0.6 g_i + 0.05 h_it)` with g, h standard normal, divided by its mean
 * over the complete panel. x is centred (mean 0); the intercept is the outcome's mean.
 *
 * **Table.** Rows unit-major (all periods of unit 1, then unit 2, ...), columns in the order
 * unit, period, x, y, [weights], [u, v, e]. Unit labels are `U` plus the 1-based index
 * zero-padded to at least 3 digits (`U001`); periods are integers from `startPeriod`.
 *
 * **Reproducibility.** Same options, same table on every platform (see {@link Rng}; the
 * normal deviates and weights also use `Math.log`/`Math.exp`, identical within an engine
 * family such as V8 and at worst a last-bit difference elsewhere). Each
 * component comes from its own stream forked from `new Rng(seed)`, always drawn in full and
 * in this order: `fork('unit-effects')` N normals for u; `fork('period-effects')` T normals for
 * v; `fork('covariate-between')` N normals for a; `fork('covariate-within')` N*T normals for b
 * (unit-major, only when c > 0); `fork('residuals')` N*T normals for e (unit-major);
 * `fork('weights')` N then N*T normals for g and h (only with weights); `fork('missing')` a
 * partial Fisher-Yates shuffle of the row indices whose first round(missing*N*T) entries are
 * dropped. So changing `missing`, `weights`, `covariateWithin` or the shares never changes
 * the other components' draws, and a larger `missing` drops a superset of the rows a smaller
 * one drops. Dropping may remove every row of some unit when `missing` is large.
 *
 * **`exact: true`.** The realised draws are centred, orthogonalised and rescaled so that the
 * panel decomposes onto the targets, not just on average (needs N >= 3). With df_e =
 * (N-1)(T-1) - [c > 0] and df_u = N - 2 (N - 1 when c = 1):
 * - a is centred; b is double-centred (zero mean within every unit and every period); the two
 *   parts are scaled so that the sample variance (n - 1 denominator) of beta * x over all N*T
 *   rows is exactly f_x, with the between part carrying (1 - c) and the within part c of it;
 * - e is double-centred, made orthogonal to b when c > 0, and scaled so that
 *   sum(e^2) / df_e = f_e;
 * - v is centred and scaled so that sum(v_t^2) / (T - 1) = f_v + f_e / N;
 * - u is centred, made orthogonal to a across units (when c < 1), and scaled so that
 *   sum(u_i^2) / df_u = f_u + f_e / T.
 *
 * On the balanced panel (missing = 0, no weights) with c = 0 or c = 1 the balanced two-way
 * ANOVA estimates, which are the REML estimates of `y ~ x + (1|unit) + (1|period)`, are then
 * exactly sigma_u^2 = f_u, sigma_v^2 = f_v, sigma^2 = f_e, the estimated beta equals beta and
 * the components-method shares equal the targets. For 0 < c < 1 the covariate spans two strata
 * and the equalities hold only approximately (exact to the extent the design is balanced and
 * the GLS estimate of beta matches its true value). With missing > 0 or weights the rescaling
 * is applied to the complete panel before rows are dropped (and e is divided by sqrt(w_it)
 * after it), so the targets are met only approximately.
 *
 * Every option is validated; a bad one throws `VardecompError` with code `E_OPTION` naming the
 * option and the value.
 *
 * @example
 * ```ts
 * import { simulatePanel } from 'vardecomp';
 * const panel = simulatePanel({ units: 50, periods: 6, seed: 7, exact: true });
 * panel.numRows(); // 300
 * const y = panel.array('y');
 * ```
 */
export function simulatePanel(options?: SimulatePanelOptions): ColumnTable {
  const o = resolveOptions(options);
  const N = o.units;
  const T = o.periods;
  const n = N * T;
  const c = o.covariateWithin;
  const fU = o.shares.unit * o.total;
  const fX = o.shares.fixed * o.total;
  const fV = o.shares.period * o.total;
  const fE = o.shares.residual * o.total;
  // Variance of x itself and the coefficient that y actually uses.
  const xVar = fX > 0 ? fX / (o.beta * o.beta) : 1;
  const betaTrue = fX > 0 ? o.beta : 0;

  // Draws, each from its own named stream (see the TSDoc for the order).
  const root = new Rng(o.seed);
  const u = fillNormal(root.fork('unit-effects'), new Float64Array(N));
  const v = fillNormal(root.fork('period-effects'), new Float64Array(T));
  const a = fillNormal(root.fork('covariate-between'), new Float64Array(N));
  const b = c > 0 ? fillNormal(root.fork('covariate-within'), new Float64Array(n)) : new Float64Array(n);
  const e = fillNormal(root.fork('residuals'), new Float64Array(n));

  let w: Float64Array | null = null;
  if (o.weights) {
    const rw = root.fork('weights');
    const g = fillNormal(rw, new Float64Array(N));
    const h = fillNormal(rw, new Float64Array(n));
    w = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < N; i++) {
      for (let t = 0; t < T; t++) {
        const k = i * T + t;
        w[k] = Math.exp(WEIGHT_SD_UNIT * g[i] + WEIGHT_SD_ROW * h[k]);
        sum += w[k];
      }
    }
    scale(w, n / sum);
  }

  if (o.exact) {
    const dfE = (N - 1) * (T - 1) - (c > 0 ? 1 : 0);
    const dfU = N - (c < 1 ? 2 : 1);
    centre(a);
    if (c < 1) scaleToSumSquares(a, ((1 - c) * xVar * (n - 1)) / T);
    else a.fill(0);
    if (c > 0) {
      doubleCentre(b, N, T);
      scaleToSumSquares(b, c * xVar * (n - 1));
    }
    doubleCentre(e, N, T);
    if (c > 0) orthogonalise(e, b);
    scaleToSumSquares(e, fE * dfE);
    centre(v);
    scaleToSumSquares(v, (fV + fE / N) * (T - 1));
    centre(u);
    if (c < 1) orthogonalise(u, a);
    scaleToSumSquares(u, (fU + fE / T) * dfU);
  } else {
    const rho = o.unitCovariateCorrelation;
    // Before u is scaled it is standard normal: mix it into a.
    if (rho !== 0) for (let i = 0; i < N; i++) a[i] = rho * u[i] + Math.sqrt(1 - rho * rho) * a[i];
    scale(u, Math.sqrt(fU));
    scale(v, Math.sqrt(fV));
    if (o.periodEffects) v.set(o.periodEffects);
    scale(a, Math.sqrt(xVar * (1 - c)));
    scale(b, Math.sqrt(xVar * c));
    scale(e, Math.sqrt(fE));
  }
  if (w !== null) for (let k = 0; k < n; k++) e[k] /= Math.sqrt(w[k]);

  // Rows to keep.
  const nDrop = Math.round(o.missing * n);
  const keep = new Uint8Array(n).fill(1);
  if (nDrop > 0) {
    const rm = root.fork('missing');
    const idx = new Int32Array(n);
    for (let k = 0; k < n; k++) idx[k] = k;
    for (let k = 0; k < nDrop; k++) {
      const j = k + rm.int(n - k);
      const tmp = idx[k];
      idx[k] = idx[j];
      idx[j] = tmp;
      keep[idx[k]] = 0;
    }
  }
  const m = n - nDrop;

  const width = Math.max(3, String(N).length);
  const labels: string[] = [];
  for (let i = 0; i < N; i++) labels.push(`U${String(i + 1).padStart(width, '0')}`);

  const unitCol: string[] = new Array<string>(m);
  const periodCol: number[] = new Array<number>(m);
  const xCol = new Float64Array(m);
  const yCol = new Float64Array(m);
  const wCol = w !== null ? new Float64Array(m) : null;
  const uCol = o.components ? new Float64Array(m) : null;
  const vCol = o.components ? new Float64Array(m) : null;
  const eCol = o.components ? new Float64Array(m) : null;
  let r = 0;
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < T; t++) {
      const k = i * T + t;
      if (keep[k] === 0) continue;
      const x = a[i] + b[k];
      unitCol[r] = labels[i];
      periodCol[r] = o.startPeriod + t;
      xCol[r] = x;
      yCol[r] = o.intercept + betaTrue * x + u[i] + v[t] + e[k];
      if (wCol !== null && w !== null) wCol[r] = w[k];
      if (uCol !== null && vCol !== null && eCol !== null) {
        uCol[r] = u[i];
        vCol[r] = v[t];
        eCol[r] = e[k];
      }
      r++;
    }
  }

  const columns: Record<string, ArrayLike<unknown>> = {};
  columns[o.names.unit] = unitCol;
  columns[o.names.period] = periodCol;
  columns[o.names.x] = xCol;
  columns[o.names.y] = yCol;
  if (wCol !== null) columns[o.names.weights] = wCol;
  if (uCol !== null && vCol !== null && eCol !== null) {
    columns[o.names.unitEffect] = uCol;
    columns[o.names.periodEffect] = vCol;
    columns[o.names.residual] = eCol;
  }
  return table(columns, Object.keys(columns));
}

/** The settings {@link naoPanel} starts from. */
const NAO_DEFAULTS = {
  units: 150,
  periods: 8,
  startPeriod: 2011,
  shares: { unit: 0.44, fixed: 0.15, period: 0.1, residual: 0.31 },
  intercept: 50,
  total: 400,
} as const;

const NAO_NAMES: Partial<PanelColumnNames> = { unit: 'la', period: 'year', x: 'deprivation', y: 'rate' };

/**
 * A panel shaped like the NAO's 2019 analysis (see NAO.md): 150 local authorities x 8 years
 * (2011-2018), outcome `rate` with mean 50 and total variance 400 (a rate per 10,000 children,
 * standard deviation 20) split 44% authority, 15% deprivation, 10% year, 31% residual; columns
 * `la`, `year`, `deprivation` (time-invariant by default, centred) and `rate`.
 *
 * Any {@link SimulatePanelOptions} overrides these settings; `names` is merged key by key with
 * the NAO names, `shares` replaces the NAO shares as a whole.
 *
 * @example
 * ```ts
 * import { naoPanel } from 'vardecomp';
 * const panel = naoPanel({ exact: true }); // decomposes exactly onto 44/15/10/31
 * panel.columnNames(); // ['la', 'year', 'deprivation', 'rate']
 * ```
 */
export function naoPanel(options?: SimulatePanelOptions): ColumnTable {
  if (options !== undefined && !isPlainObject(options)) return simulatePanel(options);
  const given: SimulatePanelOptions = options ?? {};
  const userNames: unknown = given.names;
  // A malformed `names` is passed through unchanged so that simulatePanel reports it.
  const names = (
    userNames === undefined ? NAO_NAMES : isPlainObject(userNames) ? { ...NAO_NAMES, ...userNames } : userNames
  ) as Partial<PanelColumnNames>;
  return simulatePanel({ ...NAO_DEFAULTS, ...given, names });
}
