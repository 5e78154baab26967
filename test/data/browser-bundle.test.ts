/**
 * The browser-safe entries bundle for the browser platform with no Node import: `vardecomp`
 * and the `browser` condition of `vardecomp/data` (the panel's columns and parser). The Node
 * loader is only in the default condition. (The built package is bundled by name in
 * scripts/smoke-dist.mjs, run by CI after the build.)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as browserData from '../../src/data/browser.js';
import * as nodeData from '../../src/data/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function bundleForBrowser(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [root + entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    // Optional chart renderers are loaded lazily and are not part of the core.
    external: ['vega', 'vega-lite'],
  });
  return out.outputFiles[0].text;
}

describe('browser bundles', () => {
  it('vardecomp/data (browser condition) bundles without node: imports and parses the panel', async () => {
    const code = await bundleForBrowser('src/data/browser.ts');
    expect(code).not.toMatch(/["']node:/);
    expect(code).not.toMatch(/\bfrom\s*["'](fs|path|url|os)["']/);
    expect(code).toContain('parseEnglandPanel');
    // The bundle runs: import it from its text and parse a slice of the shipped file.
    const mod = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    const csv = readFileSync(root + 'data/' + mod.ENGLAND_PANEL_FILE, 'utf8').split('\n').slice(0, 4).join('\n');
    expect(mod.parseEnglandPanel(csv).numRows()).toBe(3);
  });

  it('the Node entry does not bundle for a browser (it reads files)', async () => {
    await expect(bundleForBrowser('src/data/index.ts')).rejects.toThrow(/node:/);
  });

  it('the core (vardecomp) bundles without node: imports', async () => {
    const code = await bundleForBrowser('src/index.ts');
    expect(code).not.toMatch(/["']node:/);
  });

  it('package.json maps the browser condition of ./data to the browser entry', () => {
    const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8'));
    const data = pkg.exports['./data'];
    expect(Object.keys(data)[0]).toBe('browser');
    expect(data.browser).toEqual({ types: './dist/data-browser.d.ts', import: './dist/data-browser.js', require: './dist/data-browser.cjs' });
    expect(readFileSync(root + 'tsup.config.ts', 'utf8')).toContain("'data-browser': 'src/data/browser.ts'");
  });

  it('the browser entry exports everything of vardecomp/data but the loader', () => {
    expect(Object.keys(nodeData).filter((k) => !(k in browserData))).toEqual(['loadEnglandPanel']);
  });
});
