/**
 * The NAO-style analysis on real data: English local authorities, 2013-2018.
 *
 * Run: npx tsx examples/england-replication.ts
 *
 * For five children's social care measures, `rate ~ IMD 2019 score + (1|authority) + (1|year)`
 * is split by all three methods with 95% bootstrap intervals, next to the NAO's 44/15/10. Two
 * extensions follow: a region level above authorities, and the time-varying child-poverty
 * measure in place of the fixed IMD score (2015-2018, the years it covers). A third models the
 * counts: a Poisson GLMM of plan starts with the log child population as offset and an
 * observation-level effect for overdispersion, split on the latent scale.
 *
 * Contains public sector information licensed under the Open Government Licence v3.0.
 */
import { pathToFileURL } from 'node:url';
import { compare, decompose, decomposeMany, fit } from '../src/index.js';
import { loadEnglandPanel } from '../src/data/index.js';
import { op } from 'arquero';

const OUTCOMES = ['cpp_start_rate', 'cin_episodes_rate', 's47_rate', 'referral_rate', 'lac_rate'];
const LABELS = { la_code: 'local authority', year: 'national', fixed: 'deprivation' };

/** Run the England replication and return the printed text. */
export async function englandReplication(options: { replicates?: number; glmmReplicates?: number } = {}): Promise<string> {
  const n = options.replicates ?? 1000;
  // GLMM replicates refit the model and its null model, seconds each with the observation-level
  // term (880 levels): the demo keeps to 20 (pass glmmReplicates for more).
  const nGlmm = options.glmmReplicates ?? Math.min(n, 20);
  const panel = await loadEnglandPanel({ years: [2013, 2018] });
  const out: string[] = ['## England, 2013-2018: the NAO-style split on published data', ''];
  out.push('NAO (2019), child-protection activity: local authority 44%, deprivation 15%, national 10%.', '');
  for (const outcome of OUTCOMES) {
    const c = compare(panel, `${outcome} ~ imd2019_avg_score + (1|la_code) + (1|year)`, {
      labels: LABELS,
      intervals: { n, seed: 1 },
    });
    out.push(c.format(), '');
  }
  out.push('### All five measures, components method', '');
  const many = decomposeMany(panel, {
    outcomes: OUTCOMES,
    rhs: 'imd2019_avg_score + (1|la_code) + (1|year)',
    labels: LABELS,
    intervals: { n, seed: 1 },
  });
  out.push(many.format(), '');
  out.push('### Extension 1: a region level above authorities (child-protection plan starts)', '');
  const region = compare(panel, 'cpp_start_rate ~ imd2019_avg_score + (1|region_name) + (1|la_code) + (1|year)', {
    labels: { ...LABELS, region_name: 'region' },
    intervals: { n, seed: 1 },
  });
  out.push(region.format(), '');
  out.push('### Extension 2: time-varying child poverty in place of IMD 2019 (2015-2018)', '');
  const poverty = await loadEnglandPanel({ years: [2015, 2018] });
  const cilif = compare(poverty, 'cpp_start_rate ~ cilif_rel_per100_0_17 + (1|la_code) + (1|year)', {
    labels: { ...LABELS, fixed: 'child poverty' },
    intervals: { n, seed: 1 },
  });
  out.push(cilif.format(), '');
  out.push('### Extension 3: the counts, a Poisson GLMM with the child population as offset (2013-2018)', '');
  // One level per row: an observation-level effect, i.e. overdispersion beyond the Poisson.
  const counts = panel.derive({ obs: () => op.row_number() });
  const formula =
    'cpp_start_n ~ imd2019_avg_score + offset(log(child_pop_0_17_dfe)) + (1|la_code) + (1|year) + (1|obs)';
  const poisson = fit(counts, formula, { family: 'poisson' });
  out.push(poisson.summary(), '');
  const latent = decompose(poisson, {
    labels: { ...LABELS, obs: 'overdispersion' },
    ...(nGlmm >= 2 ? { intervals: { n: nGlmm, seed: 1 } } : {}),
  });
  out.push(latent.format());
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  englandReplication().then((text) => console.log(text));
}
