/**
 * CLI and API edge cases from the adversarial run: hexadecimal and other non-decimal numbers,
 * percentages for --level, limits named by their flag, terminal control characters in data
 * values, and an options object where the formula belongs.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/main.js';
import { parseInteger, parseNumber, parseProportion } from '../../src/cli/parse-options.js';
import { escapeControl } from '../../src/cli/terminal-text.js';
import { compare, decompose, fit } from '../../src/index.js';
import { expectError, panelRows } from '../hardening/helpers.js';

const rows = panelRows({ units: 12, periods: 5, seed: 8 });
const csv = ['y,x,unit,period,region', ...rows.map((r) => `${r.y},${r.x},${r.unit},${r.period},${r.region}`)].join('\n');
const F = 'y ~ x + (1|unit) + (1|period)';

async function run(argv: string[], stdin = csv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: Readable.from([stdin]),
    cwd: process.cwd(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('numbers on the command line are decimal', () => {
  it.each(['0x10', '0b10', '0o7', '', ' ', 'Infinity', '1_000', '1e', '--1'])('parseNumber refuses %j', (text) => {
    expectError(() => parseNumber(text, 'seed'), 'E_OPTION');
  });
  it.each([
    ['16', 16],
    ['-2.5', -2.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['+7', 7],
    [' 3 ', 3],
  ])('parseNumber reads %j', (text, value) => {
    expect(parseNumber(text, 'seed')).toBe(value);
  });

  it('--bootstrap 0x10 is refused naming the flag', async () => {
    const r = await run(['decompose', '-', '-f', F, '--bootstrap', '0x10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vardecomp: E_OPTION: Option "--bootstrap" must be a decimal number \(got "0x10"\)/);
  });

  it('--bootstrap beyond the limit names the flag, not intervals.n', async () => {
    expect(() => parseInteger('20000000', 'bootstrap', 0, 1e7)).toThrow(/--bootstrap" must be at most 10,000,000/);
    const r = await run(['decompose', '-', '-f', F, '--bootstrap', '20000000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"--bootstrap"');
    expect(r.stderr).not.toContain('intervals.');
  });
});

describe('--level is a proportion', () => {
  it('--level 95 names the flag and suggests 0.95', async () => {
    const r = await run(['decompose', '-', '-f', F, '--bootstrap', '10', '--level', '95']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Option "--level" must be strictly between 0 and 1 (for 95%, write 0.95)');
    expect(r.stderr).not.toContain('intervals.');
  });
  it.each(['0', '1', '-0.5', '150'])('parseProportion refuses %s', (text) => {
    expectError(() => parseProportion(text, 'level'), 'E_OPTION');
  });
  it('--level 0.9 works', async () => {
    const r = await run(['decompose', '-', '-f', F, '--bootstrap', '10', '--level', '0.9']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('90%');
  });
});

describe('terminal control characters in data values are shown, not obeyed', () => {
  const ESC = '\u001b';
  const hostile = csv.replace(/R1/g, `R1${ESC}[31m${ESC}]0;owned\u0007`).replace(/U000/g, `U\u009b000`);

  it('escapeControl keeps tab and newline and escapes the rest', () => {
    expect(escapeControl(`a\tb\nc${ESC}[2J\u0000\u007f\u0085`)).toBe('a\tb\nc\\x1b[2J\\x00\\x7f\\x85');
  });

  it.each(['table', 'markdown'])('fit --format %s', async (format) => {
    const r = await run(['fit', '-', '-f', 'y ~ x + region + (1|unit) + (1|period)', '--format', format], hostile);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('regionR1\\x1b[31m\\x1b]0;owned\\x07');
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('decompose --format table with a hostile label', async () => {
    const r = await run(['decompose', '-', '-f', F, '--labels', `unit=local${ESC}[1m`], hostile);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('local\\x1b[1m');
    expect(r.stdout).not.toContain(ESC);
  });

  it('error messages naming a level', async () => {
    const one = csv.replace(/,R\d\n/g, `,R${ESC}[5m\n`).replace(/,R\d$/, `,R${ESC}[5m`);
    const r = await run(['fit', '-', '-f', 'y ~ x + (1|unit) + (1|region)'], one);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('R\\x1b[5m');
    expect(r.stderr).not.toContain(ESC);
  });

  it('JSON escapes them by construction; the values round-trip', async () => {
    const r = await run(['fit', '-', '-f', 'y ~ x + region + (1|unit) + (1|period)', '--format', 'json'], hostile);
    expect(r.stdout).not.toContain(ESC);
    expect(JSON.parse(r.stdout).betaNames).toContain(`regionR1${ESC}[31m${ESC}]0;owned\u0007`);
  });
});

describe('an options object where the formula belongs', () => {
  it.each([
    ['decompose', () => decompose(rows, { method: 'shapley' } as never)],
    ['compare', () => compare(rows, { intervals: true } as never)],
    ['fit', () => fit(rows, { reml: false } as never)],
  ])('%s(data, options) says the formula is missing', (_name, call) => {
    const e = expectError(call, 'E_FORMULA');
    expect(e.message).toMatch(/^The formula is missing: got an object with "(method|intervals|reml)" where the formula belongs/);
  });

  it('a formula object with a typo still names the key', () => {
    const e = expectError(() => fit(rows, { outcome: 'y', group: ['unit'] } as never), 'E_OPTION');
    expect(e.message).toContain('unknown key "group"');
  });
});
