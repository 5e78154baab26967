/**
 * Fuzz the public entry points with random, mostly broken, inputs: every call must return a
 * result or throw a VardecompError. Anything else (TypeError, RangeError, a hang, a call slower
 * than the time bound, a result with non-finite estimates, a GLMM fit whose deviance a scaled
 * theta lowers or its own criterion does not reproduce) is a failure.
 *
 *   npm run fuzz                          # 10,000 inputs, seed 1
 *   npm run fuzz -- --n 50000 --seed 7
 *   npm run fuzz -- --seed 7 --only 1234  # replay one input and print it with the stack
 *   npm run fuzz -- --glmm --n 5000       # GLMM inputs only (scripts/fuzz-glmm.ts)
 *
 * Inputs: random tables (missing cells, strings in numeric columns, duplicated rows, empty
 * tables, NaN/Infinity, booleans, nested objects, symbols, huge and tiny numbers, names that are
 * object keys) in the three data shapes, as CSV text with stray tokens in numeric columns (read by
 * `parseTable`) and as garbage; formulas generated from a grammar, then
 * randomly mutated; formula objects; random options. Targets: `fit`, `decompose`, `compare`,
 * `decomposeMany`, and `cells` (cell statistics by `cellsFromTable` or `cellsFromRows`, then
 * `fitCells` and `decompose` of that fit). Each input `i` is generated from its own
 * stream `Rng(seed).fork(i)`, so any input can be replayed alone.
 *
 * The loop runs in a worker thread; the main thread is a watchdog that ends the worker if one
 * call makes no progress for `--hang` ms (default 10 s) and reports that input as a hang.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import * as api from '../src/index.js';
import { Rng, VardecompError, fit, type GlmmFit, type LmmFit } from '../src/index.js';
import { generateGlmmCase } from './fuzz-glmm.js';

// ---------------------------------------------------------------------------------------------
// Input generation

/** One fuzz input: the entry point and its arguments. */
export interface FuzzCase {
  readonly index: number;
  readonly target: 'fit' | 'decompose' | 'compare' | 'decomposeMany' | 'cells';
  readonly data: unknown;
  readonly formula: unknown;
  readonly options: unknown;
}

const NAMES = ['y', 'x', 'z', 'g', 'h', 't', 'w', 'region', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a b', 'if', '', 'x.1', '_u', 'é'];
const CORE = ['y', 'x', 'z', 'g', 'h', 't', 'w'];
const LEVELS = ['a', 'b', 'c', 'd', 'e', '__proto__', 'constructor', '1', 'A B', ''];

export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];
export const chance = (rng: Rng, p: number): boolean => rng.uniform() < p;

/** A cell that is not an ordinary number or label. */
export function weirdCell(rng: Rng): unknown {
  switch (rng.int(30)) {
    case 0: return null;
    case 1: return undefined;
    case 2: return NaN;
    case 3: return Infinity;
    case 4: return -Infinity;
    case 5: return '';
    case 6: return '   ';
    case 7: return true;
    case 8: return false;
    case 9: return 'abc';
    case 10: return '1.5';
    case 11: return { a: 1 };
    case 12: return [1, 2];
    case 13: return new Date(0);
    case 14: return 1e300;
    case 15: return -1e300;
    case 16: return 1e-300;
    case 17: return 5e-324;
    case 18: return -0;
    case 19: return 2 ** 53;
    case 20: return 10n;
    case 21: return Symbol('s');
    case 22: return () => 1;
    case 23: return Object.create(null);
    case 24: return new Map([[1, 2]]);
    case 25: return [];
    case 26: return { valueOf: () => 3 };
    case 27: return new Float64Array(2);
    case 28: return 1e64 * (rng.uniform() + 0.5);
    default: return { nested: { deeper: [null, { x: 1 }] } };
  }
}

type ColumnKind = 'numeric' | 'integer' | 'label' | 'constant' | 'weights' | 'mixed';

function column(rng: Rng, kind: ColumnKind, n: number, missing: number, weird: number): unknown[] {
  const levels = 1 + rng.int(Math.max(1, Math.min(12, n)));
  const scale = chance(rng, 0.1) ? 10 ** (rng.int(40) - 20) : 1;
  const offset = chance(rng, 0.1) ? 10 ** rng.int(12) : 0;
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    let v: unknown;
    switch (kind) {
      case 'numeric': v = offset + scale * rng.normal(); break;
      case 'integer': v = rng.int(levels); break;
      case 'label': v = pick(rng, LEVELS.slice(0, Math.max(1, levels))); break;
      case 'constant': v = 4; break;
      case 'weights': v = chance(rng, 0.9) ? 0.1 + rng.uniform() * 3 : pick(rng, [0, -1, NaN, Infinity, 1e-80, 1e80]); break;
      default: v = chance(rng, 0.5) ? rng.normal() : pick(rng, LEVELS);
    }
    if (chance(rng, missing)) v = pick(rng, [null, undefined, NaN, '', ' ']);
    if (chance(rng, weird)) v = weirdCell(rng);
    out[i] = v;
  }
  return out;
}

/** A column object with a plausible panel shape (group columns that repeat, a response). */
function panelColumns(rng: Rng, n: number, names: string[]): Record<string, unknown[]> {
  const missing = pick(rng, [0, 0, 0.05, 0.3, 0.9]);
  const weird = pick(rng, [0, 0, 0, 0.01, 0.1]);
  const cols: Record<string, unknown[]> = {};
  const set = (name: string, values: unknown[]) =>
    Object.defineProperty(cols, name, { value: values, enumerable: true, writable: true, configurable: true });
  for (const name of names) {
    const kind: ColumnKind = ['g', 'h', 't', 'region'].includes(name)
      ? pick(rng, ['integer', 'label', 'label', 'integer', 'constant', 'mixed'])
      : name === 'w'
        ? 'weights'
        : pick(rng, ['numeric', 'numeric', 'numeric', 'integer', 'label', 'constant', 'mixed']);
    set(name, column(rng, kind, n, missing, weird));
  }
  // Sometimes a response that depends on the groups, so that fits succeed and exercise the engine.
  if (chance(rng, 0.6) && names.includes('y')) {
    const g = cols.g ?? cols.t;
    const x = cols.x;
    set(
      'y',
      Array.from({ length: n }, (_, i) => {
        if (chance(rng, missing * 0.3)) return null;
        const gv = g?.[i];
        const gi = typeof gv === 'number' ? gv : typeof gv === 'string' ? gv.length : 0;
        const xi = x && typeof x[i] === 'number' ? (x[i] as number) : 0;
        return 2 + 0.5 * gi + 0.3 * xi + rng.normal();
      }),
    );
  }
  return cols;
}

