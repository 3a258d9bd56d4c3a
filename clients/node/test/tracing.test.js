'use strict';
// Tracing and IO with chrome-remote-interface (the real, unmodified package)
// against the real cdpmock server: a trace recorded in ReportEvents mode
// (dataCollected until tracingComplete, as Lighthouse does) and in
// ReturnAsStream mode (IO.read to eof, then IO.close, as puppeteer and
// playwright do), on the browser target and on a page session, plus the
// errors CRI surfaces. Every test starts its own server and asserts that
// SIGTERM makes it exit with status 0.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const zlib = require('node:zlib');
const CDP = require('chrome-remote-interface');
const { startMock } = require('../cdpmock');

const STARTED = 'Tracing has already been started (possibly in another tab).';
const NOT_STARTED = 'Tracing is not started';

async function withMock(t, fn, options) {
  const mock = await startMock(options);
  t.after(mock.kill);
  const clients = [];
  mock.track = (client) => { clients.push(client); return client; };
  try {
    await fn(mock, t);
  } finally {
    for (const c of clients) {
      try { await c.close(); } catch (_) { /* already closed */ }
    }
  }
  const code = await mock.stop();
  assert.equal(code, 0, `cdpmock exit status; output:\n${mock.output()}`);
}

async function connect(mock, options) {
  return mock.track(await CDP({ port: mock.port, ...options }));
}

// Ends the trace and collects dataCollected batches until tracingComplete,
// the way Lighthouse's endTraceAndCollectEvents does. `order` records the
// wire order of the end reply and the events.
async function endAndCollect(client, sessionId) {
  const events = [];
  const order = [];
  const batches = [];
  const suffix = sessionId ? `.${sessionId}` : '';
  return new Promise((resolve, reject) => {
    const onData = (params) => {
      order.push('data');
      batches.push(params.value.length);
      for (const ev of params.value) events.push(ev);
    };
    client.on(`Tracing.dataCollected${suffix}`, onData);
    client.once(`Tracing.tracingComplete${suffix}`, (params) => {
      order.push('complete');
      client.removeListener(`Tracing.dataCollected${suffix}`, onData);
      resolve({ events, order, batches, complete: params });
    });
    const args = ['Tracing.end', {}];
    if (sessionId) args.push(sessionId);
    client.send(...args, (error, response) => {
      order.push('end');
      if (error) reject(new Error(response.message));
    });
  });
}

// IO.read until eof (no size, no offset: puppeteer's and playwright's
// loop), then IO.close.
async function readStream(client, handle, sessionId) {
  const parts = [];
  let reads = 0;
  for (;;) {
    const r = await client.send('IO.read', { handle }, sessionId);
    assert.deepEqual(Object.keys(r), ['base64Encoded', 'data', 'eof']);
    reads++;
    if (r.eof) {
      assert.equal(r.data, '');
      break;
    }
    assert.notEqual(r.data, '', 'only the eof read is empty');
    parts.push(Buffer.from(r.data, r.base64Encoded ? 'base64' : 'utf8'));
  }
  assert.deepEqual(await client.send('IO.close', { handle }, sessionId), {});
  return { bytes: Buffer.concat(parts), reads };
}

function checkEvents(events) {
  assert.ok(events.length > 10, `${events.length} events`);
  // Metadata first, keys sorted, the mandatory keys present.
  const firstBody = events.findIndex((e) => e.ph !== 'M');
  assert.ok(firstBody > 0);
  assert.deepEqual(events[0], {
    args: { name: 'swapper' }, cat: '__metadata', name: 'thread_name', ph: 'M', pid: 0, tid: 0, ts: 0,
  });
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (i >= firstBody) assert.notEqual(e.ph, 'M', `metadata at ${i}`);
    const keys = Object.keys(e);
    assert.deepEqual(keys, [...keys].sort(), `keys of event ${i}`);
    for (const k of ['args', 'cat', 'name', 'ph', 'pid', 'tid', 'ts']) assert.ok(k in e, `${k} in event ${i}`);
  }
}

