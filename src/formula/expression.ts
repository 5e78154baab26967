/**
 * Arithmetic inside formula function calls: `log(x + 1)`, `I(x^2)`, `within(x, g)`.
 *
 * A call's arguments are parsed, never evaluated as code: each argument is an arithmetic
 * expression over columns and numbers with R's precedence (`^` binds tighter than unary minus,
 * which binds tighter than `*` and `/`, then `+` and `-`; `^` is right-associative, so `-x^2` is
 * `-(x^2)` and `2^-1` is `0.5`). Calls nest (`log(I(x + 1))`). The expression is written back as
 * R's `deparse` writes it, which is how R names the term (`I(x^2)`, `log(x + 1)`,
 * `within(cilif, la_code)`).
 */
import { formatName, formulaError, tokenize, type Token } from './tokenize.js';

/**
 * A parsed argument expression. Positions are 0-based indices into the formula text.
 *
 * @example
 * ```ts
 * const e: Expr = { kind: 'column', name: 'x', start: 4, end: 5 };
 * ```
 */
export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly start: number; readonly end: number }
  | { readonly kind: 'column'; readonly name: string; readonly start: number; readonly end: number }
  | { readonly kind: 'negate'; readonly sign: '-' | '+'; readonly operand: Expr; readonly start: number; readonly end: number }
  | {
      readonly kind: 'arith';
      readonly op: ArithOp;
      readonly left: Expr;
      readonly right: Expr;
      readonly start: number;
      readonly end: number;
    }
  | { readonly kind: 'paren'; readonly inner: Expr; readonly start: number; readonly end: number }
  | CallExpr;

/**
 * A function call: its name, its arguments and where it sits in the formula.
 *
 * @example
 * ```ts
 * const call = parseCall('y ~ log(x)', 4, 10); // { kind: 'call', name: 'log', args: [column x], ... }
 * ```
 */
export interface CallExpr {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Expr[];
  readonly start: number;
  readonly end: number;
}

/**
 * The arithmetic operators allowed inside a call.
 *
 * @example
 * ```ts
 * const op: ArithOp = '^';
 * ```
 */
export type ArithOp = '+' | '-' | '*' | '/' | '^';

/**
 * Deepest nesting of parentheses, calls and operators inside one call's arguments (the same bound
 * as the formula's own nesting limit).
 */
const MAX_EXPR_DEPTH = 100;

/** Depth of each node built (how deep the walkers recurse into it). */
const exprDepth = new WeakMap<Expr, number>();

class ExprParser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly input: string,
    private readonly tokens: readonly Token[],
    private readonly nesting: number,
  ) {}

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    const t = this.tokens[this.i];
    if (t.kind !== 'end') this.i++;
    return t;
  }

  private fail(pos: number, problem: string): never {
    throw formulaError(this.input, pos, problem);
  }

  private isOp(t: Token, ...ops: string[]): boolean {
    return t.kind === 'operator' && ops.includes(t.op);
  }

  /** Enter a recursion of the parser (a parenthesis, a unary sign, an exponent). */
  private enter(pos: number): void {
    this.depth++;
    if (this.nesting + this.depth > MAX_EXPR_DEPTH) this.tooDeep(pos);
  }

  private leave(): void {
    this.depth--;
  }

  private tooDeep(pos: number): never {
    return this.fail(pos, `the formula nests parentheses, calls or operators more than ${MAX_EXPR_DEPTH} levels deep (the limit)`);
  }

  /** Record the depth of a new node (walkers recurse that deep), refusing one beyond the limit. */
  private made<T extends Expr>(e: T, ...children: Expr[]): T {
    const d = this.nesting + 1 + Math.max(0, ...children.map((c) => exprDepth.get(c) ?? 0));
    if (d > MAX_EXPR_DEPTH) this.tooDeep(e.start);
    exprDepth.set(e, d - this.nesting);
    return e;
  }

  /** `args := [expr (',' expr)*]` up to the end of the token range. */
  parseArgs(): Expr[] {
    const args: Expr[] = [];
    if (this.peek().kind === 'end') return args;
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, ',') || t.kind === 'end') this.fail(t.pos, 'empty argument in a function call');
      args.push(this.parseExpr());
      const after = this.next();
      if (after.kind === 'end') return args;
      if (!this.isOp(after, ',')) this.unexpected(after);
    }
  }

  /** `expr := term (('+' | '-') term)*` */
  private parseExpr(): Expr {
    let left = this.parseTerm();
    for (let t = this.peek(); this.isOp(t, '+', '-'); t = this.peek()) {
      this.next();
      const right = this.parseTerm();
      left = this.made({ kind: 'arith', op: (t as { op: ArithOp }).op, left, right, start: left.start, end: right.end }, left, right);
    }
    return left;
  }

  /** `term := unary (('*' | '/') unary)*` */
  private parseTerm(): Expr {
    let left = this.parseUnary();
    for (let t = this.peek(); this.isOp(t, '*', '/'); t = this.peek()) {
      this.next();
      const right = this.parseUnary();
      left = this.made({ kind: 'arith', op: (t as { op: ArithOp }).op, left, right, start: left.start, end: right.end }, left, right);
    }
    return left;
  }

  /** `unary := ('-' | '+') unary | power` */
  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isOp(t, '-', '+')) {
      this.next();
      this.enter(t.pos);
      const operand = this.parseUnary();
      this.leave();
      return this.made({ kind: 'negate', sign: (t as { op: '-' | '+' }).op, operand, start: t.pos, end: operand.end }, operand);
    }
    return this.parsePower();
  }

  /** `power := atom ['^' unary]` (right-associative) */
  private parsePower(): Expr {
    const base = this.parseAtom();
    const t = this.peek();
    if (!this.isOp(t, '^')) return base;
    this.next();
    this.enter(t.pos);
    const exponent = this.parseUnary();
    this.leave();
    return this.made({ kind: 'arith', op: '^', left: base, right: exponent, start: base.start, end: exponent.end }, base, exponent);
  }

  /** `atom := number | column | call | '(' expr ')'` */
  private parseAtom(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { kind: 'number', value: t.value, text: t.text, start: t.pos, end: t.end };
      case 'name':
        if (t.name === '.' && !t.quoted) this.fail(t.pos, '"." (all other columns) cannot be used inside a function call');
        return { kind: 'column', name: t.name, start: t.pos, end: t.end };
      case 'call': {
        const call = parseCall(this.input, t.pos, t.end, this.nesting + this.depth + 1);
        return this.made(call, ...call.args);
      }
      default:
        break;
    }
    if (this.isOp(t, '(')) {
      this.enter(t.pos);
      const inner = this.parseExpr();
      this.leave();
      const close = this.next();
      if (!this.isOp(close, ')')) this.unexpected(close);
      return this.made({ kind: 'paren', inner, start: t.pos, end: close.end }, inner);
    }
    if (t.kind === 'end') this.fail(t.pos, 'missing argument after an operator in a function call');
    return this.unexpected(t);
  }

  private unexpected(t: Token): never {
    if (t.kind === 'operator' || t.kind === 'special') {
      this.fail(
        t.pos,
        `operator "${t.op}" is not allowed inside a function call: arguments are arithmetic (+ - * / ^) over columns and numbers`,
      );
    }
    return this.fail(t.pos, 'missing operator or "," between the arguments of a function call');
  }
}

