'use strict';
// chrome-remote-interface (the real, unmodified package) against the real
// cdpmock server. Every test starts its own server on a kernel-chosen port,
// and asserts that SIGTERM makes it exit with status 0.
//
// Sections: discovery (HTTP helpers), connecting, the browser endpoint and
// flat sessions, errors. Tracing / IO / Profiler sections go at the end (see
// the placeholder there); the helpers below (withMock, connect, once,
// callInOrder) are meant for them too.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const CDP = require('chrome-remote-interface');
const { startMock } = require('../cdpmock');

const PRODUCT = 'Chrome/156.0.8078.79';
const PROTOCOL_VERSION = '1.3';
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36';
const REVISION = '@a21ce95c24ce3964416f09ae1862f53f319eb4d0';
const JS_VERSION = '15.6.75.27';
const TARGET_ID_RE = /^[0-9A-F]{32}$/;
const SESSION_ID_RE = /^[0-9A-F]{32}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TARGET_KEYS = ['description', 'devtoolsFrontendUrl', 'id', 'title', 'type', 'url', 'webSocketDebuggerUrl'];
const VERSION_KEYS = ['Browser', 'File-Path-Style', 'Protocol-Version', 'User-Agent', 'V8-Version', 'WebKit-Version', 'webSocketDebuggerUrl'];

// ---------------------------------------------------------------- helpers

// Runs fn(mock, t) against a fresh server; closes the CRI clients fn opened
// through track(), then stops the server and asserts exit status 0.
async function withMock(t, fn, args) {
  const mock = await startMock({ args });
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

// CDP(options) with the client registered for closing.
async function connect(mock, options) {
  return mock.track(await CDP({ port: mock.port, ...options }));
}

// Waits for a CRI event (any name CRI emits: 'Target.targetCreated',
// 'Target.targetCreated.<sessionId>', 'disconnect' ...), with a timeout so a
// missing event fails the test instead of hanging it.
function once(client, name, ms = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener(name, handler);
      reject(new Error(`no '${name}' within ${ms} ms`));
    }, ms);
    function handler(...args) {
      clearTimeout(timer);
      resolve(args.length <= 1 ? args[0] : args);
    }
    client.once(name, handler);
  });
}

// Sends one command and records, synchronously as CRI dispatches them, every
// event and the reply in arrival order. CRI calls a send() callback inside its
// message handler, so `log` is the true wire order.
function callInOrder(client, method, params, sessionId) {
  const log = [];
  const onEvent = (msg) => log.push({ event: msg.method, sessionId: msg.sessionId, params: msg.params });
  client.on('event', onEvent);
  return new Promise((resolve, reject) => {
    const args = [method, params];
    if (sessionId) args.push(sessionId);
    client.send(...args, (error, response) => {
      log.push({ reply: method, error, response });
      // Leave a moment for events that follow the reply.
      setTimeout(() => {
        client.removeListener('event', onEvent);
        if (error) reject(Object.assign(new Error(response.message), { response, log }));
        else resolve({ result: response, log });
      }, 100);
    });
  });
}

