/**
 * Preparation of a generalised linear mixed model: the response forms (counts; binomial
 * `cbind(successes, failures)`, 0/1 or boolean, proportion with trials as weights), the offset,
 * the model frame, X (aliased columns dropped) and the random terms in engine order.
 */
import { diagnostic, diagnosticSink, type Diagnostic } from '../diagnostics.js';
import { columnSpreads, scaleDiagnostic } from '../model/check-scale.js';
import { VardecompError } from '../errors.js';
import { familyFor, type Family, type FamilyName } from '../family/family.js';
import { buildFixedDesign, withoutColumns, type FixedDesign } from '../formula/design-matrix.js';
import type { FormulaInput, ModelSpec } from '../formula/model-spec.js';
import { modelColumns, parseFormula } from '../formula/parse-formula.js';
import { derivedColumn } from '../formula/specials.js';
import { toDataSource, type DataSource } from '../input/data-source.js';
import { buildModelFrame, checkLevelValue, isMissing, levelOrder, missingTest, type ColumnReading, type ModelFrame } from '../input/model-frame.js';
import { checkDenseBlockSize, denseBlockWarning } from '../model/dense-size.js';
import { aliasedFromGram, buildTerms } from '../model/prepare-model.js';
import { RandomTerms } from '../terms/random-terms.js';
import type { MinimizeControl } from '../optimize/minimize.js';

/** Options of `fit` for a GLMM. */
export interface GlmmFitOptions {
  /** The response family: Poisson (log link) or binomial (logit link). */
  family: FamilyName;
  /** The link; only the canonical one (log for Poisson, logit for binomial) is available. */
  link?: 'log' | 'logit';
  /** An offset on the linear predictor: a column name or one value per input row (already on the link scale). */
  offset?: string | ArrayLike<number>;
  /** Prior weights (glmer's `weights`): for a binomial proportion, the number of trials. */
  weights?: string | ArrayLike<number>;
  /** Optimiser controls. */
  control?: MinimizeControl;
  /** How to read columns (as `fit`'s `types`): `'numeric'` or `'categorical'`. */
  types?: Readonly<Record<string, ColumnReading>>;
  /** Explicit level orders of categorical columns (as `fit`'s `levels`). */
  levels?: Readonly<Record<string, readonly string[]>>;
  /**
   * Called with each warning diagnostic as soon as it is known, before the optimiser runs (as
   * `fit`'s `onWarning`; the same records come back in the fit's `diagnostics`): a
   * `LARGE_DENSE_BLOCK` warning, for one, comes before a fit that takes minutes.
   */
  onWarning?: (warning: Diagnostic) => void;
}

