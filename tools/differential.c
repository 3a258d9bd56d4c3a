/* differential.c - `make differential` (docs/differential.md): runs the
 * self-check steps of every library scenario that claims normal Chrome
 * behaviour against cdpmock and against a real headless Chromium, through
 * the self-check runner (selfcheck/scenrun.h), and compares what each
 * connection received.  Every difference is printed as a JSON path with
 * the two values; the exit status is 1 when one is not in the allow-list.
 * Not a conformance test of clients, and not a judge of the scenarios'
 * own expectations: those are the self-check's job. */
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "scenrun.h"
#include "wildcard.h"

/* Top-level keys of a scenario that models normal Chrome: nothing but what
 * it says and checks.  Anything else (rules, timelines, model knobs) makes
 * the mock deviate from Chrome on purpose. */
static const char *const dt_normal_keys[] = {"description", "check", "expect", NULL};

#define DT_MAX_RUN 64 /* a run of generated messages is collapsed to this */

/* ---- transcripts ---- */

struct dt_tx {
	json_t *conns; /* {"main": [{"in": MSG, "bytes": N} | {"out": {"id","method"}}], ...} */
	json_t *steps; /* [{"what", "passed", "why"}] */
};

static void dt_on_message(void *arg, const char *conn, int sent, const char *raw, size_t len,
			  int binary)
{
	struct dt_tx *t = arg;
	json_t *list = json_object_get(t->conns, conn);
	if (!list) {
		list = json_array();
		json_object_set_new(t->conns, conn, list);
	}
	json_t *j = json_loadb(raw, len, JSON_DECODE_ANY, NULL);
	if (!j)
		j = json_pack("{s:s%}", "$text", raw, len);
	json_t *e = json_pack("{s:o,s:I,s:b}", sent ? "out" : "in", j, "bytes", (json_int_t)len,
			      "binary", binary);
	json_array_append_new(list, e);
}

static void dt_on_step(void *arg, const char *path, const struct scenrun_step *s)
{
	struct dt_tx *t = arg;
	(void)path;
	json_array_append_new(t->steps, json_pack("{s:s,s:b,s:s?}", "what", s->what, "passed",
						  s->passed, "why", s->why));
}

struct dt_cfg {
	const char *mock, *chromium, *allow_path;
	json_t *allow;
	int verbose;
};

/* Runs path's check on cdpmock (chrome 0) or Chromium (1) into t. */
static enum scenrun_result dt_run(const struct dt_cfg *cfg, const char *path, int chrome,
				  struct dt_tx *t, struct buf *why)
{
	static const char *const chrome_args[] = {
	    "--headless",	     "--no-sandbox",	     "--disable-gpu",
	    "--disable-quic",	     "--no-first-run",	     "--disable-background-networking",
	    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
	    "about:blank",	     NULL};
	struct scenrun_opts o;
	memset(&o, 0, sizeof(o));
	t->conns = json_object();
	t->steps = json_array();
	o.on_message = dt_on_message;
	o.on_step = dt_on_step;
	o.arg = t;
	/* The steps' own time limits (and the runner's slack): a late message
	 * on a busy machine is caught by the second run (main()). */
	o.slow = 0;
	/* A step that fails on one side is a difference; the rest still are
	 * compared. */
	o.keep_going = 1;
	/* An extra event on one side shows in the transcripts; the steps
	 * after it still send when their reply came, as a client would. */
	o.lenient = 1;
	/* What came after the last step is compared too. */
	o.drain_ms = 500;
	if (chrome) {
		o.launch.bin = cfg->chromium;
		o.launch.args = chrome_args;
		o.launch.keep_dir = 1;
		o.launch.start_ms = 60000;
		o.launch.stop_ms = 15000;
		o.no_scenario = 1;
		o.any_exit = 1; /* SIGTERM ends Chromium with a status of its own */
	} else {
		o.launch.bin = cfg->mock;
	}
	return scenrun_file(path, &o, why);
}

static void dt_tx_clear(struct dt_tx *t)
{
	json_decref(t->conns);
	json_decref(t->steps);
	t->conns = t->steps = NULL;
}

/* ---- normalising and comparing ---- */

