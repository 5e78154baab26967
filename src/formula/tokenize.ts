/**
 * The lexer for model formulas: turns `y ~ x + (1 | la)` into tokens with their positions.
 *
 * Names follow R: letters, digits, `.` and `_`, starting with a letter or with a `.` not followed
 * by a digit; as an extension a name may also start with `_` (`__proto__`). Any other column name
 * is written in backticks (`` `cpp rate` ``). A name directly
 * followed by `(` is a function call (`log(y)`, `I(x^2)`): the whole call, arguments included,
 * becomes one token; its arguments are tokenized on their own (a range of the same text, so
 * positions stay those of the formula) when the call is parsed.
 */
import { VardecompError } from '../errors.js';

/**
 * One token of a formula. `pos` is the 0-based index of its first character in the formula
 * string, `end` the index just past its last character.
 *
 * - `name`: a column name; `quoted` when written in backticks (so `` `.` `` is a column, `.` is not).
 * - `number`: a numeric literal (`0` and `1` are the intercept; others are only valid after `^`).
 * - `operator`: one of `~ + - * : / ^ | || ( )`, and `,` between the arguments of a call.
 * - `special`: an R `%op%` operator such as `%in%`.
 * - `call`: a whole function call such as `log(y)`; `text` is its source text.
 * - `end`: the end of the formula; its `pos` is just past the last token.
 *
 * @example
 * ```ts
 * const [y] = tokenize('y ~ x');
 * if (y.kind === 'name') y.name; // 'y'
 * ```
 */
export type Token =
  | { readonly kind: 'name'; readonly name: string; readonly quoted: boolean; readonly pos: number; readonly end: number }
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly pos: number; readonly end: number }
  | { readonly kind: 'operator'; readonly op: OperatorSymbol; readonly pos: number; readonly end: number }
  | { readonly kind: 'special'; readonly op: string; readonly pos: number; readonly end: number }
  | { readonly kind: 'call'; readonly name: string; readonly text: string; readonly pos: number; readonly end: number }
  | { readonly kind: 'end'; readonly pos: number; readonly end: number };

/**
 * The operator symbols a formula may contain.
 *
 * @example
 * ```ts
 * const op: OperatorSymbol = '||';
 * ```
 */
export type OperatorSymbol = '~' | '+' | '-' | '*' | ':' | '/' | '^' | '|' | '||' | '(' | ')' | ',';

const SINGLE_OPERATORS: ReadonlySet<string> = new Set(['~', '+', '-', '*', ':', '/', '^', '(', ')']);

/** R's reserved words: they cannot be column names unless quoted in backticks. */
const RESERVED: ReadonlySet<string> = new Set([
  'if',
  'else',
  'repeat',
  'while',
  'function',
  'for',
  'in',
  'next',
  'break',
  'TRUE',
  'FALSE',
  'NULL',
  'Inf',
  'NaN',
  'NA',
  'NA_integer_',
  'NA_real_',
  'NA_character_',
  'NA_complex_',
  '...',
]);

const isReserved = (name: string): boolean => RESERVED.has(name) || /^\.\.[0-9]+$/.test(name);

/** Names as the lexer reads them: R's names, and also names starting with `_` (such as `__proto__`). */
const NAME_RE = /(?:[\p{L}_]|\.(?![0-9]))[\p{L}\p{M}\p{N}._]*/uy;
const NUMBER_RE = /(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?L?/y;
/** R's syntactic names: the names that `formatName` writes without backticks. */
const SYNTACTIC_RE = /^(?:\p{L}|\.(?![0-9]))[\p{L}\p{M}\p{N}._]*$/u;
const SPACE_RE = /\s/u;

/**
 * The error for a malformed formula: code `E_FORMULA`, the position in `detail.position` and in
 * the message, which also quotes the formula.
 *
 * @example
 * ```ts
 * throw formulaError('y ~ x $ z', 6, 'unexpected character "$"');
 * // VardecompError: Formula error at position 6: unexpected character "$" in "y ~ x $ z"
 * ```
 */
export function formulaError(formula: string, position: number, problem: string): VardecompError {
  const shown = formula.length > 200 ? `${formula.slice(0, 200)}...` : formula;
  return new VardecompError('E_FORMULA', `Formula error at position ${position}: ${problem} in "${shown}"`, {
    position,
    formula,
  });
}

/**
 * Write a column name as it appears in R formula text: unchanged when it is a syntactic R name,
 * otherwise in backticks (with backticks and backslashes inside escaped).
 *
 * @example
 * ```ts
 * formatName('la');       // 'la'
 * formatName('cpp rate'); // '`cpp rate`'
 * formatName('if');       // '`if`'
 * formatName('.');        // '`.`'
 * ```
 */
export function formatName(name: string): string {
  // `.` is a syntactic name, but in a formula it means "all other columns".
  if (SYNTACTIC_RE.test(name) && !isReserved(name) && name !== '.') return name;
  return `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

/** Index just past the `)` matching the `(` at `open`, skipping quoted strings; -1 if none. */
function matchCallParen(input: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < input.length) {
    const c = input[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i + 1;
    } else if (c === '"' || c === "'" || c === '`') {
      i++;
      while (i < input.length && input[i] !== c) i += input[i] === '\\' ? 2 : 1;
      if (i >= input.length) return -1;
    }
    i++;
  }
  return -1;
}

