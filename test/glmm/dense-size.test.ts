/**
 * The GLMM path refuses a design whose dense block is beyond the limit (src/model/dense-size.ts)
 * with E_UNSUPPORTED before PIRLS allocates it. The check runs in `prepareGlmm`, so the test
 * never builds the block (about 2.2 GiB here).
 */
import { describe, expect, it } from 'vitest';
import { prepareGlmm } from '../../src/glmm/glmm-model.js';
import { denseBlockCost, DENSE_BLOCK_LIMIT_BYTES } from '../../src/model/dense-size.js';
import { crossedLevelRows } from '../helpers/crossed-levels.js';
import { errorOf } from '../helpers/errors.js';

describe('GLMM dense block size limit', () => {
  it('refuses 30,000 rows with 10,000 x 10,000 crossed levels, naming the term, the order, memory and work', () => {
    const { a, b, yBinary: y } = crossedLevelRows(30_000, 10_000);
    const cost = denseBlockCost([10_000, 10_000], 1);
    expect(cost.m).toBe(10_002);
    expect(cost.bytes).toBeGreaterThan(DENSE_BLOCK_LIMIT_BYTES);
    const e = errorOf(() => prepareGlmm({ y, a, b }, 'y ~ 1 + (1|a) + (1|b)', { family: 'binomial' }));
    expect(e.code).toBe('E_UNSUPPORTED');
    expect(e.message).toMatch(/"b" \(10,000 levels\)/);
    expect(e.message).toMatch(/order 10,002 \(2\.2 GiB, about 3\.3e\+11 multiply-adds per evaluation\)/);
    expect(e.detail).toEqual({ m: 10_002, bytes: cost.bytes });
  });
});
