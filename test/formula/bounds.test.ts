/**
 * The parser's bounds: formulas nested too deep or expanding to too many terms are refused with
 * E_FORMULA naming the limit, quickly, instead of exhausting the stack or running for minutes.
 */
import { describe, expect, it } from 'vitest';
import { MAX_FORMULA_DEPTH, MAX_FORMULA_TERMS, parseFormula } from '../../src/formula/parse-formula.js';
import { VardecompError } from '../../src/errors.js';

function caught(f: () => unknown): VardecompError {
  try {
    f();
  } catch (e) {
    if (e instanceof VardecompError) return e;
    throw e;
  }
  throw new Error('expected a VardecompError');
}

const letters = 'abcdefghijklmnop'.split('');
const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `x${i}`);

describe('parseFormula: depth and size bounds', () => {
  it('refuses 1,367 nested parentheses with E_FORMULA (not a RangeError)', () => {
    const f = `y ~ ${'('.repeat(1367)}x${')'.repeat(1367)} + (1 | g)`;
    const e = caught(() => parseFormula(f));
    expect(e.code).toBe('E_FORMULA');
    expect(e.message).toContain(`more than ${MAX_FORMULA_DEPTH} levels deep (the limit)`);
    expect(e.message.length).toBeLessThan(500);
  });

  it('accepts nesting up to the limit', () => {
    const d = MAX_FORMULA_DEPTH - 1;
    expect(parseFormula(`y ~ ${'('.repeat(d)}x${')'.repeat(d)} + (1 | g)`).fixed.map((t) => t.label)).toEqual(['x']);
  });

  it('refuses a formula of 9,472 terms with E_FORMULA naming the term limit', () => {
    const f = `y ~ ${names(9472).join(' + ')} + (1 | g)`;
    const e = caught(() => parseFormula(f));
    expect(e.code).toBe('E_FORMULA');
    expect(e.message).toContain(`more than ${MAX_FORMULA_TERMS} fixed-effect terms (the limit)`);
  });

  it('accepts a sum of exactly the limit, and removes terms from a long sum', () => {
    const spec = parseFormula(`y ~ ${names(MAX_FORMULA_TERMS).join(' + ')} + (1 | g)`);
    expect(spec.fixed).toHaveLength(MAX_FORMULA_TERMS);
    expect(parseFormula(`y ~ ${names(500).join(' + ')} - x3 - 1 + (1 | g)`).fixed).toHaveLength(499);
  });

  it('refuses (a+...+p)^16 (65,535 terms) at once', () => {
    const e = caught(() => parseFormula(`y ~ (${letters.join('+')})^16 + (1 | g)`));
    expect(e.code).toBe('E_FORMULA');
    expect(e.detail?.position).toBe(4);
    expect(e.message).toContain(`more than ${MAX_FORMULA_TERMS} fixed-effect terms`);
  });

  it('refuses a*b*...*p (65,535 terms) and a 2,000-way interaction chain', () => {
    expect(caught(() => parseFormula(`y ~ ${letters.join('*')} + (1 | g)`)).code).toBe('E_FORMULA');
    const e = caught(() => parseFormula(`y ~ ${names(2000).join(':')} + (1 | g)`));
    expect(e.code).toBe('E_FORMULA');
    expect(e.message).toContain('levels deep');
  });

  it('refuses a long chain of powers and deep negations', () => {
    expect(caught(() => parseFormula(`y ~ x${'^2'.repeat(3000)} + (1 | g)`)).code).toBe('E_FORMULA');
    expect(caught(() => parseFormula(`y ~ ${'(-'.repeat(2000)}x${')'.repeat(2000)} + (1 | g)`)).code).toBe('E_FORMULA');
  });

  it('still expands (a+b+c+d)^4 fully', () => {
    expect(parseFormula('y ~ (a+b+c+d)^4 + (1 | g)').fixed).toHaveLength(15);
  });
});
