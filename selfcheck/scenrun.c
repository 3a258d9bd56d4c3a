/* scenrun.c - the step runner's core (see scenrun.h): the variables and
 * patterns of a check, each connection's queue of messages read, and the
 * steps that send and expect messages.  Each step reads or writes through
 * a per-connection queue so that a step may look at messages another step
 * put back.  Streams and traces are scenrun_io.c's; a whole file, from the
 * server's start to the verdict, is scenrun_file.c's. */
#include "scenrun_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cdpclient.h"
#include "cdpm.h"
#include "jsubset.h"
#include "wildcard.h"

int64_t sr_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sr_fail(struct sr *r, const char *fmt, ...)
{
	char text[2048];
	va_list ap;
	if (r->why.len)
		return -1; /* the first reason is the one that explains */
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	buf_adds(&r->why, text);
	return -1;
}

/* ---- variables ---- */

static json_t *sr_var(struct sr *r, const char *name)
{
	for (size_t i = 0; i < r->n_vars; i++)
		if (!strcmp(r->var_name[i], name))
			return r->var_value[i];
	return NULL;
}

static void sr_set_var(struct sr *r, const char *name, json_t *v)
{
	for (size_t i = 0; i < r->n_vars; i++) {
		if (!strcmp(r->var_name[i], name)) {
			json_decref(r->var_value[i]);
			r->var_value[i] = json_incref(v);
			return;
		}
	}
	if (r->n_vars < SR_MAX_VARS) {
		r->var_name[r->n_vars] = strdup(name);
		r->var_value[r->n_vars++] = json_incref(v);
	}
}

/* "$sid", "$page", "$browser", "${name}": a substituted value, or NULL. */
static json_t *sr_subst_string(struct sr *r, struct sr_conn *k, const char *s)
{
	if (!strcmp(s, "$sid"))
		return json_string(k ? k->sid : "");
	if (!strcmp(s, "$page"))
		return json_string(r->srv.page_id);
	if (!strcmp(s, "$browser"))
		return json_string(r->srv.browser_id);
	size_t n = strlen(s);
	if (n > 3 && s[0] == '$' && s[1] == '{' && s[n - 1] == '}') {
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(n - 3), s + 2);
		json_t *v = sr_var(r, name);
		return v ? json_incref(v) : NULL;
	}
	return NULL;
}

/* A deep copy of v with substitutions made. */
json_t *sr_subst(struct sr *r, struct sr_conn *k, const json_t *v)
{
	if (json_is_string(v)) {
		json_t *s = sr_subst_string(r, k, json_string_value(v));
		return s ? s : json_incref((json_t *)v);
	}
	if (json_is_object(v)) {
		json_t *o = json_object();
		const char *key;
		json_t *m;
		json_object_foreach((json_t *)v, key, m)
		json_object_set_new(o, key, sr_subst(r, k, m));
		return o;
	}
	if (json_is_array(v)) {
		json_t *a = json_array();
		for (size_t i = 0; i < json_array_size(v); i++)
			json_array_append_new(a, sr_subst(r, k, json_array_get(v, i)));
		return a;
	}
	return json_incref((json_t *)v);
}

/* ---- matching ---- */

static int sr_type_ok(const char *t, const json_t *v)
{
	if (!strcmp(t, "$string"))
		return json_is_string(v);
	if (!strcmp(t, "$number"))
		return json_is_number(v);
	if (!strcmp(t, "$object"))
		return json_is_object(v);
	if (!strcmp(t, "$array"))
		return json_is_array(v);
	if (!strcmp(t, "$bool"))
		return json_is_boolean(v);
	return -1;
}

struct sr_pat {
	struct sr *r;
	struct sr_conn *k;
};

/* The special strings of a pattern ("$any", "$save:NAME", "${NAME}", ...);
 * anything else is left to the subset rule. */
