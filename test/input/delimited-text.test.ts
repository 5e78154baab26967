import { fromCSV } from 'arquero';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../helpers/errors.js';
import { decompose, fit, parseTable, DelimitedTextReader } from '../../src/index.js';
import { naoPanel } from '../../src/simulate/index.js';

/** A column's values as a plain array (NaN for numeric missing cells). */
function col(text: string, name: string, options = {}): unknown[] {
  return Array.from(parseTable(text, options).table.array(name) as ArrayLike<unknown>);
}

function report(text: string, name: string, options = {}) {
  return parseTable(text, options).columns.find((c) => c.name === name)!;
}


/** The NAO panel as CSV text (1,200 rows), with `edit` applied to the cells of one column. */
function naoCsv(edit?: { column: string; row: number; token: string }): string {
  const csv = naoPanel({ seed: 3, exact: true }).toCSV();
  if (!edit) return csv;
  const lines = csv.split('\n');
  const j = lines[0].split(',').indexOf(edit.column);
  const cells = lines[edit.row + 1].split(',');
  cells[j] = edit.token;
  lines[edit.row + 1] = cells.join(',');
  return lines.join('\n');
}

describe('parseTable: missing markers and types from the whole column', () => {
  it('reads the markers R, Stata, SAS, Excel and pandas write as missing, and keeps the column numeric', () => {
    const text = 'y,g\n1.5,a\nNA,b\nN/A,c\nNaN,d\nnull,e\n.,f\n#N/A,g\n,h\n  ,i\n2,j\n';
    expect(col(text, 'y')).toEqual([1.5, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, 2]);
    const r = report(text, 'y');
    expect(r.type).toBe('numeric');
    expect(r.missing).toBe(8);
    expect(r.missingTokens).toEqual({ NA: 1, 'N/A': 1, NaN: 1, null: 1, '.': 1, '#N/A': 1, '': 2 });
    // arquero's own reader makes the same column text
    expect(typeof (fromCSV(text).array('y') as unknown[])[0]).toBe('string');
  });

  it('never reads a blank cell as 0 (arquero reads " " as 0)', () => {
    const text = 'y,g\n1,a\n ,b\n3,c\n';
    expect(col(text, 'y')).toEqual([1, NaN, 3]);
    expect((fromCSV(text).array('y') as unknown[])[1]).toBe(0);
  });

  it('a marker within the first 1,000 rows or after them gives the same numeric column', () => {
    for (const row of [5, 1100]) {
      for (const token of ['NA', 'N/A', 'null', '.', '#N/A']) {
        const { table, columns } = parseTable(naoCsv({ column: 'deprivation', row, token }));
        expect(columns.find((c) => c.name === 'deprivation')!.type).toBe('numeric');
        const m = fit(table, 'rate ~ deprivation + (1|la) + (1|year)');
        expect(m.nobs).toBe(1199);
        expect(m.betaNames).toEqual(['(Intercept)', 'deprivation']); // one slope, not 30 dummies
        expect(Object.keys(decompose(m).covariates)).toEqual(['deprivation']);
      }
    }
  });

  it('Inf is a number (as in R) and dropped as missing by the model; "0.47%" makes the column mixed, which the model refuses', () => {
    expect(col('x\n1\nInf\n-Inf\n', 'x')).toEqual([1, Infinity, -Infinity]);
    const inf = parseTable(naoCsv({ column: 'deprivation', row: 10, token: 'Inf' }));
    expect(fit(inf.table, 'rate ~ deprivation + (1|la) + (1|year)').nobs).toBe(1199);

    const pct = parseTable(naoCsv({ column: 'deprivation', row: 10, token: '0.47%' }));
    const r = pct.columns.find((c) => c.name === 'deprivation')!;
    expect(r.type).toBe('mixed');
    expect(r.textTokens).toEqual([{ value: '0.47%', row: 10, count: 1 }]);
    const e = errorOf(() => fit(pct.table, 'rate ~ deprivation + (1|la) + (1|year)'));
    expect(e.code).toBe('E_NONNUMERIC');
    expect(e.message).toContain('"0.47%"');
    expect(e.message).toContain('row 10');
  });

  it('NA in the outcome is a missing value; text in the outcome is named with its row', () => {
    const na = parseTable(naoCsv({ column: 'rate', row: 700, token: 'NA' }));
    expect(fit(na.table, 'rate ~ deprivation + (1|la) + (1|year)').nobs).toBe(1199);
    const bad = parseTable(naoCsv({ column: 'rate', row: 700, token: 'n.a.' }));
    const e = errorOf(() => fit(bad.table, 'rate ~ deprivation + (1|la) + (1|year)'));
    expect(e.message).toMatch(/^Outcome "rate" row 700 holds "n\.a\.", not a number/);
    expect(e.detail).toMatchObject({ column: 'rate', row: 700 });
  });

  it('missing markers in a grouping column are missing, not a level "NA"', () => {
    const text = naoCsv({ column: 'la', row: 3, token: 'NA' });
    const m = fit(parseTable(text).table, 'rate ~ deprivation + (1|la) + (1|year)');
    expect(m.nobs).toBe(1199);
    expect(m.ranefArray('la').levels).not.toContain('NA');
  });

  it('ISO dates are text and work as period levels (never [object Date])', () => {
    const rows = ['y,unit,period'];
    for (let u = 0; u < 6; u++) for (let t = 0; t < 4; t++) rows.push(`${(u * 7 + t * 3 + ((u * t) % 5)) / 2},u${u},201${t}-04-01`);
    const { table, columns } = parseTable(rows.join('\n'));
    expect(columns.find((c) => c.name === 'period')!.type).toBe('text');
    const m = fit(table, 'y ~ (1|unit) + (1|period)');
    expect(m.ranefArray('period').levels).toEqual(['2010-04-01', '2011-04-01', '2012-04-01', '2013-04-01']);
  });

  it('states types explicitly, and reports text in a column stated numeric with its row and line', () => {
    expect(col('id,y\n007,1\n010,2\n', 'id', { types: { id: 'text' } })).toEqual(['007', '010']);
    const e = errorOf(() => parseTable('y,x\n1,2\n2,oops\n', { types: { x: 'numeric' } }));
    expect(e.code).toBe('E_NONNUMERIC');
    expect(e.message).toContain('row 1 (line 3) holds "oops"');
    expect(errorOf(() => parseTable('y\n1\n', { types: { z: 'numeric' } })).code).toBe('E_COLUMN');
  });

  it('takes its own missing markers', () => {
    expect(col('y\n-99\n1\nNA\n', 'y', { na: ['-99'] })).toEqual([null, 1, 'NA']);
    expect(report('y\n-99\n1\nNA\n', 'y', { na: ['-99'] }).type).toBe('mixed');
  });
});

