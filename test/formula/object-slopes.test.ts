/**
 * Random slopes in the formula object form: `{ group, slopes, intercept, correlated }` gives
 * exactly the ModelSpec (and so the fit) of the equivalent formula string, and bad shapes are
 * typed errors naming the key. The fits are also checked against lme4's criterion
 * (test/fixtures/slopes-sleepstudy.json, scripts/reference/slopes.R) at 1e-6.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import { describe, expect, it } from 'vitest';
import { fit, parseFormula, type FormulaObject } from '../../src/index.js';
import { errorOf as caught } from '../helpers/errors.js';

const PAIRS: Array<[FormulaObject, string]> = [
  [{ outcome: 'y', covariates: ['t'], groups: ['year', { group: 'la_code', slopes: ['t'] }] }, 'y ~ t + (1 | year) + (1 + t | la_code)'],
  [{ outcome: 'y', groups: [{ group: 'la_code', slopes: ['t'], intercept: true, correlated: true }] }, 'y ~ (t | la_code)'],
  [{ outcome: 'y', groups: [{ group: 'la_code', slopes: ['t'], intercept: false }] }, 'y ~ (0 + t | la_code)'],
  [{ outcome: 'y', groups: [{ group: 'la_code', slopes: ['t'], correlated: false }] }, 'y ~ (t || la_code)'],
  [{ outcome: 'y', groups: [{ group: 'g', slopes: ['x1', 'x2'], correlated: false, intercept: false }] }, 'y ~ (0 + x1 + x2 || g)'],
  [{ outcome: 'y', groups: [{ group: 'g', slopes: [' x1 ', 'x2'] }] }, 'y ~ (1 + x1 + x2 | g)'],
  [{ outcome: 'y', groups: [{ group: 'a:b', slopes: ['x'] }, 'a'] }, 'y ~ (x | a:b) + (1 | a)'],
  [{ outcome: 'y', groups: [{ group: 'g' }] }, 'y ~ (1 | g)'],
  [{ outcome: 'y', groups: [{ group: 'g', slopes: [] }] }, 'y ~ (1 | g)'],
  [{ outcome: 'y', groups: ['g', { group: 'g', slopes: ['x'], intercept: false }] }, 'y ~ (1 | g) + (0 + x | g)'],
  [{ outcome: 'y', groups: [{ group: 'g', slopes: ['cpp rate'] }] }, 'y ~ (`cpp rate` | g)'],
  [{ outcome: 'y', intercept: false, covariates: ['x'], groups: [{ group: 'g', slopes: ['x'], intercept: false }] }, 'y ~ 0 + x + (0 + x | g)'],
];

describe('formula object: random slopes', () => {
  it.each(PAIRS)('%j is the ModelSpec of %s', (object, text) => {
    const spec = parseFormula(object);
    expect(spec).toEqual(parseFormula(text));
    expect(spec.random.every((r) => r.columns.length > 0)).toBe(true);
  });

  it('spells the correlated term with its columns in order', () => {
    expect(parseFormula({ outcome: 'y', groups: [{ group: 'g', slopes: ['b', 'a'] }] }).random).toEqual([
      { group: 'g', variables: ['g'], columns: ['(Intercept)', 'b', 'a'] },
    ]);
  });

  it.each([
    [{ outcome: 'y', groups: [{ slopes: ['t'] }] }, 'E_OPTION', /groups\[0\] has no "group"/],
    [{ outcome: 'y', groups: [{ group: 3 }] }, 'E_OPTION', /groups\[0\]\.group must be a string/],
    [{ outcome: 'y', groups: [{ group: 'g:' }] }, 'E_OPTION', /groups\[0\]\.group "g:" has an empty column name/],
    [{ outcome: 'y', groups: [{ group: 'y', slopes: ['t'] }] }, 'E_OPTION', /groups\[0\]\.group "y" uses the outcome/],
    [{ outcome: 'y', groups: [{ group: 'g', slope: ['t'] }] }, 'E_OPTION', /groups\[0\] has an unknown key "slope"/],
    [{ outcome: 'y', groups: [{ group: 'g', slopes: 't' }] }, 'E_OPTION', /groups\[0\]\.slopes must be an array/],
    [{ outcome: 'y', groups: [{ group: 'g', slopes: [1] }] }, 'E_OPTION', /groups\[0\]\.slopes\[0\] must be a non-empty column name, got number/],
    [{ outcome: 'y', groups: ['g', { group: 'h', slopes: ['t', ' '] }] }, 'E_OPTION', /groups\[1\]\.slopes\[1\] must be a non-empty column name/],
    [{ outcome: 'y', groups: [{ group: 'g', slopes: ['y'] }] }, 'E_OPTION', /groups\[0\]\.slopes\[0\] "y" is the outcome/],
    [{ outcome: 'y', groups: [{ group: 'g', slopes: ['(Intercept)'] }] }, 'E_OPTION', /groups\[0\]\.intercept/],
    [{ outcome: 'y', groups: [{ group: 'g', slopes: ['t', 't'] }] }, 'E_OPTION', /groups\[0\]\.slopes\[1\] "t" repeats/],
    [{ outcome: 'y', groups: [{ group: 'g', intercept: 'no' }] }, 'E_OPTION', /groups\[0\]\.intercept must be a boolean, got string/],
    [{ outcome: 'y', groups: [{ group: 'g', correlated: 0 }] }, 'E_OPTION', /groups\[0\]\.correlated must be a boolean, got number/],
    [{ outcome: 'y', groups: ['g', { group: 'g', slopes: ['t'] }] }, 'E_OPTION', /groups\[1\] repeats an earlier group: the random intercept \(1 \| g\)/],
    [{ outcome: 'y', groups: [{ group: 'a:b', slopes: ['t'] }, { group: 'b:a', slopes: ['t'], intercept: false }] }, 'E_OPTION', /groups\[1\] repeats an earlier group: the slope "t"/],
    [{ outcome: 'y', groups: [{ group: 'g', slopes: [], intercept: false }] }, 'E_FORMULA', /groups\[0\] \(group "g"\) has no effects/],
    [{ outcome: 'y', groups: [{ group: 'g', slopes: ['a:b'] }] }, 'E_UNSUPPORTED', /groups\[0\]\.slopes\[0\] "a:b": random slopes on interactions/],
  ])('rejects %j with %s naming the key', (input, code, message) => {
    const e = caught(() => parseFormula(input as never));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.detail?.option).toBe('groups');
  });

  it('does not mutate the object', () => {
    const object = { outcome: 'y', groups: [{ group: 'g', slopes: ['t'], correlated: false }] } as const;
    const copy = JSON.parse(JSON.stringify(object));
    parseFormula(object);
    expect(object).toEqual(copy);
  });
});

describe('formula object: random slopes fit as the formula string does (sleepstudy)', () => {
  const dir = fileURLToPath(new URL('../fixtures/', import.meta.url));
  const fixture = JSON.parse(readFileSync(`${dir}slopes-sleepstudy.json`, 'utf8')) as {
    models: Array<{ formula: string; reml: boolean; criterion: number }>;
  };
  const table = aq.fromCSV(readFileSync(`${dir}slopes-sleepstudy.csv`, 'utf8'), { parse: { Subject: String } });
  const OBJECTS: Record<string, FormulaObject> = {
    'Reaction ~ Days + (Days | Subject)': { outcome: 'Reaction', covariates: ['Days'], groups: [{ group: 'Subject', slopes: ['Days'] }] },
    'Reaction ~ Days + (Days || Subject)': {
      outcome: 'Reaction',
      covariates: ['Days'],
      groups: [{ group: 'Subject', slopes: ['Days'], correlated: false }],
    },
    'Reaction ~ Days + (0 + Days | Subject)': {
      outcome: 'Reaction',
      covariates: ['Days'],
      groups: [{ group: 'Subject', slopes: ['Days'], intercept: false }],
    },
  };
  const models = fixture.models.filter((m) => m.formula in OBJECTS);

  it('covers the three slope models of the fixture', () => {
    expect(new Set(models.map((m) => m.formula)).size).toBe(3);
  });

  for (const ref of models) {
    it(`${ref.formula} (${ref.reml ? 'REML' : 'ML'}): same fit, and lme4's criterion (1e-6)`, () => {
      const a = fit(table, OBJECTS[ref.formula], { reml: ref.reml });
      const b = fit(table, ref.formula, { reml: ref.reml });
      expect(a.formula).toBe(b.formula);
      expect(a.theta).toEqual(b.theta);
      expect(a.beta).toEqual(b.beta);
      expect(a.varcorr).toEqual(b.varcorr);
      expect(a.correlations).toEqual(b.correlations);
      expect(a.ranef('Subject')).toEqual(b.ranef('Subject'));
      const got = ref.reml ? a.remlCriterion! : a.deviance!;
      expect(Math.abs(got - ref.criterion) / ref.criterion).toBeLessThan(1e-6);
    });
  }
});
