/**
 * Every bad input gets a VardecompError with a stable code and a message naming the column,
 * level, option or formula position at fault.
 */
import { describe, expect, it } from 'vitest';
import * as aq from 'arquero';
import { fit, VardecompError } from '../../src/index.js';
import { expectError, panelRows, toColumns } from './helpers.js';

const rows = panelRows({ units: 10, periods: 4, seed: 11 });
const F = 'y ~ x + (1 | unit)';
const withRow = (i: number, patch: Record<string, unknown>) => rows.map((r, k) => (k === i ? { ...r, ...patch } : r));

describe('E_COLUMN: a column the model needs is missing', () => {
  it.each([
    ['outcome', 'yy ~ x + (1 | unit)', 'yy'],
    ['covariate', 'y ~ z + (1 | unit)', 'z'],
    ['interaction part', 'y ~ x:w + (1 | unit)', 'w'],
    ['group', 'y ~ x + (1 | school)', 'school'],
    ['nested group', 'y ~ x + (1 | region/zone)', 'zone'],
  ])('%s', (_label, formula, column) => {
    for (const data of [rows, toColumns(rows), aq.from(rows)]) {
      const e = expectError(() => fit(data, formula), 'E_COLUMN');
      expect(e.message).toContain(`"${column}"`);
      expect(e.detail?.column).toBe(column);
      expect(e.message).toContain('"unit"'); // lists the available columns
    }
  });

  it('weights column', () => {
    const e = expectError(() => fit(rows, F, { weights: 'wt' }), 'E_COLUMN');
    expect(e.message).toContain('"wt"');
  });
});

describe('E_NONNUMERIC', () => {
  it.each([
    ['text', 'abc'],
    ['a boolean', true],
    ['an object', { v: 1 }],
    ['a Date', new Date(0)],
    ['a bigint', 3n],
  ])('outcome holding %s (not missing) names the column and row', (_label, value) => {
    const e = expectError(() => fit(withRow(7, { y: value }), F), 'E_NONNUMERIC');
    expect(e.message).toContain('"y"');
    expect(e.message).toContain('row 7');
    expect(e.detail).toMatchObject({ column: 'y', row: 7 });
  });

  it('missing-like outcome cells are dropped, not errors', () => {
    for (const v of [null, undefined, NaN, Infinity, -Infinity, '', '   ']) {
      const m = fit(withRow(3, { y: v }), F);
      expect(m.nobs).toBe(rows.length - 1);
      expect(m.nDropped).toBe(1);
    }
  });

  it('a covariate mixing numbers and text names both rows', () => {
    const e = expectError(() => fit(withRow(5, { x: 'high' }), F), 'E_NONNUMERIC');
    expect(e.message).toContain('"x"');
    expect(e.message).toMatch(/mixes numbers \(row \d+: .*\) and text \(row 5: "high"\)/);
    expect(e.detail?.column).toBe('x');
  });

  it('a covariate holding an object', () => {
    const e = expectError(() => fit(withRow(2, { x: [1, 2] }), F), 'E_NONNUMERIC');
    expect(e.message).toContain('"x" row 2');
  });

  it('a grouping column holding an object', () => {
    const e = expectError(() => fit(withRow(4, { unit: { id: 1 } }), F), 'E_NONNUMERIC');
    expect(e.message).toContain('"unit" row 4');
  });

  it('values beyond the supported magnitude (their squares would overflow)', () => {
    let e = expectError(() => fit(withRow(6, { y: 1e300 }), F), 'E_NONNUMERIC');
    expect(e.message).toContain('"y" row 6');
    e = expectError(() => fit(withRow(8, { x: -1e200 }), F), 'E_NONNUMERIC');
    expect(e.message).toContain('"x" row 8');
  });
});

