/**
 * Simulated panels with known variance components.
 */
export { simulatePanel, naoPanel, MAX_SIMULATED_ROWS } from './simulate-panel.js';
export type { SimulatePanelOptions, PanelShares, PanelColumnNames } from './simulate-panel.js';
