import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';

const dir = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface FixtureFit {
  thetaOrder: string[];
  theta: Record<string, number>;
  sigma: number;
  varcorr: Array<{ group: string; variance: number; sd: number }>;
  beta: Record<string, number>;
  se: Record<string, number>;
  vcov: number[][];
  betaNames: string[];
  REMLcrit: number | null;
  deviance: number | null;
  logLik: number;
  AIC: number;
  BIC: number;
  df: number;
  nobs: number;
  ngroups: Record<string, number>;
  isSingular: boolean;
  criterionAt: Array<{ theta: Record<string, number>; value: number }>;
  ranef: Record<string, Record<string, number>>;
  fittedHead: number[];
  residualsHead: number[];
}

export interface Fixture {
  name: string;
  formula: string;
  data: string;
  weights: string | null;
  versions: Record<string, string>;
  nrowData: number;
  nobs: number;
  nDropped: number;
  reml: FixtureFit;
  ml: FixtureFit;
  decomposition: {
    components: {
      varFixed: number;
      varRandom: Record<string, number>;
      varResidual: number;
      shares: Record<string, number>;
      r2Marginal: number;
      r2Conditional: number;
    };
    groups: string[];
    subsetR2: Record<string, number>;
    sequential: { order: string[]; increments: Record<string, number>; residual: number };
    shapley: { values: Record<string, number>; residual: number };
    covariatesSequential?: Record<string, number>;
  };
}

/**
 * All random-intercept lme4 fixtures (make-fixtures.R), with their data as an arquero table.
 * Other feature's fixtures (slopes-*.json from slopes.R) have their own layout and loaders.
 */
export function loadFixtures(): Array<{ fixture: Fixture; table: aq.ColumnTable }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(dir + f, 'utf8')) as Fixture)
    .filter((fixture) => typeof fixture.data === 'string' && fixture.reml !== undefined)
    .map((fixture) => {
      const table = aq.fromCSV(readFileSync(dir + fixture.data, 'utf8'));
      return { fixture, table };
    });
}

/** |a - b| <= rel * max(|b|, floor). */
export function closeRel(a: number, b: number, rel: number, floor = 1e-8): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(b), floor);
}