describe('E_CONSTANT', () => {
  it('outcome constant after dropping incomplete rows', () => {
    // y varies only on rows where x is missing.
    const data = rows.map((r, i) => (i < 5 ? { ...r, x: null } : { ...r, y: 3 }));
    const e = expectError(() => fit(data, F), 'E_CONSTANT');
    expect(e.message).toContain('"y"');
    expect(e.message).toContain(`${rows.length - 5} usable rows`);
  });

  it('outcome fitted exactly by the covariates (no residual variation)', () => {
    const e = expectError(() => fit(rows.map((r) => ({ ...r, y: 2 - 3 * (r.x as number) })), F), 'E_CONSTANT');
    expect(e.message).toContain('"y"');
    expect(e.message).toContain('fitted exactly');
  });

  it('outcome fitted exactly by the grouping factors (no variation within units)', () => {
    const means = new Map<string, number>();
    const data = rows.map((r) => {
      if (!means.has(r.unit)) means.set(r.unit, means.size * 0.7 - 2);
      return { ...r, y: means.get(r.unit)! };
    });
    for (const formula of ['y ~ (1 | unit)', 'y ~ x + (1 | unit) + (1 | period)', 'y ~ region + (1 | unit)']) {
      const e = expectError(() => fit(data, formula), 'E_CONSTANT');
      expect(e.message).toContain('"unit"');
      expect(e.message).toContain('fitted exactly');
    }
    // Unit plus period effects with no other variation, and duplicated rows of single-row units.
    const additive = rows.map((r) => ({ ...r, y: means.get(r.unit)! + (r.period - 2000) * 0.3 }));
    expectError(() => fit(additive, 'y ~ (1 | unit) + (1 | period)'), 'E_CONSTANT');
    const single = rows.filter((r) => r.period === 2000);
    expectError(() => fit([...single, ...single], 'y ~ x + (1 | unit)'), 'E_CONSTANT');
  });

  it('outcome varying only by a tiny amount', () => {
    expectError(() => fit(rows.map((r) => ({ ...r, y: (r.y as number) * 1e-200 })), F), 'E_CONSTANT');
  });
});

describe('E_LEVELS', () => {
  it('a grouping factor with one level names the factor and the level', () => {
    const e = expectError(() => fit(rows.map((r) => ({ ...r, unit: 'only' })), F), 'E_LEVELS');
    expect(e.message).toContain('"unit"');
    expect(e.message).toContain('"only"');
  });

  it('one level left after dropping rows', () => {
    const data = rows.map((r) => (r.unit === 'U000' ? r : { ...r, y: null }));
    const e = expectError(() => fit(data, F), 'E_LEVELS');
    expect(e.message).toContain('"U000"');
  });

  it('as many levels as rows', () => {
    const e = expectError(() => fit(rows.map((r, i) => ({ ...r, unit: `id${i}` })), F), 'E_LEVELS');
    expect(e.message).toContain('"unit"');
    expect(e.message).toContain(`${rows.length} levels for ${rows.length} rows`);
  });

  it('one observation per unit and no other factor', () => {
    const one = rows.filter((r) => r.period === 2000);
    expectError(() => fit(one, F), 'E_LEVELS');
  });

  it('an interaction group with a level per row', () => {
    const e = expectError(() => fit(rows, 'y ~ x + (1 | unit:period)'), 'E_LEVELS');
    expect(e.message).toContain('"unit:period"');
  });
});

describe('E_RANK', () => {
  it('fewer usable rows than fixed-effect parameters', () => {
    const data = Array.from({ length: 6 }, (_, i) => ({ y: (i * i) % 5, c: `c${i}`, g: i % 2 }));
    const e = expectError(() => fit(data, 'y ~ c + (1 | g)'), 'E_RANK');
    expect(e.message).toContain('6 usable rows for 6 fixed-effect parameters');
    expect(e.message).toContain('"cc1"');
  });
});

