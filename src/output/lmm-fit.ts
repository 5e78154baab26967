/**
 * The fitted model: an immutable record of estimates named as lme4 names them, plus methods for
 * conditional modes, fitted values, residuals, a printed summary and the criterion at any theta.
 */
import { VardecompError } from '../errors.js';
import type { Diagnostic } from '../diagnostics.js';
import type { PlsSolution } from '../objective/profiled-criterion.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { needsRowsError } from '../model/prepare-from-cells.js';
import type { OptimizerInfo, ThetaOptimum } from '../model/optimize-theta.js';
import type { RandomCorrelation, VarCorrRow } from '../terms/random-effects-term.js';
import { isSingularFit, randomEffectsTable, ranefArrayOf, ranefOf, thetaFromUser, varCorrOf, type RanefRecord } from './random-effects-output.js';
import { fmt, groupsLine, record, summaryTable as table, warningLines } from './summary-text.js';

export type { RandomCorrelation, VarCorrRow } from '../terms/random-effects-term.js';
export type { RanefRecord } from './random-effects-output.js';

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
  /** Correlations between the random-effect columns of each term with slopes (empty otherwise). */
  readonly correlations?: readonly RandomCorrelation[];
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
  /**
   * theta in formula order: keyed by the group for a scalar random intercept (`la`), by lme4's
   * names otherwise (`Subject.(Intercept)`, `Subject.Days.(Intercept)`, `Subject.Days`).
   */
  readonly theta: Record<string, number>;
  readonly sigma: number;
  /** One row per random-effect column `{ group, name, variance, sd }`, then the residual. */
  readonly varcorr: readonly VarCorrRow[];
  /** Correlations between the random-effect columns of each term with slopes. */
  readonly correlations: readonly RandomCorrelation[];
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
  /** Random-term group names, formula order (a group repeats for `(x || g)`). */
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
    const { spec, frame, design, xShift, yShift, reml } = prepared;
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
    // user's weights, as lme4 reports them; every other quantity (sigma^2 Lambda Lambda' among
    // them) is the same on both scales.
    const rootScale = Math.sqrt(prepared.weightScale);
    const { terms } = prepared;
    const thetaFormula = terms.toFormula(opt.theta);
    this.theta = record(
      terms.thetaNames,
      thetaFormula.map((t) => t / rootScale),
    );
    this.sigma = solution.sigma * rootScale;
    const { rows, correlations } = varCorrOf(terms, thetaFormula, solution.sigma);
    this.varcorr = [...rows, { group: 'Residual', variance: this.sigma * this.sigma, sd: this.sigma }];
    this.correlations = correlations;
    this.remlCriterion = reml ? solution.criterion : null;
    this.deviance = reml ? null : solution.criterion;
    this.logLik = -solution.criterion / 2;
    this.df = p + terms.size + 1;
    this.aic = -2 * this.logLik + 2 * this.df;
    this.bic = -2 * this.logLik + this.df * Math.log(n);
    // On the engine's theta (weights scaled to a geometric mean near 1), so that it does not
    // depend on the weights' unit; the same as lme4's isSingular for unweighted models: a diagonal
    // entry of lambda at 0, or (equivalently for two columns) a correlation at +-1.
    this.isSingular = isSingularFit(terms, thetaFormula, correlations);
    this.converged = opt.converged;
    this.diagnostics = [...prepared.diagnostics, ...opt.diagnostics, ...extraDiagnostics];
    this.optimizer = {
      method: 'quadratic-model+newton',
      evaluations: opt.evaluations,
      newtonIterations: opt.newtonIterations,
      thetaStart: record(
        terms.thetaNames,
        terms.toFormula(opt.start).map((t) => t / rootScale),
      ),
      gradient: record(
        terms.thetaNames,
        terms.toFormula(opt.gradient).map((g) => g * rootScale),
      ),
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

  /**
   * Conditional modes (BLUPs) of one grouping factor's column (default: its first, usually
   * `(Intercept)`), as an array in level order.
   */
  ranefArray(group: string, column?: string): { levels: readonly string[]; values: Float64Array } {
    return ranefArrayOf(this.#prepared.terms, this.#solution.b, group, column);
  }

  /**
   * Conditional modes of one grouping factor (lme4's `ranef`): keyed by level for a random
   * intercept; with slopes, one field per column, each keyed by level (type it as
   * `m.ranef<Record<string, Record<string, number>>>('Subject')`).
   *
   * @example
   * ```ts
   * m.ranef('la'); // { E06000001: 3.1, ... }
   * fit(sleepstudy, 'Reaction ~ Days + (Days | Subject)').ranef<Record<string, Record<string, number>>>('Subject').Days['308'];
   * ```
   */
  ranef<T extends RanefRecord = Record<string, number>>(group: string): T {
    return ranefOf<T>(this.#prepared.terms, this.#solution.b, group);
  }

  /** Fitted values `X beta + Z b` (plus the offset, if any) for the rows used (in input order of those rows). */
  fitted(): Float64Array {
    if (this.#prepared.cells) throw needsRowsError('Fitted values per row');
    const { frame, design, terms, yShift } = this.#prepared;
    const n = frame.nobs;
    // X is stored centred: X beta = Xc beta' + ybar, with beta' the engine's coefficients.
    const out = new Float64Array(n).fill(yShift);
    const beta = this.#solution.beta;
    for (let j = 0; j < design.p; j++) {
      const bj = beta[j];
      const off = j * n;
      for (let i = 0; i < n; i++) out[i] += bj * design.x[off + i];
    }
    terms.engineOrder.forEach((fi, e) => terms.terms[fi].addZb(this.#solution.b[e], out));
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
   * `devFunOnly`. Theta is keyed as {@link LmmFit.theta}, or the full array in that order.
   */
  objective(theta: Readonly<Record<string, number>> | ArrayLike<number>): number {
    const { terms, criterion } = this.#prepared;
    const t = thetaFromUser(terms, theta);
    // theta is reported for the user's weights; the engine fits scaled ones.
    const root = Math.sqrt(this.#prepared.weightScale);
    for (let k = 0; k < t.length; k++) t[k] *= root;
    return criterion.evaluate(terms.toEngine(t));
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
    lines.push(this.randomEffectsTable());
    lines.push(groupsLine(this.nobs, this.groups, this.ngroups, this.nDropped));
    lines.push('', 'Fixed effects:');
    const fe = [['', 'Estimate', 'Std. Error', 't value']];
    this.betaNames.forEach((nm) => fe.push([nm, fmt(this.beta[nm], 5), fmt(this.se[nm], 5), (this.beta[nm] / this.se[nm]).toFixed(2)]));
    lines.push(table(fe, [false, true, true, true]));
    lines.push(...warningLines(this.diagnostics));
    return lines.join('\n');
  }

  /** lme4's random-effects table; with slopes, the group is named once per term and a Corr column follows. */
  private randomEffectsTable(): string {
    return randomEffectsTable(this.#prepared.terms, this.varcorr.slice(0, -1), this.correlations, this.varcorr[this.varcorr.length - 1]);
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
      ...(this.correlations.length > 0 ? { correlations: this.correlations } : {}),
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
