/**
 * The formula parser: an lme4-style formula string, or the equivalent object, to a {@link ModelSpec}.
 *
 * Parsing is in two steps. A recursive-descent parser turns the tokens into a syntax tree with R's
 * operator precedence (`^` above `:` above `%in%` above `*` and `/` above `+` and `-`); every
 * syntax error is found in this step. The tree is then expanded the way R's `terms()` expands a
 * formula: each term is a set of variables, `a*b` is `a + b + a:b`, `a/b` is `a + a:b`,
 * `(a+b)^2` is `a + b + a:b`, `-` removes terms, `0` and `1` set the intercept, repeats are
 * dropped and terms are sorted by interaction order. Random terms `(1 | g)` are taken out of the
 * top-level sum as lme4's `findbars` does, with `(1 | a/b)` expanded to `(1 | b:a) + (1 | a)`.
 */
import { VardecompError } from '../errors.js';
import { deparse, exprColumns, parseCall } from './expression.js';
import { INTERCEPT_COLUMN, type DerivedVariable, type FixedTerm, type FormulaInput, type FormulaObject, type ModelSpec, type RandomTerm } from './model-spec.js';
import { checkCall, SPECIALS, unknownFunction } from './specials.js';
import { formatName, formulaError, tokenize, type Token } from './tokenize.js';

// ---------------------------------------------------------------------------------------------
// Limits

/**
 * Deepest nesting the parser accepts: parentheses, function calls and chains of operators other
 * than `+` and `-` (each operand of `:`, `*`, `/`, `^` or `%in%` is one level deeper). Deeper
 * formulas are refused with `E_FORMULA` rather than exhausting the call stack.
 *
 * @example
 * ```ts
 * parseFormula(`y ~ ${'('.repeat(101)}x${')'.repeat(101)}`); // throws E_FORMULA naming the limit
 * ```
 */
export const MAX_FORMULA_DEPTH = 100;

/**
 * Most fixed-effect terms a formula may have, written or produced by expanding `*`, `^`, `/` and
 * `%in%` (`(a + ... + p)^16` would give 65,535). Larger expansions are refused with `E_FORMULA`
 * before they are built.
 *
 * @example
 * ```ts
 * parseFormula('y ~ (a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p)^16 + (1|u)'); // throws E_FORMULA
 * ```
 */
export const MAX_FORMULA_TERMS = 1000;

// ---------------------------------------------------------------------------------------------
// Syntax tree

type BinaryOp = '+' | '-' | '*' | '/' | ':' | '^';

/** Every node spans `start`..`end` in the formula text. */
type Node =
  | { type: 'name'; name: string; quoted: boolean; start: number; end: number }
  | { type: 'number'; value: number; text: string; start: number; end: number }
  | { type: 'call'; name: string; text: string; start: number; end: number }
  | { type: 'binary'; op: BinaryOp; opPos: number; left: Node; right: Node; start: number; end: number }
  | { type: 'special'; op: string; opPos: number; left: Node; right: Node; start: number; end: number }
  | { type: 'negate'; operand: Node; start: number; end: number }
  | { type: 'paren'; inner: Node; start: number; end: number }
  | { type: 'bar'; lhs: Node; rhs: Node; double: boolean; barPos: number; start: number; end: number };

const isOp = (t: Token, ...ops: string[]): boolean => t.kind === 'operator' && ops.includes(t.op);

/**
 * How deeply the walkers over the tree recurse into a node: the left spine of a `+`/`-` chain is
 * walked iteratively, every other operand is one level deeper. Nodes without an entry count 1.
 */
const nodeDepth = new WeakMap<Node, number>();
const depthOf = (node: Node): number => nodeDepth.get(node) ?? 1;

function describe(t: Token): string {
  switch (t.kind) {
    case 'name':
      return `"${formatName(t.name)}"`;
    case 'number':
      return `"${t.text}"`;
    case 'call':
      return `"${t.text}"`;
    case 'end':
      return 'the end of the formula';
    default:
      return `"${t.op}"`;
  }
}

class Parser {
  private i = 0;
  /** Open parentheses around the current position. */
  private depth = 0;
  /** Recursion of the parser itself: open parentheses, calls and `^` right sides. */
  private nesting = 0;

  constructor(
    private readonly input: string,
    private readonly tokens: readonly Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    const t = this.tokens[this.i];
    if (t.kind !== 'end') this.i++;
    return t;
  }

  private previous(): Token | undefined {
    return this.i > 0 ? this.tokens[this.i - 1] : undefined;
  }

  fail(pos: number, problem: string): never {
    throw formulaError(this.input, pos, problem);
  }

  /** Parse `outcome ~ terms` and check that nothing follows. */
  parseFormula(): { lhs: Node; rhs: Node } {
    const first = this.peek();
    if (first.kind === 'end') this.fail(0, 'empty formula');
    this.checkParentheses();
    if (!this.tokens.some((t) => isOp(t, '~'))) {
      const pos = first.kind === 'name' || first.kind === 'call' ? this.tokens[1].pos : first.pos;
      this.fail(pos, 'missing "~": write the formula as outcome ~ terms, e.g. "y ~ x + (1 | g)"');
    }
    if (isOp(first, '~')) this.fail(first.pos, 'missing outcome before "~"');
    const lhs = this.parseSum();
    const tilde = this.peek();
    if (!isOp(tilde, '~')) this.fail(tilde.pos, `expected "~" after the outcome but found ${describe(tilde)}`);
    this.next();
    if (this.peek().kind === 'end') this.fail(this.peek().pos, 'missing terms after "~"');
    const rhs = this.parseSum();
    const rest = this.peek();
    if (rest.kind !== 'end') this.unexpectedAfterTerm(rest);
    return { lhs, rhs };
  }

