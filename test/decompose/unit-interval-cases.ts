/**
 * Panels and settings on which the sequential and Shapley unit-bootstrap intervals are recorded
 * (test/fixtures/unit-intervals.json, written by `npx tsx test/decompose/record-unit-intervals.ts`
 * from the row-by-row refits each replicate used to make) and checked
 * (unit-interval-agreement.test.ts): balanced and unbalanced simulated panels, more than 200
 * units (delete-a-group jackknife), precision weights, three grouping factors, a categorical
 * covariate and a stated sequential order.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fit, simulatePanel } from '../../src/index.js';
import type { DecompositionOptions } from '../../src/decompose/decompose-fit.js';

const csv = (name: string): Array<Record<string, string | number>> => {
  const [head, ...lines] = readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8').trim().split('\n');
  const cols = head.split(',').map((c) => c.replace(/"/g, ''));
  return lines.map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(cols.map((c, i) => {
      const v = cells[i].replace(/"/g, '');
      return [c, cells[i].startsWith('"') ? v : Number(v)];
    }));
  });
};

export interface UnitIntervalCase {
  name: string;
  model: () => ReturnType<typeof fit>;
  options: DecompositionOptions;
}

const F = 'y ~ x + (1|unit) + (1|period)';

export const UNIT_INTERVAL_CASES: UnitIntervalCase[] = [
  { name: '150x8 balanced', model: () => fit(simulatePanel({ units: 150, periods: 8, seed: 101 }), F), options: { intervals: { n: 1000, seed: 3 } } },
  { name: '30x5 15% missing', model: () => fit(simulatePanel({ units: 30, periods: 5, seed: 7, missing: 0.15 }), F), options: { intervals: { n: 500, seed: 11, level: 0.9 } } },
  { name: '230x4 (delete-a-group jackknife)', model: () => fit(simulatePanel({ units: 230, periods: 4, seed: 5, missing: 0.1 }), F), options: { intervals: { n: 300, seed: 2 } } },
  {
    name: 'weights, order year-fixed-la',
    model: () => fit(csv('panel-weights.csv'), 'y ~ x + (1|la) + (1|year)', { weights: 'w' }),
    options: { intervals: { n: 400, seed: 9 }, order: ['year', 'fixed', 'la'] },
  },
  { name: 'three grouping factors', model: () => fit(csv('panel-nested.csv'), 'y ~ x + (1|region) + (1|la) + (1|year)'), options: { intervals: { n: 300, seed: 4 } } },
  { name: 'categorical covariate', model: () => fit(csv('panel-categorical.csv'), 'y ~ x + region_name + (1|la) + (1|year)'), options: { intervals: { n: 300, seed: 6 } } },
];
