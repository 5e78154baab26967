/**
 * The fitted model: an immutable record of estimates named as lme4 names them, plus methods for
 * conditional modes, fitted values, residuals, a printed summary and the criterion at any theta.
 */
import { VardecompError } from '../errors.js';
import type { Diagnostic } from '../diagnostics.js';
import type { PlsSolution } from '../objective/profiled-criterion.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { needsRowsError } from '../model/prepare-from-cells.js';
import { SINGULAR_TOL, type OptimizerInfo, type ThetaOptimum } from '../model/optimize-theta.js';

/** One row of the variance-components table. */
export interface VarCorrRow {
  readonly group: string;
  readonly variance: number;
  readonly sd: number;
}

/** The serialisable part of a fit. */
export interface LmmFitData {
  readonly formula: string;
  readonly reml: boolean;
  readonly nobs: number;
  readonly nDropped: number;
  readonly ngroups: Record<string, number>;
  readonly betaNames: readonly string[];
  readonly beta: Record<string, number>;
  readonly se: Record<string, number>;
  readonly vcov: number[][];
  readonly theta: Record<string, number>;
  readonly sigma: number;
  readonly varcorr: readonly VarCorrRow[];
  readonly remlCriterion: number | null;
  readonly deviance: number | null;
  readonly logLik: number;
  readonly aic: number;
  readonly bic: number;
  readonly df: number;
  readonly isSingular: boolean;
  readonly converged: boolean;
  readonly diagnostics: readonly Diagnostic[];
  readonly optimizer: OptimizerInfo;
}

const record = (keys: readonly string[], values: ArrayLike<number>): Record<string, number> =>
  Object.fromEntries(keys.map((k, i) => [k, values[i]]));

function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(digits - 1);
  return x.toPrecision(digits);
}

