import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'vardecomp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], stdin?: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: stdin === undefined ? Object.assign(Readable.from([]), { isTTY: true }) : Readable.from([stdin]),
    cwd: dir,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const FORMULA = 'rate ~ deprivation + (1|la) + (1|year)';
const LABELS = 'la=local,year=national,fixed=deprivation';

/** A small NAO-shaped panel written once as CSV. */
async function naoCsv(): Promise<string> {
  const r = await run(['simulate', '--nao', '--exact', '--units', '30', '--periods', '5', '--seed', '7']);
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('vardecomp simulate', () => {
  it('writes CSV with one row per unit and period', async () => {
    const r = await run(['simulate', '--units', '12', '--periods', '4', '--seed', '3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('unit,period,x,y');
    expect(lines).toHaveLength(1 + 12 * 4);
  });

  it('drops rows with --missing, takes shares and writes --out', async () => {
    const r = await run(['simulate', '--units', '20', '--periods', '5', '--missing', '0.1', '--shares', 'unit=.5,period=.2,residual=.3', '--exact', '-o', 'sim.csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const lines = readFileSync(join(dir, 'sim.csv'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 100 - 10);
  });

  it('writes the NAO-shaped panel and other formats', async () => {
    const csv = await naoCsv();
    expect(csv.split('\n')[0]).toBe('la,year,deprivation,rate');
    const json = await run(['simulate', '--units', '3', '--periods', '2', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toHaveLength(6);
    const tsv = await run(['simulate', '--units', '3', '--periods', '2', '--format', 'tsv']);
    expect(tsv.stdout.split('\n')[0]).toBe('unit\tperiod\tx\ty');
  });

  it('reports bad shares in one line with exit status 2', async () => {
    const r = await run(['simulate', '--shares', 'unit=.5,residual=.4']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^vardecomp: E_OPTION: Option "shares" must sum to 1[^\n]*\n$/);
    const bad = await run(['simulate', '--shares', 'unit']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^vardecomp: E_OPTION: Option "--shares" must be key=value pairs/);
  });
});

describe('vardecomp fit', () => {
  it('fits a CSV file and prints the lme4-style summary', async () => {
    writeFileSync(join(dir, 'nao.csv'), await naoCsv());
    const r = await run(['fit', 'nao.csv', '-f', FORMULA]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Linear mixed model fit by REML');
    expect(r.stdout).toContain('Number of obs: 150, groups:  la, 30; year, 5');
  });

  it('reads CSV on stdin and writes CSV, by ML', async () => {
    const r = await run(['fit', '-', '-f', FORMULA, '--ml', '--format', 'csv'], await naoCsv());
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('part,name,estimate,std_error,variance,sd');
    expect(lines.map((l) => l.split(',')[0]).slice(1)).toEqual(['fixed', 'fixed', 'random', 'random', 'residual']);
    const json = await run(['fit', '-f', FORMULA, '--ml', '--format', 'json'], await naoCsv());
    expect(JSON.parse(json.stdout).reml).toBe(false);
  });

  it('reads TSV and JSON files', async () => {
    const csv = await naoCsv();
    writeFileSync(join(dir, 'nao.tsv'), csv.replace(/,/g, '\t'));
    const rows = csv.trimEnd().split('\n').slice(1).map((l) => {
      const [la, year, deprivation, rate] = l.split(',');
      return { la, year: Number(year), deprivation: Number(deprivation), rate: Number(rate) };
    });
    writeFileSync(join(dir, 'nao.json'), JSON.stringify(rows));
    const a = await run(['fit', 'nao.tsv', '-f', FORMULA, '--format', 'json']);
    const b = await run(['fit', 'nao.json', '-f', FORMULA, '--format', 'json']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(JSON.parse(a.stdout).sigma).toBeCloseTo(JSON.parse(b.stdout).sigma, 8);
  });

  it('reports a bad column in one line with exit status 2', async () => {
    const r = await run(['fit', 'nao.csv', '-f', 'rate ~ poverty + (1|la)']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2); // one line and its newline
    expect(r.stderr).toMatch(/^vardecomp: E_COLUMN: .*"poverty"/);
  });

  it('refuses a formula nested 1,367 deep with E_FORMULA and exit status 2 (not a stack overflow)', async () => {
    const deep = `rate ~ ${'('.repeat(1367)}deprivation${')'.repeat(1367)} + (1|la)`;
    const r = await run(['fit', 'nao.csv', '-f', deep]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vardecomp: E_FORMULA: .*levels deep \(the limit\)/);
    expect(r.stderr).not.toContain('Maximum call stack');
  });

  it('accepts formula functions in --formula unchanged and names the terms as written; --help lists them', async () => {
    const r = await run(['fit', 'nao.csv', '-f', 'rate ~ within(deprivation, la) + between(deprivation, la) + log(deprivation + 100) + (1|la) + (1|year)', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).betaNames).toEqual([
      '(Intercept)', 'within(deprivation, la)', 'between(deprivation, la)', 'log(deprivation + 100)',
    ]);
    const bad = await run(['fit', 'nao.csv', '-f', 'rate ~ poly(deprivation, 2) + (1|la)']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^vardecomp: E_UNSUPPORTED: .*the formula functions are within, between, log/);
    const help = await run(['fit', '--help']);
    expect(help.stdout).toContain('within(x, g), between(x, g)');
  });

  it('prints the stack only with --debug', async () => {
    const r = await run(['fit', 'nao.csv', '-f', 'rate ~ poverty + (1|la)', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').length).toBeGreaterThan(3);
    expect(r.stderr).toContain('VardecompError');
  });

  it('exits 2 with E_INPUT for a missing file (bad input, as the README promises) and for usage errors', async () => {
    const missing = await run(['fit', 'nope.csv', '-f', FORMULA]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('vardecomp: E_INPUT: cannot read "nope.csv": no such file\n');
    const unknown = await run(['fit', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^vardecomp: unknown option '--bogus'/);
    const noFormula = await run(['fit', 'nao.csv']);
    expect(noFormula.code).toBe(2);
    expect(noFormula.stderr).toMatch(/^vardecomp: E_OPTION: Option "--formula" is required/);
    const noInput = await run(['fit', '-f', FORMULA]);
    expect(noInput.code).toBe(2);
    expect(noInput.stderr).toMatch(/^vardecomp: E_INPUT: No input/);
    const both = await run(['fit', 'nao.csv', '-f', FORMULA, '--reml', '--ml']);
    expect(both.code).toBe(2);
  });

  it('prints help and version with status 0', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['fit', 'decompose', 'compare', 'simulate', 'demo']) expect(help.stdout).toContain(c);
    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('vardecomp decompose and compare', () => {
  it('decomposes with labels and bootstrap intervals', async () => {
    writeFileSync(join(dir, 'nao.csv'), await naoCsv());
    const r = await run(['decompose', 'nao.csv', '-f', FORMULA, '--labels', LABELS, '--bootstrap', '20', '--seed', '2', '--intervals', 'percentile']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Variance decomposition of rate: variance components of the mixed model');
    expect(r.stdout).toMatch(/ local\s+random\s+[\d.]+\s+44\.0%\s+\[/);
    expect(r.stdout).toContain('Intervals: 95% percentile, parametric bootstrap, 20 replicates');
  });

  it('writes CSV and markdown, and takes a method', async () => {
    const csv = await run(['decompose', 'nao.csv', '-f', FORMULA, '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe('key,label,kind,variance,share,lower,upper');
    expect(csv.stdout.trimEnd().split('\n')).toHaveLength(5);
    const md = await run(['decompose', 'nao.csv', '-f', FORMULA, '--method', 'shapley', '--format', 'markdown', '--labels', LABELS]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('| Component | Kind | Share |');
    expect(md.stdout).toContain('shapley method');
    const bad = await run(['decompose', 'nao.csv', '-f', FORMULA, '--method', 'anova']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^vardecomp: E_OPTION: Option "--method" must be one of components, sequential, shapley/);
  });

  it('decomposes several outcomes with --outcomes and --rhs', async () => {
    // deprivation is constant within authorities, so it is modelled by year only
    const r = await run(['decompose', 'nao.csv', '--outcomes', 'rate,deprivation', '--rhs', '(1|year)', '--format', 'csv']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('outcome,nobs,n_dropped,fixed,year,residual');
    const exact = await run(['decompose', 'nao.csv', '--outcomes', 'rate,deprivation', '--rhs', '(1|la) + (1|year)']);
    expect(exact.code).toBe(2);
    expect(exact.stderr).toContain('E_CONSTANT');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['rate', 'deprivation']);
    const clash = await run(['decompose', 'nao.csv', '-f', FORMULA, '--outcomes', 'rate', '--rhs', '(1|la)']);
    expect(clash.code).toBe(2);
  });

  it('compares the three methods and writes charts', async () => {
    const r = await run(['compare', 'nao.csv', '-f', FORMULA, '--labels', LABELS, '--bootstrap', '20', '--chart', 'c.svg']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Component\s+Kind\s+components\s+95% interval\s+sequential\s+95% interval\s+shapley/);
    const svg = readFileSync(join(dir, 'c.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.includes('shapley')).toBe(true);
    const spec = await run(['compare', 'nao.csv', '-f', FORMULA, '--chart', 'c.vl.json', '--format', 'json']);
    expect(spec.code).toBe(0);
    expect(JSON.parse(spec.stdout).methods).toEqual(['components', 'sequential', 'shapley']);
    expect(JSON.parse(readFileSync(join(dir, 'c.vl.json'), 'utf8')).$schema).toContain('vega-lite/v5');
    const html = await run(['compare', 'nao.csv', '-f', FORMULA, '--chart', 'c.html']);
    expect(html.code).toBe(0);
    const page = readFileSync(join(dir, 'c.html'), 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<svg');
    const badChart = await run(['compare', 'nao.csv', '-f', FORMULA, '--chart', 'c.png']);
    expect(badChart.code).toBe(2);
    expect(badChart.stderr).toMatch(/^vardecomp: E_OPTION: Option "--chart" must name a \.svg, \.html or \.vl\.json file/);
  });

  it('checks bootstrap options', async () => {
    const seedOnly = await run(['compare', 'nao.csv', '-f', FORMULA, '--seed', '3']);
    expect(seedOnly.code).toBe(2);
    expect(seedOnly.stderr).toMatch(/needs --bootstrap/);
    const notNumber = await run(['compare', 'nao.csv', '-f', FORMULA, '--bootstrap', 'many']);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toMatch(/^vardecomp: E_OPTION: Option "--bootstrap"/);
    const badLevel = await run(['compare', 'nao.csv', '-f', FORMULA, '--bootstrap', '10', '--level', '95']);
    expect(badLevel.code).toBe(2);
    expect(badLevel.stderr).toMatch(/^vardecomp: E_OPTION: .*level/);
  });
});

describe('vardecomp demo', () => {
  it('runs the NAO-style comparison on the embedded England panel', async () => {
    const r = await run(['demo', '--bootstrap', '20']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('English local authorities, 2013-2018');
    expect(r.stdout).toContain('Variance decomposition of cpp_start_rate by three methods');
    expect(r.stdout).toMatch(/ local\s+random\s+\d+\.\d%/);
    expect(r.stdout).toContain('Open Government Licence v3.0');
  });
});

describe('the vardecomp process', () => {
  it('sets the exit status and prints one line on stderr', () => {
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const bad = spawnSync(tsx, ['src/cli/main.ts', 'fit', join(dir, 'nao.csv'), '-f', 'rate ~ poverty + (1|la)'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^vardecomp: E_COLUMN: [^\n]*"poverty"[^\n]*\n$/);
    const sim = spawnSync(tsx, ['src/cli/main.ts', 'simulate', '--units', '5', '--periods', '3'], { encoding: 'utf8' });
    expect(sim.status).toBe(0);
    expect(sim.stdout.trimEnd().split('\n')).toHaveLength(16);
  });
});

describe('unreadable input files', () => {
  it('an empty file is bad input (exit 2, one line naming the file)', async () => {
    writeFileSync(join(dir, 'empty.csv'), '');
    const r = await run(['fit', 'empty.csv', '-f', FORMULA]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('vardecomp: E_INPUT: "empty.csv" is empty');
  });
});
