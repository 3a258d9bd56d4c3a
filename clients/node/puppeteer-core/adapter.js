'use strict';
// A cdpconform adapter (docs/adapters.md) for puppeteer-core, used the way
// its documentation shows: puppeteer.connect, page.tracing, a CDPSession for
// the Profiler, page.coverage. Nothing is added around the library: no
// timeouts of our own, no retries. What puppeteer does under a fault is
// what gets judged (docs/clients.md §9.1 lists what to expect;
// conformance/baselines/puppeteer-core.json records the cases it is known to
// fail). The coverage task is puppeteer's
// page.coverage with the raw ScriptCoverage kept (includeRawScriptCoverage)
// and scripts without a URL reported too (reportAnonymousScripts), so that
// coverage.json holds every ScriptCoverage of the take. The launch tasks
// start the browser the way a test suite does, puppeteer.launch with the
// runner's CDP_MOCK_BIN as executablePath (cdpmock in place of Chrome, or
// the real browser of a control run) and CDP_MOCK_ARGS, by port (launch) or
// over --remote-debugging-pipe (launch-pipe), trace, and browser.close().

const fs = require('node:fs');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const out = process.env.CDP_OUT;
// --break=leave-browser (tests/conformance/node-browser-left only): the
// launch tasks disconnect instead of closing the browser, and stop
// puppeteer from killing it when Node exits, so that it outlives the adapter.
const leaveBrowser = process.argv.includes('--break=leave-browser');
const task = process.env.CDP_TASK;
const RECORD_MS = 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function trace(page, name) {
  await page.tracing.start();
  await sleep(RECORD_MS);
  const data = await page.tracing.stop();
  if (!data) throw new Error('tracing.stop() returned no trace');
  fs.writeFileSync(path.join(out, name), data);
}

const tasks = {
  // puppeteer always records to a stream (ReturnAsStream).
  'trace-stream': (page) => trace(page, 'trace.json'),
  'trace-twice': async (page, state) => {
    try { await trace(page, 'trace.json'); } catch (e) { state.first = e; }
    await trace(page, 'trace-2.json');
  },
  coverage: async (page) => {
    await page.coverage.startJSCoverage({ includeRawScriptCoverage: true, reportAnonymousScripts: true });
    await sleep(RECORD_MS);
    const entries = await page.coverage.stopJSCoverage();
    const result = entries.map((e) => e.rawScriptCoverage);
    fs.writeFileSync(path.join(out, 'coverage.json'), JSON.stringify({ result }));
  },
  profile: async (page) => {
    const cdp = await page.createCDPSession();
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
    await sleep(RECORD_MS);
    const { profile } = await cdp.send('Profiler.stop');
    fs.writeFileSync(path.join(out, 'profile.cpuprofile'), JSON.stringify(profile));
  },
};

// puppeteer.launch, a trace, browser.close(): the browser's process must be
// gone once close() resolves.
async function launched(pipe) {
  const browser = await puppeteer.launch({
    executablePath: process.env.CDP_MOCK_BIN,
    args: JSON.parse(process.env.CDP_MOCK_ARGS || '[]'),
    pipe,
  });
  const proc = browser.process();
  try {
    const [page] = await browser.pages();
    if (!page) throw new Error('no page');
    await trace(page, 'trace.json');
  } finally {
    if (leaveBrowser) {
      await browser.disconnect();
      process.removeAllListeners('exit');
    } else {
      await browser.close();
    }
  }
  if (leaveBrowser) return;
  if (proc.exitCode === null && proc.signalCode === null) {
    throw new Error('browser.close() resolved but the browser process is still running');
  }
}

const launchTasks = {
  launch: () => launched(false),
  'launch-pipe': () => launched(true),
};

async function main() {
  // A promise puppeteer never settles would let Node exit quietly with
  // status 0; a real program (a server, a test runner) would hang instead,
  // and so does this one until main() is done.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const state = {};
  let browser;
  let error = null;
  try {
    if (launchTasks[task]) {
      await launchTasks[task]();
    } else {
      browser = await puppeteer.connect({ browserWSEndpoint: process.env.CDP_WS });
      const [page] = await browser.pages();
      if (!page) throw new Error('no page');
      await tasks[task](page, state);
    }
  } catch (e) {
    error = e;
  }
  if (browser) { try { await browser.disconnect(); } catch (_) { /* gone */ } }
  fs.writeFileSync(path.join(out, 'result.json'), JSON.stringify({
    ok: !error,
    error: error ? String(error.message) : (state.first ? String(state.first.message) : null),
    // puppeteer never tells its user about dataLossOccurred.
    dataLoss: task.startsWith('trace') || task.startsWith('launch') ? null : false,
  }));
  if (error) console.error(`adapter: ${error.message}`);
  clearInterval(keepAlive);
  process.exit(error ? 1 : 0);
}

main();