static int sr_pattern(void *ctx, const json_t *pat, const json_t *v, const char *path,
		      struct buf *why)
{
	struct sr_pat *p = ctx;
	if (!json_is_string(pat) || json_string_value(pat)[0] != '$')
		return JSUBSET_PASS;
	const char *s = json_string_value(pat);
	int t = sr_type_ok(s, v);
	if (!strcmp(s, "$absent")) {
		if (v)
			buf_printf(why, "%s: expected no value", path);
		return v ? JSUBSET_NO : JSUBSET_YES;
	}
	if (!v) {
		buf_printf(why, "%s: missing", path);
		return JSUBSET_NO;
	}
	if (!strcmp(s, "$any"))
		return JSUBSET_YES;
	if (t >= 0) {
		if (!t)
			buf_printf(why, "%s: expected %s", path, s + 1);
		return t ? JSUBSET_YES : JSUBSET_NO;
	}
	if (!strncmp(s, "$save:", 6)) {
		sr_set_var(p->r, s + 6, (json_t *)v);
		return JSUBSET_YES;
	}
	if (!strcmp(s, "$id")) {
		if (json_is_integer(v) && json_integer_value(v) == p->k->last_id)
			return JSUBSET_YES;
		buf_printf(why, "%s: expected the last id %d", path, p->k->last_id);
		return JSUBSET_NO;
	}
	json_t *want = sr_subst_string(p->r, p->k, s);
	if (!want)
		return JSUBSET_PASS;
	int ok = json_equal(want, v);
	if (!ok)
		buf_printf(why, "%s: expected %s", path, s);
	json_decref(want);
	return ok ? JSUBSET_YES : JSUBSET_NO;
}

int sr_match(struct sr *r, struct sr_conn *k, const json_t *pat, const json_t *v,
		    const char *path, struct buf *why)
{
	struct sr_pat p = {r, k};
	struct jsubset_opts o = {sr_pattern, &p, why, path};
	return jsubset_match_ex(pat, v, &o);
}

/* ---- reading ---- */

void sr_msg_free(struct sr_msg *m)
{
	if (!m)
		return;
	json_decref(m->j);
	free(m->raw);
	free(m);
}

/* The next message on k: 0 (with *out), CDPM_EAGAIN, or CDPM_ECLOSED. */
static int sr_read(struct sr_conn *k, int timeout_ms, struct sr_msg **out)
{
	*out = NULL;
	if (k->q) {
		*out = k->q;
		k->q = k->q->next;
		if (!k->q)
			k->q_tail = NULL;
		return 0;
	}
	if (k->closed)
		return CDPM_ECLOSED;
	json_t *j = NULL;
	int rc = cdpc_next(k->c, timeout_ms, &j);
	if (rc == CDPM_EAGAIN)
		return rc;
	if (rc && rc != CDPM_EPROTO) {
		k->closed = 1;
		return CDPM_ECLOSED;
	}
	struct sr_msg *m = calloc(1, sizeof(*m));
	size_t len;
	const char *raw = cdpc_last_raw(k->c, &len);
	m->j = j;
	m->raw = malloc(len + 1);
	memcpy(m->raw, raw, len);
	m->raw[len] = '\0';
	m->len = len;
	m->binary = cdpc_last_binary(k->c);
	if (k->opts && k->opts->on_message)
		k->opts->on_message(k->opts->arg, k->name, 0, m->raw, m->len, m->binary);
	*out = m;
	return 0;
}

void sr_drain(struct sr *r, int quiet_ms)
{
	for (size_t i = 0; i < r->n_conns; i++) {
		struct sr_msg *m;
		while (!sr_read(&r->conns[i], quiet_ms, &m))
			sr_msg_free(m);
	}
}

static void sr_unread(struct sr_conn *k, struct sr_msg *m)
{
	m->next = k->q;
	k->q = m;
	if (!k->q_tail)
		k->q_tail = m;
}

static int sr_skipped(const json_t *step, const struct sr_msg *m)
{
	const json_t *skip = json_object_get(step, "skip");
	const char *method = m->j ? json_string_value(json_object_get(m->j, "method")) : NULL;
	for (size_t i = 0; i < json_array_size(skip); i++) {
		const char *g = json_string_value(json_array_get(skip, i));
		if (!strcmp(g, "*") || (method && wildcard_match(g, method)))
			return 1;
	}
	return 0;
}

/* The next message that the step does not skip, within deadline. */
int sr_next(struct sr_conn *k, const json_t *step, int64_t deadline, struct sr_msg **out)
{
	for (;;) {
		int64_t left = deadline - sr_ms();
		int rc = sr_read(k, left > 0 ? (int)left : 0, out);
		if (rc)
			return rc;
		if (!sr_skipped(step, *out))
			return 0;
		sr_msg_free(*out);
		*out = NULL;
	}
}

/* ---- steps ---- */

