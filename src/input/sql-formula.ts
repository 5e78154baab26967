/**
 * Formula functions in SQL: each derived variable of a formula (`log(x)`, `within(x, g)`,
 * `scale(x)`, `I(x^2)`, ...) written as an SQL expression that computes what
 * `formula/specials.ts` computes over the model rows.
 *
 * - Element-wise functions are guarded by their domain (`log` of a value > 0, `log1p` > -1,
 *   `sqrt` >= 0, `exp` of at most 709, division by a non-zero value): outside it the value is
 *   NULL instead of an engine error or a NaN. An infinite intermediate (an overflow that an
 *   engine returns instead of failing) is made NULL before `/`, `EXP` and `POWER`, which could
 *   turn it finite; every other operation keeps it non-finite, so the value's check catches it. `log1p` uses the accurate form
 *   `log(u) * x / (u - 1)` with `u = 1 + x` (x itself when u rounds to 1), since not every
 *   engine has `log1p`. Numbers are cast to doubles (no integer division).
 * - Functions of more than one row are window functions over the complete rows only
 *   (`PARTITION BY vd_ok`, the completeness flag decided first, from every column the model
 *   reads): `within(x, g)` is `x - AVG(x) OVER (PARTITION BY vd_ok, g)`, `between(x, g)` the
 *   window mean itself, `scale(x)` `(x - AVG(x)) / STDDEV_SAMP(x)` over all complete rows. A
 *   window over a window (`scale(within(x, g))`) goes one CTE level further.
 * - Each derived variable has an error code per row: 0 when its value is defined, finite and
 *   within the row path's magnitude bound; 1 when a `scale()` argument is constant; 2 otherwise.
 *   The query returns the largest code per cell (`vd_bad_<k>`), and the reader refuses the
 *   model as the row path would (`E_NONNUMERIC`, `E_CONSTANT`), naming the term and the cell:
 *   an engine cannot say which row.
 */
import type { Expr } from '../formula/expression.js';
import type { DerivedVariable, ModelSpec } from '../formula/model-spec.js';
import { SPECIALS } from '../formula/specials.js';
import { MAX_MAGNITUDE } from './model-frame.js';

/** How the translation refers to the data: numeric columns (already doubles), grouping columns, the double type. */
export interface SqlColumnRefs {
  numeric(column: string): string;
  grouping(column: string): string;
  readonly double: string;
  /** Positive infinity as a double literal of the dialect (to keep an infinite intermediate out of `/`, `EXP`, `POWER`). */
  readonly infinity: string;
  /**
   * The name of a scalar function (`LN`, `SQRT`, `EXP`, `POWER`) as the dialect should call it:
   * BigQuery's `SAFE.LN` returns NULL instead of failing should the engine evaluate a guarded
   * branch anyway. Default: the name itself.
   */
  fn?(name: 'LN' | 'SQRT' | 'EXP' | 'POWER'): string;
}

/** A window column, computed in the CTE of its level from the columns of the level below. */
export interface SqlWindow {
  readonly name: string;
  readonly sql: string;
  readonly level: number;
}

/** The SQL of a formula's derived variables. */
export interface SqlDerived {
  /** Per derived variable, then per offset term (see {@link formulaFunctions}): its value, NULL where undefined. */
  readonly values: readonly string[];
  /** Per derived variable and offset term: its error code per row (0 defined, 1 constant scale() argument, 2 undefined or out of range). */
  readonly codes: readonly string[];
  /** Window columns by level (1 = over the row CTE). */
  readonly windows: readonly SqlWindow[];
  /** Deepest window level (0 without windows). */
  readonly levels: number;
}

/**
 * The name of the per-cell error code column of derived variable k.
 *
 * @example
 * ```ts
 * derivedCodeColumn(0); // 'vd_bad_0'
 * ```
 */
export const derivedCodeColumn = (k: number): string => `vd_bad_${k}`;

/**
 * The name of the row-level value column of derived variable k.
 *
 * @example
 * ```ts
 * derivedValueColumn(0); // 'vd_d_0'
 * ```
 */
export const derivedValueColumn = (k: number): string => `vd_d_${k}`;

