import { table as aqTable } from 'arquero';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../helpers/errors.js';
import { decompose, decomposeMany, fit, Rng, type DataInput } from '../../src/index.js';
import { isMissing } from '../../src/input/model-frame.js';
import { naoPanel } from '../../src/simulate/index.js';


/** The NAO panel as a column object, with `edit` applied to a copy of the columns. */
function naoColumns(edit?: (cols: Record<string, unknown[]>) => void): Record<string, unknown[]> {
  const t = naoPanel({ seed: 4, exact: true });
  const cols: Record<string, unknown[]> = {};
  for (const name of t.columnNames()) cols[name] = Array.from(t.array(name) as ArrayLike<unknown>);
  edit?.(cols);
  return cols;
}

const shapes = (cols: Record<string, unknown[]>): Array<[string, DataInput]> => {
  const names = Object.keys(cols);
  const rows = cols[names[0]].map((_, i) => Object.fromEntries(names.map((n) => [n, cols[n][i]])));
  return [
    ['arquero table', aqTable(cols)],
    ['column object', cols],
    ['row objects', rows],
  ];
};

const FORMULA = 'rate ~ deprivation + (1|la) + (1|year)';

describe('missing markers in every input shape', () => {
  it('isMissing knows the markers R, Stata, SAS and Excel write', () => {
    expect(['NA', ' NA ', 'N/A', 'NaN', 'null', '.', '#N/A', '', '  '].every(isMissing)).toBe(true);
    expect(['na', 'None', 'Nancy', '.5', '#1', 'n', '0'].some(isMissing)).toBe(false);
  });

  it('a grouping value "NA" is missing (the row is dropped and reported), not a level called NA', () => {
    const cols = naoColumns((c) => {
      c.la = c.la.map(String);
      c.la[7] = 'NA';
      c.year[20] = '.';
    });
    for (const [shape, data] of shapes(cols)) {
      const m = fit(data, FORMULA);
      expect(m.nobs, shape).toBe(1198);
      expect(m.ranefArray('la').levels, shape).not.toContain('NA');
      expect(m.diagnostics.find((d) => d.code === 'DROPPED_ROWS')!.message, shape).toContain('la: 1, year: 1');
    }
  });
});

describe('the reader\'s missing markers are the model\'s', () => {
  it('a level "NA" read with na: [] stays a level in fit, decomposeMany and a binomial response; the default markers drop it', async () => {
    const { parseTable } = await import('../../src/input/delimited-text.js');
    const { decomposeMany } = await import('../../src/index.js');
    const text = ['g,x,y,z,ok', ...Array.from({ length: 40 }, (_, i) => `${['NA', 'b', 'c', 'd'][i % 4]},${(i * 7) % 5},${(i % 4) * 2 + ((i * 11) % 7) / 3},${i % 3},${i % 4 === 0 ? 'NA' : 'yes'}`)].join('\n');
    const kept = parseTable(text, { na: [] }).table;
    const dropped = parseTable(text).table;
    const a = fit(kept, 'y ~ x + (1|g)');
    expect(a.nobs).toBe(40);
    expect(Object.keys(a.ranef('g'))).toContain('NA');
    expect(fit(dropped, 'y ~ x + (1|g)').nobs).toBe(30);
    const many = decomposeMany(kept, { outcomes: ['y', 'z'], rhs: 'x + (1|g)' });
    expect(many.results.map((r) => r.nobs)).toEqual([40, 40]);
    // A binomial response with a category "NA": a level (failure: first in sorted order).
    const b = fit(kept, 'ok ~ x + (1|g)', { family: 'binomial' });
    expect(b.nobs).toBe(40);
    // Tables not made by the reader keep the default markers.
    expect(fit({ g: Array.from(kept.array('g') as ArrayLike<string>), x: kept.array('x'), y: kept.array('y') }, 'y ~ x + (1|g)').nobs).toBe(30);
  });
});

