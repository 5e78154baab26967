import { describe, expect, it } from 'vitest';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { Comparison, Decomposition, ManyDecomposition, VEGA_LITE_SCHEMA, type VegaLiteSpec } from '../../src/report/index.js';
import { naoComparison, naoComponents, naoMany } from './nao-data.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Compile with vega-lite (collecting its warnings) and render to SVG with vega. */
async function render(spec: VegaLiteSpec): Promise<{ svg: string; warnings: string[] }> {
  const warnings: string[] = [];
  let level = 0;
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error: (...args: unknown[]) => {
      throw new Error(args.map(String).join(' '));
    },
    warn: (...args: unknown[]) => (warnings.push(args.map(String).join(' ')), logger),
    info: () => logger,
    debug: () => logger,
  };
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0], { logger: logger as never });
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return { svg, warnings };
}

function layers(panel: Obj): Obj[] {
  return (panel.spec ?? panel).layer;
}

describe('Decomposition.toVegaLite', () => {
  const spec = new Decomposition(naoComponents()).toVegaLite() as Obj;

  it('is a Vega-Lite v5 spec with inline data, one datum per component', () => {
    expect(spec.$schema).toBe(VEGA_LITE_SCHEMA);
    expect(spec.$schema).toContain('/vega-lite/v5');
    const values = spec.data.values as Obj[];
    expect(values.map((v) => v.label)).toEqual(['deprivation', 'local', 'national', 'residual']);
    expect(values.map((v) => v.percent)).toEqual(['15.0%', '44.0%', '10.0%', '31.0%']);
    expect(values.reduce((s, v) => s + v.share, 0)).toBeCloseTo(1, 12);
    expect(values[1]).toMatchObject({ key: 'la_code', bar: 'cpp_start_rate', lower: 0.391, upper: 0.487, interval: '[39.1%, 48.7%]' });
    expect(spec.title.text).toContain('cpp_start_rate');
  });

  it('stacks one horizontal bar coloured by component label, with percentages written in', () => {
    const [bars] = spec.vconcat as Obj[];
    expect(bars.transform[0]).toMatchObject({ stack: 'share', groupby: ['bar'], as: ['x0', 'x1'] });
    expect(bars.encoding.y.field).toBe('bar');
    const [bar, text] = layers(bars);
    expect(bar.mark.type).toBe('bar');
    expect(bar.encoding.x).toMatchObject({ field: 'x0', type: 'quantitative', axis: { format: '.0%' } });
    expect(bar.encoding.x2).toEqual({ field: 'x1' });
    expect(bar.encoding.color.field).toBe('label');
    expect(bar.encoding.color.scale.domain).toEqual(['deprivation', 'local', 'national', 'residual']);
    expect(bar.encoding.color.scale.range).toEqual(['#f58518', '#4c78a8', '#54a24b', '#bab0ac']);
    expect(text.mark.type).toBe('text');
    expect(text.encoding.text.field).toBe('percent');
    expect(text.encoding.x.field).toBe('xmid');
  });

  it('shows each share as a point with its interval as a rule', () => {
    const points = (spec.vconcat as Obj[])[1];
    expect(points.encoding.y).toMatchObject({ field: 'label', sort: ['deprivation', 'local', 'national', 'residual'] });
    const marks = layers(points).map((l) => l.mark.type);
    expect(marks).toEqual(['rule', 'point', 'text']);
    const rule = layers(points)[0];
    expect(rule.encoding.x.field).toBe('lower');
    expect(rule.encoding.x2.field).toBe('upper');
    expect(points.title.text).toBe('Each share with its 95% interval (parametric bootstrap)');
  });

  it('names each method\'s interval kind in the interval panel of a comparison', () => {
    const data = JSON.parse(JSON.stringify(naoComparison()));
    data.decompositions.components.intervals.kind = 'profile';
    data.decompositions.sequential.intervals.kind = 'unit-bootstrap';
    data.decompositions.shapley.intervals.kind = 'unit-bootstrap';
    const c = new Comparison(data).toVegaLite() as Obj;
    expect((c.vconcat as Obj[])[1].title.text).toBe('Each share with its 95% interval (profile: components; unit bootstrap: sequential, shapley)');
  });

  it('drops the rules without intervals, and the panel or title on request', () => {
    const plain = new Decomposition(naoComponents({ intervals: false })).toVegaLite() as Obj;
    expect(layers(plain.vconcat[1]).map((l) => l.mark.type)).toEqual(['point', 'text']);
    const barsOnly = new Decomposition(naoComponents()).toVegaLite({ intervals: false, title: null, width: 300 }) as Obj;
    expect(barsOnly.vconcat).toHaveLength(1);
    expect(barsOnly.title).toBeUndefined();
    expect(barsOnly.vconcat[0].width).toBe(300);
  });

  it('renders to SVG with vega without warnings', async () => {
    const { svg, warnings } = await render(spec as VegaLiteSpec);
    expect(warnings).toEqual([]);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const s of ['44.0%', '15.0%', 'local', 'national', 'deprivation', '44.0%  [39.1, 48.7]']) expect(svg.includes(s), s).toBe(true);
  });
});

describe('Comparison.toVegaLite and ManyDecomposition.toVegaLite', () => {
  it('stacks one bar per method and facets the intervals by component', async () => {
    const spec = new Comparison(naoComparison()).toVegaLite() as Obj;
    const values = spec.data.values as Obj[];
    expect(values).toHaveLength(12);
    expect([...new Set(values.map((v) => v.bar))]).toEqual(['components', 'sequential', 'shapley']);
    const [bars, points] = spec.vconcat as Obj[];
    expect(bars.encoding.y.sort).toEqual(['components', 'sequential', 'shapley']);
    expect(points.facet.row.field).toBe('label');
    expect(points.spec.encoding.y.field).toBe('bar');
    expect(layers(points).map((l) => l.mark.type)).toEqual(['rule', 'point', 'text']);
    const { svg, warnings } = await render(spec as VegaLiteSpec);
    expect(warnings).toEqual([]);
    expect(svg.includes('55.8%  [51.0, 60.0]')).toBe(true);
    expect(svg.includes('shapley')).toBe(true);
  });

  it('stacks one bar per outcome', async () => {
    const spec = new ManyDecomposition(naoMany()).toVegaLite() as Obj;
    const [bars] = spec.vconcat as Obj[];
    expect(bars.encoding.y.sort).toEqual(['cpp_start_rate', 'cin_episodes_rate', 'lac_rate']);
    const values = spec.data.values as Obj[];
    expect(values.filter((v) => v.bar === 'lac_rate').map((v) => v.share)).toEqual([0.35, 0.55, 0.02, 0.08]);
    // Too narrow for its percentage: the 2% segment is labelled only in the lower panel.
    expect(values.find((v) => v.bar === 'lac_rate' && v.key === 'year')!.showText).toBe(false);
    const { svg, warnings } = await render(spec as VegaLiteSpec);
    expect(warnings).toEqual([]);
    expect(svg.includes('lac_rate')).toBe(true);
  });
});