/** A GLMM ready for PIRLS and the optimiser. */
export interface GlmmModel {
  readonly spec: ModelSpec;
  /** The formula as written (with `cbind(...)` on the left when used). */
  readonly formulaText: string;
  readonly family: Family;
  readonly frame: ModelFrame;
  /** X with aliased columns removed (not centred), column-major. */
  readonly design: FixedDesign;
  readonly aliased: readonly string[];
  readonly n: number;
  /** The response: counts (Poisson) or proportions (binomial). */
  readonly y: Float64Array;
  /** Prior weights: the trials for a binomial response, else the `weights` option or 1. */
  readonly priorWeights: Float64Array;
  /** The offset on the link scale (zeros without one). */
  readonly offset: Float64Array;
  readonly hasOffset: boolean;
  /** `engineOrder[e]` = index (formula order) of the term in engine position e (most levels first). */
  readonly engineOrder: readonly number[];
  /** The random-effects terms (lambda per term, theta's layout in formula and engine order). */
  readonly terms: RandomTerms;
  /** A categorical binomial response: the level read as failure and those read as success. */
  readonly responseCoding: ResponseCoding | null;
  /** Formula-order indices of observation-level terms (one level per row). */
  readonly observationLevel: readonly number[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Largest offset in size on the link scale (log(Number.MAX_VALUE) is 709.78). */
const OFFSET_LIMIT = 700;

const GLMM_OPTION_KEYS: readonly string[] = ['family', 'link', 'offset', 'weights', 'control', 'types', 'levels', 'onWarning'];

const responseError = (column: string, row: number, problem: string): VardecompError =>
  new VardecompError('E_NONNUMERIC', `Response "${column}" row ${row} ${problem}`, { column, row });

/** A parsed `cbind(successes, failures)` left-hand side. */
interface TwoColumnResponse {
  readonly successes: string;
  /** The failures column, or the trials column when written `trials - successes`. */
  readonly other: string;
  readonly otherIsTotal: boolean;
}

const NAME = '(`[^`]+`|[A-Za-z.][A-Za-z0-9._]*)';
const CBIND = new RegExp(`^\\s*cbind\\s*\\(\\s*${NAME}\\s*,\\s*(?:${NAME}\\s*-\\s*${NAME}|${NAME})\\s*\\)\\s*~`);
const unquote = (s: string): string => (s.startsWith('`') ? s.slice(1, -1) : s);

/** Split `cbind(s, f) ~ rhs` (or `cbind(s, n - s) ~ rhs`) into the response and `s ~ rhs`. */
function splitCbind(formula: string): { response: TwoColumnResponse; rest: string } | null {
  if (!/^\s*cbind\s*\(/.test(formula)) return null;
  const m = CBIND.exec(formula);
  if (!m) {
    throw new VardecompError(
      'E_FORMULA',
      `Formula "${formula}": a two-column binomial response is written cbind(successes, failures) or cbind(successes, trials - successes) with column names`,
    );
  }
  const successes = unquote(m[1]);
  let response: TwoColumnResponse;
  if (m[2] !== undefined) {
    if (unquote(m[3]) !== successes) {
      throw new VardecompError(
        'E_FORMULA',
        `Formula "${formula}": in cbind(${m[1]}, ${m[2]} - ${m[3]}) the subtracted column must be the successes "${successes}"`,
      );
    }
    response = { successes, other: unquote(m[2]), otherIsTotal: true };
  } else {
    response = { successes, other: unquote(m[4]), otherIsTotal: false };
  }
  return { response, rest: `${m[1]} ~${formula.slice(m[0].length)}` };
}

/**
 * Check the options of a GLMM fit (throws `E_OPTION` naming the option).
 *
 * @example
 * ```ts
 * checkGlmmOptions({ family: 'poisson', offset: 'log_pop' }); // fine
 * checkGlmmOptions({ family: 'poisson', reml: true }); // throws E_OPTION
 * ```
 */
export function checkGlmmOptions(options: Record<string, unknown>): asserts options is GlmmFitOptions & Record<string, unknown> {
  for (const key of Object.keys(options)) {
    if (key === 'reml') {
      throw new VardecompError(
        'E_OPTION',
        'Option "reml" does not apply to a GLMM: it is fitted by maximum likelihood (Laplace approximation), as glmer',
        { option: key },
      );
    }
    if (!GLMM_OPTION_KEYS.includes(key)) {
      throw new VardecompError('E_OPTION', `Unknown option "${key}": the options of a GLMM fit are ${GLMM_OPTION_KEYS.join(', ')}`, {
        option: key,
      });
    }
  }
  const { family, link, offset, onWarning } = options;
  if (onWarning !== undefined && typeof onWarning !== 'function') {
    throw new VardecompError('E_OPTION', 'Option "onWarning" must be a function', { option: 'onWarning' });
  }
  if (family !== 'poisson' && family !== 'binomial') {
    throw new VardecompError('E_OPTION', `Option "family" must be "gaussian", "poisson" or "binomial" (got ${JSON.stringify(family)})`, {
      option: 'family',
    });
  }
  const canonical = family === 'poisson' ? 'log' : 'logit';
  if (link !== undefined && link !== canonical) {
    throw new VardecompError(
      'E_UNSUPPORTED',
      `Link ${JSON.stringify(link)} is not available for the ${family} family: only its canonical link "${canonical}" is`,
      { option: 'link' },
    );
  }
  if (
    offset !== undefined &&
    offset !== null &&
    typeof offset !== 'string' &&
    !Array.isArray(offset) &&
    !(ArrayBuffer.isView(offset) && !(offset instanceof DataView))
  ) {
    throw new VardecompError('E_OPTION', 'Option "offset" must be a column name or an array with one value per row', { option: 'offset' });
  }
}

/** How a categorical binomial response was read: the failure level and the success levels. */
export interface ResponseCoding {
  readonly column: string;
  /** The first level (glmer: `levels(y)[1]`), read as 0. */
  readonly failure: string;
  /** Every other level, read as 1. */
  readonly success: readonly string[];
}

/**
 * A binary binomial response as glmer reads it: booleans as 1 / 0; a text (or stated
 * categorical) column as a factor whose first level — in sorted order, or the order given in
 * `levels` — is failure (0) and every other level success (1). Missing values stay missing.
 * Numbers pass through unchanged.
 */
function binaryResponse(
  source: DataSource,
  column: string,
  options: Pick<GlmmFitOptions, 'types' | 'levels'>,
): { source: DataSource; coding: ResponseCoding | null } {
  if (!source.has(column) || options.types?.[column] === 'numeric') return { source, coding: null };
  const values = source.column(column);
  const missing = missingTest(values);
  let hasBoolean = false;
  let hasText = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (missing(v)) continue;
    if (typeof v === 'boolean') hasBoolean = true;
    else if (typeof v === 'string') hasText = true;
  }
  const categorical = hasText || options.types?.[column] === 'categorical';
  if (!categorical && !hasBoolean) return { source, coding: null };
  let mapped: unknown[];
  let coding: ResponseCoding | null = null;
  if (!categorical) {
    mapped = Array.from({ length: values.length }, (_, i) => {
      const v = values[i];
      return typeof v === 'boolean' ? (v ? 1 : 0) : v;
    });
  } else {
    const label = (v: unknown): string => (typeof v === 'string' ? v : String(v));
    const present: unknown[] = [];
    for (let i = 0; i < values.length; i++) {
      if (missing(values[i])) continue;
      checkLevelValue(column, i, values[i], 'Response');
      present.push(values[i]);
    }
    const given = options.levels?.[column];
    let levels: readonly string[];
    if (given) {
      const known = new Set(given);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!missing(v) && !known.has(label(v))) {
          throw new VardecompError(
            'E_LEVELS',
            `Response "${column}" row ${i} holds ${JSON.stringify(label(v))}, which is not among the levels given for it (${given.map((g) => JSON.stringify(g)).join(', ')})`,
            { column, row: i },
          );
        }
      }
      levels = given;
    } else {
      levels = levelOrder(present);
    }
    const failure = levels[0];
    coding = { column, failure, success: levels.slice(1) };
    mapped = Array.from({ length: values.length }, (_, i) => {
      const v = values[i];
      return missing(v) ? v : label(v) === failure ? 0 : 1;
    });
  }
  return {
    source: {
      kind: source.kind,
      nrows: source.nrows,
      has: (name) => source.has(name),
      column: (name) => (name === column ? (mapped as typeof values) : source.column(name)),
      columnNames: () => source.columnNames(),
    },
    coding,
  };
}