describe('E_EMPTY', () => {
  it.each([null, undefined, NaN, ''])('a column entirely missing (%s)', (v) => {
    const e = expectError(() => fit(rows.map((r) => ({ ...r, x: v })), F), 'E_EMPTY');
    expect(e.message).toContain('"x"');
    expect(e.detail?.column).toBe('x');
  });

  it('no rows at all', () => {
    expectError(() => fit([], F), 'E_EMPTY');
    expectError(() => fit({ y: [], x: [], unit: [] }, F), 'E_EMPTY');
    expectError(() => fit(aq.table({ y: [], x: [], unit: [] }), F), 'E_EMPTY');
  });

  it('no complete row', () => {
    const data = rows.map((r, i) => (i % 2 ? { ...r, x: null } : { ...r, y: null }));
    const e = expectError(() => fit(data, F), 'E_EMPTY');
    expect(e.message).toContain('"y"');
    expect(e.message).toContain('"x"');
  });
});

describe('E_WEIGHTS', () => {
  const ones = () => rows.map(() => 1);
  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['zero', 0],
    ['negative', -2],
    ['out of range', 1e300],
  ])('%s weight in an array names the row', (_label, v) => {
    const w = ones();
    w[9] = v;
    const e = expectError(() => fit(rows, F, { weights: w }), 'E_WEIGHTS');
    expect(e.message).toContain('row 9');
  });

  it('bad weight in a weights column names the column and row', () => {
    const data = rows.map((r, i) => ({ ...r, w: i === 4 ? -1 : 1 }));
    const e = expectError(() => fit(data, F, { weights: 'w' }), 'E_WEIGHTS');
    expect(e.message).toContain('"w" row 4');
    expect(e.detail).toMatchObject({ column: 'w', row: 4 });
  });

  it('weights of the wrong length', () => {
    const e = expectError(() => fit(rows, F, { weights: [1, 2, 3] }), 'E_WEIGHTS');
    expect(e.message).toContain(`3 values but the data has ${rows.length} rows`);
  });

  it('weights spanning more than a factor 1e12 name both rows', () => {
    const w = ones();
    w[3] = 2 ** 53;
    const e = expectError(() => fit(rows, F, { weights: w }), 'E_WEIGHTS');
    expect(e.message).toContain('row 3');
    expect(e.message).toContain('span a factor');
    w[3] = 1e11;
    expect(fit(rows, F, { weights: w }).nobs).toBe(rows.length);
  });

  it('typed-array weights are accepted', () => {
    expect(fit(rows, F, { weights: new Float64Array(rows.length).fill(2) }).nobs).toBe(rows.length);
  });
});

describe('E_FORMULA: malformed formulas give the position', () => {
  it.each([
    ['unclosed parenthesis', 'y ~ x + (1 | unit', 8],
    ['unmatched closing parenthesis', 'y ~ x + 1 | unit)', 16],
    ['empty term', 'y ~ x + + (1 | unit)', 8],
    ['trailing operator', 'y ~ x + (1 | unit) +', 20],
    ['missing ~', 'y x + (1 | unit)', 2],
    ['repeated ~', 'y ~ x ~ (1 | unit)', 6],
    ['missing outcome', '~ x + (1 | unit)', 0],
    ['empty formula', '', 0],
    ['empty grouping', 'y ~ x + (1 | )', 13],
    ['empty parentheses', 'y ~ x + ()', 9],
    ['bar outside parentheses', 'y ~ x + 1 | unit', 10],
    ['unexpected character', 'y ~ x $ (1 | unit)', 6],
  ])('%s', (_label, formula, position) => {
    const e = expectError(() => fit(rows, formula), 'E_FORMULA');
    expect(e.detail?.position).toBe(position);
    expect(e.message).toContain(`position ${position}`);
  });

  it('a formula without a random term', () => {
    const e = expectError(() => fit(rows, 'y ~ x'), 'E_FORMULA');
    expect(e.message).toContain('(1 | unit)');
  });
});

