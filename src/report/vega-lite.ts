/**
 * Vega-Lite v5 specifications for variance shares, as plain objects (no Vega dependency).
 *
 * Every chart has the same two panels, one above the other:
 *
 * 1. stacked horizontal bars of the shares (one bar per decomposition, method or outcome),
 *    coloured by component, with the percentage written inside each segment wide enough to hold
 *    it;
 * 2. each share as a point with its bootstrap interval as a rule and the numbers written in a
 *    column on the right (when there is more than one bar, one row of panels per component so
 *    the methods or outcomes sit next to each other).
 */
import type { ComponentShare } from '../decompose/decomposition-data.js';
import { formatPercent, levelText } from './text-layout.js';

/**
 * A Vega-Lite specification as a plain JSON object.
 *
 * @example
 * ```ts
 * const spec: VegaLiteSpec = d.toVegaLite();
 * JSON.stringify(spec); // paste into https://vega.github.io/editor
 * ```
 */
export type VegaLiteSpec = { $schema: string } & Record<string, unknown>;

/**
 * Options of the `toVegaLite()` methods.
 *
 * @example
 * ```ts
 * const options: VegaLiteOptions = { width: 640, title: 'Child protection plan starts' };
 * decomposition.toVegaLite(options);
 * ```
 */
export interface VegaLiteOptions {
  /** Width of the plotting area in pixels (default 560). */
  width?: number;
  /** Chart title; `null` for none (default: made from the outcome and method). */
  title?: string | null;
  /** Add the point-and-interval panel (default true; without intervals it shows the points). */
  intervals?: boolean;
}

/**
 * The Vega-Lite schema the specs are written against.
 *
 * @example
 * ```ts
 * d.toVegaLite().$schema === VEGA_LITE_SCHEMA; // true
 * ```
 */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Colours by position among random terms (unit, period, further levels). */
