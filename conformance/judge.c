/* judge.c - the verdict of a case: hang and crash from how the adapter
 * ended, the scenario's expectations, data loss, and the integrity of what
 * the adapter wrote against the digests cdpmock recorded.  The rules and
 * their reasons are in docs/judging.md. */
#include "conform.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "evdigest.h"
#include "wire.h"

/* Outputs bigger than this are not read (a trace this big is not a test). */
#define JUDGE_MAX_OUTPUT ((size_t)2 << 30)

struct judge {
	struct ccase *c;
	const struct outcome *oc;
	struct wire w;
	json_t *result; /* result.json, or NULL */
	int claims_ok;	/* exit 0 and "ok": true */
};

static void judge_fail(struct judge *j, const char *check, char *why)
{
	struct ccase *c = j->c;
	if (!c->check) {
		c->check = util_strdup(check);
		c->reason = why ? why : util_strdup("");
	} else {
		free(why);
	}
	if (c->failed && strstr(c->failed, check))
		return;
	char *f = c->failed ? util_printf("%s,%s", c->failed, check) : util_strdup(check);
	free(c->failed);
	c->failed = f;
}

/* ---- how it ended ---- */

/* The first uncaught exception in the adapter's stderr: Node's "Name: text"
 * line followed by "    at ...", or Python's last traceback line.  A
 * heap string "Name: text at FRAME", or NULL. */
static char *judge_exception(const char *path)
{
	char *text = util_read_file(path, 1 << 20, NULL);
	char *found = NULL;
	if (!text)
		return NULL;
	for (char *line = text; line && *line && !found;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (next && !strncmp(next, "    at ", 7) && strchr(line, ':') && line[0] != ' ' &&
		    strstr(line, "Error")) {
			size_t n = strcspn(next + 7, "\n");
			found = util_printf("%s at %.*s", line, (int)n, next + 7);
		}
		if (!strncmp(line, "Traceback (most recent call last):", 34)) {
			/* The exception is the first unindented line after it. */
			char *p = next, *frame = NULL;
			while (p && (*p == ' ' || *p == '\t')) {
				if (!frame && !strncmp(p, "  File ", 7))
					frame = p + 2;
				p = strchr(p, '\n');
				p = p ? p + 1 : NULL;
			}
			if (p && *p) {
				size_t n = strcspn(p, "\n");
				size_t fn = frame ? strcspn(frame, "\n") : 0;
				found = util_printf("%.*s at %.*s", (int)n, p, (int)fn,
						    frame ? frame : "");
			}
		}
		line = next;
	}
	free(text);
	return found;
}

static int judge_ending(struct judge *j)
{
	struct ccase *c = j->c;
	const struct outcome *oc = j->oc;
	if (oc->mock_error) {
		c->verdict = V_FAIL;
		judge_fail(j, "mock", util_strdup(oc->mock_error));
		return 1;
	}
	if (oc->timed_out) {
		c->verdict = V_HANG;
		judge_fail(j, "hang",
			   util_printf("no exit within the time limit (%ld ms); killed its process "
				       "group",
				       oc->limit_ms));
		return 1;
	}
	if (oc->signal) {
		c->verdict = V_CRASH;
		judge_fail(
		    j, "crash",
		    util_printf("killed by signal %d (%s)", oc->signal, strsignal(oc->signal)));
		return 1;
	}
	char *ex = judge_exception(oc->stderr_path);
	if (ex && oc->status != 0) {
		c->verdict = V_CRASH;
		judge_fail(j, "crash", util_printf("uncaught exception: %s", ex));
		free(ex);
		return 1;
	}
	free(ex);
	return 0;
}

/* ---- result.json and exit ---- */

/* The adapter's command could not be run at all (exec failed in the child,
 * which says why on stderr and exits 127): say so rather than judge it. */
static int judge_not_started(struct judge *j)
{
	char *text = j->oc->status == 127 ? util_read_file(j->oc->stderr_path, 4096, NULL) : NULL;
	const char *line = text ? strstr(text, "cdpconform: cannot ") : NULL;
	if (line)
		judge_fail(j, "exit",
			   util_printf("the adapter did not start: %.*s (run is relative to the "
				       "adapter folder)",
				       (int)strcspn(line + 12, "\n"), line + 12));
	free(text);
	return line != NULL;
}

