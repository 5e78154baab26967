import { describe, expect, it } from 'vitest';
import { fit } from '../../src/index.js';
import { loadGlmmFixture } from '../helpers/glmm-fixtures.js';

describe('GLMM aliasing', () => {
  it('keeps a covariate with a large mean and a small spread (aliasing is judged on centred columns)', () => {
    const { fixture, table } = loadGlmmFixture('england-poisson');
    const shifted = table.derive({ imd_shifted: 'd => d.imd2019_avg_score + 1e5' });
    const f = fixture.formula;
    const a = fit(shifted, f, { family: 'poisson' });
    const b = fit(shifted, f.replace('imd2019_avg_score', 'imd_shifted'), { family: 'poisson' });
    expect(b.betaNames).toContain('imd_shifted');
    expect(b.diagnostics.map((d) => d.code)).not.toContain('RANK_DEFICIENT');
    expect(b.beta.imd_shifted).toBeCloseTo(a.beta.imd2019_avg_score, 6);
    expect(b.deviance).toBeCloseTo(a.deviance, 5);
  });
});
