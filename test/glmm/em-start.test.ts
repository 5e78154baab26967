/**
 * The EM-type start of stage 2 ({@link emStart}) on the glmer fixtures: from theta = 1 it reaches
 * the neighbourhood of glmer's optimum in a few steps, lowers the deviance, and leaves a variance
 * that starts at 0 at 0.
 */
import { describe, expect, it } from 'vitest';
import { EM_MAX_STEPS, emStart } from '../../src/glmm/em-start.js';
import { prepareGlmm } from '../../src/glmm/glmm-model.js';
import { Pirls } from '../../src/glmm/pirls.js';
import { loadGlmmFixture, thetaGroup } from '../helpers/glmm-fixtures.js';

const cases = process.env.VARDECOMP_GLMM_ALL
  ? ['cbpp', 'england-poisson', 'england-poisson-olre', 'grouseticks', 'verbagg']
  : ['cbpp', 'england-poisson', 'england-poisson-olre'];

function setUp(name: string) {
  const { fixture, table } = loadGlmmFixture(name);
  const model = prepareGlmm(table, fixture.formula, { family: fixture.family });
  // glmer's optimum theta in engine order
  const engineNames = model.terms.toEngineNames().map(thetaGroup);
  const optimum = engineNames.map((g) => fixture.optimum.theta[fixture.thetaNames.map(thetaGroup).indexOf(g)]);
  return { fixture, model, optimum };
}

describe.each(cases)('emStart: %s', (name) => {
  it('reaches within 25% of glmer\'s theta in a few steps from theta = 1, lowering the deviance', () => {
    const { model, optimum } = setUp(name);
    const k = optimum.length;
    const pirls = new Pirls(model);
    const atOne = pirls.run(new Float64Array(k).fill(1), null).deviance;
    const em = emStart(model, new Pirls(model), new Float64Array(k).fill(1));
    expect(em.steps).toBeGreaterThan(0);
    expect(em.steps).toBeLessThanOrEqual(EM_MAX_STEPS);
    em.theta.forEach((t, i) => expect(Math.abs(t - optimum[i]) / optimum[i]).toBeLessThan(0.25));
    expect(em.joint.deviance).toBeLessThan(atOne);
    expect(em.joint.beta.every(Number.isFinite)).toBe(true);
  });
});

describe('emStart at the boundary', () => {
  it('leaves a theta that starts at 0 at 0 and moves the others', () => {
    const { model } = setUp('england-poisson');
    const em = emStart(model, new Pirls(model), Float64Array.of(1, 0));
    expect(em.theta[1]).toBe(0);
    expect(em.theta[0]).toBeLessThan(0.5);
  });
});
