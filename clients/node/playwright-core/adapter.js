'use strict';
// A cdpconform adapter (docs/adapters.md) for playwright-core, used the way
// its documentation shows for a browser it did not launch:
// chromium.connectOverCDP, the page that is already open in the default
// context, browser.startTracing(page) / browser.stopTracing() for traces,
// and context.newCDPSession(page) for the Profiler. Nothing is added around
// the library: no timeouts of our own, no retries. What playwright does under
// a fault is what gets judged; conformance/baselines/playwright-core.json
// records the cases it is known to fail.
//
// Tasks: playwright's Chromium tracing always asks for ReturnAsStream
// (JSON, no compression) and offers no option for anything else, so
// trace-events and trace-gzip are not among its tasks. page.coverage is not
// used for coverage: it reports only the scripts announced by
// Debugger.scriptParsed (as puppeteer's does), which the mock does not send;
// a user who wants V8's precise coverage as is sends the Profiler commands
// on a CDPSession, as done here.

const fs = require('node:fs');
const path = require('node:path');

const out = process.env.CDP_OUT;
const task = process.env.CDP_TASK;

// connectOverCDP makes a playwright-artifacts-* folder under os.tmpdir() (each
// trace is written there as a .crtrace file and read back) and removes it
// when the browser disconnects. A case killed for hanging never gets there,
// so the folder goes under CDP_OUT: the runner removes it with the case, or
// keeps it with the case's log.
process.env.TMPDIR = path.join(out, 'tmp');
fs.mkdirSync(process.env.TMPDIR, { recursive: true });

const { chromium } = require('playwright-core');

const RECORD_MS = 100;    // between start and stop
const QUIET_MS = 600;     // console-profile: quiet time that ends collection
const OPEN_MS = 4000;     // console-profile: longest wait for a started profile to finish
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function trace(browser, page, name) {
  await browser.startTracing(page);
  await sleep(RECORD_MS);
  const data = await browser.stopTracing();
  fs.writeFileSync(path.join(out, name), data);
}

const tasks = {
  // playwright always records to a stream (ReturnAsStream).
  'trace-stream': (browser, page) => trace(browser, page, 'trace.json'),
  'trace-twice': async (browser, page, state) => {
    try { await trace(browser, page, 'trace.json'); } catch (e) { state.first = e; }
    await trace(browser, page, 'trace-2.json');
  },
  profile: async (browser, page) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
    await sleep(RECORD_MS);
    const { profile } = await cdp.send('Profiler.stop');
    fs.writeFileSync(path.join(out, 'profile.cpuprofile'), JSON.stringify(profile));
  },
  // Collects console.profile()/profileEnd() results until the page has been
  // quiet for a while: playwright has no API for them, so this is the loop a
  // user writes on a CDPSession.
  'console-profile': async (browser, page) => {
    const cdp = await page.context().newCDPSession(page);
    const profiles = [];
    let open = 0;
    let last = Date.now();
    cdp.on('Profiler.consoleProfileStarted', () => { open++; last = Date.now(); });
    cdp.on('Profiler.consoleProfileFinished', (p) => {
      open = Math.max(0, open - 1);
      profiles.push(p);
      last = Date.now();
    });
    await cdp.send('Profiler.enable');
    last = Date.now();
    for (;;) {
      await sleep(50);
      const idle = Date.now() - last;
      if (open && idle >= OPEN_MS) throw new Error(`a console profile did not finish within ${OPEN_MS} ms`);
      if (!open && idle >= QUIET_MS) break;
    }
    fs.writeFileSync(path.join(out, 'profiles.json'), JSON.stringify(profiles));
  },
  coverage: async (browser, page) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
    await sleep(RECORD_MS);
    const { result } = await cdp.send('Profiler.takePreciseCoverage');
    await cdp.send('Profiler.stopPreciseCoverage');
    fs.writeFileSync(path.join(out, 'coverage.json'), JSON.stringify({ result }));
  },
};

async function main() {
  // A promise playwright never settles would let Node exit quietly with
  // status 0 once the socket is gone; a real program (a server, a test
  // runner) would hang instead, and so does this one until main() is done.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const state = {};
  let browser;
  let error = null;
  try {
    if (!tasks[task]) throw new Error(`unknown task ${task}`);
    browser = await chromium.connectOverCDP(process.env.CDP_HTTP);
    const [context] = browser.contexts();
    const page = context && context.pages()[0];
    if (!page) throw new Error('no page');
    await tasks[task](browser, page, state);
  } catch (e) {
    error = e;
  }
  // After connectOverCDP, close() only drops the connection.
  if (browser) { try { await browser.close(); } catch (_) { /* gone */ } }
  fs.writeFileSync(path.join(out, 'result.json'), JSON.stringify({
    ok: !error,
    error: error ? String(error.message) : (state.first ? String(state.first.message) : null),
    // playwright never tells its user about dataLossOccurred.
    dataLoss: task.startsWith('trace') ? null : false,
  }));
  if (error) console.error(`adapter: ${error.message}`);
  clearInterval(keepAlive);
  process.exit(error ? 1 : 0);
}

main();
