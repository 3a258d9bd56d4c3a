/* scenload.c - scenario files to struct scenario (see scenload.h and
 * docs/scenario-format.md).  Each section has one reader; the readers keep
 * going after an error so that one run reports every problem.  Strings and
 * JSON values stay in the parsed tree, which the scenario keeps; compiled
 * pieces go in the scenario's arena.  Actions are read in scenact.c; the
 * sections cdpmock only stores ("expect", "check") are checked in
 * scencheck.c. */
#include "scenario/scenload.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "scenario/jcheck.h"
#include "scenario/scenario.h"
#include "scenario/scencheck.h"
#include "scenario/scenfile.h"
#include "scenario/scenload_int.h"
#include "scenario/scennames.h"
#include "cdp/protocol.h"
#include "cdp/wirejson.h"

void *scenload_alloc(struct sl *L, size_t n)
{
	void *p = scenario_alloc(L->sc, n);
	if (!p)
		L->oom = 1;
	return p;
}

/* An error about member key of obj, at that member's path. */
void scenload_fail_at(struct sl *L, const json_t *obj, const char *key, const char *expected)
{
	size_t m = jcheck_push_key(&L->j, key);
	jcheck_fail(&L->j, json_object_get(obj, key), obj, key, expected);
	jcheck_pop(&L->j, m);
}

/* Reads a time in ms (a number) and stores µs. */
int scenload_ms(struct sl *L, const json_t *obj, const char *key, int64_t *us)
{
	double ms;
	int rc = jcheck_number(&L->j, obj, key, 0, SL_MAX_MS, &ms);
	if (rc == 1)
		*us = (int64_t)llround(ms * 1000.0);
	return rc;
}

static int sl_u32(struct sl *L, const json_t *obj, const char *key, int64_t min, int64_t max,
		  uint32_t *out)
{
	int64_t v;
	int rc = jcheck_int(&L->j, obj, key, min, max, &v);
	if (rc == 1)
		*out = (uint32_t)v;
	return rc;
}

int scenload_size(struct sl *L, const json_t *obj, const char *key, int64_t min, int64_t max,
		   size_t *out)
{
	int64_t v;
	int rc = jcheck_int(&L->j, obj, key, min, max, &v);
	if (rc == 1)
		*out = (size_t)v;
	return rc;
}

/* ---- model knobs ---- */

static void sl_profiler(struct sl *L, const json_t *o, const json_t *parent)
{
	static const char *const keys[] = {"nodes", "depth", "idlePermille", "intervalUs",
					   "durationMs", "empty", NULL};
	struct scenario_profiler *p = &L->sc->profiler;
	if (jcheck_object(&L->j, o, parent, "profiler", keys))
		return;
	sl_u32(L, o, "nodes", 1, 1000000, &p->nodes);
	sl_u32(L, o, "depth", 1, 10000, &p->depth);
	sl_u32(L, o, "idlePermille", 0, 1000, &p->idle_permille);
	jcheck_int(&L->j, o, "intervalUs", 1, 60000000, &p->interval_us);
	scenload_ms(L, o, "durationMs", &p->duration_us);
	jcheck_bool(&L->j, o, "empty", &p->empty);
}

static void sl_coverage(struct sl *L, const json_t *o, const json_t *parent)
{
	static const char *const keys[] = {"scripts", "advanceMs", NULL};
	if (jcheck_object(&L->j, o, parent, "coverage", keys))
		return;
	sl_u32(L, o, "scripts", 1, 100000, &L->sc->coverage.scripts);
	scenload_ms(L, o, "advanceMs", &L->sc->coverage.advance_us);
}

static void sl_categories(struct sl *L, const json_t *o)
{
	const json_t *v = json_object_get(o, "categories");
	if (!v)
		return;
	size_t m = jcheck_push_key(&L->j, "categories");
	if (!json_is_array(v) || json_array_size(v) > 4096) {
		jcheck_fail(&L->j, v, o, "categories", "an array of at most 4096 strings");
	} else {
		size_t n = json_array_size(v);
		const char **c = scenload_alloc(L, (n ? n : 1) * sizeof(*c));
		for (size_t i = 0; c && i < n; i++) {
			const json_t *e = json_array_get(v, i);
			size_t mi = jcheck_push_index(&L->j, i);
			if (json_is_string(e) && json_string_length(e))
				c[i] = json_string_value(e);
			else
				jcheck_fail(&L->j, e, v, NULL, "a category name");
			jcheck_pop(&L->j, mi);
		}
		L->sc->tracing.categories = c;
		L->sc->tracing.n_categories = n;
	}
	jcheck_pop(&L->j, m);
}

