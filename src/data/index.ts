/**
 * `vardecomp/data`: the real-data panel shipped with the package. In Node, `loadEnglandPanel`
 * reads the shipped file; everything else (the columns and `parseEnglandPanel`) is
 * browser-safe, and bundlers targeting browsers get only that part (`./browser.ts`, the
 * `browser` export condition).
 *
 * @example
 * ```ts
 * import { loadEnglandPanel, ENGLAND_PANEL_COLUMNS } from 'vardecomp/data';
 * const panel = await loadEnglandPanel({ years: [2013, 2018] });
 * ```
 */
export * from './browser.js';
export { loadEnglandPanel, type LoadEnglandPanelOptions } from './load-england-panel.js';