/* Tells on_message about a command sent on k. */
void sr_sent(struct sr_conn *k, const char *method, int id, const char *sid)
{
	if (!k->opts || !k->opts->on_message)
		return;
	json_t *j = json_pack("{s:i,s:s}", "id", id, "method", method);
	if (sid)
		json_object_set_new(j, "sessionId", json_string(sid));
	char *text = json_dumps(j, JSON_COMPACT);
	if (text)
		k->opts->on_message(k->opts->arg, k->name, 1, text, strlen(text), 0);
	free(text);
	json_decref(j);
}

struct sr_conn *sr_conn(struct sr *r, const json_t *step)
{
	const char *name = json_string_value(json_object_get(step, "conn"));
	if (!name)
		name = "main";
	for (size_t i = 0; i < r->n_conns; i++)
		if (!strcmp(r->conns[i].name, name))
			return &r->conns[i];
	return NULL;
}

int sr_within(const struct sr *r, const json_t *step)
{
	const json_t *w = json_object_get(step, "withinMs");
	double ms = w ? json_number_value(w) + SCENRUN_SLACK_MS : SR_DEFAULT_WITHIN_MS;
	return (int)(r->slow ? ms * 10 : ms);
}

int sr_connect(struct sr *r, const json_t *step)
{
	const char *what = json_string_value(json_object_get(step, "connect"));
	const char *as = json_string_value(json_object_get(step, "as"));
	if (r->n_conns == SR_MAX_CONNS)
		return sr_fail(r, "too many connections");
	struct sr_conn *k = &r->conns[r->n_conns];
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", as ? as : "main");
	struct cdpc_opts o;
	memset(&o, 0, sizeof(o));
	o.page = !strcmp(what, "page");
	o.max_message = (size_t)json_integer_value(json_object_get(step, "maxMessage"));
	if (r->slow)
		o.connect_timeout_ms = CDPC_DEFAULT_CONNECT_TIMEOUT_MS * 10;
	struct buf err;
	buf_init(&err, 0);
	int rc = cdpc_connect(r->srv.endpoint, &o, &k->c, &err);
	if (rc) {
		sr_fail(r, "cannot connect: %s", err.data ? err.data : cdpm_strerror(rc));
		buf_clear(&err);
		return -1;
	}
	buf_clear(&err);
	k->opts = r->opts;
	r->n_conns++;
	return 0;
}

int sr_send(struct sr *r, const json_t *step)
{
	struct sr_conn *k = sr_conn(r, step);
	if (!k)
		return sr_fail(r, "no such connection");
	const char *method = json_string_value(json_object_get(step, "send"));
	const char *session = json_string_value(json_object_get(step, "session"));
	const char *sid = k->sid[0] ? k->sid : NULL;
	if (session && (!strcmp(session, "root") || !strcmp(session, "none")))
		sid = NULL;
	else if (session && strcmp(session, "page"))
		sid = session;
	json_t *p = json_object_get(step, "params");
	json_t *params = p ? sr_subst(r, k, p) : NULL;
	int rc = cdpc_send(k->c, method, params, sid, &k->last_id);
	json_decref(params);
	if (!rc)
		sr_sent(k, method, k->last_id, sid);
	return rc ? sr_fail(r, "send %s: %s", method, cdpm_strerror(rc)) : 0;
}

void sr_called(struct sr_conn *k, const char *method, const char *sid)
{
	if (!k->opts || !k->opts->on_message)
		return;
	size_t len;
	const char *raw = cdpc_last_raw(k->c, &len);
	json_t *j = raw ? json_loadb(raw, len, 0, NULL) : NULL;
	json_t *id = json_object_get(j, "id");
	if (json_is_integer(id)) {
		sr_sent(k, method, (int)json_integer_value(id), sid);
		k->opts->on_message(k->opts->arg, k->name, 0, raw, len, cdpc_last_binary(k->c));
	}
	json_decref(j);
}

int sr_send_text(struct sr *r, const json_t *step)
{
	struct sr_conn *k = sr_conn(r, step);
	if (!k)
		return sr_fail(r, "no such connection");
	const json_t *t = json_object_get(step, "sendText");
	size_t frag = (size_t)json_integer_value(json_object_get(step, "fragment"));
	unsigned flags = json_is_true(json_object_get(step, "binary")) ? CDPC_SEND_BINARY : 0;
	int rc = cdpc_send_raw(k->c, json_string_value(t), json_string_length(t), frag, flags);
	if (!rc && k->opts && k->opts->on_message)
		k->opts->on_message(k->opts->arg, k->name, 1, json_string_value(t),
				    json_string_length(t), !!flags);
	return rc ? sr_fail(r, "sendText: %s", cdpm_strerror(rc)) : 0;
}

