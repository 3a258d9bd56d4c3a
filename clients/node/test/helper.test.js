'use strict';
// The helper of clients/node/cdpmock.js: options, endpoints, stop(), errors,
// and that a server nobody stopped dies with the process that started it.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startMock, mockBin, REPO_ROOT } = require('../cdpmock');

const getJson = async (url) => (await fetch(url)).json();
// A zombie (killed, not yet reaped) counts as gone.
const alive = (pid) => {
  try {
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (_) {
    return false;
  }
};

test('endpoints from the banner; stop() resolves with 0, twice', async (t) => {
  const mock = await startMock();
  t.after(mock.kill);
  assert.equal(mock.httpEndpoint, `http://127.0.0.1:${mock.port}`);
  assert.match(mock.wsEndpoint, new RegExp(`^ws://127\\.0\\.0\\.1:${mock.port}/devtools/browser/${mock.browserId}$`));
  const version = await getJson(`${mock.httpEndpoint}/json/version`);
  assert.equal(version.webSocketDebuggerUrl, mock.wsEndpoint);
  const first = mock.stop();
  assert.equal(mock.stop(), first);
  assert.equal(await first, 0);
  assert.ok(mock.exited());
});

test('scenario and args reach the server', async (t) => {
  const mock = await startMock({
    scenario: path.join(REPO_ROOT, 'scenarios', 'tracing', 'start-error.json'),
    args: ['--clock', 'virtual'],
  });
  t.after(mock.kill);
  const health = await getJson(`${mock.httpEndpoint}/mock/health`);
  assert.equal(health.scenario, 'tracing/start-error');
  assert.equal(health.clock, 'virtual');
  assert.equal(await mock.stop(), 0);
});

test('bin: option, then $CDPMOCK_BIN, then build/cdpmock', () => {
  assert.equal(mockBin({ bin: '/x/cdpmock' }), '/x/cdpmock');
  assert.equal(mockBin({ bin: 'cdpmock' }), 'cdpmock');
  const saved = process.env.CDPMOCK_BIN;
  try {
    process.env.CDPMOCK_BIN = '/y/cdpmock';
    assert.equal(mockBin(), '/y/cdpmock');
    delete process.env.CDPMOCK_BIN;
    assert.equal(mockBin(), path.join(REPO_ROOT, 'build', 'cdpmock'));
  } finally {
    if (saved === undefined) delete process.env.CDPMOCK_BIN; else process.env.CDPMOCK_BIN = saved;
  }
});

test('a binary that does not exist is a clear error', async () => {
  await assert.rejects(startMock({ bin: '/nonexistent/cdpmock' }),
    /cannot start \/nonexistent\/cdpmock: .*ENOENT.*set CDPMOCK_BIN/);
});

test('a server that cannot start is an error with its output', async () => {
  await assert.rejects(startMock({ scenario: path.join(__dirname, 'no-such-scenario.json') }),
    /cdpmock exited \(\d+\) before its banner; output:\n.*no-such-scenario/s);
});

test('a server nobody stopped dies with its process', async () => {
  // The script ends with the server still running: the helper must neither
  // keep it alive (execFileSync would time out) nor leave the server behind.
  const script = `require(${JSON.stringify(path.join(__dirname, '..', 'cdpmock.js'))})` +
    '.startMock().then((m) => console.log(m.child.pid));';
  const pid = Number(execFileSync(process.execPath, ['-e', script], { timeout: 20000 }).toString().trim());
  assert.ok(pid > 0);
  // SIGKILLed on exit; the orphan is reaped by init shortly after.
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(pid), false, `cdpmock ${pid} outlived the process that started it`);
});
