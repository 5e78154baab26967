/**
 * The registry of formula functions (specials): `within`, `between`, `log`, `log1p`, `exp`,
 * `sqrt`, `scale`, `I` and `offset`. Each entry gives its name, its arguments (numeric
 * expressions or a grouping column), how it is evaluated over the model's rows, and what it
 * means. A call becomes a derived variable named as R names it (`log(x)`, `I(x^2)`,
 * `within(cilif, la_code)`); the model frame evaluates it after incomplete rows are dropped and
 * the design matrix uses it like a column. The engine never sees a special.
 *
 * Everything that depends on more than one row (`scale`, `within`, `between`) is computed over
 * the model's rows, those left after rows with a missing value in any column the model uses are
 * dropped, and without weights: `within(x, g)` is x minus its plain mean within g, as an lme4
 * user computes it beforehand (`x - ave(x, g)`). (R's `scale(x)` in an lm formula is evaluated
 * before incomplete rows are dropped; on complete data the two agree.)
 */
import { VardecompError } from '../errors.js';
import type { ColumnValues } from '../input/data-source.js';
import { checkLevelValue, type DerivedColumn } from '../input/model-frame.js';
import { deparse, type CallExpr, type Expr } from './expression.js';
import type { DerivedVariable } from './model-spec.js';
import { formulaError } from './tokenize.js';

/** What an argument of a special must be. */
type ArgKind = 'numeric' | 'grouping';

/** Codes of a grouping argument over the model rows. */
interface GroupCodes {
  readonly codes: Int32Array;
  readonly nlevels: number;
}

/** Where a special is evaluated: its term, the model rows and the error helpers. */
interface EvalContext {
  /** Label of the whole derived variable (for messages). */
  readonly term: string;
  /** Input row index of each model row. */
  readonly rows: Int32Array;
  readonly read: (column: string) => ColumnValues;
  /** A column over the model rows, read as a numeric covariate (the model frame's reading). */
  readonly numeric: (column: string) => Float64Array;
}

/**
 * One formula function.
 *
 * @example
 * ```ts
 * const log = SPECIALS.get('log')!;
 * log.args; // ['numeric']
 * ```
 */
export interface Special {
  readonly name: string;
  /** One entry per argument (the arity is their number). */
  readonly args: readonly ArgKind[];
  /** One line for help texts. */
  readonly description: string;
  /** True for `offset`: a term of its own, never part of another term or call. */
  readonly offset?: boolean;
  /** Values over the model rows, from the arguments' values over the same rows. */
  apply(args: ReadonlyArray<Float64Array | GroupCodes>, ctx: EvalContext, call: CallExpr): Float64Array;
}

function domainError(ctx: EvalContext, call: CallExpr, k: number, value: number, need: string): VardecompError {
  const arg = deparse(call.args[0]);
  return new VardecompError(
    'E_NONNUMERIC',
    `Term "${ctx.term}": ${call.name}() needs ${need}, but ${arg} is ${value} at row ${ctx.rows[k]}`,
    { term: ctx.term, row: ctx.rows[k], value },
  );
}

/** An element-wise function with a domain check. */
function elementwise(
  name: string,
  description: string,
  f: (v: number) => number,
  inDomain: (v: number) => boolean,
  need: string,
): Special {
  return {
    name,
    args: ['numeric'],
    description,
    apply(args, ctx, call) {
      const x = args[0] as Float64Array;
      const out = new Float64Array(x.length);
      for (let k = 0; k < x.length; k++) {
        if (!inDomain(x[k])) throw domainError(ctx, call, k, x[k], need);
        out[k] = f(x[k]);
      }
      return out;
    },
  };
}

/** Plain (unweighted) means of `x` within the levels of `g`. */
function groupMeans(x: Float64Array, g: GroupCodes): Float64Array {
  const sum = new Float64Array(g.nlevels);
  const count = new Float64Array(g.nlevels);
  for (let k = 0; k < x.length; k++) {
    sum[g.codes[k]] += x[k];
    count[g.codes[k]]++;
  }
  for (let l = 0; l < g.nlevels; l++) sum[l] /= count[l];
  return sum;
}

