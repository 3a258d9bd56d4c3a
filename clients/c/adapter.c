/* adapter.c - the reference conformance adapter (docs/adapters.md): does
 * each cdpconform task with the C client library the way a user of it
 * would, writes the outputs to $CDP_OUT and result.json, and exits 0 on
 * success.  It is the proof that the scenarios are fair: it passes every
 * judged scenario.  --break=WHAT makes the deliberately broken variants of
 * tests/conformance/ (each breaks exactly one rule); never use them for
 * anything else. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdpc_check.h"
#include "cdpc_trace.h"
#include "cdpclient.h"
#include "cdpm.h"

/* How long any one wait may take.  A correct client gives up on a peer
 * that has gone quiet (a tracingComplete that never comes) instead of
 * waiting forever: see docs/judging.md.  CDPC_ADAPTER_WAIT_MS sets another
 * (100 to 60000), as a user of the library picks its own timeout: `make
 * fuzz-c` gives 1000, since most of a fuzz case's time would otherwise be
 * the client waiting for a message a mutation held back. */
#define ADAPTER_WAIT_MS 4000
/* Time between starting and stopping a trace or profile, so there is
 * something in it. */
#define ADAPTER_RECORD_MS 100
/* console-profile: the collection ends after this much quiet with no
 * profile open. */
#define ADAPTER_QUIET_MS 600

enum adapter_break { BREAK_NONE, BREAK_HANG, BREAK_END_TWICE, BREAK_DATA_LOSS, BREAK_DROP_EVENT };

struct adapter {
	struct cdpc *c;
	const char *out;     /* $CDP_OUT */
	const char *session; /* the page session, for page tasks */
	char session_buf[128];
	enum adapter_break brk;
	int wait_ms;	/* ADAPTER_WAIT_MS, or CDPC_ADAPTER_WAIT_MS */
	int data_loss;	/* some trace said dataLossOccurred */
	struct buf err; /* the first error, for result.json */
};

static void adapter_fail(struct adapter *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void adapter_fail(struct adapter *a, const char *fmt, ...)
{
	va_list ap;
	char line[1024];
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!a->err.len)
		buf_adds(&a->err, line);
	fprintf(stderr, "adapter: %s\n", line);
}