describe('E_UNSUPPORTED', () => {
  it.each(['y ~ x + (x:period | unit)', 'log(y) ~ x + (1 | unit)'])(
    '%s',
    (formula) => {
      const e = expectError(() => fit(rows, formula), 'E_UNSUPPORTED');
      expect(typeof e.detail?.position).toBe('number');
    },
  );

  it('a random slope on a categorical column, naming the column and the group', () => {
    const e = expectError(() => fit(rows, 'y ~ x + (region | period)'), 'E_UNSUPPORTED');
    expect(e.message).toContain('"region"');
    expect(e.message).toContain('categorical');
    expect(e.detail).toMatchObject({ column: 'region', group: 'period' });
  });

  it('a slope term with as many random effects as rows', () => {
    const few = rows.filter((r) => r.period < 2002);
    const e = expectError(() => fit(few, 'y ~ x + (x | unit)'), 'E_LEVELS');
    expect(e.message).toContain('20 random effects for 20 rows');
  });
});

describe('E_OPTION: options of the wrong type or range', () => {
  it.each([
    ['reml', { reml: 'yes' }],
    ['reml', { reml: 1 }],
    ['reml', { reml: null }],
    ['weights', { weights: 5 }],
    ['weights', { weights: true }],
    ['weights', { weights: { 0: 1, length: 1 } }],
    ['control', { control: 'fast' }],
    ['control', { control: [] }],
    ['control', { control: null }],
    ['control.maxEvaluations', { control: { maxEvaluations: -1 } }],
    ['control.maxEvaluations', { control: { maxEvaluations: 0 } }],
    ['control.maxEvaluations', { control: { maxEvaluations: 2.5 } }],
    ['control.maxEvaluations', { control: { maxEvaluations: Infinity } }],
    ['control.maxEvaluations', { control: { maxEvaluations: '100' } }],
    ['control.simplexTolerance', { control: { simplexTolerance: NaN } }],
    ['control.simplexTolerance', { control: { simplexTolerance: -1e-8 } }],
    ['control.stepTolerance', { control: { stepTolerance: 0 } }],
    ['control.tolerance', { control: { tolerance: 1e-6 } }],
    ['REML', { REML: false }],
    ['weight', { weight: 'w' }],
    ['method', { method: 'shapley' }],
  ])('%s: %j', (option, options) => {
    const e = expectError(() => fit(rows, F, options as never), 'E_OPTION');
    expect(e.message).toContain(`"${option}"`);
    expect(e.detail?.option).toBe(option);
  });

  it.each([null, 5, 'reml', [], true])('options that are not an object (%j)', (options) => {
    expectError(() => fit(rows, F, options as never), 'E_OPTION');
  });

  it('valid options pass', () => {
    const m = fit(rows, F, { reml: false, weights: undefined, control: { maxEvaluations: 5000, simplexTolerance: 1e-9, stepTolerance: 1e-10 } });
    expect(m.reml).toBe(false);
    expect(fit(rows, F, undefined).reml).toBe(true);
  });

  it.each([5, null, [], true])('formula that is neither a string nor an object (%j)', (formula) => {
    expectError(() => fit(rows, formula as never), 'E_OPTION');
  });

  it('formula object with an unknown key', () => {
    const e = expectError(() => fit(rows, { outcome: 'y', group: ['unit'] } as never), 'E_OPTION');
    expect(e.message).toContain('"group"');
  });
});

