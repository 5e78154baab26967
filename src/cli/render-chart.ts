/**
 * Chart files for the CLI: a Vega-Lite spec written as JSON, or rendered to SVG (and an HTML
 * page around it) with vega and vega-lite, which are optional dependencies loaded only here.
 */
import { VardecompError } from '../errors.js';
import type { VegaLiteSpec } from '../report/index.js';

/**
 * The chart file kinds, by file-name ending.
 *
 * @example
 * ```ts
 * const kind: ChartKind = chartKind('shares.html'); // "html"
 * ```
 */
export type ChartKind = 'svg' | 'html' | 'vl.json';

/**
 * The kind of chart a file name asks for (`.svg`, `.html`/`.htm`, `.vl.json`/`.json`).
 *
 * @throws VardecompError `E_OPTION` for any other ending.
 * @example
 * ```ts
 * chartKind('shares.svg'); // "svg"
 * chartKind('shares.vl.json'); // "vl.json"
 * ```
 */
export function chartKind(file: string): ChartKind {
  const f = file.toLowerCase();
  if (f.endsWith('.svg')) return 'svg';
  if (f.endsWith('.html') || f.endsWith('.htm')) return 'html';
  if (f.endsWith('.json')) return 'vl.json';
  throw new VardecompError('E_OPTION', `Option "--chart" must name a .svg, .html or .vl.json file (got "${file}")`, {
    option: 'chart',
    value: file,
  });
}

/**
 * Render a Vega-Lite spec to an SVG string with vega and vega-lite (imported on first use).
 *
 * @throws Error naming the packages to install when vega or vega-lite is missing.
 * @example
 * ```ts
 * const svg = await renderSvg(decomposition.toVegaLite());
 * ```
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  let vega: typeof import('vega');
  let vegaLite: typeof import('vega-lite');
  try {
    [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  } catch {
    throw new Error(
      'Rendering a chart needs the optional packages "vega" and "vega-lite" (npm install vega vega-lite); ' +
        'or write the spec with --chart FILE.vl.json',
    );
  }
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A self-contained HTML page: the rendered SVG inline (no scripts or network needed) and the
 * Vega-Lite spec in a JSON script block for anyone who wants to re-render it.
 *
 * @example
 * ```ts
 * const html = htmlPage(svg, spec, 'Variance shares');
 * ```
 */
export function htmlPage(svg: string, spec: VegaLiteSpec, title: string): string {
  const json = JSON.stringify(spec, null, 2).replace(/</g, '\\u003c');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body { font-family: Helvetica, Arial, sans-serif; margin: 2rem; } svg { max-width: 100%; height: auto; }</style>',
    '</head>',
    '<body>',
    svg,
    `<script type="application/json" id="vega-lite-spec">\n${json}\n</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * The file content for a chart: the spec as JSON, the SVG, or an HTML page.
 *
 * @example
 * ```ts
 * await writeFile('shares.svg', await chartFileContent(d.toVegaLite(), 'shares.svg'));
 * ```
 */
export async function chartFileContent(spec: VegaLiteSpec, file: string): Promise<string> {
  const kind = chartKind(file);
  if (kind === 'vl.json') return `${JSON.stringify(spec, null, 2)}\n`;
  const svg = await renderSvg(spec);
  if (kind === 'svg') return svg;
  const title = typeof spec.description === 'string' && spec.description ? spec.description : 'vardecomp chart';
  return htmlPage(svg, spec, title);
}