function toRows(cols: Record<string, unknown[]>, n: number): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const r: Record<string, unknown> = {};
    for (const k of Object.keys(cols)) {
      Object.defineProperty(r, k, { value: cols[k][i], enumerable: true, writable: true, configurable: true });
    }
    rows.push(r);
  }
  return rows;
}

export function randomData(rng: Rng): unknown {
  const r = rng.uniform();
  if (r < 0.04) return pick(rng, [null, undefined, 5, 'y,x\n1,2', true, () => [], new Map(), new Set([1]), new Date(), new Float64Array(4), Symbol('d'), 10n]);
  const n = chance(rng, 0.05) ? 0 : chance(rng, 0.05) ? 1 + rng.int(3) : chance(rng, 0.1) ? 100 + rng.int(400) : 4 + rng.int(60);
  const names = chance(rng, 0.85)
    ? CORE.filter(() => chance(rng, 0.8)).concat(chance(rng, 0.2) ? [pick(rng, NAMES)] : [])
    : NAMES.filter(() => chance(rng, 0.4));
  const cols = panelColumns(rng, n, [...new Set(names)]);
  // Duplicated rows.
  if (chance(rng, 0.1) && n > 0) {
    for (const k of Object.keys(cols)) cols[k] = cols[k].concat(cols[k].slice(0, 1 + rng.int(n)));
  }
  const rows = Object.keys(cols).length > 0 ? cols[Object.keys(cols)[0]].length : n;
  const shape = rng.int(10);
  if (shape < 4) {
    const rs: unknown[] = toRows(cols, rows);
    if (chance(rng, 0.05) && rs.length > 0) rs[rng.int(rs.length)] = weirdCell(rng);
    if (chance(rng, 0.03)) rs.push(undefined);
    return rs;
  }
  if (shape < 8) {
    const out: Record<string, unknown> = { ...cols };
    if (chance(rng, 0.05) && Object.keys(out).length > 0) {
      const k = pick(rng, Object.keys(out));
      out[k] = (out[k] as unknown[]).slice(1); // unequal lengths
    }
    if (chance(rng, 0.05)) out.extra = weirdCell(rng);
    if (chance(rng, 0.1) && out.x) out.x = Float64Array.from(out.x as unknown[], (v) => (typeof v === 'number' ? v : NaN));
    return out;
  }
  try {
    // arquero: its own limits (a "__proto__" column) must still give a VardecompError later.
    return aq.table(cols);
  } catch {
    return cols;
  }
}

const SYNTACTIC = /^[A-Za-z._][A-Za-z0-9._]*$/;
const RESERVED = new Set(['if', 'else', 'TRUE', 'FALSE', 'NULL', 'NA', 'Inf', 'NaN', 'in', 'for', 'function', 'while', 'repeat', 'next', 'break']);

function nameText(rng: Rng, name: string): string {
  const needsQuote = !SYNTACTIC.test(name) || RESERVED.has(name) || name === '.';
  if (needsQuote && chance(rng, 0.9)) return `\`${name}\``;
  if (!needsQuote && chance(rng, 0.05)) return `\`${name}\``;
  return name;
}

function randomFormulaText(rng: Rng): string {
  const nm = () => nameText(rng, chance(rng, 0.85) ? pick(rng, CORE) : pick(rng, NAMES));
  const outcome = chance(rng, 0.9) ? nameText(rng, pick(rng, ['y', 'y', 'y', 'x', '__proto__', 'constructor'])) : pick(rng, ['log(y)', 'y + x', 'cbind(y, x)', '']);
  const fixed: string[] = [];
  const nf = rng.int(4);
  for (let i = 0; i < nf; i++) {
    const a = nm();
    const b = nm();
    fixed.push(
      pick(rng, [a, a, a, `${a}:${b}`, `${a}*${b}`, `${a}/${b}`, `(${a} + ${b})^2`, `${a} %in% ${b}`, `I(${a}^2)`, `-${a}`, '1', '0', '- 1', '.']),
    );
  }
  const random: string[] = [];
  const nr = chance(rng, 0.1) ? 0 : 1 + rng.int(3);
  for (let i = 0; i < nr; i++) {
    const g = nameText(rng, pick(rng, ['g', 'g', 'h', 't', 'region', 'x', '__proto__']));
    const h = nameText(rng, pick(rng, ['h', 't', 'g']));
    random.push(pick(rng, [`(1 | ${g})`, `(1 | ${g})`, `(1|${g})`, `(1 | ${g}:${h})`, `(1 | ${g}/${h})`, `(${nm()} | ${g})`, `(1 || ${g})`, `(0 + ${nm()} | ${g})`, `(1 + ${nm()} | ${g})`]));
  }
  const terms = [...fixed, ...random];
  const rhs = terms.length === 0 ? pick(rng, ['', '1', '0']) : terms.join(pick(rng, [' + ', '+', ' +  ']));
  return `${outcome} ~ ${rhs}`;
}

const MUTATION_CHARS = '~+-*:/^|()` 01.%$,\n\t"\'#[]{}!@&=<>\\';