async function waitFor(pred, what, ms = 2000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function assertVersionResult(v) {
  assert.deepEqual(v, {
    protocolVersion: PROTOCOL_VERSION,
    product: PRODUCT,
    revision: REVISION,
    userAgent: USER_AGENT,
    jsVersion: JS_VERSION,
  });
  assert.deepEqual(Object.keys(v), ['protocolVersion', 'product', 'revision', 'userAgent', 'jsVersion']);
}

function assertTargetEntry(mock, entry) {
  assert.deepEqual(Object.keys(entry), TARGET_KEYS);
  assert.match(entry.id, TARGET_ID_RE);
  assert.equal(entry.description, '');
  // CRI resolves 'localhost' and sends Host: 127.0.0.1:PORT; Chrome copies it.
  assert.equal(entry.webSocketDebuggerUrl, `ws://127.0.0.1:${mock.port}/devtools/page/${entry.id}`);
  assert.equal(entry.devtoolsFrontendUrl,
    `https://chrome-devtools-frontend.appspot.com/serve_rev/${REVISION}/inspector.html?ws=127.0.0.1:${mock.port}/devtools/page/${entry.id}`);
}

// ---------------------------------------------------------------- discovery

describe('CRI discovery helpers', () => {
  test('CDP.Version returns Chrome 156 and the banner URL', (t) => withMock(t, async (mock) => {
    assert.match(mock.browserId, UUID_RE);
    const v = await CDP.Version({ port: mock.port });
    assert.deepEqual(Object.keys(v), VERSION_KEYS);
    assert.equal(v.Browser, PRODUCT);
    assert.equal(v['Protocol-Version'], PROTOCOL_VERSION);
    assert.equal(v['File-Path-Style'], 'posix');
    assert.equal(v['User-Agent'], USER_AGENT);
    assert.equal(v['V8-Version'], JS_VERSION);
    assert.equal(v['WebKit-Version'], `537.36 (${REVISION})`);
    assert.equal(v.webSocketDebuggerUrl, `ws://127.0.0.1:${mock.port}/devtools/browser/${mock.browserId}`);
    assert.equal(v.webSocketDebuggerUrl, mock.wsEndpoint);
  }));

  test('CDP.List shows one about:blank page', (t) => withMock(t, async (mock) => {
    const list = await CDP.List({ port: mock.port });
    assert.ok(Array.isArray(list));
    const pages = list.filter((e) => e.type === 'page');
    assert.equal(pages.length, 1, JSON.stringify(list));
    // Chrome lists only page and browser_ui targets, never tab or browser.
    for (const e of list) assert.ok(['page', 'browser_ui'].includes(e.type), e.type);
    const [page] = pages;
    assertTargetEntry(mock, page);
    assert.equal(page.url, 'about:blank');
    assert.equal(page.title, 'about:blank');
  }));

  test('CDP.Protocol fetches the Chrome 156 descriptor', (t) => withMock(t, async (mock) => {
    const p = await CDP.Protocol({ port: mock.port });
    assert.deepEqual(p.version, { major: '1', minor: '3' });
    const names = p.domains.map((d) => d.domain);
    assert.equal(names.length, 59);
    for (const d of ['Browser', 'Target', 'Tracing', 'IO', 'Profiler', 'WebMCP']) {
      assert.ok(names.includes(d), `domain ${d}`);
    }
  }));

  test('CDP.New opens a page that CDP.List shows first', (t) => withMock(t, async (mock) => {
    const [first] = await CDP.List({ port: mock.port });
    const created = await CDP.New({ port: mock.port });
    assertTargetEntry(mock, created);
    assert.equal(created.type, 'page');
    assert.equal(created.url, 'about:blank');
    assert.equal(created.title, '');
    assert.notEqual(created.id, first.id);

    const list = await CDP.List({ port: mock.port });
    const pages = list.filter((e) => e.type === 'page');
    assert.deepEqual(pages.map((e) => e.id), [created.id, first.id]);
    assert.equal(list.find((e) => e.id === created.id).url, 'about:blank');

    const second = await CDP.New({ port: mock.port, url: 'about:blank' });
    assert.equal(second.url, 'about:blank');
    const ids = (await CDP.List({ port: mock.port })).filter((e) => e.type === 'page').map((e) => e.id);
    assert.deepEqual(ids, [second.id, created.id, first.id]);
  }));

  test('CDP.New with GET is refused with 405', (t) => withMock(t, async (mock) => {
    await assert.rejects(CDP.New({ port: mock.port, method: 'GET' }), {
      message: 'Using unsafe HTTP verb GET to invoke /json/new. This action supports only PUT verb.',
    });
    assert.equal((await CDP.List({ port: mock.port })).filter((e) => e.type === 'page').length, 1);
  }));

  test('CDP.Activate accepts a known id and rejects an unknown one', (t) => withMock(t, async (mock) => {
    const created = await CDP.New({ port: mock.port });
    const result = await CDP.Activate({ port: mock.port, id: created.id });
    assert.equal(result, undefined);
    const [page] = await CDP.List({ port: mock.port });
    await CDP.Activate({ port: mock.port, id: page.id });
    await assert.rejects(CDP.Activate({ port: mock.port, id: 'NOPE' }), { message: 'No such target id: NOPE' });
  }));

  test('CDP.Close removes the page from CDP.List', (t) => withMock(t, async (mock) => {
    const [original] = await CDP.List({ port: mock.port });
    const created = await CDP.New({ port: mock.port });
    assert.equal((await CDP.List({ port: mock.port }))[0].id, created.id);

    await CDP.Close({ port: mock.port, id: created.id });
    // Chrome answers "Target is closing" and removes it; allow it a moment.
    await waitFor(async () => !(await CDP.List({ port: mock.port })).some((e) => e.id === created.id),
      'the closed page to leave /json/list');
    const pages = (await CDP.List({ port: mock.port })).filter((e) => e.type === 'page');
    assert.deepEqual(pages.map((e) => e.id), [original.id]);

    await assert.rejects(CDP.Close({ port: mock.port, id: created.id }), { message: `No such target id: ${created.id}` });
    await assert.rejects(CDP.Activate({ port: mock.port, id: created.id }), { message: `No such target id: ${created.id}` });
  }));

  test('closing the last page leaves the browser alive', (t) => withMock(t, async (mock) => {
    const [page] = await CDP.List({ port: mock.port });
    await CDP.Close({ port: mock.port, id: page.id });
    await waitFor(async () => (await CDP.List({ port: mock.port })).length === 0, 'an empty /json/list');
    assert.equal((await CDP.Version({ port: mock.port })).Browser, PRODUCT);
    const created = await CDP.New({ port: mock.port });
    assert.deepEqual((await CDP.List({ port: mock.port })).map((e) => e.id), [created.id]);
  }));
});

// ---------------------------------------------------------------- connecting

describe('CRI connect', () => {
  test('CDP({port}) connects to the page with the remote protocol', (t) => withMock(t, async (mock) => {
    const [page] = await CDP.List({ port: mock.port });
    const client = await connect(mock);
    assert.equal(client.webSocketUrl, page.webSocketDebuggerUrl);
    // Domain objects come from /json/protocol: WebMCP exists only in the
    // Chrome 156 descriptor, Database only in CRI's bundled one.
    assert.equal(client.protocol.domains.length, 59);
    assert.equal(typeof client.WebMCP, 'object');
    assert.equal(client.Database, undefined);
    for (const [domain, commands] of Object.entries({
      Tracing: ['start', 'end', 'getCategories', 'requestMemoryDump'],
      IO: ['read', 'close', 'resolveBlob'],
      Profiler: ['enable', 'disable', 'start', 'stop', 'startPreciseCoverage', 'takePreciseCoverage'],
    })) {
      assert.equal(typeof client[domain], 'object', domain);
      for (const c of commands) assert.equal(typeof client[domain][c], 'function', `${domain}.${c}`);
    }
    assert.equal(typeof client.Tracing.tracingComplete, 'function');
    assert.equal(typeof client.Tracing.dataCollected, 'function');
    assert.equal(typeof client.Profiler.consoleProfileFinished, 'function');

    assertVersionResult(await client.Browser.getVersion());

    // The root session of a page endpoint is the page itself.
    const { targetInfo } = await client.Target.getTargetInfo();
    assert.equal(targetInfo.targetId, page.id);
    assert.equal(targetInfo.type, 'page');
    assert.equal(targetInfo.url, 'about:blank');
  }));

  test('CDP({port, local:true}) uses the bundled protocol', (t) => withMock(t, async (mock) => {
    const [page] = await CDP.List({ port: mock.port });
    const client = await connect(mock, { local: true });
    assert.equal(client.webSocketUrl, page.webSocketDebuggerUrl);
    assert.equal(client.WebMCP, undefined);
    assert.equal(typeof client.Database, 'object');
    assert.equal(typeof client.Tracing.start, 'function');
    assertVersionResult(await client.Browser.getVersion());
  }));

  test('CDP({target: id}) and CDP({target: fn}) pick the requested page', (t) => withMock(t, async (mock) => {
    const [original] = await CDP.List({ port: mock.port });
    const created = await CDP.New({ port: mock.port });
    // The default target picks the first page of the list: the newest one.
    const byDefault = await connect(mock, { local: true });
    assert.equal(byDefault.webSocketUrl, created.webSocketDebuggerUrl);
    const byId = await connect(mock, { local: true, target: original.id });
    assert.equal(byId.webSocketUrl, original.webSocketDebuggerUrl);
    assert.equal((await byId.Target.getTargetInfo()).targetInfo.targetId, original.id);
    const byFn = await connect(mock, { local: true, target: (list) => list.findIndex((e) => e.id === created.id) });
    assert.equal((await byFn.Target.getTargetInfo()).targetInfo.targetId, created.id);
  }));

  test('two clients on the same page endpoint are independent', (t) => withMock(t, async (mock) => {
    const a = await connect(mock, { local: true });
    const b = await connect(mock, { local: true });
    assert.equal(a.webSocketUrl, b.webSocketUrl);
    // Both use command id 1, 2, ...: ids are per connection.
    const [va, vb] = await Promise.all([a.Browser.getVersion(), b.Browser.getVersion()]);
    assertVersionResult(va);
    assertVersionResult(vb);
    await a.close();
    assertVersionResult(await b.Browser.getVersion());
  }));

  test('a client sees the server shut down as a disconnect', (t) => withMock(t, async (mock) => {
    const client = await CDP({ port: mock.port, local: true });
    const disconnected = once(client, 'disconnect');
    assert.equal(await mock.stop(), 0, mock.output());
    await disconnected;
    await assert.rejects(client.Browser.getVersion());
  }));
});

// ---------------------------------------------------------------- browser endpoint and sessions

describe('CRI browser endpoint and flat sessions', () => {
  test('CDP({target: wsEndpoint}) talks to the browser target', (t) => withMock(t, async (mock) => {
    const client = await connect(mock, { target: mock.wsEndpoint });
    assert.equal(client.webSocketUrl, mock.wsEndpoint);
    assert.equal(typeof client.Tracing.start, 'function');
    assertVersionResult(await client.Browser.getVersion());
    const { targetInfo } = await client.Target.getTargetInfo();
    assert.equal(targetInfo.targetId, mock.browserId);
    assert.equal(targetInfo.type, 'browser');

    const { targetInfos } = await client.Target.getTargets();
    const [page] = await CDP.List({ port: mock.port });
    assert.deepEqual(targetInfos.filter((i) => i.type === 'page').map((i) => i.targetId), [page.id]);
    for (const i of targetInfos) assert.ok(!['tab', 'browser'].includes(i.type), i.type);
  }));

  test('Target.attachToTarget(flatten) then commands on the session', (t) => withMock(t, async (mock) => {
    const client = await connect(mock, { target: mock.wsEndpoint });
    const [page] = await CDP.List({ port: mock.port });

    const { result, log } = await callInOrder(client, 'Target.attachToTarget', { targetId: page.id, flatten: true });
    const { sessionId } = result;
    assert.match(sessionId, SESSION_ID_RE);
    assert.deepEqual(Object.keys(result), ['sessionId']);
    // attachedToTarget comes on the root session, before the reply.
    const attachIdx = log.findIndex((e) => e.event === 'Target.attachedToTarget');
    const replyIdx = log.findIndex((e) => e.reply);
    assert.ok(attachIdx >= 0, `no attachedToTarget: ${JSON.stringify(log)}`);
    assert.ok(attachIdx < replyIdx, `attachedToTarget after the reply: ${JSON.stringify(log)}`);
    const attached = log[attachIdx];
    assert.equal(attached.sessionId, undefined);
    assert.equal(attached.params.sessionId, sessionId);
    assert.equal(attached.params.targetInfo.targetId, page.id);
    assert.equal(attached.params.targetInfo.type, 'page');
    assert.equal(attached.params.targetInfo.attached, true);
    assert.equal(attached.params.waitingForDebugger, false);

    // Three ways CRI 0.34 sends on a flat session.
    assertVersionResult(await client.send('Browser.getVersion', {}, sessionId));
    assertVersionResult(await client.Browser.getVersion({}, sessionId));
    const info = await client.send('Target.getTargetInfo', sessionId);
    assert.equal(info.targetInfo.targetId, page.id);
    assert.equal(info.targetInfo.attached, true);
    // The root is still the browser.
    assert.equal((await client.Target.getTargetInfo()).targetInfo.targetId, mock.browserId);
  }));

  test('session events reach CRI as Method.<sessionId>', (t) => withMock(t, async (mock) => {
    const client = await connect(mock, { target: mock.wsEndpoint });
    const [page] = await CDP.List({ port: mock.port });
    const { sessionId } = await client.Target.attachToTarget({ targetId: page.id, flatten: true });

    const seen = [];
    client.Target.targetCreated(sessionId, (params, sid) => seen.push({ params, sid }));
    let rootEvents = 0;
    client.on('Target.targetCreated', (params, sid) => { if (sid === undefined) rootEvents++; });
    await client.Target.setDiscoverTargets({ discover: true }, sessionId);
    assert.ok(seen.length >= 1, 'no targetCreated on the session');
    for (const e of seen) assert.equal(e.sid, sessionId);
    assert.ok(seen.some((e) => e.params.targetInfo.targetId === page.id));
    assert.equal(rootEvents, 0, 'targetCreated leaked onto the root session');
  }));

  test('Target.detachFromTarget ends the session', (t) => withMock(t, async (mock) => {
    const client = await connect(mock, { target: mock.wsEndpoint });
    const [page] = await CDP.List({ port: mock.port });
    const { sessionId } = await client.Target.attachToTarget({ targetId: page.id, flatten: true });

    const { result, log } = await callInOrder(client, 'Target.detachFromTarget', { sessionId });
    assert.deepEqual(result, {});
    const detachIdx = log.findIndex((e) => e.event === 'Target.detachedFromTarget');
    assert.ok(detachIdx >= 0 && detachIdx < log.findIndex((e) => e.reply), JSON.stringify(log));
    assert.equal(log[detachIdx].sessionId, undefined);
    assert.equal(log[detachIdx].params.sessionId, sessionId);
    assert.equal(log[detachIdx].params.targetId, page.id);

    await assert.rejects(client.send('Browser.getVersion', {}, sessionId), (err) => {
      assert.ok(err instanceof CDP.ProtocolError);
      assert.deepEqual(err.response, { code: -32001, message: 'Session with given id not found.' });
      return true;
    });
  }));

  test('Target.createTarget / closeTarget as seen by CDP.List', (t) => withMock(t, async (mock) => {
    const client = await connect(mock, { target: mock.wsEndpoint });
    const { targetId } = await client.Target.createTarget({ url: 'about:blank' });
    assert.match(targetId, TARGET_ID_RE);
    const list = await CDP.List({ port: mock.port });
    assert.equal(list[0].id, targetId);
    assert.equal(list[0].url, 'about:blank');

    // CRI can open the new page by id.
    const pageClient = await connect(mock, { local: true, target: targetId });
    assert.equal((await pageClient.Target.getTargetInfo()).targetInfo.targetId, targetId);
    const pageGone = once(pageClient, 'disconnect');

    assert.deepEqual(await client.Target.closeTarget({ targetId }), { success: true });
    await waitFor(async () => !(await CDP.List({ port: mock.port })).some((e) => e.id === targetId),
      'the closed target to leave /json/list');
    // A socket on a closed page is closed by the browser.
    await pageGone;
  }));
});

// ---------------------------------------------------------------- errors

describe('CRI error propagation', () => {
  test('unknown method rejects with a ProtocolError (page endpoint)', (t) => withMock(t, async (mock) => {
    const client = await connect(mock);
    await assert.rejects(client.send('Nope.nope'), (err) => {
      assert.ok(err instanceof CDP.ProtocolError);
      assert.equal(err.message, "'Nope.nope' wasn't found");
      assert.deepEqual(err.response, { code: -32601, message: "'Nope.nope' wasn't found" });
      assert.deepEqual(err.request, { method: 'Nope.nope', params: undefined, sessionId: undefined });
      return true;
    });
    // The connection survives the error.
    assertVersionResult(await client.Browser.getVersion());
  }));

  test('unknown method rejects on the browser endpoint and on a session', (t) => withMock(t, async (mock) => {
    const client = await connect(mock, { target: mock.wsEndpoint });
    await assert.rejects(client.send('Nope.nope', {}), { message: "'Nope.nope' wasn't found" });
    const [page] = await CDP.List({ port: mock.port });
    const { sessionId } = await client.Target.attachToTarget({ targetId: page.id, flatten: true });
    await assert.rejects(client.send('Nope.nope', {}, sessionId), (err) => {
      assert.deepEqual(err.response, { code: -32601, message: "'Nope.nope' wasn't found" });
      return true;
    });
    // A page-only domain on the browser target is not found either.
    await assert.rejects(client.send('Page.enable'), { message: "'Page.enable' wasn't found" });
  }));

  test('parameter errors carry Chrome\'s data text', (t) => withMock(t, async (mock) => {
    const client = await connect(mock, { target: mock.wsEndpoint });
    await assert.rejects(client.Target.attachToTarget({ flatten: true }), (err) => {
      assert.ok(err instanceof CDP.ProtocolError);
      assert.deepEqual(err.response, {
        code: -32602,
        message: 'Invalid parameters',
        data: 'Failed to deserialize params.targetId - BINDINGS: mandatory field missing at position 17',
      });
      // CRI appends data to the message.
      assert.equal(err.message,
        'Invalid parameters (Failed to deserialize params.targetId - BINDINGS: mandatory field missing at position 17)');
      return true;
    });
    await assert.rejects(client.Target.attachToTarget({ targetId: '0'.repeat(32), flatten: true }), (err) => {
      assert.deepEqual(err.response, { code: -32602, message: 'No target with given id found' });
      return true;
    });
    await assert.rejects(client.send('Browser.getVersion', {}, 'F'.repeat(32)), (err) => {
      assert.deepEqual(err.response, { code: -32001, message: 'Session with given id not found.' });
      return true;
    });
    // Unknown params are ignored.
    assertVersionResult(await client.Browser.getVersion({ timeout: 30050 }));
  }));
});

// ---------------------------------------------------------------- Tracing / IO / Profiler
// Add describe('CRI Tracing'), describe('CRI IO') and describe('CRI Profiler')
// blocks here once the server implements those domains, using withMock(),
// connect() (page endpoint: connect(mock); browser: connect(mock, {target:
// mock.wsEndpoint})), once() for tracingComplete/dataCollected and callInOrder()
// for event-versus-reply ordering.
