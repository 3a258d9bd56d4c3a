/* performance.c - the Performance domain of a page target:
 * Performance.enable/disable per session and Performance.getMetrics with
 * Chrome's metric names, in Chrome's order, and values that follow the
 * page (its documents, contexts and age) instead of a renderer.  A
 * scenario's performance.metrics replaces values by name and adds
 * metrics of its own (docs/scenario-format.md). */
#include <math.h>
#include <string.h>

#include "cdpm.h"
#include "clock.h"
#include "domains/pagestate.h"
#include "numfmt.h"
#include "scenario/scenario.h"
#include "cdp/router.h"
#include "cdp/slots.h"
#include "cdp/targets.h"

/* One bit per session: the slot holds this sentinel. */
static char performance_on;

static int performance_enable(struct call *c)
{
	c->session->dom[SLOT_PERFORMANCE] = &performance_on;
	return call_reply(c, NULL);
}

static int performance_disable(struct call *c)
{
	c->session->dom[SLOT_PERFORMANCE] = NULL;
	return call_reply(c, NULL);
}

static void performance_session_gone(struct session *s)
{
	s->dom[SLOT_PERFORMANCE] = NULL;
}

/* Chrome 156's metrics, in the order getMetrics lists them. */
enum performance_metric {
	PM_TIMESTAMP,
	PM_AUDIO_HANDLERS,
	PM_AUDIO_WORKLET_PROCESSORS,
	PM_DOCUMENTS,
	PM_FRAMES,
	PM_JS_EVENT_LISTENERS,
	PM_LAYOUT_OBJECTS,
	PM_MEDIA_KEY_SESSIONS,
	PM_MEDIA_KEYS,
	PM_NODES,
	PM_RESOURCES,
	PM_CONTEXT_LIFECYCLE_STATE_OBSERVERS,
	PM_V8_PER_CONTEXT_DATAS,
	PM_WORKER_GLOBAL_SCOPES,
	PM_UA_CSS_RESOURCES,
	PM_RTC_PEER_CONNECTIONS,
	PM_RESOURCE_FETCHERS,
	PM_AD_SUBFRAMES,
	PM_DETACHED_SCRIPT_STATES,
	PM_ARRAY_BUFFER_CONTENTS,
	PM_LAYOUT_COUNT,
	PM_RECALC_STYLE_COUNT,
	PM_LAYOUT_DURATION,
	PM_RECALC_STYLE_DURATION,
	PM_DEVTOOLS_COMMAND_DURATION,
	PM_SCRIPT_DURATION,
	PM_V8_COMPILE_DURATION,
	PM_TASK_DURATION,
	PM_TASK_OTHER_DURATION,
	PM_THREAD_TIME,
	PM_PROCESS_TIME,
	PM_JS_HEAP_USED_SIZE,
	PM_JS_HEAP_TOTAL_SIZE,
	PM_FIRST_MEANINGFUL_PAINT,
	PM_DOM_CONTENT_LOADED,
	PM_NAVIGATION_START,
	PM_COUNT,
};

static const char *const performance_names[PM_COUNT] = {
    "Timestamp",
    "AudioHandlers",
    "AudioWorkletProcessors",
    "Documents",
    "Frames",
    "JSEventListeners",
    "LayoutObjects",
    "MediaKeySessions",
    "MediaKeys",
    "Nodes",
    "Resources",
    "ContextLifecycleStateObservers",
    "V8PerContextDatas",
    "WorkerGlobalScopes",
    "UACSSResources",
    "RTCPeerConnections",
    "ResourceFetchers",
    "AdSubframes",
    "DetachedScriptStates",
    "ArrayBufferContents",
    "LayoutCount",
    "RecalcStyleCount",
    "LayoutDuration",
    "RecalcStyleDuration",
    "DevToolsCommandDuration",
    "ScriptDuration",
    "V8CompileDuration",
    "TaskDuration",
    "TaskOtherDuration",
    "ThreadTime",
    "ProcessTime",
    "JSHeapUsedSize",
    "JSHeapTotalSize",
    "FirstMeaningfulPaint",
    "DomContentLoaded",
    "NavigationStart",
};

/* Plausible values for an idle page: counts from the model, times from
 * its age (a page that mostly waits spends a few per mille of it in
 * tasks), a heap of about a megabyte that grows with each document. */
