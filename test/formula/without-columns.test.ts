import { describe, expect, it } from 'vitest';
import { withoutColumns, type FixedDesign } from '../../src/formula/design-matrix.js';

describe('withoutColumns', () => {
  const X: FixedDesign = {
    n: 3,
    p: 3,
    x: Float64Array.of(1, 1, 1, 2, 3, 4, 4, 6, 8),
    names: ['(Intercept)', 'a', 'b'],
    termOf: Int32Array.of(-1, 0, 1),
    terms: ['a', 'b'],
  };
  it('keeps the other columns in order with their names and terms, and leaves the input alone', () => {
    const k = withoutColumns(X, [1]);
    expect(k.p).toBe(2);
    expect(Array.from(k.x)).toEqual([1, 1, 1, 4, 6, 8]);
    expect(k.names).toEqual(['(Intercept)', 'b']);
    expect(Array.from(k.termOf)).toEqual([-1, 1]);
    expect(k.terms).toEqual(['a', 'b']);
    expect(X.p).toBe(3);
    expect(Array.from(X.x)).toEqual([1, 1, 1, 2, 3, 4, 4, 6, 8]);
  });
  it('drops several columns', () => {
    const k = withoutColumns(X, [0, 2]);
    expect(Array.from(k.x)).toEqual([2, 3, 4]);
    expect(k.names).toEqual(['a']);
  });
});
