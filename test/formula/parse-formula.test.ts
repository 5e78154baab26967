import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VardecompError } from '../../src/errors.js';
import { parseFormula, type FixedTerm, type ModelSpec, type RandomTerm } from '../../src/formula/index.js';
import { formatName, tokenize } from '../../src/formula/tokenize.js';

/** A fixed term from its label: `'a:b'` -> `{ variables: ['a', 'b'], label: 'a:b' }`. */
const fx = (label: string): FixedTerm => ({ variables: label.split(':'), label });
/** A random intercept from its group: `'b:a'` -> `{ group: 'b:a', variables: ['b', 'a'], columns: ['(Intercept)'] }`. */
const rx = (group: string): RandomTerm => ({ group, variables: group.split(':'), columns: ['(Intercept)'] });

/** The error `fn` throws (fails the test when it does not throw a VardecompError). */
function caught(fn: () => unknown): VardecompError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VardecompError);
    return e as VardecompError;
  }
  throw new Error('expected a VardecompError, nothing was thrown');
}

const labels = (spec: ModelSpec): string[] => spec.fixed.map((t) => t.label);
const groups = (spec: ModelSpec): string[] => spec.random.map((r) => r.group);
/** Order-free identity of the fixed terms: each term's sorted variables. */
const termSet = (spec: ModelSpec): string[] =>
  spec.fixed.map((t) => [...t.variables].sort().join('\u0000')).sort();

describe('tokenize', () => {
  it('records kinds and 0-based positions', () => {
    expect(tokenize('y ~ x + (1|g)')).toEqual([
      { kind: 'name', name: 'y', quoted: false, pos: 0, end: 1 },
      { kind: 'operator', op: '~', pos: 2, end: 3 },
      { kind: 'name', name: 'x', quoted: false, pos: 4, end: 5 },
      { kind: 'operator', op: '+', pos: 6, end: 7 },
      { kind: 'operator', op: '(', pos: 8, end: 9 },
      { kind: 'number', value: 1, text: '1', pos: 9, end: 10 },
      { kind: 'operator', op: '|', pos: 10, end: 11 },
      { kind: 'name', name: 'g', quoted: false, pos: 11, end: 12 },
      { kind: 'operator', op: ')', pos: 12, end: 13 },
      { kind: 'end', pos: 13, end: 13 },
    ]);
  });

  it('reads R names, backtick names, numbers, || and %in%', () => {
    const kinds = tokenize('y.2 ~ .x + x_1:`cpp rate` - 0 + (1 || g) + a %in% b').map((t) =>
      t.kind === 'name' ? `N:${t.name}` : t.kind === 'number' ? `#${t.value}` : t.kind === 'end' ? 'END' : 'op' in t ? t.op : t.kind,
    );
    expect(kinds).toEqual([
      'N:y.2', '~', 'N:.x', '+', 'N:x_1', ':', 'N:cpp rate', '-', '#0', '+', '(', '#1', '||', 'N:g', ')', '+', 'N:a', '%in%', 'N:b', 'END',
    ]);
  });

  it('unescapes backslashes inside backtick names and marks them quoted', () => {
    expect(tokenize('`a\\`b`')[0]).toEqual({ kind: 'name', name: 'a`b', quoted: true, pos: 0, end: 6 });
    expect(tokenize('`.`')[0]).toMatchObject({ kind: 'name', name: '.', quoted: true });
  });

  it('makes a whole function call one token, whatever its arguments', () => {
    expect(tokenize('y ~ poly(x, 2, raw = "a)b") + z')[2]).toEqual({
      kind: 'call',
      name: 'poly',
      text: 'poly(x, 2, raw = "a)b")',
      pos: 4,
      end: 27,
    });
  });

  it('puts the end token just past the last token', () => {
    expect(tokenize('y ~ x   ').at(-1)).toEqual({ kind: 'end', pos: 5, end: 5 });
    expect(tokenize('')).toEqual([{ kind: 'end', pos: 0, end: 0 }]);
  });

  it.each([
    ['y ~ x $ z', 6],
    ['y ~ `x', 4],
    ['y ~ ``', 4],
    ['y ~ TRUE', 4],
    ['y ~ x %in', 6],
    ['y ~ log(x', 7],
  ])('rejects %j at position %i', (input, position) => {
    const e = caught(() => tokenize(input));
    expect(e.code).toBe('E_FORMULA');
    expect(e.detail?.position).toBe(position);
  });

  it('formats names as R would write them', () => {
    expect(formatName('la')).toBe('la');
    expect(formatName('.x_1')).toBe('.x_1');
    expect(formatName('cpp rate')).toBe('`cpp rate`');
    expect(formatName('2x')).toBe('`2x`');
    expect(formatName('.2x')).toBe('`.2x`');
    expect(formatName('_x')).toBe('`_x`');
    expect(formatName('if')).toBe('`if`');
    expect(formatName('.')).toBe('`.`');
    expect(formatName('a`b')).toBe('`a\\`b`');
  });
});

