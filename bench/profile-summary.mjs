// Summarise V8 .cpuprofile files: self time by function, then the hottest source lines.
// Usage: node bench/profile-summary.mjs <profile dir> [<bundle.mjs for line text>] [top=25]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const [dir, bundle, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const source = bundle ? readFileSync(bundle, 'utf8').split('\n') : null;
const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
// The main thread's profile is the busiest one (tsx adds a loader thread).
const file = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
prof.samples.forEach((id, i) => {
  const cf = byId.get(id).callFrame;
  const key = `${cf.functionName || '(anonymous)'} ${cf.url ? path.basename(cf.url) : ''}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + prof.timeDeltas[i]);
  total += prof.timeDeltas[i];
});
console.log(`${path.basename(file)}: ${(total / 1000).toFixed(0)} ms sampled\n\nself time by function`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
}
const lines = new Map();
let ticks = 0;
for (const n of prof.nodes) {
  for (const t of n.positionTicks ?? []) {
    const key = `${path.basename(n.callFrame.url)}:${t.line}`;
    lines.set(key, (lines.get(key) ?? 0) + t.ticks);
    ticks += t.ticks;
  }
}
console.log('\nhottest lines (share of line-attributed samples)');
for (const [k, t] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  const line = Number(k.split(':').pop());
  const text = source && k.startsWith(path.basename(bundle)) ? source[line - 1]?.trim().slice(0, 100) : '';
  console.log(`${((100 * t) / ticks).toFixed(1).padStart(5)}%  ${k.padEnd(18)} ${text}`);
}
