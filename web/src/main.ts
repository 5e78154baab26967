/**
 * The page: reads a file (or the embedded England panel) in a worker, builds the formula from
 * the pickers, checks it (rows dropped, errors next to their field), runs the three methods with
 * intervals in the worker (progress per replicate, cancel), and draws the results.
 */
import type { ColumnInfo, ErrorInfo, FromWorker, ModelRequest, ResultRow, ToWorker } from './protocol.js';
import { rScript, typescriptScript, type Analysis } from './scripts.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const ENGLAND_URL = new URL('england-la-childrens-social-care.csv', location.href).href;

let worker: Worker;
let lastLoad: ToWorker | null = null;
let columns: ColumnInfo[] = [];
let source: { file: string | null; format: 'csv' | 'arrow'; delimiter: string; decimal: '.' | ','; na: string[] } | null = null;
let formulaEdited = false;
let checkId = 0;
let runId = 0;
let running = false;
let result: Extract<FromWorker, { kind: 'result' }> | null = null;
let chartView: { toCanvas(scale?: number): Promise<HTMLCanvasElement>; toSVG(): Promise<string> } | null = null;
let runAnalysis: Analysis | null = null;

const setState = (s: string): void => {
  document.body.dataset.state = s;
};

function startWorker(): void {
  worker = new Worker('worker.js');
  worker.onmessage = (e: MessageEvent<FromWorker>) => onWorker(e.data);
  worker.onerror = (e) => showError('run', { code: 'ERROR', message: `The worker failed: ${e.message}` });
}

// ---------------------------------------------------------------- errors next to fields
const FIELDS = ['file', 'outcome', 'covariates', 'unit', 'period', 'group', 'weights', 'formula', 'run'] as const;
type Field = (typeof FIELDS)[number];

function clearErrors(only?: Field[]): void {
  for (const f of only ?? FIELDS) {
    $(`err-${f}`).textContent = '';
    document.querySelector(`[aria-describedby~="err-${f}"]`)?.removeAttribute('aria-invalid');
  }
}

function showError(field: Field, e: ErrorInfo): void {
  $(`err-${field}`).textContent = e.code === 'ERROR' ? e.message : `${e.code}: ${e.message}`;
  document.querySelector(`[aria-describedby~="err-${field}"]`)?.setAttribute('aria-invalid', 'true');
}

/** The field an error names: its column, its option, or the formula. */
function fieldOf(e: ErrorInfo): Field {
  const col = typeof e.detail?.column === 'string' ? e.detail.column : undefined;
  const option = typeof e.detail?.option === 'string' ? e.detail.option : undefined;
  if (option === 'weights' || e.code === 'E_WEIGHTS' || (col !== undefined && col === val('weights'))) return 'weights';
  if (option === 'period') return 'period';
  if (e.code === 'E_FORMULA' || formulaEdited) return 'formula';
  if (col !== undefined) {
    if (col === val('outcome')) return 'outcome';
    if (col === val('unit')) return 'unit';
    if (col === val('period')) return 'period';
    if (col === val('group')) return 'group';
    if (checkedCovariates().some((c) => c.name === col)) return 'covariates';
  }
  return 'formula';
}

// ---------------------------------------------------------------- reading
async function readFile(file: File): Promise<void> {
  clearErrors();
  if (/\.(arrow|feather|ipc)$/i.test(file.name)) {
    source = { file: file.name, format: 'arrow', delimiter: ',', decimal: '.', na: [] };
    setStatus(`Reading ${file.name} (${(file.size / 1024).toFixed(0)} KiB) in this page…`);
    load({ kind: 'load-arrow', name: file.name, bytes: await file.arrayBuffer() });
    return;
  }
  const delimiter = $<HTMLSelectElement>('delimiter').value || (/\.tsv$/i.test(file.name) ? '\t' : ',');
  const decimal = $<HTMLSelectElement>('decimal').value as '.' | ',';
  const na = $<HTMLInputElement>('na').value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  source = { file: file.name, format: 'csv', delimiter, decimal, na };
  setStatus(`Reading ${file.name} (${(file.size / 1024).toFixed(0)} KiB) in this page…`);
  load({ kind: 'load-text', name: file.name, text: await file.text(), delimiter, decimal, na });
}

function load(m: ToWorker): void {
  lastLoad = m;
  setState('loading');
  $<HTMLFieldSetElement>('pickers').disabled = true;
  $<HTMLButtonElement>('run').disabled = true;
  worker.postMessage(m);
}

function setStatus(text: string): void {
  $('data-status').textContent = text;
}

