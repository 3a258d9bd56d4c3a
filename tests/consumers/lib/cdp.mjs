// cdp.mjs - a browser (cdpmock or a real Chromium) started on a kernel-picked
// loopback port, a minimal CDP connection to it, and the recordings the
// consumer suite feeds to the trace tools: a trace of a page load, a
// .cpuprofile and precise coverage with the scripts' sources.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import TraceGatherer from 'lighthouse/core/gather/gatherers/trace.js';

// Puppeteer's page.tracing.start() set (with screenshots: true), and
// Lighthouse's, from its own TraceGatherer (it has no CPU profiler: "TODO:
// Re-enable"), which it sends as the legacy "categories" string.
export const PUPPETEER_CATEGORIES = [
  'devtools.timeline', 'v8.execute', 'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame', 'toplevel', 'blink.console',
  'blink.user_timing', 'latencyInfo', 'disabled-by-default-devtools.timeline.stack',
  'disabled-by-default-v8.cpu_profiler', 'disabled-by-default-devtools.screenshot',
];
export const LIGHTHOUSE_CATEGORIES = TraceGatherer.getDefaultTraceCategories();

// The page the traces load: text for the paints and a script that keeps the
// main thread busy for a while (a long task in Chrome).
// Served over http: Lighthouse and tracium take only http(s) navigations.
export const PAGE_HTML =
    '<!doctype html><title>consumer</title><h1>Trace consumers</h1>' +
    '<p>A paragraph of text to paint.</p><script>function busy(){let s=0;' +
    'for(let i=0;i<4e6;i++)s+=Math.sqrt(i);return s}function work(){return busy()}' +
    'work();setTimeout(work,30)</script>';

// An http server on 127.0.0.1 (kernel-picked port): {url, close()}.
export async function servePage() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, {'content-type': 'text/html; charset=utf-8'});
    res.end(PAGE_HTML);
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/page.html`,
    close: () => new Promise(r => server.close(r)),
  };
}

export function chromiumPath() {
  const p = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
  return fs.existsSync(p) ? p : null;
}

// Starts bin and resolves with {wsUrl, close()} once it prints its endpoint.
export function launch(bin, {chrome = false, extraArgs = []} = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdpm-consumers-'));
  const args = ['--headless', '--remote-debugging-address=127.0.0.1',
    '--remote-debugging-port=0', `--user-data-dir=${dir}`];
  if (chrome)
    args.push('--no-sandbox', '--disable-gpu', '--no-first-run', 'about:blank');
  args.push(...extraArgs);
  const child = spawn(bin, args, {stdio: ['ignore', 'ignore', 'pipe']});
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${bin}: no endpoint in 30 s\n${err}`)), 30000);
    function fail(e) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    }
    child.on('exit', code => fail(new Error(`${bin} exited (${code})\n${err}`)));
    child.stderr.on('data', d => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (!m)
        return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        wsUrl: m[1],
        close: () => new Promise(done => {
          child.once('exit', () => {
            // Chromium's helpers may still be writing there for a moment.
            try {
              fs.rmSync(dir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
            } catch {}
            done();
          });
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

export class Connection {
  static async open(wsUrl) {
    const ws = new WebSocket(wsUrl, {maxPayload: 1 << 30, perMessageDeflate: false});
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Connection(ws);
  }

  constructor(ws) {
    this.ws = ws;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    this.frames = []; // sizes of Tracing.dataCollected frames, in bytes
    ws.on('message', data => {
      const text = data.toString();
      const msg = JSON.parse(text);
      if (msg.method === 'Tracing.dataCollected')
        this.frames.push(text.length);
      if (msg.id !== undefined && this.pending.has(msg.id)) {
        const {resolve, reject, method} = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error)
          reject(new Error(`${method}: ${msg.error.message}`));
        else
          resolve(msg.result);
        return;
      }
      for (const l of this.listeners)
        l(msg);
    });
  }

  send(method, params = {}, sessionId) {
    const id = this.nextId++;
    const msg = {id, method, params};
    if (sessionId)
      msg.sessionId = sessionId;
    this.ws.send(JSON.stringify(msg));
    return new Promise((resolve, reject) => this.pending.set(id, {resolve, reject, method}));
  }

  waitFor(method, sessionId, timeoutMs = 30000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter(x => x !== l);
        reject(new Error(`no ${method} in ${timeoutMs} ms`));
      }, timeoutMs);
      const l = msg => {
        if (msg.method !== method || (sessionId && msg.sessionId !== sessionId))
          return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter(x => x !== l);
        resolve(msg.params);
      };
      this.listeners.push(l);
    });
  }

  collect(method) {
    const out = [];
    this.listeners.push(msg => {
      if (msg.method === method)
        out.push(msg.params);
    });
    return out;
  }

  close() {
    this.ws.close();
  }

  async attachPage() {
    const {targetInfos} = await this.send('Target.getTargets');
    const page = targetInfos.find(t => t.type === 'page');
    if (!page)
      throw new Error('no page target');
    const {sessionId} = await this.send('Target.attachToTarget',
        {targetId: page.targetId, flatten: true});
    this.targetId = page.targetId;
    return sessionId;
  }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

