'use strict';
// Example: puppeteer-core launching cdpmock in place of Chrome, over the
// pipe, with a scenario, the way a test suite that launches its browser
// does. Run with `node --test`. By port, leave out `pipe: true`.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const puppeteer = require('puppeteer-core');
// mockBin(): $CDPMOCK_BIN, else build/cdpmock of the checkout, else cdpmock
// on PATH (clients/node/cdpmock.js).
const { mockBin } = require('../cdpmock');

const cdpmockBin = mockBin();
const scenario = (name) => path.join(__dirname, '..', '..', '..', 'scenarios', name);

test('a launched mock traces and ends with browser.close()', { timeout: 60000 }, async () => {
  const browser = await puppeteer.launch({
    executablePath: cdpmockBin,
    pipe: true,
    args: ['--scenario', scenario('tracing/report-events.json')],
  });
  const proc = browser.process();
  try {
    const [page] = await browser.pages();
    await page.tracing.start();
    const trace = JSON.parse(Buffer.from(await page.tracing.stop()).toString('utf8'));
    assert.ok(trace.traceEvents.length > 0);
  } finally {
    await browser.close();
  }
  assert.equal(proc.exitCode, 0, 'Browser.close ended the mock with status 0');
});
