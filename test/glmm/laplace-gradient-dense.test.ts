/**
 * The analytic Laplace gradient (selected entries of M^-1 on cached patterns, the arrowhead
 * factorisation when the first term is nested) against a straightforward dense computation of the
 * same formulas: M = Lambda'Z'WZ Lambda + I formed and inverted in full with ml-matrix, q_i, the
 * traces and s = M^-1 Lambda'Z'a read from that inverse. Small models: the England Poisson model,
 * cbpp (one term), and generated data with an observation-level term over two crossed terms, three
 * crossed terms, two crossed terms meeting in windows of consecutive levels, a nested first term
 * crossed with a third, and a chain of nested terms.
 */
import * as aq from 'arquero';
import { Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { prepareGlmm, type GlmmModel } from '../../src/glmm/glmm-model.js';
import { laplaceGradient } from '../../src/glmm/laplace-gradient.js';
import { Pirls } from '../../src/glmm/pirls.js';
import { poissonDraw } from '../../src/random/count-samplers.js';
import { Rng } from '../../src/random/rng.js';
import { loadGlmmFixture } from '../helpers/glmm-fixtures.js';

/** The gradient formulas of src/glmm/laplace-gradient.ts with a dense M^-1. */
function denseGradient(model: GlmmModel, theta: ArrayLike<number>, mu: Float64Array, u: Float64Array) {
  const { n, y, priorWeights, design, terms, engineOrder, family } = model;
  const factors = engineOrder.map((fi) => terms.terms[fi].engineFactor());
  const th = engineOrder.map((fi) => theta[terms.engineOffsets[fi]]);
  const off: number[] = [];
  let q = 0;
  for (const f of factors) {
    off.push(q);
    q += f.nlevels;
  }
  const col = (k: number, i: number) => off[k] + factors[k].codes[i];
  const binomial = family.name === 'binomial';
  const w = new Float64Array(n);
  const wd = new Float64Array(n);
  const res = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = mu[i];
    const pw = priorWeights[i];
    res[i] = pw * (y[i] - m);
    w[i] = binomial ? pw * m * (1 - m) : pw * m;
    wd[i] = binomial ? w[i] * (1 - 2 * m) : w[i];
  }
  const M = Matrix.eye(q, q);
  for (let i = 0; i < n; i++)
    factors.forEach((_, k) =>
      factors.forEach((__, l) => M.set(col(k, i), col(l, i), M.get(col(k, i), col(l, i)) + th[k] * th[l] * w[i])),
    );
  const Minv = inverse(M);
  const a = new Float64Array(n);
  const t = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    let qi = 0;
    factors.forEach((_, k) => factors.forEach((__, l) => (qi += th[k] * th[l] * Minv.get(col(k, i), col(l, i)))));
    a[i] = wd[i] * qi;
    factors.forEach((_, k) => (t[col(k, i)] += th[k] * a[i]));
  }
  const s = Minv.mmul(Matrix.columnVector(Array.from(t))).getColumn(0);
  const gTheta = new Float64Array(theta.length);
  const cr = new Float64Array(n);
  const uc = new Float64Array(factors.length);
  for (let i = 0; i < n; i++) {
    let g = 0;
    factors.forEach((_, k) => (g += th[k] * s[col(k, i)]));
    const ci = a[i] - w[i] * g;
    cr[i] = ci - 2 * res[i];
    factors.forEach((_, k) => (uc[k] += u[col(k, i)] * ci));
  }
  factors.forEach((f, k) => {
    let ur = 0;
    let sr = 0;
    let tr = 0;
    for (let m = 0; m < f.nlevels; m++) {
      let zr = 0;
      for (let i = 0; i < n; i++) if (f.codes[i] === m) zr += res[i];
      ur += u[off[k] + m] * zr;
      sr += s[off[k] + m] * zr;
      tr += Minv.get(off[k] + m, off[k] + m);
    }
    gTheta[terms.engineOffsets[engineOrder[k]]] = -2 * ur + (th[k] > 0 ? (2 * (f.nlevels - tr)) / th[k] : 0) + uc[k] + sr;
  });
  const gBeta = new Float64Array(design.p);
  for (let jb = 0; jb < design.p; jb++) for (let i = 0; i < n; i++) gBeta[jb] += design.x[jb * n + i] * cr[i];
  return [...gTheta, ...gBeta];
}

