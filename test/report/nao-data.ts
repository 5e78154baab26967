/**
 * Hand-built decomposition data shaped like the NAO's 2019 split (44 / 15 / 10 / 31), for the
 * report tests. The numbers are realistic but made up; nothing here is fitted.
 */
import type {
  ComparisonData,
  ComponentShare,
  DecompositionData,
  DecompositionMethod,
  ManyData,
} from '../../src/decompose/decomposition-data.js';

export const FORMULA = 'cpp_start_rate ~ imd2019_avg_score + (1 | la_code) + (1 | year)';
export const LABELS = { fixed: 'deprivation', la_code: 'local', year: 'national', residual: 'residual' };

const INTERVALS = { n: 1000, succeeded: 998, level: 0.95, seed: 1, kind: 'parametric-bootstrap' as const };

type Row = [key: string, kind: ComponentShare['kind'], share: number, lower: number, upper: number];

function components(rows: readonly Row[], total: number | null, withIntervals: boolean): ComponentShare[] {
  return rows.map(([key, kind, share, lower, upper]) => ({
    key,
    label: LABELS[key as keyof typeof LABELS] ?? key,
    kind,
    ...(total !== null ? { variance: share * total } : {}),
    share,
    ...(withIntervals ? { lower, upper } : {}),
  }));
}

const COMPONENT_ROWS: Row[] = [
  ['fixed', 'fixed', 0.15, 0.112, 0.189],
  ['la_code', 'random', 0.44, 0.391, 0.487],
  ['year', 'random', 0.1, 0.041, 0.198],
  ['residual', 'residual', 0.31, 0.288, 0.334],
];
const SEQUENTIAL_ROWS: Row[] = [
  ['fixed', 'fixed', 0.153, 0.118, 0.19],
  ['la_code', 'random', 0.482, 0.44, 0.52],
  ['year', 'random', 0.091, 0.037, 0.18],
  ['residual', 'residual', 0.274, 0.25, 0.3],
];
const SHAPLEY_ROWS: Row[] = [
  ['fixed', 'fixed', 0.077, 0.059, 0.095],
  ['la_code', 'random', 0.558, 0.51, 0.6],
  ['year', 'random', 0.091, 0.037, 0.18],
  ['residual', 'residual', 0.274, 0.25, 0.3],
];

/** A components-method decomposition (variance 400, 6 rows dropped). */
export function naoComponents(options: { intervals?: boolean; covariates?: Record<string, number> } = {}): DecompositionData {
  const withIntervals = options.intervals ?? true;
  const comps = components(COMPONENT_ROWS, 400, withIntervals);
  return {
    method: 'components',
    outcome: 'cpp_start_rate',
    formula: FORMULA,
    nobs: 894,
    nDropped: 6,
    shares: Object.fromEntries(comps.map((c) => [c.key, c.share])),
    components: comps,
    covariates: options.covariates ?? { imd2019_avg_score: 0.15 },
    total: 400,
    labels: LABELS,
    ...(withIntervals ? { intervals: INTERVALS } : {}),
    diagnostics: [],
  };
}

/** A sequential or Shapley decomposition of the same data. */
export function naoR2(method: 'sequential' | 'shapley', options: { intervals?: boolean } = {}): DecompositionData {
  const withIntervals = options.intervals ?? true;
  const comps = components(method === 'sequential' ? SEQUENTIAL_ROWS : SHAPLEY_ROWS, null, withIntervals);
  return {
    method,
    outcome: 'cpp_start_rate',
    formula: FORMULA,
    nobs: 894,
    nDropped: 6,
    shares: Object.fromEntries(comps.map((c) => [c.key, c.share])),
    components: comps,
    covariates: { imd2019_avg_score: comps[0].share },
    total: 392.7,
    labels: LABELS,
    ...(method === 'sequential' ? { order: ['fixed', 'la_code', 'year'] } : {}),
    r2: 0.726,
    ...(withIntervals ? { intervals: INTERVALS } : {}),
    diagnostics: [],
  };
}

/** All three methods side by side. */
export function naoComparison(options: { intervals?: boolean } = {}): ComparisonData {
  const decompositions: Record<DecompositionMethod, DecompositionData> = {
    components: naoComponents(options),
    sequential: naoR2('sequential', options),
    shapley: naoR2('shapley', options),
  };
  const methods: DecompositionMethod[] = ['components', 'sequential', 'shapley'];
  const rows = decompositions.components.components.map((c, i) => {
    const pick = (field: 'share' | 'lower' | 'upper'): Record<DecompositionMethod, number> =>
      Object.fromEntries(methods.map((m) => [m, decompositions[m].components[i][field] as number])) as Record<DecompositionMethod, number>;
    return {
      key: c.key,
      label: c.label,
      kind: c.kind,
      shares: pick('share'),
      ...((options.intervals ?? true) ? { lower: pick('lower'), upper: pick('upper') } : {}),
    };
  });
  return { outcome: 'cpp_start_rate', formula: FORMULA, methods, rows, decompositions };
}

/** Three outcomes on one right-hand side, components method. */
export function naoMany(options: { intervals?: boolean } = {}): ManyData {
  const base = naoComponents(options);
  const outcomes = ['cpp_start_rate', 'cin_episodes_rate', 'lac_rate'];
  const scale: Record<string, number[]> = {
    cpp_start_rate: [0.15, 0.44, 0.1, 0.31],
    cin_episodes_rate: [0.22, 0.5, 0.04, 0.24],
    lac_rate: [0.35, 0.55, 0.02, 0.08],
  };
  const results = outcomes.map((outcome, k) => {
    const comps = base.components.map((c, i) => {
      const share = scale[outcome][i];
      return {
        ...c,
        share,
        variance: share * 400,
        ...(c.lower !== undefined ? { lower: Math.max(0, share - 0.04), upper: share + 0.05 } : {}),
      };
    });
    return {
      ...base,
      outcome,
      formula: `${outcome} ~ imd2019_avg_score + (1 | la_code) + (1 | year)`,
      nobs: 894 + k,
      nDropped: 6 - k,
      components: comps,
      shares: Object.fromEntries(comps.map((c) => [c.key, c.share])),
    };
  });
  return { rhs: 'imd2019_avg_score + (1|la_code) + (1|year)', method: 'components', outcomes, results };
}