int sr_attach(struct sr *r, const json_t *step)
{
	struct sr_conn *k = sr_conn(r, step);
	if (!k)
		return sr_fail(r, "no such connection");
	const char *t = json_string_value(json_object_get(step, "attach"));
	json_t *params = json_pack("{s:s,s:b}", "targetId",
				   !strcmp(t, "page")	   ? r->srv.page_id
				   : !strcmp(t, "browser") ? r->srv.browser_id
							   : t,
				   "flatten", 1);
	int id, rc = cdpc_send(k->c, "Target.attachToTarget", params, NULL, &id);
	json_decref(params);
	if (!rc)
		sr_sent(k, "Target.attachToTarget", id, NULL);
	if (rc)
		return sr_fail(r, "attach: %s", cdpm_strerror(rc));
	/* Read up to the reply; the attachedToTarget before it is consumed,
	 * anything else is kept for later steps. */
	struct sr_msg *keep[64], *m;
	size_t n_keep = 0;
	int64_t deadline = sr_ms() + sr_within(r, step);
	for (;;) {
		int64_t left = deadline - sr_ms();
		if ((rc = sr_read(k, left > 0 ? (int)left : 0, &m))) {
			while (n_keep)
				sr_msg_free(keep[--n_keep]);
			return sr_fail(r, "attach: no reply (%s)", cdpm_strerror(rc));
		}
		const json_t *mid = m->j ? json_object_get(m->j, "id") : NULL;
		const char *meth = m->j ? json_string_value(json_object_get(m->j, "method")) : NULL;
		if (json_is_integer(mid) && json_integer_value(mid) == id) {
			const char *s = json_string_value(
			    json_object_get(json_object_get(m->j, "result"), "sessionId"));
			if (!s) {
				sr_msg_free(m);
				return sr_fail(r, "attach: the reply has no sessionId");
			}
			snprintf(k->sid, sizeof(k->sid), "%s", s);
			sr_msg_free(m);
			break;
		}
		if (meth && !strcmp(meth, "Target.attachedToTarget")) {
			sr_msg_free(m);
			continue;
		}
		if (n_keep < 64)
			keep[n_keep++] = m;
		else
			sr_msg_free(m);
	}
	/* Put the kept ones back, in order. */
	while (n_keep)
		sr_unread(k, keep[--n_keep]);
	return 0;
}

static int sr_check_bytes(struct sr *r, const json_t *step, const struct sr_msg *m)
{
	const json_t *mn = json_object_get(step, "minBytes"), *mx = json_object_get(step, "maxBytes");
	if (mn && m->len < (size_t)json_integer_value(mn))
		return sr_fail(r, "the message has %zu bytes, expected at least %lld", m->len,
			       (long long)json_integer_value(mn));
	if (mx && m->len > (size_t)json_integer_value(mx))
		return sr_fail(r, "the message has %zu bytes, expected at most %lld", m->len,
			       (long long)json_integer_value(mx));
	const json_t *bin = json_object_get(step, "binary");
	if (bin && json_is_true(bin) != !!m->binary)
		return sr_fail(r, "expected a %s frame", json_is_true(bin) ? "binary" : "text");
	return 0;
}

/* Under scenrun_opts.lenient: is m what the expect pattern pat is about
 * (the reply with its id, the event with its method)?  Anything else is
 * passed over. */
static int sr_candidate(const struct sr_conn *k, const json_t *pat, const struct sr_msg *m)
{
	const json_t *pid = json_object_get(pat, "id"), *pm = json_object_get(pat, "method");
	if (!m->j || !json_is_object(pat))
		return 1;
	if (json_is_string(pm))
		return json_equal(pm, json_object_get(m->j, "method"));
	if (pid) {
		const json_t *id = json_object_get(m->j, "id");
		if (json_is_string(pid) && !strcmp(json_string_value(pid), "$id"))
			return json_is_integer(id) && json_integer_value(id) == k->last_id;
		return json_is_integer(pid) ? json_equal(pid, id) : 1;
	}
	return 1;
}