function table(rows: string[][], alignRight: boolean[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (alignRight[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(' ').trimEnd())
    .join('\n');
}

/**
 * A fitted linear mixed model.
 *
 * @example
 * ```ts
 * const m = fit(rows, 'y ~ x + (1|la) + (1|year)');
 * m.beta['x']; m.varcorr; m.remlCriterion;
 * m.ranef('la'); // { LA001: 0.8, ... }
 * console.log(m.summary());
 * ```
 */
export class LmmFit implements LmmFitData {
  readonly formula: string;
  readonly reml: boolean;
  readonly nobs: number;
  readonly nDropped: number;
  readonly ngroups: Record<string, number>;
  readonly betaNames: readonly string[];
  readonly beta: Record<string, number>;
  readonly se: Record<string, number>;
  readonly vcov: number[][];
  readonly theta: Record<string, number>;
  readonly sigma: number;
  readonly varcorr: readonly VarCorrRow[];
  readonly remlCriterion: number | null;
  readonly deviance: number | null;
  readonly logLik: number;
  readonly aic: number;
  readonly bic: number;
  readonly df: number;
  readonly isSingular: boolean;
  readonly converged: boolean;
  readonly diagnostics: readonly Diagnostic[];
  readonly optimizer: OptimizerInfo;
  /** Random-term group names, formula order. */
  readonly groups: readonly string[];
  /** Indices (into the input rows) of the observations used. */
  readonly rows: Int32Array;

  readonly #prepared: PreparedModel;
  readonly #solution: PlsSolution;
  readonly #betaArray: Float64Array;

  /** @internal Use `fit()`; this assembles the public record from the engine's solution. */
  constructor(prepared: PreparedModel, opt: ThetaOptimum, solution: PlsSolution, extraDiagnostics: readonly Diagnostic[] = []) {
    this.#prepared = prepared;
    this.#solution = solution;
    const { spec, frame, design, engineOrder, xShift, yShift, reml } = prepared;
    const p = design.p;
    const n = frame.nobs;
    this.formula = spec.text;
    this.reml = reml;
    this.nobs = n;
    this.nDropped = frame.nDropped;
    this.rows = frame.rows;
    this.groups = spec.random.map((r) => r.group);
    this.ngroups = Object.fromEntries(frame.factors.map((f) => [f.name, f.levels.length]));
    this.betaNames = design.names.slice();
    // Undo the centring: beta0 = beta0' + ybar - sum_j beta_j xbar_j; V = T V' T'.
    const beta = Float64Array.from(solution.beta);
    const hasIntercept = spec.intercept;
    if (hasIntercept) {
      let b0 = beta[0] + yShift;
      for (let j = 1; j < p; j++) b0 -= beta[j] * xShift[j];
      beta[0] = b0;
    }
    this.#betaArray = beta;
    const s2 = solution.sigma * solution.sigma;
    const V = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => s2 * solution.unscaledVcov[i * p + j]));
    if (hasIntercept && p > 1) {
      // Row/column 0 of T are (1, -xbar_1, ..., -xbar_{p-1}); the rest is the identity.
      const t = Array.from({ length: p }, (_, j) => (j === 0 ? 1 : -xShift[j]));
      const tv = Array.from({ length: p }, (_, j) => t.reduce((s, tk, k) => s + tk * V[k][j], 0));
      const v00 = tv.reduce((s, x, k) => s + x * t[k], 0);
      for (let j = 1; j < p; j++) {
        V[0][j] = tv[j];
        V[j][0] = tv[j];
      }
      V[0][0] = v00;
    }
    this.vcov = V;
    this.beta = record(design.names, beta);
    this.se = record(
      design.names,
      V.map((row, i) => Math.sqrt(row[i])),
    );
    // The engine fits scaled weights (prepared.weightScale): theta and sigma are reported for the
    // user's weights, as lme4 reports them; every other quantity is the same on both scales.
    const rootScale = Math.sqrt(prepared.weightScale);
    const thetaFormula = new Float64Array(engineOrder.length);
    engineOrder.forEach((fi, e) => (thetaFormula[fi] = opt.theta[e]));
    this.theta = record(
      this.groups,
      thetaFormula.map((t) => t / rootScale),
    );
    this.sigma = solution.sigma * rootScale;
    this.varcorr = [
      ...this.groups.map((group, i) => {
        const sd = thetaFormula[i] * solution.sigma;
        return { group, variance: sd * sd, sd };
      }),
      { group: 'Residual', variance: this.sigma * this.sigma, sd: this.sigma },
    ];
    this.remlCriterion = reml ? solution.criterion : null;
    this.deviance = reml ? null : solution.criterion;
    this.logLik = -solution.criterion / 2;
    this.df = p + this.groups.length + 1;
    this.aic = -2 * this.logLik + 2 * this.df;
    this.bic = -2 * this.logLik + this.df * Math.log(n);
    // On the engine's theta (weights scaled to a geometric mean near 1), so that it does not
    // depend on the weights' unit; the same as lme4's isSingular for unweighted models.
    this.isSingular = thetaFormula.some((t) => t < SINGULAR_TOL);
    this.converged = opt.converged;
    this.diagnostics = [...prepared.diagnostics, ...opt.diagnostics, ...extraDiagnostics];
    const gradFormula = new Float64Array(engineOrder.length);
    const startFormula = new Float64Array(engineOrder.length);
    engineOrder.forEach((fi, e) => {
      gradFormula[fi] = opt.gradient[e] * rootScale;
      startFormula[fi] = opt.start[e] / rootScale;
    });
    this.optimizer = {
      method: 'quadratic-model+newton',
      evaluations: opt.evaluations,
      newtonIterations: opt.newtonIterations,
      thetaStart: record(this.groups, startFormula),
      gradient: record(this.groups, gradFormula),
    };
  }

  /** The prepared model behind this fit (design, cross-products, criterion). @internal */
  get prepared(): PreparedModel {
    return this.#prepared;
  }

  /** Fixed effects in `betaNames` order, as a fresh array. */
  betaArray(): Float64Array {
    return this.#betaArray.slice();
  }

  private groupIndex(group: string): number {
    const i = this.groups.indexOf(group);
    if (i < 0) {
      throw new VardecompError('E_OPTION', `"${group}" is not a random term of this model (terms: ${this.groups.join(', ')})`);
    }
    return i;
  }

  /** Conditional modes (BLUPs) of one term's random intercepts, as an array in level order. */
  ranefArray(group: string): { levels: readonly string[]; values: Float64Array } {
    const fi = this.groupIndex(group);
    const e = this.#prepared.engineOrder.indexOf(fi);
    return { levels: this.#prepared.frame.factors[fi].levels, values: this.#solution.b[e].slice() };
  }

  /** Conditional modes of one term's random intercepts, keyed by level (lme4's `ranef`). */
  ranef(group: string): Record<string, number> {
    const { levels, values } = this.ranefArray(group);
    return record(levels, values);
  }

  /** Fitted values `X beta + Z b` (plus the offset, if any) for the rows used (in input order of those rows). */
  fitted(): Float64Array {
    if (this.#prepared.cells) throw needsRowsError('Fitted values per row');
    const { frame, design, engineOrder, yShift } = this.#prepared;
    const n = frame.nobs;
    // X is stored centred: X beta = Xc beta' + ybar, with beta' the engine's coefficients.
    const out = new Float64Array(n).fill(yShift);
    const beta = this.#solution.beta;
    for (let j = 0; j < design.p; j++) {
      const bj = beta[j];
      const off = j * n;
      for (let i = 0; i < n; i++) out[i] += bj * design.x[off + i];
    }
    engineOrder.forEach((fi, e) => {
      const codes = frame.factors[fi].codes;
      const b = this.#solution.b[e];
      for (let i = 0; i < n; i++) out[i] += b[codes[i]];
    });
    const offset = frame.offset;
    if (offset) for (let i = 0; i < n; i++) out[i] += offset[i];
    return out;
  }

  /** Response residuals `y - fitted()`. */
  residuals(): Float64Array {
    if (this.#prepared.cells) throw needsRowsError('Residuals per row');
    const f = this.fitted();
    const y = this.#prepared.frame.y;
    for (let i = 0; i < f.length; i++) f[i] = y[i] - f[i];
    return f;
  }

  /**
   * The profiled criterion (REML criterion or ML deviance, as fitted) at any theta: lme4's
   * `devFunOnly`. Theta is keyed by group, or an array in formula order.
   */
  objective(theta: Readonly<Record<string, number>> | ArrayLike<number>): number {
    const { engineOrder, criterion } = this.#prepared;
    const t = new Float64Array(engineOrder.length);
    const isArray = typeof (theta as ArrayLike<number>).length === 'number';
    engineOrder.forEach((fi, e) => {
      const v = isArray ? (theta as ArrayLike<number>)[fi] : (theta as Record<string, number>)[this.groups[fi]];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new VardecompError('E_OPTION', `theta for "${this.groups[fi]}" must be a finite number >= 0 (got ${String(v)})`);
      }
      t[e] = v * Math.sqrt(this.#prepared.weightScale);
    });
    return criterion.evaluate(t);
  }

  /** A text summary in the layout of lme4's print. */
  summary(): string {
    const lines: string[] = [];
    lines.push(`Linear mixed model fit by ${this.reml ? 'REML' : 'maximum likelihood'}`);
    lines.push(`Formula: ${this.formula}`);
    lines.push(
      this.reml
        ? `REML criterion at convergence: ${this.remlCriterion!.toFixed(4)}`
        : `     AIC      BIC   logLik deviance\n${[this.aic, this.bic, this.logLik, this.deviance!].map((v) => v.toFixed(1).padStart(8)).join(' ')}`,
    );
    lines.push('', 'Random effects:');
    const rc = [['Groups', 'Name', 'Variance', 'Std.Dev.']];
    for (const r of this.varcorr) rc.push([r.group, r.group === 'Residual' ? '' : '(Intercept)', fmt(r.variance), fmt(r.sd)]);
    lines.push(table(rc, [false, false, true, true]).replace(/^/gm, ' '));
    lines.push(
      `Number of obs: ${this.nobs}, groups:  ${this.groups.map((g) => `${g}, ${this.ngroups[g]}`).join('; ')}` +
        (this.nDropped > 0 ? ` (${this.nDropped} rows dropped for missing values)` : ''),
    );
    lines.push('', 'Fixed effects:');
    const fe = [['', 'Estimate', 'Std. Error', 't value']];
    this.betaNames.forEach((nm) => fe.push([nm, fmt(this.beta[nm], 5), fmt(this.se[nm], 5), (this.beta[nm] / this.se[nm]).toFixed(2)]));
    lines.push(table(fe, [false, true, true, true]));
    const warn = this.diagnostics.filter((d) => d.level === 'warning');
    if (warn.length > 0) lines.push('', ...warn.map((d) => `${d.code}: ${d.message}`));
    return lines.join('\n');
  }

  /** The serialisable record (what `JSON.stringify` writes). */
  toJSON(): LmmFitData {
    return {
      formula: this.formula,
      reml: this.reml,
      nobs: this.nobs,
      nDropped: this.nDropped,
      ngroups: this.ngroups,
      betaNames: this.betaNames,
      beta: this.beta,
      se: this.se,
      vcov: this.vcov,
      theta: this.theta,
      sigma: this.sigma,
      varcorr: this.varcorr,
      remlCriterion: this.remlCriterion,
      deviance: this.deviance,
      logLik: this.logLik,
      aic: this.aic,
      bic: this.bic,
      df: this.df,
      isSingular: this.isSingular,
      converged: this.converged,
      diagnostics: this.diagnostics,
      optimizer: this.optimizer,
    };
  }
}