/* Keys whose numbers are times: compared by type only. */
static const char *const dt_time_keys[] = {
    "timestamp", "ts",	"tts",	 "time",     "wallTime", "startTime", "endTime", "dur",
    "tdur",	 "duration", "timeDeltas", "taskDuration", NULL};
/* Keys whose strings are ids that each browser makes its own. */
static const char *const dt_id_keys[] = {
    "sessionId", "targetId", "browserContextId", "frameId", "loaderId", "openerId",
    "openerFrameId", "stream", "handle", "dumpGuid", "uniqueId", "identifier", "scriptId",
    "executionContextUniqueId", "uuid", NULL};

/* Generated content: the shape is compared, not the values or counts. */
struct dt_gen {
	const char *label; /* "event M" or "reply M" */
	const char *path;  /* from the message */
};
static const struct dt_gen dt_generated[] = {
    {"event Tracing.dataCollected", ".params.value"},
    {"reply IO.read", ".result.data"},
    {"reply Profiler.stop", ".result.profile"},
    {"event Profiler.consoleProfileFinished", ".params.profile"},
    {"reply Profiler.takePreciseCoverage", ".result.result"},
    {"reply Profiler.getBestEffortCoverage", ".result.result"},
    {"reply Tracing.getCategories", ".result.categories"},
    {"reply Tracing.getTrackEventDescriptor", ".result.descriptor"},
    /* How full the buffer is depends on the browser's own traffic. */
    {"event Tracing.bufferUsage", ".params"},
    {NULL, NULL}};

/* Runs of these are one message: how many a browser sends is its own. */
static const char *const dt_runs[] = {"event Tracing.dataCollected", "reply IO.read",
				      "event Tracing.bufferUsage", NULL};