/**
 * The columns formula functions read: `numeric` arguments and `grouping` ones (`g` of
 * `within(x, g)`), each in order of first appearance.
 *
 * @example
 * ```ts
 * derivedColumnsRead(parseFormula('y ~ within(x, g) + log(z) + (1|g)')); // { numeric: ['x', 'z'], grouping: ['g'] }
 * ```
 */
export function derivedColumnsRead(spec: ModelSpec): { numeric: string[]; grouping: string[] } {
  const numeric = new Set<string>();
  const grouping = new Set<string>();
  const walk = (e: Expr): void => {
    switch (e.kind) {
      case 'column':
        numeric.add(e.name);
        break;
      case 'negate':
        walk(e.operand);
        break;
      case 'paren':
        walk(e.inner);
        break;
      case 'arith':
        walk(e.left);
        walk(e.right);
        break;
      case 'call':
        e.args.forEach((a, i) => {
          if (SPECIALS.get(e.name)?.args[i] === 'grouping' && a.kind === 'column') grouping.add(a.name);
          else walk(a);
        });
        break;
      default:
        break;
    }
  };
  for (const d of formulaFunctions(spec)) walk(d.expression);
  return { numeric: [...numeric], grouping: [...grouping] };
}

/**
 * The formula's derived variables, then its offset terms: the order of the value columns
 * (`vd_d_<k>`) and error codes (`vd_bad_<k>`) of the cell query.
 *
 * @example
 * ```ts
 * formulaFunctions(parseFormula('y ~ log(x) + offset(z) + (1|g)')).map((d) => d.label); // ['log(x)', 'offset(z)']
 * ```
 */
export function formulaFunctions(spec: ModelSpec): DerivedVariable[] {
  return [...(spec.derived ?? []), ...(spec.offsets ?? [])];
}

interface Part {
  readonly sql: string;
  readonly level: number;
}

/**
 * Translate a formula's derived variables to SQL (see the file comment for what each becomes).
 *
 * @example
 * ```ts
 * const t = translateDerived(parseFormula('y ~ within(x, g) + (1|g)'), {
 *   numeric: (c) => `vd_c_${c}`, grouping: (c) => `"${c}"`, double: 'DOUBLE', infinity: "CAST('Infinity' AS DOUBLE)",
 * });
 * t.values[0]; // (vd_c_x - vd_win_0)
 * t.windows[0].sql; // AVG(vd_c_x) OVER (PARTITION BY vd_ok, "g")
 * ```
 */
