/**
 * Formula functions (specials): parsing, naming as R names them, the registry's checks, and
 * evaluation over the model rows against direct computations.
 */
import { describe, expect, it } from 'vitest';
import { VardecompError } from '../../src/errors.js';
import { fit } from '../../src/index.js';
import { deparse, formatNumber, parseCall } from '../../src/formula/expression.js';
import { modelColumns, parseFormula } from '../../src/formula/parse-formula.js';
import { describeSpecials, SPECIALS } from '../../src/formula/specials.js';

function caught(f: () => unknown): VardecompError {
  try {
    f();
  } catch (e) {
    if (e instanceof VardecompError) return e;
    throw e;
  }
  throw new Error('expected a VardecompError');
}

/** A small panel: 12 units x 5 periods, x > 0, a text column, some missing values. */
function panel(): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  let s = 7;
  const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
  for (let u = 0; u < 12; u++) {
    for (let t = 0; t < 5; t++) {
      const x = 0.5 + 2 * r() + 0.2 * u;
      const z = r() - 0.5;
      rows.push({ u: `u${u}`, t, x, z, kind: u % 2 ? 'a' : 'b', y: 1 + Math.log(x) + 0.3 * z + 0.1 * u + 0.05 * t + 0.4 * r() });
    }
  }
  rows[3].z = null; // dropped: must not enter any group mean
  rows[17].y = NaN;
  return rows;
}

describe('specials: parsing and labels', () => {
  it.each([
    ['y ~ log(x) + (1 | u)', ['log(x)']],
    ['y ~ I(x^2) + I(x * z) + I(x/2) + I(x - 1) + I(-x) + (1 | u)', ['I(x^2)', 'I(x * z)', 'I(x/2)', 'I(x - 1)', 'I(-x)']],
    ['y ~ within(x,u) + between( x , u ) + (1 | u)', ['within(x, u)', 'between(x, u)']],
    ['y ~ log1p(x) + exp(z) + sqrt(x) + scale(x) + (1 | u)', ['log1p(x)', 'exp(z)', 'sqrt(x)', 'scale(x)']],
    ['y ~ I((x + 1)^2) + log(I(x + 1e5)) + (1 | u)', ['I((x + 1)^2)', 'log(I(x + 1e+05))']],
    ['y ~ log(`cpp rate`) + (1 | u)', ['log(`cpp rate`)']],
  ])('%s names its terms %j', (f, labels) => {
    expect(parseFormula(f).fixed.map((t) => t.label)).toEqual(labels);
  });

  it('treats a call as one variable in interactions, as R terms() does', () => {
    const spec = parseFormula('y ~ log(x)*kind + (1 | u)');
    expect(spec.fixed.map((t) => t.label)).toEqual(['log(x)', 'kind', 'log(x):kind']);
    expect(spec.derived!.map((d) => d.label)).toEqual(['log(x)']);
    expect(parseFormula('y ~ log(x) + log(x) - log(x) + z + (1 | u)').fixed.map((t) => t.label)).toEqual(['z']);
    expect(parseFormula('y ~ (log(x) + z)^2 + (1 | u)').fixed.map((t) => t.label)).toEqual(['log(x)', 'z', 'log(x):z']);
  });

  it('records the columns each call reads, and the offsets', () => {
    const spec = parseFormula('y ~ within(x, u) + I(x * z) + offset(log(t + 1)) + (1 | u)');
    expect(spec.derived!.map((d) => d.columns)).toEqual([['x', 'u'], ['x', 'z']]);
    expect(spec.offsets!.map((o) => o.label)).toEqual(['offset(log(t + 1))']);
    expect(spec.text).toBe('y ~ within(x, u) + I(x * z) + offset(log(t + 1)) + (1 | u)');
    expect(parseFormula(spec.text)).toEqual(spec);
    expect(modelColumns(spec)).toEqual({ covariates: [], all: ['y', 'x', 'u', 'z', 't'] });
  });

  it('writes numbers as R deparse does', () => {
    expect([formatNumber(2, '2'), formatNumber(1e5, '1e5'), formatNumber(1e-4, '0.0001'), formatNumber(0.5, '.50')]).toEqual([
      '2', '1e+05', '1e-04', '0.5',
    ]);
    expect(formatNumber(123456, '123456')).toBe('123456');
    expect(formatNumber(3, '3L')).toBe('3L');
    expect(deparse(parseCall('I(-x^2 + 2^-1)', 0, 14))).toBe('I(-x^2 + 2^-1)');
  });

  it('lists every registered function', () => {
    expect([...SPECIALS.keys()]).toEqual(['within', 'between', 'log', 'log1p', 'exp', 'sqrt', 'scale', 'I', 'offset']);
    expect(describeSpecials().split('\n')).toHaveLength(9);
  });
});

