/**
 * The Node loader of the England panel shipped in the package's `data/` folder: finds the file
 * next to the installed package and parses it with {@link parseEnglandPanel}. Node only (file
 * system); the parser itself is browser-safe.
 *
 * Data: Contains public sector information licensed under the Open Government Licence v3.0
 * (DfE, MHCLG, DWP, ONS). See `data/README.md` for every column's source and caveats.
 */
import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escape } from 'arquero';
import type { ColumnTable } from 'arquero';
import { VardecompError } from '../errors.js';
import { ENGLAND_PANEL_FILE as PANEL_FILE, parseEnglandPanel } from './england-panel.js';

/** Options for {@link loadEnglandPanel}. */
export interface LoadEnglandPanelOptions {
  /**
   * Keep only rows whose `year` lies in `[from, to]`, both ends included. `year` is the year the
   * reporting year ends, so `[2013, 2018]` is 2012-13 to 2017-18.
   */
  readonly years?: readonly [number, number];
}

/**
 * The directory this module runs from. The CommonJS build has `__dirname`; the ESM build (and
 * source run by tsx or vitest) has `import.meta.url`. tsup empties `import.meta` in CommonJS
 * output, so it is read only when `__dirname` is absent.
 */
function moduleDirectory(): string {
  if (typeof __dirname === 'string' && __dirname !== '') return __dirname;
  const url: unknown = import.meta.url;
  if (typeof url === 'string' && url !== '') return dirname(fileURLToPath(url));
  return process.cwd();
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Walk up from this module's directory to the folder that holds `data/<PANEL_FILE>`. */
async function findPanelFile(): Promise<string> {
  const start = moduleDirectory();
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'data', PANEL_FILE);
    if (await exists(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new VardecompError(
    'E_INPUT',
    `Could not find data/${PANEL_FILE} in any folder above ${start}; read the file yourself and call parseEnglandPanel`,
    { file: PANEL_FILE, from: start },
  );
}

function checkYears(years: unknown): readonly [number, number] {
  const ok =
    Array.isArray(years) &&
    years.length === 2 &&
    years.every((y) => typeof y === 'number' && Number.isInteger(y)) &&
    (years[0] as number) <= (years[1] as number);
  if (!ok) {
    throw new VardecompError(
      'E_OPTION',
      `Option "years" must be [from, to] with integer years and from <= to, got ${JSON.stringify(years)}`,
      { option: 'years', value: years },
    );
  }
  return years as unknown as readonly [number, number];
}

/**
 * Load the England local-authority children's social care panel shipped in the package.
 *
 * 1,648 rows, one per upper-tier local authority and year, `year` 2013 to 2023 (2012-13 to
 * 2022-23), 150 authorities a year (149 in 2020 and 2021). Missing cells are `null`. See
 * `data/README.md` for sources, caveats and the NAO 2019 replication window (2013-2018).
 *
 * Contains public sector information licensed under the Open Government Licence v3.0.
 *
 * @param options - `years: [from, to]` keeps only those years (inclusive).
 * @returns A new arquero table typed as {@link parseEnglandPanel} describes.
 * @throws VardecompError `E_OPTION` for a malformed `years`; `E_INPUT` if the shipped file cannot
 *   be found next to the installed package.
 *
 * @example
 * ```ts
 * import { loadEnglandPanel } from 'vardecomp/data';
 * const panel = await loadEnglandPanel({ years: [2013, 2018] }); // the NAO-like window
 * panel.numRows(); // 900
 * ```
 */
export async function loadEnglandPanel(options: LoadEnglandPanelOptions = {}): Promise<ColumnTable> {
  const years = options.years === undefined ? undefined : checkYears(options.years);
  const file = await findPanelFile();
  const table = parseEnglandPanel(await readFile(file, 'utf8'));
  if (years === undefined) return table;
  const [from, to] = years;
  return table
    .filter(escape((d: { year: number }) => d.year >= from && d.year <= to))
    .reify();
}
