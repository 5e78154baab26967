/**
 * `Decomposition`: one variance decomposition with its text, markdown, table, JSON and chart
 * views.
 */
import { table } from 'arquero';
import type { ColumnTable } from 'arquero';
import type { Diagnostic } from '../diagnostics.js';
import type { CovariateSplitInfo } from '../decompose/r2-shares.js';
import type {
  ComponentShare,
  DecompositionData,
  DecompositionMethod,
  IntervalInfo,
  LatentInfo,
} from '../decompose/decomposition-data.js';
import {
  checkDigits,
  covariateSplitLine,
  diagnosticNotes,
  frozenCopy,
  intervalHeader,
  intervalNote,
  labelOf,
  METHOD_TITLES,
  shareIntervalName,
  shareMethodsNote,
  type FormatOptions,
  type MarkdownOptions,
} from './report-notes.js';
import {
  alignColumns,
  columnDecimals,
  formatInterval,
  formatNumber,
  formatPercent,
  markdownTable,
  observationsText,
} from './text-layout.js';
import { shareChartSpec, shareData, type VegaLiteOptions, type VegaLiteSpec } from './vega-lite.js';

/**
 * One variance decomposition: how much of an outcome's variation belongs to the covariates
 * (`fixed`), each grouping factor and the residual, by one method. Wraps the plain
 * {@link DecompositionData} (a frozen copy) and adds text, markdown, table, JSON and chart views.
 *
 * @example
 * ```ts
 * import { decompose } from 'vardecomp';
 * const d = decompose(panel, 'cpp_start_rate ~ imd2019_avg_score + (1|la_code) + (1|year)', {
 *   labels: { la_code: 'local', year: 'national', fixed: 'deprivation' },
 *   intervals: { n: 1000, seed: 1 },
 * });
 * console.log(d.format());
 * d.shares.la_code; // about 0.44
 * d.toTable().print();
 * ```
 */
export class Decomposition implements DecompositionData {
  readonly method: DecompositionMethod;
  readonly outcome: string;
  readonly formula: string;
  readonly nobs: number;
  readonly nDropped: number;
  readonly shares: Record<string, number>;
  readonly components: readonly ComponentShare[];
  readonly covariates: Record<string, number>;
  readonly total: number;
  readonly labels: Record<string, string>;
  readonly order?: readonly string[];
  readonly r2?: number;
  /** Parts of each grouping factor's variance in a model with random slopes (components). */
  readonly randomParts?: DecompositionData['randomParts'];
  readonly covariateSplit?: CovariateSplitInfo;
  readonly intervals?: IntervalInfo;
  /** GLMMs: the latent-scale details (family, approximation, lambda, null model). */
  readonly latent?: LatentInfo;
  readonly diagnostics: readonly Diagnostic[];

  /**
   * Wrap plain decomposition data (copied and frozen; the argument is not changed).
   *
   * @example
   * ```ts
   * const again = new Decomposition(JSON.parse(JSON.stringify(d)));
   * ```
   */
  constructor(data: DecompositionData) {
    this.method = data.method;
    this.outcome = data.outcome;
    this.formula = data.formula;
    this.nobs = data.nobs;
    this.nDropped = data.nDropped;
    this.shares = frozenCopy(data.shares);
    this.components = frozenCopy(data.components);
    this.covariates = frozenCopy(data.covariates);
    this.total = data.total;
    this.labels = frozenCopy(data.labels);
    if (data.order !== undefined) this.order = frozenCopy(data.order);
    if (data.r2 !== undefined) this.r2 = data.r2;
    if (data.randomParts !== undefined) this.randomParts = frozenCopy(data.randomParts);
    if (data.covariateSplit !== undefined) this.covariateSplit = frozenCopy(data.covariateSplit);
    if (data.intervals !== undefined) this.intervals = frozenCopy(data.intervals);
    if (data.latent !== undefined) this.latent = frozenCopy(data.latent);
    this.diagnostics = frozenCopy(data.diagnostics);
    Object.freeze(this);
  }

  /** True when every component carries an interval. */
  get hasIntervals(): boolean {
    return this.components.length > 0 && this.components.every((c) => typeof c.lower === 'number' && typeof c.upper === 'number');
  }

