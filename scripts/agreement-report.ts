/**
 * Prints the measured agreement with lme4 on every reference fixture: the largest relative
 * differences of the criterion at fixed theta, at the optimum, theta, variances, beta and se.
 * Run: npx tsx scripts/agreement-report.ts
 */
import { fit } from '../src/index.js';
import { loadFixtures } from '../test/helpers/fixtures.js';

const rel = (a: number, b: number, floor = 1e-8) => Math.abs(a - b) / Math.max(Math.abs(b), floor);
const rows: string[] = ['fixture | fit | crit@theta | crit@opt | theta | variances | beta | se | evals'];
for (const { fixture, table } of loadFixtures()) {
  for (const kind of ['reml', 'ml'] as const) {
    const ref = fixture[kind];
    const t0 = performance.now();
    const m = fit(table, fixture.formula, { reml: kind === 'reml', ...(fixture.weights ? { weights: fixture.weights } : {}) });
    void t0;
    const critAt = Math.max(...ref.criterionAt.map((c) => rel(m.objective(c.theta), c.value)));
    const opt = rel(kind === 'reml' ? m.remlCriterion! : m.deviance!, kind === 'reml' ? ref.REMLcrit! : ref.deviance!);
    const th = Math.max(...ref.thetaOrder.map((g) => rel(m.theta[g], ref.theta[g], 1e-3)));
    const scale = Math.max(...ref.varcorr.map((v) => v.variance));
    const va = Math.max(...ref.varcorr.map((v) => rel(m.varcorr.find((r) => r.group === v.group)!.variance, v.variance, 1e-3 * scale)));
    const seMax = Math.max(...ref.betaNames.map((b) => Math.abs(ref.se[b])));
    const be = Math.max(...ref.betaNames.map((b) => rel(m.beta[b], ref.beta[b], 1e-3 * seMax)));
    const se = Math.max(...ref.betaNames.map((b) => rel(m.se[b], ref.se[b])));
    rows.push([fixture.name, kind, critAt, opt, th, va, be, se].map((v) => (typeof v === 'number' ? v.toExponential(1) : v)).join(' | ') + ` | ${m.optimizer.evaluations}`);
  }
}
console.log(rows.join('\n'));
