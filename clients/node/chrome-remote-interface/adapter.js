'use strict';
// A cdpconform adapter (docs/adapters.md) for chrome-remote-interface, the
// package as its users use it: CRI has no tracing or profiling API of its
// own, so this file holds the loops a careful user writes (a timeout on
// every wait, IO.close whatever happens, dataLossOccurred passed on).
//
// --break=no-close and --break=crash make two of the deliberately broken
// adapters of tests/conformance/: one never sends IO.close, one throws on
// an event it does not know. Nothing else should use them.

const fs = require('node:fs');
const path = require('node:path');
const CDP = require('chrome-remote-interface');

const WAIT_MS = 4000;     // the longest any one wait may take
const RECORD_MS = 100;    // between start and stop
const QUIET_MS = 600;     // console-profile: quiet time that ends collection
const KNOWN_DOMAINS = new Set(['Target', 'Tracing', 'IO', 'Profiler', 'Runtime', 'Page',
  'Inspector', 'Browser', 'Debugger', 'Network', 'Log']);

const out = process.env.CDP_OUT;
const task = process.env.CDP_TASK;
const brk = (process.argv.find((a) => a.startsWith('--break=')) || '').slice(8);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits for the next event matching pred; rejects after ms of silence
// (every matching or `keepAlive` event restarts the clock) or on disconnect.
function waitFor(client, pred, { ms = WAIT_MS, keepAlive = () => false } = {}) {
  return new Promise((resolve, reject) => {
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(new Error(`nothing for ${ms} ms`)), ms);
    };
    const onEvent = (m) => {
      if (pred(m)) done(null, m);
      else if (keepAlive(m)) arm();
    };
    const onClose = () => done(new Error('WebSocket connection closed'));
    function done(err, m) {
      clearTimeout(timer);
      client.removeListener('event', onEvent);
      client.removeListener('disconnect', onClose);
      if (err) reject(err); else resolve(m);
    }
    client.on('event', onEvent);
    client.on('disconnect', onClose);
    arm();
  });
}

// client.send with a time limit, as puppeteer's protocolTimeout does.
function call(client, method, params = {}, sessionId) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${method} timed out`)), WAIT_MS);
  });
  return Promise.race([client.send(method, params, sessionId), limit])
    .finally(() => clearTimeout(timer));
}

async function readStream(client, handle) {
  const chunks = [];
  try {
    for (let empty = 0; ;) {
      const r = await call(client, 'IO.read', { handle });
      const bytes = Buffer.from(r.data, r.base64Encoded ? 'base64' : 'utf8');
      chunks.push(bytes);
      if (r.eof) break;
      empty = bytes.length ? 0 : empty + 1;
      if (empty >= 64) throw new Error('IO.read: the stream makes no progress');
    }
  } finally {
    if (brk !== 'no-close') {
      try { await call(client, 'IO.close', { handle }); } catch (_) { /* connection gone */ }
    }
  }
  return Buffer.concat(chunks);
}

async function trace(client, mode, gzip, name, state) {
  const events = [];
  const onData = (p) => events.push(...p.value);
  client.on('Tracing.dataCollected', onData);
  try {
    await call(client, 'Tracing.start', { transferMode: mode,
      ...(gzip ? { streamCompression: 'gzip' } : {}) });
    await sleep(RECORD_MS);
    const complete = waitFor(client, (m) => m.method === 'Tracing.tracingComplete',
      { keepAlive: (m) => m.method === 'Tracing.dataCollected' });
    complete.catch(() => {});
    await call(client, 'Tracing.end');
    const { params } = await complete;
    if (params.dataLossOccurred) state.dataLoss = true;
    let data;
    if (mode === 'ReturnAsStream') {
      if (!params.stream) throw new Error('tracingComplete has no stream');
      data = await readStream(client, params.stream);
    } else {
      data = JSON.stringify({ traceEvents: events });
    }
    fs.writeFileSync(path.join(out, name), data);
  } finally {
    client.removeListener('Tracing.dataCollected', onData);
  }
}

async function attach(client) {
  const { targetInfos } = await call(client, 'Target.getTargets');
  const page = targetInfos.find((t) => t.type === 'page');
  if (!page) throw new Error('no page target');
  const { sessionId } = await call(client, 'Target.attachToTarget',
    { targetId: page.targetId, flatten: true });
  return sessionId;
}

const tasks = {
  'trace-events': (c, s) => trace(c, 'ReportEvents', false, 'trace.json', s),
  'trace-stream': (c, s) => trace(c, 'ReturnAsStream', false, 'trace.json', s),
  'trace-gzip': (c, s) => trace(c, 'ReturnAsStream', true, 'trace.json', s),
  'trace-twice': async (c, s) => {
    try { await trace(c, 'ReportEvents', false, 'trace.json', s); } catch (e) { s.first = e; }
    await trace(c, 'ReportEvents', false, 'trace-2.json', s);
  },
  profile: async (c) => {
    const sid = await attach(c);
    await call(c, 'Profiler.enable', {}, sid);
    await call(c, 'Profiler.start', {}, sid);
    await sleep(RECORD_MS);
    const { profile } = await call(c, 'Profiler.stop', {}, sid);
    fs.writeFileSync(path.join(out, 'profile.cpuprofile'), JSON.stringify(profile));
  },
  'console-profile': async (c) => {
    const sid = await attach(c);
    const profiles = [];
    let open = 0;
    c.on('Profiler.consoleProfileStarted', () => { open++; });
    c.on('Profiler.consoleProfileFinished', (p) => { open = Math.max(0, open - 1); profiles.push(p); });
    await call(c, 'Profiler.enable', {}, sid);
    for (;;) {
      try {
        await waitFor(c, (m) => m.method.startsWith('Profiler.consoleProfile'),
          { ms: open ? WAIT_MS : QUIET_MS });
      } catch (e) {
        if (open) throw e;
        break;
      }
    }
    fs.writeFileSync(path.join(out, 'profiles.json'), JSON.stringify(profiles));
  },
  coverage: async (c) => {
    const sid = await attach(c);
    await call(c, 'Profiler.enable', {}, sid);
    await call(c, 'Profiler.startPreciseCoverage', { callCount: true, detailed: true }, sid);
    await sleep(RECORD_MS);
    const { result } = await call(c, 'Profiler.takePreciseCoverage', {}, sid);
    await call(c, 'Profiler.stopPreciseCoverage', {}, sid);
    fs.writeFileSync(path.join(out, 'coverage.json'), JSON.stringify({ result }));
  },
};

async function main() {
  const state = { dataLoss: false };
  let client;
  let error = null;
  try {
    client = await CDP({ target: process.env.CDP_WS, local: true });
    if (brk === 'crash') {
      client.on('event', (m) => {
        if (!KNOWN_DOMAINS.has(m.method.split('.')[0])) throw new TypeError(`unknown event ${m.method}`);
      });
    }
    if (!tasks[task]) throw new Error(`unknown task ${task}`);
    await tasks[task](client, state);
  } catch (e) {
    error = e;
  }
  if (client) { try { await client.close(); } catch (_) { /* gone */ } }
  const first = state.first ? String(state.first.message) : null;
  fs.writeFileSync(path.join(out, 'result.json'), JSON.stringify({
    ok: !error,
    error: error ? String(error.message) : first,
    dataLoss: task.startsWith('trace') ? state.dataLoss : false,
  }));
  if (error) console.error(`adapter: ${error.message}`);
  process.exitCode = error ? 1 : 0;
}

main();
