/**
 * Real panels (plm's Grunfeld, Cigar, Produc, EmplUK and AER's Fatalities, exported by
 * scripts/reference/real-panels.R): every sequential and Shapley interval from the unit bootstrap
 * contains its own estimate, and the components profile intervals do too.
 */
import { readFileSync } from 'node:fs';
import { fromCSV } from 'arquero';
import { describe, expect, it } from 'vitest';
import { compare } from '../../src/index.js';

const REAL_PANELS: ReadonlyArray<{ file: string; formula: string }> = [
  { file: 'grunfeld', formula: 'inv ~ value + capital + (1|firm) + (1|year)' },
  { file: 'cigar', formula: 'sales ~ price + ndi + (1|state) + (1|year)' },
  { file: 'produc', formula: 'gsp ~ pcap + emp + unemp + (1|state) + (1|year)' },
  { file: 'empluk', formula: 'emp ~ wage + capital + (1|firm) + (1|year)' },
  { file: 'fatalities', formula: 'rate ~ beertax + unemp + income + (1|state) + (1|year)' },
];

describe('intervals on real panels contain their estimates', () => {
  for (const { file, formula } of REAL_PANELS) {
    it(file, () => {
      const text = readFileSync(new URL(`../fixtures/panels/${file}.csv`, import.meta.url), 'utf8');
      const c = compare(fromCSV(text), formula, { intervals: { n: 60, seed: 1 } });
      for (const m of c.methods) {
        const d = c.decompositions[m];
        expect(d.intervals!.kind).toBe(m === 'components' ? 'profile' : 'unit-bootstrap');
        for (const x of d.components) {
          expect(x.lower!, `${m} ${x.key}`).toBeLessThanOrEqual(x.share + 1e-12);
          expect(x.upper!, `${m} ${x.key}`).toBeGreaterThanOrEqual(x.share - 1e-12);
        }
      }
    });
  }
});
