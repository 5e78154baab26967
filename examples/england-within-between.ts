/**
 * Within and between: how much of the covariates' share is the difference between authorities
 * in child poverty, and how much its change over time within an authority?
 *
 * Run: npx tsx examples/england-within-between.ts
 *
 * English local authorities, 2015-2018 (the years the child-poverty measure covers). The
 * time-varying measure `cilif_rel_per100_0_17` (children in relative low-income families per 100)
 * is split by the formula functions `between(x, la_code)` (the authority's mean over the model
 * rows) and `within(x, la_code)` (each year's deviation from it), beside the time-invariant IMD
 * 2019 score. The components method splits the fixed share into one part per term, keyed by the
 * term as written. The same fit in R is `lmer` on precomputed columns
 * (scripts/reference/within-between.R), which it matches to 1e-6.
 *
 * Contains public sector information licensed under the Open Government Licence v3.0.
 */
import { pathToFileURL } from 'node:url';
import { decompose, fit } from '../src/index.js';
import { loadEnglandPanel } from '../src/data/index.js';

/** The formula of the example. */
export const WITHIN_BETWEEN_FORMULA =
  'cpp_start_rate ~ between(cilif_rel_per100_0_17, la_code) + within(cilif_rel_per100_0_17, la_code) + ' +
  'imd2019_avg_score + (1 | la_code) + (1 | year)';

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** Run the example and return the printed text. */
export async function englandWithinBetween(): Promise<string> {
  const panel = await loadEnglandPanel({ years: [2015, 2018] });
  const m = fit(panel, WITHIN_BETWEEN_FORMULA);
  const d = decompose(panel, WITHIN_BETWEEN_FORMULA).toJSON();
  const out: string[] = ['## Child poverty between and within authorities (England, 2015-2018)', ''];
  out.push(m.summary(), '');
  out.push('### Components: the fixed share split by term', '');
  const rows: Array<[string, number]> = [
    ...Object.entries(d.covariates),
    ...Object.entries(d.shares).filter(([k]) => k !== 'fixed'),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) out.push(`${k.padEnd(width)}  ${pct(v).padStart(6)}`);
  out.push('', `fixed (all three terms)`.padEnd(width) + `  ${pct(d.shares.fixed).padStart(6)}`);
  const b = d.covariates['between(cilif_rel_per100_0_17, la_code)'];
  const w = d.covariates['within(cilif_rel_per100_0_17, la_code)'];
  out.push(
    '',
    `Child poverty explains ${pct(b + w)} of the variance beside IMD 2019 (${pct(d.covariates.imd2019_avg_score)}): ` +
      `${pct(b)} from differences between authorities and ${pct(w)} from changes within an authority over the years.`,
    'Each part is the variance of that term\'s contribution to the prediction, rescaled so that the parts add up',
    'to the fixed share: the covariance between correlated terms (the between-authority mean of child poverty',
    'and IMD 2019) is shared out in proportion, not attributed to either.',
  );
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  englandWithinBetween().then((text) => console.log(text));
}