describe('Tracing with chrome-remote-interface', () => {
  test('ReportEvents: end reply, dataCollected batches, tracingComplete', (t) => withMock(t, async (mock) => {
    const client = await connect(mock);
    assert.deepEqual(await client.Tracing.start({ bufferUsageReportingInterval: 250 }), {});
    const usage = await new Promise((resolve) => client.once('Tracing.bufferUsage', resolve));
    assert.deepEqual(Object.keys(usage), ['percentFull', 'eventCount', 'value']);
    assert.equal(usage.value, usage.percentFull);
    assert.equal(usage.eventCount, 0);
    const { events, order, batches, complete } = await endAndCollect(client);
    assert.equal(order[0], 'end');
    assert.equal(order[order.length - 1], 'complete');
    assert.deepEqual(complete, { dataLossOccurred: false });
    assert.ok(batches.length > 10, `${batches.length} batches`);
    for (const n of batches) assert.ok(n >= 1 && n <= 515, `${n} events in a batch`);
    assert.equal(events.length, batches.reduce((a, b) => a + b, 0));
    checkEvents(events);
    await assert.rejects(client.Tracing.end(), { message: NOT_STARTED });
  }, { env: { CDPM_TRACE_EVENTS: '20000' } }));

  test('ReturnAsStream: IO.read to eof, then IO.close', (t) => withMock(t, async (mock) => {
    const client = await connect(mock);
    await client.Tracing.start({
      transferMode: 'ReturnAsStream',
      traceConfig: { excludedCategories: ['*'], includedCategories: ['devtools.timeline', 'toplevel'] },
    });
    const completed = new Promise((resolve) => client.once('Tracing.tracingComplete', resolve));
    assert.deepEqual(await client.Tracing.end(), {});
    const complete = await completed;
    assert.deepEqual(Object.keys(complete), ['dataLossOccurred', 'stream', 'traceFormat', 'streamCompression']);
    assert.deepEqual(complete, { dataLossOccurred: false, stream: '1', traceFormat: 'json', streamCompression: 'none' });
    const { bytes, reads } = await readStream(client, complete.stream);
    // 10 MiB reads, the rest, then the empty eof read.
    assert.ok(bytes.length > 10485760, `${bytes.length} bytes`);
    assert.equal(reads, Math.ceil(bytes.length / 10485760) + 1);
    const trace = JSON.parse(bytes.toString('utf8'));
    assert.deepEqual(Object.keys(trace), ['traceEvents', 'metadata']);
    checkEvents(trace.traceEvents);
    assert.equal(trace.metadata['clock-domain'], 'LINUX_CLOCK_MONOTONIC');
    await assert.rejects(client.IO.read({ handle: complete.stream }), { message: 'Invalid stream handle' });
    await assert.rejects(client.IO.close({ handle: complete.stream }), { message: 'Invalid stream handle' });
  }, { env: { CDPM_TRACE_EVENTS: '80000' } }));

  test('ReturnAsStream with gzip decodes to a trace', (t) => withMock(t, async (mock) => {
    const client = await connect(mock);
    await client.Tracing.start({ transferMode: 'ReturnAsStream', streamCompression: 'gzip' });
    const completed = new Promise((resolve) => client.once('Tracing.tracingComplete', resolve));
    await client.Tracing.end();
    const complete = await completed;
    assert.equal(complete.streamCompression, 'gzip');
    const { bytes } = await readStream(client, complete.stream);
    assert.equal(bytes.subarray(0, 10).toString('hex'), '1f8b0800000000000003');
    const trace = JSON.parse(zlib.gunzipSync(bytes).toString('utf8'));
    checkEvents(trace.traceEvents);
  }));

  test('a page session traces with its sessionId; the browser is refused meanwhile', (t) => withMock(t, async (mock) => {
    const client = await connect(mock);
    const { targetInfos } = await client.Target.getTargets();
    const page = targetInfos.find((i) => i.type === 'page');
    const { sessionId } = await client.Target.attachToTarget({ targetId: page.targetId, flatten: true });
    assert.deepEqual(await client.send('Tracing.start', {}, sessionId), {});
    await assert.rejects(client.Tracing.start(), { message: STARTED });
    const { events, complete } = await endAndCollect(client, sessionId);
    assert.deepEqual(complete, { dataLossOccurred: false });
    checkEvents(events);
    // Streams belong to the session that made them.
    await client.send('Tracing.start', { transferMode: 'ReturnAsStream' }, sessionId);
    const completed = new Promise((resolve) => client.once(`Tracing.tracingComplete.${sessionId}`, resolve));
    await client.send('Tracing.end', {}, sessionId);
    const { stream } = await completed;
    await assert.rejects(client.IO.read({ handle: stream }), { message: 'Invalid stream handle' });
    const { bytes } = await readStream(client, stream, sessionId);
    checkEvents(JSON.parse(bytes.toString('utf8')).traceEvents);
  }));

  test('a second client is refused until the first one disconnects', (t) => withMock(t, async (mock) => {
    const first = await CDP({ port: mock.port });
    const second = await connect(mock);
    await first.Tracing.start();
    await assert.rejects(second.Tracing.start(), { message: STARTED });
    await assert.rejects(second.Tracing.end(), { message: NOT_STARTED });
    await first.close();
    // The trace is discarded when its owner goes; the next start works.
    let ok = false;
    for (let i = 0; i < 20 && !ok; i++) {
      try {
        await second.Tracing.start();
        ok = true;
      } catch (e) {
        assert.equal(e.message, STARTED);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    assert.ok(ok);
    const { complete } = await endAndCollect(second);
    assert.deepEqual(complete, { dataLossOccurred: false });
  }));
});
