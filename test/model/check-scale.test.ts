/** The scale check of the fixed-effect columns (lme4's checkScaleX), on its own and in GLMM fits. */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { fit } from '../../src/index.js';
import { columnSpreads, scaleDiagnostic as fromSpreads } from '../../src/model/check-scale.js';
import { loadGlmmFixture } from '../helpers/glmm-fixtures.js';

/** Column-major X from columns. */
const columns = (...cols: number[][]): Float64Array => Float64Array.from(cols.flat());
const scaleDiagnostic = (x: Float64Array, n: number, names: string[]) => fromSpreads(columnSpreads(x, n, names.length), names);

describe('columnSpreads and scaleDiagnostic', () => {
  it('gives sample standard deviations, NaN for 0/1 columns', () => {
    const s = columnSpreads(columns([1, 1, 1], [2, 4, 6], [0, 1, 0]), 3, 3);
    expect(Number.isNaN(s[0]) && Number.isNaN(s[2])).toBe(true);
    expect(s[1]).toBeCloseTo(2, 14);
  });
  const one = [1, 1, 1, 1];
  const z = [0.1, 0.5, 0.9, 0.2]; // sd 0.3594
  it('names the columns with the smallest and largest spread and their ratio', () => {
    const pop = [1e5, 3e5, 2e5, 4e5]; // sd 129099.4
    const d = scaleDiagnostic(columns(one, z, [0, 1, 1, 0], pop), 4, ['(Intercept)', 'z', 'd', 'pop']);
    expect(d?.code).toBe('SCALE');
    expect(d?.level).toBe('warning');
    expect(d?.message).toContain('from 0.359 ("z") to 1.29e+5 ("pop"), a ratio of 3.59e+5');
  });
  it('skips the intercept and 0/1 dummies, and passes well-scaled columns', () => {
    expect(scaleDiagnostic(columns(one, z, [0, 1, 1, 0], [10, 30, 20, 45]), 4, ['(Intercept)', 'z', 'd', 'w'])).toBeNull();
    expect(scaleDiagnostic(columns(one, [0, 1, 1, 0]), 4, ['(Intercept)', 'd'])).toBeNull();
  });
  it('compares each column against 1 as well (the scale of the variance parameters)', () => {
    const d = scaleDiagnostic(columns(one, [2e4, 1e4, 5e3, 7e3]), 4, ['(Intercept)', 'dist']);
    expect(d?.message).toContain('"dist" has standard deviation 6.66e+3');
    expect(scaleDiagnostic(columns(one, [2e-4, 1e-4, 5e-5, 7e-5]), 4, ['(Intercept)', 'tiny'])?.code).toBe('SCALE');
    // a ratio of just under 1e3 between columns within 1e3 of 1 passes
    expect(scaleDiagnostic(columns([0.01, 0.02, 0.03, 0.04], [9.9, 19.8, 29.7, 39.6]), 4, ['a', 'b'])).toBeNull();
    expect(scaleDiagnostic(columns([0.01, 0.02, 0.03, 0.04], [10.1, 20.2, 30.3, 40.4]), 4, ['a', 'b'])?.code).toBe('SCALE');
  });
});

describe('the SCALE warning of a GLMM fit', () => {
  const { fixture, table } = loadGlmmFixture('cbpp');
  const size = Array.from(table.array('size') as ArrayLike<number>);
  // a covariate in the hundreds of thousands beside one in units
  const dist = size.map((_, i) => ((i * 7) % 11) * 1e5 + 2e5);
  const data = { ...Object.fromEntries(table.columnNames().map((c) => [c, Array.from(table.array(c) as ArrayLike<unknown>)])), dist };

  it('is emitted through onWarning and kept in the diagnostics', () => {
    const seen: Diagnostic[] = [];
    const m = fit(data, 'cbind(incidence, size - incidence) ~ period + size + dist + (1 | herd)', {
      family: 'binomial',
      onWarning: (w) => seen.push(w),
    });
    const scale = m.diagnostics.filter((d) => d.code === 'SCALE');
    expect(scale).toHaveLength(1);
    expect(seen).toContainEqual(scale[0]);
    expect(scale[0].message).toMatch(/\("size"\) to [0-9.e+]+ \("dist"\)/);
  });

  it('is not emitted for a well-scaled fit, whose numbers stay those of glmer', () => {
    const m = fit(data, fixture.formula, { family: 'binomial' });
    expect(m.diagnostics.some((d) => d.code === 'SCALE')).toBe(false);
    // glmer's tightly converged optimum (as test/glmm/glmer-agreement.test.ts)
    expect(Math.abs(Object.values(m.theta)[0] - fixture.optimum.theta[0]) / fixture.optimum.theta[0]).toBeLessThan(3e-4);
    expect(Math.abs(m.deviance - fixture.optimum.deviance) / fixture.optimum.deviance).toBeLessThan(1e-6);
    const withSize = fit(data, 'cbind(incidence, size - incidence) ~ period + size + (1 | herd)', { family: 'binomial' });
    expect(withSize.diagnostics.some((d) => d.code === 'SCALE')).toBe(false);
  });
});

describe('the SCALE warning of a Gaussian fit', () => {
  const n = 40;
  const x = Array.from({ length: n }, (_, i) => Math.sin(i * 1.7));
  const d = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const g = Array.from({ length: n }, (_, i) => `g${i % 8}`);
  const income = Array.from({ length: n }, (_, i) => 3e4 + 1e4 * Math.cos(i * 0.9));
  const y = x.map((v, i) => 1 + 0.5 * v + 0.3 * d[i] + 2e-5 * income[i] + 0.4 * Math.sin(i * 4.1) + 0.2 * ((i % 8) - 3.5));

  it('names the extreme columns, through onWarning', () => {
    const seen: Diagnostic[] = [];
    const m = fit({ y, x, d, g, income }, 'y ~ x + d + income + (1 | g)', { onWarning: (w) => seen.push(w) });
    const scale = m.diagnostics.filter((w) => w.code === 'SCALE');
    expect(scale).toHaveLength(1);
    expect(seen).toContainEqual(scale[0]);
    expect(scale[0].message).toMatch(/\("x"\) to [0-9.e+]+ \("income"\)/);
  });

  it('is not emitted for well-scaled columns (0/1 dummies skipped though X is centred)', () => {
    const m = fit({ y, x, d, g, income: income.map((v) => v / 1e4) }, 'y ~ x + d + income + (1 | g)');
    expect(m.diagnostics.some((w) => w.code === 'SCALE')).toBe(false);
  });
});