static void judge_result(struct judge *j)
{
	char *path = util_printf("%s/result.json", j->oc->out_dir);
	json_error_t e;
	j->result = json_load_file(path, 0, &e);
	free(path);
	const json_t *ok = json_object_get(j->result, "ok");
	const json_t *loss = json_object_get(j->result, "dataLoss");
	const json_t *err = json_object_get(j->result, "error");
	if (!j->result || !json_is_boolean(ok) ||
	    (loss && !json_is_boolean(loss) && !json_is_null(loss)) ||
	    (err && !json_is_string(err) && !json_is_null(err))) {
		judge_fail(j, "outputs",
			   util_strdup(j->result ? "result.json is not {\"ok\": bool, \"error\": "
						   "string|null, \"dataLoss\": bool|null}"
						 : "no result.json, or not JSON"));
		return;
	}
	j->claims_ok = j->oc->status == 0 && json_is_true(ok);
	if ((j->oc->status == 0) != json_is_true(ok))
		judge_fail(j, "exit",
			   util_printf("exit status %d but result.json says \"ok\": %s",
				       j->oc->status, json_is_true(ok) ? "true" : "false"));
}

static const char *judge_error_text(const struct judge *j)
{
	const char *e = json_string_value(json_object_get(j->result, "error"));
	return e ? e : "no error given";
}

static void judge_exit(struct judge *j)
{
	const json_t *x = json_object_get(j->c->expect, "exit");
	int st = j->oc->status;
	const char *want = json_string_value(x);
	if (want && !strcmp(want, "success") && st != 0)
		judge_fail(j, "exit",
			   util_printf("failed (exit status %d: %s) where a correct "
				       "client succeeds",
				       st, judge_error_text(j)));
	else if (want && !strcmp(want, "failure") && st == 0)
		judge_fail(j, "exit",
			   util_strdup("reported success where a correct client fails "
				       "with an error"));
	else if (json_is_integer(x) && st != json_integer_value(x))
		judge_fail(j, "exit",
			   util_printf("exit status %d, expected %lld", st,
				       (long long)json_integer_value(x)));
}

static int judge_expects_success(const struct judge *j)
{
	const char *want = json_string_value(json_object_get(j->c->expect, "exit"));
	return want && !strcmp(want, "success");
}

/* ---- outputs ---- */

/* Reads an output file, gunzipping it when it starts with gzip's magic
 * (trace-gzip hands over the stream's bytes).  NULL when missing. */
static char *judge_output(const struct judge *j, const char *name, size_t *len, size_t *raw_len)
{
	char *path = util_printf("%s/%s", j->oc->out_dir, name);
	char *data = util_read_file(path, JUDGE_MAX_OUTPUT, len);
	free(path);
	if (raw_len)
		*raw_len = data ? *len : 0;
	if (!data || *len < 2 || (unsigned char)data[0] != 0x1f || (unsigned char)data[1] != 0x8b)
		return data;
	z_stream z = {0};
	size_t cap = *len * 8 + 4096, n = 0;
	char *out = malloc(cap);
	if (!out || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(out);
		return data;
	}
	z.next_in = (unsigned char *)data;
	z.avail_in = (unsigned)*len;
	int rc;
	do {
		if (cap - n < 65536) {
			char *q = cap < JUDGE_MAX_OUTPUT ? realloc(out, cap * 2) : NULL;
			if (!q)
				break;
			out = q;
			cap *= 2;
		}
		z.next_out = (unsigned char *)out + n;
		z.avail_out = (unsigned)(cap - n - 1);
		rc = inflate(&z, Z_NO_FLUSH);
		n = z.total_out;
	} while (rc == Z_OK);
	inflateEnd(&z);
	free(data);
	out[n] = '\0';
	*len = n;
	return out;
}

/* Whether text is JSON.  jansson refuses integers past int64 that JSON
 * allows, and real Chrome writes them into traces (uint64 counters such as
 * 18446744073709548308): then the array, or {"traceEvents": [...]}, is
 * read with the digest's parser, which takes every number as a double. */
static int judge_is_json(const char *text, size_t len)
{
	json_error_t e;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &e);
	if (v) {
		json_decref(v);
		return 1;
	}
	struct evdigest d;
	evdigest_init(&d);
	return json_error_code(&e) == json_error_numeric_overflow &&
	       !evdigest_add_items(&d, text, len, "traceEvents");
}

static void judge_one_output(struct judge *j, const json_t *o)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	size_t len = 0, raw = 0;
	if (!name)
		return;
	char *data = judge_output(j, name, &len, &raw);
	const json_t *min = json_object_get(o, "minBytes"), *max = json_object_get(o, "maxBytes");
	const char *contains = json_string_value(json_object_get(o, "contains"));
	if (!data)
		judge_fail(j, "outputs", util_printf("%s was not written", name));
	else if (min && (json_int_t)raw < json_integer_value(min))
		judge_fail(j, "outputs",
			   util_printf("%s has %zu bytes, fewer than %lld", name, raw,
				       (long long)json_integer_value(min)));
	else if (max && (json_int_t)raw > json_integer_value(max))
		judge_fail(j, "outputs",
			   util_printf("%s has %zu bytes, more than %lld", name, raw,
				       (long long)json_integer_value(max)));
	else if (json_is_true(json_object_get(o, "json")) && !judge_is_json(data, len))
		judge_fail(j, "outputs", util_printf("%s is not JSON", name));
	if (data && contains && !strstr(data, contains))
		judge_fail(j, "outputs", util_printf("%s does not contain \"%s\"", name, contains));
	free(data);
}