function typeRows(cols: ColumnInfo[]): void {
  const body = $('types').querySelector('tbody')!;
  body.replaceChildren(
    ...cols.map((c) => {
      const tr = document.createElement('tr');
      const missing = c.missing === 0 ? '0' : `${c.missing} (${Object.entries(c.missingTokens).map(([t, n]) => `${t === '' ? 'blank' : t}: ${n}`).join(', ')})`;
      const why = c.type === 'numeric' ? '' : c.textTokens.map((t) => `${JSON.stringify(t.value)} (row ${t.row + 1}${t.count > 1 ? `, ${t.count}×` : ''})`).join(', ');
      for (const [text, cls] of [[c.name, ''], [c.type, ''], [missing, 'num'], [c.distinct >= 1000 ? '1000+' : String(c.distinct), 'num'], [why, '']]) {
        const td = document.createElement('td');
        td.textContent = text;
        if (cls) td.className = cls;
        tr.append(td);
      }
      return tr;
    }),
  );
}

function options(select: HTMLSelectElement, names: string[], chosen: string | undefined, empty?: string): void {
  select.replaceChildren(
    ...(empty !== undefined ? [new Option(empty, '')] : []),
    ...names.map((n) => new Option(n, n)),
  );
  select.value = chosen !== undefined && names.includes(chosen) ? chosen : empty !== undefined ? '' : (names[0] ?? '');
}

function fillPickers(cols: ColumnInfo[], england: boolean): void {
  const numeric = cols.filter((c) => c.type === 'numeric').map((c) => c.name);
  const all = cols.map((c) => c.name);
  const groupish = cols.filter((c) => c.distinct > 1 && c.type !== 'empty').map((c) => c.name);
  const byName = (re: RegExp, list: string[]) => list.find((n) => re.test(n));
  options($('unit'), groupish, england ? 'la_code' : (byName(/^(id|unit|la|la_code|country|firm|school|person|subject|region)$/i, groupish) ?? cols.find((c) => c.type === 'text')?.name));
  options($('period'), groupish, england ? 'year' : byName(/^(year|period|time|wave|t|date|month|quarter)$/i, groupish));
  // The outcome defaults to the first numeric column that is neither the unit nor the period.
  options($('outcome'), numeric, england ? 'cpp_start_rate' : numeric.find((n) => n !== val('unit') && n !== val('period')));
  options($('group'), groupish, undefined, '(none)');
  options($('weights'), numeric, undefined, '(none)');
  const box = $('covariates');
  box.replaceChildren(
    ...numeric.map((n, i) => {
      const div = document.createElement('div');
      div.className = 'cov';
      const id = `cov-${i}`;
      div.innerHTML = `<input type="checkbox" id="${id}"><label for="${id}"></label><select aria-label="how to enter ${n.replace(/"/g, '')}"><option value="as-is">as is</option><option value="wb">between + within the unit</option></select>`;
      div.querySelector('label')!.textContent = n;
      const cb = div.querySelector('input')!;
      cb.dataset.name = n;
      cb.checked = england && n === 'imd2019_avg_score';
      return div;
    }),
  );
  const from = $<HTMLInputElement>('from');
  const to = $<HTMLInputElement>('to');
  from.value = england ? '2013' : '';
  to.value = england ? '2018' : '';
  formulaEdited = false;
  $<HTMLFieldSetElement>('pickers').disabled = false;
  rebuildFormula();
}

// ---------------------------------------------------------------- model
const val = (id: string): string => ($(id) as HTMLSelectElement).value;
const quote = (name: string): string => (/^[A-Za-z.][A-Za-z0-9._]*$/.test(name) ? name : `\`${name.replace(/`/g, '\\`')}\``);

function checkedCovariates(): { name: string; mode: string }[] {
  return [...$('covariates').querySelectorAll<HTMLDivElement>('.cov')]
    .filter((d) => d.querySelector('input')!.checked)
    .map((d) => ({ name: d.querySelector('input')!.dataset.name!, mode: d.querySelector('select')!.value }));
}

function builtFormula(): string {
  const unit = val('unit');
  const covs = checkedCovariates().flatMap(({ name, mode }) =>
    mode === 'wb' && unit ? [`between(${quote(name)}, ${quote(unit)})`, `within(${quote(name)}, ${quote(unit)})`] : [quote(name)],
  );
  const random = [unit, val('period'), val('group')].filter((g, i, a) => g !== '' && a.indexOf(g) === i).map((g) => `(1 | ${quote(g)})`);
  return `${quote(val('outcome'))} ~ ${[...(covs.length ? covs : random.length ? [] : ['1']), ...random].join(' + ')}`;
}

function rebuildFormula(): void {
  formulaEdited = false;
  $<HTMLTextAreaElement>('formula').value = builtFormula();
  scheduleCheck();
}

function num(id: string): number | undefined {
  const v = $<HTMLInputElement>(id).value.trim();
  return v === '' ? undefined : Number(v);
}