describe('numbers written as text are never made a factor silently', () => {
  const withStray = () =>
    naoColumns((c) => {
      c.deprivation = c.deprivation.map((v) => String(v));
      c.deprivation[12] = '0.47%';
      c.deprivation[30] = 'n.a.';
    });

  it('refuses, naming the column and the non-numeric values, in every shape', () => {
    for (const [shape, data] of shapes(withStray())) {
      const e = errorOf(() => fit(data, FORMULA));
      expect(e.code, shape).toBe('E_NONNUMERIC');
      expect(e.message, shape).toContain('Column "deprivation" is text, but 1198 of its 1200 values are numbers written as text');
      expect(e.message, shape).toContain('"0.47%" (row 12), "n.a." (row 30)');
      expect(e.message, shape).toContain("types: { \"deprivation\": 'numeric' }");
    }
  });

  it('types: numeric reads the numbers (text left is an error with its row); categorical makes levels', () => {
    const allText = naoColumns((c) => {
      c.deprivation = c.deprivation.map((v) => String(v));
    });
    const plain = fit(naoColumns(), FORMULA);
    expect(errorOf(() => fit(allText, FORMULA)).message).toContain('1200 of its 1200 values are numbers written as text');
    const asNumbers = fit(allText, FORMULA, { types: { deprivation: 'numeric' } });
    expect(asNumbers.beta).toEqual(plain.beta);
    const e = errorOf(() => fit(withStray(), FORMULA, { types: { deprivation: 'numeric' } }));
    expect(e.message).toMatch(/^Covariate "deprivation" row 12 holds "0\.47%", not a number/);
    const small = naoColumns((c) => {
      c.deprivation = c.year.map((y) => String(y));
    });
    const asLevels = fit(small, 'rate ~ deprivation + (1|la)', { types: { deprivation: 'categorical' } });
    expect(asLevels.betaNames).toHaveLength(8); // intercept and 7 year dummies
  });

  it('an outcome written as text names the first real text cell, not row 0', () => {
    const cols = naoColumns((c) => {
      c.rate = c.rate.map((v) => String(v));
      c.rate[57] = 'abc';
    });
    const e = errorOf(() => fit(cols, FORMULA));
    expect(e.message).toBe('Outcome "rate" row 57 holds "abc", not a number (1199 of its values are numbers written as text)');
    const ok = naoColumns((c) => {
      c.rate = c.rate.map((v) => String(v));
    });
    expect(errorOf(() => fit(ok, FORMULA)).message).toContain("types: { \"rate\": 'numeric' }");
    expect(fit(ok, FORMULA, { types: { rate: 'numeric' } }).beta).toEqual(fit(naoColumns(), FORMULA).beta);
  });
});

describe('decomposeMany reads outcomes as fit does', () => {
  it('applies types: numeric to an outcome on the shared design, and names the first real text cell otherwise', () => {
    const cols = naoColumns((c) => {
      c.rate2 = c.rate.map((v) => String(2 * (v as number)));
    });
    const rhs = 'deprivation + (1|la) + (1|year)';
    const many = decomposeMany(cols, { outcomes: ['rate', 'rate2'], rhs, types: { rate2: 'numeric' } });
    const direct = decompose(naoColumns((c) => (c.rate2 = c.rate.map((v) => 2 * (v as number)))), `rate2 ~ ${rhs}`);
    for (const [k, v] of Object.entries(direct.shares)) expect(many.results[1].shares[k]).toBeCloseTo(v, 7);
    cols.rate2[40] = 'oops';
    const e = errorOf(() => decomposeMany(cols, { outcomes: ['rate', 'rate2'], rhs }));
    expect(e.message).toBe('Outcome "rate2" row 40 holds "oops", not a number (1199 of its values are numbers written as text)');
  });
});

describe('levels sorted as R sorts them', () => {
  const kinds = ['apple', 'Banana', 'cherry', 'banana'];
  const data = () => {
    const rows: Array<Record<string, unknown>> = [];
    for (let g = 0; g < 8; g++) for (let k = 0; k < 12; k++) rows.push({ y: ((g * 3 + k * 7) % 11) + (k % 4) * 0.5, kind: kinds[k % 4], g: `g${g}` });
    return rows;
  };

  it('apple before Banana (R\'s factor() in an English / UTF-8 locale), so the reference level is R\'s', () => {
    const m = fit(data(), 'y ~ kind + (1|g)');
    // R: levels(factor(c('apple','Banana','cherry','banana'))) is apple banana Banana cherry
    expect(m.betaNames).toEqual(['(Intercept)', 'kindbanana', 'kindBanana', 'kindcherry']);
  });

  it('codes and letters of one case (the fast path) sort as the collation does', () => {
    const collator = new Intl.Collator('en-US');
    for (const alphabet of ['0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789abcdefghijklmnopqrstuvwxyz', '0123456789ABCabc']) {
      const labels = new Set<string>();
      const rng = new Rng(7);
      while (labels.size < 60) {
        let w = '';
        const len = 1 + rng.int(5);
        for (let k = 0; k < len; k++) w += alphabet[rng.int(alphabet.length)];
        labels.add(w);
      }
      const rows = [...labels].flatMap((g, i) => [0, 1].map((t) => ({ y: (i * 7 + t * 3) % 5, g })));
      const m = fit(rows, 'y ~ (1|g)');
      expect(m.ranefArray('g').levels).toEqual([...labels].sort(collator.compare));
    }
  });

  it('takes explicit levels (the first is the reference) and refuses values not among them', () => {
    const m = fit(data(), 'y ~ kind + (1|g)', { levels: { kind: ['cherry', 'apple', 'banana', 'Banana'] } });
    expect(m.betaNames).toEqual(['(Intercept)', 'kindapple', 'kindbanana', 'kindBanana']);
    const e = errorOf(() => fit(data(), 'y ~ kind + (1|g)', { levels: { kind: ['apple', 'banana', 'Banana'] } }));
    expect(e.message).toContain('holds "cherry", which is not among the stated levels');
    expect(errorOf(() => fit(data(), 'y ~ kind + (1|g)', { levels: { kind: 'apple' } as never })).code).toBe('E_OPTION');
  });
});
