/**
 * Column names and levels that are JavaScript object keys (`__proto__`, `constructor`,
 * `toString`, `hasOwnProperty`) are ordinary names: they fit in every data shape, appear as own
 * properties of the results, and never touch a prototype.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as aq from 'arquero';
import { fit } from '../../src/index.js';
import { expectError, panelRows } from './helpers.js';

const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;
const UNIT_LEVELS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'ok1', 'ok2'];

const base = panelRows({ units: UNIT_LEVELS.length, periods: 5, seed: 21 }).map((r) => ({
  y: r.y as number,
  x: r.x as number,
  unit: UNIT_LEVELS[Number(r.unit.slice(1))],
}));

/** JSON text of rows / columns with the given names, so that JSON.parse makes own `__proto__` keys. */
function rowsJson(names: { y: string; x: string; g: string }): string {
  return `[${base
    .map((r) => `{${JSON.stringify(names.y)}:${r.y},${JSON.stringify(names.x)}:${r.x},${JSON.stringify(names.g)}:${JSON.stringify(r.unit)}}`)
    .join(',')}]`;
}
function columnsJson(names: { y: string; x: string; g: string }): string {
  const col = (k: 'y' | 'x' | 'unit') => JSON.stringify(base.map((r) => r[k]));
  return `{${JSON.stringify(names.y)}:${col('y')},${JSON.stringify(names.x)}:${col('x')},${JSON.stringify(names.g)}:${col('unit')}}`;
}
function columnsDefined(names: { y: string; x: string; g: string }): Record<string, unknown[]> {
  const out = {} as Record<string, unknown[]>;
  const def = (k: string, v: unknown[]) => Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  def(names.y, base.map((r) => r.y));
  def(names.x, base.map((r) => r.x));
  def(names.g, base.map((r) => r.unit));
  return out;
}
function arqueroTable(names: { y: string; x: string; g: string }) {
  // aq.table() assigns columns into a plain object, which cannot hold "__proto__"; ColumnTable
  // over a JSON-parsed object can.
  return new aq.ColumnTable(JSON.parse(columnsJson(names)), [names.y, names.x, names.g]);
}

const protoSnapshot = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',');
let before = '';
beforeAll(() => {
  before = protoSnapshot();
});
afterAll(() => {
  expect(protoSnapshot()).toBe(before);
});

const reference = fit(base, 'y ~ x + (1 | unit)');

const roles = KEYS.map((_, i) => ({ y: KEYS[i], x: KEYS[(i + 1) % 4], g: KEYS[(i + 2) % 4] }));

describe.each(roles)('outcome $y, covariate $x, group $g', (names) => {
  const formula = `${names.y} ~ ${names.x} + (1 | ${names.g})`;
  const quoted = `\`${names.y}\` ~ \`${names.x}\` + (1 | \`${names.g}\`)`;
  const shapes: Array<[string, () => unknown]> = [
    ['rows (JSON.parse)', () => JSON.parse(rowsJson(names))],
    ['columns (JSON.parse)', () => JSON.parse(columnsJson(names))],
    ['columns (defineProperty)', () => columnsDefined(names)],
    ['arquero ColumnTable', () => arqueroTable(names)],
  ];
  it.each(shapes)('%s', (_shape, make) => {
    for (const f of [formula, quoted, { outcome: names.y, covariates: [names.x], groups: [names.g] }]) {
      const m = fit(make() as never, f);
      expect(m.nobs).toBe(base.length);
      // Same numbers as with ordinary names.
      expect(m.sigma).toBeCloseTo(reference.sigma, 12);
      expect(m.theta[names.g]).toBeCloseTo(reference.theta.unit, 10);
      expect(m.beta[names.x]).toBeCloseTo(reference.beta.x, 10);
      // Names are own properties of the result records.
      expect(Object.keys(m.beta)).toEqual(['(Intercept)', names.x]);
      expect(Object.hasOwn(m.beta, names.x)).toBe(true);
      expect(Object.hasOwn(m.se, names.x)).toBe(true);
      expect(Object.hasOwn(m.theta, names.g)).toBe(true);
      expect(Object.hasOwn(m.ngroups, names.g)).toBe(true);
      expect(m.ngroups[names.g]).toBe(UNIT_LEVELS.length);
      expect(m.betaNames).toEqual(['(Intercept)', names.x]);
      expect(m.varcorr.map((r) => r.group)).toEqual([names.g, 'Residual']);
      // Levels that are object keys are own keys of ranef().
      const re = m.ranef(names.g);
      expect(Object.keys(re).sort()).toEqual([...UNIT_LEVELS].sort());
      for (const level of UNIT_LEVELS) {
        expect(Object.hasOwn(re, level)).toBe(true);
        expect(typeof re[level]).toBe('number');
      }
      expect(Object.getPrototypeOf(re)).toBe(Object.prototype);
      expect(re.__proto__).toBeCloseTo(reference.ranef('unit').__proto__, 10);
      // The serialised record keeps them too.
      const json = JSON.parse(JSON.stringify(m));
      expect(Object.hasOwn(json.beta, names.x)).toBe(true);
      expect(Object.hasOwn(json.theta, names.g)).toBe(true);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as { constructor: unknown }).constructor).toBe(Object);
    expect(typeof ({} as { toString: unknown }).toString).toBe('function');
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('arquero tables built by aq.table()', () => {
    // arquero loses a "__proto__" column (it becomes the prototype of its column store): that is
    // refused with E_INPUT instead of being misread; other names work.
    const t = aq.table(columnsDefined(names));
    if (Object.values(names).includes('__proto__')) {
      const e = expectError(() => fit(t, formula), 'E_INPUT');
      expect(e.message).toContain('"__proto__"');
    } else {
      expect(fit(t, formula).sigma).toBeCloseTo(reference.sigma, 12);
    }
  });
});

describe('names built from a column and a level', () => {
  it('a categorical covariate whose column + level spell "__proto__"', () => {
    const data = JSON.parse(JSON.stringify(base.map((r, i) => ({ ...r, __pro: i % 3 === 0 ? 'to__' : i % 3 === 1 ? 'a' : 'b' }))));
    const m = fit(data, 'y ~ x + __pro + (1 | unit)');
    expect(m.betaNames).toContain('__proto__');
    expect(Object.hasOwn(m.beta, '__proto__')).toBe(true);
    expect(typeof m.beta.__proto__).toBe('number');
    expect(Object.getPrototypeOf(m.beta)).toBe(Object.prototype);
    expect(Object.hasOwn(m.se, '__proto__')).toBe(true);
  });

  it('an interaction group whose levels contain object keys', () => {
    const data = base.map((r, i) => ({ ...r, half: i % 2 === 0 ? 'constructor' : '__proto__' }));
    const m = fit(data, 'y ~ x + (1 | unit:half) + (1 | unit)');
    const re = m.ranef('unit:half');
    expect(Object.hasOwn(re, '__proto__:constructor')).toBe(true);
    expect(Object.keys(re)).toHaveLength(2 * UNIT_LEVELS.length);
  });

  it('a polluting payload in the data does nothing', () => {
    const data = JSON.parse(
      JSON.stringify(base).replace(/"unit":/g, '"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"unit":'),
    );
    const m = fit(data, 'y ~ x + (1 | unit)');
    expect(m.nobs).toBe(base.length);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });
});