const RANDOM_COLOURS = ['#4c78a8', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6'];
const FIXED_COLOUR = '#f58518';
const RESIDUAL_COLOUR = '#bab0ac';
const DARK_TEXT = '#1a1a1a';
const LIGHT_TEXT = '#ffffff';
/** Minimum segment width in pixels for its percentage to be written inside. */
const MIN_TEXT_PX = 36;

/**
 * One segment of one bar: a component's share in one decomposition.
 *
 * @example
 * ```ts
 * const datum: ShareDatum = { bar: 'components', barIndex: 0, key: 'la', label: 'local', kind: 'random', index: 1, share: 0.44, lower: 0.39, upper: 0.49 };
 * ```
 */
export interface ShareDatum {
  /** The bar: outcome (decomposition, many) or method (comparison). */
  readonly bar: string;
  readonly barIndex: number;
  readonly key: string;
  readonly label: string;
  readonly kind: ComponentShare['kind'];
  /** Position of the component in display order. */
  readonly index: number;
  readonly share: number;
  readonly lower: number | null;
  readonly upper: number | null;
}

/** A component in display order, with its colour. */
interface Legend {
  readonly key: string;
  readonly label: string;
  readonly kind: ComponentShare['kind'];
}

function relativeLuminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/**
 * The text colour (near-black or white) with the higher contrast on a background colour.
 *
 * @example
 * ```ts
 * textColourOn('#4c78a8'); // "#ffffff"
 * textColourOn('#bab0ac'); // "#1a1a1a"
 * ```
 */
export function textColourOn(background: string): string {
  const l = relativeLuminance(background);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? DARK_TEXT : LIGHT_TEXT;
}

/**
 * Colours of the components: covariates orange, random terms blue, green, red, ... in order,
 * residual grey, so the same part has the same colour in every chart.
 *
 * @example
 * ```ts
 * componentColours([{ kind: 'fixed' }, { kind: 'random' }, { kind: 'residual' }]);
 * // ['#f58518', '#4c78a8', '#bab0ac']
 * ```
 */
export function componentColours(components: readonly { readonly kind: ComponentShare['kind'] }[]): string[] {
  let r = 0;
  return components.map((c) =>
    c.kind === 'fixed' ? FIXED_COLOUR : c.kind === 'residual' ? RESIDUAL_COLOUR : RANDOM_COLOURS[r++ % RANDOM_COLOURS.length],
  );
}

/** Components in first-seen order across the data. */
function legendOf(data: readonly ShareDatum[]): Legend[] {
  const seen = new Map<string, Legend>();
  for (const d of [...data].sort((a, b) => a.index - b.index)) {
    if (!seen.has(d.key)) seen.set(d.key, { key: d.key, label: d.label, kind: d.kind });
  }
  return [...seen.values()];
}

/**
 * The interval methods of the bars, for a title: ` (profile)` when all bars share one,
 * ` (profile: components; unit bootstrap: sequential, shapley)` otherwise, `''` when unknown.
 *
 * @example
 * ```ts
 * intervalKindsText([['components', 'profile'], ['shapley', 'unit-bootstrap']]);
 * // " (profile: components; unit bootstrap: shapley)"
 * ```
 */
export function intervalKindsText(kinds: ReadonlyArray<readonly [bar: string, kind: string]> | undefined): string {
  if (!kinds || kinds.length === 0) return '';
  const byKind = new Map<string, string[]>();
  for (const [bar, kind] of kinds) byKind.set(kind, [...(byKind.get(kind) ?? []), bar]);
  const name = (kind: string): string => kind.replace(/-/g, ' ');
  if (byKind.size === 1) return ` (${name([...byKind.keys()][0])})`;
  return ` (${[...byKind].map(([kind, bars]) => `${name(kind)}: ${bars.join(', ')}`).join('; ')})`;
}

/**
 * Input of {@link shareChartSpec}.
 *
 * @example
 * ```ts
 * const input: ShareChartInput = { data, bars: ['components', 'shapley'], barTitle: 'method', title: null, subtitle: [] };
 * ```
 */
export interface ShareChartInput {
  readonly data: readonly ShareDatum[];
  /** Bars in display order. */
  readonly bars: readonly string[];
  /** What the bars are (axis and tooltip title), e.g. `'method'`. */
  readonly barTitle: string;
  readonly title: string | null;
  readonly subtitle: readonly string[];
  /** Interval level when intervals exist. */
  readonly level?: number;
  /** Each bar's interval method (`IntervalInfo.kind`), named in the interval panel's title. */
  readonly intervalKinds?: ReadonlyArray<readonly [bar: string, kind: string]>;
  readonly options?: VegaLiteOptions;
}

/**
 * Build the two-panel share chart (see the module comment) from flat share data.
 *
 * @example
 * ```ts
 * const spec = shareChartSpec({
 *   data: [{ bar: 'y', barIndex: 0, key: 'la', label: 'local', kind: 'random', index: 0, share: 0.6, lower: null, upper: null },
 *          { bar: 'y', barIndex: 0, key: 'residual', label: 'residual', kind: 'residual', index: 1, share: 0.4, lower: null, upper: null }],
 *   bars: ['y'], barTitle: 'outcome', title: 'Shares of y', subtitle: [],
 * });
 * spec.vconcat; // [bars, points]
 * ```
 */
export function shareChartSpec(input: ShareChartInput): VegaLiteSpec {
  const width = input.options?.width ?? 560;
  const legend = legendOf(input.data);
  const colours = componentColours(legend);
  const colourOf = new Map(legend.map((l, i) => [l.key, colours[i]]));
  const labels = legend.map((l) => l.label);
  const hasIntervals = input.data.some((d) => d.lower !== null && d.upper !== null);
  const multi = input.bars.length > 1;

  const maxEnd = Math.max(0, ...input.data.map((d) => Math.max(d.share, d.upper ?? d.share)));
  const pointMax = Math.min(1, Math.ceil((maxEnd + 0.02) * 10) / 10);

  const values = input.data.map((d) => ({
    ...d,
    percent: formatPercent(d.share),
    interval: d.lower !== null && d.upper !== null ? `[${formatPercent(d.lower)}, ${formatPercent(d.upper)}]` : '',
    summary:
      d.lower !== null && d.upper !== null
        ? `${formatPercent(d.share)}  [${formatPercent(d.lower, 1, false)}, ${formatPercent(d.upper, 1, false)}]`
        : formatPercent(d.share),
    showText: d.share * width >= MIN_TEXT_PX,
    textColour: textColourOn(colourOf.get(d.key) ?? RESIDUAL_COLOUR),
    textX: pointMax,
  }));

  const colour = {
    field: 'label',
    type: 'nominal',
    title: 'component',
    scale: { domain: labels, range: colours },
  };
  const tooltip = [
    { field: 'bar', type: 'nominal', title: input.barTitle },
    { field: 'label', type: 'nominal', title: 'component' },
    { field: 'percent', type: 'nominal', title: 'share' },
    ...(hasIntervals ? [{ field: 'interval', type: 'nominal', title: `${levelText(input.level ?? 0.95)} interval` }] : []),
  ];
  const barY = {
    field: 'bar',
    type: 'nominal',
    sort: [...input.bars],
    title: null,
    axis: { labelLimit: 220, labelFontSize: 12, ticks: false, domain: false, labelPadding: 6 },
  };

  const barsPanel: Record<string, unknown> = {
    width,
    height: { step: multi ? 36 : 48 },
    transform: [
      { stack: 'share', groupby: ['bar'], sort: [{ field: 'index', order: 'ascending' }], as: ['x0', 'x1'] },
      { calculate: '(datum.x0 + datum.x1) / 2', as: 'xmid' },
    ],
    encoding: { y: barY },
    layer: [
      {
        mark: { type: 'bar', stroke: 'white', strokeWidth: 1.5, cornerRadius: 1 },
        encoding: {
          x: {
            field: 'x0',
            type: 'quantitative',
            scale: { domain: [0, 1], nice: false },
            axis: { format: '.0%', title: 'share of the variance', tickCount: 5, grid: false },
          },
          x2: { field: 'x1' },
          color: {
            ...colour,
            legend: { orient: 'top', direction: 'horizontal', title: null, symbolType: 'square', labelFontSize: 12, symbolSize: 150 },
          },
          tooltip,
        },
      },
      {
        transform: [{ filter: 'datum.showText' }],
        mark: { type: 'text', fontSize: 12, fontWeight: 'bold' },
        encoding: {
          x: { field: 'xmid', type: 'quantitative' },
          text: { field: 'percent', type: 'nominal' },
          color: { field: 'textColour', type: 'nominal', scale: null },
        },
      },
    ],
  };

  const showPoints = input.options?.intervals ?? true;
  const pointTitle = hasIntervals
    ? `Each share with its ${levelText(input.level ?? 0.95)} interval${intervalKindsText(input.intervalKinds)}`
    : 'Each share';
  const pointX = {
    field: 'share',
    type: 'quantitative',
    scale: { domain: [0, pointMax], nice: false },
    axis: { format: '.0%', title: 'share of the variance', tickCount: 5 },
  };
  const pointLayers = (): Record<string, unknown>[] => [
    ...(hasIntervals
      ? [
          {
            transform: [{ filter: 'isValid(datum.lower) && isValid(datum.upper)' }],
            mark: { type: 'rule', strokeWidth: 2.5 },
            encoding: {
              x: { field: 'lower', type: 'quantitative' },
              x2: { field: 'upper' },
              color: colour,
              tooltip,
            },
          },
        ]
      : []),
    {
      mark: { type: 'point', filled: true, size: 80, opacity: 1, stroke: 'white', strokeWidth: 1 },
      encoding: { x: pointX, color: colour, tooltip },
    },
    {
      mark: { type: 'text', align: 'left', baseline: 'middle', dx: 10, fontSize: 11 },
      encoding: {
        x: { field: 'textX', type: 'quantitative' },
        text: { field: 'summary', type: 'nominal' },
        color: { value: '#333333' },
      },
    },
  ];

  let pointsPanel: Record<string, unknown>;
  if (!multi) {
    pointsPanel = {
      title: { text: pointTitle, anchor: 'start', fontSize: 12, fontWeight: 'normal', color: '#444444' },
      width,
      height: { step: 26 },
      encoding: {
        y: { field: 'label', type: 'nominal', sort: labels, title: null, axis: { labelFontSize: 12, ticks: false, domain: false, labelPadding: 6 } },
      },
      layer: pointLayers(),
    };
  } else {
    pointsPanel = {
      title: { text: pointTitle, anchor: 'start', fontSize: 12, fontWeight: 'normal', color: '#444444' },
      facet: {
        row: {
          field: 'label',
          type: 'nominal',
          sort: labels,
          title: null,
          header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelAlign: 'left', labelFontSize: 12, labelFontWeight: 'bold', labelPadding: -10 },
        },
      },
      spacing: 14,
      spec: {
        width,
        height: { step: 18 },
        encoding: {
          y: { field: 'bar', type: 'nominal', sort: [...input.bars], title: null, axis: { labelLimit: 220, ticks: false, domain: false, labelPadding: 6 } },
        },
        layer: pointLayers(),
      },
    };
  }

  const spec: VegaLiteSpec = {
    $schema: VEGA_LITE_SCHEMA,
    description: [input.title, ...input.subtitle].filter((s) => s).join('. '),
    ...(input.title === null ? {} : { title: { text: input.title, subtitle: [...input.subtitle], anchor: 'start', fontSize: 15, subtitleFontSize: 12, subtitleColor: '#555555', offset: 12 } }),
    data: { values },
    vconcat: showPoints ? [barsPanel, pointsPanel] : [barsPanel],
    spacing: 24,
    resolve: { scale: { color: 'shared', x: 'independent' } },
    config: {
      view: { stroke: null },
      font: 'Helvetica, Arial, sans-serif',
      axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', titleColor: '#444444' },
      legend: { labelLimit: 240 },
    },
  };
  return spec;
}

/**
 * Flatten a list of components (one bar) into chart data.
 *
 * @example
 * ```ts
 * shareData(d.components, 'cpp_start_rate', 0);
 * ```
 */
export function shareData(components: readonly ComponentShare[], bar: string, barIndex: number): ShareDatum[] {
  return components.map((c, index) => ({
    bar,
    barIndex,
    key: c.key,
    label: c.label,
    kind: c.kind,
    index,
    share: c.share,
    lower: typeof c.lower === 'number' ? c.lower : null,
    upper: typeof c.upper === 'number' ? c.upper : null,
  }));
}
