/**
 * GLMM inputs for `scripts/fuzz.ts` (`npm run fuzz -- --glmm`): Poisson and binomial models
 * through `fit`, `decompose`, `decomposeMany` and `compare` with `family` set.
 *
 * Data: count panels (Poisson draws with unit and period effects, unit random slopes on x, an
 * exposure column `pop` with its log `lpop`, overdispersion, units with all-zero counts, an
 * all-zero outcome, huge counts, a covariate `sep` that separates, a row with x at 1e6, a single
 * unit, two units, a row id `obs` for an observation-level term) and binomial responses in every form glmer takes
 * (0/1 `yb`, boolean `yl`, text yes/no `yt`, `cbind(s, f)` with some zero totals, a proportion `p`
 * with `weights` = trials `n`) with values out of range now and then; the usual chaos (missing
 * and odd cells, names that need quoting or are object keys, the three data shapes and CSV text).
 * Formulas: random intercepts, `(x | g)`, `(x || g)`, `(0 + x | g)`, nested and observation-level
 * terms, `offset(log(pop))`. Options: `family`, `link`, `offset`, `weights`, `approximation`,
 * `control`, small `intervals` (n 3 to 8), `method`, and a few that a GLMM refuses. A tenth of
 * the inputs are the general fuzz's random tables and formulas with a GLMM family.
 *
 * Input `index` of a run with `seed` comes from its own stream `Rng(seed).fork(index)`.
 */
import * as aq from 'arquero';
import { Rng } from '../src/index.js';
import { binomialDraw, poissonDraw } from '../src/random/count-samplers.js';
import { chance, pick, randomData, randomFormula, strayTokenCsv, weirdCell, type FuzzCase } from './fuzz.js';

type Family = 'poisson' | 'binomial';

/** Column names that need quoting in a formula or are object keys; the data use them as given. */
const ODD_NAMES = ['a b', '__proto__', 'constructor', 'toString', 'é', 'x.1', 'if'];

interface Panel {
  readonly rows: Array<Record<string, unknown>>;
  /** Column name as used in the data, by its role. */
  readonly name: (role: string) => string;
}