// Records a trace around a Page.navigate: {traceEvents, metadata?, frames}.
export async function recordTrace(wsUrl, pageUrl, {categories, transferMode = 'ReportEvents',
  legacy = false, extraCategories = [], memoryDump = false} = {}) {
  const c = await Connection.open(wsUrl);
  try {
    const session = await c.attachPage();
    await c.send('Page.enable', {}, session);
    const data = c.collect('Tracing.dataCollected');
    const included = [...categories, ...extraCategories];
    // On the page's session, as puppeteer, Lighthouse and DevTools do;
    // Lighthouse's way is the categories string with "-*" and its options.
    await c.send('Tracing.start', legacy ? {
      categories: included.join(','), options: 'sampling-frequency=10000', transferMode,
    } : {
      traceConfig: {includedCategories: included, excludedCategories: ['*']},
      transferMode,
    }, session);
    await sleep(200);
    const loaded = c.waitFor('Page.loadEventFired', session);
    await c.send('Page.navigate', {url: pageUrl}, session);
    await loaded;
    await sleep(1200);
    if (memoryDump)
      await c.send('Tracing.requestMemoryDump', {}, session);
    const complete = c.waitFor('Tracing.tracingComplete', session, 60000);
    await c.send('Tracing.end', {}, session);
    const done = await complete;
    if (transferMode === 'ReportEvents')
      return {traceEvents: data.flatMap(d => d.value), frames: c.frames.slice(),
        targetId: c.targetId};
    let text = '';
    for (;;) {
      const r = await c.send('IO.read', {handle: done.stream}, session);
      text += r.base64Encoded ? Buffer.from(r.data, 'base64').toString() : r.data;
      if (r.eof)
        break;
    }
    await c.send('IO.close', {handle: done.stream}, session);
    const trace = JSON.parse(text);
    return {traceEvents: trace.traceEvents, metadata: trace.metadata, frames: [],
      targetId: c.targetId};
  } finally {
    c.close();
  }
}

// Profiler.start/stop around some busy JS: the .cpuprofile object.
export async function recordProfile(wsUrl) {
  const c = await Connection.open(wsUrl);
  try {
    const s = await c.attachPage();
    await c.send('Profiler.enable', {}, s);
    await c.send('Profiler.start', {}, s);
    await c.send('Runtime.evaluate', {
      expression: 'let s=0;for(let i=0;i<3e6;i++)s+=Math.sqrt(i);s',
    }, s);
    await sleep(300);
    const {profile} = await c.send('Profiler.stop', {}, s);
    return profile;
  } finally {
    c.close();
  }
}

// Precise coverage of a page load (the cdpconform coverage task's calls),
// with each covered script's source: [{scriptId, url, source, functions}].
export async function recordCoverage(wsUrl, pageUrl) {
  const c = await Connection.open(wsUrl);
  try {
    const s = await c.attachPage();
    const scripts = c.collect('Debugger.scriptParsed');
    await c.send('Debugger.enable', {}, s);
    await c.send('Profiler.enable', {}, s);
    await c.send('Profiler.startPreciseCoverage', {callCount: true, detailed: true}, s);
    const loaded = c.waitFor('Page.loadEventFired', s);
    await c.send('Page.enable', {}, s);
    await c.send('Page.navigate', {url: pageUrl}, s);
    await loaded;
    await sleep(200);
    const {result} = await c.send('Profiler.takePreciseCoverage', {}, s);
    const out = [];
    for (const sc of result) {
      if (!sc.url || !scripts.some(p => p.scriptId === sc.scriptId))
        continue;
      const {scriptSource} = await c.send('Debugger.getScriptSource', {scriptId: sc.scriptId}, s);
      out.push({scriptId: sc.scriptId, url: sc.url, source: scriptSource, functions: sc.functions});
    }
    return out;
  } finally {
    c.close();
  }
}