function modelRequest(): ModelRequest {
  const period = val('period');
  const from = num('from');
  const to = num('to');
  const weights = val('weights');
  return {
    formula: $<HTMLTextAreaElement>('formula').value.trim(),
    reml: (document.querySelector('input[name="est"]:checked') as HTMLInputElement).value === 'reml',
    ...(weights ? { weights } : {}),
    ...(period && (from !== undefined || to !== undefined) ? { periodColumn: period, periodFrom: from, periodTo: to } : {}),
  };
}

let checkTimer: number | undefined;
function scheduleCheck(): void {
  clearTimeout(checkTimer);
  if (!running) setState('pending');
  checkTimer = window.setTimeout(() => {
    if (running || !lastLoad) return;
    checkId++;
    setState('checking');
    worker.postMessage({ kind: 'check', id: checkId, model: modelRequest() } satisfies ToWorker);
  }, 250);
}

// ---------------------------------------------------------------- running
function run(): void {
  clearErrors(['run']);
  const reps = Math.round(num('reps') ?? 0);
  const intervals = reps > 0 ? { n: reps, seed: Math.round(num('seed') ?? 1), level: num('level') ?? 0.95 } : null;
  const model = modelRequest();
  runId++;
  running = true;
  setState('running');
  runAnalysis = { ...source!, formula: model.formula, reml: model.reml, weights: model.weights, periodColumn: model.periodColumn, periodFrom: model.periodFrom, periodTo: model.periodTo, intervals };
  $<HTMLButtonElement>('run').disabled = true;
  $<HTMLButtonElement>('cancel').disabled = false;
  $('progress-box').hidden = false;
  const bar = $<HTMLProgressElement>('progress');
  bar.removeAttribute('value'); // indeterminate while fitting
  $('progress-text').textContent = 'Fitting…';
  worker.postMessage({ kind: 'run', id: runId, model, intervals } satisfies ToWorker);
}

function cancel(): void {
  worker.terminate();
  running = false;
  startWorker();
  $('progress-text').textContent = 'Cancelled.';
  $<HTMLButtonElement>('cancel').disabled = true;
  setState('cancelled');
  if (lastLoad) load(lastLoad); // the new worker needs the data again
}

function finishRun(): void {
  running = false;
  $<HTMLButtonElement>('cancel').disabled = true;
  $<HTMLButtonElement>('run').disabled = false;
}

// ---------------------------------------------------------------- results
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const bracket = (lo: number, hi: number): string => `[${(100 * lo).toFixed(1)}, ${(100 * hi).toFixed(1)}]`;

function renderResult(r: Extract<FromWorker, { kind: 'result' }>): void {
  result = r;
  $('results').hidden = false;
  const withIntervals = r.rows.every((row) => r.methods.every((m) => typeof row.lower?.[m] === 'number'));
  const thead = $('shares').querySelector('thead')!;
  thead.innerHTML = '';
  const hr = thead.insertRow();
  const th = (text: string) => {
    const c = document.createElement('th');
    c.scope = 'col';
    c.textContent = text;
    hr.append(c);
  };
  th('component');
  th('kind');
  for (const m of r.methods) {
    th(m);
    if (withIntervals) th(`${Math.round(100 * (r.level ?? 0.95))}% interval (${r.intervalKinds[m] ?? ''})`);
  }
  const body = $('shares').querySelector('tbody')!;
  body.replaceChildren(...r.rows.map((row: ResultRow) => {
    const tr = document.createElement('tr');
    tr.dataset.key = row.key;
    const cell = (text: string, cls = '', method?: string) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      if (method) td.dataset.method = method;
      tr.append(td);
    };
    cell(row.label);
    cell(row.kind);
    for (const m of r.methods) {
      cell(pct(row.shares[m]), 'num share', m);
      if (withIntervals) cell(bracket(row.lower![m], row.upper![m]), 'num interval', m);
    }
    return tr;
  }));
  $('result-caption').textContent = `${r.rows.length} parts, ${r.methods.join(', ')}; computed in ${r.seconds.toFixed(1)} s in this page.`;
  $('text').textContent = r.text;
  $('summary').textContent = r.summary;
  void drawChart(r.vegaLite);
}

