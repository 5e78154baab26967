import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import { fit, type GlmmFitOptions } from '../../src/index.js';
import type { GlmmFit } from '../../src/output/glmm-fit.js';

const dir = fileURLToPath(new URL('../fixtures/glmm/', import.meta.url));

/** A glmer reference fixture written by scripts/reference/glmm.R. */
export interface GlmmFixture {
  name: string;
  formula: string;
  family: 'poisson' | 'binomial';
  data: string;
  offset: string | null;
  obsGroup: string | null;
  versions: Record<string, string>;
  control: string;
  nobs: number;
  ngroups: Record<string, number>;
  thetaNames: string[];
  theta: number[];
  betaNames: string[];
  beta: Record<string, number>;
  se: Record<string, number>;
  logLik: number;
  devianceR: number;
  minus2logLik: number;
  AIC: number;
  BIC: number;
  df: number;
  isSingular: boolean;
  devfunAtOptimum: number;
  laplaceAt: Array<{ theta: number[]; beta: number[]; value: number }>;
  ranef: Record<string, Record<string, number>>;
  fittedResponse: number[];
  fittedLink: number[];
  optimum: { theta: number[]; beta: number[]; deviance: number; glmerDeviance: number; improvement: number; vcov: number[][]; se: number[] };
  latent: {
    varFixed: number;
    random: Record<string, number>;
    distribution: Record<'lognormal' | 'delta' | 'trigamma', number>;
    null?: { intercept: number; theta: number[]; sigma2: number; lambda: number; logLik: number };
    shares: Record<'lognormal' | 'delta' | 'trigamma', Record<string, number>>;
  };
}

const arr = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v]);

/** Load one GLMM fixture and its data (scalars that jsonlite unboxed are made arrays again). */
export function loadGlmmFixture(name: string): { fixture: GlmmFixture; table: aq.ColumnTable } {
  const fixture = JSON.parse(readFileSync(dir + name + '.json', 'utf8')) as GlmmFixture;
  fixture.theta = arr(fixture.theta);
  fixture.thetaNames = arr(fixture.thetaNames as unknown as number[]) as unknown as string[];
  fixture.optimum.theta = arr(fixture.optimum.theta);
  fixture.optimum.beta = arr(fixture.optimum.beta);
  fixture.optimum.se = arr(fixture.optimum.se);
  for (const pt of fixture.laplaceAt) {
    pt.theta = arr(pt.theta);
    pt.beta = arr(pt.beta);
  }
  if (fixture.latent.null) fixture.latent.null.theta = arr(fixture.latent.null.theta);
  const table = aq.fromCSV(readFileSync(dir + fixture.data, 'utf8'));
  return { fixture, table };
}

/** The group of an lme4 theta name such as `herd.(Intercept)`. */
export const thetaGroup = (name: string): string => name.replace(/\.\(Intercept\)$/, '');

const OFFSET_TERM = / \+ offset\(log\(child_pop_0_17_dfe\)\)/;

/**
 * Fit a fixture's model with glmer's formula (the England offset as `offset(log(...))`), or with
 * the offset given as the `offset` option (`offsetAs: 'option'`).
 */
export function fitFixture(name: string, offsetAs: 'formula' | 'option' = 'formula'): { fixture: GlmmFixture; m: GlmmFit } {
  const { fixture, table } = loadGlmmFixture(name);
  const options: GlmmFitOptions = { family: fixture.family };
  let formula = fixture.formula;
  if (fixture.offset && offsetAs === 'option') {
    options.offset = Array.from(table.array(fixture.offset) as ArrayLike<number>, Math.log);
    formula = formula.replace(OFFSET_TERM, '');
  }
  const m = fit(table, formula, options);
  return { fixture, m };
}
