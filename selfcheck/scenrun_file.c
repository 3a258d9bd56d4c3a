/* scenrun_file.c - one scenario file's check from start to verdict (see
 * scenrun.h): load it, start a private server on it (launch.h), run the
 * steps in order through scenrun.c and scenrun_io.c, tell the caller about
 * each, and stop the server.  Also lists the scenario files of a folder. */
#include "scenrun_int.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdpc_discover.h"

/* Each step has one verb; the first of these it has is the one run. */
enum sr_verb {
	SR_CONNECT,
	SR_ATTACH,
	SR_SEND,
	SR_SEND_TEXT,
	SR_EXPECT,
	SR_EXPECT_INVALID,
	SR_EXPECT_CLOSE,
	SR_QUIET,
	SR_SLEEP,
	SR_READ_STREAM,
	SR_COLLECT,
	SR_N_VERBS
};

static const char *const sr_verbs[SR_N_VERBS] = {
    "connect", "attach", "send", "sendText", "expect", "expectInvalid",
    "expectClose", "quiet", "sleep", "readStream", "collectEvents"};

/* The reports show this much of a step's pattern or object. */
#define SR_DESCRIBE_MAX 100

static int sr_verb(const json_t *step)
{
	for (int i = 0; i < SR_N_VERBS; i++)
		if (json_object_get(step, sr_verbs[i]))
			return i;
	return -1;
}

/* The step in short, for the report: its verb and what it is about. */
static void sr_describe(const json_t *step, struct buf *out)
{
	int verb = sr_verb(step);
	if (verb < 0) {
		buf_adds(out, "unknown step");
		return;
	}
	const json_t *v = json_object_get(step, sr_verbs[verb]);
	buf_adds(out, sr_verbs[verb]);
	if (verb == SR_SEND_TEXT) {
		buf_printf(out, " (%zu bytes)", json_string_length(v));
	} else if (json_is_string(v)) {
		buf_printf(out, " %s", json_string_value(v));
	} else if (json_is_number(v)) {
		buf_printf(out, verb == SR_EXPECT_CLOSE ? " %g" : " %g ms", json_number_value(v));
	} else if (json_is_object(v) || json_is_array(v)) {
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		size_t n = text ? strlen(text) : 0;
		buf_printf(out, " %.*s%s", SR_DESCRIBE_MAX, text ? text : "",
			   n > SR_DESCRIBE_MAX ? "..." : "");
		free(text);
	}
	const char *as = json_string_value(json_object_get(step, "as"));
	const char *conn = json_string_value(json_object_get(step, "conn"));
	if (verb == SR_CONNECT && as)
		buf_printf(out, " as %s", as);
	else if (conn)
		buf_printf(out, " on %s", conn);
}

static int sr_step(struct sr *r, const json_t *step)
{
	int64_t started = sr_ms();
	int verb = sr_verb(step);
	if (verb == SR_CONNECT)
		return sr_connect(r, step);
	/* The first step opens "main" to the browser when it is not a connect. */
	if (!r->n_conns) {
		json_t *c = json_pack("{s:s}", "connect", "browser");
		int rc = sr_connect(r, c);
		json_decref(c);
		if (rc)
			return -1;
	}
	switch (verb) {
	case SR_ATTACH:
		return sr_attach(r, step);
	case SR_SEND:
		return sr_send(r, step);
	case SR_SEND_TEXT:
		return sr_send_text(r, step);
	case SR_EXPECT:
		return sr_expect(r, step, started);
	case SR_EXPECT_INVALID:
		return sr_expect_invalid(r, step, started);
	case SR_EXPECT_CLOSE:
		return sr_expect_close(r, step, started);
	case SR_QUIET:
		return sr_quiet(r, step);
	case SR_SLEEP:
		usleep((useconds_t)(json_number_value(json_object_get(step, "sleep")) * 1000));
		return 0;
	case SR_READ_STREAM:
		return sr_read_stream(r, step);
	case SR_COLLECT:
		return sr_collect(r, step);
	default:
		return sr_fail(r, "unknown step: it has none of the verbs of the format's \"Checks\"");
	}
}

/* Runs the steps in order up to the first failure, telling o->on_step
 * about each; that failure's "check.steps[N] WHAT: WHY" goes to why.
 * 0 or -1. */
static int sr_run_steps(struct sr *r, const char *path, const json_t *steps,
			const struct scenrun_opts *o, struct buf *why)
{
	struct buf what;
	int failed = 0;
	buf_init(&what, 0);
	for (size_t i = 0; (!failed || o->keep_going) && i < json_array_size(steps); i++) {
		const json_t *step = json_array_get(steps, i);
		buf_reset(&what);
		sr_describe(step, &what);
		if (o->keep_going)
			buf_reset(&r->why); /* each step's own reason */
		int rc = sr_step(r, step);
		struct scenrun_step report = {i, json_array_size(steps), what.data ? what.data : "",
					      !rc, rc ? r->why.data : NULL};
		if (rc && !failed++) /* the first failure is the one that explains */
			buf_printf(why, "%s: check.steps[%zu] %s: %s", path, i, report.what,
				   report.why);
		if (o->on_step)
			o->on_step(o->arg, path, &report);
	}
	buf_clear(&what);
	return failed ? -1 : 0;
}

