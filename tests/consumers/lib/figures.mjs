// figures.mjs - one browser, every recording and every tool: the figures
// the suite asserts on (cdpmock) and prints beside Chromium's.
import {launch, servePage, recordTrace, recordProfile, recordCoverage, PUPPETEER_CATEGORIES,
  LIGHTHOUSE_CATEGORIES} from './cdp.mjs';
import * as tools from './tools.mjs';

export const RECORDINGS = [
  {name: 'puppeteer/stream', categories: PUPPETEER_CATEGORIES, transferMode: 'ReturnAsStream'},
  {name: 'puppeteer/events', categories: PUPPETEER_CATEGORIES, transferMode: 'ReportEvents'},
  {name: 'lighthouse/events', categories: LIGHTHOUSE_CATEGORIES, transferMode: 'ReportEvents',
    legacy: true},
  {name: 'lighthouse/stream', categories: LIGHTHOUSE_CATEGORIES, transferMode: 'ReturnAsStream',
    legacy: true},
];

// Runs fn, keeping its result or its error (a tool that throws on a
// Chromium trace is a figure of the comparison, not a crash of the run).
async function attempt(fn) {
  try {
    return {ok: true, value: await fn()};
  } catch (e) {
    return {ok: false, error: e.message.split('\n')[0]};
  }
}

// Every figure from browser bin; chrome: it is a real Chromium.
export async function collect(bin, {chrome = false, recordings = RECORDINGS} = {}) {
  const b = await launch(bin, {chrome});
  const page = await servePage();
  const out = {traces: {}};
  try {
    for (const r of recordings) {
      const rec = await recordTrace(b.wsUrl, page.url, r);
      out.traces[r.name] = {
        events: rec.traceEvents.length,
        engine: await attempt(() => tools.devtoolsEngine(rec.traceEvents)),
        lighthouse: await attempt(() => tools.lighthouse(rec.traceEvents)),
        tracium: await attempt(() => tools.traciumTasks(rec.traceEvents)),
        speedline: await attempt(() => tools.speedIndex(rec.traceEvents)),
      };
    }
    const profile = await recordProfile(b.wsUrl);
    out.cpuprofile = await attempt(() => ({
      ...tools.cpuProfileModel(profile),
      endMinusStartMs: (profile.endTime - profile.startTime) / 1000,
    }));
    const coverage = await recordCoverage(b.wsUrl, page.url);
    out.coverage = await attempt(() => tools.istanbul(coverage));
  } finally {
    await b.close();
    await page.close();
  }
  return out;
}