  /** Report an unmatched `)` or a `(` that is never closed, before anything else. */
  private checkParentheses(): void {
    const open: number[] = [];
    for (const t of this.tokens) {
      if (isOp(t, '(')) open.push(t.pos);
      else if (isOp(t, ')')) {
        if (open.length === 0) this.fail(t.pos, 'unbalanced parenthesis: ")" has no matching "("');
        open.pop();
      }
    }
    if (open.length > 0) this.fail(open[0], 'unbalanced parenthesis: "(" is never closed');
  }

  /** `sum := ['-'] product (('+' | '-') product)*` */
  private parseSum(): Node {
    let node: Node;
    const first = this.peek();
    if (isOp(first, '-')) {
      this.next();
      const operand = this.parseProduct();
      node = { type: 'negate', operand, start: first.pos, end: operand.end };
    } else {
      node = this.parseProduct();
    }
    for (let t = this.peek(); isOp(t, '+', '-'); t = this.peek()) {
      this.next();
      const right = this.parseProduct();
      node = this.binary(t, node, right);
    }
    return node;
  }

  /** `product := special (('*' | '/') special)*` */
  private parseProduct(): Node {
    let node = this.parseSpecial();
    for (let t = this.peek(); isOp(t, '*', '/'); t = this.peek()) {
      this.next();
      node = this.binary(t, node, this.parseSpecial());
    }
    return node;
  }

  /** `special := interaction (%op% interaction)*` */
  private parseSpecial(): Node {
    let node = this.parseInteraction();
    for (let t = this.peek(); t.kind === 'special'; t = this.peek()) {
      this.next();
      const right = this.parseInteraction();
      const joined: Node = { type: 'special', op: t.op, opPos: t.pos, left: node, right, start: node.start, end: right.end };
      node = this.deeper(joined, Math.max(depthOf(node), depthOf(right)) + 1);
    }
    return node;
  }

  /** `interaction := power (':' power)*` */
  private parseInteraction(): Node {
    let node = this.parsePower();
    for (let t = this.peek(); isOp(t, ':'); t = this.peek()) {
      this.next();
      node = this.binary(t, node, this.parsePower());
    }
    return node;
  }

  /** `power := primary ['^' power]` (right-associative, as in R) */
  private parsePower(): Node {
    const base = this.parsePrimary();
    const t = this.peek();
    if (!isOp(t, '^')) return base;
    this.next();
    this.nesting++;
    if (this.nesting > MAX_FORMULA_DEPTH) {
      this.fail(t.pos, `the formula nests parentheses, calls or operators more than ${MAX_FORMULA_DEPTH} levels deep (the limit)`);
    }
    const exponent = this.parsePower();
    this.nesting--;
    return this.binary(t, base, exponent);
  }

  private binary(t: Token, left: Node, right: Node): Node {
    const op = (t.kind === 'operator' ? t.op : '+') as BinaryOp;
    const node: Node = { type: 'binary', op, opPos: t.pos, left, right, start: left.start, end: right.end };
    const sum = op === '+' || op === '-';
    return this.deeper(node, Math.max(depthOf(left) + (sum ? 0 : 1), depthOf(right) + 1));
  }

  /** Record `node`'s depth, refusing one beyond {@link MAX_FORMULA_DEPTH}. */
  deeper(node: Node, depth: number): Node {
    if (depth > MAX_FORMULA_DEPTH) {
      this.fail(
        node.start,
        `the formula nests parentheses, calls or operators more than ${MAX_FORMULA_DEPTH} levels deep (the limit)`,
      );
    }
    nodeDepth.set(node, depth);
    return node;
  }

  /** Enter one level of nesting (a parenthesis, a call or the right side of `^`). */
  private enter(pos: number): void {
    this.depth++;
    this.nesting++;
    if (this.nesting > MAX_FORMULA_DEPTH) {
      this.fail(pos, `the formula nests parentheses, calls or operators more than ${MAX_FORMULA_DEPTH} levels deep (the limit)`);
    }
  }

  /** `primary := name | number | call | '(' sum ')' | '(' sum ('|' | '||') sum ')'` */
  private parsePrimary(): Node {
    const t = this.peek();
    switch (t.kind) {
      case 'name':
        this.next();
        return { type: 'name', name: t.name, quoted: t.quoted, start: t.pos, end: t.end };
      case 'number':
        this.next();
        return { type: 'number', value: t.value, text: t.text, start: t.pos, end: t.end };
      case 'call':
        this.next();
        return { type: 'call', name: t.name, text: t.text, start: t.pos, end: t.end };
      default:
        break;
    }
    if (!isOp(t, '(')) return this.unexpectedTerm(t);
    this.next();
    this.enter(t.pos);
    const inner = this.parseSum();
    let node: Node;
    const bar = this.peek();
    if (isOp(bar, '|', '||')) {
      this.next();
      if (isOp(this.peek(), ')')) {
        this.fail(this.peek().pos, `empty random part: missing grouping factor after "${isOp(bar, '||') ? '||' : '|'}"`);
      }
      const rhs = this.parseSum();
      const close = this.expectClose();
      node = { type: 'bar', lhs: inner, rhs, double: isOp(bar, '||'), barPos: bar.pos, start: t.pos, end: close };
    } else {
      const close = this.expectClose();
      node = this.deeper({ type: 'paren', inner, start: t.pos, end: close }, depthOf(inner) + 1);
    }
    this.depth--;
    this.nesting--;
    return node;
  }

