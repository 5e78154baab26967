/** The dense engine's size limit: a clear E_UNSUPPORTED before any large allocation. */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit.js';
import { VardecompError } from '../../src/errors.js';
import { DENSE_BLOCK_LIMIT_BYTES, checkDenseBlockSize, denseBlockCost } from '../../src/model/dense-size.js';

describe('dense block size', () => {
  it('costs InstEval at m = 1,144 and about 48 MB', () => {
    const c = denseBlockCost([2972, 1128, 14], 1);
    expect(c.m).toBe(1128 + 14 + 1 + 1);
    expect(c.bytes).toBe(8 * (2 * 1144 * 1144 + 2972 * 1144));
    expect(c.choleskyMultiplyAdds).toBeCloseTo(1144 ** 3 / 3, 0);
  });

  it('accepts a design just under the limit and refuses one just over it', () => {
    // 8 (2 m^2 + q1 m) with q1 = m: 24 m^2 bytes
    const mMax = Math.floor(Math.sqrt(DENSE_BLOCK_LIMIT_BYTES / 24));
    const ok = [{ group: 'a', nlevels: mMax }, { group: 'b', nlevels: mMax - 2 }];
    expect(() => checkDenseBlockSize(ok, 1)).not.toThrow();
    const big = [{ group: 'a', nlevels: mMax + 10 }, { group: 'b', nlevels: mMax + 8 }];
    expect(() => checkDenseBlockSize(big, 1)).toThrow(VardecompError);
  });

  it('fit refuses 60,000 rows with 30,000 x 20,000 crossed levels with E_UNSUPPORTED naming the term', () => {
    const n = 60_000;
    const a = new Array<string>(n);
    const b = new Array<string>(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = `a${i % 30_000}`;
      b[i] = `b${(i * 7) % 20_000}`;
      y[i] = Math.sin(i);
    }
    let err: unknown;
    try {
      fit({ y, a, b }, 'y ~ 1 + (1|a) + (1|b)');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VardecompError);
    expect((err as VardecompError).code).toBe('E_UNSUPPORTED');
    expect((err as VardecompError).message).toMatch(/"b" \(20,000 levels\)/);
    expect((err as VardecompError).message).toMatch(/order 20,002/);
  });
});
