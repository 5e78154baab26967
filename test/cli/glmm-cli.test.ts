/** CLI: --family, --offset and the binomial response forms reach the GLMM fit and decomposition. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/main.js';
import { fitFixture } from '../helpers/glmm-fixtures.js';

const fixtures = fileURLToPath(new URL('../fixtures/glmm/', import.meta.url));

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: Object.assign(Readable.from([]), { isTTY: true }),
    cwd: fixtures,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const CBPP = 'cbind(incidence, size - incidence) ~ period + (1 | herd)';

describe('CLI GLMMs', () => {
  it('fit --family binomial with a random slope and a text response: Corr column, json correlations, the coding', async () => {
    const slope = await run(['fit', 'binomial-slope.csv', '--family', 'binomial', '-f', 'cbind(s, n - s) ~ x + (1 + x | g)', '--format', 'json']);
    expect(slope.code, slope.stderr).toBe(0);
    const j = JSON.parse(slope.stdout);
    expect(Object.keys(j.theta)).toEqual(['g.(Intercept)', 'g.x.(Intercept)', 'g.x']);
    expect(j.correlations[0].names).toEqual(['(Intercept)', 'x']);
    const table = await run(['fit', 'binomial-slope.csv', '--family', 'binomial', '-f', 'cbind(s, n - s) ~ x + (1 + x | g)']);
    expect(table.stdout).toMatch(/Corr/);
    const text = await run(['fit', 'binomial-text.csv', '--family', 'binomial', '-f', 'answer ~ x + (1 | g)', '--format', 'json']);
    expect(text.code, text.stderr).toBe(0);
    expect(JSON.parse(text.stdout).responseCoding).toEqual({ failure: 'N', success: ['Y'] });
  });
  it('fit --family binomial with cbind prints the glmer-style summary; json carries the estimates', async () => {
    const { m } = fitFixture('cbpp');
    const r = await run(['fit', 'cbpp.csv', '--family', 'binomial', '-f', CBPP]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Family: binomial {2}\( logit \)/);
    expect(r.stdout).toMatch(/z value/);
    const j = await run(['fit', 'cbpp.csv', '--family', 'binomial', '-f', CBPP, '--format', 'json']);
    const parsed = JSON.parse(j.stdout);
    expect(parsed.family).toBe('binomial');
    expect(parsed.deviance).toBeCloseTo(m.deviance, 8);
    const csv = await run(['fit', 'cbpp.csv', '--family', 'binomial', '-f', CBPP, '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe('part,name,estimate,std_error,variance,sd');
  });
  it('--offset column equals offset(...) in the formula', async () => {
    const { m } = fitFixture('england-poisson');
    const formula = 'cpp_start_n ~ imd2019_avg_score + (1 | la_code) + (1 | year)';
    // The column holds the population; its log is the offset: give it through the formula ...
    const a = await run(['fit', 'england-poisson.csv', '--family', 'poisson', '-f', formula.replace(' + (1 | la_code)', ' + offset(log(child_pop_0_17_dfe)) + (1 | la_code)'), '--format', 'json']);
    expect(JSON.parse(a.stdout).deviance).toBeCloseTo(m.deviance, 6);
    // ... or as a column of logs with --offset (used as given, on the link scale).
    const dir = mkdtempSync(join(tmpdir(), 'vardecomp-glmm-'));
    try {
      const t = aq.fromCSV(readFileSync(join(fixtures, 'england-poisson.csv'), 'utf8')).derive({ log_pop: 'd => op.log(d.child_pop_0_17_dfe)' });
      const file = join(dir, 'england.csv');
      writeFileSync(file, t.toCSV());
      const b = await run(['fit', file, '--family', 'poisson', '-f', formula, '--offset', 'log_pop', '--format', 'json']);
      expect(b.code).toBe(0);
      const parsed = JSON.parse(b.stdout);
      expect(parsed.hasOffset).toBe(true);
      expect(parsed.deviance).toBeCloseTo(m.deviance, 6);
      expect(parsed.beta.imd2019_avg_score).toBeCloseTo(m.beta.imd2019_avg_score, 7);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('decompose --family gives latent-scale components; compare and --ml are refused with the reason', async () => {
    const d = await run(['decompose', 'cbpp.csv', '--family', 'binomial', '-f', CBPP, '--format', 'json']);
    expect(d.code).toBe(0);
    const parsed = JSON.parse(d.stdout);
    expect(parsed.latent.family).toBe('binomial');
    expect(parsed.components.map((c: { key: string }) => c.key)).toEqual(['fixed', 'herd', 'residual']);
    const c = await run(['compare', 'cbpp.csv', '--family', 'binomial', '-f', CBPP]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/E_UNSUPPORTED/);
    const s = await run(['decompose', 'cbpp.csv', '--family', 'binomial', '-f', CBPP, '--method', 'shapley']);
    expect(s.stderr).toMatch(/use method "components"/);
    const ml = await run(['fit', 'cbpp.csv', '--family', 'binomial', '-f', CBPP, '--ml']);
    expect(ml.stderr).toMatch(/do not apply to --family binomial/);
    const bad = await run(['fit', 'cbpp.csv', '--family', 'gamma', '-f', CBPP]);
    expect(bad.code).toBe(2);
  });
});