describe('parseFormula: fixed terms', () => {
  it('parses main effects and random intercepts', () => {
    expect(parseFormula('y ~ x1 + x2 + (1|la) + (1|year)')).toEqual({
      outcome: 'y',
      intercept: true,
      fixed: [
        { variables: ['x1'], label: 'x1' },
        { variables: ['x2'], label: 'x2' },
      ],
      random: [
        { group: 'la', variables: ['la'], columns: ['(Intercept)'] },
        { group: 'year', variables: ['year'], columns: ['(Intercept)'] },
      ],
      text: 'y ~ x1 + x2 + (1 | la) + (1 | year)',
    });
  });

  it('expands x1*x2 to x1 + x2 + x1:x2', () => {
    expect(parseFormula('y ~ x1*x2 + (1 | la) + (1 | year)')).toEqual({
      outcome: 'y',
      intercept: true,
      fixed: [
        { variables: ['x1'], label: 'x1' },
        { variables: ['x2'], label: 'x2' },
        { variables: ['x1', 'x2'], label: 'x1:x2' },
      ],
      random: [
        { group: 'la', variables: ['la'], columns: ['(Intercept)'] },
        { group: 'year', variables: ['year'], columns: ['(Intercept)'] },
      ],
      text: 'y ~ x1 + x2 + x1:x2 + (1 | la) + (1 | year)',
    });
  });

  it('keeps an interaction on its own', () => {
    expect(parseFormula('y ~ x1:x2')).toEqual({
      outcome: 'y',
      intercept: true,
      fixed: [{ variables: ['x1', 'x2'], label: 'x1:x2' }],
      random: [],
      text: 'y ~ x1:x2',
    });
  });

  it('orders terms by interaction order, then first appearance', () => {
    expect(labels(parseFormula('y ~ a:b + c + a:b:c + d + b:c'))).toEqual(['c', 'd', 'a:b', 'b:c', 'a:b:c']);
    expect(labels(parseFormula('y ~ a*b + c'))).toEqual(['a', 'b', 'c', 'a:b']);
  });

  it('crosses and groups fixed terms in parentheses', () => {
    expect(labels(parseFormula('y ~ (a + b)*c'))).toEqual(['a', 'b', 'c', 'a:c', 'b:c']);
    expect(labels(parseFormula('y ~ (a + b)*(c + d)'))).toEqual(['a', 'b', 'c', 'd', 'a:c', 'a:d', 'b:c', 'b:d']);
    expect(labels(parseFormula('y ~ (a + b):c'))).toEqual(['a:c', 'b:c']);
    expect(labels(parseFormula('y ~ a*b*c'))).toEqual(['a', 'b', 'c', 'a:b', 'a:c', 'b:c', 'a:b:c']);
    expect(labels(parseFormula('y ~ ((a))'))).toEqual(['a']);
  });

  it('expands ^, / and %in% as R does', () => {
    expect(labels(parseFormula('y ~ (a + b + c)^2'))).toEqual(['a', 'b', 'c', 'a:b', 'a:c', 'b:c']);
    expect(labels(parseFormula('y ~ (a + b + c)^3'))).toEqual(['a', 'b', 'c', 'a:b', 'a:c', 'b:c', 'a:b:c']);
    expect(labels(parseFormula('y ~ a/b'))).toEqual(['a', 'a:b']);
    expect(labels(parseFormula('y ~ (a + b)/c'))).toEqual(['a', 'b', 'a:b:c']);
    expect(labels(parseFormula('y ~ a/b/c'))).toEqual(['a', 'a:b', 'a:b:c']);
    expect(labels(parseFormula('y ~ a + b %in% a'))).toEqual(['a', 'a:b']);
  });

  it('removes terms with -', () => {
    expect(labels(parseFormula('y ~ a*b - a:b'))).toEqual(['a', 'b']);
    expect(labels(parseFormula('y ~ a*b*c - a:b'))).toEqual(['a', 'b', 'c', 'a:c', 'b:c', 'a:b:c']);
    expect(labels(parseFormula('y ~ a + b - a'))).toEqual(['b']);
    expect(labels(parseFormula('y ~ a - a + a'))).toEqual(['a']);
    expect(labels(parseFormula('y ~ a*b - (a + b)'))).toEqual(['a:b']);
  });

  it('removes duplicates, keeping the first', () => {
    expect(labels(parseFormula('y ~ b + a + b + a:b + b:a'))).toEqual(['b', 'a', 'b:a']);
    expect(labels(parseFormula('y ~ x*x'))).toEqual(['x']);
  });

  it('reads x:x as x', () => {
    expect(parseFormula('y ~ x:x').fixed).toEqual([{ variables: ['x'], label: 'x' }]);
  });

  it('writes interaction variables in the order R does (order of first appearance)', () => {
    expect(parseFormula('y ~ x2:x1').fixed).toEqual([{ variables: ['x2', 'x1'], label: 'x2:x1' }]);
    expect(labels(parseFormula('y ~ x2:x1 + x1'))).toEqual(['x1', 'x2:x1']);
    expect(labels(parseFormula('y ~ x1:x2 + x2:x1'))).toEqual(['x1:x2']);
    // R: terms(y ~ b + a + a:b) has the labels "b" "a" "b:a"
    expect(parseFormula('y ~ b + a + a:b').fixed).toEqual([fx('b'), fx('a'), fx('b:a')]);
  });

  it('handles the intercept: 0 +, + 0, - 1, + 1, -1 +', () => {
    const none = { outcome: 'y', intercept: false, fixed: [fx('x')], random: [], text: 'y ~ 0 + x' };
    expect(parseFormula('y ~ 0 + x')).toEqual(none);
    expect(parseFormula('y ~ x + 0')).toEqual(none);
    expect(parseFormula('y ~ x - 1')).toEqual(none);
    expect(parseFormula('y ~ -1 + x')).toEqual(none);
    expect(parseFormula('y ~ 0 + x + 1').intercept).toBe(true);
    expect(parseFormula('y ~ 1 + x')).toEqual({ ...none, intercept: true, text: 'y ~ x' });
    expect(parseFormula('y ~ x - 0').intercept).toBe(true);
    expect(parseFormula('y ~ x - (1 + z)')).toEqual(none);
  });

  it('reads y ~ 1 + (1|g) and y ~ (1|g) as intercept-only, y ~ 0 + (1|g) as without', () => {
    const spec = { outcome: 'y', intercept: true, fixed: [], random: [rx('g')], text: 'y ~ 1 + (1 | g)' };
    expect(parseFormula('y ~ 1 + (1|g)')).toEqual(spec);
    expect(parseFormula('y ~ (1|g)')).toEqual(spec);
    expect(parseFormula('y~(1|g)+1')).toEqual(spec);
    expect(parseFormula('y ~ 0 + (1|g)')).toEqual({ ...spec, intercept: false, text: 'y ~ 0 + (1 | g)' });
    expect(parseFormula('y ~ 1')).toEqual({ outcome: 'y', intercept: true, fixed: [], random: [], text: 'y ~ 1' });
    expect(parseFormula('y ~ 0')).toEqual({ outcome: 'y', intercept: false, fixed: [], random: [], text: 'y ~ 0' });
  });

  it('ignores whitespace, tabs and newlines', () => {
    const a = parseFormula('y~x1*x2+(1|la)+(1|year)');
    expect(parseFormula('  y \t~\n x1 *  x2 + ( 1 | la ) +\n(1|  year)  ')).toEqual(a);
  });

  it('accepts backtick names and a parenthesised outcome', () => {
    expect(parseFormula('`log wage` ~ `cpp rate` + x:`cpp rate` + (1 | `my la`)')).toEqual({
      outcome: 'log wage',
      intercept: true,
      // R writes the interaction in order of first appearance: `cpp rate`:x
      fixed: [fx('cpp rate'), { variables: ['cpp rate', 'x'], label: 'cpp rate:x' }],
      random: [rx('my la')],
      text: '`log wage` ~ `cpp rate` + `cpp rate`:x + (1 | `my la`)',
    });
    expect(parseFormula('(y) ~ x').outcome).toBe('y');
    expect(parseFormula('y ~ `.` + `if`').text).toBe('y ~ `.` + `if`');
  });

  it('accepts Unicode letters in names', () => {
    expect(parseFormula('größe ~ température + (1 | région)').text).toBe('größe ~ température + (1 | région)');
  });

  it('treats JavaScript object keys as ordinary names', () => {
    const spec = parseFormula(
      '__proto__ ~ constructor + toString + constructor:toString + hasOwnProperty + (1 | valueOf) + (1 | constructor:__proto__x)',
    );
    expect(spec).toEqual({
      outcome: '__proto__',
      intercept: true,
      fixed: [fx('constructor'), fx('toString'), fx('hasOwnProperty'), fx('constructor:toString')],
      random: [rx('valueOf'), rx('constructor:__proto__x')],
      text: '`__proto__` ~ constructor + toString + hasOwnProperty + constructor:toString + (1 | valueOf) + (1 | constructor:`__proto__x`)',
    });
    expect(labels(parseFormula('y ~ __proto__ + toString - __proto__'))).toEqual(['toString']);
    expect(() => parseFormula('y ~ (1 | __proto__) + (1 | __proto__)')).toThrow(VardecompError);
  });
});

