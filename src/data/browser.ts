/**
 * `vardecomp/data` for browsers (the `browser` export condition): the England panel's columns
 * and its parser, without the Node loader. Fetch the CSV and parse it.
 *
 * @example
 * ```ts
 * import { parseEnglandPanel, ENGLAND_PANEL_FILE } from 'vardecomp/data';
 * const panel = parseEnglandPanel(await (await fetch(`/data/${ENGLAND_PANEL_FILE}`)).text());
 * ```
 */
export { ENGLAND_PANEL_COLUMNS, ENGLAND_PANEL_FILE, parseEnglandPanel } from './england-panel.js';
export type { EnglandPanelColumn, EnglandPanelColumnName } from './england-panel.js';