static void judge_outputs(struct judge *j)
{
	const json_t *outs = json_object_get(j->c->expect, "outputs");
	for (size_t i = 0; i < json_array_size(outs); i++)
		judge_one_output(j, json_array_get(outs, i));
	if (!j->claims_ok)
		return;
	outs = json_object_get(j->c->expect, "defaultOutputs");
	for (size_t i = 0; i < json_array_size(outs); i++)
		judge_one_output(j, json_array_get(outs, i));
}

/* ---- data loss and integrity ---- */

static void judge_data_loss(struct judge *j)
{
	if (!j->claims_ok)
		return;
	const json_t *loss = json_object_get(j->result, "dataLoss");
	if (j->w.d.data_loss && (!loss || json_is_null(loss)))
		judge_fail(j, "dataLoss",
			   util_strdup("the trace lost data and the client cannot "
				       "report data loss"));
	else if (j->w.d.data_loss && json_is_false(loss))
		judge_fail(j, "dataLoss",
			   util_strdup("tracingComplete said dataLossOccurred: true "
				       "but result.json says \"dataLoss\": false"));
	else if (!j->w.d.data_loss && json_is_true(loss))
		judge_fail(j, "dataLoss",
			   util_strdup("result.json says \"dataLoss\": true but no "
				       "data was lost"));
}

/* The values of a JSON output: the array itself, or the array under one of
 * the keys clients wrap it in. */
static const json_t *judge_items(const json_t *v, const char *key)
{
	if (json_is_array(v))
		return v;
	return json_object_get(v, key);
}

static char *judge_compare(const char *what, const char *name, const struct evdigest *got,
			   const struct evdigest *sent)
{
	if (got->count != sent->count)
		return util_printf("%s holds %llu %s, the mock sent %llu (%s)", name,
				   (unsigned long long)got->count, what,
				   (unsigned long long)sent->count,
				   got->count < sent->count ? "some missing" : "some doubled");
	if (got->sum != sent->sum)
		return util_printf("%s holds %llu %s as the mock sent, but some differ from what "
				   "it sent",
				   name, (unsigned long long)got->count, what);
	return NULL;
}

static void judge_trace_file(struct judge *j, const char *name, const struct evdigest *sent)
{
	size_t len;
	char *data = judge_output(j, name, &len, NULL);
	if (!data)
		return; /* outputs reports it */
	struct evdigest got;
	evdigest_init(&got);
	/* Straight from the text: a trace can be big. */
	if (evdigest_add_items(&got, data, len, "traceEvents")) {
		judge_fail(j, "trace",
			   util_printf("%s is neither a JSON array of events nor "
				       "{\"traceEvents\": [...]}",
				       name));
	} else {
		char *why = judge_compare("events", name, &got, sent);
		if (why)
			judge_fail(j, "trace", why);
	}
	free(data);
}

static void judge_trace(struct judge *j)
{
	const struct wire_digests *d = &j->w.d;
	const char *t = j->c->task;
	if (!j->claims_ok || strncmp(t, "trace-", 6))
		return;
	if (!d->n_trace) {
		judge_fail(j, "trace",
			   util_strdup("the client reported success, but the mock "
				       "delivered no trace"));
		return;
	}
	if (strcmp(t, "trace-twice")) {
		judge_trace_file(j, "trace.json", &d->trace[0]);
		return;
	}
	/* trace-twice: the second file is the last trace; the first file, when
	 * written, the one before it. */
	judge_trace_file(j, "trace-2.json", &d->trace[d->n_trace - 1]);
	char *p = util_printf("%s/trace.json", j->oc->out_dir);
	FILE *f = fopen(p, "r");
	free(p);
	if (f) {
		fclose(f);
		if (d->n_trace < 2)
			judge_fail(j, "trace",
				   util_strdup("trace.json written, but the mock delivered "
					       "only one trace"));
		else
			judge_trace_file(j, "trace.json", &d->trace[d->n_trace - 2]);
	}
}

