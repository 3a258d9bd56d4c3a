'use strict';
// cdpmock.js - start a cdpmock (a fake Chrome) from a Node test: node:test,
// Jest, Vitest or a plain script. One file, no dependencies: copy it next to
// your tests if you like.
//
//   const { startMock } = require('./cdpmock');
//
//   const mock = await startMock({ scenario: 'scenarios/tracing/start-error.json' });
//   const browser = await puppeteer.connect({ browserURL: mock.httpEndpoint });
//   // or chromium.connectOverCDP(mock.httpEndpoint),
//   //    CDP({ port: mock.port }), new WebSocket(mock.wsEndpoint) ...
//   ...
//   await mock.stop();   // SIGTERM; resolves with the exit code (0)
//
// startMock(options) -> Promise<Mock>
//   options.scenario  a scenario file (passed as --scenario; relative paths
//                     are taken from the current directory)
//   options.args      more cdpmock arguments, e.g. ['--seed', '7',
//                     '--journal', 'journal.jsonl'] (see cdpmock(1))
//   options.bin       the cdpmock binary; default $CDPMOCK_BIN, else
//                     build/cdpmock of the cdpmock checkout this file is in,
//                     else `cdpmock` on PATH. A name without a `/` is looked
//                     up on PATH.
//   options.env       extra environment variables for the server
//   options.startTimeoutMs  how long to wait for the banner (10000)
//
// The server is started as `cdpmock --remote-debugging-port=0 [--scenario
// FILE] ...args`, so the kernel picks a free port and tests can run in
// parallel; the port is read from the banner Chrome prints on stderr:
//   DevTools listening on ws://127.0.0.1:PORT/devtools/browser/UUID
//
// Mock:
//   port, host       where it listens (host is 127.0.0.1)
//   httpEndpoint     'http://127.0.0.1:PORT' (puppeteer's browserURL,
//                    playwright's connectOverCDP, /json/version, /mock/...)
//   wsEndpoint       the browser's WebSocket URL (puppeteer's
//                    browserWSEndpoint)
//   browserId        the UUID of that URL
//   child            the ChildProcess
//   output()         the last 8 KiB the server wrote (stdout and stderr),
//                    for failure messages
//   exited()         true once the process has exited
//   stop()           SIGTERM, then resolves with the exit code (or the signal
//                    name if it died of one); after 5 s without an exit it
//                    SIGKILLs and rejects. Calling it again returns the same
//                    promise, so it is safe in an after/afterAll hook.
//   kill()           SIGKILL now, without waiting (for cleanup hooks)
//
// A server nobody stopped does not keep the test process alive, and is
// SIGKILLed when the process exits.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
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

// The binary startMock would run with these options.
function mockBin(options) {
  const bin = (options && options.bin) || process.env.CDPMOCK_BIN;
  if (bin) return bin.includes('/') ? path.resolve(bin) : bin;
  const built = path.join(REPO_ROOT, 'build', 'cdpmock');
  return fs.existsSync(built) ? built : 'cdpmock';
}

async function startMock(options) {
  options = options || {};
  const bin = mockBin(options);
  const argv = ['--remote-debugging-port=0'];
  if (options.scenario) argv.push('--scenario', path.resolve(options.scenario));
  argv.push(...(options.args || []));
  const child = spawn(bin, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(options.env || {}) },
  });
  live.add(child);

  let tail = '';
  const keep = (chunk) => { tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES); };
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code !== null ? code : signal);
    });
  });
  // Both pipes are drained for the whole life of the process, so that a
  // chatty server never blocks on a full pipe.
  child.stdout.on('data', keep);

  const startMs = options.startTimeoutMs || START_TIMEOUT_MS;
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
      `cdpmock printed no banner within ${startMs} ms; output:\n${tail}`)), startMs);
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
          finish(null, { wsEndpoint: m[1], host: m[2], port: Number(m[3]), browserId: m[4] });
          return;
        }
      }
    });
    child.once('error', (err) => finish(new Error(`cannot start ${bin}: ${err.message}` +
      (err.code === 'ENOENT' ? ' (build it with make, or set CDPMOCK_BIN or options.bin)' : ''))));
    exited.then((code) => finish(new Error(`cdpmock exited (${code}) before its banner; output:\n${tail}`)));
  });

  // From here on the server does not keep the event loop alive by itself.
  child.unref();
  child.stdout.unref();
  child.stderr.unref();

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

  return {
    ...banner,
    httpEndpoint: `http://${banner.host}:${banner.port}`,
    child,
    output: () => tail,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

module.exports = { startMock, mockBin, REPO_ROOT };