  /**
   * Aligned text in the spirit of lme4's `VarCorr` print: a header naming the method, outcome,
   * formula and observations; one row per component with its label, kind, variance (components
   * method), share and interval; then notes (covariate split, sequential order, R², intervals,
   * warnings).
   *
   * @example
   * ```ts
   * console.log(d.format());
   * // Variance decomposition of cpp_start_rate: variance components of the mixed model
   * //   cpp_start_rate ~ imd2019_avg_score + (1|la_code) + (1|year)
   * //   894 observations (6 rows dropped for missing values)
   * //
   * //  Component    Kind      Variance   Share   95% interval
   * //  deprivation  fixed       123.4    15.0%   [11.2%, 18.9%]
   * //  ...
   * ```
   */
  format(options: FormatOptions = {}): string {
    const digits = checkDigits(options.digits);
    const header = options.header ?? true;
    const withVariance = this.components.some((c) => typeof c.variance === 'number');
    const withInterval = this.hasIntervals;
    const variances = this.components.map((c) => c.variance ?? NaN);
    const decimals = columnDecimals([...variances, this.total]);
    const intervalWidth = Math.max(
      0,
      ...this.components.flatMap((c) =>
        withInterval ? [formatPercent(c.lower!, digits).length, formatPercent(c.upper!, digits).length] : [],
      ),
    );
    const head = ['Component', 'Kind', ...(withVariance ? ['Variance'] : []), 'Share', ...(withInterval ? [intervalHeader(this.intervals)] : [])];
    const body = this.components.map((c) => [
      c.label,
      c.kind,
      ...(withVariance ? [typeof c.variance === 'number' ? formatNumber(c.variance, decimals) : ''] : []),
      formatPercent(c.share, digits),
      ...(withInterval ? [formatInterval(c.lower!, c.upper!, digits, intervalWidth)] : []),
    ]);
    const sum = this.components.reduce((s, c) => s + c.share, 0);
    const totalRow = ['Total', '', ...(withVariance ? [formatNumber(this.total, decimals)] : []), formatPercent(sum, digits), ...(withInterval ? [''] : [])];
    const align: ('left' | 'right')[] = [
      'left',
      'left',
      ...(withVariance ? ['right' as const] : []),
      'right',
      ...(withInterval ? ['left' as const] : []),
    ];
    const tableText = alignColumns([head, ...body, totalRow], align);
    if (!header) return tableText;

    const lines = [
      `Variance decomposition of ${this.outcome}: ${METHOD_TITLES[this.method]}`,
      `  ${this.formula}`,
      `  ${observationsText(this.nobs, this.nDropped)}`,
      '',
      tableText,
    ];
    const notes = this.notes(digits, withVariance);
    if (notes.length > 0) lines.push('', ...notes.map((n) => ` ${n}`));
    return lines.join('\n');
  }

  /** Footer lines of {@link Decomposition.format}. */
  private notes(digits: number, withVariance: boolean): string[] {
    const notes: string[] = [];
    const split = covariateSplitLine(this, digits);
    if (split) notes.push(split);
    if (this.method === 'sequential' && this.order) {
      notes.push(`Entry order: ${this.order.map((k) => labelOf(this.labels, k)).join(', ')}, then the residual`);
    }
    if (this.r2 !== undefined) notes.push(`R² of the full fixed-effects regression: ${this.r2.toFixed(3)}`);
    if (this.latent) notes.push(latentNote(this.latent));
    for (const key of [...new Set((this.randomParts ?? []).map((p) => p.key))]) {
      const own = this.randomParts!.filter((p) => p.key === key);
      if (own.length < 2) continue; // a random intercept alone: its part is the row above
      const parts = own.map((p) =>
        p.names[0] === p.names[1] ? `${p.names[0]} ${formatPercent(p.share, digits)}` : `covariance ${p.names.join('/')} ${formatPercent(p.share, digits)}`,
      );
      notes.push(`${labelOf(this.labels, key)} (random slopes, Tr(Z Sigma Z')/n) = ${parts.join(' + ')}`);
    }
    if (!withVariance) notes.push(`Total variance of ${this.outcome}: ${formatNumber(this.total, columnDecimals([this.total]))}`);
    if (this.intervals) {
      notes.push(...intervalNote(this.intervals).split('\n'));
      const byShare = shareMethodsNote(this.components);
      if (byShare) notes.push(byShare);
    }
    notes.push(...diagnosticNotes(this.diagnostics));
    return notes;
  }

  /**
   * A markdown table (component, kind, variance, share, interval).
   *
   * @example
   * ```ts
   * d.toMarkdown();
   * // | Component | Kind | Variance | Share | 95% interval |
   * // |:--|:--|--:|--:|:--|
   * // | deprivation | fixed | 123.4 | 15.0% | 11.2% to 18.9% |
   * ```
   */
  toMarkdown(options: MarkdownOptions = {}): string {
    const digits = checkDigits(options.digits);
    const withVariance = this.components.some((c) => typeof c.variance === 'number');
    const withInterval = this.hasIntervals;
    const withMethod = withInterval && this.components.some((c) => c.intervalMethod !== undefined);
    const decimals = columnDecimals(this.components.map((c) => c.variance ?? NaN));
    const header = [
      'Component',
      'Kind',
      ...(withVariance ? ['Variance'] : []),
      'Share',
      ...(withInterval ? [intervalHeader(this.intervals)] : []),
      ...(withMethod ? ['Interval method'] : []),
    ];
    const body = this.components.map((c) => [
      c.label,
      c.kind,
      ...(withVariance ? [typeof c.variance === 'number' ? formatNumber(c.variance, decimals) : ''] : []),
      formatPercent(c.share, digits),
      ...(withInterval ? [`${formatPercent(c.lower!, digits)} to ${formatPercent(c.upper!, digits)}`] : []),
      ...(withMethod ? [shareIntervalName(c.intervalMethod)] : []),
    ]);
    const align: ('left' | 'right')[] = [
      'left',
      'left',
      ...(withVariance ? ['right' as const] : []),
      'right',
      ...(withInterval ? ['left' as const] : []),
      ...(withMethod ? ['left' as const] : []),
    ];
    const tableText = markdownTable(header, body, align);
    if (!options.caption) return tableText;
    return `**${this.outcome}**, ${this.method} method (${METHOD_TITLES[this.method]}): \`${this.formula}\`, ${observationsText(this.nobs, this.nDropped)}.\n\n${tableText}`;
  }

