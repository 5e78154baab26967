/**
 * Records the sequential and Shapley unit-bootstrap intervals of UNIT_INTERVAL_CASES into
 * test/fixtures/unit-intervals.json: `npx tsx test/decompose/record-unit-intervals.ts`. The
 * recorded values came from the code that refitted each replicate from its rows (commit in the
 * file); the test checks the current code against them.
 */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compareFit } from '../../src/decompose/decompose-fit.js';
import { UNIT_INTERVAL_CASES } from './unit-interval-cases.js';

const commit = execSync('git rev-parse HEAD').toString().trim();
const cases = UNIT_INTERVAL_CASES.map((c) => {
  const d = compareFit(c.model(), c.options, ['sequential', 'shapley']);
  return {
    name: c.name,
    intervals: Object.fromEntries(
      (['sequential', 'shapley'] as const).map((m) => [
        m,
        Object.fromEntries(d.decompositions[m].components.map((s) => [s.key, { share: s.share, lower: s.lower, upper: s.upper }])),
      ]),
    ),
    succeeded: d.decompositions.shapley.intervals?.succeeded,
  };
});
writeFileSync(
  fileURLToPath(new URL('../fixtures/unit-intervals.json', import.meta.url)),
  JSON.stringify({ commit, note: 'recorded from the per-replicate row refits', cases }, null, 2) + '\n',
);
console.log(JSON.stringify(cases.map((c) => [c.name, c.succeeded])));