int sr_expect(struct sr *r, const json_t *step, int64_t started)
{
	struct sr_conn *k = sr_conn(r, step);
	struct sr_msg *m;
	if (!k)
		return sr_fail(r, "no such connection");
	int rc = sr_next(k, step, started + sr_within(r, step), &m);
	while (!rc && r->opts && r->opts->lenient &&
	       !sr_candidate(k, json_object_get(step, "expect"), m)) {
		sr_msg_free(m);
		rc = sr_next(k, step, started + sr_within(r, step), &m);
	}
	char *want = json_dumps(json_object_get(step, "expect"), JSON_COMPACT);
	if (rc == CDPM_EAGAIN) {
		sr_fail(r, "expected %.300s, got nothing within %d ms", want, sr_within(r, step));
		free(want);
		return -1;
	}
	if (rc) {
		sr_fail(r, "expected %.300s, got the connection closed", want);
		free(want);
		return -1;
	}
	int64_t took = sr_ms() - started;
	const json_t *after = json_object_get(step, "afterMs");
	struct buf why;
	buf_init(&why, 0);
	if (!m->j)
		rc = sr_fail(r, "expected %.300s, got invalid JSON %.200s", want, m->raw);
	else if (!sr_match(r, k, json_object_get(step, "expect"), m->j, "", &why))
		rc = sr_fail(r, "expected %.300s, got %.300s (%s)", want, m->raw, why.data);
	else if (after && took < (int64_t)json_number_value(after) - SCENRUN_SLACK_MS / 3)
		rc = sr_fail(r, "%.200s came after %lld ms, expected at least %g", want,
			     (long long)took, json_number_value(after));
	else
		rc = sr_check_bytes(r, step, m);
	buf_clear(&why);
	free(want);
	sr_msg_free(m);
	return rc;
}

int sr_expect_invalid(struct sr *r, const json_t *step, int64_t started)
{
	struct sr_conn *k = sr_conn(r, step);
	struct sr_msg *m;
	if (!k)
		return sr_fail(r, "no such connection");
	int rc = sr_next(k, step, started + sr_within(r, step), &m);
	if (rc == CDPM_ECLOSED)
		return 0; /* the client refused the bytes: the connection is gone */
	if (rc)
		return sr_fail(r, "expected an invalid message, got nothing within %d ms",
			       sr_within(r, step));
	rc = m->j ? sr_fail(r, "expected an invalid message, got %.300s", m->raw)
		  : sr_check_bytes(r, step, m);
	sr_msg_free(m);
	return rc;
}

int sr_expect_close(struct sr *r, const json_t *step, int64_t started)
{
	struct sr_conn *k = sr_conn(r, step);
	struct sr_msg *m;
	if (!k)
		return sr_fail(r, "no such connection");
	int rc = sr_next(k, step, started + sr_within(r, step), &m);
	if (!rc) {
		rc = sr_fail(r, "expected the connection to close, got %.300s", m->raw);
		sr_msg_free(m);
		return rc;
	}
	if (rc == CDPM_EAGAIN)
		return sr_fail(r, "expected the connection to close, it stayed open for %d ms",
			       sr_within(r, step));
	const json_t *after = json_object_get(step, "afterMs");
	int64_t took = sr_ms() - started;
	if (after && took < (int64_t)json_number_value(after) - SCENRUN_SLACK_MS / 3)
		return sr_fail(r, "closed after %lld ms, expected at least %g", (long long)took,
			       json_number_value(after));
	const json_t *code = json_object_get(step, "expectClose");
	if (json_is_integer(code) && cdpc_close_code(k->c) != json_integer_value(code))
		return sr_fail(r, "closed with code %d, expected %lld", cdpc_close_code(k->c),
			       (long long)json_integer_value(code));
	return 0;
}

int sr_quiet(struct sr *r, const json_t *step)
{
	struct sr_conn *k = sr_conn(r, step);
	struct sr_msg *m;
	if (!k)
		return sr_fail(r, "no such connection");
	int64_t ms = (int64_t)json_number_value(json_object_get(step, "quiet"));
	int rc = sr_next(k, step, sr_ms() + ms, &m);
	if (rc == CDPM_EAGAIN)
		return 0;
	if (rc)
		return sr_fail(r, "expected quiet, the connection closed");
	rc = sr_fail(r, "expected quiet, got %.300s", m->raw);
	sr_msg_free(m);
	return rc;
}

void sr_clear(struct sr *r)
{
	for (size_t i = 0; i < r->n_conns; i++) {
		struct sr_conn *k = &r->conns[i];
		while (k->q) {
			struct sr_msg *m = k->q;
			k->q = m->next;
			sr_msg_free(m);
		}
		cdpc_free(k->c);
	}
	for (size_t i = 0; i < r->n_vars; i++) {
		free(r->var_name[i]);
		json_decref(r->var_value[i]);
	}
}

