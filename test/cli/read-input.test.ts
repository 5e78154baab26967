import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'vardecomp-cli-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENGLAND_R = join(__dirname, '..', 'fixtures', 'files', 'england-r-write-csv.csv');

async function run(argv: string[], stdin?: Iterable<string | Buffer>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: stdin === undefined ? Object.assign(Readable.from([]), { isTTY: true }) : Readable.from(stdin),
    cwd: dir,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const S47 = 's47_rate ~ imd2019_avg_score + (1|la_code) + (1|year)';

describe('CLI reading', () => {
  it('decomposes the England panel written by R (NA cells), by path and on stdin in small chunks', async () => {
    const byPath = await run(['decompose', ENGLAND_R, '-f', S47, '--format', 'json']);
    expect(byPath.stderr).toBe('');
    expect(byPath.code).toBe(0);
    const d = JSON.parse(byPath.stdout);
    expect(d.nobs).toBe(880);
    const bytes = readFileSync(ENGLAND_R);
    const chunks: Buffer[] = [];
    for (let p = 0; p < bytes.length; p += 4093) chunks.push(bytes.subarray(p, p + 4093));
    const onStdin = await run(['decompose', '-f', S47, '--format', 'json'], chunks);
    expect(onStdin.code).toBe(0);
    expect(JSON.parse(onStdin.stdout)).toEqual(d);
  });

  it('--types prints each column\'s type and the tokens that made it so, without a formula', async () => {
    writeFileSync(join(dir, 'typed.csv'), 'y,x,g,when\n1,0.5,a,2013-01-01\nNA,0.47%,b,2014-01-01\n3, ,NA,2015-01-01\n');
    const r = await run(['fit', 'typed.csv', '--types']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^column\s+type\s+missing\s+why$/);
    expect(lines[1]).toMatch(/^y\s+numeric\s+1 \("NA" 1\)$/);
    expect(lines[2]).toMatch(/^x\s+mixed\s+1 \(blank 1\)\s+1 numbers, 1 text: "0\.47%" \(row 1\)$/);
    expect(lines[3]).toMatch(/^g\s+text\s+1 \("NA" 1\)\s+first text: "a" \(row 0\)$/);
    expect(lines[4]).toMatch(/^when\s+text\s+0\s+first text: "2013-01-01" \(row 0\)$/);
    const stated = await run(['fit', 'typed.csv', '--types', '--type', 'g=text', '--na', 'NA,0.47%']);
    expect(stated.stdout).toMatch(/\nx\s+numeric\s+2 \("0\.47%" 1, blank 1\)\n/);
    expect(stated.stdout).toMatch(/\ng\s+text \(stated\)/);
  });

  it('reads European files with --delimiter and --decimal, and states types with --type', async () => {
    const lines = ['y;x;year'];
    for (let u = 0; u < 12; u++) for (let t = 0; t < 4; t++) lines.push(`${(u * 5 + t * 3) % 7},${u % 10};${u % 3},5;${2010 + t}`);
    writeFileSync(join(dir, 'eu.csv'), `${lines.join('\n')}\n`);
    const r = await run(['fit', 'eu.csv', '--delimiter', ';', '--decimal', ',', '-f', 'y ~ x + year + (1|x)', '--type', 'year=text', '--format', 'json']);
    expect(r.stderr).toBe('');
    const m = JSON.parse(r.stdout);
    expect(m.betaNames).toEqual(['(Intercept)', 'x', 'year2011', 'year2012', 'year2013']);
    const bad = await run(['fit', 'eu.csv', '--decimal', ',', '-f', 'y ~ (1|x)']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^vardecomp: E_OPTION: Option "--decimal ," needs another delimiter/);
  });

  it('bad input exits 2 with a code: extra fields name the row, /dev/null is E_INPUT, NDJSON names the line', async () => {
    writeFileSync(join(dir, 'extra.csv'), 'y,g\n1,a\n1,234.5,b\n');
    const extra = await run(['fit', 'extra.csv', '-f', 'y ~ (1|g)']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toBe(
      'vardecomp: E_INPUT: "extra.csv": Row 1 (line 3) has 3 fields, more than the 2 columns of the header (an unquoted delimiter inside a value, such as "1,234.5"?)\n',
    );
    const devnull = await run(['fit', '/dev/null', '-f', 'y ~ (1|g)']);
    expect(devnull.code).toBe(2);
    expect(devnull.stderr).toBe('vardecomp: E_INPUT: "/dev/null" is empty\n');
    writeFileSync(join(dir, 'bad.ndjson'), '{"y":1,"g":"a"}\n{"y":2,"g":"b"\n');
    const nd = await run(['fit', 'bad.ndjson', '-f', 'y ~ (1|g)']);
    expect(nd.code).toBe(2);
    expect(nd.stderr).toMatch(/^vardecomp: E_INPUT: "bad\.ndjson" line 2 is not valid JSON/);
    writeFileSync(join(dir, 'dup.csv'), 'y,g,g\n1,a,b\n');
    expect((await run(['fit', 'dup.csv', '-f', 'y ~ (1|g)'])).stderr).toContain('names column "g" twice');
  });

  it('--na decides what is missing for the model too: a region called NA (North America) is a level unless NA is a marker', async () => {
    // 6 regions x 8 rows; "NA" is a region, "." the missing marker of this file.
    const lines = ['region,x,y'];
    const regions = ['NA', 'EU', 'AS', 'AF', 'SA', 'OC'];
    for (let i = 0; i < 48; i++) {
      const r = regions[i % 6];
      lines.push(`${r},${i === 5 ? '.' : ((i * 7) % 11) / 3},${(i % 6) * 1.5 + ((i * 13) % 17) / 4}`);
    }
    writeFileSync(join(dir, 'regions.csv'), `${lines.join('\n')}\n`);
    const f = 'y ~ x + (1|region)';
    const asLevel = await run(['fit', 'regions.csv', '-f', f, '--na', '.', '--format', 'json']);
    expect(asLevel.stderr).toBe('');
    const m = JSON.parse(asLevel.stdout);
    expect(m.nobs).toBe(47);
    expect(m.ngroups.region).toBe(6);
    const asMissing = JSON.parse((await run(['fit', 'regions.csv', '-f', f, '--na', '.,NA', '--format', 'json'])).stdout);
    expect(asMissing.nobs).toBe(39);
    expect(asMissing.ngroups.region).toBe(5);
    // Without --na the default markers (NA among them) apply, as before.
    expect(JSON.parse((await run(['fit', 'regions.csv', '-f', f, '--format', 'json'])).stdout).nobs).toBe(39);
  });
});
