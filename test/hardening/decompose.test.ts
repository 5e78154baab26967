/**
 * The decomposition entry points (decompose, compare, decomposeMany) share fit's input
 * hardening: the same typed errors, object-key names as ordinary names, inputs left unmutated.
 */
import { describe, expect, it } from 'vitest';
import { compare, decompose, decomposeMany, fit, VardecompError } from '../../src/index.js';
import { deepFreeze, expectError, panelRows, snapshot, toColumns } from './helpers.js';

const rows = panelRows({ units: 12, periods: 5, seed: 17 });
const F = 'y ~ x + (1 | unit) + (1 | period)';
const withRow = (i: number, patch: Record<string, unknown>) => rows.map((r, k) => (k === i ? { ...r, ...patch } : r));

function codeOf(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof VardecompError) return e.code;
    throw e;
  }
}

const BAD: Array<[string, unknown, unknown, Record<string, unknown>]> = [
  ['unknown column', rows, 'y ~ nope + (1 | unit)', {}],
  ['text in the outcome', withRow(3, { y: 'high' }), F, {}],
  ['covariate mixing numbers and text', withRow(4, { x: 'n/a' }), F, {}],
  ['constant outcome', rows.map((r) => ({ ...r, y: 1 })), F, {}],
  ['one level', rows.map((r) => ({ ...r, unit: 'u' })), 'y ~ x + (1 | unit)', {}],
  ['column entirely missing', rows.map((r) => ({ ...r, x: null })), F, {}],
  ['bad weight', rows, F, { weights: rows.map((_, i) => (i === 2 ? -1 : 1)) }],
  ['malformed formula', rows, 'y ~ x + (1 | unit', {}],
  ['random slope on a categorical column', rows, 'y ~ x + (region | period)', {}],
  ['option of the wrong type', rows, F, { reml: 'yes' }],
  ['control out of range', rows, F, { control: { maxEvaluations: -1 } }],
  ['data that is not a table', 42, F, {}],
  ['unequal columns', { ...toColumns(rows), x: [1, 2] }, F, {}],
];

describe('decompose and compare throw what fit throws', () => {
  it.each(BAD)('%s', (_label, data, formula, options) => {
    const expected = codeOf(() => fit(data as never, formula as never, options as never));
    expect(expected).toMatch(/^E_/);
    expect(codeOf(() => decompose(data as never, formula as never, options as never))).toBe(expected);
    expect(codeOf(() => compare(data as never, formula as never, options as never))).toBe(expected);
  });

  it('decomposeMany as well, for the first outcome', () => {
    for (const [, data, formula, options] of BAD) {
      if (typeof formula !== 'string') continue;
      const expected = codeOf(() => fit(data as never, formula, options as never));
      const [lhs, rhs] = formula.split('~');
      if (rhs === undefined) continue;
      expect(codeOf(() => decomposeMany(data as never, { ...options, outcomes: [lhs.trim()], rhs } as never))).toBe(expected);
    }
  });

  it('options of the decomposition itself', () => {
    expectError(() => decompose(rows, F, { method: 'anova' } as never), 'E_OPTION');
    expectError(() => decompose(rows, F, { methods: 'shapley' } as never), 'E_OPTION');
    expectError(() => compare(rows, F, { intervals: 'yes' } as never), 'E_OPTION');
    expectError(() => decomposeMany(rows, { outcomes: [], rhs: 'x + (1 | unit)' }), 'E_OPTION');
  });
});

describe('object-key names in decompositions', () => {
  it('__proto__ / constructor / toString as outcome, covariate and group', () => {
    const json = JSON.parse(
      JSON.stringify(rows).replace(/"y":/g, '"__proto__":').replace(/"x":/g, '"constructor":').replace(/"unit":/g, '"toString":'),
    );
    const formula = '__proto__ ~ constructor + (1 | toString) + (1 | period)';
    const plain = decompose(rows, F);
    const d = decompose(json, formula);
    expect(Object.keys(d.shares)).toEqual(['fixed', 'toString', 'period', 'residual']);
    expect(Object.hasOwn(d.shares, 'toString')).toBe(true);
    expect(Object.hasOwn(d.covariates, 'constructor')).toBe(true);
    expect(d.shares.toString).toBeCloseTo(plain.shares.unit, 10);
    expect(compare(json, formula).rows.map((r) => r.key)).toEqual(['fixed', 'toString', 'period', 'residual']);
    const many = decomposeMany(json, { outcomes: ['__proto__'], rhs: 'constructor + (1 | toString) + (1 | period)' });
    expect(JSON.parse(JSON.stringify(many)).outcomes).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});

describe('decompositions never mutate their inputs', () => {
  it('rows, columns and options are left as they were', () => {
    const data = deepFreeze(structuredClone(rows.map((r, i) => ({ ...r, y2: i % 7 === 0 ? null : Math.cos(i) + r.period / 1000 }))));
    const cols = deepFreeze(toColumns(structuredClone(data)));
    const options = deepFreeze({ reml: false, method: 'shapley' as const, intervals: { n: 5, seed: 3 } });
    const before = [data, cols, options].map(snapshot);
    decompose(data, F, options);
    decompose(cols, F, options);
    compare(data, F, { intervals: { n: 5, seed: 3 } });
    decomposeMany(cols, { outcomes: ['y', 'y2'], rhs: 'x + (1 | unit) + (1 | period)', method: 'sequential' });
    expect([data, cols, options].map(snapshot)).toEqual(before);
  });
});

describe('decomposeMany: another outcome on the shared design', () => {
  // The shared-design path runs the same outcome checks as a fresh preparation.
  const cases: Array<[string, (r: (typeof rows)[number], i: number) => unknown, string]> = [
    ['a BigInt cell', (r, i) => (i === 3 ? 5n : r.y), 'E_NONNUMERIC'],
    ['values beyond the supported magnitude', (r) => (r.y as number) * 1e300, 'E_NONNUMERIC'],
    ['an outcome fitted exactly by the covariate', (r) => 2 + 3 * (r.x as number), 'E_CONSTANT'],
    ['an outcome constant within units', (r) => Number(r.unit.slice(1)) * 0.7, 'E_CONSTANT'],
  ];
  it.each(cases)('%s', (_label, f, code) => {
    const data = rows.map((r, i) => ({ ...r, y2: f(r, i) }));
    expectError(() => decomposeMany(data, { outcomes: ['y', 'y2'], rhs: 'x + (1 | unit)' }), code as never);
  });
});
