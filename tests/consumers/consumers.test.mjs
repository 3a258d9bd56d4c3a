// consumers.test.mjs - cdpmock's traces and profiles fed to the real
// analysis tools (run by `make consumer-test`, part of `make test`):
// DevTools' trace engine, Lighthouse's trace processor, tracium, speedline
// and v8-to-istanbul.  Every tool must get its figures with no error, from
// traces recorded in both transfer modes with puppeteer's and Lighthouse's
// category sets, and the scenario knobs must show in what the tools see.
import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import jpeg from 'jpeg-js';
import {launch, servePage, recordTrace, recordProfile, recordCoverage,
  PUPPETEER_CATEGORIES} from './lib/cdp.mjs';
import {RECORDINGS} from './lib/figures.mjs';
import * as tools from './lib/tools.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const BIN = process.env.CDPMOCK_BIN || path.join(root, 'build/cdpmock');

// What the trace itself says: the Profile of the page renderer and the
// samples of its chunks, the Screenshot events.
function rawFigures(events) {
  const profiles = events.filter(e => e.name === 'Profile');
  const chunks = events.filter(e => e.name === 'ProfileChunk');
  return {
    profilePids: profiles.map(e => e.pid),
    samples: chunks.reduce((n, e) => n + (e.args.data.cpuProfile.samples?.length ?? 0), 0),
    chunkSizes: chunks.map(e => e.args.data.cpuProfile.samples?.length ?? 0),
    screenshots: events.filter(e => e.name === 'Screenshot').length,
  };
}

describe('cdpmock traces in the trace tools', () => {
  let browser;
  let page;
  before(async () => {
    browser = await launch(BIN);
    page = await servePage();
  });
  after(async () => {
    await browser?.close();
    await page?.close();
  });

  for (const r of RECORDINGS) {
    test(`${r.name}: every tool, no error`, async t => {
      const rec = await recordTrace(browser.wsUrl, page.url, r);
      const raw = rawFigures(rec.traceEvents);

      // DevTools' trace engine: the main frame, one navigation, the CPU
      // profile of the page's renderer with the generator's samples, and
      // the navigation's insight set.
      const e = await tools.devtoolsEngine(rec.traceEvents);
      assert.equal(e.mainFrameId, rec.targetId);
      assert.equal(e.navigations, 1);
      if (r.categories.includes('disabled-by-default-v8.cpu_profiler')) {
        assert.equal(raw.profilePids.length, 1);
        assert.equal(e.profiles.length, 1);
        assert.equal(e.profiles[0].pid, raw.profilePids[0]);
        assert.equal(e.profiles[0].pid, e.rendererPid);
        assert.equal(e.profiles[0].samples, raw.samples);
        assert.ok(raw.samples > 1000, `${raw.samples} samples`);
        assert.ok(raw.chunkSizes.every(n => n === 100), 'Chrome flushes full chunks of 100');
        assert.ok(e.profiles[0].jsFunctions > 0);
      } else {
        // Lighthouse's set has no profiler category: no samples at all.
        assert.equal(raw.profilePids.length, 0);
        assert.equal(e.profiles.length, 0);
      }
      const nav = e.insightSets.find(s => s.navigation);
      assert.ok(nav, 'an insight set for the navigation');
      assert.deepEqual(nav.failed, []);
      assert.ok(nav.computed.length >= 10);
      t.diagnostic(`insights computed: ${nav.computed.join(', ')}`);
      assert.ok(e.metrics.FCP > 0 && e.metrics.LCP >= e.metrics.FCP);
      assert.equal(e.screenshots, raw.screenshots);

      // Lighthouse: FCP, LCP and TBT; the 120 ms long task blocks 70 ms.
      const lh = await tools.lighthouse(rec.traceEvents);
      assert.ok(lh.fcpMs > 0 && lh.lcpMs >= lh.fcpMs, JSON.stringify(lh));
      assert.equal(lh.lcpError, undefined);
      assert.ok(lh.dclMs >= lh.lcpMs && lh.loadMs > lh.dclMs, JSON.stringify(lh));
      assert.ok(Math.abs(lh.tbtMs - 70) < 0.01, `TBT ${lh.tbtMs}`);
      assert.equal(lh.mainFramePid, e.rendererPid);

      // tracium: the main thread's tasks, the long one among them.
      const tr = tools.traciumTasks(rec.traceEvents);
      assert.ok(tr.topLevel > 0);
      assert.ok(Math.abs(tr.longestMs - 120) < 0.1, `longest ${tr.longestMs}`);
      assert.ok(tr.scriptingMs > 100, `scripting ${tr.scriptingMs}`);

      // speedline: a speed index from the screenshots, after FCP.
      const si = await tools.speedIndex(rec.traceEvents);
      assert.ok(raw.screenshots >= 10);
      assert.ok(si.frames >= 2);
      assert.ok(si.speedIndex >= lh.fcpMs && si.speedIndex < 2000, `SI ${si.speedIndex}`);
      t.diagnostic(`FCP ${lh.fcpMs.toFixed(1)} LCP ${lh.lcpMs.toFixed(1)} TBT ` +
          `${lh.tbtMs.toFixed(1)} ms, ${tr.tasks} tasks, SI ${si.speedIndex.toFixed(0)}, ` +
          `${raw.samples} samples`);
    });
  }

  test('screenshots decode to frames whose painted part grows', async () => {
    const rec = await recordTrace(browser.wsUrl, page.url, RECORDINGS[1]);
    const shots = rec.traceEvents.filter(e => e.name === 'Screenshot');
    assert.ok(shots.length >= 10);
    const painted = shots.map(e => {
      const img = jpeg.decode(Buffer.from(e.args.snapshot, 'base64'), {useTArray: true});
      assert.equal(img.width, 160);
      assert.equal(img.height, 120);
      let dark = 0;
      for (let i = 0; i < img.data.length; i += 4)
        dark += img.data[i] < 128;
      return dark / (img.width * img.height);
    });
    // Blank before FCP, then a third, then two thirds of the page painted.
    assert.equal(painted[0], 0);
    assert.ok(Math.abs(painted.at(-1) - 2 / 3) < 0.01, `${painted.at(-1)}`);
    for (let i = 1; i < painted.length; i++)
      assert.ok(painted[i] >= painted[i - 1]);
  });

  test('a .cpuprofile loads in the DevTools CPU profile model', async t => {
    const profile = await recordProfile(browser.wsUrl);
    const m = tools.cpuProfileModel(profile);
    const span = (profile.endTime - profile.startTime) / 1000;
    const mean = span / profile.samples.length;
    assert.equal(m.samples, profile.samples.length);
    assert.equal(m.nodes, profile.nodes.length);
    // The model's total runs from the first sample to one mean interval
    // past the last, so it is endTime - startTime to within the late first
    // sample: Chrome's own samples/profile.json gives 311.52 for 313.19 ms.
    assert.ok(Math.abs(m.totalMs - span) <= Math.max(3 * mean, 0.02 * span),
        `total ${m.totalMs} ms, endTime - startTime ${span} ms`);
    t.diagnostic(`total ${m.totalMs.toFixed(2)} ms, endTime - startTime ${span.toFixed(2)} ms`);
  });

  test('precise coverage converts with v8-to-istanbul', async t => {
    const coverage = await recordCoverage(browser.wsUrl, page.url);
    assert.ok(coverage.length > 0);
    const files = await tools.istanbul(coverage);
    assert.equal(files.length, coverage.length);
    for (const [i, f] of files.entries()) {
      // A statement per line of the synthetic script, some of them run.
      assert.equal(f.lines, coverage[i].source.split('\n').length, f.url);
      assert.ok(f.covered > 0 && f.functions > 0, JSON.stringify(f));
    }
    t.diagnostic(files.map(f => `${f.url}: ${f.covered}/${f.statements} lines`).join('; '));
  });
});