const SPECIAL_LIST: readonly Special[] = [
  {
    name: 'within',
    args: ['numeric', 'grouping'],
    description: 'within(x, g): x minus its mean within each level of g (over the model rows, unweighted)',
    apply(args) {
      const x = args[0] as Float64Array;
      const g = args[1] as GroupCodes;
      const mean = groupMeans(x, g);
      return Float64Array.from(x, (v, k) => v - mean[g.codes[k]]);
    },
  },
  {
    name: 'between',
    args: ['numeric', 'grouping'],
    description: 'between(x, g): the mean of x within each level of g (over the model rows, unweighted)',
    apply(args) {
      const x = args[0] as Float64Array;
      const g = args[1] as GroupCodes;
      const mean = groupMeans(x, g);
      return Float64Array.from(g.codes, (c) => mean[c]);
    },
  },
  elementwise('log', 'log(x): natural logarithm (x > 0)', Math.log, (v) => v > 0, 'positive values'),
  elementwise('log1p', 'log1p(x): log(1 + x), accurate near 0 (x > -1)', Math.log1p, (v) => v > -1, 'values above -1'),
  elementwise('exp', 'exp(x): exponential', Math.exp, () => true, 'finite results'),
  elementwise('sqrt', 'sqrt(x): square root (x >= 0)', Math.sqrt, (v) => v >= 0, 'values of at least 0'),
  {
    name: 'scale',
    args: ['numeric'],
    description: "scale(x): (x - mean) / sd over the model rows (R's scale: n - 1 denominator, unweighted)",
    apply(args, ctx) {
      const x = args[0] as Float64Array;
      const n = x.length;
      let mean = 0;
      for (let k = 0; k < n; k++) mean += x[k];
      mean /= n;
      let ss = 0;
      for (let k = 0; k < n; k++) ss += (x[k] - mean) ** 2;
      const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
      if (!(sd > 0)) {
        throw new VardecompError(
          'E_CONSTANT',
          `Term "${ctx.term}": the argument is constant (${mean}) over the ${n} model rows, so it cannot be scaled`,
          { term: ctx.term },
        );
      }
      return Float64Array.from(x, (v) => (v - mean) / sd);
    },
  },
  {
    name: 'I',
    args: ['numeric'],
    description: 'I(expr): arithmetic (+ - * / ^) over columns and numbers, as written',
    apply: (args) => (args[0] as Float64Array).slice(),
  },
  {
    name: 'offset',
    args: ['numeric'],
    offset: true,
    description: 'offset(expr): a known part of the linear predictor, added with coefficient 1',
    apply: (args) => (args[0] as Float64Array).slice(),
  },
];

/**
 * The formula functions, by name.
 *
 * @example
 * ```ts
 * [...SPECIALS.keys()]; // ['within', 'between', 'log', 'log1p', 'exp', 'sqrt', 'scale', 'I', 'offset']
 * ```
 */
export const SPECIALS: ReadonlyMap<string, Special> = new Map(SPECIAL_LIST.map((s) => [s.name, s]));

/**
 * One line per formula function, for help texts.
 *
 * @example
 * ```ts
 * console.log(describeSpecials());
 * ```
 */
export function describeSpecials(): string {
  return SPECIAL_LIST.map((s) => s.description).join('\n');
}

/**
 * Check a parsed call against the registry, recursively: every function is known (else
 * `E_UNSUPPORTED`), has its number of arguments, takes a plain column where it needs a
 * grouping, and `offset` appears only as a term of its own (`E_FORMULA` with the position).
 *
 * @example
 * ```ts
 * checkCall('y ~ log(x, 2)', parseCall('y ~ log(x, 2)', 4, 13), true); // throws E_FORMULA: log() takes 1 argument
 * ```
 */
export function checkCall(input: string, call: CallExpr, top: boolean): void {
  const special = SPECIALS.get(call.name);
  if (!special) throw unknownFunction(input, call.name, input.slice(call.start, call.end), call.start);
  const text = input.slice(call.start, call.end);
  if (special.offset && !top) {
    throw formulaError(input, call.start, `"${text}" must be a term of its own (+ offset(...)), not part of another term or call`);
  }
  if (call.args.length !== special.args.length) {
    const n = special.args.length;
    throw formulaError(
      input,
      call.start,
      `${call.name}() takes ${n} argument${n === 1 ? '' : 's'}, found ${call.args.length} in "${text}"`,
    );
  }
  call.args.forEach((arg, i) => {
    if (special.args[i] === 'grouping' && arg.kind !== 'column') {
      throw formulaError(
        input,
        arg.start,
        `argument ${i + 1} of ${call.name}() must be a column name (the grouping), found "${input.slice(arg.start, arg.end)}" in "${text}"`,
      );
    }
    walkCalls(arg, (inner) => checkCall(input, inner, false));
  });
}