static int dt_in(const char *const *list, const char *s)
{
	for (size_t i = 0; s && list[i]; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

/* One side's ids, numbered in the order they first appear. */
struct dt_ids {
	json_t *map; /* id -> ordinal */
};

static json_int_t dt_id_ordinal(struct dt_ids *ids, const char *s)
{
	json_t *n = json_object_get(ids->map, s);
	if (n)
		return json_integer_value(n);
	json_int_t k = (json_int_t)json_object_size(ids->map) + 1;
	json_object_set_new(ids->map, s, json_integer(k));
	return k;
}

static regex_t dt_re_id, dt_re_host;

/* A string that names something one browser made: a GUID or a 32-hex id. */
static int dt_looks_like_id(const char *s)
{
	return !regexec(&dt_re_id, s, 0, NULL, 0);
}

/* s with every "127.0.0.1:PORT" made "127.0.0.1:PORT" literally. */
static char *dt_hostless(const char *s)
{
	struct buf b;
	regmatch_t m;
	buf_init(&b, 0);
	while (!regexec(&dt_re_host, s, 1, &m, 0)) {
		buf_add(&b, s, (size_t)m.rm_so);
		buf_adds(&b, "127.0.0.1:PORT");
		s += m.rm_eo;
	}
	buf_adds(&b, s);
	if (buf_finish(&b)) {
		buf_clear(&b);
		return strdup("");
	}
	return b.data ? b.data : strdup("");
}

struct dt_cmp {
	const char *scenario;
	struct dt_ids ids[2];
	const json_t *allow;
	json_t *used; /* allow entries that matched: index -> true */
	json_t *diffs; /* [{"path", "mock", "chromium", "allowed"}] */
};

static char *dt_show(const json_t *v)
{
	if (!v)
		return strdup("<absent>");
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s && strlen(s) > 200)
		memcpy(s + 190, "...(cut)", sizeof("...(cut)"));
	return s ? s : strdup("?");
}

static void dt_diff(struct dt_cmp *c, const char *path, const json_t *a, const json_t *b)
{
	const char *reason = NULL;
	size_t i;
	json_t *e;
	json_array_foreach(c->allow, i, e) {
		const char *sc = json_string_value(json_object_get(e, "scenario"));
		const char *p = json_string_value(json_object_get(e, "path"));
		if ((!sc || wildcard_match(sc, c->scenario)) && p && wildcard_match(p, path)) {
			reason = json_string_value(json_object_get(e, "reason"));
			char k[32];
			snprintf(k, sizeof(k), "%zu", i);
			json_object_set_new(c->used, k, json_true());
			break;
		}
	}
	/* An absent side is an absent key ("<absent>"), not JSON null. */
	json_t *d = json_pack("{s:s}", "path", path);
	if (a)
		json_object_set(d, "mock", (json_t *)a);
	if (b)
		json_object_set(d, "chromium", (json_t *)b);
	if (reason)
		json_object_set_new(d, "allowed", json_string(reason));
	json_array_append_new(c->diffs, d);
}

static void dt_diff_str(struct dt_cmp *c, const char *path, const char *a, const char *b)
{
	json_t *x = json_string(a), *y = json_string(b);
	dt_diff(c, path, x, y);
	json_decref(x);
	json_decref(y);
}

/* The JSON type, with integers and reals one "number" and true and false
 * one "boolean" (as JSON itself sees them). */
static int dt_type(const json_t *v)
{
	json_type t = json_typeof(v);
	return t == JSON_REAL ? JSON_INTEGER : t == JSON_FALSE ? JSON_TRUE : (int)t;
}

static void dt_compare(struct dt_cmp *c, const char *path, const char *key, const json_t *a,
		       const json_t *b, int shape_only);

/* The keys of both objects, in order: missing ones, then order, then each. */
static void dt_compare_objects(struct dt_cmp *c, const char *path, const json_t *a,
			       const json_t *b, int shape_only)
{
	struct buf ka, kb, sub;
	buf_init(&ka, 0);
	buf_init(&kb, 0);
	buf_init(&sub, 0);
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)a, k, v) {
		buf_printf(&ka, "%s%s", ka.len ? "," : "", k);
		buf_reset(&sub);
		buf_printf(&sub, "%s.%s", path, k);
		if (!json_object_get(b, k))
			dt_diff(c, sub.data, v, NULL);
	}
	json_object_foreach((json_t *)b, k, v) {
		buf_printf(&kb, "%s%s", kb.len ? "," : "", k);
		buf_reset(&sub);
		buf_printf(&sub, "%s.%s", path, k);
		if (!json_object_get(a, k))
			dt_diff(c, sub.data, NULL, v);
	}
	if (json_object_size(a) == json_object_size(b) && ka.len && strcmp(ka.data, kb.data)) {
		buf_reset(&sub);
		buf_printf(&sub, "%s (key order)", path);
		dt_diff_str(c, sub.data, ka.data, kb.data);
	}
	json_object_foreach((json_t *)a, k, v) {
		json_t *w = json_object_get(b, k);
		if (!w)
			continue;
		buf_reset(&sub);
		buf_printf(&sub, "%s.%s", path, k);
		dt_compare(c, sub.data, k, v, w, shape_only);
	}
	buf_clear(&ka);
	buf_clear(&kb);
	buf_clear(&sub);
}

static void dt_compare_arrays(struct dt_cmp *c, const char *path, const char *key,
			      const json_t *a, const json_t *b, int shape_only)
{
	size_t na = json_array_size(a), nb = json_array_size(b);
	char sub[1200];
	if (shape_only || dt_in(dt_time_keys, key)) {
		/* Generated: both empty or both not; the first element's shape. */
		if (!na != !nb) {
			json_t *x = json_integer((json_int_t)na), *y = json_integer((json_int_t)nb);
			snprintf(sub, sizeof(sub), "%s (length)", path);
			dt_diff(c, sub, x, y);
			json_decref(x);
			json_decref(y);
		} else if (na) {
			snprintf(sub, sizeof(sub), "%s[0]", path);
			dt_compare(c, sub, key, json_array_get(a, 0), json_array_get(b, 0), 1);
		}
		return;
	}
	if (na != nb) {
		json_t *x = json_integer((json_int_t)na), *y = json_integer((json_int_t)nb);
		snprintf(sub, sizeof(sub), "%s (length)", path);
		dt_diff(c, sub, x, y);
		json_decref(x);
		json_decref(y);
	}
	for (size_t i = 0; i < na && i < nb; i++) {
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		dt_compare(c, sub, key, json_array_get(a, i), json_array_get(b, i), 0);
	}
}

