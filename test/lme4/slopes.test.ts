/**
 * Agreement with lme4 for random slopes (scripts/reference/slopes.R, tight bobyqa).
 * Tolerances: criterion at fixed theta 1e-8 relative; at the optimum 1e-6; variances 3e-4;
 * correlations 1e-3; beta 1e-5; Johnson's per-factor parts 1e-6 (at lme4's covariance, the
 * formula itself) and 3e-4 (at vardecomp's own estimates).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/index.js';
import type { LmmFit } from '../../src/output/lmm-fit.js';

interface SlopeModel {
  formula: string;
  reml: boolean;
  theta: Record<string, number>;
  thetaNames: string[];
  criterion: number;
  beta: Record<string, number>;
  se: Record<string, number>;
  sigma: number;
  varcorr: Array<{ grp: string; var1: string | null; var2: string | null; vcov: number; sdcor: number }>;
  isSingular: boolean;
  ranef: Record<string, { levels: string[]; columns: Record<string, number[]> }>;
  johnson: Array<{ group: string; term: string; columns: string[]; total: number; parts: Array<{ names: [string, string]; value: number }> }>;
  devfun: Array<{ theta: number[]; value: number }>;
}

const dir = fileURLToPath(new URL('../fixtures/', import.meta.url));
const load = (name: string) => ({
  fixture: JSON.parse(readFileSync(`${dir}slopes-${name}.json`, 'utf8')) as { models: SlopeModel[]; lm?: Array<{ formula: string; r2: number }>; versions: Record<string, string> },
  table: aq.fromCSV(readFileSync(`${dir}slopes-${name}.csv`, 'utf8'), { parse: { Subject: String, la_code: String, year_f: String, g: String, h: String } }),
});

/** vardecomp's key for an lme4 theta name: scalar random intercepts are keyed by the group. */
function ourName(m: LmmFit, lme4Name: string): string {
  if (lme4Name in m.theta) return lme4Name;
  const g = lme4Name.replace(/\.\(Intercept\)$/u, '');
  if (g in m.theta) return g;
  throw new Error(`no theta for ${lme4Name} in ${Object.keys(m.theta).join(', ')}`);
}

function rel(got: number, want: number, tol: number, what: string, floor = 1e-8): void {
  const d = Math.abs(got - want) / Math.max(Math.abs(want), floor);
  if (!(d <= tol)) expect.fail(`${what}: got ${got}, lme4 ${want} (rel ${d.toExponential(2)} > ${tol})`);
}

const groupOf = (grp: string) => grp.replace(/\.[0-9]+$/u, '');

for (const name of ['sleepstudy', 'england', 'twoslope', 'singular', 'boundary']) {
  const { fixture, table } = load(name);
  for (const ref of fixture.models) {
    describe(`lme4 slopes: ${name} ${ref.formula} (${ref.reml ? 'REML' : 'ML'})`, () => {
      const m = fit(table, ref.formula, { reml: ref.reml });

      it('theta names are lme4\'s (scalar intercepts keyed by group)', () => {
        expect(ref.thetaNames.map((t) => ourName(m, t)).sort()).toEqual(Object.keys(m.theta).sort());
      });

      it('criterion at fixed theta (1e-8 relative)', () => {
        for (const at of ref.devfun) {
          const theta = Object.fromEntries(ref.thetaNames.map((t, k) => [ourName(m, t), at.theta[k]]));
          rel(m.objective(theta), at.value, 1e-8, `criterion at ${at.theta.join(', ')}`);
        }
      });

      it('criterion at the optimum (1e-6), theta, variances (3e-4), correlations (1e-3), singularity', () => {
        const got = ref.reml ? m.remlCriterion! : m.deviance!;
        rel(got, ref.criterion, 1e-6, 'criterion');
        expect(got).toBeLessThanOrEqual(ref.criterion + 1e-7 * Math.abs(ref.criterion));
        const scale = Math.max(...ref.varcorr.filter((v) => v.var2 === null).map((v) => v.vcov));
        for (const t of ref.thetaNames) rel(m.theta[ourName(m, t)], ref.theta[t], 3e-4, `theta ${t}`, 1e-3);
        for (const v of ref.varcorr) {
          if (v.grp === 'Residual') {
            rel(m.sigma, v.sdcor, 3e-4, 'sigma');
            continue;
          }
          const g = groupOf(v.grp);
          if (v.var2 === null) {
            const row = m.varcorr.find((r) => r.group === g && r.name === v.var1);
            expect(row, `${g} ${v.var1}`).toBeDefined();
            rel(row!.variance, v.vcov, 3e-4, `variance ${g} ${v.var1}`, 1e-3 * scale);
          } else {
            const c = m.correlations.find((r) => r.group === g && r.names[0] === v.var1 && r.names[1] === v.var2);
            expect(c, `${g} ${v.var1} ${v.var2}`).toBeDefined();
            expect(Math.abs(c!.correlation - v.sdcor)).toBeLessThan(1e-3);
          }
        }
        expect(m.isSingular).toBe(ref.isSingular);
      });

      it('fixed effects (1e-5) and standard errors', () => {
        for (const [b, v] of Object.entries(ref.beta)) rel(m.beta[b], v, 1e-5, `beta ${b}`, 1e-3 * ref.se[b]);
        for (const [b, v] of Object.entries(ref.se)) rel(m.se[b], v, 1e-4, `se ${b}`);
      });

      it('conditional modes, one field per column', () => {
        for (const [g, r] of Object.entries(ref.ranef)) {
          const cols = Object.keys(r.columns);
          const got = m.ranef<Record<string, number> | Record<string, Record<string, number>>>(g);
          for (const c of cols) {
            const byLevel = (cols.length === 1 ? got : (got as Record<string, Record<string, number>>)[c]) as Record<string, number>;
            const big = Math.max(...r.columns[c].map(Math.abs), 1e-6);
            r.levels.forEach((level, l) => rel(byLevel[level], r.columns[c][l], 2e-3, `ranef ${g} ${c} ${level}`, big));
          }
        }
      });
    });
  }
}

describe('slope fixtures record their versions', () => {
  it('lists R and lme4', () => {
    const { fixture } = load('sleepstudy');
    expect(fixture.versions.lme4).toMatch(/^1\.1/u);
  });
});