describe('parseFormula: random terms', () => {
  it('keeps formula order and reads interaction groups', () => {
    expect(parseFormula('y ~ x + (1 | year) + (1 | la:region)')).toEqual({
      outcome: 'y',
      intercept: true,
      fixed: [fx('x')],
      random: [
        { group: 'year', variables: ['year'], columns: ['(Intercept)'] },
        { group: 'la:region', variables: ['la', 'region'], columns: ['(Intercept)'] },
      ],
      text: 'y ~ x + (1 | year) + (1 | la:region)',
    });
  });

  it('expands (1|a/b) as lme4 does: (1|b:a) + (1|a)', () => {
    expect(parseFormula('y ~ x + (1 | region/la) + (1 | year)')).toEqual({
      outcome: 'y',
      intercept: true,
      fixed: [fx('x')],
      random: [
        { group: 'la:region', variables: ['la', 'region'], columns: ['(Intercept)'] },
        { group: 'region', variables: ['region'], columns: ['(Intercept)'] },
        { group: 'year', variables: ['year'], columns: ['(Intercept)'] },
      ],
      text: 'y ~ x + (1 | la:region) + (1 | region) + (1 | year)',
    });
  });

  it('expands (1|a/b/c) innermost first: c:b:a, b:a, a', () => {
    expect(parseFormula('y ~ (1|a/b/c)').random).toEqual([
      { group: 'c:b:a', variables: ['c', 'b', 'a'], columns: ['(Intercept)'] },
      { group: 'b:a', variables: ['b', 'a'], columns: ['(Intercept)'] },
      { group: 'a', variables: ['a'], columns: ['(Intercept)'] },
    ]);
    expect(parseFormula('y ~ (1|a/b/c)').text).toBe('y ~ 1 + (1 | c:b:a) + (1 | b:a) + (1 | a)');
  });

  it('nests interactions: (1 | a:b/c) and (1 | a/b:c)', () => {
    expect(groups(parseFormula('y ~ (1 | a:b/c)'))).toEqual(['c:a:b', 'a:b']);
    expect(groups(parseFormula('y ~ (1 | a/b:c)'))).toEqual(['b:c:a', 'a']);
    expect(groups(parseFormula('y ~ (1 | (a/b))'))).toEqual(['b:a', 'a']);
  });

  it('accepts redundant parentheses and an intercept written 1 + 0 + 1', () => {
    expect(groups(parseFormula('y ~ ((1 | g))'))).toEqual(['g']);
    expect(groups(parseFormula('y ~ (1 + 1 | g)'))).toEqual(['g']);
  });

  it('reads a:a as a in a group', () => {
    expect(parseFormula('y ~ (1 | a:a)').random).toEqual([rx('a')]);
  });
});

