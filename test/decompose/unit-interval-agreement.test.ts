/**
 * The sequential and Shapley unit-bootstrap intervals from per-unit cross-products equal, to
 * 1e-9, the intervals recorded (test/fixtures/unit-intervals.json, same seeds and replicates)
 * from the code that refitted each replicate from its rows: balanced and unbalanced panels, more
 * than 200 units, weights, three grouping factors, a categorical covariate, a stated order.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareFit } from '../../src/decompose/decompose-fit.js';
import { UNIT_INTERVAL_CASES } from './unit-interval-cases.js';

interface Recorded {
  name: string;
  intervals: Record<'sequential' | 'shapley', Record<string, { share: number; lower: number; upper: number }>>;
  succeeded: number;
}
const recorded = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/unit-intervals.json', import.meta.url)), 'utf8')) as {
  cases: Recorded[];
};

describe('unit-bootstrap intervals from per-unit cross-products', () => {
  it.each(UNIT_INTERVAL_CASES.map((c) => [c.name, c] as const))('%s: the recorded row-refit intervals to 1e-9', (name, c) => {
    const rec = recorded.cases.find((r) => r.name === name)!;
    const d = compareFit(c.model(), c.options, ['sequential', 'shapley']);
    for (const method of ['sequential', 'shapley'] as const) {
      const got = d.decompositions[method];
      expect(got.intervals?.kind).toBe('unit-bootstrap');
      expect(got.intervals?.succeeded).toBe(rec.succeeded);
      const keys = Object.keys(rec.intervals[method]);
      expect(got.components.map((s) => s.key)).toEqual(keys);
      for (const s of got.components) {
        const r = rec.intervals[method][s.key];
        expect(Math.abs(s.share - r.share), `${method} ${s.key} share`).toBeLessThan(1e-12);
        expect(Math.abs(s.lower! - r.lower), `${method} ${s.key} lower`).toBeLessThan(1e-9);
        expect(Math.abs(s.upper! - r.upper), `${method} ${s.key} upper`).toBeLessThan(1e-9);
      }
    }
  });
});