function mutate(rng: Rng, s: string): string {
  let out = s;
  const k = 1 + rng.int(3);
  for (let j = 0; j < k; j++) {
    const pos = rng.int(out.length + 1);
    switch (rng.int(8)) {
      case 0: out = out.slice(0, pos) + out.slice(pos + 1); break; // delete
      case 1: out = out.slice(0, pos) + pick(rng, [...MUTATION_CHARS]) + out.slice(pos); break; // insert
      case 2: out = out.slice(0, pos) + pick(rng, [...MUTATION_CHARS]) + out.slice(pos + 1); break; // replace
      case 3: { const len = 1 + rng.int(6); out = out.slice(0, pos) + out.slice(pos, pos + len) + out.slice(pos); break; } // duplicate
      case 4: out = out.slice(0, pos); break; // truncate
      case 5: out = out.slice(0, pos) + '~' + out.slice(pos); break;
      case 6: out = out.slice(0, pos) + pick(rng, ['(', ')', '((', '))', '||']) + out.slice(pos); break;
      default: out = out.slice(0, pos) + String.fromCharCode(rng.int(0x3000)) + out.slice(pos); break;
    }
  }
  return out;
}

/** Formulas at and beyond the parser's depth and size limits (deep nesting, long sums, big powers). */
function deepFormulaText(rng: Rng): string {
  const k = pick(rng, [50, 99, 100, 101, 400, 1367, 5000]);
  const vars = (n: number) => Array.from({ length: n }, (_, i) => `x${i}`);
  const rhs = pick(rng, [
    () => `${'('.repeat(k)}x${')'.repeat(k)}`,
    () => `${'(-'.repeat(k)}x${')'.repeat(k)}`,
    () => vars(k * 2).join(' + '),
    () => vars(Math.min(k, 3000)).join(':'),
    () => `x${'^2'.repeat(k)}`,
    () => `(${vars(8 + rng.int(12)).join(' + ')})^${2 + rng.int(18)}`,
    () => vars(8 + rng.int(12)).join('*'),
    () => `${'log('.repeat(Math.min(k, 200))}x${')'.repeat(Math.min(k, 200))}`,
  ])();
  return `y ~ ${rhs} + (1 | g)`;
}

export function randomFormula(rng: Rng): unknown {
  const r = rng.uniform();
  if (r < 0.02) return deepFormulaText(rng);
  if (r < 0.03) return pick(rng, [null, undefined, 5, [], ['y ~ (1|g)'], true, Symbol('f'), () => 'y ~ (1|g)']);
  if (r < 0.13) {
    const obj: Record<string, unknown> = {};
    if (chance(rng, 0.9)) obj.outcome = chance(rng, 0.85) ? pick(rng, ['y', 'y', 'x', '__proto__', ' y ', '']) : weirdCell(rng);
    if (chance(rng, 0.7)) obj.covariates = chance(rng, 0.85) ? CORE.filter(() => chance(rng, 0.3)).map((c) => (chance(rng, 0.1) ? `${c}:g` : c)) : weirdCell(rng);
    if (chance(rng, 0.9)) obj.groups = chance(rng, 0.85) ? ['g', 'h', 't', 'g:h', 'region', ''].filter(() => chance(rng, 0.4)) : weirdCell(rng);
    if (chance(rng, 0.2)) obj.intercept = chance(rng, 0.8) ? chance(rng, 0.5) : weirdCell(rng);
    if (chance(rng, 0.05)) obj[pick(rng, ['group', 'random', '__proto__'])] = ['g'];
    return obj;
  }
  const text = randomFormulaText(rng);
  return chance(rng, 0.35) ? mutate(rng, text) : text;
}

function randomOptions(rng: Rng, target: FuzzCase['target']): unknown {
  const r = rng.uniform();
  if (r < 0.4) return chance(rng, 0.5) ? undefined : {};
  if (r < 0.45) return pick(rng, [null, 5, 'reml', [], true]);
  const o: Record<string, unknown> = {};
  if (chance(rng, 0.5)) o.reml = chance(rng, 0.9) ? chance(rng, 0.5) : pick(rng, ['yes', 1, null, 'false']);
  if (chance(rng, 0.2)) {
    o.weights = pick(rng, ['w', 'w', 'x', 'nope', 5, null, [1, 2, 3], { length: 2 }, true]);
    if (chance(rng, 0.3)) o.weights = Array.from({ length: 4 + rng.int(60) }, () => (chance(rng, 0.9) ? 0.5 + rng.uniform() : weirdCell(rng)));
  }
  if (chance(rng, 0.25)) {
    const c: Record<string, unknown> = {};
    if (chance(rng, 0.7)) c.maxEvaluations = pick(rng, [1, 2, 5, 20, 1000, -1, 0, 2.5, NaN, Infinity, '10']);
    if (chance(rng, 0.3)) c.simplexTolerance = pick(rng, [1e-12, 1e-4, 0, -1, NaN, 'x']);
    if (chance(rng, 0.3)) c.stepTolerance = pick(rng, [1e-14, 1e-3, 0, Infinity]);
    if (chance(rng, 0.05)) c.tolerance = 1;
    o.control = chance(rng, 0.9) ? c : pick(rng, ['fast', [], null, 3]);
  }
  if (target !== 'fit') {
    if (target === 'decomposeMany') o.outcomes = chance(rng, 0.9) ? ['x', 'z', 'y', 'g', 'nope'].filter(() => chance(rng, 0.3)) : weirdCell(rng);
    if (chance(rng, target === 'compare' ? 0.05 : 0.6)) o.method = pick(rng, ['components', 'sequential', 'shapley', 'components', 'anova', 3]);
    // (intervals: true means the default 1,000 bootstrap refits: too slow for a fuzz loop.)
    if (chance(rng, 0.1)) o.intervals = pick(rng, [false, { n: 3 + rng.int(5), seed: rng.int(100) }, { n: -1 }, 'yes', { n: 2.5 }]);
    if (chance(rng, 0.05)) o.labels = pick(rng, [{ g: 'Group' }, 5, ['a']]);
    if (chance(rng, 0.05)) o.order = pick(rng, [['g', 'fixed'], 'g', [1]]);
  }
  if (chance(rng, 0.05)) o[pick(rng, ['REML', 'weight', 'seed', '__proto__'])] = 1;
  return o;
}

type Entry = (data: unknown, formula: unknown, options: unknown) => unknown;
const apiRecord = api as unknown as Record<string, unknown>;
/**
 * decomposeMany(data, { outcomes, rhs, ...options }): the formula's outcome plus the other
 * numeric columns named in `options.outcomes` (set by the generator), and the formula's right side.
 */