describe('parseTable: the shape of the text', () => {
  it('strips a UTF-8 BOM, reads CRLF, quoted fields with delimiters, quotes and line breaks', () => {
    const text = '\ufeff"name","y"\r\n"a, b",1\r\n"say ""hi""",2\r\n"two\r\nlines",3\r\n';
    const { table } = parseTable(text);
    expect(table.columnNames()).toEqual(['name', 'y']);
    expect(table.array('name')).toEqual(['a, b', 'say "hi"', 'two\r\nlines']);
    expect(Array.from(table.array('y') as Float64Array)).toEqual([1, 2, 3]);
  });

  it('reads European files: ";" delimiter and decimal comma', () => {
    const { table } = parseTable('y;x\n1,5;2\n-0,25;1e3\n', { delimiter: ';', decimal: ',' });
    expect(Array.from(table.array('y') as Float64Array)).toEqual([1.5, -0.25]);
    expect(errorOf(() => parseTable('y\n1\n', { decimal: ',' })).code).toBe('E_OPTION');
  });

  it('a row with extra fields is an error naming the row and line (an unquoted "1,234.5")', () => {
    const e = errorOf(() => parseTable('y,g\n1,a\n1,234.5,b\n'));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toContain('Row 1 (line 3) has 3 fields, more than the 2 columns of the header');
    expect(fromCSV('y,g\n1,a\n1,234.5,b\n').array('y')).toEqual([1, 1]); // arquero keeps 1 silently
    expect(errorOf(() => parseTable('y,g\n1\n')).message).toContain('Row 0 (line 2) has 1 fields, fewer');
  });

  it('duplicate header names are an error (arquero keeps the last column)', () => {
    const e = errorOf(() => parseTable('y,x,x\n1,2,3\n'));
    expect(e.message).toContain('column "x" twice (columns 2 and 3)');
    expect(fromCSV('y,x,x\n1,2,3\n').array('x')).toEqual([3]);
  });

  it('unterminated quotes and text after a closing quote are errors with the line', () => {
    expect(errorOf(() => parseTable('y,g\n1,"abc\n2,d\n')).message).toContain('line 2');
    expect(errorOf(() => parseTable('y,g\n1,"ab"c\n')).message).toContain('text after the closing quote');
  });

  it('gives the same table whatever the chunks (split inside quotes, quote pairs and CRLF)', () => {
    const parts = ['"g","y"\r\n'];
    for (let i = 0; i < 300; i++) parts.push(`"level ""${i % 7}"", ok",${i % 11 === 0 ? 'NA' : (i * 0.37).toFixed(2)}\r\n`);
    const text = parts.join('');
    const whole = parseTable(text);
    for (const size of [1, 2, 3, 5, 17, 64, 1000]) {
      const reader = new DelimitedTextReader();
      for (let p = 0; p < text.length; p += size) reader.push(text.slice(p, p + size));
      const chunked = reader.end();
      expect(chunked.table.numRows()).toBe(300);
      expect(chunked.table.array('g')).toEqual(whole.table.array('g'));
      expect(Array.from(chunked.table.array('y') as Float64Array)).toEqual(Array.from(whole.table.array('y') as Float64Array));
      expect(chunked.columns).toEqual(whole.columns);
    }
  });
});
