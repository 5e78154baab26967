import { describe, expect, it } from 'vitest';
import { Decomposition } from '../../src/report/index.js';
import { FORMULA, naoComponents, naoR2 } from './nao-data.js';

/** The table lines of a format() (from the column header to the Total row). */
function tableLines(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(' Component'));
  const end = lines.findIndex((l, i) => i > start && l.startsWith(' Total'));
  return lines.slice(start, end + 1);
}

describe('Decomposition.format', () => {
  const d = new Decomposition(naoComponents());
  const text = d.format();

  it('has a header naming the method, outcome, formula and observations', () => {
    const lines = text.split('\n');
    expect(lines[0]).toContain('cpp_start_rate');
    expect(lines[0]).toContain('variance components');
    expect(lines[1].trim()).toBe(FORMULA);
    expect(lines[2]).toContain('894 observations');
    expect(lines[2]).toContain('6 rows dropped');
  });

  it('prints one row per component with label, variance, share and interval', () => {
    const rows = tableLines(text);
    expect(rows[0]).toMatch(/Component\s+Kind\s+Variance\s+Share\s+95% interval/);
    expect(rows[1]).toMatch(/^ deprivation\s+fixed\s+60\.0\s+15\.0%\s+\[11\.2%, 18\.9%\]$/);
    expect(rows[2]).toMatch(/^ local\s+random\s+176\.0\s+44\.0%\s+\[39\.1%, 48\.7%\]$/);
    expect(rows[3]).toMatch(/^ national\s+random\s+40\.0\s+10\.0%\s+\[ 4\.1%, 19\.8%\]$/);
    expect(rows[4]).toMatch(/^ residual\s+residual\s+124\.0\s+31\.0%\s+\[28\.8%, 33\.4%\]$/);
    expect(rows[5]).toMatch(/^ Total\s+400\.0\s+100\.0%$/);
  });

  it('aligns the columns', () => {
    const rows = tableLines(text);
    // Right-aligned numbers end in the same column; intervals start in the same column.
    const shareEnds = rows.slice(1).map((r) => r.indexOf('%') + 1);
    expect(new Set(shareEnds).size).toBe(1);
    const varianceEnds = rows.slice(1).map((r) => r.search(/\d\.\d\s/) + 3);
    expect(new Set(varianceEnds).size).toBe(1);
    const intervalStarts = rows.slice(1, 5).map((r) => r.indexOf('['));
    expect(new Set(intervalStarts).size).toBe(1);
    expect(rows[0].indexOf('95% interval')).toBe(intervalStarts[0]);
  });

  it('notes how the intervals were made', () => {
    expect(text).toContain('Intervals: 95% percentile, parametric bootstrap, 1,000 replicates (998 succeeded), seed 1');
  });

  it('adds a covariate split line only with more than one covariate', () => {
    expect(text).not.toContain('Covariates:');
    const two = new Decomposition(naoComponents({ covariates: { imd2019_avg_score: 0.1, cilif: 0.05 } }));
    expect(two.format()).toContain('Covariates: deprivation 15.0% = imd2019_avg_score 10.0% + cilif 5.0%');
  });

  it('leaves out the interval column without intervals', () => {
    const plain = new Decomposition(naoComponents({ intervals: false })).format();
    expect(plain).not.toContain('interval');
    expect(plain).not.toContain('[');
    expect(plain).toMatch(/ local\s+random\s+176\.0\s+44\.0%\n/);
  });

  it('prints R² methods without variances, with the entry order and R²', () => {
    const s = new Decomposition(naoR2('sequential')).format();
    expect(s.split('\n')[0]).toContain('sequential R² increments');
    expect(tableLines(s)[0]).not.toContain('Variance');
    expect(s).toContain('Entry order: deprivation, local, national, then the residual');
    expect(s).toContain('R² of the full fixed-effects regression: 0.726');
    expect(s).toMatch(/ local\s+random\s+48\.2%\s+\[44\.0%, 52\.0%\]/);
  });

  it('honours digits and header options', () => {
    const t = d.format({ digits: 2, header: false });
    expect(t.split('\n')[0]).toMatch(/^ Component/);
    expect(t).toContain('44.00%');
    expect(() => d.format({ digits: 9 })).toThrow(RangeError);
    expect(String(d)).toBe(text);
  });
});

describe('Decomposition.toMarkdown', () => {
  it('is a markdown table with one row per component', () => {
    const md = new Decomposition(naoComponents()).toMarkdown();
    const lines = md.split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe('| Component | Kind | Variance | Share | 95% interval |');
    expect(lines[1]).toBe('|:--|:--|--:|--:|:--|');
    expect(lines[3]).toBe('| local | random | 176.0 | 44.0% | 39.1% to 48.7% |');
  });

  it('escapes pipes in cells and captions with the formula', () => {
    const data = naoComponents();
    const odd = new Decomposition({
      ...data,
      components: data.components.map((c) => (c.key === 'year' ? { ...c, label: 'year|national' } : c)),
    });
    expect(odd.toMarkdown()).toContain('| year\\|national |');
    const captioned = odd.toMarkdown({ caption: true });
    expect(captioned.split('\n')[0]).toContain('`cpp_start_rate ~ imd2019_avg_score + (1 | la_code) + (1 | year)`');
    expect(captioned.split('\n')[1]).toBe('');
  });
});

describe('Decomposition.toTable / toJSON', () => {
  it('gives an arquero table with the documented columns', () => {
    const t = new Decomposition(naoComponents()).toTable();
    expect(t.columnNames()).toEqual(['key', 'label', 'kind', 'variance', 'share', 'lower', 'upper']);
    expect(t.numRows()).toBe(4);
    expect(t.array('key')).toEqual(['fixed', 'la_code', 'year', 'residual']);
    expect(t.array('label')).toEqual(['deprivation', 'local', 'national', 'residual']);
    expect(t.get('share', 1)).toBeCloseTo(0.44, 12);
    expect(t.get('lower', 1)).toBeCloseTo(0.391, 12);
  });

  it('fills nulls where there is no variance or interval', () => {
    const t = new Decomposition(naoR2('shapley', { intervals: false })).toTable();
    expect(t.array('variance')).toEqual([null, null, null, null]);
    expect(t.array('lower')).toEqual([null, null, null, null]);
  });

  it('round-trips through JSON and does not share or mutate the input', () => {
    const data = naoComponents();
    const before = JSON.stringify(data);
    const d = new Decomposition(data);
    expect(JSON.parse(JSON.stringify(d))).toEqual(data);
    expect(new Decomposition(JSON.parse(JSON.stringify(d))).format()).toBe(d.format());
    expect(JSON.stringify(data)).toBe(before);
    expect(Object.isFrozen(d)).toBe(true);
    expect(Object.isFrozen(d.components[0])).toBe(true);
    expect(d.components).not.toBe(data.components);
  });
});
