'use strict';
// Example: testing code that records a Chrome trace with playwright-core,
// against cdpmock instead of a real Chrome. Run with `node --test`; the same
// code works in Jest or Vitest (beforeAll/afterAll instead of before/after).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { chromium } = require('playwright-core');
// The helper, clients/node/cdpmock.js of the cdpmock repository (copy it
// next to your tests, or require it from a checkout).
const { startMock } = require('../cdpmock');

// Where your scenario files are (here: the scenario library of cdpmock).
const scenario = (name) => path.join(__dirname, '..', '..', '..', 'scenarios', name);

// The code under test: records a trace while `work` runs, returns it parsed.
async function recordTrace(browser, page, work) {
  await browser.startTracing(page);
  await work();
  const buffer = await browser.stopTracing();
  return JSON.parse(buffer.toString('utf8'));
}

describe('recordTrace with playwright-core', () => {
  let mock;
  let browser;
  before(async () => {
    mock = await startMock();
    browser = await chromium.connectOverCDP(mock.httpEndpoint);
  });
  after(async () => {
    await browser?.close(); // after connectOverCDP this only disconnects
    await mock?.stop();
  });

  test('returns the trace', async () => {
    // connectOverCDP: the browser's pages are in its default context.
    const page = browser.contexts()[0].pages()[0];
    const trace = await recordTrace(browser, page, () => page.goto('https://example.com/'));
    assert.ok(trace.traceEvents.length > 0);
    assert.ok(trace.traceEvents.some((e) => e.name === 'TracingStartedInBrowser'));
  });

  test('a CPU profile through a CDP session', async () => {
    const page = browser.contexts()[0].pages()[0];
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
    const { profile } = await cdp.send('Profiler.stop');
    await cdp.detach();
    assert.ok(profile.nodes.length > 0);
    assert.equal(profile.samples.length, profile.timeDeltas.length);
  });
});

test('recordTrace passes on a failed Tracing.start', async () => {
  // The scenario makes the browser refuse the first Tracing.start.
  const mock = await startMock({ scenario: scenario('tracing/start-error.json') });
  const browser = await chromium.connectOverCDP(mock.httpEndpoint);
  try {
    const page = browser.contexts()[0].pages()[0];
    await assert.rejects(recordTrace(browser, page, async () => {}), /Tracing has already been started/);
  } finally {
    await browser.close();
    assert.equal(await mock.stop(), 0);
  }
});