  private expectClose(): number {
    const t = this.peek();
    if (!isOp(t, ')')) this.unexpectedAfterTerm(t);
    this.next();
    return t.end;
  }

  /** A token where a term should start. */
  private unexpectedTerm(t: Token): never {
    const prev = this.previous();
    if (t.kind === 'end') this.fail(t.pos, 'missing term at the end of the formula');
    if (isOp(t, '~')) this.fail(t.pos, 'repeated "~": a formula has a single "~"');
    if (isOp(t, ')') && prev !== undefined && isOp(prev, '(')) this.fail(t.pos, 'empty parentheses "()"');
    if (isOp(t, '|', '||') && prev !== undefined && isOp(prev, '(')) {
      this.fail(t.pos, `missing effects before ${describe(t)}: write a random intercept as (1 | group)`);
    }
    this.fail(t.pos, `empty term before ${describe(t)}`);
  }

  /** A token where an operator (or the end) should follow a complete term. */
  private unexpectedAfterTerm(t: Token): never {
    if (isOp(t, '~')) this.fail(t.pos, 'repeated "~": a formula has a single "~"');
    if (isOp(t, '|', '||')) {
      if (this.depth === 0) {
        this.fail(t.pos, `${describe(t)} outside parentheses: write random terms in parentheses, e.g. (1 | g)`);
      }
      this.fail(t.pos, `a random term has a single "|", found another ${describe(t)}`);
    }
    this.fail(t.pos, `missing operator before ${describe(t)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Expansion to terms

/** A term: a set of variables, as sorted indices into the variable list. */
interface Term {
  readonly ids: readonly number[];
  readonly key: string;
}

const makeTerm = (ids: Iterable<number>): Term => {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  return { ids: sorted, key: sorted.join(',') };
};

const combine = (a: Term, b: Term): Term => makeTerm([...a.ids, ...b.ids]);

/** Drop later repeats of a term, keeping the first. */
function trimRepeats(terms: readonly Term[]): Term[] {
  const seen = new Set<string>();
  return terms.filter((t) => (seen.has(t.key) ? false : (seen.add(t.key), true)));
}

/**
 * Variables in order of first appearance (R's variable list). R writes a term label with its
 * variables in this order, so `y ~ b + a + a:b` has the label `b:a`.
 */
class Variables {
  readonly names: string[] = [];
  /** Derived variables (formula functions), in order of first appearance. */
  readonly derived: DerivedVariable[] = [];
  private readonly index = new Map<string, number>();

  /** A data column. */
  install(name: string): number {
    return this.installKey(`c:${name}`, name);
  }

  /** A formula function's variable, keyed by its label (a column may carry the same text as a name). */
  installDerived(d: DerivedVariable): number {
    const before = this.names.length;
    const id = this.installKey(`f:${d.label}`, d.label);
    if (id === before) this.derived.push(d);
    return id;
  }

  private installKey(key: string, name: string): number {
    let id = this.index.get(key);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.index.set(key, id);
    }
    return id;
  }

  /** A column whose name is also a derived variable's label (such as `` `log(x)` `` beside `log(x)`). */
  clash(): string | undefined {
    return this.derived.find((d) => this.index.has(`c:${d.label}`))?.label;
  }
}

/** Fixed terms in R's order (by interaction order, then first appearance), with labels. */
function orderTerms(terms: readonly Term[], variables: Variables): FixedTerm[] {
  return terms
    .map((t, i) => ({ t, i }))
    .sort((a, b) => a.t.ids.length - b.t.ids.length || a.i - b.i)
    .map(({ t }) => {
      const names = t.ids.map((id) => variables.names[id]);
      return { variables: names, label: names.join(':') };
    });
}

const unwrap = (node: Node): Node => (node.type === 'paren' ? unwrap(node.inner) : node);

const sourceOf = (input: string, node: Node): string => input.slice(node.start, node.end);

/** Long formula text shortened for a message. */
const clip = (text: string): string => (text.length > 60 ? `${text.slice(0, 57)}...` : text);

/** A call where a formula function cannot stand (the outcome, a grouping factor). */
function unsupportedCall(input: string, node: Node & { type: 'call' }, where: string): never {
  if (!SPECIALS.has(node.name)) throw unknownFunction(input, node.name, node.text, node.start);
  throw new VardecompError(
    'E_UNSUPPORTED',
    `Function call "${node.text}" at position ${node.start} is not supported ${where}; ` +
      `compute the column in your data first and use its name (formula "${input}")`,
    { position: node.start, term: node.text, formula: input },
  );
}

/**
 * A formula function call as a derived variable: parsed, checked against the registry (`top`:
 * where `offset(...)` may stand), named as R names it. The outcome may not appear in it.
 */
function deriveCall(input: string, node: Node & { type: 'call' }, outcome: string | null, top: boolean): DerivedVariable {
  if (!SPECIALS.has(node.name)) throw unknownFunction(input, node.name, node.text, node.start);
  const expression = parseCall(input, node.start, node.end);
  checkCall(input, expression, top);
  const columns = exprColumns(expression);
  if (outcome !== null && columns.includes(outcome)) {
    throw formulaError(input, node.start, `the outcome "${outcome}" also appears among the terms, in "${node.text}"`);
  }
  return { label: deparse(expression), expression, columns };
}

function unsupportedDot(input: string, pos: number): never {
  throw new VardecompError(
    'E_UNSUPPORTED',
    `"." (all other columns) at position ${pos} is not supported; list the covariates by name (formula "${input}")`,
    { position: pos, term: '.', formula: input },
  );
}

/** Expands fixed-effect expressions as R's `terms()` does, tracking the intercept. */
class TermEncoder {
  intercept = true;

  constructor(
    private readonly input: string,
    readonly variables: Variables,
    /** The outcome, which may not appear among the terms (null: no check). */
    private readonly outcome: string | null,
  ) {}

  private fail(pos: number, problem: string): never {
    throw formulaError(this.input, pos, problem);
  }

  /** Terms of `node`; `adding` is false inside a subtraction (where `1` removes the intercept). */
  encode(node: Node, adding: boolean): Term[] {
    switch (node.type) {
      case 'name': {
        if (node.name === '.' && !node.quoted) unsupportedDot(this.input, node.start);
        if (node.name === this.outcome) {
          this.fail(node.start, `the outcome "${node.name}" also appears among the terms`);
        }
        return [makeTerm([this.variables.install(node.name)])];
      }
      case 'number':
        if (node.value === 1) this.intercept = adding;
        else if (node.value === 0) this.intercept = !adding;
        else this.fail(node.start, `invalid term "${node.text}": only 0 and 1 (the intercept) may appear as numbers`);
        return [];
      case 'call':
        return [makeTerm([this.variables.installDerived(deriveCall(this.input, node, this.outcome, false))])];
      case 'special':
        return this.encodeSpecial(node, adding);
      case 'paren':
        return this.encode(node.inner, adding);
      case 'negate':
        this.encode(node.operand, !adding);
        return [];
      case 'bar':
        return this.fail(
          node.start,
          `random term "${sourceOf(this.input, node)}" must be added at the top level of the formula, not inside another term`,
        );
      case 'binary':
        return this.encodeBinary(node, adding);
    }
  }

  /** Refuse a list of terms longer than {@link MAX_FORMULA_TERMS}, pointing at `node`. */
  bounded(terms: readonly Term[], node: Node): Term[] {
    if (terms.length > MAX_FORMULA_TERMS) {
      this.fail(
        node.start,
        `"${clip(sourceOf(this.input, node))}" gives more than ${MAX_FORMULA_TERMS} fixed-effect terms (the limit); ` +
          'write fewer terms or a lower power',
      );
    }
    return terms as Term[];
  }

  /**
   * An operand of `:`, `*`, `/`, `%in%` or `^`: `0` and `1` are rejected, and so is an operand
   * with no terms left (such as `(a - a)`), which R silently mishandles.
   */
  private operand(node: Node, adding: boolean): Term[] {
    const inner = unwrap(node);
    if (inner.type === 'number') {
      this.fail(inner.start, `"${inner.text}" cannot be part of an interaction; 0 and 1 only add or remove the intercept`);
    }
    const terms = this.encode(node, adding);
    if (terms.length === 0) {
      this.fail(node.start, `"${sourceOf(this.input, node)}" has no terms left to combine with an operator`);
    }
    return terms;
  }

  private encodeSpecial(node: Node & { type: 'special' }, adding: boolean): Term[] {
    if (node.op !== '%in%') {
      throw new VardecompError(
        'E_UNSUPPORTED',
        `Operator "${node.op}" at position ${node.opPos} is not supported in formulas; ` +
          `compute the column in your data first and use its name (formula "${this.input}")`,
        { position: node.opPos, term: sourceOf(this.input, node), formula: this.input },
      );
    }
    // a %in% b: every term on the left interacted with all variables on the right.
    const left = this.operand(node.left, adding);
    const right = this.operand(node.right, adding);
    const all = makeTerm(right.flatMap((t) => t.ids));
    return this.bounded(trimRepeats(left.map((t) => combine(t, all))), node);
  }

  private encodeBinary(node: Node & { type: 'binary' }, adding: boolean): Term[] {
    switch (node.op) {
      case '+':
      case '-': {
        // Left to right over the chain (iteratively: a sum may have thousands of terms).
        const [head, ...rest] = summands(node);
        let terms = head.sign === '+' ? this.encode(head.node, adding) : this.encode(head.node, !adding).slice(0, 0);
        for (const { sign, node: operand } of rest) {
          if (sign === '+') {
            terms = trimRepeats([...terms, ...this.encode(operand, adding)]);
            this.bounded(terms, operand);
          } else {
            const removed = new Set(this.encode(operand, !adding).map((t) => t.key));
            terms = terms.filter((t) => !removed.has(t.key));
          }
        }
        return terms;
      }
      case ':': {
        const left = this.operand(node.left, adding);
        const right = this.operand(node.right, adding);
        return this.bounded(trimRepeats(left.flatMap((a) => right.map((b) => combine(a, b)))), node);
      }
      case '*': {
        const left = this.operand(node.left, adding);
        const right = this.operand(node.right, adding);
        const both = left.flatMap((a) => right.map((b) => combine(a, b)));
        return this.bounded(trimRepeats([...left, ...right, ...both]), node);
      }
      case '/': {
        // a/b is a + a:b; (a + b)/c is a + b + a:b:c.
        const left = this.operand(node.left, adding);
        const right = this.operand(node.right, adding);
        const all = makeTerm(left.flatMap((t) => t.ids));
        return this.bounded(trimRepeats([...left, ...right.map((t) => combine(t, all))]), node);
      }
      case '^': {
        const power = unwrap(node.right);
        if (power.type !== 'number' || !Number.isInteger(power.value) || power.value < 2) {
          this.fail(node.right.start, 'the power after "^" must be a whole number of at least 2');
        }
        const left = this.operand(node.left, adding);
        let result = left;
        for (let k = 1; k < power.value; k++) {
          const next = this.bounded(trimRepeats(left.flatMap((a) => result.map((b) => combine(a, b)))), node);
          const saturated = next.length === result.length;
          result = next;
          if (saturated) break;
        }
        return result;
      }
    }
  }
}

/**
 * Split a sum into its signed summands, in formula order. Iterative over the left spine, so a
 * sum of thousands of terms does not recurse thousands of levels deep.
 */
function summands(node: Node): Array<{ sign: '+' | '-'; node: Node }> {
  const rest: Array<{ sign: '+' | '-'; node: Node }> = [];
  let head = node;
  while (head.type === 'binary' && (head.op === '+' || head.op === '-')) {
    rest.push({ sign: head.op, node: head.right });
    head = head.left;
  }
  rest.reverse();
  if (head.type === 'negate') return [{ sign: '-', node: head.operand }, ...rest];
  return [{ sign: '+', node: head }, ...rest];
}

/** A random term found in the formula, before its grouping is expanded. */
interface BarTerm {
  readonly node: Node & { type: 'bar' };
}

/** Expands a grouping expression `a`, `a:b` or `a/b/c` into lme4's groups, innermost first. */
class GroupExpander {
  constructor(
    private readonly input: string,
    private readonly outcome: string,
  ) {}

  private fail(pos: number, problem: string): never {
    throw formulaError(this.input, pos, problem);
  }

  expand(rhs: Node): string[][] {
    const levels = this.slashParts(rhs);
    const groups: string[][] = [];
    for (let j = levels.length; j >= 1; j--) {
      groups.push(dedupe(levels.slice(0, j).reverse().flat()));
    }
    return groups;
  }

  /** `a/b/c` -> `[[a], [b], [c]]`: the levels of the nesting, outermost first. */
  private slashParts(node: Node): string[][] {
    const n = unwrap(node);
    if (n.type === 'binary' && n.op === '/') return [...this.slashParts(n.left), this.interaction(n.right)];
    return [this.interaction(n)];
  }

  /** `a:b` -> `[a, b]` */
  private interaction(node: Node): string[] {
    const n = unwrap(node);
    switch (n.type) {
      case 'name':
        if (n.name === '.' && !n.quoted) unsupportedDot(this.input, n.start);
        if (n.name === this.outcome) this.fail(n.start, `the outcome "${n.name}" cannot be a grouping factor`);
        return [n.name];
      case 'call':
        return unsupportedCall(this.input, n, 'as a grouping factor');
      case 'binary':
        if (n.op === ':') return dedupe([...this.interaction(n.left), ...this.interaction(n.right)]);
        if (n.op === '/') {
          this.fail(n.opPos, 'nesting "/" inside a grouping interaction is not allowed; write (1 | a/b/c)');
        }
        break;
      default:
        break;
    }
    return this.fail(
      n.start,
      `grouping factor "${sourceOf(this.input, n)}" must be a column name, an interaction a:b or a nesting a/b`,
    );
  }
}

function dedupe(names: readonly string[]): string[] {
  return [...new Set(names)];
}

const groupKey = (variables: readonly string[]): string => [...variables].sort().join('\u0000');

/** Canonical lme4-like text of a model. */
function modelText(
  outcome: string,
  intercept: boolean,
  fixed: readonly FixedTerm[],
  random: readonly RandomTerm[],
  derived: readonly DerivedVariable[] = [],
  offsets: readonly DerivedVariable[] = [],
): string {
  const parts: string[] = [];
  if (!intercept) parts.push('0');
  else if (fixed.length === 0) parts.push('1');
  const labels = new Set(derived.map((d) => d.label));
  for (const t of fixed) parts.push(t.variables.map((v) => (labels.has(v) ? v : formatName(v))).join(':'));
  for (const o of offsets) parts.push(o.label);
  for (const r of random) parts.push(randomTermText(r));
  return `${formatName(outcome)} ~ ${parts.join(' + ')}`;
}

/**
 * The random-effect columns of a bar term's left side, in lme4's order: `(Intercept)` first
 * (unless removed with `0 +` or `- 1`), then each slope variable as written. Slopes are plain
 * column names (their being numeric is checked against the data).
 */
function randomColumns(input: string, outcome: string, bar: Node & { type: 'bar' }): string[] {
  const text = sourceOf(input, bar);
  const lhs = new TermEncoder(input, new Variables(), outcome);
  const effects = lhs.encode(bar.lhs, true);
  const columns: string[] = lhs.intercept ? [INTERCEPT_COLUMN] : [];
  for (const t of effects) {
    if (t.ids.length > 1) {
      throw new VardecompError(
        'E_UNSUPPORTED',
        `Random slopes on interactions ("${text}") are not supported; compute the product column in your data first and use its name (formula "${input}")`,
        { position: bar.start, term: text, formula: input },
      );
    }
    const name = lhs.variables.names[t.ids[0]];
    if (lhs.variables.derived.some((d) => d.label === name)) {
      throw new VardecompError(
        'E_UNSUPPORTED',
        `Random slopes on formula functions ("${name}" in "${text}") are not supported yet; compute the column in your data first and use its name (formula "${input}")`,
        { position: bar.start, term: text, formula: input },
      );
    }
    columns.push(name);
  }
  if (columns.length === 0) {
    throw formulaError(input, bar.start, `random term "${text}" has no effects; write a random intercept as (1 | g)`);
  }
  return columns;
}

/** The random terms of one bar: one correlated term, or lme4's expansion of `||` into one term per column. */
function barTerms(columns: readonly string[], double: boolean): string[][] {
  return double ? columns.map((c) => [c]) : [columns.slice()];
}

/** lme4-like text of one random term: `(1 | g)`, `(x | g)`, `(0 + x | g)`. */
function randomTermText(r: RandomTerm): string {
  const slopes = r.columns.filter((c) => c !== INTERCEPT_COLUMN).map(formatName);
  const lhs = r.columns[0] === INTERCEPT_COLUMN ? (slopes.length > 0 ? slopes.join(' + ') : '1') : `0 + ${slopes.join(' + ')}`;
  return `(${lhs} | ${r.variables.map(formatName).join(':')})`;
}

function parseFormulaString(input: string): ModelSpec {
  const parser: Parser = new Parser(input, tokenize(input));
  const { lhs, rhs } = parser.parseFormula();

  // Outcome: a single column name.
  const out = unwrap(lhs);
  if (out.type === 'call') unsupportedCall(input, out, 'as the outcome');
  if (out.type === 'binary' || out.type === 'special') {
    parser.fail(out.opPos, `only one outcome is allowed, found "${sourceOf(input, out)}"`);
  }
  if (out.type !== 'name') parser.fail(out.start, `the outcome must be a column name, found "${sourceOf(input, out)}"`);
  if (out.name === '.' && !out.quoted) unsupportedDot(input, out.start);
  const outcome = out.name;

  // Fixed part, summand by summand (as R folds a left-associative sum); random terms set aside.
  const variables = new Variables();
  const encoder = new TermEncoder(input, variables, outcome);
  let terms: Term[] = [];
  const bars: BarTerm[] = [];
  const offsets: DerivedVariable[] = [];
  for (const { sign, node } of summands(rhs)) {
    const inner = unwrap(node);
    if (inner.type === 'call' && SPECIALS.get(inner.name)?.offset) {
      if (sign === '-') parser.fail(inner.start, `"${inner.text}" cannot be removed with "-"`);
      offsets.push(deriveCall(input, inner, outcome, true));
    } else if (inner.type === 'bar') {
      if (sign === '-') parser.fail(inner.start, `random term "${sourceOf(input, inner)}" cannot be removed with "-"`);
      bars.push({ node: inner });
    } else if (sign === '+') {
      terms = encoder.bounded(trimRepeats([...terms, ...encoder.encode(node, true)]), node);
    } else {
      const removed = new Set(encoder.encode(node, false).map((t) => t.key));
      terms = terms.filter((t) => !removed.has(t.key));
    }
  }
  const fixed = orderTerms(terms, variables);
  const clash = variables.clash();
  if (clash !== undefined) {
    parser.fail(0, `the column \`${clash}\` and the formula function ${clash} would both be named "${clash}"; rename the column`);
  }
  const derived = variables.derived.filter((d) => fixed.some((t) => t.variables.includes(d.label)));

