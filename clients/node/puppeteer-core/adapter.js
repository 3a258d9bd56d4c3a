'use strict';
// A cdpconform adapter (docs/adapters.md) for puppeteer-core, used the way
// its documentation shows: puppeteer.connect, page.tracing, a CDPSession for
// the Profiler, page.coverage. Nothing is added around the library: no
// timeouts of our own, no retries. What puppeteer does under a fault is
// what gets judged (docs/clients.md §9.1 lists what to expect; baseline.txt
// holds the cases it is known to fail). The coverage task is puppeteer's
// page.coverage with the raw ScriptCoverage kept (includeRawScriptCoverage)
// and scripts without a URL reported too (reportAnonymousScripts), so that
// coverage.json holds every ScriptCoverage of the take.

const fs = require('node:fs');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const out = process.env.CDP_OUT;
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

async function main() {
  // A promise puppeteer never settles would let Node exit quietly with
  // status 0; a real program (a server, a test runner) would hang instead,
  // and so does this one until main() is done.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const state = {};
  let browser;
  let error = null;
  try {
    browser = await puppeteer.connect({ browserWSEndpoint: process.env.CDP_WS });
    const [page] = await browser.pages();
    if (!page) throw new Error('no page');
    await tasks[task](page, state);
  } catch (e) {
    error = e;
  }
  if (browser) { try { await browser.disconnect(); } catch (_) { /* gone */ } }
  fs.writeFileSync(path.join(out, 'result.json'), JSON.stringify({
    ok: !error,
    error: error ? String(error.message) : (state.first ? String(state.first.message) : null),
    // puppeteer never tells its user about dataLossOccurred.
    dataLoss: task.startsWith('trace') ? null : false,
  }));
  if (error) console.error(`adapter: ${error.message}`);
  clearInterval(keepAlive);
  process.exit(error ? 1 : 0);
}

main();