static void sl_buffer_usage(struct sl *L, const json_t *o)
{
	const json_t *v = json_object_get(o, "bufferUsage");
	if (!v)
		return;
	size_t m = jcheck_push_key(&L->j, "bufferUsage");
	if (!json_is_array(v) || !json_array_size(v) || json_array_size(v) > 100000) {
		jcheck_fail(&L->j, v, o, "bufferUsage", "an array of 1 to 100000 numbers");
	} else {
		size_t n = json_array_size(v);
		double *d = scenload_alloc(L, n * sizeof(*d));
		for (size_t i = 0; d && i < n; i++) {
			size_t mi = jcheck_push_index(&L->j, i);
			jcheck_is_number(&L->j, json_array_get(v, i), v, NULL, 0, 1, &d[i]);
			jcheck_pop(&L->j, mi);
		}
		L->sc->tracing.buffer_usage = d;
		L->sc->tracing.n_buffer_usage = n;
	}
	jcheck_pop(&L->j, m);
}

static void sl_tracing(struct sl *L, const json_t *o, const json_t *parent)
{
	static const char *const keys[] = {"events", "rate", "durationMs", "categories",
					   "chunkBytes", "chunkEvents", "bufferUsage",
					   "percentFull", "stuckFull", "dataLoss", "compression",
					   "completeDelayMs", "neverComplete", "bufferKb",
					   "recordMode", "longTaskMs", "lcpMs", "screenshots",
					   "emptySamples", NULL};
	static const char *const comp[] = {"asRequested", "none", "gzip", NULL};
	static const char *const modes[] = {"asRequested", "recordUntilFull",
					    "recordContinuously", "recordAsMuchAsPossible", NULL};
	struct scenario_tracing *t = &L->sc->tracing;
	if (jcheck_object(&L->j, o, parent, "tracing", keys))
		return;
	int64_t v;
	if (jcheck_int(&L->j, o, "events", 0, INT64_C(100000000000), &v) == 1)
		t->events = (uint64_t)v;
	jcheck_number(&L->j, o, "rate", 0, 1e9, &t->rate);
	scenload_ms(L, o, "durationMs", &t->duration_us);
	sl_categories(L, o);
	scenload_size(L, o, "chunkBytes", 1, (int64_t)1 << 30, &t->chunk_bytes);
	scenload_size(L, o, "chunkEvents", 1, 10000000, &t->chunk_events);
	sl_buffer_usage(L, o);
	jcheck_number(&L->j, o, "percentFull", 0, 1, &t->percent_full);
	jcheck_bool(&L->j, o, "stuckFull", &t->stuck_full);
	jcheck_bool(&L->j, o, "dataLoss", &t->data_loss);
	int c;
	if (jcheck_enum(&L->j, o, "compression", comp, &c) == 1)
		t->compression = (enum scenario_compression)c;
	scenload_ms(L, o, "completeDelayMs", &t->complete_delay_us);
	jcheck_bool(&L->j, o, "neverComplete", &t->never_complete);
	if (jcheck_int(&L->j, o, "bufferKb", 1, INT64_C(1) << 32, &v) == 1)
		t->buffer_kb = (uint64_t)v;
	if (jcheck_enum(&L->j, o, "recordMode", modes, &c) == 1)
		t->record_mode = (enum scenario_record_mode)c;
	/* The page knobs: 0 means "none" here, the default being no key. */
	if (jcheck_int(&L->j, o, "longTaskMs", 0, INT64_C(600000), &v) == 1)
		t->long_task_us = v ? v * 1000 : -1;
	if (jcheck_int(&L->j, o, "lcpMs", 0, INT64_C(600000), &v) == 1)
		t->lcp_us = v ? v * 1000 : -1;
	if (jcheck_int(&L->j, o, "screenshots", 0, 100000, &v) == 1)
		t->screenshots = v ? (int32_t)v : -1;
	jcheck_bool(&L->j, o, "emptySamples", &t->empty_samples);
}

static void sl_io(struct sl *L, const json_t *o, const json_t *parent)
{
	static const char *const keys[] = {"readChunk", "neverEof", NULL};
	if (jcheck_object(&L->j, o, parent, "io", keys))
		return;
	scenload_size(L, o, "readChunk", 1, INT32_MAX, &L->sc->io.read_chunk);
	jcheck_bool(&L->j, o, "neverEof", &L->sc->io.never_eof);
}

