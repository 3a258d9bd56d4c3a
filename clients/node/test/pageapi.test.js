'use strict';
// The page calls users make around a trace or a profile, with the real
// puppeteer-core connected to the real cdpmock (puppeteer.connect with a
// browserURL): goto of a data: URL and of an http URL gives a response,
// page.evaluate returns what the scenario scripts, page.screenshot gives
// PNG (and JPEG) bytes, page.metrics has Chrome's metric names, and JS
// coverage returns the page's scripts with their text.  Every test starts
// its own server and asserts that SIGTERM makes it exit with status 0.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const puppeteer = require('puppeteer-core');
const { chromium } = require('playwright-core');
const { startMock, REPO_ROOT } = require('../cdpmock');

const SCRIPTED = path.join(REPO_ROOT, 'scenarios', 'page', 'evaluate-scripted.json');
const PW_SCRIPTED = path.join(REPO_ROOT, 'scenarios', 'page', 'playwright-evaluate.json');
const STATUS = path.join(REPO_ROOT, 'scenarios', 'page', 'navigate-status-scripted.json');
const TIMEOUT = { timeout: 60000 };
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function withPage(t, args, fn) {
  const mock = await startMock({ args });
  const browser = await puppeteer.connect({ browserURL: mock.httpEndpoint, protocolTimeout: 20000 });
  try {
    const page = await browser.newPage();
    await fn(page, browser);
  } finally {
    await browser.disconnect();
  }
  assert.equal(await mock.stop(), 0, `cdpmock exit status; output:\n${mock.output()}`);
}

