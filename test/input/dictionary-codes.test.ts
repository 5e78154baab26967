import { fromArrow, table as aqTable, toArrowIPC } from 'arquero';
import { describe, expect, it } from 'vitest';
import { fit, parseTable } from '../../src/index.js';
import { dictionaryCodesOf, withDictionary } from '../../src/input/dictionary-codes.js';
import { toDataSource } from '../../src/input/data-source.js';
import { simulatePanel } from '../../src/simulate/index.js';

const FORMULA = 'y ~ x + region + (1|unit) + (1|period)';

/** A panel with string ids, a string covariate and a few missing cells, as plain columns. */
function panel(): Record<string, unknown[]> {
  const t = simulatePanel({ units: 40, periods: 6, seed: 9, covariateWithin: 0.5 });
  const cols: Record<string, unknown[]> = {};
  for (const n of t.columnNames()) cols[n] = Array.from(t.array(n) as ArrayLike<unknown>);
  cols.period = cols.period.map((p) => `P${p}`);
  cols.region = cols.unit.map((u, i) => (i % 37 === 5 ? null : ['north', 'South', 'east', 'West'][String(u).charCodeAt(String(u).length - 1) % 4]));
  cols.unit = cols.unit.map((u, i) => (i === 17 ? 'NA' : u));
  return cols;
}

function same(a: ReturnType<typeof fit>, b: ReturnType<typeof fit>): void {
  expect(a.nobs).toBe(b.nobs);
  expect(a.betaNames).toEqual(b.betaNames);
  expect(a.theta).toEqual(b.theta);
  expect(a.beta).toEqual(b.beta);
  expect(a.ranefArray('unit').levels).toEqual(b.ranefArray('unit').levels);
}

describe('factors from dictionary keys', () => {
  it("the reader's text columns carry their keys (frozen), and fits equal the plain-array fits", () => {
    const cols = panel();
    const csv = aqTable(cols).toCSV();
    const { table } = parseTable(csv);
    const unit = table.column('unit') as unknown as string[];
    const codes = dictionaryCodesOf(unit)!;
    expect(codes).not.toBeNull();
    expect(Object.isFrozen(unit)).toBe(true);
    for (let i = 0; i < unit.length; i++) expect(codes.keys[i] < 0 ? null : codes.dictionary[codes.keys[i]]).toBe(unit[i]);
    expect(toDataSource(table).dictionary!('unit')).toBe(codes);
    expect(dictionaryCodesOf(table.column('x'))).toBeNull(); // numeric
    same(fit(table, FORMULA), fit(cols, FORMULA));
    // the same columns as a column object also take the keys
    const asColumns = Object.fromEntries(table.columnNames().map((n) => [n, table.column(n) as unknown as unknown[]]));
    same(fit(asColumns, FORMULA), fit(cols, FORMULA));
  });

  it('a mixed column has no dictionary; a filtered table reads values, not keys', () => {
    const { table } = parseTable('g,y\na,1\n2,2\nb,3\n');
    expect(dictionaryCodesOf(table.column('g'))).toBeNull();
    const cols = panel();
    const t = parseTable(aqTable(cols).toCSV()).table;
    const filtered = t.filter((d: { period: string }) => d.period !== 'P1');
    expect(toDataSource(filtered).dictionary!('unit')).toBeNull();
    const plain = aqTable(cols).filter((d: { period: string }) => d.period !== 'P1');
    same(fit(filtered, FORMULA), fit(plain, FORMULA));
  });

  it('Arrow dictionary vectors (with nulls) give their keys through arquero, and the same fit', () => {
    const cols = panel();
    const arrow = fromArrow(toArrowIPC(aqTable(cols)));
    const codes = toDataSource(arrow).dictionary!('region');
    expect(codes).not.toBeNull();
    expect(codes!.dictionary).toContain(null);
    same(fit(arrow, FORMULA), fit(cols, FORMULA));
  });

  it('withDictionary freezes the values so the keys cannot go stale', () => {
    const values = ['a', 'b', 'a'];
    withDictionary(values, { keys: Int32Array.of(0, 1, 0), dictionary: ['a', 'b'] });
    expect(() => {
      'use strict';
      values[0] = 'z';
    }).toThrow(TypeError);
  });
});