export function translateDerived(spec: ModelSpec, refs: SqlColumnRefs): SqlDerived {
  const windows: SqlWindow[] = [];
  const byText = new Map<string, SqlWindow>();
  const window = (sql: string, level: number): string => {
    let w = byText.get(sql);
    if (!w) {
      w = { name: `vd_win_${windows.length}`, sql, level };
      windows.push(w);
      byText.set(sql, w);
    }
    return w.name;
  };
  const dbl = (x: number) => `CAST(${String(x)} AS ${refs.double})`;
  const fn = (name: 'LN' | 'SQRT' | 'EXP' | 'POWER') => refs.fn?.(name) ?? name;
  // An infinite intermediate (an overflow some engines return instead of failing) made NULL
  // before the operations that could turn it finite again (x / Inf, EXP(-Inf), POWER(Inf, 0)):
  // the row path refuses any non-finite intermediate.
  const finite = (x: string) => `NULLIF(NULLIF(${x}, ${refs.infinity}), -${refs.infinity})`;
  const translateOne = (d: DerivedVariable): { value: string; constants: string[] } => {
    const constants: string[] = [];
    const tr = (e: Expr): Part => {
      switch (e.kind) {
        case 'number':
          return { sql: dbl(e.value), level: 0 };
        case 'column':
          return { sql: refs.numeric(e.name), level: 0 };
        case 'paren':
          return tr(e.inner);
        case 'negate': {
          const x = tr(e.operand);
          return e.sign === '-' ? { sql: `(-${x.sql})`, level: x.level } : x;
        }
        case 'arith': {
          const a = tr(e.left);
          const b = tr(e.right);
          const level = Math.max(a.level, b.level);
          if (e.op === '/') return { sql: `(${a.sql} / NULLIF(${finite(b.sql)}, 0))`, level };
          if (e.op === '^') return { sql: power(fn('POWER'), finite(a.sql), finite(b.sql), e.right), level };
          return { sql: `(${a.sql} ${e.op} ${b.sql})`, level };
        }
        case 'call': {
          const x = tr(e.args[0]);
          switch (e.name) {
            case 'log':
              return { sql: `CASE WHEN ${x.sql} > 0 THEN ${fn('LN')}(${x.sql}) END`, level: x.level };
            case 'log1p': {
              const u = `(${dbl(1)} + ${x.sql})`;
              return {
                sql: `CASE WHEN ${x.sql} > -1 THEN CASE WHEN ${u} = 1 THEN ${x.sql} ELSE ${fn('LN')}(${u}) * ${x.sql} / (${u} - 1) END END`,
                level: x.level,
              };
            }
            case 'exp':
              return { sql: `CASE WHEN ${x.sql} <= 709 THEN ${fn('EXP')}(${finite(x.sql)}) END`, level: x.level };
            case 'sqrt':
              return { sql: `CASE WHEN ${x.sql} >= 0 THEN ${fn('SQRT')}(${x.sql}) END`, level: x.level };
            case 'I':
            case 'offset':
              return x;
            case 'within':
            case 'between': {
              const g = refs.grouping((e.args[1] as { name: string }).name);
              const mean = window(`AVG(${x.sql}) OVER (PARTITION BY vd_ok, ${g})`, x.level + 1);
              return { sql: e.name === 'within' ? `(${x.sql} - ${mean})` : mean, level: x.level + 1 };
            }
            case 'scale': {
              const mean = window(`AVG(${x.sql}) OVER (PARTITION BY vd_ok)`, x.level + 1);
              const sd = window(`STDDEV_SAMP(${x.sql}) OVER (PARTITION BY vd_ok)`, x.level + 1);
              constants.push(`NOT (COALESCE(${sd}, 0) > 0)`);
              return { sql: `CASE WHEN ${sd} > 0 THEN (${x.sql} - ${mean}) / ${sd} END`, level: x.level + 1 };
            }
            default:
              throw new RangeError(`translateDerived: no SQL for the formula function ${e.name}`);
          }
        }
      }
    };
    return { value: tr(d.expression).sql, constants };
  };
  const parts = formulaFunctions(spec).map(translateOne);
  const values = parts.map((p) => p.value);
  // The code reads the value through its column (`derivedValueColumn(k)`, computed one CTE before).
  const codes = parts.map((p, k) => {
    const v = derivedValueColumn(k);
    return ['CASE', ...p.constants.map((c) => `WHEN ${c} THEN 1`), `WHEN ${v} IS NULL OR NOT (ABS(${v}) <= ${dbl(MAX_MAGNITUDE)}) THEN 2`, 'ELSE 0 END'].join(' ');
  });
  const levels = windows.reduce((m, w) => Math.max(m, w.level), 0);
  return { values, codes, windows, levels };
}

/**
 * `a ^ b` as R (and JavaScript) compute it: a negative base with a non-integer exponent, or 0 to
 * a negative power, is undefined (NULL). A literal exponent gives the guard exactly; otherwise the
 * guard is written for any exponent.
 */
function power(pow: string, a: string, b: string, exponent: Expr): string {
  if (exponent.kind === 'number') {
    const p = exponent.value;
    if (Number.isInteger(p)) return p >= 0 ? `${pow}(${a}, ${b})` : `CASE WHEN ${a} <> 0 THEN ${pow}(${a}, ${b}) END`;
    return `CASE WHEN ${a} ${p > 0 ? '>=' : '>'} 0 THEN ${pow}(${a}, ${b}) END`;
  }
  return `CASE WHEN ${a} > 0 OR (${a} = 0 AND ${b} >= 0) OR (${a} < 0 AND ${b} = FLOOR(${b})) THEN ${pow}(${a}, ${b}) END`;
}
