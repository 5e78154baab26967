/**
 * `vardecomp/data`: the real-data panel shipped with the package. Node only (reads the file
 * system); the browser-safe core is `vardecomp`.
 *
 * @example
 * ```ts
 * import { loadEnglandPanel, ENGLAND_PANEL_COLUMNS } from 'vardecomp/data';
 * const panel = await loadEnglandPanel({ years: [2013, 2018] });
 * ```
 */
export {
  ENGLAND_PANEL_COLUMNS,
  parseEnglandPanel,
  loadEnglandPanel,
} from './england-panel.js';
export type {
  EnglandPanelColumn,
  EnglandPanelColumnName,
  LoadEnglandPanelOptions,
} from './england-panel.js';