describe('specials: refused with a clear error', () => {
  it.each([
    ['y ~ poly(x, 2) + (1 | u)', 'E_UNSUPPORTED', 4, 'the formula functions are within, between'],
    ['y ~ log(foo(x)) + (1 | u)', 'E_UNSUPPORTED', 8, '"foo(x)"'],
    ['log(y) ~ x + (1 | u)', 'E_UNSUPPORTED', 0, 'not supported as the outcome'],
    ['y ~ x + (1 | log(u))', 'E_UNSUPPORTED', 13, 'not supported as a grouping factor'],
    ['y ~ log(x, 2) + (1 | u)', 'E_FORMULA', 4, 'log() takes 1 argument, found 2'],
    ['y ~ within(x) + (1 | u)', 'E_FORMULA', 4, 'within() takes 2 arguments, found 1'],
    ['y ~ log() + (1 | u)', 'E_FORMULA', 4, 'takes 1 argument, found 0'],
    ['y ~ within(x, u + 1) + (1 | u)', 'E_FORMULA', 14, 'argument 2 of within() must be a column name'],
    ['y ~ x:offset(z) + (1 | u)', 'E_FORMULA', 6, 'must be a term of its own'],
    ['y ~ x - offset(z) + (1 | u)', 'E_FORMULA', 8, 'cannot be removed'],
    ['y ~ log(y) + (1 | u)', 'E_FORMULA', 4, 'the outcome "y" also appears'],
    ['y ~ I(x:z) + (1 | u)', 'E_FORMULA', 7, 'operator ":" is not allowed inside a function call'],
    ['y ~ I(x z) + (1 | u)', 'E_FORMULA', 8, 'missing operator or ","'],
    ['y ~ log(x,) + (1 | u)', 'E_FORMULA', 10, 'empty argument'],
    ['y ~ I(x +) + (1 | u)', 'E_FORMULA', 9, 'missing argument after an operator'],
    ['y ~ I(x = 1) + (1 | u)', 'E_FORMULA', 8, 'unexpected character "="'],
    ['y ~ `log(x)` + log(x) + (1 | u)', 'E_FORMULA', 0, 'rename the column'],
  ])('%s: %s at %i', (f, code, position, text) => {
    const e = caught(() => parseFormula(f));
    expect(e.code).toBe(code);
    expect(e.detail?.position).toBe(position);
    expect(e.message).toContain(text);
  });

  it('refuses calls nested beyond the depth limit', () => {
    const deep = `y ~ ${'log('.repeat(150)}x${')'.repeat(150)} + (1 | u)`;
    expect(caught(() => parseFormula(deep)).message).toContain('levels deep (the limit)');
    const long = `y ~ I(${Array.from({ length: 500 }, (_, i) => `x${i}`).join(' + ')}) + (1 | u)`;
    expect(caught(() => parseFormula(long)).code).toBe('E_FORMULA');
  });

  it.each([
    ['y ~ log(x - 2) + (1 | u)', 'E_NONNUMERIC', /Term "log\(x - 2\)": log\(\) needs positive values, but x - 2 is -?[0-9.e-]+ at row \d+/],
    ['y ~ sqrt(z) + (1 | u)', 'E_NONNUMERIC', /Term "sqrt\(z\)": sqrt\(\) needs values of at least 0, but z is -[0-9.e-]+ at row \d+/],
    ['y ~ log1p(z - 1) + (1 | u)', 'E_NONNUMERIC', /log1p\(\) needs values above -1/],
    ['y ~ I(x/(z - z)) + (1 | u)', 'E_NONNUMERIC', /Term "I\(x\/\(z - z\)\)": x\/\(z - z\) is -?Infinity at row 0/],
    ['y ~ exp(x * 1000) + (1 | u)', 'E_NONNUMERIC', /Term "exp\(x \* 1000\)": exp\(x \* 1000\) is Infinity at row \d+/],
    ['y ~ log(kind) + (1 | u)', 'E_NONNUMERIC', /Term "log\(kind\)": column "kind" row 0 holds "b", not a number/],
    ['y ~ log(nope) + (1 | u)', 'E_COLUMN', /Term "log\(nope\)": .*"nope"/],
    ['y ~ within(x, nope) + (1 | u)', 'E_COLUMN', /Term "within\(x, nope\)"/],
    ['y ~ scale(I(0 * x)) + (1 | u)', 'E_CONSTANT', /Term "scale\(I\(0 \* x\)\)": the argument is constant/],
  ])('%s: %s naming the term, row and value', (f, code, message) => {
    const e = caught(() => fit(panel(), f));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('refuses a grouping argument holding a value that cannot be a level, naming the row', () => {
    const rows = panel();
    // An object without a prototype cannot even be turned into text.
    (rows[3] as Record<string, unknown>).u = Object.create(null);
    const e = caught(() => fit(rows, 'y ~ within(x, u) + (1 | u)'));
    expect(e.code).toBe('E_NONNUMERIC');
    expect(e.message).toMatch(/Grouping column "u" row 3 holds \[object Object\]: levels must be strings, numbers or booleans/);
  });

  it('does not evaluate rows that are dropped for missing values', () => {
    const rows = panel();
    rows[5].x = -1; // log(-1) would fail, but the row's outcome is missing
    rows[5].y = null;
    expect(() => fit(rows, 'y ~ log(x) + (1 | u)')).not.toThrow();
  });
});

describe('specials: values over the model rows', () => {
  const rows = panel();
  const f = 'y ~ within(x, u) + between(x, u) + scale(z) + log(x):kind + I(x^2) + (1 | u) + (1 | t)';
  const m = fit(rows, f);
  const frame = m.prepared.frame;
  const kept = Array.from(m.rows, (i) => rows[i]);

  it('drops incomplete rows before anything is computed (and reports them)', () => {
    expect(m.nobs).toBe(58);
    expect(m.nDropped).toBe(2);
    expect(m.betaNames).toEqual([
      '(Intercept)', 'within(x, u)', 'between(x, u)', 'scale(z)', 'I(x^2)', 'log(x):kinda', 'log(x):kindb',
    ]);
  });

  it('within and between are x minus its unit mean and the unit mean, over the kept rows (unweighted)', () => {
    const sum = new Map<string, [number, number]>();
    for (const r of kept) {
      const [s, c] = sum.get(r.u as string) ?? [0, 0];
      sum.set(r.u as string, [s + (r.x as number), c + 1]);
    }
    const mean = (r: Record<string, unknown>) => sum.get(r.u as string)![0] / sum.get(r.u as string)![1];
    const within = (frame.variables.get('within(x, u)') as { values: Float64Array }).values;
    const between = (frame.variables.get('between(x, u)') as { values: Float64Array }).values;
    kept.forEach((r, k) => {
      expect(between[k]).toBeCloseTo(mean(r), 12);
      expect(within[k]).toBeCloseTo((r.x as number) - mean(r), 12);
    });
    // Unit u0 lost a row (row 3): its mean is over its 4 kept rows.
    expect(kept.filter((r) => r.u === 'u0')).toHaveLength(4);
  });

  it("scale is R's scale() over the kept rows (n - 1 sd)", () => {
    const z = kept.map((r) => r.z as number);
    const mu = z.reduce((a, b) => a + b, 0) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mu) ** 2, 0) / (z.length - 1));
    const scaled = (frame.variables.get('scale(z)') as { values: Float64Array }).values;
    z.forEach((v, k) => expect(scaled[k]).toBeCloseTo((v - mu) / sd, 12));
  });

  it('a fit on precomputed columns gives the same estimates', () => {
    const pre = kept.map((r) => ({ ...r, lx: Math.log(r.x as number), x2: (r.x as number) ** 2 }));
    const a = fit(kept, 'y ~ log(x) + I(x^2) + (1 | u) + (1 | t)');
    const b = fit(pre, 'y ~ lx + x2 + (1 | u) + (1 | t)');
    expect(a.remlCriterion).toBeCloseTo(b.remlCriterion!, 9);
    expect(a.beta['I(x^2)']).toBeCloseTo(b.beta.x2, 9);
    expect(a.se['log(x)']).toBeCloseTo(b.se.lx, 9);
  });

  it('an offset is a known part of the predictor: fitting y - offset, fitted values add it back', () => {
    const a = fit(rows, 'y ~ z + offset(2 * x) + (1 | u)');
    const pre = kept.map((r) => ({ ...r, y: (r.y as number) - 2 * (r.x as number) }));
    const b = fit(pre, 'y ~ z + (1 | u)');
    expect(a.remlCriterion).toBeCloseTo(b.remlCriterion!, 9);
    expect(a.beta.z).toBeCloseTo(b.beta.z, 9);
    const fa = a.fitted();
    const fb = b.fitted();
    kept.forEach((r, k) => expect(fa[k]).toBeCloseTo(fb[k] + 2 * (r.x as number), 9));
    expect(a.prepared.frame.offset).not.toBeNull();
    expect(b.prepared.frame.offset).toBeNull();
  });

  it('refuses an offset option of the wrong shape or length', () => {
    expect(caught(() => fit(rows, 'y ~ z + (1 | u)', { offset: 5 as unknown as string })).code).toBe('E_OPTION');
    expect(caught(() => fit(rows, 'y ~ z + (1 | u)', { offset: [1, 2, 3] })).code).toBe('E_OPTION');
    expect(caught(() => fit(rows, 'y ~ z + (1 | u)', { offset: 'kind' })).code).toBe('E_NONNUMERIC');
  });
});