/* The server's arguments: the scenario, the journal, then the caller's. */
#define SR_MAX_ARGS 48
static int sr_args(const char *path, const struct scenrun_opts *o, const char *args[SR_MAX_ARGS])
{
	size_t n = 0;
	if (!o->no_scenario) {
		args[n++] = "--scenario";
		args[n++] = path;
	}
	if (o->journal) {
		args[n++] = "--journal";
		args[n++] = o->journal;
	}
	for (size_t i = 0; o->launch.args && o->launch.args[i]; i++) {
		if (n == SR_MAX_ARGS - 1)
			return -1;
		args[n++] = o->launch.args[i];
	}
	args[n] = NULL;
	return 0;
}

/* Starts the server on path; 0, or -1 with the reason in why. */
static int sr_start(struct sr *r, const char *path, const struct scenrun_opts *o, struct buf *why)
{
	const char *args[SR_MAX_ARGS];
	struct launch_opts lo = o->launch;
	if (sr_args(path, o, args)) {
		buf_printf(why, "%s: too many server arguments", path);
		return -1;
	}
	lo.args = args;
	if (r->slow && !lo.start_ms)
		lo.start_ms = LAUNCH_DEFAULT_START_MS * 6;
	if (r->slow && !lo.stop_ms)
		lo.stop_ms = LAUNCH_DEFAULT_STOP_MS * 6;
	struct buf err;
	buf_init(&err, 0);
	int rc = launch_start(&r->srv, &lo, &err);
	if (rc)
		buf_printf(why, "%s: the server did not start: %s", path, err.data ? err.data : "");
	buf_clear(&err);
	return rc;
}

/* No steps: all there is to see is that the server runs and answers. */
static int sr_answers(struct sr *r, const char *path, struct buf *why)
{
	struct buf body, err;
	buf_init(&body, 0);
	buf_init(&err, 0);
	int rc = cdpc_discover_get(r->srv.endpoint, "/json/version", sr_within(r, NULL), &body, &err);
	if (rc)
		buf_printf(why, "%s: GET /json/version: %s", path, err.data ? err.data : "failed");
	buf_clear(&body);
	buf_clear(&err);
	return rc ? -1 : 0;
}

enum scenrun_result scenrun_file(const char *path, const struct scenrun_opts *o, struct buf *why)
{
	static const struct scenrun_opts defaults;
	struct sr r;
	json_error_t e;
	o = o ? o : &defaults;
	memset(&r, 0, sizeof(r));
	buf_init(&r.why, 0);
	r.slow = o->slow;
	r.opts = o;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	if (!doc) {
		if (e.line > 0)
			buf_printf(why, "%s:%d:%d: %s (cdpmock --check says more)", path, e.line,
				   e.column, e.text);
		else
			buf_printf(why, "%s: %s", path, e.text);
		return SCENRUN_FAIL;
	}
	const json_t *check = json_object_get(doc, "check");
	const json_t *steps = json_object_get(check, "steps");
	enum scenrun_result res = SCENRUN_FAIL;
	if (o->skip_heavy && json_is_true(json_object_get(check, "heavy"))) {
		buf_printf(why, "%s: skipped: a heavy check", path);
		res = SCENRUN_SKIP;
		goto out;
	}
	if (sr_start(&r, path, o, why))
		goto out;
	int rc = json_array_size(steps) ? sr_run_steps(&r, path, steps, o, why)
					: sr_answers(&r, path, why);
	if (o->drain_ms)
		sr_drain(&r, o->drain_ms);
	sr_clear(&r);
	int st = launch_stop(&r.srv);
	if (st && !o->any_exit) {
		buf_printf(why, "%s%s: the server exited with status %d; the end of its log:\n",
			   rc ? "\n" : "", path, st);
		/* Enough for the summary of a valgrind or sanitizer report. */
		launch_log_tail(&r.srv, 60, why);
		rc = -1;
	}
	launch_clear(&r.srv);
	if (!rc && !json_array_size(steps))
		buf_printf(why, "%s: no check: the server started with it and answered, nothing more "
				"was verified", path);
	res = rc ? SCENRUN_FAIL : json_array_size(steps) ? SCENRUN_PASS : SCENRUN_NOCHECK;
out:
	buf_clear(&r.why);
	json_decref(doc);
	return res;
}

static int sr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **scenrun_list(const char *dir, size_t *n)
{
	glob_t g;
	char pat[1024];
	char **out = NULL;
	*n = 0;
	memset(&g, 0, sizeof(g));
	snprintf(pat, sizeof(pat), "%s/*.json", dir);
	glob(pat, 0, NULL, &g);
	snprintf(pat, sizeof(pat), "%s/*/*.json", dir);
	glob(pat, GLOB_APPEND, NULL, &g);
	out = calloc(g.gl_pathc + 1, sizeof(*out));
	for (size_t i = 0; out && i < g.gl_pathc; i++)
		if ((out[*n] = strdup(g.gl_pathv[i])))
			++*n;
	globfree(&g);
	if (out)
		qsort(out, *n, sizeof(*out), sr_cmp);
	return out;
}