  /**
   * The components as an arquero table with columns `key`, `label`, `kind`, `variance`,
   * `share`, `lower`, `upper` (missing values are `null`).
   *
   * @example
   * ```ts
   * d.toTable().print();
   * d.toTable().toCSV();
   * ```
   */
  toTable(): ColumnTable {
    const num = (v: number | undefined): number | null => (typeof v === 'number' ? v : null);
    return table({
      key: this.components.map((c) => c.key),
      label: this.components.map((c) => c.label),
      kind: this.components.map((c) => c.kind),
      variance: this.components.map((c) => num(c.variance)),
      share: this.components.map((c) => c.share),
      lower: this.components.map((c) => num(c.lower)),
      upper: this.components.map((c) => num(c.upper)),
      ...(this.components.some((c) => c.intervalMethod !== undefined) ? { interval_method: this.components.map((c) => c.intervalMethod ?? null) } : {}),
    });
  }

  /**
   * The plain, serialisable {@link DecompositionData} (what `JSON.stringify` writes).
   *
   * @example
   * ```ts
   * const text = JSON.stringify(d); // same as JSON.stringify(d.toJSON())
   * ```
   */
  toJSON(): DecompositionData {
    return {
      method: this.method,
      outcome: this.outcome,
      formula: this.formula,
      nobs: this.nobs,
      nDropped: this.nDropped,
      shares: this.shares,
      components: this.components,
      covariates: this.covariates,
      total: this.total,
      labels: this.labels,
      ...(this.order !== undefined ? { order: this.order } : {}),
      ...(this.r2 !== undefined ? { r2: this.r2 } : {}),
      ...(this.randomParts !== undefined ? { randomParts: this.randomParts } : {}),
      ...(this.covariateSplit !== undefined ? { covariateSplit: this.covariateSplit } : {}),
      ...(this.intervals !== undefined ? { intervals: this.intervals } : {}),
      ...(this.latent !== undefined ? { latent: this.latent } : {}),
      diagnostics: this.diagnostics,
    };
  }

  /**
   * A Vega-Lite v5 spec (a plain object): one stacked horizontal bar of the shares coloured by
   * component with the percentages written in, and below it each share as a point with its
   * interval. Render it with vega-embed, the Vega-Lite editor or the `vardecomp --chart` option.
   *
   * @example
   * ```ts
   * import embed from 'vega-embed';
   * await embed('#chart', d.toVegaLite());
   * ```
   */
  toVegaLite(options: VegaLiteOptions = {}): VegaLiteSpec {
    const subtitle = [this.formula, `${observationsText(this.nobs, this.nDropped)}; ${this.method} method`];
    return shareChartSpec({
      data: shareData(this.components, this.outcome, 0),
      bars: [this.outcome],
      barTitle: 'outcome',
      title: options.title === undefined ? `What the variation in ${this.outcome} belongs to` : options.title,
      subtitle,
      level: this.intervals?.level,
      intervalKinds: this.intervals ? [[this.outcome, this.intervals.kind]] : undefined,
      options,
    });
  }

  /**
   * The aligned text, so that template strings and `console.log(String(d))` read well.
   *
   * @example
   * ```ts
   * `${d}`; // same as d.format()
   * ```
   */
  toString(): string {
    return this.format();
  }
}

/**
 * The footer line of a GLMM decomposition: the scale and where the residual comes from. With
 * `perOutcome` (several outcomes, one lambda each), lambda is described rather than given.
 *
 * @example
 * ```ts
 * latentNote({ family: 'binomial', approximation: 'lognormal', lambda: null, distribution: 3.29, nullModel: null });
 * ```
 */
export function latentNote(l: LatentInfo, perOutcome = false): string {
  if (l.family === 'binomial') return 'Latent (logit) scale: the residual is the logistic distribution-specific variance pi²/3';
  const how = l.approximation === 'lognormal' ? 'ln(1 + 1/λ)' : l.approximation === 'delta' ? '1/λ' : 'trigamma(λ)';
  const lambda = perOutcome ? "λ each outcome's null model's" : `λ = ${l.lambda?.toPrecision(4)} the null model's`;
  return `Latent (log) scale: the residual is the Poisson distribution-specific variance ${how} (${l.approximation}), ${lambda} mean expected count (offset included)`;
}