/* profile: one Profile, or {"profile": Profile}. */
static void judge_profile(struct judge *j)
{
	size_t len;
	if (!j->claims_ok || strcmp(j->c->task, "profile"))
		return;
	char *data = judge_output(j, "profile.cpuprofile", &len, NULL);
	json_t *v = data ? json_loadb(data, len, 0, NULL) : NULL;
	free(data);
	const json_t *p = json_object_get(v, "nodes") ? v : json_object_get(v, "profile");
	if (!j->w.d.has_profile) {
		judge_fail(j, "profile",
			   util_strdup("the client reported success, but the mock "
				       "sent no profile"));
	} else if (p) {
		struct evdigest got;
		evdigest_init(&got);
		evdigest_add(&got, p);
		char *why = judge_compare("profile", "profile.cpuprofile", &got, &j->w.d.profile);
		if (why) {
			free(why);
			judge_fail(j, "profile",
				   util_strdup("profile.cpuprofile differs from the "
					       "profile the mock sent"));
		}
	} else if (v) {
		judge_fail(j, "profile",
			   util_strdup("profile.cpuprofile is not a Profile "
				       "(no \"nodes\")"));
	}
	json_decref(v);
}

/* console-profile: an array of Profiles or of consoleProfileFinished params;
 * coverage: an array of ScriptCoverage, or {"result": [...]}. */
static void judge_sets(struct judge *j)
{
	int console = !strcmp(j->c->task, "console-profile");
	if (!j->claims_ok || (!console && strcmp(j->c->task, "coverage")))
		return;
	const char *name = console ? "profiles.json" : "coverage.json";
	size_t len;
	char *data = judge_output(j, name, &len, NULL);
	json_t *v = data ? json_loadb(data, len, 0, NULL) : NULL;
	free(data);
	const json_t *items = judge_items(v, console ? "profiles" : "result");
	struct evdigest got;
	evdigest_init(&got);
	for (size_t i = 0; i < json_array_size(items); i++) {
		const json_t *e = json_array_get(items, i);
		if (console && !json_object_get(e, "nodes"))
			e = json_object_get(e, "profile");
		if (e)
			evdigest_add(&got, e);
	}
	char *why = v && json_is_array(items)
			? judge_compare(console ? "profiles" : "script coverages", name, &got,
					console ? &j->w.d.console : &j->w.d.coverage)
			: (v ? util_printf("%s is not an array", name) : NULL);
	if (why)
		judge_fail(j, console ? "profile" : "coverage", why);
	json_decref(v);
}

/* ---- the wire ---- */

static void judge_wire(struct judge *j)
{
	const json_t *e = j->c->expect;
	char *why = NULL;
	if (wire_protocol(&j->w, &why))
		judge_fail(j, "protocol", why);
	why = NULL;
	json_t *send = json_copy(json_object_get(e, "send"));
	if (!send)
		send = json_array();
	if (judge_expects_success(j) && !json_object_get(e, "send"))
		json_array_extend(send, json_object_get(e, "defaultSend"));
	if (wire_send(&j->w, send, &why))
		judge_fail(j, "send", why);
	json_decref(send);
	why = NULL;
	if (wire_not_send(&j->w, json_object_get(e, "notSend"), &why))
		judge_fail(j, "notSend", why);
	why = NULL;
	const char *after = json_string_value(json_object_get(e, "noCommandAfter"));
	if (after && wire_no_command_after(&j->w, after, &why))
		judge_fail(j, "noCommandAfter", why);
	why = NULL;
	if (json_is_true(json_object_get(e, "closeStreams")) && wire_close_streams(&j->w, &why))
		judge_fail(j, "closeStreams", why);
}

void judge_case(struct ccase *c, const struct outcome *oc)
{
	struct judge j = {.c = c, .oc = oc};
	c->verdict = V_PASS;
	if (judge_ending(&j))
		return;
	if (judge_not_started(&j)) {
		c->verdict = V_FAIL;
		return;
	}
	/* A real browser keeps no journal: what the client sent and what it
	 * was sent are unknown, so the wire, data-loss and digest checks do
	 * not apply there (docs/judging.md, "Against a real browser"). */
	int journal = !oc->browser;
	if (journal)
		wire_load(&j.w, oc->journal);
	judge_result(&j);
	judge_exit(&j);
	if (oc->ms > oc->limit_ms)
		judge_fail(&j, "timeLimit",
			   util_printf("took %ld ms, over the %ld ms limit", oc->ms, oc->limit_ms));
	if (journal)
		judge_wire(&j);
	if (json_is_true(json_object_get(c->expect, "closeBrowser")) && oc->launched_left)
		judge_fail(&j, "leftovers",
			   util_strdup("the browser it launched was still running after it "
				       "exited (killed by the runner)"));
	judge_outputs(&j);
	if (journal) {
		judge_data_loss(&j);
		judge_trace(&j);
		judge_profile(&j);
		judge_sets(&j);
	}
	if (c->check)
		c->verdict = V_FAIL;
	json_decref(j.result);
	wire_clear(&j.w);
}
