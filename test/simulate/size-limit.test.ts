/**
 * Simulated panels are held in memory: sizes beyond MAX_SIMULATED_ROWS are refused up front
 * (E_OPTION naming the option and the memory it would need), in the library and the CLI,
 * instead of allocating until memory runs out.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/main.js';
import { MAX_SIMULATED_ROWS, naoPanel, simulatePanel } from '../../src/index.js';
import { expectError } from '../hardening/helpers.js';

describe('simulated panel size limit', () => {
  it('is 10 million rows', () => {
    expect(MAX_SIMULATED_ROWS).toBe(10_000_000);
  });

  it.each([
    [{ units: 1e9 }, 'units'],
    [{ units: 1e4, periods: 1e4 }, 'units'],
    [{ units: 10, periods: 2e6 }, 'periods'],
    [{ units: MAX_SIMULATED_ROWS / 2 + 1, periods: 2 }, 'units'],
  ])('%j is refused naming %s', (options, option) => {
    const e = expectError(() => simulatePanel(options), 'E_OPTION');
    expect(e.message).toMatch(new RegExp(`^Option "${option}" gives .* rows, more than the 10,000,000 rows a simulated panel may have \\(it would need about [\\d.]+ GB\\)`));
    expect(e.detail?.option).toBe(option);
    expectError(() => naoPanel(options), 'E_OPTION');
  });

  it('small panels are unaffected', () => {
    expect(() => simulatePanel({ units: 3, periods: 2, seed: 1 })).not.toThrow();
  });

  it('vardecomp simulate --units 1e9 exits 2 at once', async () => {
    let stderr = '';
    const io: CliIo = {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s), isTTY: false },
      stdin: Object.assign(Readable.from([]), { isTTY: true }),
      cwd: process.cwd(),
    };
    expect(await main(['simulate', '--units', '1e9'], io)).toBe(2);
    expect(stderr).toMatch(/^vardecomp: E_OPTION: Option "units" gives 1000000000 x 8 = 8\.00e\+9 rows.*about 800 GB/);
  });
});