function walkCalls(e: Expr, visit: (call: CallExpr) => void): void {
  switch (e.kind) {
    case 'call':
      visit(e);
      break;
    case 'negate':
      walkCalls(e.operand, visit);
      break;
    case 'paren':
      walkCalls(e.inner, visit);
      break;
    case 'arith':
      walkCalls(e.left, visit);
      walkCalls(e.right, visit);
      break;
    default:
      break;
  }
}

/**
 * The error for a function that is not in the registry: `E_UNSUPPORTED`, naming it and listing
 * the functions there are.
 *
 * @example
 * ```ts
 * throw unknownFunction('y ~ poly(x, 2)', 'poly', 'poly(x, 2)', 4);
 * ```
 */
export function unknownFunction(input: string, name: string, text: string, position: number): VardecompError {
  const spaced = /^\S+\s+\(/u.test(text) ? '; note that a name followed by "(" is a function call: join separate terms with "+"' : '';
  return new VardecompError(
    'E_UNSUPPORTED',
    `Function call "${text}" at position ${position} is not supported: the formula functions are ` +
      `${[...SPECIALS.keys()].join(', ')}; compute other transformed columns in your data first and use their names${spaced} ` +
      `(formula "${input.length > 200 ? `${input.slice(0, 200)}...` : input}")`,
    { position, term: text, formula: input, function: name },
  );
}

function groupingColumn(name: string, ctx: EvalContext): GroupCodes {
  const col = ctx.read(name);
  const index = new Map<string, number>();
  const codes = new Int32Array(ctx.rows.length);
  for (let k = 0; k < codes.length; k++) {
    const v = col[ctx.rows[k]];
    checkLevelValue(name, ctx.rows[k], v);
    const key = String(v);
    let c = index.get(key);
    if (c === undefined) {
      c = index.size;
      index.set(key, c);
    }
    codes[k] = c;
  }
  return { codes, nlevels: index.size };
}

const ARITH: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '^': (a, b) => a ** b,
};

/** Values of an expression over the model rows; every intermediate value must be finite. */
function evaluate(e: Expr, ctx: EvalContext): Float64Array {
  const n = ctx.rows.length;
  switch (e.kind) {
    case 'number':
      return new Float64Array(n).fill(e.value);
    case 'column':
      return ctx.numeric(e.name).slice();
    case 'paren':
      return evaluate(e.inner, ctx);
    case 'negate': {
      const v = evaluate(e.operand, ctx);
      if (e.sign === '-') for (let k = 0; k < n; k++) v[k] = -v[k];
      return v;
    }
    case 'arith': {
      const a = evaluate(e.left, ctx);
      const b = evaluate(e.right, ctx);
      const f = ARITH[e.op];
      for (let k = 0; k < n; k++) a[k] = f(a[k], b[k]);
      return finite(a, e, ctx);
    }
    case 'call': {
      const special = SPECIALS.get(e.name)!;
      const args = e.args.map((arg, i) =>
        special.args[i] === 'grouping' ? groupingColumn((arg as { name: string }).name, ctx) : evaluate(arg, ctx),
      );
      return finite(special.apply(args, ctx, e), e, ctx);
    }
  }
}

function finite(v: Float64Array, e: Expr, ctx: EvalContext): Float64Array {
  for (let k = 0; k < v.length; k++) {
    if (!Number.isFinite(v[k])) {
      throw new VardecompError(
        'E_NONNUMERIC',
        `Term "${ctx.term}": ${deparse(e)} is ${v[k]} at row ${ctx.rows[k]}, not a finite number`,
        { term: ctx.term, row: ctx.rows[k], value: v[k] },
      );
    }
  }
  return v;
}

/**
 * The model frame's view of a derived variable: its label, the columns it reads, and its
 * evaluation over the model rows.
 *
 * @example
 * ```ts
 * const col = derivedColumn(spec.derived![0]);
 * col.evaluate(read, rows, numeric); // Float64Array, one value per model row (the model frame calls this)
 * ```
 */
export function derivedColumn(d: DerivedVariable): DerivedColumn {
  return {
    label: d.label,
    columns: d.columns,
    evaluate: (read, rows, numeric) => evaluate(d.expression, { term: d.label, rows, read, numeric }),
  };
}