describe('parseFormula: random slopes', () => {
  const cols = (f: string) => parseFormula(f).random.map((r) => `${r.group}[${r.columns.join(',')}]`);

  it('reads (x | g), (1 + x | g), (0 + x | g), (x - 1 | g) and several slopes in lme4\'s column order', () => {
    expect(cols('y ~ (x | g)')).toEqual(['g[(Intercept),x]']);
    expect(cols('y ~ (1 + x | g)')).toEqual(['g[(Intercept),x]']);
    expect(cols('y ~ (x + 1 | g)')).toEqual(['g[(Intercept),x]']);
    expect(cols('y ~ (0 + x | g)')).toEqual(['g[x]']);
    expect(cols('y ~ (x - 1 | g)')).toEqual(['g[x]']);
    expect(cols('y ~ (1 + x1 + x2 | g)')).toEqual(['g[(Intercept),x1,x2]']);
    expect(cols('y ~ x + (x | g) + (1 | h)')).toEqual(['g[(Intercept),x]', 'h[(Intercept)]']);
  });

  it('expands (x || g) into uncorrelated terms as lme4 does', () => {
    expect(cols('y ~ (x || g)')).toEqual(['g[(Intercept)]', 'g[x]']);
    expect(cols('y ~ (x1 + x2 || g)')).toEqual(['g[(Intercept)]', 'g[x1]', 'g[x2]']);
    expect(cols('y ~ (0 + x || g)')).toEqual(['g[x]']);
    expect(cols('y ~ (1 || g)')).toEqual(['g[(Intercept)]']);
    expect(parseFormula('y ~ (x || g)').text).toBe('y ~ 1 + (1 | g) + (0 + x | g)');
  });

  it('nests slopes as lme4 does and writes the canonical text', () => {
    expect(cols('y ~ (t | a/b)')).toEqual(['b:a[(Intercept),t]', 'a[(Intercept),t]']);
    expect(parseFormula('y ~ t + (1 + t | la) + (1 | year)').text).toBe('y ~ t + (t | la) + (1 | year)');
    expect(parseFormula('y ~ (0 + t | la)').text).toBe('y ~ 1 + (0 + t | la)');
  });

  it('allows separate terms on one group but not a column twice', () => {
    expect(cols('y ~ (1 | g) + (0 + x | g)')).toEqual(['g[(Intercept)]', 'g[x]']);
    const e = caught(() => parseFormula('y ~ (x | g) + (0 + x | g)'));
    expect(e.code).toBe('E_FORMULA');
    expect(e.message).toContain('"x" in a term on g');
    expect(caught(() => parseFormula('y ~ (x | g) + (1 | g)')).message).toContain('duplicate random term (1 | g)');
  });

  it('rejects a slope on the outcome and a term without effects', () => {
    expect(caught(() => parseFormula('y ~ (y | g)')).code).toBe('E_FORMULA');
    expect(caught(() => parseFormula('y ~ (0 | g)')).message).toContain('has no effects');
  });
});

