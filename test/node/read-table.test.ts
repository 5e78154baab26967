import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { loadCSV } from 'arquero';
import { afterAll, describe, expect, it } from 'vitest';
import { decompose, fit, VardecompError } from '../../src/index.js';
import { loadEnglandPanel } from '../../src/data/index.js';
import { readTable, readTableFrom } from '../../src/node/index.js';
import { Rng } from '../../src/random/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vardecomp-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (name: string): string => join(__dirname, '..', 'fixtures', 'files', name);

async function rejection(p: Promise<unknown>): Promise<VardecompError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof VardecompError) return e;
    throw e;
  }
  throw new Error('expected a VardecompError');
}

/** A file as R's write.csv writes it: quoted row names and strings, NA for missing cells. */
function rStyleCsv(rows: number, seed: number): { text: string; y: Float64Array; g: string[] } {
  const rng = new Rng(seed);
  const y = new Float64Array(rows);
  const g: string[] = [];
  const lines = ['"","unit","label","y","x"'];
  for (let i = 0; i < rows; i++) {
    const unit = `u${i % 97}`;
    y[i] = i % 501 === 0 ? NaN : Math.round(rng.normal() * 1e4) / 100 + 0;
    g.push(unit);
    lines.push(`"${i + 1}","${unit}","${i % 3 === 0 ? 'a, ""quoted"" label' : 'plain'}",${Number.isNaN(y[i]) ? 'NA' : y[i]},${(i % 13) / 4}`);
  }
  return { text: `${lines.join('\n')}\n`, y, g };
}

describe('readTable: files as R writes them', () => {
  it('reads the England panel written by R (write.csv, NA cells) and fits it as lme4 does on the same file', async () => {
    const ref = JSON.parse(readFileSync(fixture('england-r-write-csv.json'), 'utf8'));
    const { table, columns } = await readTable(fixture('england-r-write-csv.csv'));
    expect(table.numRows()).toBe(ref.nrowData);
    const s47 = columns.find((c) => c.name === 's47_rate')!;
    expect(s47).toMatchObject({ type: 'numeric', missing: ref.missingS47, missingTokens: { NA: ref.missingS47 } });
    expect(columns.find((c) => c.name === 'la_code')!.type).toBe('text');
    const m = fit(table, ref.formula);
    expect(m.nobs).toBe(ref.nobs);
    expect(Math.abs(m.remlCriterion! - ref.REMLcrit) / ref.REMLcrit).toBeLessThan(1e-6);
    for (const [g, v] of Object.entries(ref.variances as Record<string, number>)) {
      const got = m.varcorr.find((r) => r.group === g)!.variance;
      expect(Math.abs(got - v) / v).toBeLessThan(3e-4);
    }
    for (const [k, b] of Object.entries(ref.beta as Record<string, number>)) expect(Math.abs(m.beta[k] - b) / Math.abs(b)).toBeLessThan(1e-5);
    // and the same model as on the embedded panel
    const panel = await loadEnglandPanel({ years: [2013, 2018] });
    expect(decompose(table, ref.formula).shares).toEqual(decompose(panel, ref.formula).shares);
  });

  it('reads quoted files over 64 KiB by path without losing rows at chunk boundaries (arquero 8.0.3 loadCSV does)', async () => {
    const { text, y, g } = rStyleCsv(12000, 5);
    expect(text.length).toBeGreaterThan(6 * 65536);
    const path = join(dir, 'r-style.csv');
    writeFileSync(path, text);
    const { table, columns } = await readTable(path);
    expect(table.numRows()).toBe(12000);
    expect(Array.from(table.array('y') as Float64Array)).toEqual(Array.from(y));
    expect(table.array('unit')).toEqual(g);
    expect(columns.find((c) => c.name === 'y')!.missing).toBe(24);
    expect((table.array('label') as string[]).filter((l) => l === 'a, "quoted" label')).toHaveLength(4000);
    // The same bytes on a stream in odd chunks give the same table.
    const chunks: Buffer[] = [];
    const bytes = Buffer.from(text);
    for (let p = 0; p < bytes.length; p += 7919) chunks.push(bytes.subarray(p, p + 7919));
    const streamed = await readTableFrom(Readable.from(chunks));
    expect(streamed.table.objects()).toEqual(table.objects());
    // arquero's own loader loses or mangles rows on this file.
    const aq = await loadCSV(path);
    const aqY = aq.array('y') as unknown[];
    const same = aq.numRows() === 12000 && aqY.every((v, i) => (v === null ? Number.isNaN(y[i]) : v === y[i]));
    expect(same).toBe(false);
  });

  it("reads an InstEval-like quoted CSV (lme4's 73,421 ratings) with every row", async () => {
    const rng = new Rng(11);
    const n = 73421;
    const lines = ['"s","d","studage","lectage","service","dept","y"'];
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ys[i] = 1 + Math.floor(rng.uniform() * 5);
      const s = 1 + Math.floor(rng.uniform() * 2972);
      const d = 1 + Math.floor(rng.uniform() * 1128);
      lines.push(`"${s}","${d}","${2 * (1 + (i % 4))}","${1 + (i % 6)}","${i % 2}","${1 + (i % 14)}",${ys[i]}`);
    }
    const path = join(dir, 'insteval.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const { table } = await readTable(path, { types: { s: 'text', d: 'text', dept: 'text' } });
    expect(table.numRows()).toBe(n);
    expect(Array.from(table.array('y') as Float64Array)).toEqual(Array.from(ys));
    expect((table.array('s') as string[]).every((v) => /^\d+$/.test(v))).toBe(true);
  });
});

describe('readTable: formats and failures', () => {
  it('a missing file, a directory and /dev/null are E_INPUT naming the file', async () => {
    expect((await rejection(readTable(join(dir, 'nope.csv')))).message).toContain('no such file');
    expect((await rejection(readTable(dir))).code).toBe('E_INPUT');
    const devnull = await rejection(readTable('/dev/null'));
    expect(devnull.code).toBe('E_INPUT');
    expect(devnull.message).toBe('"/dev/null" is empty');
  });

  it('NDJSON errors give the line number; NDJSON, JSON and TSV read', async () => {
    const nd = join(dir, 'rows.ndjson');
    writeFileSync(nd, '{"y":1,"g":"a"}\n{"y":2,"g":"b"}\n\n{"y":3,"g":"NA"}\n');
    const { table } = await readTable(nd);
    expect(table.numRows()).toBe(3);
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, '{"y":1}\n{"y":2}\n{"y":3,}\n');
    const e = await rejection(readTable(bad));
    expect(e.message).toMatch(/line 3 is not valid JSON/);
    expect(e.detail).toMatchObject({ line: 3 });
    const tsv = join(dir, 'x.tsv');
    writeFileSync(tsv, 'y\tg\n1,5\ta\n2\tb\n');
    expect(Array.from((await readTable(tsv, { decimal: ',' })).table.array('y') as Float64Array)).toEqual([1.5, 2]);
  });
});