/** Generated counts (Poisson) or 0/1 outcomes (binomial) over the given grouping columns. */
function generated(n: number, groups: Record<string, (i: number) => number>, family: 'poisson' | 'binomial', seed: number) {
  const rng = new Rng(seed);
  const cols: Record<string, unknown[]> = { x: [], resp: [] };
  for (const g of Object.keys(groups)) cols[g] = [];
  const effects: Record<string, number[]> = {};
  for (let i = 0; i < n; i++) {
    const x = rng.normal();
    let eta = 0.3 + 0.4 * x;
    for (const [g, f] of Object.entries(groups)) {
      const level = f(i);
      effects[g] ??= [];
      effects[g][level] ??= 0.6 * rng.normal();
      eta += effects[g][level];
      cols[g].push(`${g}${level}`);
    }
    cols.x.push(x);
    if (family === 'binomial') cols.resp.push(rng.uniform() < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
    else cols.resp.push(poissonDraw(rng, Math.exp(eta)));
  }
  return aq.table(cols);
}

interface Case {
  readonly name: string;
  readonly model: () => GlmmModel;
  readonly thetas: number[][];
}

const england = () => {
  const { fixture, table } = loadGlmmFixture('england-poisson');
  return prepareGlmm(table, fixture.formula, { family: fixture.family });
};
const cbpp = () => {
  const { fixture, table } = loadGlmmFixture('cbpp');
  return prepareGlmm(table, fixture.formula, { family: fixture.family });
};

const cases: Case[] = [
  { name: 'England Poisson (la_code and year crossed)', model: england, thetas: [[0.3, 0.1], [0.5, 0]] },
  { name: 'cbpp (one term)', model: cbpp, thetas: [[0.8]] },
  {
    name: 'observation-level term over two crossed terms (Poisson)',
    model: () =>
      prepareGlmm(generated(150, { obs: (i) => i, g1: (i) => i % 15, g2: (i) => Math.floor(i / 25) }, 'poisson', 3), 'resp ~ x + (1|obs) + (1|g1) + (1|g2)', {
        family: 'poisson',
      }),
    thetas: [[0.4, 0.7, 0.5], [0.4, 0, 0.5], [0.2, 0.9, 1.3]],
  },
  {
    name: 'three crossed terms (binomial)',
    model: () =>
      prepareGlmm(generated(240, { a: (i) => i % 20, b: (i) => (i * 7) % 9, c: (i) => Math.floor(i / 48) }, 'binomial', 5), 'resp ~ x + (1|a) + (1|b) + (1|c)', {
        family: 'binomial',
      }),
    thetas: [[0.9, 0.6, 0.4], [1.2, 0.3, 0]],
  },
  {
    // Each level of a meets a window of consecutive b levels (a run in the coupling pattern that
    // starts past b's first level for some, wraps around for others).
    name: 'two crossed terms, windows of consecutive levels (binomial)',
    model: () =>
      prepareGlmm(generated(240, { a: (i) => i % 30, b: (i) => ((i % 30) + Math.floor(i / 30)) % 10 }, 'binomial', 11), 'resp ~ x + (1|a) + (1|b)', {
        family: 'binomial',
      }),
    thetas: [[1.1, 0.7]],
  },
  {
    name: 'a nested first term crossed with a third (Poisson)',
    model: () =>
      prepareGlmm(
        generated(200, { cls: (i) => i % 40, school: (i) => (i % 40) % 10, year: (i) => Math.floor(i / 50) }, 'poisson', 7),
        'resp ~ x + (1|cls) + (1|school) + (1|year)',
        { family: 'poisson' },
      ),
    thetas: [[0.5, 0.8, 0.3]],
  },
  {
    name: 'a chain of nested terms under an observation-level term (Poisson)',
    model: () =>
      prepareGlmm(generated(160, { obs: (i) => i, brood: (i) => i % 32, loc: (i) => (i % 32) % 8 }, 'poisson', 9), 'resp ~ x + (1|obs) + (1|brood) + (1|loc)', {
        family: 'poisson',
      }),
    thetas: [[0.5, 0.6, 0.7], [0.5, 0.6, 0]],
  },
];

describe.each(cases)('laplaceGradient equals the dense computation: $name', ({ model: build, thetas }) => {
  const model = build();
  const pirls = new Pirls(model);
  it.each(thetas.map((theta) => ({ theta, label: theta.join(', ') })))('at theta ($label), to 1e-10 of the largest component', ({ theta }) => {
    const th = Float64Array.from(theta);
    expect(th.length).toBe(model.terms.engineOffsets.length);
    // Away from the joint (nAGQ = 0) estimate of beta, where X'r would be 0.
    const beta = pirls.run(th, null).beta.map((b, j) => b + 0.05 * (j + 1));
    pirls.run(th, beta);
    const u = new Float64Array(pirls.modeCount);
    pirls.saveModes(u);
    const mu = pirls.state().mu;
    const g = laplaceGradient(model, th, mu, u);
    const fast = [...g.theta, ...g.beta];
    const ref = denseGradient(model, th, mu, u);
    const scale = Math.max(...ref.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    fast.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThanOrEqual(1e-10 * scale));
    // A second call reuses the cached layout and scratch: the same numbers.
    const again = laplaceGradient(model, th, mu, u);
    expect([...again.theta, ...again.beta]).toEqual(fast);
  });
});