static void dt_compare(struct dt_cmp *c, const char *path, const char *key, const json_t *a,
		       const json_t *b, int shape_only)
{
	if (dt_type(a) != dt_type(b)) {
		dt_diff(c, path, a, b);
		return;
	}
	if (json_is_object(a)) {
		dt_compare_objects(c, path, a, b, shape_only);
		return;
	}
	if (json_is_array(a)) {
		dt_compare_arrays(c, path, key, a, b, shape_only);
		return;
	}
	if (json_is_number(a) && (shape_only || dt_in(dt_time_keys, key)))
		return;
	if (json_is_string(a)) {
		const char *x = json_string_value(a), *y = json_string_value(b);
		if (shape_only) {
			if (!*x != !*y)
				dt_diff(c, path, a, b);
			return;
		}
		if (dt_in(dt_id_keys, key) || dt_looks_like_id(x) || dt_looks_like_id(y)) {
			json_int_t ia = dt_id_ordinal(&c->ids[0], x), ib = dt_id_ordinal(&c->ids[1], y);
			if (ia != ib) {
				char sa[48], sb[48];
				snprintf(sa, sizeof(sa), "<id #%lld>", (long long)ia);
				snprintf(sb, sizeof(sb), "<id #%lld>", (long long)ib);
				dt_diff_str(c, path, sa, sb);
			}
			return;
		}
		char *hx = dt_hostless(x), *hy = dt_hostless(y);
		if (strcmp(hx, hy))
			dt_diff(c, path, a, b);
		free(hx);
		free(hy);
		return;
	}
	if (!json_equal((json_t *)a, (json_t *)b))
		dt_diff(c, path, a, b);
}

/* ---- messages: labels, runs, alignment ---- */

struct dt_msg {
	char label[200];
	const json_t *m; /* the message */
	const json_t *last; /* the last of a collapsed run, else m */
	size_t bytes;
	size_t count;
};

/* The received messages of one connection, labelled "reply M", "event M"
 * or "text", with runs of generated ones collapsed.  *n gets the count. */
static struct dt_msg *dt_messages(const json_t *list, size_t *n)
{
	struct dt_msg *out = calloc(json_array_size(list) + 1, sizeof(*out));
	json_t *methods = json_object(); /* id -> method of what was sent */
	size_t k = 0, i;
	json_t *e;
	*n = 0;
	if (!out) {
		json_decref(methods);
		return NULL;
	}
	json_array_foreach(list, i, e) {
		const json_t *o = json_object_get(e, "out"), *m = json_object_get(e, "in");
		if (o) {
			char id[32];
			snprintf(id, sizeof(id), "%lld",
				 (long long)json_integer_value(json_object_get(o, "id")));
			json_object_set(methods, id, json_object_get(o, "method"));
			continue;
		}
		struct dt_msg d = {.m = m, .last = m, .count = 1};
		d.bytes = (size_t)json_integer_value(json_object_get(e, "bytes"));
		const char *ev = json_string_value(json_object_get(m, "method"));
		const json_t *id = json_object_get(m, "id");
		if (ev) {
			snprintf(d.label, sizeof(d.label), "event %s", ev);
		} else if (json_is_integer(id)) {
			char ids[32];
			snprintf(ids, sizeof(ids), "%lld", (long long)json_integer_value(id));
			const char *meth = json_string_value(json_object_get(methods, ids));
			snprintf(d.label, sizeof(d.label), "reply %s", meth ? meth : "?");
		} else {
			snprintf(d.label, sizeof(d.label), "%s", json_object_get(m, "$text") ? "text" : "other");
		}
		if (k && dt_in(dt_runs, d.label) && !strcmp(out[k - 1].label, d.label) &&
		    out[k - 1].count < DT_MAX_RUN * 1000) {
			out[k - 1].last = m;
			out[k - 1].count++;
			continue;
		}
		out[k++] = d;
	}
	json_decref(methods);
	*n = k;
	return out;
}