function manyEntry(data: unknown, formula: unknown, options: unknown): unknown {
  const many = apiRecord.decomposeMany as (d: unknown, o: unknown) => unknown;
  if (typeof formula !== 'string' || typeof options !== 'object' || options === null) return many(data, options);
  const tilde = formula.indexOf('~');
  const lhs = formula.slice(0, Math.max(tilde, 0)).trim();
  const extra = (options as { outcomes?: unknown }).outcomes;
  const outcomes = Array.isArray(extra) ? [lhs, ...extra.filter((o) => o !== lhs)] : extra;
  return many(data, { ...options, outcomes, rhs: formula.slice(tilde + 1) });
}

/**
 * The cells path: the options' `weights` go to the cell builder (arquero's rollup or the row
 * builder, alternately by formula length), the rest to `fitCells`; a fit is then decomposed
 * from its cells.
 */
function cellsEntry(data: unknown, formula: unknown, options: unknown): unknown {
  const o = (typeof options === 'object' && options !== null ? options : {}) as Record<string, unknown>;
  const { weights, method, intervals, ...fitOptions } = o;
  const build = typeof formula === 'string' && formula.length % 2 === 1 ? api.cellsFromTable : api.cellsFromRows;
  const cells = build(data as never, formula as never, (weights === undefined ? {} : { weights }) as never);
  const lmm = api.fitCells(cells, formula as never, fitOptions as never);
  return api.decompose(lmm, { ...(method === undefined ? {} : { method }), ...(intervals === undefined ? {} : { intervals }) } as never);
}

const ENTRY: Record<FuzzCase['target'], Entry | undefined> = {
  fit: fit as unknown as Entry,
  decompose: typeof apiRecord.decompose === 'function' ? (apiRecord.decompose as Entry) : undefined,
  compare: typeof apiRecord.compare === 'function' ? (apiRecord.compare as Entry) : undefined,
  decomposeMany: typeof apiRecord.decomposeMany === 'function' ? manyEntry : undefined,
  cells: typeof apiRecord.fitCells === 'function' && typeof apiRecord.cellsFromTable === 'function' ? cellsEntry : undefined,
};

/** The entry points present in this build. */
export const targets = (Object.keys(ENTRY) as Array<FuzzCase['target']>).filter((k) => ENTRY[k] !== undefined);

/** A plausible panel: group columns that repeat, numeric covariates, few oddities. */
function plausibleData(rng: Rng): unknown {
  const units = 3 + rng.int(25);
  const periods = 1 + rng.int(8);
  const missing = pick(rng, [0, 0, 0.02, 0.1, 0.4]);
  const weird = pick(rng, [0, 0, 0, 0, 0.005, 0.02]);
  const sd = [pick(rng, [0, 1e-6, 0.3, 1, 1e3]), pick(rng, [0, 0.3, 1]), pick(rng, [1e-6, 0.5, 1, 1e4])];
  const scale = pick(rng, [1, 1, 1, 1e-8, 1e8]);
  const offset = pick(rng, [0, 0, 1e6, -1e9]);
  // Precision weights in any unit (1e-16 to 1e16), sometimes all equal.
  const wScale = pick(rng, [1, 1, 1, 1, 1e-16, 1e-8, 1e8, 1e16, 1e-64, 1e60]);
  const wEqual = chance(rng, 0.2);
  const u = Array.from({ length: units }, () => sd[0] * rng.normal());
  const v = Array.from({ length: periods }, () => sd[1] * rng.normal());
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < units; i++) {
    const nT = chance(rng, 0.2) ? 1 + rng.int(periods) : periods;
    for (let t = 0; t < nT; t++) {
      const x = chance(rng, 0.3) ? u[i] + rng.normal() : rng.normal();
      const r: Record<string, unknown> = {
        y: offset + scale * (1 + 0.5 * x + u[i] + v[t] + sd[2] * rng.normal()),
        x: chance(rng, 0.1) ? x * 1e6 : x,
        z: chance(rng, 0.05) ? 2 * x : rng.normal(),
        g: chance(rng, 0.5) ? `G${i}` : i,
        h: `H${i % 3}`,
        t: 2000 + t,
        w: wScale * (wEqual ? 1 : 0.5 + rng.uniform()),
        region: pick(rng, ['N', 'S', 'E']),
      };
      for (const k of Object.keys(r)) {
        if (chance(rng, missing / 4)) r[k] = pick(rng, [null, undefined, NaN, '']);
        if (chance(rng, weird)) r[k] = weirdCell(rng);
      }
      rows.push(r);
    }
  }
  // A second outcome observed on the same rows as y (decomposeMany reuses the design for it):
  // sometimes degenerate (exactly linear in x, constant within g, out of range, one odd cell).
  const y2Kind = rng.int(8);
  const odd = rng.int(Math.max(rows.length, 1));
  rows.forEach((r, i) => {
    const y = r.y;
    const x = typeof r.x === 'number' ? r.x : 0;
    const g = typeof r.g === 'number' ? r.g : typeof r.g === 'string' ? r.g.length : 0;
    if (typeof y !== 'number' || !Number.isFinite(y)) r.y2 = y;
    else if (y2Kind === 0) r.y2 = 2 - 3 * x;
    else if (y2Kind === 1) r.y2 = 0.7 * g;
    else if (y2Kind === 2) r.y2 = y * 1e300;
    else if (y2Kind === 3) r.y2 = i === odd ? pick(rng, [10n, Symbol('y2'), 'abc', { v: 1 }, true, weirdCell(rng)]) : -y;
    else r.y2 = y * 0.5 + rng.normal();
  });
  if (chance(rng, 0.1) && rows.length > 0) rows.push(...rows.slice(0, 1 + rng.int(rows.length)));
  const shape = rng.int(4);
  if (shape === 0) return rows;
  const cols: Record<string, unknown[]> = {};
  for (const k of ['y', 'x', 'z', 'g', 'h', 't', 'w', 'region', 'y2']) cols[k] = rows.map((r) => r[k]);
  if (shape === 3) return strayTokenCsv(rng, cols);
  return shape === 1 ? cols : aq.table(cols);
}

