/**
 * The fitted generalised linear mixed model: an immutable record named as lme4's `glmer` names
 * its results, plus conditional modes, fitted values on the link or response scale, a printed
 * summary and the Laplace deviance at any (theta, beta).
 */
import { errorFunction } from 'simple-statistics';
import type { Diagnostic } from '../diagnostics.js';
import { VardecompError } from '../errors.js';
import type { FamilyName } from '../family/family.js';
import type { GlmmModel } from '../glmm/glmm-model.js';
import { Pirls } from '../glmm/pirls.js';
import type { GlmmMethod, GlmmOptimum } from '../glmm/optimize-glmm.js';
import type { RandomCorrelation, VarCorrRow } from '../terms/random-effects-term.js';
import { isSingularFit, randomEffectsTable, ranefArrayOf, ranefOf, thetaFromUser, varCorrOf, type RanefRecord } from './random-effects-output.js';
import { fmt, groupsLine, record, summaryTable as table, warningLines } from './summary-text.js';

/** What the GLMM optimiser did. */
export interface GlmmOptimizerInfo {
  /**
   * How theta and beta were found: the start of stage 2 (EM-type steps on the analytic gradient,
   * glmer's nAGQ = 0 search, or a given start as in bootstrap refits), then stage 2's search
   * (quasi-Newton on the analytic gradient, or chord Newton steps on the deviance).
   */
  readonly method: GlmmMethod;
  /** Laplace deviance evaluations in the start (stage 1) and in the joint stage (stage 2). */
  readonly evaluations: { readonly stage1: number; readonly stage2: number };
  /** PIRLS iterations in all. */
  readonly pirlsIterations: number;
}

/** The serialisable part of a GLMM fit. */
export interface GlmmFitData {
  readonly formula: string;
  readonly family: FamilyName;
  readonly link: 'log' | 'logit';
  readonly nobs: number;
  readonly nDropped: number;
  readonly ngroups: Record<string, number>;
  readonly betaNames: readonly string[];
  readonly beta: Record<string, number>;
  readonly se: Record<string, number>;
  readonly vcov: number[][];
  /** Each term's lambda entries, named as lme4 names them (`la`, `la.(Intercept)`, `la.t.(Intercept)`, `la.t`). */
  readonly theta: Record<string, number>;
  /** Random-effect variances, one row per column (the scale is fixed at 1: there is no residual row). */
  readonly varcorr: readonly VarCorrRow[];
  /** Correlations of the random-effect columns of terms with slopes (absent without). */
  readonly correlations?: readonly RandomCorrelation[];
  /** Laplace approximation of the log-likelihood. */
  readonly logLik: number;
  /** `-2 logLik`: the Laplace deviance minimised, glmer's "deviance" in its summary table. */
  readonly deviance: number;
  /** Sum of squared deviance residuals at the conditional modes: lme4's `deviance(fit)` for a GLMM. */
  readonly residualDeviance: number;
  readonly aic: number;
  readonly bic: number;
  /** Parameters: fixed effects plus the theta entries (one per random intercept). */
  readonly df: number;
  readonly dfResidual: number;
  readonly isSingular: boolean;
  readonly converged: boolean;
  /** Random terms with one level per row (observation-level effects, overdispersion). */
  readonly observationLevel: readonly string[];
  readonly hasOffset: boolean;
  /** A categorical binomial response: the level read as failure (0) and those read as success (1). */
  readonly responseCoding?: { readonly failure: string; readonly success: readonly string[] };
  readonly diagnostics: readonly Diagnostic[];
  readonly optimizer: GlmmOptimizerInfo;
}


/** Two-sided normal p-value, printed as R does below 2e-16. */
function pValue(z: number): string {
  const p = 1 - errorFunction(Math.abs(z) / Math.SQRT2);
  return p < 2e-16 ? '<2e-16' : fmt(p, 3);
}

/**
 * A fitted GLMM (Poisson/log or binomial/logit, Laplace approximation), as lme4's `glmer`.
 *
 * @example
 * ```ts
 * const m = fit(rows, 'cpp_start_n ~ imd + (1|la) + (1|year)', { family: 'poisson', offset: 'log_pop' });
 * m.beta; m.varcorr; m.logLik;
 * m.fitted({ type: 'response' }); // expected counts
 * console.log(m.summary());
 * ```
 */
