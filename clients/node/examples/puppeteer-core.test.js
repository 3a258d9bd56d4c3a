'use strict';
// Example: testing code that records a Chrome trace with puppeteer-core,
// against cdpmock instead of a real Chrome. Run with `node --test`; the same
// code works in Jest or Vitest (beforeAll/afterAll instead of before/after).

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const puppeteer = require('puppeteer-core');
// The helper, clients/node/cdpmock.js of the cdpmock repository (copy it
// next to your tests, or require it from a checkout).
const { startMock } = require('../cdpmock');

// Where your scenario files are (here: the scenario library of cdpmock).
const scenario = (name) => path.join(__dirname, '..', '..', '..', 'scenarios', name);

// The code under test: records a trace while `work` runs, returns it parsed.
async function recordTrace(page, work) {
  await page.tracing.start();
  await work();
  const bytes = await page.tracing.stop();
  return JSON.parse(Buffer.from(bytes).toString('utf8'));
}

describe('recordTrace with puppeteer-core', () => {
  let mock;
  let browser;
  before(async () => {
    mock = await startMock();
    browser = await puppeteer.connect({ browserURL: mock.httpEndpoint });
  });
  after(async () => {
    await browser?.disconnect();
    await mock?.stop();
  });

  test('returns the trace', async () => {
    const [page] = await browser.pages();
    const trace = await recordTrace(page, () => page.goto('https://example.com/'));
    assert.ok(trace.traceEvents.length > 0);
    assert.ok(trace.traceEvents.some((e) => e.name === 'TracingStartedInBrowser'));
  });
});

test('recordTrace passes on a failed Tracing.start', async () => {
  // The scenario makes the browser refuse the first Tracing.start.
  const mock = await startMock({ scenario: scenario('tracing/start-error.json') });
  const browser = await puppeteer.connect({ browserURL: mock.httpEndpoint });
  try {
    const [page] = await browser.pages();
    await assert.rejects(recordTrace(page, async () => {}), /Tracing has already been started/);
  } finally {
    await browser.disconnect();
    assert.equal(await mock.stop(), 0);
  }
});
