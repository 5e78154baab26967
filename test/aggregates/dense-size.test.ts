/**
 * The cell-statistics path (fitCells, fitAggregates, the DuckDB entry) refuses a design whose
 * dense block is beyond the limit (src/model/dense-size.ts) with E_UNSUPPORTED before the cell
 * cross-products are allocated. The check runs in `prepareFromCells`, so the test never builds
 * the block (about 2.2 GiB here).
 */
import { describe, expect, it } from 'vitest';
import { cellsFromRows } from '../../src/input/cell-statistics.js';
import { denseBlockCost, DENSE_BLOCK_LIMIT_BYTES } from '../../src/model/dense-size.js';
import { prepareFromCells } from '../../src/model/prepare-from-cells.js';
import { crossedLevelRows } from '../helpers/crossed-levels.js';
import { errorOf } from '../helpers/errors.js';

describe('cell statistics: dense block size limit', () => {
  it('refuses cells of 30,000 rows with 10,000 x 10,000 crossed levels (x numeric), naming the term, the order, memory and work', () => {
    const { a, b, x, y } = crossedLevelRows(30_000, 10_000);
    const formula = 'y ~ x + (1|a) + (1|b)';
    const cells = cellsFromRows({ y, x, a, b }, formula);
    const cost = denseBlockCost([10_000, 10_000], 2);
    expect(cost.m).toBe(10_003);
    expect(cost.bytes).toBeGreaterThan(DENSE_BLOCK_LIMIT_BYTES);
    const e = errorOf(() => prepareFromCells(cells, formula));
    expect(e.code).toBe('E_UNSUPPORTED');
    expect(e.message).toMatch(/"b" \(10,000 levels\)/);
    expect(e.message).toMatch(/order 10,003 \(2\.2 GiB, about 3\.3e\+11 multiply-adds per evaluation\)/);
    expect(e.detail).toEqual({ m: 10_003, bytes: cost.bytes });
  });
});
