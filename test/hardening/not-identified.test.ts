/**
 * A fixed factor that codes the same groups as a random term (`y ~ unit + (1|unit)`, or the same
 * partition under another column name) leaves the random term's variance unidentified: a
 * NOT_IDENTIFIED warning names the term. Covariates and coarser fixed factors do not.
 */
import { describe, expect, it } from 'vitest';
import { decompose, fit } from '../../src/index.js';
import { panelRows } from './helpers.js';

const rows = panelRows({ units: 20, periods: 5, seed: 3 }).map((r) => ({ ...r, name: `N-${r.unit}`, t: `T${r.period}` }));
const codes = (f: string) => fit(rows, f).diagnostics.filter((d) => d.code === 'NOT_IDENTIFIED');

describe('a fixed factor duplicating a grouping factor', () => {
  it('y ~ unit + (1|unit) + (1|period) warns about unit only', () => {
    const d = codes('y ~ unit + (1|unit) + (1|period)');
    expect(d).toHaveLength(1);
    expect(d[0].level).toBe('warning');
    expect(d[0].message).toContain('(1 | unit) is not identified');
  });

  it('the same partition under another column name, with a covariate', () => {
    const d = codes('y ~ name + x + (1|unit) + (1|period)');
    expect(d.map((x) => x.message)).toEqual([expect.stringContaining('(1 | unit)')]);
  });

  it('the second (smaller) random term and interactions that span it', () => {
    expect(codes('y ~ t + (1|unit) + (1|period)').map((x) => x.message)).toEqual([expect.stringContaining('(1 | period)')]);
    expect(codes('y ~ unit:region + (1|unit)')).toHaveLength(1);
    expect(codes('y ~ 0 + unit + (1|unit)')).toHaveLength(1);
  });

  it('covariates and coarser factors are fine', () => {
    expect(codes('y ~ x + (1|unit) + (1|period)')).toEqual([]);
    expect(codes('y ~ region + x + (1|unit) + (1|period)')).toEqual([]);
    expect(codes('y ~ x:unit + (1|unit) + (1|period)')).toEqual([]);
  });

  it('the decomposition carries the warning', () => {
    const d = decompose(rows, 'y ~ unit + (1|unit) + (1|period)');
    expect(d.diagnostics.map((x) => x.code)).toContain('NOT_IDENTIFIED');
  });
});