/* Longest common subsequence of the labels: which messages pair up. */
static void dt_align(const struct dt_msg *a, size_t na, const struct dt_msg *b, size_t nb,
		     long *pair_a)
{
	size_t w = nb + 1;
	unsigned *L = calloc((na + 1) * w, sizeof(*L));
	for (size_t i = 0; i < na; i++)
		pair_a[i] = -1;
	if (!L)
		return;
	for (size_t i = na; i-- > 0;)
		for (size_t j = nb; j-- > 0;)
			L[i * w + j] = !strcmp(a[i].label, b[j].label)
					   ? L[(i + 1) * w + j + 1] + 1
					   : (L[(i + 1) * w + j] > L[i * w + j + 1] ? L[(i + 1) * w + j]
										    : L[i * w + j + 1]);
	size_t i = 0, j = 0;
	while (i < na && j < nb) {
		if (!strcmp(a[i].label, b[j].label)) {
			pair_a[i++] = (long)j++;
		} else if (L[(i + 1) * w + j] >= L[i * w + j + 1]) {
			i++;
		} else {
			j++;
		}
	}
	free(L);
}

static const char *dt_gen_path(const char *label)
{
	for (size_t i = 0; dt_generated[i].label; i++)
		if (!strcmp(dt_generated[i].label, label))
			return dt_generated[i].path;
	return NULL;
}

/* The object holding the generated part of msg at gen (".a.b.key"), and
 * the key; NULL when msg has no such part. */
static json_t *dt_gen_parent(json_t *msg, const char *gen, char key[64])
{
	json_t *p = msg;
	const char *s = gen + 1;
	for (;;) {
		size_t n = strcspn(s, ".");
		snprintf(key, 64, "%.*s", (int)n, s);
		if (!s[n])
			return json_object_get(p, key) ? p : NULL;
		p = json_object_get(p, key);
		s += n + 1;
	}
}

/* A copy of msg with its generated part (if any) set aside in *part (a
 * new reference) and replaced by "<generated>": the same placeholder on
 * both sides, so the key order around it is still compared. */
static json_t *dt_without_generated(const json_t *msg, const char *gen, json_t **part,
				    char key[64])
{
	json_t *m = json_deep_copy(msg);
	/* A reply's id is the client's numbering (how many IO.reads came
	 * before shifts it); the pairing already matched it to its command. */
	if (json_is_integer(json_object_get(m, "id")))
		json_object_set_new(m, "id", json_string("<id>"));
	json_t *parent = gen ? dt_gen_parent(m, gen, key) : NULL;
	*part = NULL;
	if (parent) {
		*part = json_incref(json_object_get(parent, key));
		json_object_set_new(parent, key, json_string("<generated>"));
	}
	return m;
}

/* Compares one pair of messages at path. */
static void dt_compare_msg(struct dt_cmp *c, const char *path, const struct dt_msg *x,
			   const struct dt_msg *y)
{
	const char *gen = dt_gen_path(x->label);
	char sub[1200], key[64];
	json_t *ga, *gb;
	json_t *ma = dt_without_generated(x->m, gen, &ga, key);
	json_t *mb = dt_without_generated(y->m, gen, &gb, key);
	if (ga && gb) {
		snprintf(sub, sizeof(sub), "%s%s", path, gen);
		dt_compare(c, sub, key, ga, gb, 1);
	}
	dt_compare(c, path, NULL, ma, mb, 0);
	json_decref(ga);
	json_decref(gb);
	json_decref(ma);
	json_decref(mb);
	if (x->last != x->m && y->last != y->m) {
		/* The end of a run (an IO.read's eof) is compared too. */
		snprintf(sub, sizeof(sub), "%s(last of run)", path);
		ma = dt_without_generated(x->last, gen, &ga, key);
		mb = dt_without_generated(y->last, gen, &gb, key);
		dt_compare(c, sub, NULL, ma, mb, 0);
		json_decref(ga);
		json_decref(gb);
		json_decref(ma);
		json_decref(mb);
	} else if (!gen && x->count == 1 && y->count == 1) {
		/* Sizes within bounds: ids and times may differ a little. */
		size_t big = x->bytes > y->bytes ? x->bytes : y->bytes;
		size_t d = x->bytes > y->bytes ? x->bytes - y->bytes : y->bytes - x->bytes;
		if (d > 64 && d * 4 > big) {
			json_t *p = json_integer((json_int_t)x->bytes), *q = json_integer((json_int_t)y->bytes);
			snprintf(sub, sizeof(sub), "%s (bytes)", path);
			dt_diff(c, sub, p, q);
			json_decref(p);
			json_decref(q);
		}
	}
}

