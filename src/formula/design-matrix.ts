/**
 * The fixed-effects design matrix X, built from the model frame as R's `model.matrix` builds it:
 * treatment contrasts with the first sorted level as reference, interaction columns with the
 * first variable varying fastest, and lme4's column names (`(Intercept)`, `x`,
 * `region_nameLondon`, `x:region_nameLondon`).
 */
import { VardecompError } from '../errors.js';
import type { FrameVariable, ModelFrame } from '../input/model-frame.js';
import type { ModelSpec } from './model-spec.js';

/** X stored column-major: column `j` is `x.subarray(j * n, (j + 1) * n)`. */
export interface FixedDesign {
  readonly n: number;
  readonly p: number;
  readonly x: Float64Array;
  readonly names: readonly string[];
  /** For each column, the index of the fixed term it belongs to (-1 for the intercept). */
  readonly termOf: Int32Array;
  /** Fixed term labels, in model order. */
  readonly terms: readonly string[];
}

interface ColumnPart {
  name: string;
  fill(out: Float64Array): void; // multiplies `out` in place by this part's values
}

function variableParts(v: FrameVariable, contrasts: boolean): ColumnPart[] {
  if (v.kind === 'numeric') {
    return [
      {
        name: v.name,
        fill: (out) => {
          for (let i = 0; i < out.length; i++) out[i] *= v.values[i];
        },
      },
    ];
  }
  const start = contrasts ? 1 : 0;
  const parts: ColumnPart[] = [];
  for (let l = start; l < v.levels.length; l++) {
    parts.push({
      name: `${v.name}${v.levels[l]}`,
      fill: (out) => {
        for (let i = 0; i < out.length; i++) if (v.codes[i] !== l) out[i] = 0;
      },
    });
  }
  return parts;
}

const termKey = (vars: readonly string[]): string => [...vars].sort().join('\u0000');

/**
 * Build X for a model on a frame.
 *
 * @example
 * ```ts
 * const X = buildFixedDesign(frame, parseFormula('y ~ x + region + (1|la)'));
 * X.names; // ['(Intercept)', 'x', 'regionB', ...]
 * ```
 */
export function buildFixedDesign(frame: ModelFrame, spec: ModelSpec): FixedDesign {
  const n = frame.nobs;
  const present = new Set(spec.fixed.map((t) => termKey(t.variables)));
  let emptyPresent = spec.intercept;
  const columns: Float64Array[] = [];
  const names: string[] = [];
  const termOf: number[] = [];
  if (spec.intercept) {
    columns.push(new Float64Array(n).fill(1));
    names.push('(Intercept)');
    termOf.push(-1);
  }
  spec.fixed.forEach((term, t) => {
    const vars = term.variables.map((name) => {
      const v = frame.variables.get(name);
      if (!v) throw new VardecompError('E_COLUMN', `Covariate "${name}" is not in the model frame`, { column: name });
      return v;
    });
    const partsPerVar = vars.map((v) => {
      if (v.kind === 'numeric') return variableParts(v, true);
      const rest = term.variables.filter((x) => x !== v.name);
      const contrasts = rest.length === 0 ? emptyPresent : present.has(termKey(rest));
      return variableParts(v, contrasts);
    });
    if (term.variables.length === 1 && vars[0].kind === 'categorical') emptyPresent = true;
    // Cartesian product, first variable fastest.
    let combos: ColumnPart[][] = [[]];
    for (const parts of partsPerVar) {
      const next: ColumnPart[][] = [];
      for (const p of parts) for (const c of combos) next.push([...c, p]);
      combos = next;
    }
    for (const combo of combos) {
      const col = new Float64Array(n).fill(1);
      for (const part of combo) part.fill(col);
      columns.push(col);
      names.push(combo.map((p) => p.name).join(':'));
      termOf.push(t);
    }
  });
  const p = columns.length;
  const x = new Float64Array(n * p);
  columns.forEach((c, j) => x.set(c, j * n));
  return { n, p, x, names, termOf: Int32Array.from(termOf), terms: spec.fixed.map((t) => t.label) };
}

/**
 * The design without the columns `dropped` (indices into `design`, e.g. aliased columns), the
 * kept columns copied in order with their names and terms.
 *
 * @example
 * ```ts
 * const kept = withoutColumns(X, [2]); // X.p - 1 columns
 * ```
 */
export function withoutColumns(design: FixedDesign, dropped: readonly number[]): FixedDesign {
  const { n } = design;
  const keep = [...Array(design.p).keys()].filter((j) => !dropped.includes(j));
  const x = new Float64Array(n * keep.length);
  keep.forEach((j, k) => x.set(design.x.subarray(j * n, (j + 1) * n), k * n));
  return {
    ...design,
    p: keep.length,
    x,
    names: keep.map((j) => design.names[j]),
    termOf: Int32Array.from(keep, (j) => design.termOf[j]),
  };
}
