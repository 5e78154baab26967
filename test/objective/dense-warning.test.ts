/**
 * A second grouping factor with thousands of levels makes every criterion evaluation factor a
 * dense block whose cost grows with the cube of its levels: the fit says so (LARGE_DENSE_BLOCK,
 * naming the terms, the order, the memory and the work per evaluation); beyond the memory limit
 * it is refused before anything is allocated (checkDenseBlockSize).
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/index.js';
import { denseBlockCost, denseBlockWarning, DENSE_SLOW_MULTIPLY_ADDS } from '../../src/model/dense-size.js';
import { panelRows } from '../hardening/helpers.js';

describe('LARGE_DENSE_BLOCK', () => {
  it('is silent for the usual panels and InstEval-sized designs', () => {
    expect(denseBlockWarning([{ group: 'la', nlevels: 150 }, { group: 'year', nlevels: 6 }], 2)).toBeNull();
    expect(denseBlockWarning([{ group: 's', nlevels: 2972 }, { group: 'd', nlevels: 1128 }, { group: 'dept', nlevels: 14 }], 1)).toBeNull();
    expect(fit(panelRows(), 'y ~ x + (1|unit) + (1|period)').diagnostics.map((d) => d.code)).not.toContain('LARGE_DENSE_BLOCK');
  });

  it('warns for a second factor with 3,000 levels, with the numbers', () => {
    const terms = [
      { group: 'pupil', nlevels: 20000 },
      { group: 'school', nlevels: 3000 },
    ];
    const cost = denseBlockCost([20000, 3000], 4);
    expect(cost.m).toBe(3005);
    expect(cost.choleskyMultiplyAdds).toBeGreaterThan(DENSE_SLOW_MULTIPLY_ADDS);
    const d = denseBlockWarning(terms, 4)!;
    expect(d.code).toBe('LARGE_DENSE_BLOCK');
    expect(d.level).toBe('warning');
    expect(d.message).toContain('"school" (3,000 levels)');
    expect(d.message).toContain('dense block of order 3,005');
    expect(d.message).toContain(`${(cost.bytes / 2 ** 20).toFixed(0)} MiB`);
    expect(d.message).toContain('9.0e+9 multiply-adds');
  });

  it('the threshold sits at a block of order about 1,800', () => {
    expect(denseBlockWarning([{ group: 'a', nlevels: 5000 }, { group: 'b', nlevels: 1790 }], 1)).toBeNull();
    expect(denseBlockWarning([{ group: 'a', nlevels: 5000 }, { group: 'b', nlevels: 1830 }], 1)).not.toBeNull();
  });
});
