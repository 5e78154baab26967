/**
 * CLI `decompose --approximation`: the latent-scale variance of a Poisson GLMM (lognormal, delta,
 * trigamma) reaches the decomposition, with the shares computed in R by the definition
 * (scripts/reference/glmm.R); refused where it has no meaning.
 */
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/cli/main.js';
import { closeRel } from '../helpers/fixtures.js';
import { loadGlmmFixture } from '../helpers/glmm-fixtures.js';

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

const F = 'cpp_start_n ~ imd2019_avg_score + offset(log(child_pop_0_17_dfe)) + (1 | la_code) + (1 | year)';

describe('decompose --approximation', () => {
  const { fixture } = loadGlmmFixture('england-poisson');
  for (const approximation of ['lognormal', 'delta', 'trigamma'] as const) {
    it(`${approximation}: the shares R computes by the definition (1e-4 relative)`, async () => {
      const r = await run(['decompose', 'england-poisson.csv', '--family', 'poisson', '-f', F, '--approximation', approximation, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const shares = JSON.parse(r.stdout).shares as Record<string, number>;
      const ref = fixture.latent.shares[approximation];
      expect(closeRel(shares.fixed, ref.fixed, 1e-4)).toBe(true);
      expect(closeRel(shares.la_code, ref.la_code, 1e-4)).toBe(true);
      expect(closeRel(shares.residual, ref.distribution, 1e-4)).toBe(true);
    });
  }

  it('--outcomes with --family: latent shares per outcome (decomposeMany), the approximation applied', async () => {
    const rhs = F.slice(F.indexOf('~') + 1).trim();
    const r = await run(['decompose', 'england-poisson.csv', '--family', 'poisson', '--outcomes', 'cpp_start_n', '--rhs', rhs, '--approximation', 'delta', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { results: Array<{ shares: Record<string, number>; latent: { approximation: string } }> };
    expect(out.results[0].latent.approximation).toBe('delta');
    expect(closeRel(out.results[0].shares.residual, fixture.latent.shares.delta.distribution, 1e-4)).toBe(true);
    expect(closeRel(out.results[0].shares.la_code, fixture.latent.shares.delta.la_code, 1e-4)).toBe(true);
  });

  it('is refused for a Gaussian fit and for an unknown kind, before the data is read', async () => {
    const g = await run(['decompose', 'no-such-file.csv', '-f', 'y ~ (1|g)', '--approximation', 'delta']);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/E_OPTION: Option "--approximation" applies to --family poisson/);
    const u = await run(['decompose', 'no-such-file.csv', '--family', 'poisson', '-f', 'y ~ (1|g)', '--approximation', 'exact']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/E_OPTION/);
    expect(u.stderr).toMatch(/approximation/);
  });
});