const STRAY_TOKENS = ['NA', 'N/A', 'null', '.', '#N/A', 'NaN', 'Inf', '-Inf', '0.47%', ' ', '"1.5"', '1,234.5', 'n.a.', '""'];

/**
 * The panel as CSV text (R style: quoted strings, NA, sometimes CRLF and a BOM) with stray tokens
 * in its cells, read by the library's reader; the text itself when the reader refuses it.
 */
export function strayTokenCsv(rng: Rng, cols: Record<string, unknown[]>): unknown {
  const names = Object.keys(cols);
  const cell = (v: unknown): string =>
    typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'NA')
    : v === null || v === undefined ? ''
    : `"${(typeof v === 'object' || typeof v === 'function' ? Object.prototype.toString.call(v) : String(v)).replace(/"/g, '""')}"`;
  const lines = [names.join(',')];
  for (let i = 0; i < cols.y.length; i++) {
    const cells = names.map((k) => cell(cols[k][i]));
    if (chance(rng, 0.05)) cells[rng.int(names.length)] = pick(rng, STRAY_TOKENS);
    lines.push(cells.join(','));
  }
  const eol = chance(rng, 0.2) ? '\r\n' : '\n';
  const text = `${chance(rng, 0.1) ? '\ufeff' : ''}${lines.join(eol)}${eol}`;
  try {
    return api.parseTable(text, chance(rng, 0.2) ? { types: { x: 'numeric' } } : {}).table;
  } catch (e) {
    if (e instanceof VardecompError) return text;
    throw e;
  }
}

function plausibleFormula(rng: Rng): unknown {
  const fixed = ['x', 'z', 'x:z', 'region', 'x*region', 'h'].filter(() => chance(rng, 0.25));
  // Formula functions now and then (within/between, transforms, an offset).
  if (chance(rng, 0.2)) fixed.push(pick(rng, ['within(x, g)', 'between(x, g)', 'I(x^2)', 'scale(z)', 'log(abs(x))', 'log(x + 100)', 'offset(z)', 'log(x):region']));
  let random = ['(1 | g)', '(1 | t)', '(1 | h)', '(1 | g:h)', '(1 | h/g)', '(1 | region)'].filter(() => chance(rng, 0.4));
  if (random.includes('(1 | h/g)') && chance(rng, 0.9)) random = random.filter((r) => r !== '(1 | g:h)' && r !== '(1 | h)');
  if (random.length === 0) random.push('(1 | g)');
  if (chance(rng, 0.1)) return { outcome: 'y', covariates: fixed.filter((f) => !f.includes('*') && !f.includes('(')), groups: random.map((r) => r.slice(4, -1).trim()).filter((g) => !g.includes('/')) };
  const intercept = chance(rng, 0.1) ? ['0'] : [];
  return `y ~ ${[...intercept, ...(fixed.length ? fixed : intercept.length ? [] : ['1']), ...random].join(' + ')}`;
}

function plausibleOptions(rng: Rng, target: FuzzCase['target']): unknown {
  const o: Record<string, unknown> = {};
  if (chance(rng, 0.5)) o.reml = chance(rng, 0.5);
  if (chance(rng, 0.2)) o.weights = 'w';
  if (chance(rng, 0.1)) o.control = { maxEvaluations: pick(rng, [1, 3, 10, 50, 10_000]) };
  if (target === 'decomposeMany') o.outcomes = chance(rng, 0.7) ? ['y2'] : ['y2', 'x', 'z'].filter(() => chance(rng, 0.5));
  if (target !== 'fit') {
    if ((target === 'decompose' || target === 'decomposeMany') && chance(rng, 0.7)) o.method = pick(rng, ['components', 'sequential', 'shapley']);
    if (chance(rng, 0.1)) o.intervals = { n: 3 + rng.int(5), seed: rng.int(100) };
  }
  return o;
}

/**
 * Many covariates (up to 40 terms, each its own Shapley player in the covariate split), for
 * decompose with the Shapley method and compare: the split must stay bounded in time.
 */
function manyCovariateCase(rng: Rng, index: number): FuzzCase {
  const k = 10 + rng.int(31);
  const units = 5 + rng.int(20);
  const periods = 2 + rng.int(6);
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < units; i++) {
    for (let t = 0; t < periods; t++) {
      const r: Record<string, unknown> = { g: `G${i}`, t, w: 0.5 + rng.uniform() };
      let y = rng.normal() + (i % 3);
      for (let j = 0; j < k; j++) {
        const x = chance(rng, 0.02) ? null : rng.normal();
        r[`x${j}`] = x;
        y += (x ?? 0) * (j % 4 === 0 ? 0.5 : 0.05);
      }
      r.y = y;
      rows.push(r);
    }
  }
  const xs = Array.from({ length: k }, (_, j) => `x${j}`).join(' + ');
  const target = targets.includes('compare') && chance(rng, 0.3) ? 'compare' : 'decompose';
  const options: Record<string, unknown> = target === 'decompose' ? { method: 'shapley' } : {};
  if (chance(rng, 0.2)) options.weights = 'w';
  if (chance(rng, 0.2)) options.shapley = pick(rng, [{ permutations: 50 }, { exactMaxTerms: 16 }, { seed: 3 }]);
  return { index, target, data: rows, formula: `y ~ ${xs} + (1 | g) + (1 | t)`, options };
}

/** Generate input `index` of the run with `seed`: 60% plausible inputs, 40% chaos. */
export function generateCase(seed: number, index: number): FuzzCase {
  const rng = new Rng(seed).fork(index);
  if (targets.includes('decompose') && chance(rng, 0.02)) return manyCovariateCase(rng, index);
  const target = targets.length > 1 && chance(rng, 0.4) ? pick(rng, targets.filter((t) => t !== 'fit')) : 'fit';
  if (chance(rng, 0.6)) {
    // Plausible inputs, each part replaced by chaos now and then.
    return {
      index,
      target,
      data: chance(rng, 0.95) ? plausibleData(rng) : randomData(rng),
      formula: chance(rng, 0.9) ? plausibleFormula(rng) : randomFormula(rng),
      options: chance(rng, 0.9) ? plausibleOptions(rng, target) : randomOptions(rng, target),
    };
  }
  return { index, target, data: randomData(rng), formula: randomFormula(rng), options: randomOptions(rng, target) };
}

