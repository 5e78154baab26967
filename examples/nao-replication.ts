/**
 * The NAO's 44 / 15 / 10 reproduced on a calibrated synthetic panel, by all three methods.
 *
 * Run: npx tsx examples/nao-replication.ts
 *
 * The National Audit Office (2019) attributed 44% of the variation in child-protection activity
 * across ~150 English local authorities over time to local-authority characteristics, 15% to
 * deprivation and 10% to national changes, without saying how. `naoPanel({ exact: true })`
 * builds a 150 x 8 panel whose mixed-model variance components are exactly that split; the
 * same panel is then run through the two other readings of the NAO's words.
 */
import { pathToFileURL } from 'node:url';
import { compare, naoPanel } from '../src/index.js';

/** Run the NAO reproduction and return the printed text. */
export function naoReplication(options: { replicates?: number; seed?: number } = {}): string {
  const panel = naoPanel({ seed: options.seed ?? 2019, exact: true });
  const c = compare(panel, 'rate ~ deprivation + (1|la) + (1|year)', {
    labels: { la: 'local authority', year: 'national', fixed: 'deprivation' },
    intervals: { n: options.replicates ?? 1000, seed: 1 },
  });
  const lines = [
    '## The NAO split, reproduced on a calibrated panel (150 authorities x 8 years)',
    '',
    'NAO (2019): local authority 44%, deprivation 15%, national 10%, unexplained 31%.',
    '',
    c.format(),
    '',
    'Why the methods differ on the same data:',
    '- components: variance parts of the REML mixed model over their sum (Nakagawa & Schielzeth); it recovers 44/15/10/31 because that is how the panel was built.',
    '- sequential: R^2 gained as deprivation, then authority, then year dummies enter; the year share shrinks by about (T-1)/T and the authority share absorbs about residual/T of noise.',
    '- shapley: R^2 gains averaged over entry orders; deprivation is constant within an authority, so authority dummies can always take its place and it keeps about half its own R^2.',
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(naoReplication());
}
