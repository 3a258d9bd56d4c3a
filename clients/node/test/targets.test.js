'use strict';
// The target model of Chrome 156 as the real clients see it (docs/chrome.md
// §5): puppeteer-core attaches to tab targets and, inside each tab session,
// to its page; playwright-core takes the pages directly (the default
// filter) and makes browser contexts with Target.createBrowserContext.
// Every test runs the real client against the real cdpmock, connected or
// launched (by port and by pipe), and checks what a user would see:
// tab targets next to the pages, targetInfoChanged updating a target's url
// after a navigation, contexts that own their pages and close them, and a
// trace taken in a new context.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const puppeteer = require('puppeteer-core');
const { chromium } = require('playwright-core');
const { startMock, mockBin } = require('../cdpmock');

const BIN = mockBin();
const TIMEOUT = { timeout: 60000 };

// What puppeteer shows of the browser's targets: the types, sorted.
// Puppeteer hides tab targets from browser.targets().  ('other' would be
// Chrome's browser_ui targets, which cdpmock does not have: left out so
// that this file also passes against real Chromium.)
function types(browser) {
  return browser.targets().map((t) => t.type()).filter((t) => t !== 'other').sort();
}

// The browser's tabs, asked with Chrome's filter for them: each one's
// TargetInfo, with whether a session is attached to it.
async function tabs(browser) {
  const cdp = await browser.target().createCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets', { filter: [{ type: 'tab' }] });
    return targetInfos;
  } finally {
    await cdp.detach();
  }
}

// Puppeteer auto-attaches the tabs (its root filter excludes pages), and
// gets each page through setAutoAttach inside the tab session: without
// that nested attach it would see no page at all.
async function checkTabs(browser) {
  const [first] = await browser.pages();
  assert.ok(first, 'the first page is there: its tab was attached, then the page in it');
  assert.deepEqual(types(browser), ['browser', 'page']);
  let infos = await tabs(browser);
  assert.equal(infos.length, 1);
  assert.equal(infos[0].type, 'tab');
  assert.equal(infos[0].attached, true, 'puppeteer attached to the tab');
  assert.notEqual(infos[0].targetId, first.target()._targetId);

  const page = await browser.newPage();
  assert.equal((await browser.pages()).length, 2);
  assert.deepEqual(types(browser), ['browser', 'page', 'page']);
  infos = await tabs(browser);
  assert.equal(infos.length, 2);
  assert.deepEqual(infos.map((i) => i.embedderData.tabStripIndex).sort(), [0, 1]);

  // Target.targetInfoChanged after the navigation moves the target's url.
  const url = 'data:text/html,<p>moved</p>';
  const seen = browser.waitForTarget((t) => t.url() === url, { timeout: 10000 });
  await page.goto(url);
  assert.equal(await seen, page.target());

  // Closing the page closes its tab too.
  await page.close();
  assert.equal((await browser.pages()).length, 1);
  assert.deepEqual(types(browser), ['browser', 'page']);
  assert.equal((await tabs(browser)).length, 1);
}

describe('puppeteer-core and tab targets', () => {
  test('connect({browserURL}) sees tabs, newPage, goto, close', TIMEOUT, async () => {
    const mock = await startMock();
    const browser = await puppeteer.connect({ browserURL: mock.httpEndpoint, protocolTimeout: 20000 });
    try {
      await checkTabs(browser);
      // A CDPSession on the page works inside the tab model as before.
      const [page] = await browser.pages();
      const session = await page.createCDPSession();
      const { targetInfo } = await session.send('Target.getTargetInfo');
      assert.equal(targetInfo.type, 'page');
      await session.detach();
    } finally {
      await browser.disconnect();
    }
    assert.equal(await mock.stop(), 0, `cdpmock exit status; output:\n${mock.output()}`);
  });

  test('launch({executablePath}) by port sees tabs', TIMEOUT, async () => {
    const browser = await puppeteer.launch({ executablePath: BIN });
    const proc = browser.process();
    try {
      await checkTabs(browser);
    } finally {
      await browser.close();
    }
    assert.equal(proc.exitCode, 0);
  });

  test('launch({pipe: true}) sees tabs', TIMEOUT, async () => {
    const browser = await puppeteer.launch({ executablePath: BIN, pipe: true });
    try {
      await checkTabs(browser);
    } finally {
      await browser.close();
    }
  });

  test('createBrowserContext: a context owns its pages and closing it closes them',
    TIMEOUT, async () => {
      const mock = await startMock();
      const browser = await puppeteer.connect({ browserURL: mock.httpEndpoint, protocolTimeout: 20000 });
      try {
        const ctx = await browser.createBrowserContext();
        assert.equal(browser.browserContexts().length, 2);
        const page = await ctx.newPage();
        assert.equal((await ctx.pages()).length, 1);
        assert.equal(page.browserContext(), ctx);
        assert.equal((await browser.pages()).length, 2);
        const gone = new Promise((resolve) => browser.once('targetdestroyed', resolve));
        await ctx.close();
        assert.equal((await gone).type(), 'page');
        assert.equal(browser.browserContexts().length, 1);
        assert.equal((await browser.pages()).length, 1);
        // The browser no longer knows the context.
        const cdp = await browser.target().createCDPSession();
        const { browserContextIds } = await cdp.send('Target.getBrowserContexts');
        assert.deepEqual(browserContextIds, []);
        await cdp.detach();
      } finally {
        await browser.disconnect();
      }
      assert.equal(await mock.stop(), 0, `cdpmock exit status; output:\n${mock.output()}`);
    });
});

describe('playwright-core and browser contexts', () => {
  test('launch() + newContext() + newPage() + goto + tracing, context.close()', TIMEOUT,
    async () => {
      const browser = await chromium.launch({ executablePath: BIN });
      try {
        const context = await browser.newContext();
        const page = await context.newPage();
        assert.equal(context.pages().length, 1);
        // (Playwright gives no response for a data: URL, in Chrome too.)
        const r = await page.goto('http://example.test/');
        assert.equal(r.status(), 200);
        await browser.startTracing(page);
        const trace = JSON.parse(Buffer.from(await browser.stopTracing()).toString('utf8'));
        assert.ok(trace.traceEvents.length > 0);

        // A second context is separate: its page is not the first's.
        const other = await browser.newContext();
        const p2 = await other.newPage();
        assert.equal(context.pages().length, 1);
        assert.equal(other.pages().length, 1);
        assert.notEqual(p2, page);

        const cdp = await browser.newBrowserCDPSession();
        const before = await cdp.send('Target.getBrowserContexts');
        assert.equal(before.browserContextIds.length, 2);
        await context.close();
        assert.equal(page.isClosed(), true);
        const after = await cdp.send('Target.getBrowserContexts');
        assert.equal(after.browserContextIds.length, 1);
        assert.equal(other.pages().length, 1);
        await cdp.detach();
        await other.close();
      } finally {
        await browser.close();
      }
    });

  test('connectOverCDP + newContext(): pages in the new context, disposed on close', TIMEOUT,
    async () => {
      const mock = await startMock();
      const browser = await chromium.connectOverCDP(mock.httpEndpoint);
      try {
        assert.equal(browser.contexts().length, 1, 'the default context');
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto('data:text/html,x');
        assert.equal(browser.contexts().length, 2);
        await context.close();
        assert.equal(page.isClosed(), true);
        assert.equal(browser.contexts().length, 1);
        // The default context's page is still there.
        assert.equal(browser.contexts()[0].pages().length, 1);
      } finally {
        await browser.close();
      }
      assert.equal(await mock.stop(), 0, `cdpmock exit status; output:\n${mock.output()}`);
    });
});