describe('specials: cell statistics', () => {
  it('formula functions are statistic columns of the cells, offsets come off the outcome (test/aggregates/formula-functions.test.ts)', async () => {
    const { cellsFromRows } = await import('../../src/input/cell-statistics.js');
    const { prepareFromCells } = await import('../../src/model/prepare-from-cells.js');
    const rows = panel().filter((r) => r.z !== null && !Number.isNaN(r.y));
    expect(cellsFromRows(rows, 'y ~ log(x) + (1 | u)').columns).toEqual(['log(x)', 'y']);
    expect(cellsFromRows(rows, 'y ~ x + offset(z) + (1 | u)').offsets).toEqual(['offset(z)']);
    const cells = cellsFromRows(rows, 'y ~ x + (1 | u)');
    // Cells made for another formula lack the function's column.
    expect(caught(() => prepareFromCells(cells, 'y ~ log(x) + (1 | u)')).code).toBe('E_COLUMN');
    // Cells of y are not cells of y - z, and the other way round.
    expect(caught(() => prepareFromCells(cells, 'y ~ x + offset(z) + (1 | u)')).code).toBe('E_COLUMN');
    expect(caught(() => prepareFromCells(cellsFromRows(rows, 'y ~ x + offset(z) + (1 | u)'), 'y ~ x + (1 | u)')).code).toBe('E_COLUMN');
    const offsetOption = caught(() => prepareFromCells(cells, 'y ~ x + (1 | u)', { offset: 'z' }));
    expect(offsetOption.code).toBe('E_NEEDS_ROWS');
    expect(offsetOption.message).toContain('write the offset in the formula as offset(column)');
  });
});

