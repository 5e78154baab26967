/**
 * The within/between example runs and prints the split that R gives (lmer on precomputed
 * columns, test/fixtures/specials/within-between.json).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { englandWithinBetween, WITHIN_BETWEEN_FORMULA } from '../../examples/england-within-between.js';

const ref = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/specials/within-between.json', import.meta.url)), 'utf8')) as {
  formula: string;
  reml: { components: { covariates: Record<string, number>; shares: Record<string, number> } };
};
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

describe('examples: england-within-between', () => {
  it('prints the between, within and IMD parts of the fixed share as R computes them', async () => {
    expect(WITHIN_BETWEEN_FORMULA).toBe(ref.formula);
    const text = await englandWithinBetween();
    expect(text).toContain('## Child poverty between and within authorities (England, 2015-2018)');
    for (const [term, share] of Object.entries(ref.reml.components.covariates)) {
      expect(text).toMatch(new RegExp(`${term.replace(/[()]/g, '\\$&')}\\s+${pct(share).replace('.', '\\.')}`));
    }
    expect(text).toMatch(new RegExp(`la_code\\s+${pct(ref.reml.components.shares.la_code).replace('.', '\\.')}`));
    expect(text).toContain('Number of obs: 588');
  });
});
