// Measures the page in headless Chromium: time from navigation to the England panel checked and
// ready to run, and the time for the NAO-style model with 1,000 replicates in the worker.
// `npm run web:build && node web/bench.mjs [runs]` (default 5 runs); prints medians and ranges.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import puppeteer from 'puppeteer-core';
import { startServer } from './serve.mjs';

const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
if (!chromium) {
  console.error('Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)');
  process.exit(1);
}
const runs = Number(process.argv[2] ?? 5);
const server = await startServer(0);
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const load = [];
const panel = [];
const boot = [];
try {
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage();
    await page.setCacheEnabled(false);
    const t0 = Date.now();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    const t1 = Date.now();
    await page.click('#england');
    await page.waitForFunction(() => document.body.dataset.state === 'checked', { timeout: 60_000 });
    const t2 = Date.now();
    load.push(t1 - t0);
    panel.push(t2 - t0);
    await page.$eval('#reps', (e) => (e.value = '1000'));
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.state === 'done', { timeout: 600_000 });
    boot.push(Number((await page.$eval('#progress-text', (e) => e.textContent)).match(/Done in ([\d.]+) s/)[1]) * 1000);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]} ms (range ${s[0]}-${s[s.length - 1]}, ${s.length} runs)`;
};
console.log(`page loaded and ready:                      ${stat(load)}`);
console.log(`page loaded, England panel read and checked: ${stat(panel)}`);
console.log(`NAO-style model, 1,000 replicates (worker):  ${stat(boot)}`);
console.log(`load average: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
