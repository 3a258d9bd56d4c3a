'use strict';
// The two deliberately fragile adapters of `make test`'s fuzz check
// (tests/conformance/fuzz.sh): careful everywhere (a time limit on every
// wait, IO.close whatever happens), but each with one planted bug that
// `cdpconform fuzz` must find and shrink on its own.
//   node fragile.js events   trace-events; its dataCollected handler calls
//                            params.value.forEach: a value that is not an
//                            array throws in the event handler (a crash)
//   node fragile.js stream   trace-stream; after an IO.read that returns an
//                            empty chunk without eof it waits for "more data"
//                            in a loop that nothing ever ends (a hang)
// Nothing else may use them: they are wrong on purpose.

const fs = require('node:fs');
const path = require('node:path');
const CDP = require('../../clients/node/node_modules/chrome-remote-interface');

const WAIT_MS = 1000;
const out = process.env.CDP_OUT;
const which = process.argv[2];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function limit(p, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), WAIT_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function waitComplete(client) {
  return new Promise((resolve, reject) => {
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(new Error('no tracingComplete')), WAIT_MS);
    };
    const onEvent = (m) => {
      if (m.method === 'Tracing.tracingComplete') done(null, m.params);
      else if (m.method === 'Tracing.dataCollected') arm();
    };
    const onClose = () => done(new Error('connection closed'));
    function done(err, p) {
      clearTimeout(timer);
      client.removeListener('event', onEvent);
      client.removeListener('disconnect', onClose);
      if (err) reject(err); else resolve(p);
    }
    client.on('event', onEvent);
    client.on('disconnect', onClose);
    arm();
  });
}

// The planted hang: an empty chunk without eof makes it wait for a
// "dataReady" flag that only a later read could set, and it never reads.
async function readAll(client, handle) {
  const parts = [];
  let dataReady = true;
  for (;;) {
    while (!dataReady) await sleep(10);
    const r = await limit(client.send('IO.read', { handle }), 'IO.read');
    if (typeof r.data !== 'string') throw new Error('IO.read: no data');
    parts.push(Buffer.from(r.data, r.base64Encoded ? 'base64' : 'utf8'));
    if (r.eof) break;
    if (r.data.length === 0) dataReady = false;
  }
  return Buffer.concat(parts);
}

async function trace(client, stream) {
  const events = [];
  // The planted crash: value is assumed to be an array.
  client.on('Tracing.dataCollected', (p) => p.value.forEach((e) => events.push(e)));
  await limit(client.send('Tracing.start', stream ? { transferMode: 'ReturnAsStream' } : {}),
    'Tracing.start');
  await sleep(50);
  const complete = waitComplete(client);
  complete.catch(() => {});
  await limit(client.send('Tracing.end'), 'Tracing.end');
  const params = await complete;
  if (typeof params.dataLossOccurred !== 'boolean') throw new Error('tracingComplete: bad dataLossOccurred');
  let data;
  if (stream) {
    if (typeof params.stream !== 'string') throw new Error('tracingComplete has no stream');
    try {
      data = await readAll(client, params.stream);
    } finally {
      try { await limit(client.send('IO.close', { handle: params.stream }), 'IO.close'); } catch (_) { /* gone */ }
    }
    JSON.parse(data.toString('utf8'));
  } else {
    data = JSON.stringify(events);
  }
  fs.writeFileSync(path.join(out, 'trace.json'), data);
  return params.dataLossOccurred;
}

async function main() {
  let client;
  let error = null;
  let dataLoss = false;
  try {
    client = await limit(CDP({ target: process.env.CDP_WS, local: true }), 'connect');
    client.on('error', () => {});
    dataLoss = await trace(client, which === 'stream');
  } catch (e) {
    error = e;
  }
  if (client) { try { await limit(client.close(), 'close'); } catch (_) { /* gone */ } }
  fs.writeFileSync(path.join(out, 'result.json'),
    JSON.stringify({ ok: !error, error: error ? String(error.message) : null, dataLoss }));
  if (error) console.error(`adapter: ${error.message}`);
  process.exit(error ? 1 : 0);
}

main();
