/**
 * Rows for the formula-function tests of the cell builders (test/aggregates/formula-functions,
 * test/sql/postgres): x > 0 (for log and sqrt), a second covariate z, a grouping g coarser than
 * the unit, weights; incomplete rows of each kind (outcome missing with x present, x missing, g
 * missing) and a huge x in a row without outcome (it would move within/between/scale if it
 * counted).
 */
import { simulatePanel } from '../../src/simulate/index.js';

type Row = Record<string, number | string | null>;
const sim = simulatePanel({ units: 36, periods: 5, seed: 31, covariateWithin: 0.6 });

/** The rows (fresh objects; the tests copy before editing). */
export const functionRows: Row[] = (sim.objects() as Row[]).map((r, i) => ({
  unit: r.unit,
  period: r.period,
  g: i === 60 ? null : `G${Number(String(r.unit).replace(/\D/g, '')) % 6}`,
  x: i === 7 ? null : i === 11 ? 1e6 : Math.exp((r.x as number) / 2),
  z: ((i * 13) % 7) / 3 - 1,
  y: i === 11 || i === 50 ? null : (r.y as number),
  w: 0.5 + ((i * 29) % 13) / 4,
}));