async function drawChart(spec: unknown): Promise<void> {
  const status = $('chart-status');
  status.textContent = 'Drawing the chart…';
  try {
    const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
    const compiled = vegaLite.compile(spec as Parameters<typeof vegaLite.compile>[0]);
    const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
    $('chart').innerHTML = await view.toSVG();
    chartView = view;
    status.textContent = 'The chart is the library’s Vega-Lite spec (toVegaLite), drawn here.';
  } catch (e) {
    status.textContent = `The chart could not be drawn: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function download(name: string, content: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---------------------------------------------------------------- worker messages
function onWorker(m: FromWorker): void {
  switch (m.kind) {
    case 'loaded': {
      columns = m.columns;
      const england = m.name.startsWith('England panel');
      if (england) source = { file: null, format: 'csv', delimiter: ',', decimal: '.', na: ['NA'] };
      setStatus(`${m.name}: ${m.nrows} rows, ${m.columns.length} columns (${m.columns.filter((c) => c.type === 'numeric').length} numeric). Read in this page.`);
      $('types-box').hidden = false;
      typeRows(m.columns);
      if (!running) fillPickers(m.columns, england);
      setState('loaded');
      break;
    }
    case 'load-error':
      showError('file', m.error);
      setStatus('');
      setState('error');
      break;
    case 'checked': {
      if (m.id !== checkId) return;
      clearErrors(['outcome', 'covariates', 'unit', 'period', 'group', 'weights', 'formula']);
      $('check').textContent = `The model uses ${m.nobs} of ${m.nrows} rows${m.nDropped > 0 ? `; ${m.nDropped} will be dropped for missing values.` : '; none is dropped.'}`;
      const box = $('dropped-box');
      box.hidden = m.nDropped === 0;
      $('dropped-summary').textContent = m.droppedNote ?? `${m.nDropped} rows dropped`;
      $('dropped').querySelector('tbody')!.replaceChildren(
        ...m.dropped.slice(0, 500).map((d) => {
          const tr = document.createElement('tr');
          tr.innerHTML = '<td class="num"></td><td></td>';
          tr.cells[0].textContent = String(d.row);
          tr.cells[1].textContent = d.columns.join(', ');
          return tr;
        }),
      );
      $<HTMLButtonElement>('run').disabled = running;
      setState('checked');
      break;
    }
    case 'model-error': {
      if (m.id === runId && running) {
        finishRun();
        $('progress-box').hidden = true;
      } else if (m.id !== checkId) return;
      clearErrors(['outcome', 'covariates', 'unit', 'period', 'group', 'weights', 'formula']);
      $('check').textContent = '';
      showError(fieldOf(m.error), m.error);
      $<HTMLButtonElement>('run').disabled = true;
      setState('model-error');
      break;
    }
    case 'progress': {
      if (m.id !== runId) return;
      const bar = $<HTMLProgressElement>('progress');
      if (m.total > 0) {
        bar.max = m.total;
        bar.value = m.done;
        $('progress-text').textContent = `${m.done} of ${m.total} bootstrap replicates`;
      } else $('progress-text').textContent = 'Fitted; splitting…';
      break;
    }
    case 'result':
      if (m.id !== runId) return;
      finishRun();
      $('progress-text').textContent = `Done in ${m.seconds.toFixed(2)} s.`;
      renderResult(m);
      setState('done');
      break;
  }
}

// ---------------------------------------------------------------- wiring
function init(): void {
  startWorker();
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void readFile(f);
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void readFile(f);
  });
  $('england').addEventListener('click', () => {
    clearErrors();
    setStatus('Reading the England panel…');
    load({ kind: 'load-england', url: ENGLAND_URL });
  });
  for (const id of ['outcome', 'unit', 'period', 'group']) $(id).addEventListener('change', () => (formulaEdited ? scheduleCheck() : rebuildFormula()));
  $('covariates').addEventListener('change', () => (formulaEdited ? scheduleCheck() : rebuildFormula()));
  for (const id of ['weights', 'from', 'to']) $(id).addEventListener('change', scheduleCheck);
  for (const el of document.querySelectorAll('input[name="est"]')) el.addEventListener('change', scheduleCheck);
  $('formula').addEventListener('input', () => {
    formulaEdited = true;
    scheduleCheck();
  });
  $('rebuild').addEventListener('click', rebuildFormula);
  $('run').addEventListener('click', run);
  $('cancel').addEventListener('click', cancel);
  $('dl-csv').addEventListener('click', () => result && download('shares.csv', result.csv, 'text/csv'));
  $('dl-md').addEventListener('click', () => result && download('shares.md', `${result.markdown}\n`, 'text/markdown'));
  $('dl-svg').addEventListener('click', async () => chartView && download('shares.svg', await chartView.toSVG(), 'image/svg+xml'));
  $('dl-png').addEventListener('click', async () => {
    if (!chartView) return;
    const canvas = await chartView.toCanvas(2);
    canvas.toBlob((b) => b && download('shares.png', b, 'image/png'), 'image/png');
  });
  $('dl-ts').addEventListener('click', () => runAnalysis && download('analysis.ts', typescriptScript(runAnalysis), 'text/plain'));
  $('dl-r').addEventListener('click', () => runAnalysis && download('analysis.R', rScript(runAnalysis), 'text/plain'));
  setState('ready');
}

init();