// ---------------------------------------------------------------------------------------------
// Running and classifying

export interface Outcome {
  /**
   * `ok`, an error code such as `E_FORMULA`, `not-converged` (a GLMM fit off its optimum that
   * reports NOT_CONVERGED), or a failure: `crash:<Name>`, `slow`, `nonfinite`, `suboptimal`.
   */
  readonly kind: string;
  readonly failure: boolean;
  readonly ms: number;
  readonly message?: string;
  readonly stack?: string;
}

const CODES = new Set(['E_INPUT', 'E_COLUMN', 'E_NONNUMERIC', 'E_EMPTY', 'E_CONSTANT', 'E_LEVELS', 'E_RANK', 'E_WEIGHTS', 'E_FORMULA', 'E_UNSUPPORTED', 'E_OPTION', 'E_NEEDS_ROWS']);

/** Non-finite numbers in a fit's estimates, or null when all are finite. */
function nonFinite(m: LmmFit): string | null {
  const bad: string[] = [];
  // Off-diagonal entries of a random-slope term's Cholesky factor may be negative; all must be finite.
  for (const [k, v] of Object.entries(m.theta)) if (!Number.isFinite(v)) bad.push(`theta.${k}=${v}`);
  if (!Number.isFinite(m.sigma)) bad.push(`sigma=${m.sigma}`);
  for (const [k, v] of Object.entries(m.beta)) if (!Number.isFinite(v)) bad.push(`beta.${k}=${v}`);
  const crit = m.reml ? m.remlCriterion : m.deviance;
  if (!Number.isFinite(crit)) bad.push(`criterion=${crit}`);
  return bad.length > 0 ? bad.join(', ') : null;
}

/**
 * A GLMM fit's Laplace deviance must equal the criterion at (theta, beta) recomputed, and, unless
 * it reports its evaluation limit, no theta scaled by 0, 0.5 or 2 (beta fixed) may be lower by
 * more than 1e-2 + 1e-6 |deviance|: a message naming the gap, or null.
 */
function glmmOptimality(m: GlmmFit): string | null {
  const beta = m.betaArray();
  const theta = Object.values(m.theta);
  const at = m.laplaceDeviance(theta, beta);
  if (!(Math.abs(at - m.deviance) <= 1e-6 * (1 + Math.abs(m.deviance)))) return `suboptimal: deviance ${m.deviance} but ${at} recomputed at the optimum`;
  // A fit stopped at the evaluation budget the input set (control.maxEvaluations) says so.
  if (m.diagnostics.some((d) => d.code === 'EVALUATION_LIMIT')) return null;
  for (const s of [0, 0.5, 2]) {
    const d = m.laplaceDeviance(theta.map((v) => v * s), beta);
    if (d < m.deviance - 1e-2 - 1e-6 * Math.abs(m.deviance)) return `suboptimal: deviance ${m.deviance}, ${d} at theta x ${s}`;
  }
  return null;
}

/** Exercise a result the way a user would: every method, and serialisation. */
function exercise(result: unknown): string | null {
  if (result instanceof api.GlmmFit) {
    result.summary();
    JSON.stringify(result);
    const fitted = [...result.fitted(), ...result.fitted({ type: 'link' }), ...result.residuals()];
    for (const g of new Set(result.groups)) result.ranef(g);
    // A correlation of a column whose standard deviation is 0 is undefined (NaN, as lme4's).
    const zero = new Set(result.varcorr.filter((r) => r.sd === 0).map((r) => `${r.group}:${r.name}`));
    const defined = result.correlations.filter((c) => !(Number.isNaN(c.correlation) && c.names.some((nm) => zero.has(`${c.group}:${nm}`))));
    const bad =
      nonFiniteNumbers({ ...result.toJSON(), correlations: defined }) ?? (fitted.every(Number.isFinite) ? null : 'fitted or residuals non-finite');
    const gap = bad ?? glmmOptimality(result);
    // A fit that says it did not converge (separation: estimates running off to infinity) is
    // counted apart, not as a failure.
    return gap?.startsWith('suboptimal') && result.diagnostics.some((d) => d.code === 'NOT_CONVERGED') ? `flagged ${gap}` : gap;
  }
  if (result instanceof api.LmmFit) {
    result.summary();
    JSON.stringify(result);
    result.fitted();
    result.residuals();
    for (const g of result.groups) result.ranef(g);
    result.objective(result.theta);
    return nonFinite(result);
  }
  if (typeof result === 'object' && result !== null) {
    const r = result as Record<string, unknown>;
    JSON.stringify(result);
    const bad = nonFiniteNumbers(typeof r.toJSON === 'function' ? (r.toJSON as () => unknown).call(result) : result);
    for (const m of ['summary', 'format', 'toMarkdown', 'toTable', 'toJSON', 'toVegaLite', 'toString']) {
      if (typeof r[m] === 'function') (r[m] as () => unknown).call(result);
    }
    return bad;
  }
  return null;
}

/** Paths of the non-finite numbers in a plain result record, or null when there are none. */
function nonFiniteNumbers(x: unknown): string | null {
  const bad: string[] = [];
  // `noReplicate`: inside a result whose bootstrap had no replicate refitted (`intervals.succeeded`
  // 0, reported): its interval ends are NaN, not numbers.
  const walk = (v: unknown, path: string, depth: number, noReplicate: boolean) => {
    if (bad.length >= 5 || depth > 8) return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v) && !(noReplicate && Number.isNaN(v) && /\.(lower|upper)$/.test(path))) bad.push(`${path}=${v}`);
    } else if (Array.isArray(v)) {
      v.forEach((e, i) => walk(e, `${path}[${i}]`, depth + 1, noReplicate));
    } else if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) {
      // A GLMM's Poisson lambda beyond the largest double (a huge null-model random part) is an
      // overflow of a true value when its distribution-specific variance is the limit, 0.
      const o = v as Record<string, unknown>;
      const overflow = o.lambda === Infinity && o.distribution === 0;
      const none = noReplicate || (o.intervals as { succeeded?: unknown } | undefined)?.succeeded === 0;
      for (const [k, e] of Object.entries(v)) if (!(overflow && k === 'lambda')) walk(e, path ? `${path}.${k}` : k, depth + 1, none);
    }
  };
  walk(x, '', 0, false);
  return bad.length > 0 ? bad.join(', ') : null;
}

