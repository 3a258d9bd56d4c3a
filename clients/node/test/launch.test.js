'use strict';
// The real puppeteer-core and playwright-core launching cdpmock as their
// browser: by port (the DevTools banner on stderr), and over
// --remote-debugging-pipe (fds 3 and 4, NUL-separated JSON),
// with messages far larger than one pipe write: a trace of more than 10 MB
// and a large CPU profile.  A pipe that stops writing after a short write
// (it did once) shows here as a launch or a stop that never returns, which
// the per-test timeout turns into a failure.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');
const { chromium } = require('playwright-core');

const { mockBin, REPO_ROOT } = require('../cdpmock');

const BIN = mockBin();
const scenario = (name) => path.join(REPO_ROOT, 'scenarios', name);
const TIMEOUT = { timeout: 120000 };
const BIG = 10 * 1024 * 1024;

function traceOf(bytes) {
  const text = Buffer.from(bytes).toString('utf8');
  assert.ok(text.length > BIG, `a trace of more than 10 MB, got ${text.length} bytes`);
  const trace = JSON.parse(text);
  assert.ok(Array.isArray(trace.traceEvents));
  return trace;
}

describe('puppeteer-core launching the mock by port', () => {
  test('launch({executablePath}) reads the banner, traces, and Browser.close ends the process',
    TIMEOUT, async () => {
      const browser = await puppeteer.launch({ executablePath: BIN });
      assert.match(browser.wsEndpoint(), /^ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\//);
      const proc = browser.process();
      try {
        const [page] = await browser.pages();
        await page.tracing.start({});
        const trace = JSON.parse(Buffer.from(await page.tracing.stop()).toString('utf8'));
        assert.ok(trace.traceEvents.length > 0);
      } finally {
        await browser.close();
      }
      assert.equal(proc.exitCode, 0, 'the mock exited with status 0 on Browser.close');
    });
});

describe('puppeteer-core over the pipe', () => {
  test('launch({pipe: true}), a trace of more than 10 MB, close', TIMEOUT, async () => {
    const browser = await puppeteer.launch({
      executablePath: BIN,
      pipe: true,
      args: [`--scenario=${scenario('tracing/events-150k.json')}`],
    });
    try {
      const [page] = await browser.pages();
      assert.ok(page, 'the scenario\'s page');
      await page.tracing.start({});
      const trace = traceOf(await page.tracing.stop());
      assert.ok(trace.traceEvents.length >= 150000, `${trace.traceEvents.length} events`);
    } finally {
      await browser.close();
    }
    assert.notEqual(browser.process().exitCode, null, 'the mock exited on Browser.close');
  });

  test('Profiler.stop of a large profile comes through whole', TIMEOUT, async () => {
    const browser = await puppeteer.launch({
      executablePath: BIN,
      pipe: true,
      args: [`--scenario=${scenario('profiler/large-profile.json')}`],
    });
    try {
      const [page] = await browser.pages();
      const session = await page.createCDPSession();
      await session.send('Profiler.enable');
      await session.send('Profiler.start');
      const { profile } = await session.send('Profiler.stop');
      assert.equal(profile.nodes.length, 5000);
      assert.ok(profile.samples.length > 0);
      assert.equal(profile.samples.length, profile.timeDeltas.length);
    } finally {
      await browser.close();
    }
  });
});

describe('playwright-core over the pipe', () => {
  test('launch({executablePath}), newPage(), a trace, close', TIMEOUT, async () => {
    // A user's first try: newPage() makes a context (Target.createBrowserContext)
    // and a page in it; closing the browser ends the process.
    const browser = await chromium.launch({ executablePath: BIN });
    try {
      const page = await browser.newPage();
      assert.equal(browser.contexts().length, 1);
      await browser.startTracing(page);
      const trace = JSON.parse(Buffer.from(await browser.stopTracing()).toString('utf8'));
      assert.ok(trace.traceEvents.length > 0);
      await page.close();
    } finally {
      await browser.close();
    }
    assert.equal(browser.isConnected(), false);
  });

  test('launchPersistentContext, startTracing/stopTracing of more than 10 MB', TIMEOUT,
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdpmock-pw-'));
      const ctx = await chromium.launchPersistentContext(dir, {
        executablePath: BIN,
        args: [`--scenario=${scenario('tracing/events-150k.json')}`],
      });
      try {
        const page = ctx.pages()[0] || await ctx.newPage();
        const browser = ctx.browser();
        assert.ok(browser, 'a persistent context has its browser');
        await browser.startTracing(page);
        const trace = traceOf(await browser.stopTracing());
        assert.ok(trace.traceEvents.length >= 150000, `${trace.traceEvents.length} events`);
      } finally {
        await ctx.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
});
