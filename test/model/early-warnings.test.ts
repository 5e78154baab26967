/**
 * Warnings known before the optimiser runs reach the caller then (`onWarning`), not only with the
 * result: a LARGE_DENSE_BLOCK design is announced before minutes are spent on it, by the library
 * and by the CLI.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/main.js';
import { cellsFromRows, decompose, decomposeManyAggregates, fit, fitCells, type Diagnostic } from '../../src/index.js';
import { expectError, panelRows } from '../hardening/helpers.js';

/**
 * 2,000 x 1,830 crossed levels, three rows per level of `a`: the dense block of `b` has order
 * 1,832 (about 2.0e9 multiply-adds per evaluation, past the warning threshold). The outcome is
 * exactly `a` + `b` effects, so preparation stops with E_CONSTANT after the warning and no
 * optimiser runs.
 */
function crossedRows(): { y: number; a: string; b: string }[] {
  const rows = [];
  for (let i = 0; i < 6000; i++) {
    const a = i % 2000;
    const b = (i * 7) % 1830;
    rows.push({ y: Math.sin(a) + Math.cos(3 * b), a: `a${a}`, b: `b${b}` });
  }
  return rows;
}

describe('onWarning', () => {
  it('announces LARGE_DENSE_BLOCK before preparation ends', () => {
    const seen: Diagnostic[] = [];
    expectError(() => fit(crossedRows(), 'y ~ (1|a) + (1|b)', { onWarning: (d) => seen.push(d) }), 'E_CONSTANT');
    expect(seen.map((d) => d.code)).toEqual(['LARGE_DENSE_BLOCK']);
    expect(seen[0].message).toContain('"b" (1,830 levels)');
    expect(seen[0].message).toContain('dense block of order 1,832');
  });

  it('gives the same records the fit returns, warnings only', () => {
    const rows = panelRows({ units: 20, periods: 4, seed: 3 });
    const seen: Diagnostic[] = [];
    const m = fit(rows, 'y ~ x + (1|unit) + (1|period)', { onWarning: (d) => seen.push(d) });
    expect(seen.map((d) => d.code)).toEqual(['FEW_LEVELS']);
    expect(m.diagnostics).toContain(seen[0]);
    const seenByDecompose: Diagnostic[] = [];
    decompose(rows, 'y ~ x + (1|unit) + (1|period)', { onWarning: (d) => seenByDecompose.push(d) });
    expect(seenByDecompose.map((d) => d.message)).toEqual(seen.map((d) => d.message));
  });

  it('must be a function', () => {
    expectError(() => fit(panelRows(), 'y ~ x + (1|unit) + (1|period)', { onWarning: 5 as never }), 'E_OPTION');
  });
});

/** An error thrown from `onWarning`: the caller stops the fit when it learns it will be slow. */
class Stopped extends Error {}
const stopOnLargeBlock = (seen: Diagnostic[]) => (d: Diagnostic) => {
  seen.push(d);
  if (d.code === 'LARGE_DENSE_BLOCK') throw new Stopped(d.message);
};

describe('onWarning on the GLMM and the aggregates paths', () => {
  it('a GLMM announces LARGE_DENSE_BLOCK before PIRLS runs (the caller can stop there)', () => {
    const rows = crossedRows().map((r, i) => ({ ...r, n: i % 5 }));
    const seen: Diagnostic[] = [];
    expect(() => fit(rows, 'n ~ (1|a) + (1|b)', { family: 'poisson', onWarning: stopOnLargeBlock(seen) })).toThrow(Stopped);
    expect(seen.map((d) => d.code)).toEqual(['LARGE_DENSE_BLOCK']);
    expect(seen[0].message).toContain('dense block of order 1,832');
  });

  it('a GLMM passes its warnings (the same records the fit returns), and refuses a non-function', () => {
    const rows = panelRows({ units: 20, periods: 4, seed: 3 }).map((r, i) => ({ ...r, n: (i * 7) % 5, answer: i % 3 === 0 ? 'no' : i % 3 === 1 ? 'yes' : 'maybe' }));
    const seen: Diagnostic[] = [];
    const m = fit(rows, 'answer ~ x + (1|unit) + (1|period)', { family: 'binomial', onWarning: (d) => seen.push(d) });
    expect(seen.map((d) => d.code)).toEqual(['RESPONSE_CODING', 'FEW_LEVELS']);
    for (const d of seen) expect(m.diagnostics).toContain(d);
    const viaDecompose: Diagnostic[] = [];
    decompose(rows, 'answer ~ x + (1|unit) + (1|period)', { family: 'binomial', onWarning: (d) => viaDecompose.push(d) });
    expect(viaDecompose.map((d) => d.message)).toEqual(seen.map((d) => d.message));
    expectError(() => fit(rows, 'n ~ x + (1|unit)', { family: 'poisson', onWarning: 5 as never }), 'E_OPTION');
  });

  it('a fit from cell statistics announces LARGE_DENSE_BLOCK before the optimiser runs', () => {
    const rows = crossedRows();
    const cells = cellsFromRows(rows, 'y ~ (1|a) + (1|b)');
    const seen: Diagnostic[] = [];
    expect(() => fitCells(cells, 'y ~ (1|a) + (1|b)', { onWarning: stopOnLargeBlock(seen) })).toThrow(Stopped);
    expect(seen.map((d) => d.code)).toEqual(['LARGE_DENSE_BLOCK']);
    const many: Diagnostic[] = [];
    expect(() => decomposeManyAggregates({ y: cells }, { rhs: '(1|a) + (1|b)', onWarning: stopOnLargeBlock(many) })).toThrow(Stopped);
    expect(many.map((d) => d.code)).toEqual(['LARGE_DENSE_BLOCK']);
  });

  it('a fit from cell statistics passes the same warnings as the row path', () => {
    const rows = panelRows({ units: 20, periods: 4, seed: 3 });
    const fromRows: Diagnostic[] = [];
    fit(rows, 'y ~ (1|unit) + (1|period)', { onWarning: (d) => fromRows.push(d) });
    const fromCells: Diagnostic[] = [];
    const m = fitCells(cellsFromRows(rows, 'y ~ (1|unit) + (1|period)'), 'y ~ (1|unit) + (1|period)', { onWarning: (d) => fromCells.push(d) });
    expect(fromCells.map((d) => d.message)).toEqual(fromRows.map((d) => d.message));
    expect(fromCells.length).toBeGreaterThan(0);
    for (const d of fromCells) expect(m.diagnostics).toContain(d);
  });
});

describe('the CLI says a fit will be slow before it starts', () => {
  it('prints the LARGE_DENSE_BLOCK warning on stderr ahead of everything else', async () => {
    const csv = ['y,a,b', ...crossedRows().map((r) => `${r.y},${r.a},${r.b}`)].join('\n');
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s), isTTY: false },
      stdin: Readable.from([csv]),
      cwd: process.cwd(),
    };
    const code = await main(['fit', '-f', 'y ~ (1|a) + (1|b)'], io);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^vardecomp: warning: The random terms "b" \(1,830 levels\) make each criterion evaluation/);
    expect(lines[1]).toMatch(/^vardecomp: E_CONSTANT: /);
  });
});
