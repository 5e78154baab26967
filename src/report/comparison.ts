/**
 * `Comparison`: the same data split by every method, side by side.
 */
import { table } from 'arquero';
import type { ColumnTable } from 'arquero';
import type {
  ComparisonData,
  ComparisonRow,
  DecompositionData,
  DecompositionMethod,
} from '../decompose/decomposition-data.js';
import { Decomposition } from './decomposition.js';
import {
  checkDigits,
  covariateSplitLine,
  diagnosticNotes,
  frozenCopy,
  intervalHeader,
  intervalNote,
  shareMethodsNote,
  labelOf,
  type FormatOptions,
  type MarkdownOptions,
} from './report-notes.js';
import { alignColumns, formatPercent, markdownTable, observationsText } from './text-layout.js';
import { shareChartSpec, type ShareDatum, type VegaLiteOptions, type VegaLiteSpec } from './vega-lite.js';

/** How each method reads, for the notes under a comparison. */
function methodNote(method: DecompositionMethod, d: DecompositionData): string {
  switch (method) {
    case 'components':
      return 'variance of each part of the REML/ML mixed model over their sum (Nakagawa & Schielzeth)';
    case 'sequential': {
      const order = (d.order ?? d.components.filter((c) => c.kind !== 'residual').map((c) => c.key)).map((k) => labelOf(d.labels, k));
      return `R² gained as ${order.join(', then ')} enter, in that order (type-I sums of squares)`;
    }
    case 'shapley':
      return 'R² gains averaged over every entry order (Shapley value, LMG)';
  }
}

/** `[39.1, 48.7]` with each end padded to a width. */
function bracket(lower: number, upper: number, digits: number, width: number): string {
  return `[${formatPercent(lower, digits, false).padStart(width)}, ${formatPercent(upper, digits, false).padStart(width)}]`;
}

/**
 * The same data split by every method, one row per part (covariates, each grouping factor,
 * residual) and a share per method. The methods answer different questions and give different
 * numbers; showing them side by side is the point (see the notes printed by `format()`).
 *
 * @example
 * ```ts
 * import { compare } from 'vardecomp';
 * const c = compare(panel, 'cpp_start_rate ~ imd2019_avg_score + (1|la_code) + (1|year)', {
 *   labels: { la_code: 'local', year: 'national', fixed: 'deprivation' },
 *   intervals: { n: 1000, seed: 1 },
 * });
 * console.log(c.format());
 * c.decompositions.shapley.shares.fixed; // the covariates' Shapley share
 * ```
 */
export class Comparison implements ComparisonData {
  readonly outcome: string;
  readonly formula: string;
  readonly methods: readonly DecompositionMethod[];
  readonly rows: readonly ComparisonRow[];
  /** One {@link Decomposition} per method in `methods`. */
  readonly decompositions: Record<DecompositionMethod, Decomposition>;

  /**
   * Wrap plain comparison data (copied and frozen; the argument is not changed).
   *
   * @example
   * ```ts
   * const again = new Comparison(JSON.parse(JSON.stringify(c)));
   * ```
   */
  constructor(data: ComparisonData) {
    this.outcome = data.outcome;
    this.formula = data.formula;
    this.methods = frozenCopy(data.methods);
    this.rows = frozenCopy(data.rows);
    const decompositions: Partial<Record<DecompositionMethod, Decomposition>> = {};
    for (const m of data.methods) {
      const d = data.decompositions[m];
      if (d !== undefined) decompositions[m] = d instanceof Decomposition ? d : new Decomposition(d);
    }
    this.decompositions = Object.freeze(decompositions) as Record<DecompositionMethod, Decomposition>;
    Object.freeze(this);
  }

  /** True when every row has an interval for every method. */
  get hasIntervals(): boolean {
    return (
      this.rows.length > 0 &&
      this.rows.every((r) => this.methods.every((m) => typeof r.lower?.[m] === 'number' && typeof r.upper?.[m] === 'number'))
    );
  }

  /** The first decomposition (observation counts, intervals and labels are common to all). */
  private get first(): Decomposition | undefined {
    return this.methods.map((m) => this.decompositions[m]).find((d) => d !== undefined);
  }