/** Run one input and classify what happened. */
export function runCase(c: FuzzCase, maxMs: number): Outcome {
  const entry = ENTRY[c.target]!;
  const t0 = performance.now();
  let kind: string;
  let failure = false;
  let message: string | undefined;
  let stack: string | undefined;
  try {
    const result = entry(c.data, c.formula, c.options);
    const bad = exercise(result);
    kind = bad ? (bad.startsWith('suboptimal') ? 'suboptimal' : bad.startsWith('flagged') ? 'not-converged' : 'nonfinite') : 'ok';
    failure = bad !== null && kind !== 'not-converged';
    message = bad ?? undefined;
  } catch (e) {
    if (e instanceof VardecompError && CODES.has(e.code) && typeof e.message === 'string' && e.message.length > 0) {
      kind = e.code;
    } else {
      kind = `crash:${e instanceof Error ? e.name : typeof e}`;
      failure = true;
      message = e instanceof Error ? e.message : String(e);
      stack = e instanceof Error ? e.stack : undefined;
    }
  }
  const ms = performance.now() - t0;
  if (ms > maxMs && !failure) {
    failure = true;
    message = `${kind} after ${ms.toFixed(0)} ms`;
    kind = 'slow';
  }
  return { kind, failure, ms, message, stack };
}

/** JSON-ish text of an input, showing the values JSON cannot (NaN, undefined, symbols, ...). */
export function describeInput(x: unknown, limit = 1500): string {
  const seen = new WeakSet<object>();
  // JSON.stringify calls a table's own toJSON before any replacer (and arquero's throws on a
  // BigInt cell), so tables become plain column objects first.
  const plain = (v: unknown): unknown =>
    v instanceof aq.ColumnTable ? { arqueroTable: Object.fromEntries(v.columnNames().map((n: string) => [n, v.array(n)])) } : v;
  const text = JSON.stringify(plain(x), function (_k, v: unknown) {
    if (typeof v === 'number' && !Number.isFinite(v)) return `<${v}>`;
    if (typeof v === 'number' && Object.is(v, -0)) return '<-0>';
    if (v === undefined) return '<undefined>';
    if (typeof v === 'bigint') return `<${v}n>`;
    if (typeof v === 'symbol') return `<${String(v)}>`;
    if (typeof v === 'function') return '<function>';
    if (v instanceof Map) return `<Map ${v.size}>`;
    if (v instanceof Set) return `<Set ${v.size}>`;
    if (ArrayBuffer.isView(v)) return `<${v.constructor.name} ${Array.from(v as unknown as ArrayLike<number>).join(',')}>`;
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '<cycle>';
      seen.add(v);
      if (Object.getPrototypeOf(v) === null) return { '<null-prototype>': { ...(v as object) } };
    }
    return v;
  });
  const s = text ?? String(x);
  return s.length > limit ? `${s.slice(0, limit)}... (${s.length} chars)` : s;
}

/** A table of outcome counts: one row per outcome, a column per target and the total. */
export function formatCounts(counts: Record<string, number>): string {
  const byKind = new Map<string, Map<string, number>>();
  const used = new Set<string>();
  for (const [key, v] of Object.entries(counts)) {
    const [target, kind] = key.split(/:(.*)/s, 2) as [string, string];
    used.add(target);
    const row = byKind.get(kind) ?? new Map<string, number>();
    row.set(target, (row.get(target) ?? 0) + v);
    byKind.set(kind, row);
  }
  const cols = targets.filter((t) => used.has(t));
  const kinds = [...byKind.keys()].sort((a, b) => (a === 'ok' ? -1 : b === 'ok' ? 1 : a.localeCompare(b)));
  const line = (label: string, cells: Array<string | number>) =>
    `  ${label.padEnd(16)}${cells.map((c) => String(c).padStart(14)).join('')}`;
  const rows = [line('outcome', [...cols, 'total'])];
  const totals = new Map<string, number>();
  for (const kind of kinds) {
    const row = byKind.get(kind)!;
    const total = [...row.values()].reduce((s, v) => s + v, 0);
    for (const t of cols) totals.set(t, (totals.get(t) ?? 0) + (row.get(t) ?? 0));
    rows.push(line(kind, [...cols.map((t) => row.get(t) ?? 0), total]));
  }
  rows.push(line('all', [...cols.map((t) => totals.get(t) ?? 0), [...totals.values()].reduce((s, v) => s + v, 0)]));
  return rows.join('\n');
}

export interface FuzzSummary {
  /** Counts keyed `target:outcome`, e.g. `fit:ok`, `fit:E_FORMULA`, `decompose:crash:TypeError`. */
  readonly counts: Record<string, number>;
  readonly failures: Array<{ case: FuzzCase; outcome: Outcome }>;
  readonly maxMs: number;
}

/** Run inputs `from` .. `to - 1` in this thread. */
export function runFuzz(
  seed: number,
  from: number,
  to: number,
  maxMs = 2000,
  onStart?: (i: number) => void,
  onResult?: (c: FuzzCase, o: Outcome) => void,
  generate: (seed: number, index: number) => FuzzCase = generateCase,
): FuzzSummary {
  const counts: Record<string, number> = {};
  const failures: FuzzSummary['failures'] = [];
  let slowest = 0;
  for (let i = from; i < to; i++) {
    onStart?.(i);
    const c = generate(seed, i);
    const o = runCase(c, maxMs);
    onResult?.(c, o);
    const key = `${c.target}:${o.kind}`;
    counts[key] = (counts[key] ?? 0) + 1;
    slowest = Math.max(slowest, o.ms);
    if (o.failure) failures.push({ case: c, outcome: o });
  }
  return { counts, failures, maxMs: slowest };
}