/** A count / binomial panel with the roles y, y2, x, z, sep, g, t, obs, region, pop, lpop, w, n, s, f, yb, yl, yt, p. */
function glmmPanel(rng: Rng, family: Family): Panel {
  const units = pick(rng, [1, 2, 2, 3, 5, 10, 20, 30, 40]);
  const periods = pick(rng, [1, 2, 3, 5, 8]);
  const sdU = pick(rng, [0, 0.2, 1, 1, 3]);
  const sdT = pick(rng, [0, 0, 0.5]);
  const sdObs = pick(rng, [0, 0, 0.5, 1.5]);
  const sdSlope = pick(rng, [0, 0, 0.5]);
  const bx = pick(rng, [0, 0.5, -1, 3]);
  const exposure = chance(rng, 0.3);
  const b0 =
    family === 'poisson'
      ? exposure
        ? pick(rng, [-9, -6, -3])
        : pick(rng, [-4, -1, 0, 1, 3, 8, 14])
      : pick(rng, [-6, -2, 0, 0, 2, 6]);
  const trials = pick(rng, [1, 1, 5, 20, 0]); // 0: a random number of trials per row
  const zeroTotals = chance(rng, 0.2);
  const zeroUnits = chance(rng, 0.2) ? 0.3 : 0;
  const allZero = chance(rng, 0.03);
  const u = Array.from({ length: units }, () => sdU * rng.normal());
  const us = Array.from({ length: units }, () => sdSlope * rng.normal());
  const zeroUnit = Array.from({ length: units }, () => chance(rng, zeroUnits));
  const v = Array.from({ length: periods }, () => sdT * rng.normal());
  const unbalanced = chance(rng, 0.3);
  const gLabel = chance(rng, 0.3) ? (i: number) => i : (i: number) => `U${i}`;
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < units; i++) {
    const nT = unbalanced ? 1 + rng.int(periods) : periods;
    for (let t = 0; t < nT; t++) {
      const x = chance(rng, 0.2) ? u[i] + rng.normal() : rng.normal();
      const pop = Math.round(10 ** (2 + 4 * rng.uniform()));
      const eta = b0 + (bx + us[i]) * x + u[i] + v[t] + sdObs * rng.normal() + (exposure ? Math.log(pop) : 0);
      const r: Record<string, unknown> = {
        x,
        z: rng.normal(),
        g: gLabel(i),
        t: 2000 + t,
        obs: `o${rows.length}`,
        region: pick(rng, ['N', 'S', 'E']),
        pop,
        lpop: Math.log(pop),
        w: 0.5 + rng.uniform(),
      };
      if (family === 'poisson') {
        const y = allZero || zeroUnit[i] ? 0 : poissonDraw(rng, Math.exp(Math.min(eta, 40)));
        r.y = y;
        r.y2 = allZero ? 0 : poissonDraw(rng, Math.exp(Math.min(0.5 * eta + rng.normal(), 40)));
        r.sep = y > 0 ? 1 : 0;
      } else {
        const p = 1 / (1 + Math.exp(-eta));
        const n = trials > 0 ? trials : 1 + rng.int(20);
        const nn = zeroTotals && chance(rng, 0.15) ? 0 : n;
        const s = allZero || zeroUnit[i] ? 0 : binomialDraw(rng, nn, p);
        const b = allZero || zeroUnit[i] ? 0 : binomialDraw(rng, 1, p);
        Object.assign(r, { n: nn, s, f: nn - s, p: nn > 0 ? s / nn : NaN, yb: b, yl: b === 1, yt: b === 1 ? 'yes' : 'no', sep: b });
        r.y = b;
        r.y2 = binomialDraw(rng, 1, 1 / (1 + Math.exp(-0.5 * eta)));
      }
      rows.push(r);
    }
  }
  // A covariate value on a wildly different scale (x 1e6 times its spread) in one row.
  if (chance(rng, 0.1) && rows.length > 0) {
    const r = rows[rng.int(rows.length)];
    r.x = (r.x as number) * 1e6;
  }
  // Values out of range: negative or fractional counts, 2 in a 0/1 column, s > n, p > 1.
  if (chance(rng, 0.08) && rows.length > 0) {
    const r = rows[rng.int(rows.length)];
    const col = pick(rng, family === 'poisson' ? ['y', 'y', 'pop', 'w'] : ['yb', 'y', 's', 'f', 'p', 'n', 'w', 'yt']);
    r[col] = pick(rng, [-1, 1.5, 2, 0.5, 1e300, -0.01, 'maybe', 1e9, true]);
  }
  // Missing and odd cells.
  const missing = pick(rng, [0, 0, 0, 0.02, 0.1]);
  const weird = pick(rng, [0, 0, 0, 0, 0.005, 0.02]);
  if (missing > 0 || weird > 0) {
    for (const r of rows) {
      for (const k of Object.keys(r)) {
        if (chance(rng, missing / 4)) r[k] = pick(rng, [null, undefined, NaN, '']);
        if (chance(rng, weird)) r[k] = weirdCell(rng);
      }
    }
  }
  if (chance(rng, 0.05) && rows.length > 0) rows.push(...rows.slice(0, 1 + rng.int(rows.length)));
  // A role renamed to a name that needs quoting or is an object key.
  const renamed = new Map<string, string>();
  if (chance(rng, 0.08)) renamed.set(pick(rng, ['g', 'x', 'y', 'obs', 'pop', 'n']), pick(rng, ODD_NAMES));
  const name = (role: string) => renamed.get(role) ?? role;
  const out = rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(r)) {
      Object.defineProperty(o, name(k), { value: val, enumerable: true, writable: true, configurable: true });
    }
    return o;
  });
  return { rows: out, name };
}

/** The panel in one of the data shapes: rows, columns, an arquero table, or read from CSV text. */
function shaped(rng: Rng, rows: Array<Record<string, unknown>>): unknown {
  const shape = rng.int(5);
  if (shape <= 1 || rows.length === 0) return rows;
  const names = Object.keys(rows[0]);
  const cols: Record<string, unknown[]> = {};
  for (const k of names) {
    Object.defineProperty(cols, k, { value: rows.map((r) => r[k]), enumerable: true, writable: true, configurable: true });
  }
  if (shape === 2) return cols;
  if (shape === 3 && cols.y !== undefined) return strayTokenCsv(rng, cols);
  try {
    return aq.table(cols);
  } catch {
    return cols;
  }
}

const quote = (name: string): string => (/^[A-Za-z._][A-Za-z0-9._]*$/.test(name) && name !== 'if' ? name : `\`${name}\``);