static void sl_browser(struct sl *L, const json_t *o, const json_t *parent)
{
	static const char *const keys[] = {"product",	      "revision",	"userAgent",
					   "jsVersion",	      "protocolVersion", "webkitVersion",
					   NULL};
	struct scenario_browser *b = &L->sc->browser;
	if (jcheck_object(&L->j, o, parent, "browser", keys))
		return;
	jcheck_string(&L->j, o, "product", &b->product);
	jcheck_string(&L->j, o, "revision", &b->revision);
	jcheck_string(&L->j, o, "userAgent", &b->user_agent);
	jcheck_string(&L->j, o, "jsVersion", &b->js_version);
	jcheck_string(&L->j, o, "protocolVersion", &b->protocol_version);
	jcheck_string(&L->j, o, "webkitVersion", &b->webkit_version);
}

static void sl_targets(struct sl *L, const json_t *o, const json_t *parent)
{
	static const char *const keys[] = {"pages", NULL};
	static const char *const page_keys[] = {"url", "title", NULL};
	if (jcheck_object(&L->j, o, parent, "targets", keys))
		return;
	const json_t *pages = json_object_get(o, "pages");
	if (!pages)
		return;
	size_t m = jcheck_push_key(&L->j, "pages");
	if (!json_is_array(pages) || json_array_size(pages) > SCENARIO_MAX_PAGES) {
		jcheck_failf(&L->j, pages, o, "pages", "an array of at most %d pages",
			     SCENARIO_MAX_PAGES);
		jcheck_pop(&L->j, m);
		return;
	}
	size_t n = json_array_size(pages);
	struct target_page *p = scenload_alloc(L, (n ? n : 1) * sizeof(*p));
	for (size_t i = 0; p && i < n; i++) {
		const json_t *e = json_array_get(pages, i);
		size_t mi = jcheck_push_index(&L->j, i);
		if (!jcheck_object(&L->j, e, pages, NULL, page_keys)) {
			p[i].url = "about:blank";
			jcheck_string(&L->j, e, "url", &p[i].url);
			jcheck_string(&L->j, e, "title", &p[i].title);
		}
		jcheck_pop(&L->j, mi);
	}
	L->sc->pages = p;
	L->sc->n_pages = n;
	L->sc->pages_set = 1;
	jcheck_pop(&L->j, m);
}

/* ---- matching ---- */

void scenload_who(struct sl *L, const json_t *o, const char *key, int target,
		   enum scenario_who *who, const char **id)
{
	const char *s;
	if (jcheck_string(&L->j, o, key, &s) != 1)
		return;
	if (!*s) {
		size_t m = jcheck_push_key(&L->j, key);
		jcheck_fail(&L->j, json_object_get(o, key), o, key, "a non-empty string");
		jcheck_pop(&L->j, m);
	} else if (!strcmp(s, "any")) {
		*who = SCENARIO_WHO_ANY;
	} else if (!target && !strcmp(s, "root")) {
		*who = SCENARIO_WHO_ROOT;
	} else if (!target && !strcmp(s, "child")) {
		*who = SCENARIO_WHO_CHILD;
	} else if (target && !strcmp(s, "browser")) {
		*who = SCENARIO_WHO_BROWSER;
	} else if (target && !strcmp(s, "page")) {
		*who = SCENARIO_WHO_PAGE;
	} else {
		*who = SCENARIO_WHO_ID;
		*id = s;
	}
}

static void sl_nth(struct sl *L, const json_t *o, struct scenario_match *m)
{
	const json_t *v = json_object_get(o, "nth");
	int64_t a, b;
	if (!v)
		return;
	size_t mark = jcheck_push_key(&L->j, "nth");
	if (json_is_array(v) && json_array_size(v) == 2) {
		const json_t *to = json_array_get(v, 1);
		if (jcheck_is_int(&L->j, json_array_get(v, 0), v, NULL, 1, INT64_MAX, &a) == 1) {
			m->nth_from = (uint64_t)a;
			m->nth_to = UINT64_MAX;
			if (!json_is_null(to) &&
			    jcheck_is_int(&L->j, to, v, NULL, a, INT64_MAX, &b) == 1)
				m->nth_to = (uint64_t)b;
		}
	} else if (json_is_number(v)) {
		if (jcheck_is_int(&L->j, v, o, "nth", 1, INT64_MAX, &a) == 1)
			m->nth_from = m->nth_to = (uint64_t)a;
	} else {
		jcheck_fail(&L->j, v, o, "nth", "an integer N >= 1 or a range [from, to|null]");
	}
	jcheck_pop(&L->j, mark);
}