function numericColumn(frame: ModelFrame, name: string, role: string): Float64Array {
  const v = frame.variables.get(name);
  if (!v || v.kind !== 'numeric') {
    throw new VardecompError('E_NONNUMERIC', `${role} column "${name}" must be numeric`, { column: name });
  }
  return v.values;
}

/**
 * Prepare a GLMM: response checks, offset, model frame, X and the engine order of the terms.
 *
 * @example
 * ```ts
 * const model = prepareGlmm(rows, 'cbind(incidence, size - incidence) ~ period + (1 | herd)', { family: 'binomial' });
 * model.y; model.priorWeights; // proportions and trials
 * ```
 */
export function prepareGlmm(data: unknown, formula: FormulaInput, options: GlmmFitOptions): GlmmModel {
  checkGlmmOptions(options as unknown as Record<string, unknown>);
  const family = familyFor(options.family);
  const split = typeof formula === 'string' ? splitCbind(formula) : null;
  if (split && family.name !== 'binomial') {
    throw new VardecompError('E_FORMULA', `A cbind(successes, failures) response needs family "binomial" (got "${family.name}")`);
  }
  const spec = parseFormula(split ? split.rest : formula);
  if (spec.random.length === 0) {
    throw new VardecompError('E_FORMULA', `Formula "${spec.text}" has no random term: add one such as (1 | unit)`);
  }
  const formulaText = split ? `cbind(${split.response.successes}, ${split.response.otherIsTotal ? `${split.response.other} - ${split.response.successes}` : split.response.other}) ~ ${spec.text.slice(spec.text.indexOf('~') + 1).trim()}` : spec.text;
  let source = toDataSource(data);
  let responseCoding: ResponseCoding | null = null;
  if (family.name === 'binomial' && !split) {
    const read = binaryResponse(source, spec.outcome, options);
    source = read.source;
    responseCoding = read.coding;
  }
  const covariates = modelColumns(spec).covariates;
  const extra: string[] = [];
  if (split) extra.push(split.response.other);
  const offsetOpt = options.offset ?? null;
  if (typeof offsetOpt === 'string') extra.push(offsetOpt);
  const n0 = source.nrows;
  if (offsetOpt !== null && typeof offsetOpt !== 'string' && offsetOpt.length !== n0) {
    throw new VardecompError('E_OPTION', `Option "offset" has ${offsetOpt.length} values but the data has ${n0} rows`, { option: 'offset' });
  }
  // An offset array with missing values drops its rows, as a column would.
  const offsetArray = offsetOpt !== null && typeof offsetOpt !== 'string' ? offsetOpt : null;
  const frame0 = buildModelFrame(source, {
    outcome: spec.outcome,
    covariates: [...new Set([...covariates, ...extra])],
    groups: spec.random.map((r) => ({ name: r.group, variables: r.variables })),
    weights: options.weights ?? null,
    ...(options.types !== undefined ? { types: options.types } : {}),
    ...(options.levels !== undefined ? { levels: options.levels } : {}),
    // Formula functions (log(x), within(x, g)) and offset(...) terms, evaluated by the frame.
    ...(spec.derived ? { derived: spec.derived.map(derivedColumn) } : {}),
    ...(spec.offsets ? { offsets: spec.offsets.map(derivedColumn) } : {}),
  });
  let frame = frame0;
  const diagnostics = diagnosticSink(options.onWarning);
  if (offsetArray) {
    const keep: number[] = [];
    for (let k = 0; k < frame0.nobs; k++) if (!isMissing(offsetArray[frame0.rows[k]])) keep.push(k);
    if (keep.length < frame0.nobs) frame = subsetFrame(frame0, keep, 'offset');
  }
  if (responseCoding) {
    const { failure, success } = responseCoding;
    const many = success.length > 1;
    diagnostics.push(
      diagnostic(
        'RESPONSE_CODING',
        many ? 'warning' : 'info',
        `Response "${spec.outcome}" is categorical: ${JSON.stringify(failure)} is read as failure (0) and ` +
          `${success.map((l) => JSON.stringify(l)).join(', ')} as success (1), as glmer reads a factor (its first level is failure)` +
          (many ? `: the ${success.length} success levels are merged` : ''),
      ),
    );
  }
  if (frame.nDropped > 0) {
    const by = frame.missingByColumn.map((m) => `${m.column}: ${m.count}`).join(', ');
    diagnostics.push(
      diagnostic('DROPPED_ROWS', 'info', `${frame.nDropped} of ${frame.nrowsInput} rows dropped for missing values (${by})`),
    );
  }
  const n = frame.nobs;
  const rows = frame.rows;
  const y = new Float64Array(n);
  const priorWeights = new Float64Array(n).fill(1);
  if (frame.weights) priorWeights.set(frame.weights);
  const isWhole = (v: number) => Number.isFinite(v) && Math.abs(v - Math.round(v)) <= 1e-8 * Math.max(1, Math.abs(v));
  // Beyond 2^53 - 1 every double is "whole": no count there is exact.
  const checkExact = (column: string, row: number, v: number, what: string): void => {
    if (v > Number.MAX_SAFE_INTEGER) {
      throw responseError(column, row, `holds ${v}: ${what} beyond 2^53 - 1 (${Number.MAX_SAFE_INTEGER}) is not an exact whole number`);
    }
  };
  if (family.name === 'poisson') {
    for (let i = 0; i < n; i++) {
      const v = frame.y[i];
      checkExact(spec.outcome, rows[i], v, 'a Poisson count');
      if (!(v >= 0) || !isWhole(v)) throw responseError(spec.outcome, rows[i], `holds ${v}: a Poisson count must be a whole number >= 0`);
      y[i] = v;
    }
  } else if (split) {
    const { successes, other, otherIsTotal } = split.response;
    const o = numericColumn(frame, other, otherIsTotal ? 'Trials' : 'Failures');
    for (let i = 0; i < n; i++) {
      const s = frame.y[i];
      checkExact(successes, rows[i], s, 'a number of successes');
      checkExact(other, rows[i], o[i], otherIsTotal ? 'a number of trials' : 'a number of failures');
      if (!(s >= 0) || !isWhole(s)) throw responseError(successes, rows[i], `holds ${s}: successes must be whole numbers >= 0`);
      const f = otherIsTotal ? o[i] - s : o[i];
      if (otherIsTotal && !(o[i] >= s)) {
        throw responseError(other, rows[i], `holds ${o[i]}, fewer trials than the ${s} successes in "${successes}"`);
      }
      if (!(f >= 0) || !isWhole(f)) throw responseError(other, rows[i], `holds ${o[i]}: failures must be whole numbers >= 0`);
      const total = s + f;
      checkExact(other, rows[i], total, `the number of trials (${successes} + ${other})`);
      if (total === 0) throw responseError(other, rows[i], `gives a binomial total of 0 trials (${successes} = 0 and no failures)`);
      y[i] = s / total;
      priorWeights[i] *= total;
    }
  } else {
    const wname = typeof options.weights === 'string' ? options.weights : 'weights';
    for (let i = 0; i < n; i++) {
      const v = frame.y[i];
      if (!(v >= 0 && v <= 1)) {
        throw responseError(spec.outcome, rows[i], `holds ${v}: a binomial response must be 0/1, a boolean or a proportion in [0, 1]`);
      }
      const w = priorWeights[i];
      checkExact(spec.outcome, rows[i], v * w, `with ${w} trials, the number of successes`);
      if (!isWhole(v * w)) {
        throw responseError(
          spec.outcome,
          rows[i],
          frame.weights
            ? `holds ${v} with ${w} trials ("${wname}"): the number of successes ${v * w} is not a whole number`
            : `holds ${v}: a proportion needs the number of trials as weights (or write cbind(successes, failures))`,
        );
      }
      y[i] = v;
    }
  }
  const offset = new Float64Array(n);
  if (typeof offsetOpt === 'string') {
    offset.set(numericColumn(frame, offsetOpt, 'Offset'));
  } else if (offsetArray) {
    for (let i = 0; i < n; i++) {
      const v = offsetArray[rows[i]];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new VardecompError('E_NONNUMERIC', `Offset row ${rows[i]} holds ${String(v)}: offsets must be finite numbers`, {
          column: 'offset',
          row: rows[i],
        });
      }
      offset[i] = v;
    }
  }
  // offset(...) terms of the formula add to the option's offset, as in glmer.
  if (frame.offset) for (let i = 0; i < n; i++) offset[i] += frame.offset[i];
  if (!offset.every(Number.isFinite)) {
    const i = offset.findIndex((v) => !Number.isFinite(v));
    throw new VardecompError('E_NONNUMERIC', `Offset row ${rows[i]} is ${offset[i]}: offsets must be finite`, { column: 'offset', row: rows[i] });
  }
  // Beyond +-log(Number.MAX_VALUE) the mean at the offset alone is out of range: an exposure
  // given as itself instead of its log (offset: "pop" for offset(log(pop))).
  const far = offset.findIndex((v) => Math.abs(v) > OFFSET_LIMIT);
  if (far >= 0) {
    const given = [
      ...(typeof offsetOpt === 'string' ? [`the option offset "${offsetOpt}"`] : offsetArray ? ['the option offset'] : []),
      ...(spec.offsets ?? []).map((o) => o.label),
    ].join(' + ');
    throw new VardecompError(
      'E_NONNUMERIC',
      `Offset (${given}) row ${rows[far]} is ${offset[far]}: an offset is on the ${family.link} link's scale, and beyond ${OFFSET_LIMIT} in size its mean is not a number; give an exposure as its log (offset(log(pop)))`,
      { column: 'offset', row: rows[far], value: offset[far] },
    );
  }
  let allSame = true;
  for (let i = 1; i < n && allSame; i++) allSame = y[i] === y[0];
  if (allSame) {
    throw new VardecompError('E_CONSTANT', `Response "${spec.outcome}" is constant (${y[0]}) over the ${n} usable rows`, {
      column: spec.outcome,
    });
  }

  const observationLevel: number[] = [];
  frame.factors.forEach((f, k) => {
    if (f.levels.length < 2) {
      throw new VardecompError('E_LEVELS', `Grouping factor "${f.name}" has only one level ("${f.levels[0]}") in the usable rows`, {
        column: f.name,
      });
    }
    if (f.levels.length === n) observationLevel.push(k);
    else if (f.levels.length < 5) {
      diagnostics.push(
        diagnostic('FEW_LEVELS', 'warning', `Grouping factor "${f.name}" has ${f.levels.length} levels: its variance is poorly estimated`),
      );
    }
  });
  if (observationLevel.length > 1) {
    throw new VardecompError(
      'E_LEVELS',
      `Grouping factors ${observationLevel.map((k) => `"${frame.factors[k].name}"`).join(' and ')} both have one level per row: their variances cannot be told apart`,
    );
  }
  if (observationLevel.length === 1 && family.name === 'binomial') {
    let binary = true;
    for (let i = 0; i < n && binary; i++) binary = priorWeights[i] === 1;
    if (binary) {
      throw new VardecompError(
        'E_LEVELS',
        `Grouping factor "${frame.factors[observationLevel[0]].name}" has one level per row: with a 0/1 response its variance is not identifiable`,
        { column: frame.factors[observationLevel[0]].name },
      );
    }
  }

  let design = buildFixedDesign(frame, spec);
  const aliased = dropAliased(design, spec.intercept);
  const aliasedNames = aliased.map((j) => design.names[j]);
  if (aliased.length > 0) {
    design = withoutColumns(design, aliased);
    diagnostics.push(
      diagnostic(
        'RANK_DEFICIENT',
        'warning',
        `Fixed-effect model matrix is rank deficient: dropped ${aliasedNames.map((name) => `"${name}"`).join(', ')}`,
      ),
    );
  }
  const scale = scaleDiagnostic(columnSpreads(design.x, n, design.p), design.names);
  if (scale) diagnostics.push(scale);
  if (n <= design.p) {
    throw new VardecompError('E_RANK', `${n} usable rows for ${design.p} fixed-effect parameters: need more rows than parameters`, {
      rows: n,
      parameters: design.p,
    });
  }
  const engineOrder = frame.factors
    .map((f, i) => ({ i, q: f.levels.length }))
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((e) => e.i);
  const terms = new RandomTerms(buildTerms(spec, frame), engineOrder);
  // PIRLS builds the row path's cross-products each iteration: the same dense block, the same
  // limit, and the same warning before a slow fit (a term with slopes takes levels x columns rows).
  const engineTerms = engineOrder.map((i) => ({ group: spec.random[i].group, nlevels: frame.factors[i].levels.length * terms.terms[i].width }));
  checkDenseBlockSize(engineTerms, design.p);
  const slow = denseBlockWarning(engineTerms, design.p);
  if (slow) diagnostics.push(slow);
  return {
    spec,
    formulaText,
    family,
    frame,
    design,
    aliased: aliasedNames,
    n,
    y,
    priorWeights,
    offset,
    hasOffset: offsetOpt !== null || frame.offset !== null,
    engineOrder,
    terms,
    responseCoding,
    observationLevel,
    diagnostics,
  };
}