/** Read a backtick-quoted name starting at `start` (the opening backtick). */
function readQuotedName(input: string, start: number): { name: string; end: number } {
  let name = '';
  let i = start + 1;
  while (i < input.length && input[i] !== '`') {
    if (input[i] === '\\' && i + 1 < input.length) {
      name += input[i + 1];
      i += 2;
    } else {
      name += input[i];
      i++;
    }
  }
  if (i >= input.length) throw formulaError(input, start, 'unterminated backtick-quoted name');
  if (name.length === 0) throw formulaError(input, start, 'empty backtick-quoted name ``');
  return { name, end: i + 1 };
}

/**
 * Split a formula into tokens. Whitespace separates tokens and is otherwise ignored; the last
 * token is always `end`.
 *
 * @throws {@link VardecompError} `E_FORMULA` for a character that cannot start a token, an
 *   unterminated backtick name or `%op%`, an unquoted reserved word, or a function call whose
 *   parentheses are not closed.
 *
 * `range` tokenizes part of `input` only (`start`..`end`, positions still index `input`);
 * `commas: true` reads `,` as an operator (between a call's arguments).
 *
 * @example
 * ```ts
 * tokenize('y ~ x + (1|g)').map((t) => t.pos); // [0, 2, 4, 6, 8, 9, 10, 11, 12, 13]
 * tokenize('y ~ log(x, 2)', { start: 8, end: 12, commas: true }).length; // 4: x , 2 end
 * ```
 */
export function tokenize(input: string, range: { start?: number; end?: number; commas?: boolean } = {}): Token[] {
  const tokens: Token[] = [];
  const stop = range.end ?? input.length;
  let i = range.start ?? 0;
  let lastEnd = i;
  const push = (t: Token): void => {
    tokens.push(t);
    lastEnd = t.end;
    i = t.end;
  };
  while (i < stop) {
    const c = input[i];
    if (SPACE_RE.test(c)) {
      i++;
      continue;
    }
    const start = i;
    let name: string | undefined;
    let quoted = false;
    let nameEnd = start;
    if (c === '`') {
      const q = readQuotedName(input, start);
      name = q.name;
      nameEnd = q.end;
      quoted = true;
    } else {
      NUMBER_RE.lastIndex = start;
      const num = NUMBER_RE.exec(input);
      if (num) {
        const text = num[0];
        push({ kind: 'number', value: Number(text.replace(/L$/, '')), text, pos: start, end: start + text.length });
        continue;
      }
      NAME_RE.lastIndex = start;
      const m = NAME_RE.exec(input);
      if (m) {
        name = m[0];
        nameEnd = start + name.length;
        if (isReserved(name)) {
          throw formulaError(
            input,
            start,
            `"${name}" is a reserved word in R; write \`${name}\` in backticks to use a column with that name`,
          );
        }
      }
    }
    if (name !== undefined) {
      let j = nameEnd;
      while (j < input.length && SPACE_RE.test(input[j])) j++;
      if (input[j] === '(') {
        const close = matchCallParen(input, j);
        if (close < 0) throw formulaError(input, j, 'unbalanced parenthesis: "(" is never closed');
        push({ kind: 'call', name, text: input.slice(start, close), pos: start, end: close });
      } else {
        push({ kind: 'name', name, quoted, pos: start, end: nameEnd });
      }
      continue;
    }
    if (c === '|') {
      const double = input[i + 1] === '|';
      push({ kind: 'operator', op: double ? '||' : '|', pos: start, end: start + (double ? 2 : 1) });
      continue;
    }
    if (SINGLE_OPERATORS.has(c) || (c === ',' && range.commas === true)) {
      push({ kind: 'operator', op: c as OperatorSymbol, pos: start, end: start + 1 });
      continue;
    }
    if (c === '%') {
      const close = input.indexOf('%', start + 1);
      const op = close < 0 ? '' : input.slice(start, close + 1);
      if (close < 0 || op.includes('\n')) throw formulaError(input, start, 'unterminated %operator%');
      push({ kind: 'special', op, pos: start, end: close + 1 });
      continue;
    }
    const ch = String.fromCodePoint(input.codePointAt(start) ?? 0);
    throw formulaError(input, start, `unexpected character "${ch}"`);
  }
  tokens.push({ kind: 'end', pos: lastEnd, end: lastEnd });
  return tokens;
}
