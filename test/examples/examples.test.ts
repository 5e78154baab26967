/**
 * The examples run and print what they promise (quick versions: few bootstrap replicates).
 */
import { describe, expect, it } from 'vitest';
import { naoReplication } from '../../examples/nao-replication.js';
import { englandReplication } from '../../examples/england-replication.js';

describe('examples', () => {
  it('nao-replication prints the three methods with 44/15/10/31 under components', () => {
    const text = naoReplication({ replicates: 40 });
    expect(text).toContain('## The NAO split, reproduced');
    expect(text).toMatch(/local authority\s+random\s+44\.0%/);
    expect(text).toMatch(/deprivation\s+fixed\s+15\.0%/);
    expect(text).toMatch(/national\s+random\s+10\.0%/);
    expect(text).toMatch(/residual\s+residual\s+31\.0%/);
    expect(text).toContain('sequential');
    expect(text).toContain('shapley');
  });

  it('england-replication prints every measure and both extensions', async () => {
    const text = await englandReplication({ replicates: 20, glmmReplicates: 0 });
    for (const heading of ['## England, 2013-2018', '### All five measures', '### Extension 1', '### Extension 2', '### Extension 3']) {
      expect(text).toContain(heading);
    }
    for (const o of ['cpp_start_rate', 'cin_episodes_rate', 's47_rate', 'referral_rate', 'lac_rate']) expect(text).toContain(o);
    // cpp_start_rate, components: deprivation share on the real panel (REML, 880 rows)
    expect(text).toMatch(/deprivation\s+fixed\s+29\.1%/);
    // The Poisson GLMM of the counts (glmer, scripts/reference/glmm.R: latent shares by the
    // definition): deprivation 29.0%, local 39.3%, national 4.6%, overdispersion 25.5%, Poisson 1.6%.
    expect(text).toMatch(/Family: poisson {2}\( log \)/);
    expect(text).toMatch(/deprivation\s+fixed\s+[\d.]+\s+29\.0%/);
    expect(text).toMatch(/overdispersion\s+residual\s+[\d.]+\s+25\.5%/);
    expect(text).toMatch(/local authority\s+random\s+[\d.]+\s+39\.3%/);
  });
});