  // Random part, in formula order; `||` expands into one uncorrelated term per column.
  const groups = new GroupExpander(input, outcome);
  const random: RandomTerm[] = [];
  const seen = new Map<string, { group: string; columns: Set<string> }>();
  for (const { node } of bars) {
    const columns = randomColumns(input, outcome, node);
    const expanded = groups.expand(node.rhs);
    for (const vars of expanded) {
      const group = vars.join(':');
      const key = groupKey(vars);
      const earlier = seen.get(key) ?? { group, columns: new Set<string>() };
      const repeated = columns.find((c) => earlier.columns.has(c));
      if (repeated !== undefined) {
        const text = sourceOf(input, node);
        const from = expanded.length > 1 ? ` (from "${text}")` : '';
        const what = repeated === INTERCEPT_COLUMN ? `(1 | ${group})` : `"${repeated}" in a term on ${group}`;
        parser.fail(node.start, `duplicate random term ${what}${from}: the grouping "${earlier.group}" already has it`);
      }
      for (const c of columns) earlier.columns.add(c);
      seen.set(key, earlier);
      for (const cols of barTerms(columns, node.double)) random.push({ group, variables: vars, columns: cols });
    }
  }
  const text = modelText(outcome, encoder.intercept, fixed, random, derived, offsets);
  return {
    outcome,
    intercept: encoder.intercept,
    fixed,
    random,
    text,
    ...(derived.length > 0 ? { derived } : {}),
    ...(offsets.length > 0 ? { offsets } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Object form

const OBJECT_KEYS: ReadonlySet<string> = new Set(['outcome', 'covariates', 'groups', 'intercept']);

function optionError(option: string, problem: string, value?: unknown): VardecompError {
  return new VardecompError('E_OPTION', `Formula object: ${problem}`, { option, value });
}

/** Split `a:b` into trimmed, non-empty column names; `where` names the entry (`covariates[2]`, `groups[0].group`). */
function splitInteraction(option: string, where: string, value: unknown): string[] {
  if (typeof value !== 'string') {
    throw optionError(option, `${where} must be a string, got ${describeValue(value)}`, value);
  }
  const parts = value.split(':').map((p) => p.trim());
  if (parts.some((p) => p.length === 0)) {
    throw optionError(option, `${where} "${value}" has an empty column name`, value);
  }
  return dedupe(parts);
}

const GROUP_KEYS: ReadonlySet<string> = new Set(['group', 'slopes', 'intercept', 'correlated']);

/** One entry of `groups`: its grouping columns, its random-effect columns, and whether `||` splits them. */
interface GroupEntry {
  readonly vars: string[];
  readonly columns: string[];
  readonly correlated: boolean;
}

/** A `groups` entry: `'g'` / `'a:b'` (a random intercept) or `{ group, slopes, intercept, correlated }`. */
function groupEntry(value: unknown, i: number, outcome: string): GroupEntry {
  const where = `groups[${i}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const vars = splitInteraction('groups', where, value);
    if (vars.includes(outcome)) throw optionError('groups', `${where} "${String(value)}" uses the outcome "${outcome}"`, value);
    return { vars, columns: [INTERCEPT_COLUMN], correlated: true };
  }
  const entry = value as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (!GROUP_KEYS.has(key)) {
      throw optionError('groups', `${where} has an unknown key "${key}"; expected group, slopes, intercept or correlated`, value);
    }
  }
  if (!Object.hasOwn(entry, 'group')) throw optionError('groups', `${where} has no "group" (the grouping column)`, value);
  const vars = splitInteraction('groups', `${where}.group`, entry.group);
  if (vars.includes(outcome)) {
    throw optionError('groups', `${where}.group "${String(entry.group)}" uses the outcome "${outcome}"`, value);
  }
  const flag = (key: 'intercept' | 'correlated'): boolean => {
    const v = entry[key];
    if (v !== undefined && typeof v !== 'boolean') {
      throw optionError('groups', `${where}.${key} must be a boolean, got ${describeValue(v)}`, value);
    }
    return v ?? true;
  };
  const intercept = flag('intercept');
  const correlated = flag('correlated');
  const rawSlopes = entry.slopes ?? [];
  if (!Array.isArray(rawSlopes)) {
    throw optionError('groups', `${where}.slopes must be an array of column names, got ${describeValue(rawSlopes)}`, value);
  }
  const columns: string[] = intercept ? [INTERCEPT_COLUMN] : [];
  (rawSlopes as unknown[]).forEach((s, k) => {
    const at = `${where}.slopes[${k}]`;
    if (typeof s !== 'string' || s.trim().length === 0) {
      throw optionError('groups', `${at} must be a non-empty column name, got ${typeof s === 'string' ? 'an empty string' : describeValue(s)}`, value);
    }
    const name = s.trim();
    if (name.includes(':')) {
      throw new VardecompError(
        'E_UNSUPPORTED',
        `Formula object: ${at} "${name}": random slopes on interactions are not supported; compute the product column in your data first and use its name`,
        { option: 'groups', value },
      );
    }
    if (name === outcome) throw optionError('groups', `${at} "${name}" is the outcome`, value);
    if (name === INTERCEPT_COLUMN) {
      throw optionError('groups', `${at} "${name}" is not a column; the random intercept is set with ${where}.intercept`, value);
    }
    if (columns.includes(name)) throw optionError('groups', `${at} "${name}" repeats an earlier slope`, value);
    columns.push(name);
  });
  if (columns.length === 0) {
    throw new VardecompError(
      'E_FORMULA',
      `Formula object: ${where} (group "${vars.join(':')}") has no effects: intercept is false and there are no slopes`,
      { option: 'groups', value },
    );
  }
  return { vars, columns, correlated };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function stringList(obj: FormulaObject, option: 'covariates' | 'groups'): readonly unknown[] {
  const list: unknown = obj[option];
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    throw optionError(option, `"${option}" must be an array of strings, got ${describeValue(list)}`, list);
  }
  return list;
}

function parseFormulaObject(obj: FormulaObject): ModelSpec {
  const keys = Object.keys(obj);
  if (keys.length > 0 && !keys.some((k) => OBJECT_KEYS.has(k))) {
    // An options object where the formula belongs: decompose(data, { method }) forgot the formula.
    const got = `an object with ${keys.map((k) => `"${k}"`).join(', ')}`;
    throw new VardecompError(
      'E_FORMULA',
      `The formula is missing: got ${got} where the formula belongs. Pass the formula (a string such as ` +
        `"y ~ x + (1 | g)" or an object { outcome, covariates, groups }) before the options`,
      { option: 'formula' },
    );
  }
  for (const key of keys) {
    if (!OBJECT_KEYS.has(key)) {
      throw optionError(key, `unknown key "${key}"; expected outcome, covariates, groups or intercept`);
    }
  }
  const rawOutcome: unknown = obj.outcome;
  if (typeof rawOutcome !== 'string' || rawOutcome.trim().length === 0) {
    throw optionError('outcome', `"outcome" must be a non-empty string, got ${describeValue(rawOutcome)}`, rawOutcome);
  }
  const outcome = rawOutcome.trim();
  const rawIntercept: unknown = obj.intercept;
  if (rawIntercept !== undefined && typeof rawIntercept !== 'boolean') {
    throw optionError('intercept', `"intercept" must be a boolean, got ${describeValue(rawIntercept)}`, rawIntercept);
  }
  const intercept = rawIntercept ?? true;

  const variables = new Variables();
  const terms: Term[] = [];
  stringList(obj, 'covariates').forEach((value, i) => {
    const names = splitInteraction('covariates', `covariates[${i}]`, value);
    if (names.includes(outcome)) {
      throw optionError('covariates', `covariates[${i}] "${String(value)}" uses the outcome "${outcome}"`, value);
    }
    terms.push(makeTerm(names.map((n) => variables.install(n))));
  });
  const fixed = orderTerms(trimRepeats(terms), variables);

  // Random terms in order, as the formula's bars: `correlated: false` is lme4's `||` expansion.
  const random: RandomTerm[] = [];
  const seen = new Map<string, Set<string>>();
  stringList(obj, 'groups').forEach((value, i) => {
    const { vars, columns, correlated } = groupEntry(value, i, outcome);
    const group = vars.join(':');
    const earlier = seen.get(groupKey(vars)) ?? new Set<string>();
    const repeated = columns.find((c) => earlier.has(c));
    if (repeated !== undefined) {
      const what = repeated === INTERCEPT_COLUMN ? `the random intercept (1 | ${group})` : `the slope "${repeated}"`;
      throw optionError('groups', `groups[${i}] repeats an earlier group: ${what} is already in the model`, value);
    }
    for (const c of columns) earlier.add(c);
    seen.set(groupKey(vars), earlier);
    for (const cols of barTerms(columns, !correlated)) random.push({ group, variables: vars, columns: cols });
  });
  return { outcome, intercept, fixed, random, text: modelText(outcome, intercept, fixed, random) };
}

// ---------------------------------------------------------------------------------------------

/**
 * The data columns a model reads: `covariates` are the columns used directly by fixed terms
 * (derived variables such as `log(x)` excluded), `all` every column the model needs (outcome,
 * covariates, the columns formula functions and offsets read, grouping columns), in order of
 * first appearance.
 *
 * @example
 * ```ts
 * modelColumns(parseFormula('y ~ log(x) + z + (1 | g)')); // { covariates: ['z'], all: ['y', 'z', 'x', 'g'] }
 * ```
 */
export function modelColumns(spec: ModelSpec): { covariates: string[]; all: string[] } {
  const derived = new Set((spec.derived ?? []).map((d) => d.label));
  // random slopes' variables are numeric columns of the model too (rows missing them are dropped)
  const slopes = spec.random.flatMap((r) => r.columns.filter((c) => c !== INTERCEPT_COLUMN));
  const covariates = [...new Set([...spec.fixed.flatMap((t) => t.variables.filter((v) => !derived.has(v))), ...slopes])];
  const all = new Set<string>([spec.outcome, ...covariates]);
  for (const d of [...(spec.derived ?? []), ...(spec.offsets ?? [])]) for (const c of d.columns) all.add(c);
  for (const r of spec.random) for (const v of r.variables) all.add(v);
  return { covariates, all: [...all] };
}

/**
 * Parse a model description: an lme4-style formula string or the equivalent object.
 *
 * The formula follows R and lme4: `+` adds terms, `:` is an interaction, `a*b` is
 * `a + b + a:b`, `a/b` is `a + a:b`, `(a + b + c)^2` is all terms up to two-way, `-` removes a
 * term, `0 +` or `- 1` removes the intercept, parentheses group fixed terms. Random intercepts
 * are written `(1 | g)`, with interaction groups `(1 | a:b)` and nesting `(1 | a/b)`, which
 * expands as in lme4 to `(1 | b:a) + (1 | a)`. Column names that are not R names go in
 * backticks: `` `cpp rate` ``.
 *
 * Formula functions come from one registry ({@link SPECIALS}): `within(x, g)`, `between(x, g)`,
 * `log(x)`, `log1p(x)`, `exp(x)`, `sqrt(x)`, `scale(x)`, `I(...)` (arithmetic `+ - * / ^` over
 * columns and numbers) and `offset(...)`. A call is a variable named as R names it (`log(x)`,
 * `I(x^2)`, `within(cilif, la_code)`) and combines with others as one (`log(x):z`); it is
 * recorded in `spec.derived` and evaluated by the model frame. `offset(...)` terms go to
 * `spec.offsets`. Nesting deeper than {@link MAX_FORMULA_DEPTH} or more than
 * {@link MAX_FORMULA_TERMS} terms is refused.
 *
 * In the object form, each covariate is a column name or an interaction `'a:b'` (a `:` always
 * separates columns there; names are trimmed), each group a column or an interaction (a random
 * intercept) or a {@link RandomGroup} `{ group, slopes, intercept, correlated }` with random
 * slopes, and `intercept` defaults to true. `{ group: 'g', slopes: ['t'] }` gives the same model
 * as `(1 + t | g)`, with `intercept: false` as `(0 + t | g)`, with `correlated: false` as `(t || g)`.
 *
 * @throws {@link VardecompError} `E_FORMULA` for a malformed formula (the message and
 *   `detail.position` give the 0-based position), `E_UNSUPPORTED` for valid lme4 syntax that is
 *   not supported yet (random slopes on interactions or formula functions, functions outside the registry such as `poly(x, 2)`,
 *   a function of the outcome such as `log(y) ~ x`, `.`), `E_OPTION` for
 *   a formula object of the wrong shape.
 *
 * @example
 * ```ts
 * const spec = parseFormula('y ~ x1*x2 + (1|la) + (1|year)');
 * spec.fixed.map((t) => t.label); // ['x1', 'x2', 'x1:x2']
 * spec.random.map((r) => r.group); // ['la', 'year']
 * spec.text; // 'y ~ x1 + x2 + x1:x2 + (1 | la) + (1 | year)'
 *
 * parseFormula({ outcome: 'y', covariates: ['x'], groups: ['la'] }).text; // 'y ~ x + (1 | la)'
 *
 * // random slopes: the same ModelSpec as 'rate ~ t + (1 | year) + (1 + t | la_code)'
 * parseFormula({ outcome: 'rate', covariates: ['t'], groups: ['year', { group: 'la_code', slopes: ['t'] }] }).text;
 * // 'rate ~ t + (1 | year) + (t | la_code)'
 * ```
 */
export function parseFormula(input: FormulaInput): ModelSpec {
  if (typeof input === 'string') return parseFormulaString(input);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new VardecompError(
      'E_OPTION',
      `A formula must be a string such as "y ~ x + (1 | g)" or an object { outcome, covariates, groups }, got ${describeValue(input)}`,
      { option: 'formula', value: input },
    );
  }
  return parseFormulaObject(input);
}
