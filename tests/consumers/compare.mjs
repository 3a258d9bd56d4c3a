// compare.mjs - the consumer suite's recordings from cdpmock and from a real
// Chromium (recorded now, with the same calls), every tool on both, and
// the figures side by side (`make consumers-chrome`).  Exit status 1 when a
// tool fails on cdpmock's trace; a failure on Chromium's is a figure.
//   node compare.mjs [--json FILE]
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromiumPath} from './lib/cdp.mjs';
import {collect, RECORDINGS} from './lib/figures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const mockBin = process.env.CDPMOCK_BIN || path.resolve(here, '../../build/cdpmock');
const chrome = chromiumPath();
if (!chrome) {
  console.log('compare: no chromium (set CHROMIUM_BIN): nothing to compare with');
  process.exit(0);
}

const mock = await collect(mockBin);
const real = await collect(chrome, {chrome: true});

const fmt = v => v === undefined ? '-' : v === '' ? 'none' : typeof v === 'number' ?
  (Number.isInteger(v) ? String(v) : v.toFixed(1)) : String(v);
function figure(r, tool, f) {
  if (!r[tool].ok)
    return `error: ${r[tool].error}`;
  return fmt(f(r[tool].value));
}
const rows = [];
const ROWS = [
  ['engine', 'navigations', v => v.navigations],
  ['engine', 'CPU samples (renderer)', v => v.profiles.map(p => p.samples).join('+')],
  ['engine', 'JS functions sampled', v => v.profiles.map(p => p.jsFunctions).join('+')],
  ['engine', 'insights computed (navigation)',
    v => v.insightSets.find(s => s.navigation)?.computed.length],
  ['engine', 'FCP ms', v => v.metrics.FCP],
  ['engine', 'LCP ms', v => v.metrics.LCP],
  ['engine', 'screenshots', v => v.screenshots],
  ['lighthouse', 'FCP ms', v => v.fcpMs],
  ['lighthouse', 'LCP ms', v => v.lcpMs ?? v.lcpError],
  ['lighthouse', 'TBT ms (FCP..end)', v => v.tbtMs],
  ['lighthouse', 'long tasks', v => v.longTasks],
  ['tracium', 'main-thread tasks', v => v.tasks],
  ['tracium', 'longest task ms', v => v.longestMs],
  ['speedline', 'speed index', v => v.speedIndex],
  ['speedline', 'frames', v => v.frames],
];
let failed = false;
for (const rec of RECORDINGS) {
  const m = mock.traces[rec.name];
  const c = real.traces[rec.name];
  rows.push([rec.name, 'trace events', fmt(m.events), fmt(c.events)]);
  for (const [tool, name, f] of ROWS) {
    rows.push([rec.name, `${tool}: ${name}`, figure(m, tool, f), figure(c, tool, f)]);
    failed ||= !m[tool].ok;
  }
}
const prof = r => r.cpuprofile.ok ?
  `${fmt(r.cpuprofile.value.totalMs)} / ${fmt(r.cpuprofile.value.endMinusStartMs)}` :
  `error: ${r.cpuprofile.error}`;
rows.push(['.cpuprofile', 'CPU profile model total / endTime-startTime ms', prof(mock), prof(real)]);
const cov = r => r.coverage.ok ?
  r.coverage.value.map(f => `${f.covered}/${f.statements} lines`).join(', ') :
  `error: ${r.coverage.error}`;
rows.push(['coverage', 'v8-to-istanbul covered/lines', cov(mock), cov(real)]);
failed ||= !mock.cpuprofile.ok || !mock.coverage.ok;

const head = ['recording', 'figure', 'cdpmock', 'chromium'];
const width = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
const line = r => '| ' + r.map((x, i) => x.padEnd(width[i])).join(' | ') + ' |';
console.log(line(head));
console.log('|' + width.map(w => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows)
  console.log(line(r));
const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0)
  fs.writeFileSync(process.argv[jsonAt + 1], JSON.stringify({mock, chromium: real}, null, 1));
process.exit(failed ? 1 : 0);