describe('parseFormula: unsupported syntax', () => {
  it.each([
    ['y ~ (x:z | g)', 4, 'Random slopes on interactions ("(x:z | g)")'],
    ['y ~ (log(x) | g)', 4, 'Random slopes on formula functions ("log(x)"'],
    ['y ~ ns(x)', 4, '"ns(x)"'],
    ['log(y) ~ x', 0, '"log(y)"'],
    ['y ~ log(poly(x, 2))', 8, '"poly(x, 2)"'],
    ['y ~ x + factor(z)', 8, '"factor(z)"'],
    ['y ~ poly(x, 2)', 4, '"poly(x, 2)"'],
    ['y ~ x + (1 | f(g))', 13, '"f(g)"'],
    ['y ~ .', 4, '"."'],
    ['. ~ x', 0, '"."'],
    ['y ~ x + (1 | .)', 13, '"."'],
    ['y ~ a %o% b', 6, '"%o%"'],
  ])('%j throws E_UNSUPPORTED at position %i naming %s', (formula, position, named) => {
    const e = caught(() => parseFormula(formula));
    expect(e.code).toBe('E_UNSUPPORTED');
    expect(e.detail?.position).toBe(position);
    expect(e.message).toContain(named);
  });

  it('says what is supported', () => {
    expect(caught(() => parseFormula('y ~ (x:z | g)')).message).toContain('compute the product column');
    expect(caught(() => parseFormula('y ~ poly(x, 2)')).message).toContain(
      'the formula functions are within, between, log, log1p, exp, sqrt, scale, I, offset; compute other transformed columns',
    );
    expect(caught(() => parseFormula('log(y) ~ x')).message).toContain('not supported as the outcome');
    expect(caught(() => parseFormula('y ~ .')).message).toContain('list the covariates by name');
  });
});