/** Column indices of X that are linear combinations of earlier ones (unweighted Gram of X). */
function dropAliased(design: FixedDesign, hasIntercept: boolean): number[] {
  const { n, p, x } = design;
  // As the row path judges aliasing: with an intercept, on the centred columns, so that a
  // covariate with a large mean and a small spread is not mistaken for the intercept.
  const mean = new Float64Array(p);
  if (hasIntercept) {
    for (let a = 1; a < p; a++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[a * n + i];
      mean[a] = s / n;
    }
  }
  const m = p + 1;
  const gram = new Float64Array(m * m);
  for (let a = 0; a < p; a++) {
    const ca = x.subarray(a * n, (a + 1) * n);
    for (let b = 0; b <= a; b++) {
      const cb = x.subarray(b * n, (b + 1) * n);
      let s = 0;
      for (let i = 0; i < n; i++) s += (ca[i] - mean[a]) * (cb[i] - mean[b]);
      gram[a * m + b] = s;
    }
  }
  gram[p * m + p] = 1;
  return aliasedFromGram(gram, 0, m, p).dropped;
}

/** The frame restricted to rows `keep` (indices into the frame), counting the drops under `column`. */
function subsetFrame(frame: ModelFrame, keep: number[], column: string): ModelFrame {
  const pick = <T extends Float64Array | Int32Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(keep.length);
    keep.forEach((k, i) => (out[i] = a[k]));
    return out;
  };
  const variables = new Map(
    [...frame.variables].map(([name, v]) => [
      name,
      v.kind === 'numeric' ? { ...v, values: pick(v.values) } : { ...v, codes: pick(v.codes) },
    ]),
  );
  const dropped = frame.nobs - keep.length;
  return {
    ...frame,
    rows: pick(frame.rows),
    nobs: keep.length,
    nDropped: frame.nDropped + dropped,
    missingByColumn: [...frame.missingByColumn, { column, count: dropped }],
    y: pick(frame.y),
    weights: frame.weights ? pick(frame.weights) : null,
    offset: frame.offset ? pick(frame.offset) : null,
    variables,
    factors: frame.factors.map((f) => ({ ...f, codes: pick(f.codes) })),
  };
}