static void sl_state(struct sl *L, const json_t *o, struct scenario_match *m)
{
	static const char *const keys[] = {"tracing", "profiling", "openStreams", NULL};
	static const char *const ts[] = {"any", "idle", "recording", "ending", NULL};
	const json_t *v = json_object_get(o, "state");
	if (!v)
		return;
	size_t mark = jcheck_push_key(&L->j, "state");
	if (!jcheck_object(&L->j, v, o, "state", keys)) {
		int e;
		if (jcheck_enum(&L->j, v, "tracing", ts, &e) == 1)
			m->tracing = (enum scenario_tstate)e;
		jcheck_bool(&L->j, v, "profiling", &m->profiling);
		jcheck_bool(&L->j, v, "openStreams", &m->open_streams);
	}
	jcheck_pop(&L->j, mark);
}

/* A rule's method must be able to fire: a command for incoming rules and
 * for replies and errors, an event for event matches, either for "any". */
static void sl_method(struct sl *L, const json_t *v, const struct scenario_match *m)
{
	if (m->dir != SCENARIO_OUT)
		scennames_check(&L->j, v, "method", PROTOCOL_COMMANDS,
				"an incoming rule sees only the commands a client sends");
	else if (m->kind == SCENARIO_KIND_EVENT)
		scennames_check(&L->j, v, "method", PROTOCOL_EVENTS,
				"a \"kind\": \"event\" match never sees it");
	else if (m->kind == SCENARIO_KIND_REPLY || m->kind == SCENARIO_KIND_ERROR)
		scennames_check(&L->j, v, "method", PROTOCOL_COMMANDS,
				"only commands have replies and errors");
	else
		scennames_check(&L->j, v, "method", PROTOCOL_COMMANDS | PROTOCOL_EVENTS, "");
}

/* A match object.  allow_byte: a byte trigger is possible here. */
static void sl_match(struct sl *L, const json_t *v, const json_t *parent, const char *key,
		     struct scenario_match *m, int allow_byte)
{
	static const char *const keys[] = {"direction", "kind",	   "method",  "params",
					   "session",	"target",  "nth",     "connection",
					   "message",	"byte",	   "state",   NULL};
	static const char *const dirs[] = {"in", "out", NULL};
	static const char *const kinds[] = {"any", "reply", "error", "event", NULL};
	memset(m, 0, sizeof(*m));
	m->profiling = m->open_streams = -1;
	if (jcheck_object(&L->j, v, parent, key, keys))
		return;
	unsigned errors_before = L->j.n_errors;
	int e;
	if (jcheck_enum(&L->j, v, "direction", dirs, &e) == 1)
		m->dir = (enum scenario_dir)e;
	if (jcheck_enum(&L->j, v, "kind", kinds, &e) == 1) {
		m->kind = (enum scenario_kind)e;
		if (m->dir != SCENARIO_OUT)
			scenload_fail_at(L, v, "kind", "\"kind\" only with \"direction\": \"out\"");
	}
	if (jcheck_string(&L->j, v, "method", &m->method) == 1 && !*m->method)
		scenload_fail_at(L, v, "method", "a method name or glob");
	const json_t *p = json_object_get(v, "params");
	if (p && !json_is_object(p)) {
		size_t mk = jcheck_push_key(&L->j, "params");
		jcheck_fail(&L->j, p, v, "params", "an object (a subset to match)");
		jcheck_pop(&L->j, mk);
	} else {
		m->params = p;
	}
	scenload_who(L, v, "session", 0, &m->session, &m->session_id);
	scenload_who(L, v, "target", 1, &m->target, &m->target_id);
	sl_nth(L, v, m);
	int64_t n;
	if (jcheck_int(&L->j, v, "connection", 1, 1000000, &n) == 1)
		m->connection = (unsigned)n;
	if (jcheck_int(&L->j, v, "message", 1, INT64_MAX, &n) == 1)
		m->message = (uint64_t)n;
	if (jcheck_int(&L->j, v, "byte", 1, INT64_MAX, &n) == 1) {
		m->byte = (uint64_t)n;
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x)
		{
			if (!allow_byte || (strcmp(k, "byte") && strcmp(k, "connection") &&
					    strcmp(k, "direction"))) {
				size_t mk = jcheck_push_key(&L->j, k);
				jcheck_fail(&L->j, x, v, k,
					    allow_byte ? "only \"connection\" beside \"byte\""
						       : "no byte trigger here");
				jcheck_pop(&L->j, mk);
			}
		}
		if (m->dir == SCENARIO_OUT)
			scenload_fail_at(L, v, "direction", "\"in\" with \"byte\"");
	}
	if (m->message && m->dir == SCENARIO_OUT)
		scenload_fail_at(L, v, "message", "\"message\" only with \"direction\": \"in\"");
	sl_state(L, v, m);
	/* Whether the method can ever fire, once the rest of the match holds. */
	if (m->method && *m->method && L->j.n_errors == errors_before)
		sl_method(L, v, m);
}