describe('parseFormula: malformed formulas', () => {
  it.each([
    // empty / missing ~ / outcome
    ['', 0],
    ['   ', 0],
    ['y x', 2],
    ['y + x', 2],
    ['y', 1],
    ['(1|g)', 0],
    ['~ x', 0],
    ['  ~ x', 2],
    ['y ~', 3],
    ['y ~   ', 3],
    ['y ~ x ~ z', 6],
    ['y ~ ~ x', 4],
    ['y1 + y2 ~ x', 3],
    ['y1:y2 ~ x', 2],
    ['1 ~ x', 0],
    ['(1|g) ~ x', 0],
    ['y x ~ z', 2],
    ['y ~ y', 4],
    ['y ~ x + y:z', 8],
    ['y ~ x + (1 | y)', 13],
    // empty terms
    ['y ~ x + + z', 8],
    ['y ~ x +', 7],
    ['y ~ x + ', 7],
    ['y ~ + x', 4],
    ['y ~ x * ', 7],
    ['y ~ x : : z', 8],
    ['y ~ ()', 5],
    ['y ~ x + ( + z)', 10],
    // parentheses
    ['y ~ x + (1|la', 8],
    ['y ~ (x + z', 4],
    ['y ~ ((x)', 4],
    ['y ~ x)', 5],
    ['y ~ x + 1|la)', 12],
    ['y ~ (x))', 7],
    ['y ~ x) + (z', 5],
    ['y ~ log(x', 7],
    // bars
    ['y ~ x | g', 6],
    ['y ~ x + 1 | g', 10],
    ['y ~ x || g', 6],
    ['y ~ (1|)', 7],
    ['y ~ (1 | )', 9],
    ['y ~ (1 || )', 10],
    ['y ~ ( | g)', 6],
    ['y ~ (1|g|h)', 8],
    ['y ~ (1|g) + (1|g)', 12],
    ['y ~ (1|a/b) + (1|a)', 14],
    ['y ~ (1|a:b) + (1|b:a)', 14],
    ['y ~ (1|a) + (1|a/b)', 12],
    ['y ~ x - (1|g)', 8],
    ['y ~ -(1|g)', 5],
    ['y ~ x:(1|g)', 6],
    ['y ~ (x + (1|g))', 9],
    ['y ~ (1|a + b)', 7],
    ['y ~ (1|a*b)', 7],
    ['y ~ (1|1)', 7],
    ['y ~ (1|a:(b/c))', 11],
    ['y ~ (0|g)', 4],
    ['y ~ (1 - 1|g)', 4],
    // characters and tokens
    ['y ~ x $ z', 6],
    ['y ~ x # comment', 6],
    ['y ~ x z', 6],
    ['y ~ x 1', 6],
    ['y ~ 2', 4],
    ['y ~ x + 0.5', 8],
    ['y ~ x:1', 6],
    ['y ~ 0*x', 4],
    ['y ~ (a+b)^1', 10],
    ['y ~ (a+b)^x', 10],
    ['y ~ (a - a):b', 4],
    ['y ~ `x', 4],
    ['y ~ ``', 4],
    ['y ~ if + x', 4],
    ['y ~ NA', 4],
    ['y ~ x & z', 6],
    ['y ~ x %in', 6],
  ])('%j: E_FORMULA at position %i', (formula, position) => {
    const e = caught(() => parseFormula(formula));
    expect(e.code).toBe('E_FORMULA');
    expect(e.detail?.position).toBe(position);
    expect(e.message).toContain(`Formula error at position ${position}: `);
    expect(e.message).toContain(`"${formula}"`);
  });

  it('explains the problem', () => {
    const msg = (f: string): string => caught(() => parseFormula(f)).message;
    expect(msg('y ~ x + (1|la')).toBe(
      'Formula error at position 8: unbalanced parenthesis: "(" is never closed in "y ~ x + (1|la"',
    );
    expect(msg('y ~ x)')).toContain('")" has no matching "("');
    expect(msg('y + x')).toContain('missing "~"');
    expect(msg('~ x')).toContain('missing outcome');
    expect(msg('y ~ x ~ z')).toContain('repeated "~"');
    expect(msg('y1 + y2 ~ x')).toContain('only one outcome');
    expect(msg('y ~ x + + z')).toContain('empty term before "+"');
    expect(msg('y ~ x +')).toContain('missing term at the end');
    expect(msg('y ~ x | g')).toContain('"|" outside parentheses');
    expect(msg('y ~ (1|)')).toContain('empty random part');
    expect(msg('y ~ x $ z')).toContain('unexpected character "$"');
    expect(msg('y ~ x z')).toContain('missing operator before "z"');
    expect(msg('')).toContain('empty formula');
    expect(msg('y ~ (1|g) + (1|g)')).toContain('duplicate random term (1 | g)');
    expect(msg('y ~ (1|a) + (1|a/b)')).toContain('duplicate random term (1 | a) (from "(1|a/b)")');
  });
});