describe('specials: GLMMs', () => {
  it('offset(log(pop)) in a glmer formula equals the offset option (and log(x) is a covariate there too)', async () => {
    const { loadGlmmFixture } = await import('../helpers/glmm-fixtures.js');
    const { fixture, table } = loadGlmmFixture('england-poisson');
    expect(fixture.formula).toContain('offset(log(child_pop_0_17_dfe))');
    const byFormula = fit(table, fixture.formula, { family: 'poisson' });
    const withoutTerm = fixture.formula.replace(' + offset(log(child_pop_0_17_dfe))', '');
    const logPop = Array.from(table.array('child_pop_0_17_dfe') as ArrayLike<number>, Math.log);
    const byOption = fit(table, withoutTerm, { family: 'poisson', offset: logPop });
    expect(byFormula.deviance).toBeCloseTo(byOption.deviance, 8);
    for (const nm of byOption.betaNames) expect(byFormula.beta[nm]).toBeCloseTo(byOption.beta[nm], 6);
    const logged = fit(table, `${withoutTerm.replace('~', '~ log(imd2019_avg_score) +')}`, { family: 'poisson', offset: logPop });
    expect(logged.betaNames).toContain('log(imd2019_avg_score)');
  });
});

describe('specials: numbers written as text', () => {
  it('are refused as a covariate is (naming the term), and read with types: { x: "numeric" }', () => {
    const rows = panel().filter((r) => r.z !== null && !Number.isNaN(r.y)).map((r) => ({ ...r, xs: String(r.x) }));
    const e = caught(() => fit(rows, 'y ~ log(xs) + (1 | u)'));
    expect(e.code).toBe('E_NONNUMERIC');
    expect(e.message).toMatch(/^Term "log\(xs\)": column "xs" holds numbers written as text .*types: \{ "xs": 'numeric' \}/);
    const a = fit(rows, 'y ~ log(xs) + (1 | u)', { types: { xs: 'numeric' } });
    const b = fit(rows, 'y ~ log(x) + (1 | u)');
    expect(a.beta['log(xs)']).toBeCloseTo(b.beta['log(x)'], 12);
  });
});

describe('specials: an offset that accounts for the outcome', () => {
  it('is E_CONSTANT, also when y - offset varies only by rounding', () => {
    const rows = panel().filter((r) => r.z !== null && !Number.isNaN(r.y)).map((r) => ({ ...r, y: (r.x as number) * 3 + 1 }));
    const e = caught(() => fit(rows, 'y ~ z + offset(3 * x) + (1 | u)'));
    expect(e.code).toBe('E_CONSTANT');
    expect(e.message).toContain('minus the offset is constant');
    expect(caught(() => fit(rows.map((r) => ({ ...r, y: 5 })), 'y ~ z + offset(0 * x) + (1 | u)')).code).toBe('E_CONSTANT');
  });
});
