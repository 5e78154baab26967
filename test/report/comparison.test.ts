import { describe, expect, it } from 'vitest';
import { Comparison, Decomposition, ManyDecomposition } from '../../src/report/index.js';
import { naoComparison, naoMany } from './nao-data.js';

describe('Comparison', () => {
  const c = new Comparison(naoComparison());
  const text = c.format();
  const lines = text.split('\n');

  it('prints a header and one row per key with a share and interval per method', () => {
    expect(lines[0]).toBe('Variance decomposition of cpp_start_rate by three methods');
    expect(lines[2]).toContain('894 observations (6 rows dropped');
    const head = lines.find((l) => l.startsWith(' Component'))!;
    expect(head).toMatch(/components\s+95% interval\s+sequential\s+95% interval\s+shapley\s+95% interval$/);
    const local = lines.find((l) => l.startsWith(' local'))!;
    expect(local).toMatch(/44\.0%\s+\[39\.1, 48\.7\]\s+48\.2%\s+\[44\.0, 52\.0\]\s+55\.8%\s+\[51\.0, 60\.0\]$/);
    const dep = lines.find((l) => l.startsWith(' deprivation'))!;
    expect(dep).toMatch(/15\.0%\s+\[11\.2, 18\.9\]\s+15\.3%\s+\[11\.8, 19\.0\]\s+7\.7%\s+\[ 5\.9,  9\.5\]$/);
  });

  it('aligns each method column', () => {
    const rows = lines.filter((l) => /^ (deprivation|local|national|residual|Total)\s/.test(l));
    expect(rows).toHaveLength(5);
    for (const method of ['sequential', 'shapley']) {
      const head = lines.find((l) => l.startsWith(' Component'))!;
      const end = head.indexOf(method) + method.length;
      for (const r of rows) expect(r[end - 1]).toBe('%');
    }
  });

  it('explains each method, R² and the intervals', () => {
    expect(text).toMatch(/ components\s+variance of each part/);
    expect(text).toContain('sequential  R² gained as deprivation, then local, then national enter');
    expect(text).toMatch(/ shapley\s+R² gains averaged over every entry order/);
    expect(text).toContain('R² of the full fixed-effects regression: 0.726');
    expect(text).toContain('Intervals (components): 95% percentile');
  });

  it('wraps each method as a Decomposition', () => {
    expect(c.decompositions.shapley).toBeInstanceOf(Decomposition);
    expect(c.decompositions.components.shares.la_code).toBe(0.44);
  });

  it('has a markdown table with a column per method', () => {
    const md = c.toMarkdown().split('\n');
    expect(md[0]).toBe('| Component | Kind | components | sequential | shapley |');
    expect(md[1]).toBe('|:--|:--|--:|--:|--:|');
    expect(md[3]).toBe('| local | random | 44.0% (39.1 to 48.7) | 48.2% (44.0 to 52.0) | 55.8% (51.0 to 60.0) |');
  });

  it('has a table with one row per key and share/interval columns per method', () => {
    const t = c.toTable();
    expect(t.columnNames()).toEqual([
      'key', 'label', 'kind',
      'components', 'components_lower', 'components_upper',
      'sequential', 'sequential_lower', 'sequential_upper',
      'shapley', 'shapley_lower', 'shapley_upper',
    ]);
    expect(t.numRows()).toBe(4);
    expect(t.get('shapley', 0)).toBe(0.077);
    const plain = new Comparison(naoComparison({ intervals: false })).toTable();
    expect(plain.columnNames()).toEqual(['key', 'label', 'kind', 'components', 'sequential', 'shapley']);
  });

  it('round-trips through JSON', () => {
    const data = naoComparison();
    expect(JSON.parse(JSON.stringify(c))).toEqual(JSON.parse(JSON.stringify(data)));
    expect(new Comparison(JSON.parse(JSON.stringify(c))).format()).toBe(text);
  });

  it('prints without intervals', () => {
    const plain = new Comparison(naoComparison({ intervals: false })).format();
    expect(plain).not.toContain('[');
    expect(plain).toMatch(/ local\s+random\s+44\.0%\s+48\.2%\s+55\.8%\n/);
  });
});

describe('ManyDecomposition', () => {
  const many = new ManyDecomposition(naoMany());
  const text = many.format();
  const lines = text.split('\n');

  it('prints one row per outcome with observations and shares', () => {
    expect(lines[0]).toBe('Variance decomposition of 3 outcomes: variance components of the mixed model');
    expect(lines[1]).toBe('  <outcome> ~ imd2019_avg_score + (1|la_code) + (1|year)');
    const head = lines.find((l) => l.startsWith(' Outcome'))!;
    expect(head).toMatch(/Outcome\s+Obs\s+Dropped\s+deprivation\s+95% interval\s+local\s+95% interval\s+national\s+95% interval\s+residual\s+95% interval$/);
    const lac = lines.find((l) => l.startsWith(' lac_rate'))!;
    expect(lac).toMatch(/^ lac_rate\s+896\s+4\s+35\.0%\s+\[31\.0, 40\.0\]\s+55\.0%\s+\[51\.0, 60\.0\]\s+2\.0%\s+\[ 0\.0,  7\.0\]\s+8\.0%\s+\[ 4\.0, 13\.0\]$/);
    expect(lines.filter((l) => /^ (cpp_start_rate|cin_episodes_rate|lac_rate)\s/.test(l))).toHaveLength(3);
  });

  it('has markdown, table and JSON views', () => {
    const md = many.toMarkdown().split('\n');
    expect(md[0]).toBe('| Outcome | Obs | deprivation | local | national | residual |');
    expect(md).toHaveLength(5);
    const t = many.toTable();
    expect(t.columnNames().slice(0, 6)).toEqual(['outcome', 'nobs', 'n_dropped', 'fixed', 'fixed_lower', 'fixed_upper']);
    expect(t.array('outcome')).toEqual(['cpp_start_rate', 'cin_episodes_rate', 'lac_rate']);
    expect(t.array('la_code')).toEqual([0.44, 0.5, 0.55]);
    expect(new ManyDecomposition(JSON.parse(JSON.stringify(many))).format()).toBe(text);
    expect(many.results[1]).toBeInstanceOf(Decomposition);
  });
});