static void dt_compare_conn(struct dt_cmp *c, const char *name, const json_t *la,
			    const json_t *lb)
{
	size_t na, nb;
	struct dt_msg *a = dt_messages(la, &na), *b = dt_messages(lb, &nb);
	long *pair = calloc(na + 1, sizeof(*pair));
	char *used = calloc(nb + 1, 1);
	char path[400];
	if (!a || !b || !pair || !used)
		goto out;
	dt_align(a, na, b, nb, pair);
	for (size_t i = 0; i < na; i++)
		if (pair[i] >= 0)
			used[pair[i]] = 1;
	/* In the mock's order, with Chromium's extra messages where they came. */
	size_t j = 0;
	for (size_t i = 0; i <= na; i++) {
		size_t upto = i < na && pair[i] >= 0 ? (size_t)pair[i] : i == na ? nb : j;
		for (; j < upto; j++) {
			if (used[j])
				continue;
			snprintf(path, sizeof(path), "$.%s[chromium %zu: %s]", name, j, b[j].label);
			dt_diff(c, path, NULL, b[j].m);
		}
		if (i == na)
			break;
		if (pair[i] < 0) {
			snprintf(path, sizeof(path), "$.%s[%zu: %s]", name, i, a[i].label);
			dt_diff(c, path, a[i].m, NULL);
			continue;
		}
		j = (size_t)pair[i] + 1;
		snprintf(path, sizeof(path), "$.%s[%zu: %s]", name, i, a[i].label);
		dt_compare_msg(c, path, &a[i], &b[pair[i]]);
	}
out:
	free(a);
	free(b);
	free(pair);
	free(used);
}

/* Compares two transcripts of one scenario into c->diffs: the first step
 * that passed on one side only (the later ones may only follow from it;
 * the messages themselves are all compared below), then each
 * connection's messages.  Returns 1 when a step differed. */
static int dt_compare_tx(struct dt_cmp *c, const struct dt_tx *m, const struct dt_tx *g)
{
	int stepped = 0;
	size_t n = json_array_size(m->steps) > json_array_size(g->steps)
		       ? json_array_size(m->steps)
		       : json_array_size(g->steps);
	for (size_t i = 0; i < n; i++) {
		const json_t *sa = json_array_get(m->steps, i), *sb = json_array_get(g->steps, i);
		if (json_equal(json_object_get(sa, "passed"), json_object_get(sb, "passed")))
			continue;
		char path[64];
		snprintf(path, sizeof(path), "$.steps[%zu]", i);
		json_t *x = sa ? json_pack("{s:O,s:O,s:O?}", "what", json_object_get(sa, "what"),
					   "passed", json_object_get(sa, "passed"), "why",
					   json_object_get(sa, "why"))
			       : NULL;
		json_t *y = sb ? json_pack("{s:O,s:O,s:O?}", "what", json_object_get(sb, "what"),
					   "passed", json_object_get(sb, "passed"), "why",
					   json_object_get(sb, "why"))
			       : NULL;
		dt_diff(c, path, x, y);
		json_decref(x);
		json_decref(y);
		stepped = 1;
		break;
	}
	const char *k;
	json_t *v;
	json_object_foreach(m->conns, k, v)
		dt_compare_conn(c, k, v, json_object_get(g->conns, k));
	json_object_foreach(g->conns, k, v)
		if (!json_object_get(m->conns, k))
			dt_compare_conn(c, k, NULL, v);
	return stepped;
}

/* ---- the run ---- */

/* Does the scenario at path claim normal Chrome behaviour (and have
 * steps)? */
static int dt_normal(const char *path)
{
	json_t *doc = json_load_file(path, 0, NULL);
	int ok = json_is_object(doc) &&
		 json_array_size(json_object_get(json_object_get(doc, "check"), "steps")) > 0 &&
		 !json_is_true(json_object_get(json_object_get(doc, "check"), "heavy"));
	const char *k;
	json_t *v;
	json_object_foreach(doc, k, v)
		if (!dt_in(dt_normal_keys, k))
			ok = 0;
	json_decref(doc);
	return ok;
}