export class GlmmFit implements GlmmFitData {
  readonly formula: string;
  readonly family: FamilyName;
  readonly link: 'log' | 'logit';
  readonly nobs: number;
  readonly nDropped: number;
  readonly ngroups: Record<string, number>;
  readonly betaNames: readonly string[];
  readonly beta: Record<string, number>;
  readonly se: Record<string, number>;
  readonly vcov: number[][];
  readonly theta: Record<string, number>;
  readonly varcorr: readonly VarCorrRow[];
  readonly correlations: readonly RandomCorrelation[];
  readonly logLik: number;
  readonly deviance: number;
  readonly residualDeviance: number;
  readonly aic: number;
  readonly bic: number;
  readonly df: number;
  readonly dfResidual: number;
  readonly isSingular: boolean;
  readonly converged: boolean;
  readonly observationLevel: readonly string[];
  readonly hasOffset: boolean;
  readonly responseCoding?: { readonly failure: string; readonly success: readonly string[] };
  readonly diagnostics: readonly Diagnostic[];
  readonly optimizer: GlmmOptimizerInfo;
  /** Random-term group names, formula order. */
  readonly groups: readonly string[];
  /** Indices (into the input rows) of the observations used. */
  readonly rows: Int32Array;

  readonly #model: GlmmModel;
  readonly #opt: GlmmOptimum;
  readonly #eta: Float64Array;
  readonly #mu: Float64Array;