static void adapter_sleep(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static char *adapter_path(const struct adapter *a, const char *name)
{
	size_t n = strlen(a->out) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", a->out, name);
	return p;
}

/* Sends a command and waits for its result; a new reference to the result
 * object, or NULL (the reason is recorded). */
static json_t *adapter_call(struct adapter *a, const char *method, json_t *params,
			    const char *session)
{
	json_t *reply = NULL;
	int code;
	const char *message;
	int rc = cdpc_call(a->c, method, params, session, a->wait_ms, &reply);
	json_decref(params);
	if (rc) {
		adapter_fail(a, "%s: %s", method, cdpm_strerror(rc));
		return NULL;
	}
	if (cdpc_error(reply, &code, &message)) {
		adapter_fail(a, "%s: error %d: %s", method, code, message);
		json_decref(reply);
		return NULL;
	}
	json_t *result = json_incref(cdpc_result(reply));
	json_decref(reply);
	if (!result)
		adapter_fail(a, "%s: the reply has no result", method);
	return result;
}

static int adapter_write_json(struct adapter *a, const char *name, const json_t *v)
{
	char *p = adapter_path(a, name);
	int rc = p && !json_dump_file(v, p, JSON_COMPACT) ? 0 : -1;
	if (rc)
		adapter_fail(a, "cannot write %s", name);
	free(p);
	return rc;
}

/* What the client hands its user is checked first: a reply the schema
 * forbids fails the task instead of reaching a file. */
static int adapter_check(struct adapter *a, const char *what,
			 int (*check)(const json_t *, struct buf *), const json_t *v)
{
	struct buf err;
	buf_init(&err, 1024);
	int rc = check(v, &err);
	if (rc)
		adapter_fail(a, "%s: %s", what, err.len ? err.data : cdpm_strerror(rc));
	buf_clear(&err);
	return rc ? -1 : 0;
}

/* ---- traces ---- */

/* --break=drop-event: the written trace loses its last event, as a client
 * that drops the tail of the last batch would. */
static void adapter_drop_event(struct adapter *a, const char *name)
{
	char *p = adapter_path(a, name);
	json_t *v = p ? json_load_file(p, 0, NULL) : NULL;
	json_t *evs = json_is_array(v) ? v : json_object_get(v, "traceEvents");
	if (json_array_size(evs)) {
		json_array_remove(evs, json_array_size(evs) - 1);
		json_dump_file(v, p, JSON_COMPACT);
	}
	json_decref(v);
	free(p);
}

/* After a trace given up before its tracingComplete was read (the
 * Tracing.end reply never came, or collecting failed on the way): the
 * trace has ended all the same, and its tracingComplete, here already or
 * still to come, may hold a stream that the browser keeps open until
 * someone closes it.  Wait for it as for any message, and close that
 * stream; the trace itself stays given up. */
static void adapter_release(struct adapter *a)
{
	json_t *msg = NULL;
	int rc;
	while ((rc = cdpc_next(a->c, a->wait_ms, &msg)) == 0 || rc == CDPM_EPROTO) {
		const char *m = json_string_value(json_object_get(msg, "method"));
		const char *h = json_string_value(
		    json_object_get(json_object_get(msg, "params"), "stream"));
		int done = m && !strcmp(m, "Tracing.tracingComplete") &&
			   !json_object_get(msg, "sessionId");
		if (done && h)
			json_decref(adapter_call(a, "IO.close", json_pack("{s:s}", "handle", h),
						 NULL));
		json_decref(msg);
		msg = NULL;
		if (done)
			break;
	}
}

/* cdpc_trace_collect()'s hand-over of the messages it read: notes the
 * tracingComplete, after which the collector closes any stream itself. */
static void adapter_seen(void *arg, json_t *msg)
{
	const char *m = json_string_value(json_object_get(msg, "method"));
	if (m && !strcmp(m, "Tracing.tracingComplete") && !json_object_get(msg, "sessionId"))
		*(int *)arg = 1;
}

/* One trace: start, wait, end, collect into name.  0 or -1. */
static int adapter_trace(struct adapter *a, const char *mode, int gzip, const char *name)
{
	json_t *p = json_pack("{s:s}", "transferMode", mode);
	if (gzip)
		json_object_set_new(p, "streamCompression", json_string("gzip"));
	json_t *r = adapter_call(a, "Tracing.start", p, NULL);
	if (!r)
		return -1;
	json_decref(r);
	r = NULL;
	adapter_sleep(ADAPTER_RECORD_MS);
	int id;
	unsigned long long before_end = cdpc_received(a->c);
	if (a->brk == BREAK_END_TWICE) {
		cdpc_send(a->c, "Tracing.end", NULL, NULL, &id);
		cdpc_send(a->c, "Tracing.end", NULL, NULL, NULL);
		json_t *reply = NULL;
		if (cdpc_wait(a->c, id, a->wait_ms, &reply))
			return adapter_fail(a, "Tracing.end: no reply"), -1;
		json_decref(reply);
	} else if (!(r = adapter_call(a, "Tracing.end", NULL, NULL))) {
		adapter_release(a);
		return -1;
	}
	json_decref(r);
	char *path = adapter_path(a, name);
	FILE *f = path ? fopen(path, "wb") : NULL;
	free(path);
	if (!f)
		return adapter_fail(a, "cannot write %s", name), -1;
	json_t *complete = NULL;
	struct buf err;
	int seen = 0;
	buf_init(&err, 4096);
	int rc = cdpc_trace_collect(a->c, NULL, before_end, a->brk == BREAK_HANG ? -1 : a->wait_ms, f,
				    &complete, adapter_seen, &seen, &err);
	if (fclose(f) && !rc)
		rc = CDPM_EIO;
	if (rc) {
		adapter_fail(a, "%s", err.len ? err.data : cdpm_strerror(rc));
		if (!seen && cdpc_is_open(a->c))
			adapter_release(a);
	} else if (!strcmp(mode, "ReturnAsStream") && !json_object_get(complete, "stream")) {
		/* Asked for a stream, got none: the trace is not in hand. */
		adapter_fail(a, "Tracing.tracingComplete has no stream");
		rc = CDPM_EPROTO;
	}
	if (json_is_true(json_object_get(complete, "dataLossOccurred")))
		a->data_loss = 1;
	json_decref(complete);
	buf_clear(&err);
	if (rc) {
		/* What the user gets on failure is an error, not half a file. */
		char *p2 = adapter_path(a, name);
		if (p2)
			remove(p2);
		free(p2);
	} else if (a->brk == BREAK_DROP_EVENT) {
		adapter_drop_event(a, name);
	}
	return rc ? -1 : 0;
}

/* trace-twice: the second trace is tried whatever became of the first, as
 * a user retrying on the same connection would; success is the second's. */
static int adapter_trace_twice(struct adapter *a)
{
	adapter_trace(a, "ReturnAsStream", 0, "trace.json");
	if (!cdpc_is_open(a->c))
		return -1;
	return adapter_trace(a, "ReturnAsStream", 0, "trace-2.json");
}

/* ---- the page: profiles and coverage ---- */

static int adapter_attach(struct adapter *a)
{
	json_t *r = adapter_call(a, "Target.getTargets", NULL, NULL);
	json_t *infos = json_object_get(r, "targetInfos"), *t;
	const char *target = NULL;
	size_t i;
	json_array_foreach(infos, i, t)
	{
		const char *type = json_string_value(json_object_get(t, "type"));
		if (type && !strcmp(type, "page")) {
			target = json_string_value(json_object_get(t, "targetId"));
			break;
		}
	}
	if (!target) {
		if (r)
			adapter_fail(a, "no page target");
		json_decref(r);
		return -1;
	}
	json_t *s = adapter_call(a, "Target.attachToTarget",
				 json_pack("{s:s,s:b}", "targetId", target, "flatten", 1), NULL);
	json_decref(r);
	const char *sid = json_string_value(json_object_get(s, "sessionId"));
	if (sid)
		snprintf(a->session_buf, sizeof(a->session_buf), "%s", sid);
	json_decref(s);
	a->session = a->session_buf;
	return sid ? 0 : -1;
}

static int adapter_profile(struct adapter *a)
{
	json_t *r;
	if (adapter_attach(a) || !(r = adapter_call(a, "Profiler.enable", NULL, a->session)))
		return -1;
	json_decref(r);
	if (!(r = adapter_call(a, "Profiler.start", NULL, a->session)))
		return -1;
	json_decref(r);
	adapter_sleep(ADAPTER_RECORD_MS);
	if (!(r = adapter_call(a, "Profiler.stop", NULL, a->session)))
		return -1;
	const json_t *profile = json_object_get(r, "profile");
	int rc = adapter_check(a, "Profiler.stop", cdpc_check_profile, profile);
	if (!rc)
		rc = adapter_write_json(a, "profile.cpuprofile", profile);
	json_decref(r);
	return rc;
}

/* Collects consoleProfileFinished until the page has been quiet for a
 * while with no console profile open. */
static int adapter_console(struct adapter *a)
{
	json_t *r, *profiles = json_array();
	int open = 0, rc = -1;
	if (adapter_attach(a) || !(r = adapter_call(a, "Profiler.enable", NULL, a->session)))
		goto out;
	json_decref(r);
	for (;;) {
		json_t *msg = NULL;
		int n = cdpc_next(a->c, open ? a->wait_ms : ADAPTER_QUIET_MS, &msg);
		if (n == CDPM_EAGAIN && !open)
			break;
		if (n == CDPM_EPROTO)
			continue;
		if (n) {
			adapter_fail(a, "waiting for console profiles: %s", cdpm_strerror(n));
			goto out;
		}
		const char *m = json_string_value(json_object_get(msg, "method"));
		if (m && !strcmp(m, "Profiler.consoleProfileStarted"))
			open++;
		if (m && !strcmp(m, "Profiler.consoleProfileFinished")) {
			open -= open > 0;
			json_t *params = json_object_get(msg, "params");
			if (adapter_check(a, m, cdpc_check_profile,
					  json_object_get(params, "profile"))) {
				json_decref(msg);
				goto out;
			}
			json_array_append(profiles, params);
		}
		json_decref(msg);
	}
	rc = adapter_write_json(a, "profiles.json", profiles);
out:
	json_decref(profiles);
	return rc;
}

static int adapter_coverage(struct adapter *a)
{
	json_t *r;
	if (adapter_attach(a) || !(r = adapter_call(a, "Profiler.enable", NULL, a->session)))
		return -1;
	json_decref(r);
	if (!(r = adapter_call(a, "Profiler.startPreciseCoverage",
			       json_pack("{s:b,s:b}", "callCount", 1, "detailed", 1), a->session)))
		return -1;
	json_decref(r);
	adapter_sleep(ADAPTER_RECORD_MS);
	if (!(r = adapter_call(a, "Profiler.takePreciseCoverage", NULL, a->session)))
		return -1;
	const json_t *cov = json_object_get(r, "result");
	int rc = adapter_check(a, "Profiler.takePreciseCoverage", cdpc_check_coverage, cov);
	if (!rc)
		rc = adapter_write_json(a, "coverage.json", cov);
	json_decref(r);
	json_t *s = adapter_call(a, "Profiler.stopPreciseCoverage", NULL, a->session);
	if (!s)
		rc = -1;
	json_decref(s);
	return rc;
}

/* ---- main ---- */

static int adapter_task(struct adapter *a, const char *task)
{
	if (!strcmp(task, "trace-events"))
		return adapter_trace(a, "ReportEvents", 0, "trace.json");
	if (!strcmp(task, "trace-stream"))
		return adapter_trace(a, "ReturnAsStream", 0, "trace.json");
	if (!strcmp(task, "trace-gzip"))
		return adapter_trace(a, "ReturnAsStream", 1, "trace.json");
	if (!strcmp(task, "trace-twice"))
		return adapter_trace_twice(a);
	if (!strcmp(task, "profile"))
		return adapter_profile(a);
	if (!strcmp(task, "console-profile"))
		return adapter_console(a);
	if (!strcmp(task, "coverage"))
		return adapter_coverage(a);
	adapter_fail(a, "unknown task %s", task);
	return -1;
}

static void adapter_result(struct adapter *a, int ok, const char *task)
{
	json_t *res = json_pack(
	    "{s:b,s:o,s:o}", "ok", ok, "error",
	    ok ? json_null() : json_string(a->err.len ? a->err.data : "failed"), "dataLoss",
	    strncmp(task, "trace", 5) ? json_false()
				      : json_boolean(a->brk == BREAK_DATA_LOSS ? 0 : a->data_loss));
	char *p = adapter_path(a, "result.json");
	if (!p || json_dump_file(res, p, JSON_COMPACT))
		fprintf(stderr, "adapter: cannot write result.json\n");
	free(p);
	json_decref(res);
}

int main(int argc, char **argv)
{
	struct adapter a = {0};
	const char *ws = getenv("CDP_WS"), *task = getenv("CDP_TASK");
	const char *wait = getenv("CDPC_ADAPTER_WAIT_MS");
	a.out = getenv("CDP_OUT");
	a.wait_ms = wait ? atoi(wait) : ADAPTER_WAIT_MS;
	if (a.wait_ms < 100 || a.wait_ms > 60000)
		a.wait_ms = ADAPTER_WAIT_MS;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--break=hang"))
			a.brk = BREAK_HANG;
		else if (!strcmp(argv[i], "--break=end-twice"))
			a.brk = BREAK_END_TWICE;
		else if (!strcmp(argv[i], "--break=data-loss"))
			a.brk = BREAK_DATA_LOSS;
		else if (!strcmp(argv[i], "--break=drop-event"))
			a.brk = BREAK_DROP_EVENT;
		else {
			fprintf(stderr,
				"usage: adapter [--break=hang|end-twice|data-loss|drop-event]\n"
				"  with CDP_WS, CDP_TASK and CDP_OUT set (docs/adapters.md)\n");
			return 2;
		}
	}
	if (!ws || !task || !a.out) {
		fprintf(stderr, "adapter: CDP_WS, CDP_TASK and CDP_OUT must be set\n");
		return 2;
	}
	buf_init(&a.err, 4096);
	struct cdpc_opts opts = {.connect_timeout_ms = a.wait_ms};
	int rc = cdpc_connect(ws, &opts, &a.c, &a.err);
	if (!rc)
		rc = adapter_task(&a, task);
	else
		fprintf(stderr, "adapter: %s\n", a.err.data ? a.err.data : "cannot connect");
	if (a.c)
		cdpc_close(a.c, 1000);
	adapter_result(&a, rc == 0, task);
	cdpc_free(a.c);
	buf_clear(&a.err);
	return rc == 0 ? 0 : 1;
}
