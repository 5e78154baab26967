/**
 * Decomposition of random-slope models: Johnson's Tr(Z Sigma Z')/n per factor against R (the
 * definition evaluated in scripts/reference/slopes.R: insight drops a random slope whose variable
 * is not a fixed effect, so R's reference is computed from the definition), its invariance to
 * shifting the slope's variable, the term-group R^2 against R's lm() on factor(g) + factor(g):x,
 * and bootstrap intervals.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import { describe, expect, it } from 'vitest';
import { decompose, fit } from '../../src/index.js';
import { randomGroupVariances } from '../../src/decompose/random-parts.js';
import { r2Game } from '../../src/decompose/r2-shares.js';

const dir = fileURLToPath(new URL('../fixtures/', import.meta.url));
const load = (name: string) => ({
  fixture: JSON.parse(readFileSync(`${dir}slopes-${name}.json`, 'utf8')),
  table: aq.fromCSV(readFileSync(`${dir}slopes-${name}.csv`, 'utf8'), { parse: { Subject: String, la_code: String, year_f: String, g: String, h: String } }),
});

interface JohnsonRef {
  group: string;
  total: number;
  parts: Array<{ names: [string, string]; value: number }>;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe("components: Johnson's variance of each grouping factor, against R", () => {
  for (const name of ['sleepstudy', 'england', 'twoslope', 'singular', 'boundary']) {
    const { fixture, table } = load(name);
    for (const ref of fixture.models) {
      it(`${name} ${ref.formula} (${ref.reml ? 'REML' : 'ML'}): at lme4's covariance to 1e-6, at vardecomp's estimate to 3e-4`, () => {
        const m = fit(table, ref.formula, { reml: ref.reml });
        const prepared = m.prepared;
        // lme4's theta (its names) in vardecomp's formula order
        const ours = (t: string) => (t in m.theta ? t : t.replace(/\.\(Intercept\)$/u, ''));
        const byName = Object.fromEntries((ref.thetaNames as string[]).map((t) => [ours(t), ref.theta[t]]));
        const thetaR = prepared.terms.thetaNames.map((nm) => byName[nm]);
        const atR = randomGroupVariances(prepared, thetaR, ref.sigma);
        const atOurs = randomGroupVariances(prepared, prepared.terms.thetaNames.map((nm) => m.theta[nm]), m.sigma);
        const johnson = ref.johnson as JohnsonRef[];
        atR.keys.forEach((key, k) => {
          const want = johnson.filter((j) => j.group === key).reduce((s, j) => s + j.total, 0);
          expect(rel(atR.variances[k], want)).toBeLessThan(1e-6);
          expect(rel(atOurs.variances[k], want)).toBeLessThan(3e-4);
        });
        for (const j of johnson) {
          for (const part of j.parts) {
            const got = atR.parts.find((p) => p.key === j.group && p.names[0] === part.names[0] && p.names[1] === part.names[1]);
            expect(got, `${j.group} ${part.names.join(',')}`).toBeDefined();
            expect(Math.abs(got!.variance - part.value)).toBeLessThan(1e-6 * Math.max(1, j.total));
          }
        }
      });
    }
  }

  it('decompose lists the intercept, slope and covariance parts, adding to the factor', () => {
    const { table } = load('sleepstudy');
    const d = decompose(fit(table, 'Reaction ~ Days + (Days | Subject)'), { method: 'components' });
    const parts = d.toJSON().randomParts!;
    expect(parts.map((p) => p.names.join('/'))).toEqual(['(Intercept)/(Intercept)', '(Intercept)/Days', 'Days/Days']);
    const subject = d.toJSON().components.find((c) => c.key === 'Subject')!;
    const sum = parts.reduce((s, p) => s + p.variance, 0);
    expect(rel(sum, subject.variance!)).toBeLessThan(1e-12);
    expect(Object.values(d.shares).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});

describe('shifting the slope variable', () => {
  const { table } = load('sleepstudy');
  const shifted = table.derive({ Days: (r: { Days: number }) => r.Days + 5 });
  const a = decompose(fit(table, 'Reaction ~ Days + (Days | Subject)'), { method: 'components' }).toJSON();
  const b = decompose(fit(shifted, 'Reaction ~ Days + (Days | Subject)'), { method: 'components' }).toJSON();
  it("leaves the factor's total part unchanged (the model is the same reparametrised)", () => {
    const va = a.components.find((c) => c.key === 'Subject')!.variance!;
    const vb = b.components.find((c) => c.key === 'Subject')!.variance!;
    expect(rel(vb, va)).toBeLessThan(1e-6);
    expect(rel(b.shares.residual, a.shares.residual)).toBeLessThan(1e-6);
  });
  it('but moves variance between the intercept and the covariance parts', () => {
    const part = (d: typeof a, names: string) => d.randomParts!.find((p) => p.names.join('/') === names)!.variance;
    expect(rel(part(b, '(Intercept)/(Intercept)'), part(a, '(Intercept)/(Intercept)'))).toBeGreaterThan(0.1);
    expect(rel(part(b, 'Days/Days'), part(a, 'Days/Days'))).toBeGreaterThan(0.1);
  });
});

describe("sequential and Shapley: a factor with slopes is one term group, as R's lm() on factor(g) + factor(g):x", () => {
  const { fixture, table } = load('sleepstudy');
  const lmR2 = Object.fromEntries((fixture.lm as Array<{ formula: string; r2: number }>).map((l) => [l.formula, l.r2]));
  for (const formula of ['Reaction ~ Days + (Days | Subject)', 'Reaction ~ Days + (Days || Subject)', 'Reaction ~ Days + (0 + Days | Subject) + (1 | Subject)']) {
    it(formula, () => {
      const m = fit(table, formula);
      const game = r2Game(m.prepared, m.prepared.cp);
      expect(game.keys).toEqual(['fixed', 'Subject']);
      expect(Math.abs(game.value(1, 0) - lmR2['Reaction ~ factor(Subject) + factor(Subject):Days'])).toBeLessThan(1e-10);
      expect(Math.abs(game.value(0, 1) - lmR2['Reaction ~ Days'])).toBeLessThan(1e-10);
      expect(Math.abs(game.full - lmR2['Reaction ~ Days + factor(Subject) + factor(Subject):Days'])).toBeLessThan(1e-10);
      const seq = decompose(m, { method: 'sequential', order: ['Subject', 'fixed'] });
      expect(Math.abs(seq.shares.Subject - lmR2['Reaction ~ factor(Subject) + factor(Subject):Days'])).toBeLessThan(1e-10);
      const sh = decompose(m, { method: 'shapley' });
      expect(sh.shares.fixed + sh.shares.Subject).toBeCloseTo(game.full, 12);
    });
  }
});

describe('bootstrap intervals for slope models', () => {
  it('draws each level\'s effects from N(0, sigma^2 Lambda Lambda\') and refits: finite intervals around the estimate', () => {
    const { table } = load('sleepstudy');
    const d = decompose(fit(table, 'Reaction ~ Days + (Days | Subject)'), { method: 'components', intervals: { n: 40, seed: 3 } }).toJSON();
    expect(d.intervals!.succeeded).toBeGreaterThanOrEqual(38);
    const subject = d.components.find((c) => c.key === 'Subject')!;
    expect(subject.lower!).toBeLessThan(subject.share);
    expect(subject.upper!).toBeGreaterThan(subject.share);
    expect(subject.lower!).toBeGreaterThan(0.1);
  });
});