/* ---- rules and timelines ---- */

static void sl_rule(struct sl *L, const json_t *v, const json_t *arr, size_t i,
		    struct scenario_rule *r)
{
	static const char *const keys[] = {"name", "match", "times", "action", NULL};
	r->index = (unsigned)i;
	if (jcheck_object(&L->j, v, arr, NULL, keys))
		return;
	jcheck_string(&L->j, v, "name", &r->name);
	int64_t n;
	if (jcheck_int(&L->j, v, "times", 1, INT64_MAX, &n) == 1)
		r->times = (uint64_t)n;
	const json_t *m = jcheck_required(&L->j, v, "match");
	const json_t *a = jcheck_required(&L->j, v, "action");
	if (m) {
		size_t mark = jcheck_push_key(&L->j, "match");
		sl_match(L, m, v, "match", &r->match, 1);
		jcheck_pop(&L->j, mark);
	}
	if (a) {
		size_t mark = jcheck_push_key(&L->j, "action");
		enum sl_ctx ctx = r->match.byte ? SL_BYTE
				  : r->match.dir == SCENARIO_OUT ? SL_OUT : SL_IN;
		scenact_action(L, a, v, "action", ctx, &r->action);
		jcheck_pop(&L->j, mark);
	}
}

static void sl_console(struct sl *L, const json_t *v, const json_t *parent,
		       struct scenario_step *st)
{
	static const char *const keys[] = {"start", "end",  "nodes",	  "depth",
					   "durationMs", "empty", "line", "column", NULL};
	if (jcheck_object(&L->j, v, parent, "consoleProfile", keys))
		return;
	const json_t *s = json_object_get(v, "start"), *e = json_object_get(v, "end");
	if (!!s == !!e) {
		jcheck_fail(&L->j, v, parent, "consoleProfile",
			    "exactly one of \"start\" and \"end\"");
		return;
	}
	st->op = s ? SCENARIO_STEP_CONSOLE_START : SCENARIO_STEP_CONSOLE_END;
	const json_t *t = s ? s : e;
	if (json_is_string(t))
		st->title = json_string_value(t);
	else if (!json_is_null(t))
		scenload_fail_at(L, v, s ? "start" : "end", "a title, or null");
	if (s && (json_object_get(v, "nodes") || json_object_get(v, "depth") ||
		  json_object_get(v, "durationMs") || json_object_get(v, "empty")))
		jcheck_fail(&L->j, v, parent, "consoleProfile", "profile sizes only with \"end\"");
	sl_u32(L, v, "nodes", 1, 1000000, &st->nodes);
	sl_u32(L, v, "depth", 1, 10000, &st->depth);
	scenload_ms(L, v, "durationMs", &st->duration_us);
	jcheck_bool(&L->j, v, "empty", &st->empty);
	int64_t n;
	if (jcheck_int(&L->j, v, "line", 1, INT32_MAX, &n) == 1)
		st->line = (int32_t)n;
	if (jcheck_int(&L->j, v, "column", 1, INT32_MAX, &n) == 1)
		st->column = (int32_t)n;
}

static void sl_step_special(struct sl *L, const json_t *v, struct scenario_step *st)
{
	static const char *const bu_keys[] = {"percentFull", "eventCount", NULL};
	static const char *const cov_keys[] = {"occasion", NULL};
	const json_t *x;
	if ((x = json_object_get(v, "consoleProfile"))) {
		size_t m = jcheck_push_key(&L->j, "consoleProfile");
		sl_console(L, x, v, st);
		jcheck_pop(&L->j, m);
	} else if ((x = json_object_get(v, "coverageUpdate"))) {
		size_t m = jcheck_push_key(&L->j, "coverageUpdate");
		st->op = SCENARIO_STEP_COVERAGE;
		st->occasion = "DomContentLoaded";
		if (!jcheck_object(&L->j, x, v, "coverageUpdate", cov_keys))
			jcheck_string(&L->j, x, "occasion", &st->occasion);
		jcheck_pop(&L->j, m);
	} else if ((x = json_object_get(v, "bufferUsage"))) {
		size_t m = jcheck_push_key(&L->j, "bufferUsage");
		st->op = SCENARIO_STEP_BUFFER_USAGE;
		st->dest.to = SCENARIO_TO_TRACING;
		int64_t n;
		if (!jcheck_object(&L->j, x, v, "bufferUsage", bu_keys) &&
		    jcheck_required(&L->j, x, "percentFull")) {
			jcheck_number(&L->j, x, "percentFull", 0, 1, &st->percent_full);
			if (jcheck_int(&L->j, x, "eventCount", 0, INT64_MAX, &n) == 1)
				st->event_count = (uint64_t)n;
		}
		jcheck_pop(&L->j, m);
	}
}