// One scenario per knob (scenarios/tracing/): what the tools see of it.
describe('scenario knobs in the trace tools', () => {
  let page;
  before(async () => {
    page = await servePage();
  });
  after(async () => page?.close());

  async function traceWith(scenario) {
    const b = await launch(BIN, {extraArgs: ['--scenario',
      path.join(root, 'scenarios/tracing', scenario)]});
    try {
      return await recordTrace(b.wsUrl, page.url, {categories: PUPPETEER_CATEGORIES,
        transferMode: 'ReturnAsStream'});
    } finally {
      await b.close();
    }
  }

  test('long-task-400ms: TBT 350 ms, tracium\'s longest task 400 ms', async () => {
    const rec = await traceWith('long-task-400ms.json');
    const lh = await tools.lighthouse(rec.traceEvents);
    assert.ok(Math.abs(lh.tbtMs - 350) < 0.01, `TBT ${lh.tbtMs}`);
    assert.ok(Math.abs(tools.traciumTasks(rec.traceEvents).longestMs - 400) < 0.1);
  });

  test('no-lcp-candidate: Lighthouse says NO_LCP, the engine has FCP only', async () => {
    const rec = await traceWith('no-lcp-candidate.json');
    assert.equal(rec.traceEvents.filter(e => e.name === 'largestContentfulPaint::Candidate')
        .length, 0);
    const lh = await tools.lighthouse(rec.traceEvents);
    assert.equal(lh.lcpError, 'NO_LCP');
    assert.ok(lh.fcpMs > 0);
    const e = await tools.devtoolsEngine(rec.traceEvents);
    assert.ok(e.metrics.FCP > 0);
    assert.equal(e.metrics.LCP, undefined);
  });

  test('screenshots-3: three frames for the engine and speedline', async () => {
    const rec = await traceWith('screenshots-3.json');
    assert.equal(rawFigures(rec.traceEvents).screenshots, 3);
    assert.equal((await tools.devtoolsEngine(rec.traceEvents)).screenshots, 3);
    const si = await tools.speedIndex(rec.traceEvents);
    assert.ok(si.speedIndex > 0);
  });

  test('samples-empty: a profile with no samples, and no error', async () => {
    const rec = await traceWith('samples-empty.json');
    const raw = rawFigures(rec.traceEvents);
    assert.equal(raw.profilePids.length, 1);
    assert.equal(raw.samples, 0);
    const e = await tools.devtoolsEngine(rec.traceEvents);
    assert.equal(e.navigations, 1);
    assert.ok(e.profiles.every(p => p.samples === 0));
    assert.ok((await tools.lighthouse(rec.traceEvents)).fcpMs > 0);
  });
});
