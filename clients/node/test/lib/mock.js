'use strict';
// Spawns the real cdpmock server for one test.
//
//   const { startMock } = require('./lib/mock');
//   test('x', async (t) => {
//     const mock = await startMock(t);            // or startMock(t, ['--seed', '7'])
//     ... use mock.port / mock.wsUrl / mock.browserId ...
//     assert.equal(await mock.stop(), 0);
//   });
//
// The binary is $CDPMOCK_BIN (an absolute path), else <repo>/build/cdpmock.
// The server is started as `cdpmock --remote-debugging-port=0 ...args`, and the
// port is read from the banner Chrome prints on stderr:
//   DevTools listening on ws://127.0.0.1:PORT/devtools/browser/UUID
// stop() sends SIGTERM and resolves with the exit code (a signal name such as
// 'SIGKILL' if it died of a signal). If the test ends without stop() having
// been called (an assertion failed, say), the process is killed with SIGKILL
// by the t.after() hook, so no test leaves a server behind.

const { spawn } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const BANNER_RE = /^DevTools listening on (ws:\/\/([^/:]+):(\d+)\/devtools\/browser\/([0-9a-f-]+))$/;
const START_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 5000;
const TAIL_BYTES = 8192;

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch (_) { /* already gone */ }
  }
});

function mockBin() {
  const bin = process.env.CDPMOCK_BIN || path.join(REPO_ROOT, 'build', 'cdpmock');
  if (!path.isAbsolute(bin)) {
    throw new Error(`CDPMOCK_BIN must be an absolute path, got ${JSON.stringify(bin)}`);
  }
  fs.accessSync(bin, fs.constants.X_OK);
  return bin;
}

// startMock([t], [args], [options]) -> Promise<{port, host, wsUrl, browserId,
//   httpUrl, child, output(), stop()}>
// t: a node:test context (optional but recommended: it installs the cleanup).
// options.env: extra environment variables for the server.
async function startMock(t, args, options) {
  if (Array.isArray(t)) { options = args; args = t; t = undefined; }
  args = args || [];
  options = options || {};
  const bin = mockBin();
  const child = spawn(bin, ['--remote-debugging-port=0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(options.env || {}) },
  });
  live.add(child);

  let tail = '';
  const keep = (chunk) => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code !== null ? code : signal);
    });
  });
  // Keep draining both pipes for the whole life of the process so that a
  // chatty server never blocks on a full pipe.
  child.stdout.on('data', keep);

  const banner = await new Promise((resolve, reject) => {
    let buf = '';
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else {
        resolve(value);
      }
    };
    const timer = setTimeout(() => finish(new Error(
      `cdpmock printed no banner within ${START_TIMEOUT_MS} ms; output:\n${tail}`)), START_TIMEOUT_MS);
    child.stderr.on('data', (chunk) => {
      keep(chunk);
      if (done) return;
      buf += chunk.toString('utf8');
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        const m = BANNER_RE.exec(line);
        if (m) {
          finish(null, { wsUrl: m[1], host: m[2], port: Number(m[3]), browserId: m[4] });
          return;
        }
      }
    });
    child.once('error', (err) => finish(err));
    exited.then((code) => finish(new Error(
      `cdpmock exited (${code}) before its banner; output:\n${tail}`)));
  });

  let stopping = null;
  const stop = () => {
    if (!stopping) {
      stopping = (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        let timer;
        const timeout = new Promise((_, reject) => {
          timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`cdpmock did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM; output:\n${tail}`));
          }, STOP_TIMEOUT_MS);
        });
        try {
          return await Promise.race([exited, timeout]);
        } finally {
          clearTimeout(timer);
        }
      })();
    }
    return stopping;
  };

  if (t && typeof t.after === 'function') {
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  }

  return {
    ...banner,
    httpUrl: `http://${banner.host}:${banner.port}`,
    child,
    // Everything the server wrote so far (last TAIL_BYTES), for diagnostics.
    output: () => tail,
    // true once the process has exited, for whatever reason.
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop,
  };
}

module.exports = { startMock, mockBin, REPO_ROOT };
