/**
 * Simulated panels with known variance components.
 */
export { simulatePanel, naoPanel } from './simulate-panel.js';
export type { SimulatePanelOptions, PanelShares, PanelColumnNames } from './simulate-panel.js';