function glmmFormula(rng: Rng, family: Family, name: (role: string) => string): { formula: string; response: string } {
  const q = (role: string) => quote(name(role));
  const response =
    family === 'poisson'
      ? pick(rng, ['y', 'y', 'y', 'y2'])
      : pick(rng, ['yb', 'yl', 'yt', 'cbind', 'cbind', 'cbindn', 'p', 'y']);
  const lhs =
    response === 'cbind' ? `cbind(${q('s')}, ${q('f')})` : response === 'cbindn' ? `cbind(${q('s')}, ${q('n')} - ${q('s')})` : q(response);
  const fixed = [q('x'), q('z'), q('region'), q('sep'), `log(${q('pop')})`, `${q('x')}:${q('region')}`, `I(${q('x')}^2)`].filter((_, k) =>
    chance(rng, k === 0 ? 0.6 : k === 3 ? 0.08 : 0.15),
  );
  if (family === 'poisson' && chance(rng, 0.2)) fixed.push(`offset(log(${q('pop')}))`);
  if (chance(rng, 0.08)) fixed.unshift('0');
  const g = q('g');
  const pool = [
    `(1 | ${g})`, `(1 | ${g})`, `(1 | ${g})`, `(1 | ${q('t')})`, `(1 | ${q('obs')})`, `(1 | ${q('region')})`,
    `(${q('x')} | ${g})`, `(${q('x')} || ${g})`, `(0 + ${q('x')} | ${g})`, `(1 | ${g}:${q('t')})`, `(1 | ${q('region')}/${g})`,
  ];
  const k = chance(rng, 0.03) ? 0 : 1 + rng.int(3);
  const random = [...new Set(Array.from({ length: k }, () => pick(rng, pool)))];
  const rhs = [...fixed, ...random];
  return { formula: `${lhs} ~ ${rhs.length > 0 ? rhs.join(' + ') : '1'}`, response };
}

function glmmOptions(rng: Rng, family: Family, response: string, target: FuzzCase['target'], panel: Panel, nrows: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const r = rng.uniform();
  o.family = r < 0.93 ? family : pick(rng, [family === 'poisson' ? 'binomial' : 'poisson', 'Poisson', 'gaussian', 'gamma', 5, null, '']);
  if (chance(rng, 0.1)) o.link = pick(rng, [family === 'poisson' ? 'log' : 'logit', 'probit', 'identity', 'log', 'cloglog', 3]);
  if (family === 'poisson' && chance(rng, 0.2)) {
    const lpop = panel.rows.map((row) => row[panel.name('lpop')]);
    o.offset = pick(rng, [
      panel.name('lpop'),
      panel.name('lpop'),
      Float64Array.from(lpop, (v) => (typeof v === 'number' ? v : NaN)),
      lpop,
      lpop.slice(1),
      lpop.map((v, i) => (i === 0 ? NaN : v)),
      'nope',
      panel.name('pop'),
      5,
    ]);
  }
  if (response === 'p' ? chance(rng, 0.9) : chance(rng, 0.08)) {
    o.weights = pick(rng, [panel.name('n'), panel.name('n'), panel.name('w'), Array.from({ length: nrows }, () => 1 + rng.int(5)), [1, 2], 'nope']);
  }
  if (chance(rng, 0.08)) o.control = { maxEvaluations: pick(rng, [1, 3, 10, 50, 10_000]) };
  if (chance(rng, 0.02)) o.reml = false;
  if (target === 'decomposeMany') o.outcomes = chance(rng, 0.8) ? [panel.name('y2')] : [panel.name('y2'), panel.name('yb'), 'nope'].filter(() => chance(rng, 0.5));
  if (target !== 'fit') {
    if (chance(rng, 0.3)) o.method = pick(rng, ['components', 'components', 'components', 'sequential', 'shapley']);
    if (chance(rng, 0.3)) o.approximation = pick(rng, ['lognormal', 'delta', 'trigamma', 'lognormal', 'exact']);
    if (chance(rng, 0.12)) o.intervals = { n: 3 + rng.int(6), seed: rng.int(100) };
    if (chance(rng, 0.05)) o.labels = { [panel.name('g')]: 'unit', fixed: 'covariates' };
    if (chance(rng, 0.02)) o.order = ['fixed', panel.name('g')];
  }
  return o;
}

/** GLMM input `index` of the run with `seed`. */
export function generateGlmmCase(seed: number, index: number): FuzzCase {
  const rng = new Rng(seed).fork(index);
  const family: Family = chance(rng, 0.5) ? 'poisson' : 'binomial';
  const u = rng.uniform();
  const target: FuzzCase['target'] = u < 0.55 ? 'fit' : u < 0.85 ? 'decompose' : u < 0.97 ? 'decomposeMany' : 'compare';
  if (chance(rng, 0.1)) {
    // The general fuzz's random tables and formulas, with a GLMM family.
    const options: Record<string, unknown> = { family };
    if (target === 'decomposeMany') options.outcomes = ['x', 'z'].filter(() => chance(rng, 0.5));
    if (chance(rng, 0.2)) options.weights = 'w';
    return { index, target, data: randomData(rng), formula: randomFormula(rng), options };
  }
  const panel = glmmPanel(rng, family);
  const { formula, response } = glmmFormula(rng, family, panel.name);
  const options = glmmOptions(rng, family, response, target, panel, panel.rows.length);
  return { index, target, data: shaped(rng, panel.rows), formula, options };
}
