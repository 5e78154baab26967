/**
 * Rows that the model interpolates exactly (a penalised residual sum of squares of 0 at the
 * optimum) are E_CONSTANT, even where the checks before the fit miss it because an extreme value
 * hides the rank deficiency from their rounding tolerance. Found by the fuzzer (seed 30, input
 * 5857): the fit used to return a criterion of -Infinity with every variance 0.
 */
import { describe, expect, it } from 'vitest';
import { generateCase, runCase } from '../../scripts/fuzz.js';
import { fit } from '../../src/index.js';
import { expectError } from './helpers.js';

// The ten complete rows of the fuzz input: eight levels of g for ten rows, x with one extreme value.
const rows = [
  { y: 1.840954345020726, x: 1.681906625483943, g: 'G1', h: 'H1' },
  { y: 0.6089259741450271, x: -0.7821490729747488, g: 'G1', h: 'H1' },
  { y: 1.503767320660854, x: 1.0075324979514133, g: '3', h: 'H0' },
  { y: 0.5428068420008572, x: -0.9143893403028076, g: 'G3', h: 'H0' },
  { y: 1.0027566497197424, x: 5514.001944330345, g: '4', h: 'H1' },
  { y: -0.50708734509668, x: -3.0141695609107617, g: 'G4', h: 'H1' },
  { y: 0.3117923481550517, x: -1.3764147496447972, g: 'G5', h: 'H2' },
  { y: 1.6934205421814361, x: 1.3868376299663592, g: '6', h: 'H0' },
  { y: 0.8871289129254966, x: -0.22574687455728526, g: '6', h: 'H0' },
  { y: 1.6120631824316334, x: 1.224121912028436, g: 'G6', h: 'H0' },
];
const F = 'y ~ x + between(x, g) + (1 | g) + (1 | h)';

describe('interpolated rows', () => {
  it('are E_CONSTANT, never a criterion of -Infinity with every variance 0 (fuzz seed 30, input 5857)', () => {
    const c = generateCase(30, 5857);
    expect(c.formula).toBe(F);
    const outcome = runCase(c, 5000);
    expect(outcome.kind, outcome.message).toBe('E_CONSTANT');
  });

  it('are E_CONSTANT on the same rows given as plain objects', () => {
    const e = expectError(() => fit(rows, F), 'E_CONSTANT');
    expect(e.message).toContain('fitted exactly');
  });

  it('leave ordinary fits of the same design alone', () => {
    const noisy = rows.map((r, i) => ({ ...r, g: i < 5 ? 'A' : 'B', y: r.y + 0.1 * Math.sin(7 * i) }));
    const m = fit(noisy, 'y ~ x + (1 | g) + (1 | h)');
    expect(Number.isFinite(m.remlCriterion!)).toBe(true);
    expect(m.sigma).toBeGreaterThan(0);
  });
});
