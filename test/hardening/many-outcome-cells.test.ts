/**
 * decomposeMany reports an odd outcome cell (an object without a prototype, which String()
 * cannot convert) as E_NONNUMERIC naming the outcome and row. Found by the fuzzer (seed 13).
 */
import { describe, expect, it } from 'vitest';
import { decomposeMany } from '../../src/index.js';
import { panelRows } from './helpers.js';

const rows = panelRows({ units: 20, periods: 5, seed: 9 });

describe('decomposeMany names an outcome cell that is an object without a prototype', () => {
  it('E_NONNUMERIC, not a TypeError', () => {
    const odd = rows.map((r, i) => ({ ...r, y2: i === 7 ? Object.create(null) : (r.y ?? 0) * 2 + i }));
    expect(() => decomposeMany(odd, { outcomes: ['y', 'y2'], rhs: '(1|unit) + (1|period)' })).toThrow(/Outcome "y2" row 7 holds \[object Object\], not a number/);
  });
});