describe('parseFormula: object form', () => {
  it('builds the same ModelSpec as the formula', () => {
    const spec = parseFormula({ outcome: 'y', covariates: ['x', 'x1:x2'], groups: ['la', 'year'] });
    expect(spec).toEqual({
      outcome: 'y',
      intercept: true,
      fixed: [fx('x'), fx('x1:x2')],
      random: [rx('la'), rx('year')],
      text: 'y ~ x + x1:x2 + (1 | la) + (1 | year)',
    });
    expect(parseFormula('y ~ x + x1:x2 + (1|la) + (1|year)')).toEqual(spec);
  });

  it('defaults covariates and groups to none and the intercept to true', () => {
    expect(parseFormula({ outcome: 'y' })).toEqual({ outcome: 'y', intercept: true, fixed: [], random: [], text: 'y ~ 1' });
    expect(parseFormula({ outcome: 'y', groups: ['g'], intercept: false })).toEqual(parseFormula('y ~ 0 + (1|g)'));
  });

  it('orders, dedupes and labels covariates as the formula would', () => {
    expect(parseFormula({ outcome: 'y', covariates: ['a:b', 'c', 'b', 'b:a', 'c:c'] })).toEqual(
      parseFormula('y ~ a:b + c + b + b:a + c:c'),
    );
    expect(labels(parseFormula({ outcome: 'y', covariates: ['b', 'a', 'a:b'] }))).toEqual(['b', 'a', 'b:a']);
  });

  it('takes names literally, trims around ":" and writes non-syntactic names in backticks', () => {
    expect(parseFormula({ outcome: 'log wage', covariates: [' cpp rate : x '], groups: ['my la:region'] })).toEqual({
      outcome: 'log wage',
      intercept: true,
      fixed: [{ variables: ['cpp rate', 'x'], label: 'cpp rate:x' }],
      random: [{ group: 'my la:region', variables: ['my la', 'region'], columns: ['(Intercept)'] }],
      text: '`log wage` ~ `cpp rate`:x + (1 | `my la`:region)',
    });
  });

  it('treats JavaScript object keys as ordinary names', () => {
    const spec = parseFormula({ outcome: 'constructor', covariates: ['__proto__', 'toString:__proto__'], groups: ['hasOwnProperty'] });
    expect(spec.fixed).toEqual([fx('__proto__'), fx('__proto__:toString')]);
    expect(spec.random).toEqual([rx('hasOwnProperty')]);
  });

  it.each([
    [null, 'formula'],
    [42, 'formula'],
    [['y', 'x'], 'formula'],
    [{}, 'outcome'],
    [{ outcome: '' }, 'outcome'],
    [{ outcome: '  ' }, 'outcome'],
    [{ outcome: 3 }, 'outcome'],
    [{ outcome: 'y', covariates: 'x' }, 'covariates'],
    [{ outcome: 'y', covariates: [1] }, 'covariates'],
    [{ outcome: 'y', covariates: [''] }, 'covariates'],
    [{ outcome: 'y', covariates: ['a::b'] }, 'covariates'],
    [{ outcome: 'y', covariates: ['y'] }, 'covariates'],
    [{ outcome: 'y', covariates: null }, 'covariates'],
    [{ outcome: 'y', groups: 'g' }, 'groups'],
    [{ outcome: 'y', groups: [null] }, 'groups'],
    [{ outcome: 'y', groups: ['g:'] }, 'groups'],
    [{ outcome: 'y', groups: ['g', 'g'] }, 'groups'],
    [{ outcome: 'y', groups: ['a:b', 'b:a'] }, 'groups'],
    [{ outcome: 'y', groups: ['y'] }, 'groups'],
    [{ outcome: 'y', intercept: 'no' }, 'intercept'],
    [{ outcome: 'y', covariate: ['x'] }, 'covariate'],
  ])('rejects %j with E_OPTION (%s)', (input, option) => {
    const e = caught(() => parseFormula(input as never));
    expect(e.code).toBe('E_OPTION');
    expect(e.detail?.option).toBe(option);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const NAMES = ['a', 'b', 'c', 'x1', 'x.2', 'la', 'year', '`cpp rate`', 'constructor', '__proto__'];
const nameArb = fc.constantFrom(...NAMES);

/** A fixed term as tokens: a name or an interaction of names. */
const fixedTermArb = fc.array(nameArb, { minLength: 1, maxLength: 3 }).map((ns) => ns.flatMap((n, i) => (i ? [':', n] : [n])));

/** A random intercept with a distinct group, as tokens. */
const randomTermsArb = fc.uniqueArray(fc.constantFrom('g', 'h', 'k:m', 'region/la'), { maxLength: 3 }).map((gs) =>
  gs.map((g) => ['(', '1', '|', ...g.split(/([:/])/), ')']),
);

/** A valid formula as tokens: fixed summands (with optional intercept switch) and random terms. */
const formulaArb = fc
  .record({
    fixed: fc.array(fixedTermArb, { maxLength: 5 }),
    intercept: fc.constantFrom<string[]>([], ['0'], ['1'], ['-1']),
    random: randomTermsArb,
  })
  .filter((f) => f.fixed.length + f.intercept.length + f.random.length > 0)
  .map(({ fixed, intercept, random }) => {
    const summands = [...fixed, ...random];
    const rhs: string[] = [];
    if (intercept[0] === '-1') {
      rhs.push('-', '1');
    } else if (intercept.length > 0) rhs.push(intercept[0]);
    summands.forEach((s) => {
      if (rhs.length > 0) rhs.push('+');
      rhs.push(...s);
    });
    return ['y', '~', ...rhs];
  });

const join = (tokens: readonly string[], gaps: readonly string[]): string =>
  tokens.map((t, i) => (i === 0 ? t : (gaps[i % gaps.length] ?? '') + t)).join('');

describe('parseFormula: properties', () => {
  it('whitespace between tokens does not change the result', () => {
    fc.assert(
      fc.property(formulaArb, fc.array(fc.constantFrom('', ' ', '  ', '\t', '\n', ' \n '), { minLength: 1 }), (tokens, gaps) => {
        const plain = parseFormula(tokens.join(' '));
        expect(parseFormula(join(tokens, gaps))).toEqual(plain);
        expect(parseFormula(tokens.join(''))).toEqual(plain);
      }),
    );
  });

  it('reordering fixed terms does not change the set of terms, the intercept or the random part', () => {
    fc.assert(
      fc.property(
        fc.array(fixedTermArb, { minLength: 1, maxLength: 6 }).chain((terms) =>
          fc.tuple(fc.constant(terms), fc.shuffledSubarray(terms, { minLength: terms.length, maxLength: terms.length })),
        ),
        fc.boolean(),
        ([terms, shuffled], intercept) => {
          const write = (ts: string[][]): string =>
            `y ~ ${intercept ? '' : '0 + '}${ts.map((t) => t.join('')).join(' + ')} + (1 | la) + (1 | year)`;
          const a = parseFormula(write(terms));
          const b = parseFormula(write(shuffled));
          expect(termSet(b)).toEqual(termSet(a));
          expect(b.intercept).toBe(a.intercept);
          expect(b.random).toEqual(a.random);
          // main effects come first, then two-way, then three-way
          const orders = b.fixed.map((t) => t.variables.length);
          expect(orders).toEqual([...orders].sort((x, y) => x - y));
        },
      ),
    );
  });

  it('the canonical text parses back to the same model', () => {
    fc.assert(
      fc.property(formulaArb, (tokens) => {
        const spec = parseFormula(tokens.join(' '));
        const again = parseFormula(spec.text);
        expect(termSet(again)).toEqual(termSet(spec));
        expect(again.intercept).toBe(spec.intercept);
        expect(again.random).toEqual(spec.random);
        expect(again.outcome).toBe(spec.outcome);
        expect(parseFormula(again.text)).toEqual(again);
      }),
    );
  });

  it('the object form equals the formula it describes', () => {
    const plainNames = ['a', 'b', 'c', 'x1', 'la', 'year', 'cpp rate', 'constructor', '__proto__'];
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(...plainNames), { minLength: 1, maxLength: 3 }), { maxLength: 5 }),
        fc.uniqueArray(fc.constantFrom('g', 'h', 'k:m', 'm:k:n'), { maxLength: 3, selector: (g) => g.split(':').sort().join(':') }),
        fc.boolean(),
        (covariates, groupList, intercept) => {
          const cov = covariates.map((c) => c.join(':'));
          const spec = parseFormula({ outcome: 'y', covariates: cov, groups: groupList, intercept });
          const parts = [intercept ? '1' : '0', ...covariates.map((c) => c.map(formatName).join(':')), ...groupList.map((g) => `(1 | ${g})`)];
          expect(parseFormula(`y ~ ${parts.join(' + ')}`)).toEqual(spec);
        },
      ),
    );
  });

  const garbageTokens = [
    'y', 'x', 'g', '~', '+', '-', '*', ':', '/', '^', '|', '||', '(', ')', '0', '1', '2', '.', 'log(', '`a b`', '`',
    '%in%', '$', ' ', ',', 'if',
  ];

  const checkThrowsOnlyVardecompError = (input: string): void => {
    let spec: ModelSpec;
    try {
      spec = parseFormula(input);
    } catch (e) {
      expect(e).toBeInstanceOf(VardecompError);
      const err = e as VardecompError;
      expect(['E_FORMULA', 'E_UNSUPPORTED']).toContain(err.code);
      const pos = err.detail?.position;
      expect(Number.isInteger(pos)).toBe(true);
      expect(pos).toBeGreaterThanOrEqual(0);
      expect(pos).toBeLessThanOrEqual(input.length);
      if (err.code === 'E_FORMULA') expect(err.message).toContain(`Formula error at position ${String(pos)}: `);
      return;
    }
    // whatever parses has a consistent text
    expect(parseFormula(spec.text).random).toEqual(spec.random);
  };

  it('random token soup either parses or throws a VardecompError with a position', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...garbageTokens), { maxLength: 14 }), (ts) => checkThrowsOnlyVardecompError(ts.join(''))),
      { numRuns: 2000 },
    );
  });

  it('random formulas from a small grammar either parse or throw a VardecompError', () => {
    const { term } = fc.letrec<{ term: string; sum: string }>((tie) => ({
      term: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom('a', 'b', 'c', '0', '1', '.', 'log(a)'),
        fc.tuple(tie('term'), fc.constantFrom(':', '*', '/', '%in%'), tie('term')).map((p) => p.join(' ')),
        tie('sum').map((s) => `(${s})`),
        fc.tuple(tie('sum'), fc.constantFrom('|', '||'), tie('sum')).map(([l, b, r]) => `(${l} ${b} ${r})`),
        fc.tuple(tie('sum'), fc.constantFrom('1', '2', '3', 'a')).map(([s, p]) => `(${s})^${p}`),
      ),
      sum: fc
        .tuple(fc.boolean(), fc.array(fc.tuple(fc.constantFrom('+', '-'), tie('term')), { minLength: 1, maxLength: 4 }))
        .map(([neg, parts]) => parts.map(([op, t], i) => (i === 0 ? (neg ? '- ' : '') : ` ${op} `) + t).join('')),
    }));
    fc.assert(
      fc.property(term, term, (lhs, rhs) => {
        checkThrowsOnlyVardecompError(`y ~ ${rhs}`);
        checkThrowsOnlyVardecompError(`${lhs} ~ ${rhs}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('arbitrary strings either parse or throw a VardecompError with a position', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), checkThrowsOnlyVardecompError), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => checkThrowsOnlyVardecompError(`y ~ ${s}`)),
      { numRuns: 2000 },
    );
  });
});