static void sl_step(struct sl *L, const json_t *v, const json_t *arr, int64_t prev_us,
		    struct scenario_step *st)
{
	static const char *const keys[] = {"at",  "emit",	   "consoleProfile",
					   "coverageUpdate", "bufferUsage", "to",
					   "close", "fin",	   "reset",
					   "raw",   "frame",	   "throttle", NULL};
	if (jcheck_object(&L->j, v, arr, NULL, keys))
		return;
	if (jcheck_required(&L->j, v, "at") && scenload_ms(L, v, "at", &st->at_us) == 1 &&
	    st->at_us < prev_us) {
		size_t m = jcheck_push_key(&L->j, "at");
		jcheck_fail(&L->j, json_object_get(v, "at"), v, "at",
			    "steps in time order (at >= the previous step's)");
		jcheck_pop(&L->j, m);
	}
	int special = !!json_object_get(v, "consoleProfile") +
		      !!json_object_get(v, "coverageUpdate") + !!json_object_get(v, "bufferUsage");
	if (special > 1 || (special && json_object_size(v) > 2 + !!json_object_get(v, "to"))) {
		jcheck_fail(&L->j, v, arr, NULL,
			    "one of \"consoleProfile\", \"coverageUpdate\", \"bufferUsage\" alone, "
			    "or emits and connection effects");
		return;
	}
	scenact_dest(L, v, &st->dest);
	if (special) {
		sl_step_special(L, v, st);
		if (st->op == SCENARIO_STEP_BUFFER_USAGE && json_object_get(v, "to"))
			scenact_dest(L, v, &st->dest);
		return;
	}
	st->op = SCENARIO_STEP_ACTION;
	/* The step object itself holds the action's keys (besides at/to); its
	 * "to" is the default destination of its emits. */
	scenact_action(L, v, arr, NULL, SL_STEP, &st->action);
	for (size_t i = 0; i < st->action.n_emits; i++) {
		const json_t *e = json_object_get(v, "emit");
		e = json_is_array(e) ? json_array_get(e, i) : e;
		if (!json_object_get(e, "to"))
			((struct scenario_emit *)st->action.emits)[i].dest = st->dest;
	}
}

static void sl_timeline(struct sl *L, const json_t *v, const json_t *arr, size_t i,
			struct scenario_timeline *t)
{
	static const char *const keys[] = {"start", "times", "steps", NULL};
	t->index = (unsigned)i;
	if (jcheck_object(&L->j, v, arr, NULL, keys))
		return;
	const json_t *s = jcheck_required(&L->j, v, "start");
	const json_t *steps = jcheck_required(&L->j, v, "steps");
	int64_t n;
	if (jcheck_int(&L->j, v, "times", 1, INT64_MAX, &n) == 1)
		t->times = (uint64_t)n;
	size_t mark = jcheck_push_key(&L->j, "start");
	if (json_is_string(s) && !strcmp(json_string_value(s), "connect")) {
		t->start = SCENARIO_START_CONNECT;
	} else if (json_is_string(s) && !strcmp(json_string_value(s), "load")) {
		t->start = SCENARIO_START_LOAD;
	} else if (json_is_object(s)) {
		t->start = SCENARIO_START_MATCH;
		sl_match(L, s, v, "start", &t->match, 0);
	} else if (s) {
		jcheck_fail(&L->j, s, v, "start", "\"connect\", \"load\" or a match object");
	}
	jcheck_pop(&L->j, mark);
	if (!steps)
		return;
	mark = jcheck_push_key(&L->j, "steps");
	if (!json_is_array(steps) || !json_array_size(steps) ||
	    json_array_size(steps) > SCENARIO_MAX_STEPS) {
		jcheck_failf(&L->j, steps, v, "steps", "an array of 1 to %d steps",
			     SCENARIO_MAX_STEPS);
	} else {
		size_t k = json_array_size(steps);
		struct scenario_step *st = scenload_alloc(L, k * sizeof(*st));
		int64_t prev = 0;
		for (size_t x = 0; st && x < k; x++) {
			size_t mi = jcheck_push_index(&L->j, x);
			sl_step(L, json_array_get(steps, x), steps, prev, &st[x]);
			prev = st[x].at_us;
			jcheck_pop(&L->j, mi);
		}
		t->steps = st;
		t->n_steps = k;
	}
	jcheck_pop(&L->j, mark);
}