  /**
   * Aligned text: one row per part, for each method its share (and interval), a total row,
   * then a line per method saying what it measures, covariate splits, R² and interval notes.
   *
   * @example
   * ```ts
   * console.log(c.format());
   * //  Component    Kind     components  95% interval  sequential  95% interval  shapley  95% interval
   * //  deprivation  fixed         15.0%  [11.2, 18.9]       15.2%  [12.0, 18.8]     7.9%  [ 6.3,  9.7]
   * //  ...
   * ```
   */
  format(options: FormatOptions = {}): string {
    const digits = checkDigits(options.digits);
    const withInterval = this.hasIntervals;
    const width = Math.max(
      0,
      ...this.rows.flatMap((r) =>
        withInterval ? this.methods.flatMap((m) => [formatPercent(r.lower![m], digits, false).length, formatPercent(r.upper![m], digits, false).length]) : [],
      ),
    );
    const first = this.first;
    const head = ['Component', 'Kind', ...this.methods.flatMap((m) => (withInterval ? [m, intervalHeader(first?.intervals)] : [m]))];
    const body = this.rows.map((r) => [
      r.label,
      r.kind,
      ...this.methods.flatMap((m) => {
        const share = formatPercent(r.shares[m], digits);
        return withInterval ? [share, bracket(r.lower![m], r.upper![m], digits, width)] : [share];
      }),
    ]);
    const totals = ['Total', '', ...this.methods.flatMap((m) => {
      const sum = this.rows.reduce((s, r) => s + r.shares[m], 0);
      return withInterval ? [formatPercent(sum, digits), ''] : [formatPercent(sum, digits)];
    })];
    const align: ('left' | 'right')[] = ['left', 'left', ...this.methods.flatMap(() => (withInterval ? (['right', 'left'] as const) : (['right'] as const)))];
    const tableText = alignColumns([head, ...body, totals], align);
    if (!(options.header ?? true)) return tableText;

    const lines = [
      `Variance decomposition of ${this.outcome} by ${this.methods.length === 3 ? 'three methods' : `${this.methods.length} method${this.methods.length === 1 ? '' : 's'}`}`,
      `  ${this.formula}`,
      ...(first ? [`  ${observationsText(first.nobs, first.nDropped)}`] : []),
      '',
      tableText,
      '',
    ];
    const nameWidth = Math.max(...this.methods.map((m) => m.length));
    const notes: string[] = [];
    for (const m of this.methods) {
      const d = this.decompositions[m];
      if (d) notes.push(`${m.padEnd(nameWidth)}  ${methodNote(m, d)}`);
    }
    for (const m of this.methods) {
      const d = this.decompositions[m];
      const split = d ? covariateSplitLine(d, digits) : null;
      if (split) notes.push(`${split} (${m})`);
    }
    const r2 = this.methods.map((m) => this.decompositions[m]?.r2).find((v) => v !== undefined);
    if (r2 !== undefined) notes.push(`R² of the full fixed-effects regression: ${r2.toFixed(3)}`);
    for (const m of this.methods) {
      const mi = this.decompositions[m]?.intervals;
      if (!mi) continue;
      const lines = intervalNote(mi).split('\n');
      notes.push(...lines.map((l, i) => (i === 0 ? l.replace(/^Intervals:/, `Intervals (${m}):`) : `  ${l}`)));
      const byShare = shareMethodsNote(this.decompositions[m].components);
      if (byShare) notes.push(`  ${byShare}`);
    }
    if (first) notes.push(...diagnosticNotes(first.diagnostics));
    lines.push(...notes.map((n) => ` ${n}`));
    return lines.join('\n');
  }