  /** @internal Use `fit(..., { family })`; this assembles the public record from the optimum. */
  constructor(model: GlmmModel, opt: GlmmOptimum, state: { eta: Float64Array; mu: Float64Array }) {
    this.#model = model;
    this.#opt = opt;
    this.#eta = state.eta;
    this.#mu = state.mu;
    const { spec, frame, design, engineOrder, family } = model;
    const p = design.p;
    const n = model.n;
    this.formula = model.formulaText;
    this.family = family.name;
    this.link = family.link;
    this.nobs = n;
    this.nDropped = frame.nDropped;
    this.rows = frame.rows;
    this.groups = spec.random.map((r) => r.group);
    this.ngroups = Object.fromEntries(frame.factors.map((f) => [f.name, f.levels.length]));
    this.betaNames = design.names.slice();
    this.beta = record(design.names, opt.beta);
    this.vcov = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => opt.vcov[i * p + j]));
    this.se = record(
      design.names,
      this.vcov.map((row, i) => Math.sqrt(row[i])),
    );
    const { terms } = model;
    const thetaFormula = terms.toFormula(opt.theta);
    this.theta = record(terms.thetaNames, thetaFormula);
    const { rows, correlations } = varCorrOf(terms, thetaFormula, 1);
    this.varcorr = rows;
    this.correlations = correlations;
    this.deviance = opt.deviance;
    this.logLik = -opt.deviance / 2;
    this.residualDeviance = opt.solution.devResid;
    this.df = p + terms.size;
    this.dfResidual = n - this.df;
    this.aic = opt.deviance + 2 * this.df;
    this.bic = opt.deviance + this.df * Math.log(n);
    this.isSingular = isSingularFit(terms, thetaFormula, correlations);
    this.converged = opt.converged;
    this.observationLevel = model.observationLevel.map((k) => this.groups[k]);
    this.hasOffset = model.hasOffset;
    if (model.responseCoding) this.responseCoding = { failure: model.responseCoding.failure, success: model.responseCoding.success.slice() };
    this.diagnostics = [...model.diagnostics, ...opt.diagnostics];
    this.optimizer = {
      method: opt.method,
      evaluations: opt.evaluations,
      pirlsIterations: opt.pirlsIterations,
    };
  }

  /** The prepared model behind this fit. @internal */
  get model(): GlmmModel {
    return this.#model;
  }

  /** Theta in engine order (most levels first). @internal */
  get engineTheta(): Float64Array {
    return this.#opt.theta.slice();
  }

  /** Fixed effects in `betaNames` order, as a fresh array. */
  betaArray(): Float64Array {
    return this.#opt.beta.slice();
  }

  /**
   * Conditional modes (link scale) of one grouping factor's column (default: its first, usually
   * `(Intercept)`), as an array in level order.
   */
  ranefArray(group: string, column?: string): { levels: readonly string[]; values: Float64Array } {
    return ranefArrayOf(this.#model.terms, this.#opt.solution.b, group, column);
  }

  /**
   * Conditional modes of one grouping factor (lme4's `ranef`): keyed by level for a random
   * intercept; with slopes, one field per column, each keyed by level.
   *
   * @example
   * ```ts
   * m.ranef<Record<string, Record<string, number>>>('la_code').t['E06000001'];
   * ```
   */
  ranef<T extends RanefRecord = Record<string, number>>(group: string): T {
    return ranefOf<T>(this.#model.terms, this.#opt.solution.b, group);
  }

  /**
   * Fitted values for the rows used: the linear predictor `offset + X beta + Z b` (`type: 'link'`)
   * or the conditional mean (`type: 'response'`, the default, as lme4's `fitted`).
   */
  fitted(options: { type?: 'link' | 'response' } = {}): Float64Array {
    const type = options.type ?? 'response';
    if (type !== 'link' && type !== 'response') {
      throw new VardecompError('E_OPTION', `fitted type must be "link" or "response" (got ${JSON.stringify(type)})`, { option: 'type' });
    }
    return type === 'link' ? this.#eta.slice() : this.#mu.slice();
  }

  /** Deviance residuals `sign(y - mu) sqrt(d_i)` for the rows used. */
  residuals(): Float64Array {
    const { y, priorWeights, family } = this.#model;
    const mu = this.#mu;
    return Float64Array.from(mu, (m, i) => Math.sign(y[i] - m) * Math.sqrt(Math.max(family.devResid(y[i], m, priorWeights[i]), 0)));
  }

  /**
   * The Laplace deviance at fixed theta (keyed as {@link GlmmFit.theta}, or an array in that
   * order) and beta (`betaNames` order): glmer's `devFunOnly = TRUE` function at `c(theta, beta)`.
   */
  laplaceDeviance(theta: Readonly<Record<string, number>> | ArrayLike<number>, beta: ArrayLike<number>): number {
    const { terms, design } = this.#model;
    const t = thetaFromUser(terms, theta);
    if (beta.length !== design.p) {
      throw new VardecompError('E_OPTION', `beta must have ${design.p} values (${design.names.join(', ')}), got ${beta.length}`);
    }
    const pirls = new Pirls(this.#model, this.#opt.beta);
    pirls.setModes(this.#opt.theta, this.#opt.solution.b);
    return pirls.run(terms.toEngine(t), Float64Array.from(beta)).deviance;
  }

  /** A text summary in the layout of lme4's print of a `glmer` summary. */
  summary(): string {
    const lines: string[] = [];
    lines.push('Generalized linear mixed model fit by maximum likelihood (Laplace Approximation)');
    lines.push(` Family: ${this.family}  ( ${this.link} )`);
    const offsetNote = this.hasOffset && !this.formula.includes('offset(') ? '  (with an offset)' : '';
    lines.push(`Formula: ${this.formula}${offsetNote}`);
    if (this.responseCoding) {
      const { failure, success } = this.responseCoding;
      lines.push(`Response: ${JSON.stringify(failure)} = failure, ${success.map((l) => JSON.stringify(l)).join(', ')} = success`);
    }
    lines.push('');
    const head = ['AIC', 'BIC', 'logLik', 'deviance', 'df.resid'];
    const vals = [this.aic, this.bic, this.logLik, this.deviance].map((v) => v.toFixed(1)).concat(String(this.dfResidual));
    lines.push(table([head, vals], head.map(() => true)));
    lines.push('', 'Random effects:');
    lines.push(randomEffectsTable(this.#model.terms, this.varcorr, this.correlations));
    lines.push(groupsLine(this.nobs, this.groups, this.ngroups, this.nDropped));
    if (this.observationLevel.length > 0) lines.push(`Observation-level effect (overdispersion): ${this.observationLevel.join(', ')}`);
    lines.push('', 'Fixed effects:');
    const fe = [['', 'Estimate', 'Std. Error', 'z value', 'Pr(>|z|)']];
    this.betaNames.forEach((nm) => {
      const z = this.beta[nm] / this.se[nm];
      fe.push([nm, fmt(this.beta[nm], 5), fmt(this.se[nm], 5), z.toFixed(2), pValue(z)]);
    });
    lines.push(table(fe, [false, true, true, true, true]));
    lines.push(...warningLines(this.diagnostics));
    return lines.join('\n');
  }

  /** The serialisable record (what `JSON.stringify` writes). */
  toJSON(): GlmmFitData {
    return {
      formula: this.formula,
      family: this.family,
      link: this.link,
      nobs: this.nobs,
      nDropped: this.nDropped,
      ngroups: this.ngroups,
      betaNames: this.betaNames,
      beta: this.beta,
      se: this.se,
      vcov: this.vcov,
      theta: this.theta,
      varcorr: this.varcorr,
      ...(this.correlations.length > 0 ? { correlations: this.correlations } : {}),
      logLik: this.logLik,
      deviance: this.deviance,
      residualDeviance: this.residualDeviance,
      aic: this.aic,
      bic: this.bic,
      df: this.df,
      dfResidual: this.dfResidual,
      isSingular: this.isSingular,
      converged: this.converged,
      observationLevel: this.observationLevel,
      hasOffset: this.hasOffset,
      ...(this.responseCoding ? { responseCoding: this.responseCoding } : {}),
      diagnostics: this.diagnostics,
      optimizer: this.optimizer,
    };
  }
}