/**
 * Parse the call whose text spans `start`..`end` of `input` (a `call` token: `name(...)`), with
 * its arguments. `nesting` is how deep the call already sits (for the depth limit).
 *
 * @throws {@link VardecompError} `E_FORMULA` with the position of a malformed argument.
 *
 * @example
 * ```ts
 * const call = parseCall('y ~ I(x^2)', 4, 10);
 * deparse(call); // 'I(x^2)'
 * ```
 */
export function parseCall(input: string, start: number, end: number, nesting = 0): CallExpr {
  if (nesting > MAX_EXPR_DEPTH) {
    throw formulaError(input, start, `the formula nests parentheses, calls or operators more than ${MAX_EXPR_DEPTH} levels deep (the limit)`);
  }
  const open = input.indexOf('(', start);
  const name = input.slice(start, open).trim();
  const tokens = tokenize(input, { start: open + 1, end: end - 1, commas: true });
  const nameToken = tokenize(input, { start, end: open })[0];
  const args = new ExprParser(input, tokens, nesting).parseArgs();
  return { kind: 'call', name: nameToken.kind === 'name' ? nameToken.name : name, args, start, end };
}

/**
 * Write a number as R's `deparse` does: up to 15 significant digits, in scientific notation when
 * that is shorter (`1e+05`, `1e-04`), `L` kept for integer literals.
 *
 * @example
 * ```ts
 * formatNumber(2, '2');       // '2'
 * formatNumber(100000, '1e5'); // '1e+05'
 * formatNumber(0.5, '.50');   // '0.5'
 * ```
 */
export function formatNumber(value: number, text: string): string {
  if (text.endsWith('L')) return text;
  const v = Number(value.toPrecision(15));
  const fixed = Math.abs(v) >= 1e15 || (v !== 0 && Math.abs(v) < 1e-15) ? '' : String(v);
  const [mant, exp] = v.toExponential().split('e');
  const e = Number(exp);
  const sci = `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return fixed !== '' && !fixed.includes('e') && fixed.length <= sci.length ? fixed : sci;
}

/**
 * The expression as R's `deparse` writes it: `+`, `-` and `*` with spaces around them, `/` and
 * `^` without, `, ` between arguments, parentheses as written, column names in backticks when
 * they are not R names. This is the term's name in `beta`, `se`, the summary and the
 * decomposition.
 *
 * @example
 * ```ts
 * deparse(parseCall('y ~ within(cilif,la_code)', 4, 25)); // 'within(cilif, la_code)'
 * ```
 */
export function deparse(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return formatNumber(e.value, e.text);
    case 'column':
      return formatName(e.name);
    case 'negate':
      return `${e.sign}${deparse(e.operand)}`;
    case 'paren':
      return `(${deparse(e.inner)})`;
    case 'call':
      return `${formatName(e.name)}(${e.args.map(deparse).join(', ')})`;
    case 'arith':
      return e.op === '/' || e.op === '^'
        ? `${deparse(e.left)}${e.op}${deparse(e.right)}`
        : `${deparse(e.left)} ${e.op} ${deparse(e.right)}`;
  }
}

/**
 * The columns an expression reads, in order of first appearance.
 *
 * @example
 * ```ts
 * exprColumns(parseCall('y ~ I(x * z + x)', 4, 16)); // ['x', 'z']
 * ```
 */
export function exprColumns(e: Expr): string[] {
  const out = new Set<string>();
  const walk = (x: Expr): void => {
    switch (x.kind) {
      case 'column':
        out.add(x.name);
        break;
      case 'negate':
        walk(x.operand);
        break;
      case 'paren':
        walk(x.inner);
        break;
      case 'arith':
        walk(x.left);
        walk(x.right);
        break;
      case 'call':
        x.args.forEach(walk);
        break;
      default:
        break;
    }
  };
  walk(e);
  return [...out];
}
