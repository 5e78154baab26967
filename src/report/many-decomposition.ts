/**
 * `ManyDecomposition`: several outcomes split on one right-hand side.
 */
import { table } from 'arquero';
import type { ColumnTable } from 'arquero';
import type { ComponentShare, DecompositionData, DecompositionMethod, ManyData } from '../decompose/decomposition-data.js';
import { Decomposition, latentNote } from './decomposition.js';
import {
  checkDigits,
  diagnosticNotes,
  frozenCopy,
  intervalHeader,
  intervalNote,
  METHOD_TITLES,
  type FormatOptions,
  type MarkdownOptions,
} from './report-notes.js';
import { alignColumns, formatPercent, markdownTable } from './text-layout.js';
import { shareChartSpec, shareData, type VegaLiteOptions, type VegaLiteSpec } from './vega-lite.js';

interface Part {
  readonly key: string;
  readonly label: string;
  readonly kind: ComponentShare['kind'];
}

/**
 * Several outcomes decomposed on one right-hand side by one method (the NAO looked at several
 * measures of children's social care activity): one row per outcome, a share per part.
 *
 * @example
 * ```ts
 * import { decomposeMany } from 'vardecomp';
 * const many = decomposeMany(panel, {
 *   outcomes: ['cpp_start_rate', 'cin_episodes_rate', 'lac_rate'],
 *   rhs: 'imd2019_avg_score + (1|la_code) + (1|year)',
 *   labels: { la_code: 'local', year: 'national', fixed: 'deprivation' },
 * });
 * console.log(many.format());
 * many.results[0].shares.la_code;
 * ```
 */
export class ManyDecomposition implements ManyData {
  readonly rhs: string;
  readonly method: DecompositionMethod;
  readonly outcomes: readonly string[];
  /** One {@link Decomposition} per outcome, in `outcomes` order. */
  readonly results: readonly Decomposition[];

  /**
   * Wrap plain many-outcome data (copied and frozen; the argument is not changed).
   *
   * @example
   * ```ts
   * const again = new ManyDecomposition(JSON.parse(JSON.stringify(many)));
   * ```
   */
  constructor(data: ManyData) {
    this.rhs = data.rhs;
    this.method = data.method;
    this.outcomes = frozenCopy(data.outcomes);
    this.results = Object.freeze(data.results.map((d) => (d instanceof Decomposition ? d : new Decomposition(d))));
    Object.freeze(this);
  }

  /** The parts across all outcomes, in display order (they share a right-hand side). */
  get parts(): readonly Part[] {
    const seen = new Map<string, Part>();
    for (const d of this.results) for (const c of d.components) if (!seen.has(c.key)) seen.set(c.key, { key: c.key, label: c.label, kind: c.kind });
    return [...seen.values()];
  }

  /** True when every result carries intervals. */
  get hasIntervals(): boolean {
    return this.results.length > 0 && this.results.every((d) => d.hasIntervals);
  }

  /**
   * Aligned text: one row per outcome with its observations and each part's share (and
   * interval), then notes.
   *
   * @example
   * ```ts
   * console.log(many.format());
   * //  Outcome            Obs  deprivation  95% interval  local  95% interval  ...
   * //  cpp_start_rate     894        15.0%  [11.2, 18.9]  44.0%  [39.1, 48.7]  ...
   * ```
   */
  format(options: FormatOptions = {}): string {
    const digits = checkDigits(options.digits);
    const parts = this.parts;
    const withInterval = this.hasIntervals;
    const withDropped = this.results.some((d) => d.nDropped > 0);
    const info = this.results.find((d) => d.intervals)?.intervals;
    const cellOf = (d: Decomposition, key: string): ComponentShare | undefined => d.components.find((c) => c.key === key);
    const width = Math.max(
      0,
      ...this.results.flatMap((d) =>
        withInterval ? d.components.flatMap((c) => [formatPercent(c.lower!, digits, false).length, formatPercent(c.upper!, digits, false).length]) : [],
      ),
    );
    const head = [
      'Outcome',
      'Obs',
      ...(withDropped ? ['Dropped'] : []),
      ...parts.flatMap((p) => (withInterval ? [p.label, intervalHeader(info)] : [p.label])),
    ];
    const body = this.results.map((d) => [
      d.outcome,
      d.nobs.toLocaleString('en-GB'),
      ...(withDropped ? [d.nDropped.toLocaleString('en-GB')] : []),
      ...parts.flatMap((p) => {
        const c = cellOf(d, p.key);
        const share = c ? formatPercent(c.share, digits) : '';
        if (!withInterval) return [share];
        const iv = c ? `[${formatPercent(c.lower!, digits, false).padStart(width)}, ${formatPercent(c.upper!, digits, false).padStart(width)}]` : '';
        return [share, iv];
      }),
    ]);
    const align: ('left' | 'right')[] = [
      'left',
      'right',
      ...(withDropped ? ['right' as const] : []),
      ...parts.flatMap(() => (withInterval ? (['right', 'left'] as const) : (['right'] as const))),
    ];
    const tableText = alignColumns([head, ...body], align);
    if (!(options.header ?? true)) return tableText;
    const lines = [
      `Variance decomposition of ${this.outcomes.length} outcome${this.outcomes.length === 1 ? '' : 's'}: ${METHOD_TITLES[this.method]}`,
      `  <outcome> ~ ${this.rhs}`,
      '',
      tableText,
    ];
    const notes: string[] = [];
    if (info) notes.push(intervalNote(info));
    const latent = this.results.find((d) => d.latent)?.latent;
    if (latent) notes.push(latentNote(latent, true));
    for (const d of this.results) notes.push(...diagnosticNotes(d.diagnostics, `${d.outcome}: `));
    if (notes.length > 0) lines.push('', ...notes.map((n) => ` ${n}`));
    return lines.join('\n');
  }