/* One scenario, both sides; the differences go into c. */
static void dt_scenario(const struct dt_cfg *cfg, const char *path, struct dt_cmp *c)
{
	struct dt_tx m = {0}, g = {0};
	struct buf wm, wg;
	buf_init(&wm, 0);
	buf_init(&wg, 0);
	enum scenrun_result rm = dt_run(cfg, path, 0, &m, &wm);
	enum scenrun_result rg = dt_run(cfg, path, 1, &g, &wg);
	c->ids[0].map = json_object();
	c->ids[1].map = json_object();
	c->diffs = json_array();
	/* The verdict says more only when no step did (a server that did
	 * not start, or did not stop cleanly). */
	if (!dt_compare_tx(c, &m, &g) && (rm == SCENRUN_PASS) != (rg == SCENRUN_PASS)) {
		json_t *x = json_string(wm.data ? wm.data : "passed");
		json_t *y = json_string(wg.data ? wg.data : "passed");
		dt_diff(c, "$.verdict", x, y);
		json_decref(x);
		json_decref(y);
	}
	if (cfg->verbose) {
		char *a = json_dumps(m.conns, JSON_COMPACT), *b = json_dumps(g.conns, JSON_COMPACT);
		fprintf(stderr, "%s: mock %s\n%s: chromium %s\n", path, a, path, b);
		free(a);
		free(b);
	}
	json_decref(c->ids[0].map);
	json_decref(c->ids[1].map);
	dt_tx_clear(&m);
	dt_tx_clear(&g);
	buf_clear(&wm);
	buf_clear(&wg);
}

/* The number of differences not allowed. */
static size_t dt_unallowed(const json_t *diffs)
{
	size_t n = 0, i;
	json_t *d;
	json_array_foreach(diffs, i, d)
		n += !json_string_value(json_object_get(d, "allowed"));
	return n;
}

static int dt_has_path(const json_t *diffs, const char *path)
{
	size_t i;
	json_t *d;
	json_array_foreach(diffs, i, d)
		if (!strcmp(json_string_value(json_object_get(d, "path")), path))
			return 1;
	return 0;
}

static int dt_usage(void)
{
	fputs("usage: differential [--mock BIN] [--chromium BIN] [--allow FILE] [-v] [DIR|FILE...]\n"
	      "Runs the check steps of every scenario without rules, timelines or model knobs\n"
	      "against cdpmock and headless Chromium and prints where the two differ\n"
	      "(docs/differential.md).\n",
	      stderr);
	return 2;
}

static int dt_load_allow(struct dt_cfg *cfg)
{
	json_error_t e;
	cfg->allow = json_load_file(cfg->allow_path, 0, &e);
	if (!json_is_array(cfg->allow)) {
		fprintf(stderr, "differential: %s:%d: %s (an array of {scenario, path, reason})\n",
			cfg->allow_path, e.line, cfg->allow ? "not an array" : e.text);
		return -1;
	}
	size_t i;
	json_t *a;
	json_array_foreach(cfg->allow, i, a) {
		const char *r = json_string_value(json_object_get(a, "reason"));
		if (!json_is_string(json_object_get(a, "path")) || !r || strlen(r) < 10) {
			fprintf(stderr, "differential: %s: entry %zu needs a \"path\" and a "
					"\"reason\" that says why\n", cfg->allow_path, i);
			return -1;
		}
	}
	return 0;
}

/* The scenario files named by args (folders: their files). */
static json_t *dt_files(int argc, char **argv, int first)
{
	json_t *files = json_array();
	for (int i = first; i < argc || (i == first && first == argc); i++) {
		const char *arg = i < argc ? argv[i] : "scenarios";
		size_t len = strlen(arg);
		if (len > 5 && !strcmp(arg + len - 5, ".json")) {
			json_array_append_new(files, json_string(arg));
			continue;
		}
		size_t n;
		char **list = scenrun_list(arg, &n);
		for (size_t k = 0; list && k < n; k++) {
			json_array_append_new(files, json_string(list[k]));
			free(list[k]);
		}
		free(list);
		if (i == argc)
			break;
	}
	return files;
}