describe('puppeteer-core page calls', () => {
  test('goto a data: URL and an http URL returns a 200 response', TIMEOUT, async (t) => {
    await withPage(t, [], async (page) => {
      const url = 'data:text/html,<h1>hi there</h1>';
      const r = await page.goto(url);
      assert.ok(r, 'goto(data:) gives a response');
      assert.equal(r.status(), 200);
      assert.equal(r.ok(), true);
      assert.equal(r.url(), url);
      assert.equal(r.headers()['content-type'], 'text/html');
      assert.equal(await r.text(), '<h1>hi there</h1>');
      assert.equal(r.request().isNavigationRequest(), true);
      assert.equal(page.url(), url);

      const h = await page.goto('http://Example.test');
      assert.ok(h, 'goto(http:) gives a response');
      assert.equal(h.status(), 200);
      assert.equal(h.url(), 'http://example.test/', 'the URL as Chrome writes it');
      assert.equal(page.url(), 'http://example.test/');

      // Chrome makes no request for about:blank: puppeteer gives null.
      assert.equal(await page.goto('about:blank'), null);

      // Back and forward through the session history.
      const back = await page.goBack();
      assert.equal(back.status(), 200);
      assert.equal(page.url(), 'http://example.test/');
      assert.equal((await page.goForward()), null, 'forward to about:blank');
    });
  });

  test('a rule scripts the status a goto resolves to', TIMEOUT, async (t) => {
    await withPage(t, ['--scenario', STATUS], async (page) => {
      const r = await page.goto('https://example.test/missing');
      assert.equal(r.status(), 404);
      assert.equal(r.statusText(), 'Not Found');
      assert.equal(r.ok(), false);
      assert.equal((await page.goto('https://example.test/')).status(), 200);
    });
  });

  test('page.evaluate returns what the scenario scripts', TIMEOUT, async (t) => {
    await withPage(t, ['--scenario', SCRIPTED], async (page) => {
      assert.equal(await page.evaluate(() => 1 + 1), 2);
      assert.equal(await page.title(), 'Example Domain');
      assert.equal(await page.evaluate('document.title'), 'Example Domain');
      await assert.rejects(page.evaluate(() => { throw new Error('boom'); }), /boom/);
      // Nothing scripted: undefined, as from code that returns nothing.
      assert.equal(await page.evaluate(() => window.innerWidth), undefined);
      // After a navigation the new document's context answers the same way.
      await page.goto('data:text/html,x');
      assert.equal(await page.evaluate(() => 1 + 1), 2);
    });
  });

  test('page.screenshot gives PNG bytes of the viewport, and JPEG when asked', TIMEOUT,
    async (t) => {
      await withPage(t, [], async (page) => {
        const png = Buffer.from(await page.screenshot());
        assert.deepEqual(png.subarray(0, 8), PNG);
        assert.equal(png.readUInt32BE(16), 800, 'puppeteer\'s default viewport width');
        assert.equal(png.readUInt32BE(20), 600);
        await page.setViewport({ width: 320, height: 200, deviceScaleFactor: 2 });
        const hi = Buffer.from(await page.screenshot({ fullPage: true }));
        assert.equal(hi.readUInt32BE(16), 640);
        assert.equal(hi.readUInt32BE(20), 400);
        const jpeg = Buffer.from(await page.screenshot({ type: 'jpeg', quality: 50 }));
        assert.deepEqual(jpeg.subarray(0, 2), Buffer.from([0xff, 0xd8]));
        assert.deepEqual(jpeg.subarray(-2), Buffer.from([0xff, 0xd9]));
        const webp = Buffer.from(await page.screenshot({ type: 'webp' }));
        assert.equal(webp.subarray(8, 12).toString('latin1'), 'WEBP');
      });
    });

  test('page.metrics has Chrome\'s metric names', TIMEOUT, async (t) => {
    await withPage(t, [], async (page) => {
      const m = await page.metrics();
      for (const name of ['Timestamp', 'Documents', 'Frames', 'JSEventListeners', 'Nodes',
        'LayoutCount', 'RecalcStyleCount', 'LayoutDuration', 'RecalcStyleDuration',
        'ScriptDuration', 'TaskDuration', 'JSHeapUsedSize', 'JSHeapTotalSize']) {
        assert.equal(typeof m[name], 'number', `metrics().${name}`);
      }
      assert.ok(m.JSHeapUsedSize > 0 && m.JSHeapUsedSize <= m.JSHeapTotalSize);
      assert.equal(m.Frames, 1);
    });
  });

  test('JS coverage returns the page\'s scripts with their text', TIMEOUT, async (t) => {
    await withPage(t, [], async (page) => {
      await page.coverage.startJSCoverage();
      await new Promise((r) => setTimeout(r, 50));
      const entries = await page.coverage.stopJSCoverage();
      assert.ok(entries.length > 0, 'coverage entries');
      for (const e of entries) {
        assert.match(e.url, /^https:\/\/example\.test\//);
        assert.ok(e.text.length > 0);
        assert.ok(e.ranges.length > 0);
        for (const r of e.ranges) assert.ok(r.start < r.end && r.end <= e.text.length);
      }
      // A navigation during coverage: the new document's scripts are
      // announced again, and coverage still finds its sources.
      await page.coverage.startJSCoverage({ resetOnNavigation: true });
      await page.goto('data:text/html,<p>again</p>');
      await new Promise((r) => setTimeout(r, 50));
      assert.ok((await page.coverage.stopJSCoverage()).length > 0, 'after a navigation');
    });
  });
});

describe('playwright-core page calls', () => {
  test('goto an http URL, page.evaluate through the scripted utility script', TIMEOUT,
    async (t) => {
      const mock = await startMock({ args: ['--scenario', PW_SCRIPTED] });
      const browser = await chromium.connectOverCDP(mock.httpEndpoint);
      try {
        const page = await browser.contexts()[0].newPage();
        const r = await page.goto('http://example.test/');
        assert.equal(r.status(), 200);
        assert.equal(r.url(), 'http://example.test/');
        // Playwright skips data: URL requests: its goto gives null there, in Chrome too.
        assert.equal(await page.goto('data:text/html,x'), null);
        assert.equal(await page.evaluate(() => 1 + 1), 2);
        assert.equal(await page.evaluate(() => window.x), undefined);
        assert.equal(await page.title(), 'Example Domain', 'in its utility world');
        await page.goBack();
        assert.equal(page.url(), 'http://example.test/');
        const cdp = await page.context().newCDPSession(page);
        const { data } = await cdp.send('Page.captureScreenshot', { format: 'png' });
        assert.deepEqual(Buffer.from(data, 'base64').subarray(0, 8), PNG);
      } finally {
        await browser.close();
      }
      assert.equal(await mock.stop(), 0, `cdpmock exit status; output:\n${mock.output()}`);
    });
});