  /**
   * A markdown table, one row per outcome and a column per part.
   *
   * @example
   * ```ts
   * many.toMarkdown();
   * // | Outcome | Obs | deprivation | local | national | residual |
   * ```
   */
  toMarkdown(options: MarkdownOptions = {}): string {
    const digits = checkDigits(options.digits);
    const parts = this.parts;
    const withInterval = this.hasIntervals;
    const body = this.results.map((d) => [
      d.outcome,
      String(d.nobs),
      ...parts.map((p) => {
        const c = d.components.find((x) => x.key === p.key);
        if (!c) return '';
        return withInterval
          ? `${formatPercent(c.share, digits)} (${formatPercent(c.lower!, digits, false)} to ${formatPercent(c.upper!, digits, false)})`
          : formatPercent(c.share, digits);
      }),
    ]);
    const tableText = markdownTable(['Outcome', 'Obs', ...parts.map((p) => p.label)], body, ['left', 'right', ...parts.map(() => 'right' as const)]);
    if (!options.caption) return tableText;
    const info = this.results.find((d) => d.intervals)?.intervals;
    return (
      `${this.outcomes.length} outcomes on \`${this.rhs}\`, ${this.method} method (${METHOD_TITLES[this.method]})` +
      (info ? `; ${intervalHeader(info)}s in brackets` : '') +
      `.\n\n${tableText}`
    );
  }

  /**
   * An arquero table with one row per outcome: `outcome`, `nobs`, `n_dropped`, then a share
   * column per part named by its key, and `<key>_lower` / `<key>_upper` when intervals exist.
   *
   * @example
   * ```ts
   * many.toTable().select('outcome', 'la_code').print();
   * ```
   */
  toTable(): ColumnTable {
    const parts = this.parts;
    const withInterval = this.results.some((d) => d.components.some((c) => typeof c.lower === 'number'));
    const columns: Record<string, unknown[]> = {
      outcome: this.results.map((d) => d.outcome),
      nobs: this.results.map((d) => d.nobs),
      n_dropped: this.results.map((d) => d.nDropped),
    };
    const pick = (d: Decomposition, key: string, field: 'share' | 'lower' | 'upper'): number | null => {
      const v = d.components.find((c) => c.key === key)?.[field];
      return typeof v === 'number' ? v : null;
    };
    for (const p of parts) {
      columns[p.key] = this.results.map((d) => pick(d, p.key, 'share'));
      if (withInterval) {
        columns[`${p.key}_lower`] = this.results.map((d) => pick(d, p.key, 'lower'));
        columns[`${p.key}_upper`] = this.results.map((d) => pick(d, p.key, 'upper'));
      }
    }
    return table(columns);
  }

  /**
   * The plain, serialisable {@link ManyData}.
   *
   * @example
   * ```ts
   * JSON.stringify(many); // same as JSON.stringify(many.toJSON())
   * ```
   */
  toJSON(): ManyData {
    return {
      rhs: this.rhs,
      method: this.method,
      outcomes: this.outcomes,
      results: this.results.map((d): DecompositionData => d.toJSON()),
    };
  }

  /**
   * A Vega-Lite v5 spec: one stacked bar per outcome, coloured by part, with the percentages
   * written in; below, for each part, the outcomes' shares as points with their intervals.
   *
   * @example
   * ```ts
   * import embed from 'vega-embed';
   * await embed('#chart', many.toVegaLite());
   * ```
   */
  toVegaLite(options: VegaLiteOptions = {}): VegaLiteSpec {
    const order = new Map(this.parts.map((p, i) => [p.key, i]));
    const data = this.results.flatMap((d, barIndex) =>
      shareData(d.components, d.outcome, barIndex).map((x) => ({ ...x, index: order.get(x.key) ?? x.index })),
    );
    return shareChartSpec({
      data,
      bars: this.results.map((d) => d.outcome),
      barTitle: 'outcome',
      title: options.title === undefined ? `What the variation in ${this.outcomes.length} outcomes belongs to` : options.title,
      subtitle: [`<outcome> ~ ${this.rhs}`, `${this.method} method`],
      level: this.results.find((d) => d.intervals)?.intervals?.level,
      intervalKinds: this.results.flatMap((d) => (d.intervals ? [[d.outcome, d.intervals.kind] as const] : [])),
      options,
    });
  }

  /**
   * The aligned text (same as `format()`).
   *
   * @example
   * ```ts
   * console.log(`${many}`);
   * ```
   */
  toString(): string {
    return this.format();
  }
}