static void performance_values(const struct pagestate *pt, double v[PM_COUNT])
{
	int64_t now = clock_now_us();
	double age = (double)(now - pt->created_us) / 1e6;
	double docs = pt->documents, task = 0.0004 + age * 0.002;
	memset(v, 0, sizeof(double) * PM_COUNT);
	v[PM_TIMESTAMP] = (double)now / 1e6;
	v[PM_DOCUMENTS] = docs > 1 ? 2 : 1; /* the previous one until it is collected */
	v[PM_FRAMES] = 1;
	v[PM_LAYOUT_OBJECTS] = 6;
	v[PM_NODES] = 4 * v[PM_DOCUMENTS];
	v[PM_CONTEXT_LIFECYCLE_STATE_OBSERVERS] = 2 * v[PM_DOCUMENTS];
	v[PM_V8_PER_CONTEXT_DATAS] = pt->nctx ? (double)pt->nctx : 1;
	v[PM_RESOURCE_FETCHERS] = v[PM_DOCUMENTS];
	v[PM_LAYOUT_COUNT] = docs;
	v[PM_RECALC_STYLE_COUNT] = 2 * docs;
	v[PM_LAYOUT_DURATION] = 0.00012 * docs;
	v[PM_RECALC_STYLE_DURATION] = 0.00009 * docs;
	v[PM_DEVTOOLS_COMMAND_DURATION] = 0.00004 + age * 0.0001;
	v[PM_SCRIPT_DURATION] = 0.00005 * docs;
	v[PM_V8_COMPILE_DURATION] = 0.00002 * docs;
	v[PM_TASK_DURATION] = task;
	v[PM_TASK_OTHER_DURATION] = task * 0.4;
	v[PM_THREAD_TIME] = task * 0.9;
	v[PM_PROCESS_TIME] = 0.03 + age * 0.004;
	double heap = 900000 + (double)(pt->seed % 200000) + 60000 * (docs - 1);
	v[PM_JS_HEAP_USED_SIZE] = floor(heap);
	v[PM_JS_HEAP_TOTAL_SIZE] = ceil(heap * 1.6 / 262144) * 262144;
	v[PM_DOM_CONTENT_LOADED] = (double)pt->at_us[PAGESTATE_DCL] / 1e6;
	v[PM_NAVIGATION_START] = (double)pt->at_us[PAGESTATE_INIT] / 1e6;
}

static void performance_add(struct buf *b, int *first, const char *name, double v)
{
	buf_adds(b, *first ? "{\"name\":" : ",{\"name\":");
	*first = 0;
	buf_add_json_str(b, name, strlen(name), 1);
	buf_adds(b, ",\"value\":");
	numfmt_add(b, v);
	buf_addc(b, '}');
}

/* Chrome answers an empty list while the domain is off. */
static int performance_get_metrics(struct call *c)
{
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!pt)
		return CDPM_ENOMEM;
	const json_t *over = scenario_current()->performance.metrics;
	struct buf b;
	call_reply_begin(c, &b);
	buf_adds(&b, "{\"metrics\":[");
	if (c->session->dom[SLOT_PERFORMANCE] == &performance_on) {
		double v[PM_COUNT];
		int first = 1;
		performance_values(pt, v);
		for (int i = 0; i < PM_COUNT; i++) {
			const json_t *o = json_object_get(over, performance_names[i]);
			performance_add(&b, &first, performance_names[i],
					o ? json_number_value(o) : v[i]);
		}
		const char *name;
		const json_t *o;
		json_object_foreach((json_t *)over, name, o) {
			int known = 0;
			for (int i = 0; i < PM_COUNT && !known; i++)
				known = !strcmp(name, performance_names[i]);
			if (!known)
				performance_add(&b, &first, name, json_number_value(o));
		}
	}
	buf_adds(&b, "]}");
	return call_reply_end(c, &b);
}

/* clang-format off */
static const struct method performance_methods[] = {
	{"disable", performance_disable},
	{"enable", performance_enable},
	{"getMetrics", performance_get_metrics},
};
/* clang-format on */

const struct domain performance_domain = {
	.name = "Performance",
	.targets = TARGET_PAGE,
	.methods = performance_methods,
	.n_methods = CDPM_ARRAY_LEN(performance_methods),
	.session_gone = performance_session_gone,
};
