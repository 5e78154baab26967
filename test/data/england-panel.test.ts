import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ColumnTable } from 'arquero';
import { VardecompError } from '../../src/errors.js';
import {
  ENGLAND_PANEL_COLUMNS,
  loadEnglandPanel,
  parseEnglandPanel,
} from '../../src/data/index.js';

const csvPath = fileURLToPath(
  new URL('../../data/england-la-childrens-social-care.csv', import.meta.url),
);
const csvText = readFileSync(csvPath, 'utf8');

const values = (t: ColumnTable, name: string): unknown[] => Array.from(t.array(name) as ArrayLike<unknown>);
const numbers = (t: ColumnTable, name: string): number[] =>
  values(t, name).filter((v): v is number => typeof v === 'number');

function expectCode(fn: () => unknown, code: string, text?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VardecompError);
    expect((e as VardecompError).code).toBe(code);
    if (text !== undefined) expect((e as VardecompError).message).toContain(text);
    return;
  }
  throw new Error(`expected VardecompError ${code}`);
}

describe('loadEnglandPanel', () => {
  let panel: ColumnTable;
  beforeAll(async () => {
    panel = await loadEnglandPanel();
  });

  it('has 1,648 rows and the documented columns in file order', () => {
    expect(panel.numRows()).toBe(1648);
    expect(panel.columnNames()).toEqual(ENGLAND_PANEL_COLUMNS.map((c) => c.name));
  });

  it('covers 2013..2023 with 150 LAs a year (149 in 2020 and 2021)', () => {
    const years = numbers(panel, 'year');
    expect(years).toHaveLength(1648);
    expect(Math.min(...years)).toBe(2013);
    expect(Math.max(...years)).toBe(2023);
    const codes = values(panel, 'la_code');
    const lasIn = (y: number) => new Set(codes.filter((_, i) => years[i] === y)).size;
    expect(lasIn(2018)).toBe(150);
    for (let y = 2013; y <= 2023; y++) expect(lasIn(y)).toBe(y === 2020 || y === 2021 ? 149 : 150);
    expect(new Set(codes).size).toBe(154);
  });

  it('types identifiers as strings and measures as numbers', () => {
    expect(values(panel, 'old_la_code')[0]).toBe('805');
    for (const c of ENGLAND_PANEL_COLUMNS) {
      const want = c.type;
      for (const v of values(panel, c.name)) {
        if (v !== null) expect(typeof v).toBe(want);
      }
    }
    expect(values(panel, 'old_la_code').every((v) => typeof v === 'string' && /^\d{3}$/.test(v))).toBe(true);
    expect(values(panel, 'la_name')).toContain('Kingston upon Hull, City of');
  });

  it('reads empty cells as null, never NaN or 0', () => {
    const missing = (name: string) => values(panel, name).filter((v) => v === null).length;
    expect(missing('cpp_start_rate')).toBe(4);
    expect(missing('imd2019_avg_score')).toBe(25);
    expect(missing('lac_rate_published')).toBe(753);
    expect(missing('cilif_rel_per100_0_17')).toBe(467);
    expect(missing('lac_at31_n')).toBe(0);
    for (const c of ENGLAND_PANEL_COLUMNS) {
      for (const v of values(panel, c.name)) {
        expect(v === undefined || (typeof v === 'number' && Number.isNaN(v))).toBe(false);
      }
    }
    // Norfolk 2013 has no children-in-need return: its rates are null, not 0.
    const row = (panel.objects() as Record<string, unknown>[]).find(
      (o) => o.la_name === 'Norfolk' && o.year === 2013,
    );
    expect(row?.cpp_start_rate).toBeNull();
    expect(row?.lac_at31_n).toBe(1077);
  });

  it('reproduces the NAO 2017-18 CPP range (22.1 to 155.8)', () => {
    const years = numbers(panel, 'year');
    const rates = values(panel, 'cpp_start_rate').filter((_, i) => years[i] === 2018) as number[];
    expect(rates).toHaveLength(150);
    expect(Math.min(...rates)).toBe(22.1);
    expect(Math.max(...rates)).toBe(155.8);
  });

  it('filters by an inclusive year range', async () => {
    const window = await loadEnglandPanel({ years: [2013, 2018] });
    expect(window.numRows()).toBe(900);
    const years = numbers(window, 'year');
    expect(Math.min(...years)).toBe(2013);
    expect(Math.max(...years)).toBe(2018);
    const one = await loadEnglandPanel({ years: [2020, 2020] });
    expect(one.numRows()).toBe(149);
    expect((await loadEnglandPanel({ years: [2000, 2005] })).numRows()).toBe(0);
  });

  it('rejects a malformed years option with E_OPTION', async () => {
    for (const bad of [[2018, 2013], [2013], [2013.5, 2018], ['2013', '2018']]) {
      await expect(loadEnglandPanel({ years: bad as unknown as [number, number] })).rejects.toMatchObject({
        code: 'E_OPTION',
      });
    }
  });
});

describe('parseEnglandPanel', () => {
  it('matches the loader on the shipped text', async () => {
    const parsed = parseEnglandPanel(csvText);
    const loaded = await loadEnglandPanel();
    expect(parsed.numRows()).toBe(loaded.numRows());
    expect(values(parsed, 'cpp_start_rate')).toEqual(values(loaded, 'cpp_start_rate'));
  });

  it('ignores a byte-order mark', () => {
    expect(parseEnglandPanel(`\ufeff${csvText}`).columnNames()[0]).toBe('la_code');
  });

  it('throws E_INPUT naming a missing column', () => {
    const lines = csvText.split('\r\n');
    lines[0] = lines[0].replace('cpp_start_rate', 'cpp_starts');
    expectCode(() => parseEnglandPanel(lines.join('\r\n')), 'E_INPUT', '"cpp_start_rate"');
    expectCode(() => parseEnglandPanel('a,b,c\n1,2,3\n'), 'E_INPUT', '"la_code"');
  });

  it('throws E_INPUT for empty text and short rows', () => {
    expectCode(() => parseEnglandPanel(''), 'E_INPUT');
    expectCode(() => parseEnglandPanel('  \n'), 'E_INPUT');
    const [header, first] = csvText.split('\r\n');
    const short = first.split(',').slice(0, 10).join(',');
    expectCode(() => parseEnglandPanel(`${header}\n${short}\n`), 'E_INPUT', 'too few fields');
  });

  it('throws E_NONNUMERIC for text in a numeric column', () => {
    const [header, first] = csvText.split('\r\n');
    const cells = first.split(',');
    cells[ENGLAND_PANEL_COLUMNS.findIndex((c) => c.name === 'cin_rate')] = 'c';
    expectCode(() => parseEnglandPanel(`${header}\n${cells.join(',')}\n`), 'E_NONNUMERIC', '"cin_rate"');
  });
});
