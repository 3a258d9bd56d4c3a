// tools.mjs - each trace tool run on a recording, as its users run it,
// reduced to the figures the suite checks and prints.  A tool's own error
// is not caught here: it fails the test that called it.
import {createRequire} from 'node:module';
import * as TraceEngine from '@paulirish/trace_engine';
import * as CPUProfile from '@paulirish/trace_engine/models/cpu_profile/cpu_profile.js';
import {TraceProcessor} from 'lighthouse/core/lib/tracehouse/trace-processor.js';
import {FirstContentfulPaint} from 'lighthouse/core/computed/metrics/first-contentful-paint.js';
import {LargestContentfulPaint} from
  'lighthouse/core/computed/metrics/largest-contentful-paint.js';
import * as Lantern from 'lighthouse/core/lib/lantern/lantern.js';
import speedline from 'speedline-core';
import v8toIstanbul from 'v8-to-istanbul';

const require = createRequire(import.meta.url);
const tracium = require('@sitespeed.io/tracium');

// DevTools' Performance panel model: the main frame, the navigation, the
// CPU profiles of the page's renderer and the insights of the navigation.
export async function devtoolsEngine(traceEvents) {
  const model = TraceEngine.TraceModel.Model.createWithAllHandlers();
  await model.parse(traceEvents);
  const parsed = model.parsedTrace();
  const data = parsed.data;
  const meta = data.Meta;
  const profiles = [];
  for (const [pid, byTid] of data.Samples.profilesInProcess) {
    for (const [tid, p] of byTid) {
      const samples = p.parsedProfile?.samples ?? [];
      const named = new Set();
      for (const node of p.parsedProfile?.nodes() ?? []) {
        const name = node.callFrame?.functionName;
        if (name && !name.startsWith('('))
          named.add(name);
      }
      profiles.push({pid, tid, samples: samples.length, jsFunctions: named.size,
        calls: p.profileCalls?.length ?? 0});
    }
  }
  const insightSets = [];
  for (const [key, set] of parsed.insights ?? []) {
    const computed = Object.entries(set.model).filter(([, m]) => !(m instanceof Error))
        .map(([name]) => name);
    const failed = Object.entries(set.model).filter(([, m]) => m instanceof Error)
        .map(([name, m]) => `${name}: ${m.message}`);
    insightSets.push({key, navigation: Boolean(set.navigation), computed, failed});
  }
  const metrics = {};
  for (const [, byNav] of data.PageLoadMetrics.metricScoresByFrameId) {
    for (const [, scores] of byNav) {
      for (const [name, score] of scores) {
        if (score.timing !== undefined && metrics[name] === undefined)
          metrics[name] = score.timing / 1000; // ms
      }
    }
  }
  return {
    mainFrameId: meta.mainFrameId,
    mainFrameURL: meta.mainFrameURL,
    rendererPid: meta.topLevelRendererIds ? [...meta.topLevelRendererIds][0] : undefined,
    navigations: meta.mainFrameNavigations.length,
    profiles,
    insightSets,
    metrics,
    screenshots: (data.Screenshots.legacySyntheticScreenshots ?? data.Screenshots.screenshots ?? []).length,
  };
}

// DevTools' CPU profile model on a Profiler.stop profile (.cpuprofile).
export function cpuProfileModel(profile) {
  const model = new CPUProfile.CPUProfileDataModel.CPUProfileDataModel(profile);
  return {
    totalMs: model.profileEndTime - model.profileStartTime,
    samples: model.samples?.length ?? 0,
    nodes: model.nodes()?.length ?? 0,
  };
}

// Lighthouse's trace processing: the processed trace and navigation, its
// FCP and LCP metric artifacts (observed, as with throttlingMethod
// "provided": there is no network log to simulate from), and TBT from the
// main-thread tasks (from FCP to the end of the trace: Lighthouse's upper
// bound, time to interactive, needs a network log too).  A metric that
// fails is reported as its LighthouseError code (lcpError: "NO_LCP").
export async function lighthouse(traceEvents) {
  const trace = {traceEvents};
  const processed = TraceProcessor.processTrace(trace);
  const nav = TraceProcessor.processNavigation(processed);
  const data = {trace, devtoolsLog: [], gatherContext: {gatherMode: 'navigation'},
    settings: {throttlingMethod: 'provided'}, URL: {}, SourceMaps: [], simulator: null};
  const context = {computedCache: new Map()};
  const fcp = (await FirstContentfulPaint.request(data, context)).timing;
  let lcp;
  let lcpError;
  try {
    lcp = (await LargestContentfulPaint.request(data, context)).timing;
  } catch (e) {
    if (!e.code)
      throw e;
    lcpError = e.code;
  }
  const top = TraceProcessor.getMainThreadTopLevelEvents(processed);
  const tbt = Lantern.Metrics.TBTUtils.calculateSumOfBlockingTime(top, fcp,
      processed.timings.traceEnd);
  return {
    fcpMs: fcp,
    lcpMs: lcp,
    lcpError,
    dclMs: nav.timings.domContentLoaded,
    loadMs: nav.timings.load,
    tbtMs: tbt,
    topLevelTasks: top.length,
    longTasks: top.filter(t => t.duration > 50).length,
    mainFramePid: processed.mainFrameInfo.startingPid,
  };
}

// tracium: the main thread's tasks.
export function traciumTasks(traceEvents) {
  const tasks = tracium.computeMainThreadTasks({traceEvents}, {flatten: true});
  const top = tasks.filter(t => !t.parent);
  return {
    tasks: tasks.length,
    topLevel: top.length,
    longestMs: Math.max(0, ...top.map(t => t.duration)),
    scriptingMs: tasks.filter(t => t.kind === 'scriptEvaluation')
        .reduce((a, t) => a + t.selfTime, 0),
  };
}

// speedline: the speed index from the screenshots, from navigationStart
// as Lighthouse asks for it.
export async function speedIndex(traceEvents) {
  const nav = traceEvents.find(e => e.name === 'navigationStart' &&
      /^https?:/.test(e.args?.data?.documentLoaderURL ?? ''));
  const r = await speedline(traceEvents, nav ? {timeOrigin: nav.ts} : {});
  return {
    frames: r.frames.length,
    speedIndex: r.speedIndex,
    firstMs: r.first,
    completeMs: r.complete,
  };
}

// v8-to-istanbul: precise coverage of each script into an istanbul report.
export async function istanbul(coverage) {
  const files = [];
  for (const sc of coverage) {
    const conv = v8toIstanbul(`/virtual/${sc.scriptId}.js`, 0, {source: sc.source});
    await conv.load();
    conv.applyCoverage(sc.functions);
    const report = conv.toIstanbul();
    for (const [, file] of Object.entries(report)) {
      const lines = new Set(Object.values(file.statementMap).map(s => s.start.line));
      const covered = Object.entries(file.s).filter(([, n]) => n > 0).length;
      files.push({url: sc.url, lines: lines.size, statements: Object.keys(file.s).length,
        covered, functions: Object.keys(file.fnMap).length});
    }
    conv.destroy();
  }
  return files;
}