// ---------------------------------------------------------------------------------------------
// Command line: a watchdog thread around a worker that runs the loop.

interface Args {
  n: number;
  seed: number;
  only: number | null;
  maxMs: number;
  hangMs: number;
  show: number;
  /** GLMM inputs only (`--glmm`): scripts/fuzz-glmm.ts. */
  glmm: boolean;
}

const generatorOf = (glmm: boolean) => (glmm ? generateGlmmCase : generateCase);

function parseArgs(argv: string[]): Args {
  const args: Args = { n: 10_000, seed: 1, only: null, maxMs: 2000, hangMs: 10_000, show: 5, glmm: false };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'glmm') {
      args.glmm = true;
      continue;
    }
    const value = Number(argv[i + 1]);
    if (['n', 'seed', 'only', 'maxMs', 'hangMs', 'show'].includes(key) && Number.isFinite(value)) {
      (args as unknown as Record<string, number>)[key] = value;
      i++;
    } else {
      throw new Error(`Unknown argument ${argv[i]} (use --n, --seed, --only, --maxMs, --hangMs, --show, --glmm)`);
    }
  }
  return args;
}

function printCase(c: FuzzCase, o: Outcome): void {
  console.log(`\n#${c.index} ${o.kind}: ${o.message ?? ''}`);
  console.log(`  target:  ${c.target}`);
  console.log(`  formula: ${describeInput(c.formula)}`);
  console.log(`  options: ${describeInput(c.options)}`);
  console.log(`  data:    ${describeInput(c.data)}`);
  if (o.stack) console.log(o.stack.split('\n').slice(0, 8).map((l) => `  ${l}`).join('\n'));
}

type WorkerMessage =
  | { type: 'start'; index: number }
  | { type: 'result'; index: number; key: string; outcome: Outcome }
  | { type: 'done' };

function workerMain(): void {
  const { seed, from, to, maxMs, glmm } = workerData as { seed: number; from: number; to: number; maxMs: number; glmm: boolean };
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  runFuzz(seed, from, to, maxMs, (i) => post({ type: 'start', index: i }), (c, o) =>
    post({ type: 'result', index: c.index, key: `${c.target}:${o.kind}`, outcome: o }),
    generatorOf(glmm),
  );
  post({ type: 'done' });
}

/** Run [from, n) in a worker; on a hang, end it and resume after the hanging input. */
async function watchdog(args: Args): Promise<number> {
  const counts: Record<string, number> = {};
  const failures: Array<{ index: number; outcome: Outcome }> = [];
  let slowest = 0;
  let from = 0;
  const t0 = performance.now();
  while (from < args.n) {
    const result = await new Promise<{ next: number; hang?: number }>((resolve, reject) => {
      // The worker re-imports this file through tsx's loader (hooks are per thread).
      const boot =
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
        `.then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })` +
        `.catch((e) => { console.error(e); process.exit(70); });`;
      const worker = new Worker(boot, { eval: true, workerData: { fuzzWorker: true, seed: args.seed, from, to: args.n, maxMs: args.maxMs, glmm: args.glmm } });
      let current = from;
      let started = false; // the worker's start-up (loading tsx and the library) is not a hang
      let last = performance.now();
      let settled = false;
      const finish = (r: { next: number; hang?: number }) => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        void worker.terminate();
        resolve(r);
      };
      const timer = setInterval(() => {
        if (performance.now() - last > args.hangMs + (started ? 0 : 30_000)) finish({ next: current + 1, hang: current });
      }, 200);
      worker.on('message', (m: WorkerMessage) => {
        if (settled) return;
        if (m.type === 'start') {
          started = true;
          current = m.index;
          last = performance.now();
          if (m.index % 1000 === 0 && m.index > 0) process.stderr.write(`  ${m.index} / ${args.n}\n`);
        } else if (m.type === 'result') {
          counts[m.key] = (counts[m.key] ?? 0) + 1;
          slowest = Math.max(slowest, m.outcome.ms);
          if (m.outcome.failure) failures.push({ index: m.index, outcome: m.outcome });
          last = performance.now();
        } else {
          finish({ next: args.n });
        }
      });
      worker.on('error', (e) => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        reject(e);
      });
      worker.on('exit', (code) => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        reject(new Error(`fuzz worker exited with code ${code} at input ${current}`));
      });
    });
    if (result.hang !== undefined) {
      const key = `${generatorOf(args.glmm)(args.seed, result.hang).target}:hang`;
      counts[key] = (counts[key] ?? 0) + 1;
      failures.push({ index: result.hang, outcome: { kind: 'hang', failure: true, ms: args.hangMs, message: `no result after ${args.hangMs} ms` } });
    }
    from = result.next;
  }
  const total = Object.values(counts).reduce((s, v) => s + v, 0);
  console.log(`fuzz: ${total} ${args.glmm ? ' GLMM' : ''} inputs, seed ${args.seed}, targets ${targets.join(', ')}, ${((performance.now() - t0) / 1000).toFixed(1)} s, slowest call ${slowest.toFixed(0)} ms`);
  console.log(formatCounts(counts));
  if (failures.length === 0) {
    console.log('no failures');
    return 0;
  }
  console.log(`\n${failures.length} failures; the first ${Math.min(args.show, failures.length)} (replay one with --seed ${args.seed}${args.glmm ? ' --glmm' : ''} --only <index>):`);
  for (const f of failures.slice(0, args.show)) printCase(generatorOf(args.glmm)(args.seed, f.index), f.outcome);
  return 1;
}

function replay(args: Args): number {
  const c = generatorOf(args.glmm)(args.seed, args.only!);
  const o = runCase(c, args.maxMs);
  printCase(c, o);
  return o.failure ? 1 : 0;
}

const isEntry = isMainThread && process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (!isMainThread && (workerData as { fuzzWorker?: boolean } | null)?.fuzzWorker === true) {
  workerMain();
} else if (isEntry) {
  const args = parseArgs(process.argv.slice(2));
  if (args.only !== null) process.exitCode = replay(args);
  else process.exitCode = await watchdog(args);
}