/* Reads an array member with one reader per element. */
static void *sl_array(struct sl *L, const json_t *o, const char *key, size_t max, size_t elem,
		      size_t *n_out)
{
	const json_t *v = json_object_get(o, key);
	*n_out = 0;
	if (!v)
		return NULL;
	if (!json_is_array(v) || json_array_size(v) > max) {
		size_t m = jcheck_push_key(&L->j, key);
		jcheck_failf(&L->j, v, o, key, "an array of at most %zu entries", max);
		jcheck_pop(&L->j, m);
		return NULL;
	}
	*n_out = json_array_size(v);
	return scenload_alloc(L, (*n_out ? *n_out : 1) * elem);
}

static void sl_rules_timelines(struct sl *L, const json_t *root)
{
	size_t n;
	struct scenario_rule *r = sl_array(L, root, "rules", SCENARIO_MAX_RULES, sizeof(*r), &n);
	const json_t *arr = json_object_get(root, "rules");
	size_t mark = jcheck_push_key(&L->j, "rules");
	for (size_t i = 0; r && i < n; i++) {
		size_t mi = jcheck_push_index(&L->j, i);
		sl_rule(L, json_array_get(arr, i), arr, i, &r[i]);
		jcheck_pop(&L->j, mi);
	}
	jcheck_pop(&L->j, mark);
	L->sc->rules = r;
	L->sc->n_rules = r ? n : 0;
	struct scenario_timeline *t =
	    sl_array(L, root, "timelines", SCENARIO_MAX_TIMELINES, sizeof(*t), &n);
	arr = json_object_get(root, "timelines");
	mark = jcheck_push_key(&L->j, "timelines");
	for (size_t i = 0; t && i < n; i++) {
		size_t mi = jcheck_push_index(&L->j, i);
		sl_timeline(L, json_array_get(arr, i), arr, i, &t[i]);
		jcheck_pop(&L->j, mi);
	}
	jcheck_pop(&L->j, mark);
	L->sc->timelines = t;
	L->sc->n_timelines = t ? n : 0;
}

/* One reader per top-level section. */
static void sl_section(struct sl *L, const json_t *root, const char *key,
		       void (*fn)(struct sl *, const json_t *, const json_t *))
{
	const json_t *v = json_object_get(root, key);
	if (!v)
		return;
	size_t m = jcheck_push_key(&L->j, key);
	fn(L, v, root);
	jcheck_pop(&L->j, m);
}

static void sl_root(struct sl *L, const json_t *root)
{
	static const char *const keys[] = {"description", "name",     "seed",	 "browser",
					   "targets",	  "profiler", "coverage",	 "tracing",
					   "io",	  "runtime",  "performance", "rules",
					   "timelines",	  "expect",   "check",	 NULL};
	if (jcheck_object(&L->j, root, NULL, NULL, keys))
		return;
	if (jcheck_required(&L->j, root, "description"))
		jcheck_string(&L->j, root, "description", &L->sc->description);
	jcheck_string(&L->j, root, "name", &L->sc->name);
	int64_t seed;
	if (jcheck_int(&L->j, root, "seed", 0, INT64_C(9007199254740991), &seed) == 1) {
		L->sc->seed = (uint64_t)seed;
		L->sc->seed_set = 1;
	}
	sl_section(L, root, "browser", sl_browser);
	sl_section(L, root, "targets", sl_targets);
	sl_section(L, root, "profiler", sl_profiler);
	sl_section(L, root, "coverage", sl_coverage);
	sl_section(L, root, "tracing", sl_tracing);
	sl_section(L, root, "io", sl_io);
	sl_section(L, root, "runtime", scenpage_runtime);
	sl_section(L, root, "performance", scenpage_performance);
	sl_rules_timelines(L, root);
	const json_t *x;
	if ((x = json_object_get(root, "expect"))) {
		size_t m = jcheck_push_key(&L->j, "expect");
		scencheck_expect(&L->j, x, root);
		jcheck_pop(&L->j, m);
		L->sc->expect = x;
	}
	if ((x = json_object_get(root, "check"))) {
		size_t m = jcheck_push_key(&L->j, "check");
		scencheck_validate(&L->j, x);
		jcheck_pop(&L->j, m);
		L->sc->check = x;
	}
}

/* "scenarios/tracing/x.json" -> "tracing/x"; other paths -> the base name. */
static char *sl_default_name(const char *file)
{
	const char *s = file, *p;
	while ((p = strstr(s, "scenarios/")))
		s = p + 10;
	if (s == file && (p = strrchr(file, '/')))
		s = p + 1;
	size_t n = strlen(s);
	if (n > 5 && !strcmp(s + n - 5, ".json"))
		n -= 5;
	return strndup(s, n);
}