  /**
   * A markdown table, one row per part and a column per method (`44.0% (39.1 to 48.7)` when
   * intervals exist).
   *
   * @example
   * ```ts
   * c.toMarkdown();
   * // | Component | Kind | components | sequential | shapley |
   * // |:--|:--|--:|--:|--:|
   * // | deprivation | fixed | 15.0% (11.2 to 18.9) | ... |
   * ```
   */
  toMarkdown(options: MarkdownOptions = {}): string {
    const digits = checkDigits(options.digits);
    const withInterval = this.hasIntervals;
    const body = this.rows.map((r) => [
      r.label,
      r.kind,
      ...this.methods.map((m) =>
        withInterval
          ? `${formatPercent(r.shares[m], digits)} (${formatPercent(r.lower![m], digits, false)} to ${formatPercent(r.upper![m], digits, false)})`
          : formatPercent(r.shares[m], digits),
      ),
    ]);
    const tableText = markdownTable(['Component', 'Kind', ...this.methods], body, ['left', 'left', ...this.methods.map(() => 'right' as const)]);
    if (!options.caption) return tableText;
    const first = this.first;
    const info = first?.intervals;
    return (
      `**${this.outcome}** by ${this.methods.join(', ')}: \`${this.formula}\`` +
      (first ? `, ${observationsText(first.nobs, first.nDropped)}` : '') +
      (info
        ? `; ${intervalHeader(info)}s in brackets (${this.methods.map((m) => `${m}: ${this.decompositions[m]?.intervals?.kind ?? 'none'}`).join(', ')})`
        : '') +
      `.\n\n${tableText}`
    );
  }

  /**
   * An arquero table with one row per key: `key`, `label`, `kind`, then for each method a share
   * column named after it, and `<method>_lower` / `<method>_upper` when intervals exist.
   *
   * @example
   * ```ts
   * c.toTable().select('label', 'components', 'shapley').print();
   * ```
   */
  toTable(): ColumnTable {
    const columns: Record<string, unknown[]> = {
      key: this.rows.map((r) => r.key),
      label: this.rows.map((r) => r.label),
      kind: this.rows.map((r) => r.kind),
    };
    const withInterval = this.rows.some((r) => r.lower !== undefined);
    for (const m of this.methods) {
      columns[m] = this.rows.map((r) => r.shares[m]);
      if (withInterval) {
        columns[`${m}_lower`] = this.rows.map((r) => r.lower?.[m] ?? null);
        columns[`${m}_upper`] = this.rows.map((r) => r.upper?.[m] ?? null);
      }
    }
    return table(columns);
  }

  /**
   * The plain, serialisable {@link ComparisonData}.
   *
   * @example
   * ```ts
   * JSON.stringify(c); // same as JSON.stringify(c.toJSON())
   * ```
   */
  toJSON(): ComparisonData {
    const decompositions: Partial<Record<DecompositionMethod, DecompositionData>> = {};
    for (const m of this.methods) {
      const d = this.decompositions[m];
      if (d) decompositions[m] = d.toJSON();
    }
    return {
      outcome: this.outcome,
      formula: this.formula,
      methods: this.methods,
      rows: this.rows,
      decompositions: decompositions as Record<DecompositionMethod, DecompositionData>,
    };
  }

  /**
   * A Vega-Lite v5 spec: one stacked bar per method, coloured by part, with the percentages
   * written in; below, for each part, the methods' shares as points with their intervals.
   *
   * @example
   * ```ts
   * import embed from 'vega-embed';
   * await embed('#chart', c.toVegaLite({ width: 640 }));
   * ```
   */
  toVegaLite(options: VegaLiteOptions = {}): VegaLiteSpec {
    const data: ShareDatum[] = this.methods.flatMap((m, barIndex) =>
      this.rows.map((r, index) => ({
        bar: m,
        barIndex,
        key: r.key,
        label: r.label,
        kind: r.kind,
        index,
        share: r.shares[m],
        lower: typeof r.lower?.[m] === 'number' ? r.lower[m] : null,
        upper: typeof r.upper?.[m] === 'number' ? r.upper[m] : null,
      })),
    );
    const first = this.first;
    return shareChartSpec({
      data,
      bars: this.methods,
      barTitle: 'method',
      title: options.title === undefined ? `What the variation in ${this.outcome} belongs to, by method` : options.title,
      subtitle: [this.formula, ...(first ? [observationsText(first.nobs, first.nDropped)] : [])],
      level: first?.intervals?.level,
      intervalKinds: this.methods.flatMap((m) => {
        const kind = this.decompositions[m]?.intervals?.kind;
        return kind ? [[m, kind] as const] : [];
      }),
      options,
    });
  }

  /**
   * The aligned text (same as `format()`).
   *
   * @example
   * ```ts
   * console.log(`${c}`);
   * ```
   */
  toString(): string {
    return this.format();
  }
}