describe('E_INPUT: the data argument', () => {
  it.each([
    ['a number', 5],
    ['a string', 'y,x\n1,2'],
    ['null', null],
    ['undefined', undefined],
    ['a boolean', true],
    ['a function', () => rows],
    ['a Map', new Map([['y', [1, 2]]])],
    ['a Set', new Set([1])],
    ['a Date', new Date()],
    ['a typed array', new Float64Array(3)],
  ])('%s', (_label, data) => {
    const e = expectError(() => fit(data as never, F), 'E_INPUT');
    expect(e.message).toContain('arquero table, a column object or an array of row objects');
  });

  it('a row that is not an object names the row', () => {
    for (const bad of [null, 3, 'row', [1, 2], undefined]) {
      const data: unknown[] = rows.slice();
      data[5] = bad;
      const e = expectError(() => fit(data as never, F), 'E_INPUT');
      expect(e.message).toContain('Row 5');
    }
  });

  it('a column that is not an array names the column', () => {
    const cols = { ...toColumns(rows), note: 'hello' };
    const e = expectError(() => fit(cols as never, F), 'E_INPUT');
    expect(e.message).toContain('"note"');
  });

  it('column arrays of unequal length name the column', () => {
    const cols = toColumns(rows);
    const e = expectError(() => fit({ ...cols, x: cols.x.slice(1) }, F), 'E_INPUT');
    expect(e.message).toContain('"x"');
    expect(e.message).toContain(`${rows.length - 1} values`);
  });

  it('an absurd column length', () => {
    for (const length of [-1, 1.5, NaN, 2 ** 40]) {
      const e = expectError(() => fit({ y: { length }, unit: { length } } as never, F), 'E_INPUT');
      expect(e.message).toContain('"y"');
    }
  });

  it('a table-like object with a broken surface', () => {
    const fake = { numRows: () => -3, columnNames: () => ['y'], array: () => [] };
    expectError(() => fit(fake as never, F), 'E_INPUT');
    const fake2 = { numRows: () => 2, columnNames: () => ['y', 'x', 'unit'], array: () => [1] };
    expectError(() => fit(fake2 as never, F), 'E_INPUT');
    const fake3 = { numRows: () => 2, columnNames: () => 'y', array: () => [1] };
    expectError(() => fit(fake3 as never, F), 'E_INPUT');
  });
});

describe('errors are VardecompError instances with a stable shape', () => {
  it('instanceof, name, code and frozen detail', () => {
    const e = expectError(() => fit(rows, 'y ~ z + (1|unit)'), 'E_COLUMN');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(VardecompError);
    expect(Object.isFrozen(e.detail)).toBe(true);
  });
});

describe('checkOutcome: the outcome checks for another outcome on a prepared design', () => {
  it('refuses what prepareModel refuses', async () => {
    const { prepareModel, checkOutcome } = await import('../../src/model/prepare-model.js');
    const prepared = prepareModel(rows, 'y ~ x + (1 | unit)');
    const n = prepared.frame.nobs;
    const unitOf = prepared.frame.factors[0].codes;
    const x = prepared.design.x.subarray(n, 2 * n);
    const ok = Float64Array.from({ length: n }, (_, i) => Math.sin(i) + unitOf[i]);
    expect(() => checkOutcome(prepared, 'y2', ok)).not.toThrow();
    const cases: Array<[Float64Array, string]> = [
      [new Float64Array(n).fill(3), 'E_CONSTANT'],
      [Float64Array.from(ok, (v) => v * 1e-200), 'E_CONSTANT'],
      [Float64Array.from(ok, (v) => v * 1e300), 'E_NONNUMERIC'],
      [Float64Array.from(x, (v) => 1 - 2 * v), 'E_CONSTANT'],
      [Float64Array.from(unitOf, (u) => u * 0.3), 'E_CONSTANT'],
    ];
    for (const [y, code] of cases) {
      const e = expectError(() => checkOutcome(prepared, 'y2', y), code as never);
      expect(e.message).toContain('"y2"');
    }
  });
});

describe('random slopes in a GLMM', () => {
  it('are fitted as the slope model, not silently an intercept model', () => {
    const counts = rows.map((r) => ({ ...r, n: Math.round(Math.abs(r.y ?? 0) * 3) }));
    const slope = fit(counts, 'n ~ x + (x | unit)', { family: 'poisson' });
    const intercept = fit(counts, 'n ~ x + (1 | unit)', { family: 'poisson' });
    expect(Object.keys(slope.theta)).toEqual(['unit.(Intercept)', 'unit.x.(Intercept)', 'unit.x']);
    expect(slope.varcorr.map((r) => r.name)).toEqual(['(Intercept)', 'x']);
    expect(slope.df).toBe(intercept.df + 2);
    // nested: the slope model's Laplace deviance is never above the intercept model's
    expect(slope.deviance).toBeLessThanOrEqual(intercept.deviance + 1e-6 * Math.abs(intercept.deviance));
  });
});
