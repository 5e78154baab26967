/**
 * The report layer: classes wrapping decomposition data with text, markdown, arquero-table,
 * JSON and Vega-Lite views. Browser-safe (no Node-only APIs).
 *
 * @example
 * ```ts
 * import { Decomposition } from './report/index.js';
 * const d = new Decomposition(data); // data: DecompositionData
 * console.log(d.format());
 * ```
 */
export { Decomposition } from './decomposition.js';
export { Comparison } from './comparison.js';
export { ManyDecomposition } from './many-decomposition.js';
export type { FormatOptions, MarkdownOptions } from './report-notes.js';
export { METHOD_TITLES } from './report-notes.js';
export { VEGA_LITE_SCHEMA, componentColours, type VegaLiteOptions, type VegaLiteSpec } from './vega-lite.js';
