'use strict';
// Example: testing code that records a Chrome trace with
// chrome-remote-interface, against cdpmock instead of a real Chrome. CRI has
// no tracing helper, so the code under test is the usual loop: collect
// Tracing.dataCollected until Tracing.tracingComplete. Run with
// `node --test`; the same code works in Jest or Vitest.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const CDP = require('chrome-remote-interface');
// The helper, clients/node/cdpmock.js of the cdpmock repository (copy it
// next to your tests, or require it from a checkout).
const { startMock } = require('../cdpmock');

// Where your scenario files are (here: the scenario library of cdpmock).
const scenario = (name) => path.join(__dirname, '..', '..', '..', 'scenarios', name);

// The code under test: records a trace (ReportEvents) while `work` runs.
// Returns the events and whether the browser said it lost some.
async function recordTrace(client, work, timeoutMs = 10000) {
  const events = [];
  let onComplete;
  let onDisconnect;
  let timer;
  const onData = ({ value }) => events.push(...value);
  // Listen before Tracing.end: tracingComplete may follow its reply at once.
  const complete = new Promise((resolve, reject) => {
    onComplete = resolve;
    onDisconnect = () => reject(new Error('disconnected before Tracing.tracingComplete'));
  });
  complete.catch(() => {});
  client.on('Tracing.dataCollected', onData);
  client.on('Tracing.tracingComplete', onComplete);
  client.on('disconnect', onDisconnect);
  try {
    await client.Tracing.start({ transferMode: 'ReportEvents' });
    await work();
    await client.Tracing.end();
    // A browser that never completes the trace must not hang the caller.
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no Tracing.tracingComplete within ${timeoutMs} ms`)), timeoutMs);
    });
    const { dataLossOccurred } = await Promise.race([complete, timeout]);
    return { events, dataLoss: dataLossOccurred };
  } finally {
    clearTimeout(timer);
    client.removeListener('Tracing.dataCollected', onData);
    client.removeListener('Tracing.tracingComplete', onComplete);
    client.removeListener('disconnect', onDisconnect);
  }
}

test('recordTrace returns the events', async () => {
  const mock = await startMock();
  const client = await CDP({ port: mock.port }); // the first page, as CDP() does
  try {
    const { events, dataLoss } = await recordTrace(client, () => client.Page.navigate({ url: 'https://example.com/' }));
    assert.ok(events.length > 0);
    assert.equal(dataLoss, false);
  } finally {
    await client.close();
    assert.equal(await mock.stop(), 0);
  }
});

test('recordTrace reports data loss', async () => {
  // The scenario gives the trace a tiny buffer: Chrome drops events and says so.
  const mock = await startMock({ scenario: scenario('tracing/data-loss-record-until-full.json') });
  const client = await CDP({ port: mock.port });
  try {
    const { dataLoss } = await recordTrace(client, async () => {});
    assert.equal(dataLoss, true);
  } finally {
    await client.close();
    assert.equal(await mock.stop(), 0);
  }
});