static void dt_print(const char *scen, const json_t *diffs, int only_unallowed)
{
	size_t i;
	json_t *d;
	json_array_foreach(diffs, i, d) {
		const char *why = json_string_value(json_object_get(d, "allowed"));
		if (only_unallowed && why)
			continue;
		char *a = dt_show(json_object_get(d, "mock")), *b = dt_show(json_object_get(d, "chromium"));
		printf("  %s %s: mock %s, chromium %s%s%s\n", why ? "allowed" : "DIFF   ",
		       json_string_value(json_object_get(d, "path")), a, b, why ? " -- " : "",
		       why ? why : "");
		free(a);
		free(b);
	}
	(void)scen;
}

int main(int argc, char **argv)
{
	struct dt_cfg cfg = {"build/cdpmock", "/usr/bin/chromium", "tests/differential/allow.json",
			     NULL, 0};
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--mock") && i + 1 < argc)
			cfg.mock = argv[++i];
		else if (!strcmp(argv[i], "--chromium") && i + 1 < argc)
			cfg.chromium = argv[++i];
		else if (!strcmp(argv[i], "--allow") && i + 1 < argc)
			cfg.allow_path = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			cfg.verbose = 1;
		else
			return dt_usage();
	}
	if (regcomp(&dt_re_id,
		    "^([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|"
		    "[0-9A-F]{32})$",
		    REG_EXTENDED | REG_NOSUB) ||
	    regcomp(&dt_re_host, "127\\.0\\.0\\.1:[0-9]+", REG_EXTENDED))
		return 2;
	if (dt_load_allow(&cfg))
		return 2;
	json_t *files = dt_files(argc, argv, i);
	size_t compared = 0, identical = 0, n_allowed = 0, n_bad = 0, k;
	json_t *f;
	json_t *used = json_object();
	json_array_foreach(files, k, f) {
		const char *path = json_string_value(f);
		if (!dt_normal(path))
			continue;
		const char *scen = strstr(path, "scenarios/") ? strstr(path, "scenarios/") + 10 : path;
		struct dt_cmp c = {.scenario = scen, .allow = cfg.allow, .used = used};
		dt_scenario(&cfg, path, &c);
		/* A loaded machine can make one run late: a difference counts only
		 * when a second run of both sides shows it again. */
		if (dt_unallowed(c.diffs)) {
			json_t *first = c.diffs;
			dt_scenario(&cfg, path, &c);
			json_t *again = c.diffs, *both = json_array();
			size_t q;
			json_t *d;
			json_array_foreach(again, q, d)
				if (json_string_value(json_object_get(d, "allowed")) ||
				    dt_has_path(first, json_string_value(json_object_get(d, "path"))))
					json_array_append(both, d);
			json_decref(first);
			json_decref(again);
			c.diffs = both;
		}
		compared++;
		size_t bad = dt_unallowed(c.diffs), all = json_array_size(c.diffs);
		identical += all == 0;
		n_allowed += all - bad;
		n_bad += bad;
		printf("%s: %s (%zu differences, %zu allowed)\n", scen,
		       all == 0 ? "identical" : bad ? "DIFFERENT" : "allowed differences only", all,
		       all - bad);
		dt_print(scen, c.diffs, 0);
		fflush(stdout);
		json_decref(c.diffs);
	}
	json_array_foreach(cfg.allow, k, f) {
		char key[32];
		snprintf(key, sizeof(key), "%zu", k);
		if (!json_object_get(used, key))
			printf("note: allow-list entry %zu (%s) matched nothing\n", k,
			       json_string_value(json_object_get(f, "path")));
	}
	printf("differential: %zu scenarios compared, %zu identical, %zu differences allowed, "
	       "%zu not allowed\n", compared, identical, n_allowed, n_bad);
	json_decref(used);
	json_decref(files);
	json_decref(cfg.allow);
	regfree(&dt_re_id);
	regfree(&dt_re_host);
	return n_bad || !compared ? 1 : 0;
}
