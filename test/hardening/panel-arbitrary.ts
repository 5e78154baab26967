/**
 * fast-check arbitraries for small random panels (units 5..30, periods 3..8, random missing,
 * optional covariate) used by the property tests.
 */
import fc from 'fast-check';
import { Rng } from '../../src/random/index.js';

export interface RandomPanel {
  readonly rows: Array<{ y: number | null; x: number | null; unit: string; period: number }>;
  readonly covariate: boolean;
  readonly reml: boolean;
  readonly description: string;
}

export interface PanelParams {
  units: number;
  periods: number;
  seed: number;
  missing: number;
  covariate: boolean;
  reml: boolean;
  sdUnit: number;
  sdPeriod: number;
}

export function makePanel(p: PanelParams): RandomPanel {
  const rng = new Rng(p.seed);
  const u = Array.from({ length: p.units }, () => p.sdUnit * rng.normal());
  const v = Array.from({ length: p.periods }, () => p.sdPeriod * rng.normal());
  const rows: RandomPanel['rows'] = [];
  for (let i = 0; i < p.units; i++) {
    for (let t = 0; t < p.periods; t++) {
      const x = 5 + 2 * rng.normal() + 0.5 * u[i];
      const y = 10 + (p.covariate ? 0.8 * x : 0) + u[i] + v[t] + rng.normal();
      rows.push({
        y: rng.uniform() < p.missing ? null : y,
        x: p.covariate && rng.uniform() < p.missing ? null : x,
        unit: `u${i}`,
        period: 2010 + t,
      });
    }
  }
  return { rows, covariate: p.covariate, reml: p.reml, description: JSON.stringify(p) };
}

export const panelParams: fc.Arbitrary<PanelParams> = fc.record({
  units: fc.integer({ min: 5, max: 30 }),
  periods: fc.integer({ min: 3, max: 8 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 2 }),
  missing: fc.constantFrom(0, 0, 0.05, 0.15, 0.3),
  covariate: fc.boolean(),
  reml: fc.boolean(),
  sdUnit: fc.constantFrom(0, 0.3, 1, 3),
  sdPeriod: fc.constantFrom(0, 0.3, 1),
});

export const randomPanel: fc.Arbitrary<RandomPanel> = panelParams.map(makePanel);

export const formulaOf = (p: RandomPanel, order: 'up' | 'pu' = 'up'): string => {
  const fixed = p.covariate ? 'y ~ x' : 'y ~ 1';
  return order === 'up' ? `${fixed} + (1 | unit) + (1 | period)` : `${fixed} + (1 | period) + (1 | unit)`;
};
