/**
 * A short, seeded version of `npm run fuzz`: random tables, formulas and options must give a
 * result or a VardecompError, never another exception, a non-finite estimate or a slow call.
 */
import { describe, expect, it } from 'vitest';
import { describeInput, formatCounts, generateCase, runFuzz, targets } from '../../scripts/fuzz.js';
import { generateGlmmCase } from '../../scripts/fuzz-glmm.js';

describe('fuzz (short, seeded)', () => {
  it('300 random inputs: only results and VardecompErrors', { timeout: 60_000 }, () => {
    const summary = runFuzz(20260324, 0, 300, 2000);
    const report = summary.failures
      .slice(0, 3)
      .map(({ case: c, outcome: o }) =>
        [`#${c.index} ${o.kind}: ${o.message}`, `formula ${describeInput(c.formula)}`, `options ${describeInput(c.options)}`, `data ${describeInput(c.data, 400)}`, o.stack ?? ''].join('\n'),
      )
      .join('\n\n');
    expect(summary.failures, `${formatCounts(summary.counts)}\n\n${report}`).toEqual([]);
    const total = Object.values(summary.counts).reduce((s, v) => s + v, 0);
    expect(total).toBe(300);
    // The generator reaches both successful fits and a variety of error codes.
    const kinds = new Set(Object.keys(summary.counts).map((k) => k.split(':').slice(1).join(':')));
    expect(kinds.has('ok')).toBe(true);
    for (const code of ['E_FORMULA', 'E_OPTION', 'E_COLUMN', 'E_NONNUMERIC', 'E_LEVELS']) expect(kinds.has(code), code).toBe(true);
  });

  it('150 GLMM inputs (npm run fuzz -- --glmm): only results and VardecompErrors', { timeout: 120_000 }, () => {
    // The per-call bound is generous (GLMM fits share the machine with the rest of the suite): a
    // slow call is `npm run fuzz -- --glmm`'s concern, where a covariate of 1e6 under a random
    // slope still takes seconds (seed 20260324, input 12).
    const summary = runFuzz(2, 0, 150, 10_000, undefined, undefined, generateGlmmCase);
    const report = summary.failures
      .slice(0, 3)
      .map(({ case: c, outcome: o }) => [`#${c.index} ${o.kind}: ${o.message}`, `formula ${describeInput(c.formula)}`, `options ${describeInput(c.options)}`, o.stack ?? ''].join('\n'))
      .join('\n\n');
    expect(summary.failures, `${formatCounts(summary.counts)}\n\n${report}`).toEqual([]);
    const kinds = new Set(Object.keys(summary.counts).map((k) => k.split(':').slice(1).join(':')));
    for (const code of ['ok', 'E_FORMULA', 'E_OPTION', 'E_CONSTANT', 'E_UNSUPPORTED']) expect(kinds.has(code), code).toBe(true);
    expect(Object.keys(summary.counts).some((k) => k.startsWith('decompose:ok'))).toBe(true);
  });

  it('inputs are reproducible from (seed, index)', () => {
    const a = generateCase(7, 123);
    const b = generateCase(7, 123);
    expect(describeInput(a)).toBe(describeInput(b));
    expect(describeInput(generateGlmmCase(7, 123))).toBe(describeInput(generateGlmmCase(7, 123)));
    expect(targets).toContain('fit');
  });
});
