/**
 * The page in headless Chromium (Debian's `chromium`, driven by puppeteer-core; nothing is
 * downloaded). Needs `npm run web:build` first (`npm run test:web` does both). Skipped, with a
 * message, where no Chromium is installed. Screenshots go to web/test-output/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { table as aqTable, toArrowIPC } from 'arquero';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare } from '../../src/index.js';
import { loadEnglandPanel } from '../../src/data/index.js';
// @ts-expect-error: a plain ESM script without types
import { startServer } from '../serve.mjs';

const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(
  (p): p is string => typeof p === 'string' && existsSync(p),
);
if (!chromium) console.warn('SKIPPED: the page tests need Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)');
const out = join(import.meta.dirname, '..', 'test-output');
const NAO = 'cpp_start_rate ~ imd2019_avg_score + (1 | la_code) + (1 | year)';

describe.skipIf(!chromium)('the page in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let url: string;
  const requests: string[] = [];

  const waitState = (state: string, timeout = 120_000) =>
    page.waitForFunction((s) => document.body.dataset.state === s, { timeout }, state);
  const text = (sel: string) => page.$eval(sel, (e) => e.textContent ?? '');

  beforeAll(async () => {
    mkdirSync(out, { recursive: true });
    server = await startServer(0);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    await waitState('ready');
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  });

  it('loads the England panel from the keyboard and builds the NAO-style formula', async () => {
    await page.focus('#england');
    await page.keyboard.press('Enter');
    await waitState('checked');
    expect(await page.$eval('#formula', (e) => (e as HTMLTextAreaElement).value)).toBe(NAO);
    const all = await loadEnglandPanel();
    expect(await text('#data-status')).toMatch(new RegExp(`^England panel \\(embedded\\): ${all.numRows()} rows, ${all.numCols()} columns`));
    const panel = await loadEnglandPanel({ years: [2013, 2018] });
    const m = (await import('../../src/index.js')).fit(panel, NAO);
    expect(await text('#check')).toBe(`The model uses ${m.nobs} of 900 rows; ${m.nDropped} will be dropped for missing values.`);
    // Every dropped row is listed (row numbers are 1-based rows of the whole file).
    expect(await page.$$eval('#dropped tbody tr', (rows) => rows.length)).toBe(m.nDropped);
  });

  it('shows the shares of all three methods as the library computes them, with intervals and a chart', async () => {
    await page.$eval('#reps', (e) => ((e as HTMLInputElement).value = '200'));
    await page.click('#run');
    await waitState('done');
    const panel = await loadEnglandPanel({ years: [2013, 2018] });
    const c = compare(panel, NAO);
    const shown = await page.$$eval('#shares tbody tr', (rows) =>
      rows.map((r) => ({
        key: (r as HTMLElement).dataset.key,
        shares: Object.fromEntries([...r.querySelectorAll('td.share')].map((td) => [(td as HTMLElement).dataset.method, td.textContent])),
        intervals: [...r.querySelectorAll('td.interval')].map((td) => td.textContent),
      })),
    );
    expect(shown.map((r) => r.key)).toEqual(c.rows.map((r) => r.key));
    for (const [i, row] of c.rows.entries()) {
      for (const m of c.methods) expect(shown[i].shares[m]).toBe(`${(100 * row.shares[m]).toFixed(1)}%`);
      expect(shown[i].intervals).toHaveLength(3);
      for (const iv of shown[i].intervals) expect(iv).toMatch(/^\[\d+\.\d, \d+\.\d\]$/);
    }
    expect(c.rows.find((r) => r.key === 'fixed')!.shares.components).toBeCloseTo(0.291, 3); // README: 29.1%
    await page.waitForFunction(() => document.querySelector('#chart svg') !== null, { timeout: 60_000 });
    expect(await text('#summary')).toMatch(/REML criterion at convergence/);
    await page.screenshot({ path: join(out, 'england-results.png'), fullPage: true });
    const results = await page.$('#results');
    await results!.screenshot({ path: join(out, 'england-results-section.png') });
    // Nothing leaves the machine: every request the page made went to the local server.
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) expect(r.startsWith(url) || r.startsWith('blob:') || r.startsWith('data:')).toBe(true);
  });

  it('downloads the table, the chart and the scripts', async () => {
    // Capture what the download links hand over (the blobs behind their URLs).
    await page.evaluate(() => {
      const w = window as unknown as { downloads: Record<string, Promise<{ type: string; text: string; size: number }>> };
      w.downloads = {};
      const blobs = new Map<string, Blob>();
      const create = URL.createObjectURL.bind(URL);
      URL.createObjectURL = (b: Blob | MediaSource) => {
        const u = create(b);
        blobs.set(u, b as Blob);
        return u;
      };
      HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
        const b = blobs.get(this.href)!;
        w.downloads[this.download] = (async () => ({ type: b.type, text: b.type.startsWith('image/png') ? '' : await b.text(), size: b.size }))();
      };
    });
    for (const id of ['dl-csv', 'dl-md', 'dl-svg', 'dl-png', 'dl-ts', 'dl-r']) await page.click(`#${id}`);
    await page.waitForFunction(() => Object.keys((window as unknown as { downloads: object }).downloads).length === 6, { timeout: 30_000 });
    const files = await page.evaluate(async () => {
      const w = window as unknown as { downloads: Record<string, Promise<{ type: string; text: string; size: number }>> };
      return Object.fromEntries(await Promise.all(Object.entries(w.downloads).map(async ([k, v]) => [k, await v] as const)));
    });
    const panel = await loadEnglandPanel({ years: [2013, 2018] });
    const c = compare(panel, NAO);
    expect(files['shares.csv'].text.split('\n')[0]).toBe('key,label,kind,components,components_lower,components_upper,sequential,sequential_lower,sequential_upper,shapley,shapley_lower,shapley_upper');
    expect(Number(files['shares.csv'].text.split('\n')[1].split(',')[3])).toBeCloseTo(c.rows[0].shares.components, 12);
    expect(files['shares.md'].text).toContain(`| fixed | fixed | ${(100 * c.rows[0].shares.components).toFixed(1)}% (`);
    expect(files['shares.svg'].text).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(files['shares.png'].type).toBe('image/png');
    expect(files['shares.png'].size).toBeGreaterThan(10_000);
    expect(files['analysis.ts'].text).toContain(`const formula = ${JSON.stringify(NAO)};`);
    expect(files['analysis.ts'].text).toContain('d["year"] >= 2013 && d["year"] <= 2018');
    expect(files['analysis.R'].text).toContain(`f <- ${NAO}`);
    expect(files['analysis.R'].text).toContain('m <- lmer(f, data = d, REML = TRUE)');
  });

  it('reports progress during the bootstrap and can be cancelled', async () => {
    await page.$eval('#reps', (e) => ((e as HTMLInputElement).value = '100000'));
    await page.click('#run');
    await page.waitForFunction(() => /^[1-9]\d* of 100000 bootstrap replicates$/.test(document.getElementById('progress-text')!.textContent ?? ''), { timeout: 60_000 });
    const done = await page.$eval('#progress', (e) => (e as HTMLProgressElement).value);
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(100000);
    await page.click('#cancel');
    expect(await text('#progress-text')).toBe('Cancelled.');
    await waitState('checked'); // the fresh worker has the data again and the model checks
    expect(await page.$eval('#run', (e) => (e as HTMLButtonElement).disabled)).toBe(false);
  });

  it('shows the library error next to the formula for an unknown column', async () => {
    await page.$eval('#formula', (e) => ((e as HTMLTextAreaElement).value = 'cpp_start_rate ~ no_such_column + (1 | la_code)'));
    await page.type('#formula', ' ');
    await waitState('model-error');
    expect(await text('#err-formula')).toMatch(/^E_COLUMN: .*no_such_column/);
    expect(await page.$eval('#formula', (e) => e.getAttribute('aria-invalid'))).toBe('true');
    expect(await page.$eval('#run', (e) => (e as HTMLButtonElement).disabled)).toBe(true);
  });

  it('labels every control', async () => {
    const unlabelled = await page.$$eval('input, select, textarea, button', (els) =>
      els
        .filter((e) => {
          const c = e as HTMLInputElement;
          const hasLabel = (c.labels?.length ?? 0) > 0 || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby');
          const text = e.tagName === 'BUTTON' && (e.textContent ?? '').trim() !== '';
          return !hasLabel && !text && c.type !== 'radio';
        })
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    // Radio buttons sit inside their labels.
    expect(await page.$$eval('input[type="radio"]', (els) => els.every((e) => e.closest('label') !== null))).toBe(true);
  });

  it('shows the reader error for a malformed CSV dropped on the page', async () => {
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['unit,year,y\na,2010,1.5\nb,2010,2.5,7\n'], 'broken.csv', { type: 'text/csv' }));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await waitState('error');
    const err = await text('#err-file');
    expect(err).toMatch(/^E_INPUT: /);
    expect(err).toMatch(/row|line/);
    await page.screenshot({ path: join(out, 'malformed-csv.png') });
  });

  it('reads a dropped CSV, shows its column types and the rows it will drop', async () => {
    const rows = ['unit,year,x,y'];
    for (let u = 0; u < 12; u++) for (let t = 0; t < 5; t++) rows.push(`u${u},${2000 + t},${(u * 7 + t * 3) % 11},${u === 3 && t === 2 ? 'NA' : ((u * 13 + t * 5) % 17) + u / 3}`);
    await page.evaluate((csv) => {
      const dt = new DataTransfer();
      dt.items.add(new File([csv], 'small.csv', { type: 'text/csv' }));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, rows.join('\n'));
    await waitState('checked');
    expect(await text('#err-file')).toBe('');
    const types = await page.$$eval('#types tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)));
    expect(types).toEqual([['unit', 'text', '0'], ['year', 'numeric', '0'], ['x', 'numeric', '0'], ['y', 'numeric', '1 (NA: 1)']]);
    expect(await page.$eval('#formula', (e) => (e as HTMLTextAreaElement).value)).toBe('x ~ (1 | unit) + (1 | year)');
    await page.select('#outcome', 'y');
    await page.click('#covariates input[data-name="x"]');
    await waitState('checked');
    expect(await page.$eval('#formula', (e) => (e as HTMLTextAreaElement).value)).toBe('y ~ x + (1 | unit) + (1 | year)');
    expect(await text('#check')).toBe('The model uses 59 of 60 rows; 1 will be dropped for missing values.');
    expect(await page.$$eval('#dropped tbody tr', (trs) => trs.map((tr) => tr.textContent))).toEqual(['18y']);
  });

  it('reads a dropped Arrow file and fits it as the library does', async () => {
    const unit: string[] = [];
    const year: number[] = [];
    const x: number[] = [];
    const y: (number | null)[] = [];
    for (let u = 0; u < 10; u++) {
      for (let t = 0; t < 4; t++) {
        unit.push(`u${u}`);
        year.push(2000 + t);
        x.push(((u * 7 + t * 3) % 11) / 2);
        y.push(u === 2 && t === 1 ? null : ((u * 13 + t * 5) % 17) + u / 3 + t);
      }
    }
    const t = aqTable({ unit, year, x, y });
    const bytes = Array.from(toArrowIPC(t) as Uint8Array);
    await page.evaluate((b) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], 'small.arrow'));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await waitState('checked');
    const types = await page.$$eval('#types tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)));
    expect(types).toEqual([['unit', 'text', '0'], ['year', 'numeric', '0'], ['x', 'numeric', '0'], ['y', 'numeric', '1 (blank: 1)']]);
    expect(await page.$eval('#formula', (e) => (e as HTMLTextAreaElement).value)).toBe('x ~ (1 | unit) + (1 | year)');
    await page.select('#outcome', 'y');
    await page.click('#covariates input[data-name="x"]');
    await waitState('checked');
    expect(await text('#check')).toBe('The model uses 39 of 40 rows; 1 will be dropped for missing values.');
    await page.$eval('#reps', (e) => ((e as HTMLInputElement).value = '0'));
    await page.click('#run');
    await waitState('done');
    const c = compare(t, 'y ~ x + (1 | unit) + (1 | year)');
    const shown = await page.$$eval('#shares tbody tr td.share', (tds) => tds.map((td) => td.textContent));
    expect(shown).toEqual(c.rows.flatMap((r) => c.methods.map((m) => `${(100 * r.shares[m]).toFixed(1)}%`)));
  });
});