/* A syntax error at a closing bracket right after a comma (spaces and
 * newlines between) is a trailing comma: its offset plus one, else 0. */
static size_t sl_trailing_comma(const char *text, size_t len, size_t pos)
{
	if (pos >= len || (text[pos] != '}' && text[pos] != ']'))
		return 0;
	size_t i = pos;
	while (i > 0 && strchr(" \t\r\n", text[i - 1]))
		i--;
	return i > 0 && text[i - 1] == ',' ? i : 0;
}

/* dir: where {"$file": ...} references are read (NULL: nowhere). */
static int sl_text(const char *text, size_t len, const char *file, const char *dir,
		   struct buf *errors, struct scenario **out)
{
	struct wirejson_result res;
	struct sl L;
	json_t *root = NULL;
	int rc;
	*out = NULL;
	if (len > SCENARIO_MAX_FILE) {
		buf_printf(errors, "%s: larger than %zu bytes\n", file, SCENARIO_MAX_FILE);
		return CDPM_ETOOBIG;
	}
	struct wirejson_posmap *map = wirejson_posmap_new();
	memset(&L, 0, sizeof(L));
	L.sc = scenario_new();
	if (!map || !L.sc) {
		rc = CDPM_ENOMEM;
		goto out;
	}
	rc = wirejson_parse_ex(text, len, WIREJSON_DUPLICATE_ERROR, &root, &res, map);
	if (rc == CDPM_EPROTO) {
		size_t line, col, comma = sl_trailing_comma(text, len, res.pos);
		wirejson_line_col(text, len, comma ? comma - 1 : res.pos, &line, &col);
		if (comma)
			buf_printf(errors, "%s:%zu:%zu: .: expected JSON, found a trailing comma "
				   "(JSON allows none before '%c')\n", file, line, col,
				   text[res.pos < len ? res.pos : len - 1]);
		else
			buf_printf(errors, "%s:%zu:%zu: .: expected JSON, found a syntax error (%s)\n",
				   file, line, col, res.error);
		rc = CDPM_ESCENARIO;
		goto out;
	}
	if (rc)
		goto out;
	L.sc->root = root;
	L.sc->path = strdup(file);
	char *name = sl_default_name(file);
	jcheck_init(&L.j, file, text, len, map, errors);
	if (name) {
		/* The name lives in the arena like everything else. */
		char *copy = scenario_alloc(L.sc, strlen(name) + 1);
		if (copy)
			memcpy(copy, name, strlen(name) + 1);
		L.sc->name = copy ? copy : "scenario";
		free(name);
	}
	if (!json_is_object(root)) {
		jcheck_fail(&L.j, root, NULL, NULL, "an object");
	} else {
		scenfile_expand(root, dir, &L.j);
		if (!L.j.n_errors)
			sl_root(&L, root);
	}
	rc = L.oom || !L.sc->path ? CDPM_ENOMEM : L.j.n_errors ? CDPM_ESCENARIO : 0;
out:
	wirejson_posmap_free(map);
	if (rc) {
		scenario_free(L.sc);
		return rc;
	}
	*out = L.sc;
	return 0;
}

int scenload_text(const char *text, size_t len, const char *file, struct buf *errors,
		  struct scenario **out)
{
	return sl_text(text, len, file, NULL, errors, out);
}

int scenload_text_in(const char *text, size_t len, const char *file, const char *dir,
		     struct buf *errors, struct scenario **out)
{
	return sl_text(text, len, file, dir, errors, out);
}

int scenload_file(const char *path, struct buf *errors, struct scenario **out)
{
	struct buf text;
	buf_init(&text, SCENARIO_MAX_FILE);
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		buf_printf(errors, "%s: cannot read: %s\n", path, strerror(errno));
		return CDPM_EIO;
	}
	char tmp[65536];
	size_t n;
	/* Stop reading at the first failure; buf_finish() says which. */
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0 && !buf_add(&text, tmp, n))
		;
	int rc = buf_finish(&text);
	if (!rc && ferror(f))
		rc = CDPM_EIO;
	fclose(f);
	if (rc == CDPM_ETOOBIG)
		buf_printf(errors, "%s: larger than %zu bytes\n", path, SCENARIO_MAX_FILE);
	else if (rc)
		buf_printf(errors, "%s: cannot read: %s\n", path, strerror(errno));
	else {
		char *dir = strdup(path);
		char *slash = dir ? strrchr(dir, '/') : NULL;
		if (slash)
			*slash = '\0';
		rc = !dir ? CDPM_ENOMEM
			  : sl_text(text.data ? text.data : "", text.len, path, slash ? dir : ".",
				    errors, out);
		free(dir);
	}
	buf_clear(&text);
	return rc;
}
