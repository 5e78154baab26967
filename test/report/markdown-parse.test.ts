/**
 * Every Markdown table the library and the CLI write is a table to a real CommonMark + GFM
 * parser (markdown-it): one table, the header's cells, and the same number of cells in each
 * body row, with the expected text.
 */
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { compare, decompose, decomposeMany, fit, DECOMPOSITION_METHODS } from '../../src/index.js';
import { formatFit } from '../../src/cli/fit-output.js';
import { main, type CliIo } from '../../src/cli/main.js';
import { Readable } from 'node:stream';
import { panelRows } from '../hardening/helpers.js';

const md = new MarkdownIt();

/** The tables of a Markdown document as rows of cell texts (header first). */
function parseTables(text: string): string[][][] {
  const tokens = md.parse(text, {});
  const tables: string[][][] = [];
  let rows: string[][] | null = null;
  let row: string[] | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'table_open') rows = [];
    else if (t.type === 'table_close') {
      tables.push(rows!);
      rows = null;
    } else if (t.type === 'tr_open') row = [];
    else if (t.type === 'tr_close') {
      rows!.push(row!);
      row = null;
    } else if ((t.type === 'th_open' || t.type === 'td_open') && row) {
      row.push(tokens[i + 1].type === 'inline' ? tokens[i + 1].content : '');
    }
  }
  return tables;
}

function expectOneTable(text: string, header: string[], nrows: number): string[][] {
  const tables = parseTables(text);
  expect(tables, text).toHaveLength(1);
  const [head, ...body] = tables[0];
  expect(head).toEqual(header);
  expect(body).toHaveLength(nrows);
  for (const r of body) expect(r).toHaveLength(header.length);
  return body;
}

const rows = panelRows({ units: 15, periods: 5, seed: 4 });
const F = 'y ~ x + (1|unit) + (1|period)';

describe('Markdown tables parse as tables', () => {
  it.each(DECOMPOSITION_METHODS)('Decomposition.toMarkdown, %s, without and with intervals', (method) => {
    const d = decompose(rows, F, { method, labels: { unit: 'a | b' } });
    const header = ['Component', 'Kind', ...(method === 'components' ? ['Variance'] : []), 'Share'];
    const body = expectOneTable(d.toMarkdown(), header, 4);
    expect(body.map((r) => r[0])).toEqual(['fixed', 'a | b', 'period', 'residual']);
    expect(body[1][header.length - 1]).toBe(`${(100 * d.shares.unit).toFixed(1)}%`);
    const di = decompose(rows, F, { method, intervals: { n: 10, seed: 1 } });
    expectOneTable(di.toMarkdown({ caption: true }), [...header, '95% interval', 'Interval method'], 4);
  });

  it('Comparison.toMarkdown and ManyDecomposition.toMarkdown', () => {
    expectOneTable(compare(rows, F).toMarkdown(), ['Component', 'Kind', ...DECOMPOSITION_METHODS], 4);
    expectOneTable(compare(rows, F, { intervals: { n: 6, seed: 1 } }).toMarkdown({ caption: true }), ['Component', 'Kind', ...DECOMPOSITION_METHODS], 4);
    const many = decomposeMany(rows, { outcomes: ['y', 'x'], rhs: '(1|unit) + (1|period)' });
    expectOneTable(many.toMarkdown(), ['Outcome', 'Obs', 'fixed', 'unit', 'period', 'residual'], 2);
  });

  it('the fit as Markdown: two tables', () => {
    const tables = parseTables(formatFit(fit(rows, F), 'markdown'));
    expect(tables.map((t) => t[0])).toEqual([
      ['Group', 'Variance', 'Std. Dev.'],
      ['Term', 'Estimate', 'Std. Error', 't value'],
    ]);
    expect(tables[0]).toHaveLength(4);
    expect(tables[1]).toHaveLength(3);
  });

  it('vardecomp decompose --format markdown without intervals', async () => {
    const csv = ['y,x,unit,period', ...rows.map((r) => `${r.y},${r.x},${r.unit},${r.period}`)].join('\n');
    let stdout = '';
    const io: CliIo = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => true, isTTY: false },
      stdin: Readable.from([csv]),
      cwd: process.cwd(),
    };
    const code = await main(['decompose', '-', '-f', F, '--format', 'markdown'], io);
    expect(code).toBe(0);
    expectOneTable(stdout, ['Component', 'Kind', 'Variance', 'Share'], 4);
  });
});
