/* runtime.c - the Runtime domain of a page target, without a JavaScript
 * engine: execution contexts (runtime.h); a Runtime.evaluate that
 * recognises console.profile / console.profileEnd calls with string-literal
 * titles (docs/chrome.md §6.4); and results for Runtime.evaluate and
 * Runtime.callFunctionOn that the scenario scripts (runtime.results), else
 * an expression's literal value, else undefined. */
#include "domains/runtime.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "net/conn.h"
#include "numfmt.h"
#include "domains/pagestate.h"
#include "domains/profiler.h"
#include "domains/remote.h"
#include "journal.h"
#include "jsonw.h"
#include "scenario/scenario.h"
#include "wildcard.h"
#include "cdp/router.h"
#include "cdp/slots.h"
#include "cdp/targets.h"

/* Runtime keeps one bit per session, so its slot holds this sentinel
 * instead of an allocation. */
static char runtime_on;

int runtime_enabled(const struct session *s)
{
	return s->dom[SLOT_RUNTIME] == &runtime_on;
}

static void runtime_context_params(struct buf *p, struct pagestate *pt,
				   const struct pagestate_context *ctx)
{
	struct pagestate_url u;
	pagestate_url(pt->target->url, &u);
	buf_reset(p);
	buf_printf(p, "{\"context\":{\"id\":%d,\"origin\":", ctx->id);
	buf_add_json_str(p, u.origin, strlen(u.origin), 1);
	buf_adds(p, ",\"name\":");
	buf_add_json_str(p, ctx->name, strlen(ctx->name), 1);
	buf_printf(p,
		   ",\"uniqueId\":\"%s\",\"auxData\":{\"isDefault\":%s,\"type\":\"%s\","
		   "\"frameId\":\"%s\"}}}",
		   ctx->unique_id, ctx->is_default ? "true" : "false",
		   ctx->is_default ? "default" : "isolated", pt->target->id);
}

/* Params that failed to build are noted in each session's journal instead. */
static void runtime_broadcast(struct pagestate *pt, const char *method, const struct buf *p)
{
	struct target *t = pt->target;
	int rc = buf_finish(p);
	for (struct session *s = pagestate_each_session(t, NULL); s;
	     s = pagestate_each_session(t, s)) {
		if (!runtime_enabled(s))
			continue;
		if (rc)
			journal_note(conn_id(s->conn), "%s not sent: %s", method, cdpm_strerror(rc));
		else
			call_event_raw(s, method, p->data, p->len);
	}
}

/* Sends Runtime.executionContextCreated for ctx. */
static void runtime_context_created(struct pagestate *pt, const struct pagestate_context *ctx)
{
	struct buf p;
	buf_init(&p, 0);
	runtime_context_params(&p, pt, ctx);
	runtime_broadcast(pt, "Runtime.executionContextCreated", &p);
	buf_clear(&p);
}

int runtime_context_new(struct pagestate *pt, const char *name, int is_default,
			const struct pagestate_context **out)
{
	const struct pagestate_context *ctx;
	int rc = pagestate_context_new(pt, name, is_default, &ctx);
	if (rc)
		return rc;
	if (out)
		*out = ctx;
	runtime_context_created(pt, ctx);
	return 0;
}

void runtime_document_cleared(struct pagestate *pt)
{
	struct buf p;
	buf_init(&p, 0);
	buf_adds(&p, "{}");
	pt->nctx = 0;
	runtime_broadcast(pt, "Runtime.executionContextsCleared", &p);
	buf_clear(&p);
}

void runtime_document_created(struct pagestate *pt)
{
	/* Making them all before announcing any sends the same events: an
	 * announcement reads only its own context and the page's URL. */
	size_t from = pt->nctx;
	pagestate_document_contexts(pt);
	for (size_t i = from; i < pt->nctx; i++)
		runtime_context_created(pt, &pt->ctx[i]);
}

static int runtime_enable(struct call *c)
{
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!pt)
		return CDPM_ENOMEM;
	if (!runtime_enabled(c->session)) {
		/* V8 reports every existing context before the reply. */
		struct buf p;
		int rc = 0;
		buf_init(&p, 0);
		c->session->dom[SLOT_RUNTIME] = &runtime_on;
		for (size_t i = 0; i < pt->nctx && !rc; i++) {
			runtime_context_params(&p, pt, &pt->ctx[i]);
			rc = buf_finish(&p);
			if (!rc)
				call_event_raw(c->session, "Runtime.executionContextCreated",
						  p.data, p.len);
		}
		buf_clear(&p);
		if (rc)
			return rc;
	}
	return call_reply(c, NULL);
}

static int runtime_disable(struct call *c)
{
	c->session->dom[SLOT_RUNTIME] = NULL;
	return call_reply(c, NULL);
}

static void runtime_session_gone(struct session *s)
{
	s->dom[SLOT_RUNTIME] = NULL;
}

/* ---- Runtime.evaluate: a scanner that finds console.profile calls. ---- */

#define RUNTIME_MAX_TITLE 4096

struct runtime_scan {
	const char *p, *end;
	int32_t line, col; /* 0-based, col in UTF-16 code units as V8 counts */
	struct pagestate *pt;
	char script_id[16];
	int calls; /* console.profile* calls recognised */
};

static int runtime_at(const struct runtime_scan *sc, size_t k)
{
	return sc->p + k < sc->end ? (unsigned char)sc->p[k] : -1;
}

/* Moves one byte on, keeping line and column. */
static void runtime_step(struct runtime_scan *sc)
{
	unsigned char ch = (unsigned char)*sc->p++;
	if (ch == '\n' || (ch == '\r' && runtime_at(sc, 0) != '\n')) {
		sc->line++;
		sc->col = 0;
	} else if (ch < 0x80 || ch >= 0xc0) {
		/* A code point; those outside the BMP take two UTF-16 units. */
		sc->col += ch >= 0xf0 ? 2 : 1;
	}
}

static int runtime_ident_start(int ch)
{
	return ch == '_' || ch == '$' || (ch >= 0 && isalpha(ch)) || ch >= 0x80;
}

static int runtime_ident_part(int ch)
{
	return runtime_ident_start(ch) || (ch >= 0 && isdigit(ch));
}

/* Skips blanks and comments. */
static void runtime_skip_space(struct runtime_scan *sc)
{
	for (;;) {
		int ch = runtime_at(sc, 0);
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' ||
		    ch == '\f') {
			runtime_step(sc);
		} else if (ch == '/' && runtime_at(sc, 1) == '/') {
			while (sc->p < sc->end && *sc->p != '\n')
				runtime_step(sc);
		} else if (ch == '/' && runtime_at(sc, 1) == '*') {
			runtime_step(sc);
			runtime_step(sc);
			while (sc->p < sc->end &&
			       !(runtime_at(sc, 0) == '*' && runtime_at(sc, 1) == '/'))
				runtime_step(sc);
			if (sc->p < sc->end) {
				runtime_step(sc);
				runtime_step(sc);
			}
		} else {
			return;
		}
	}
}

static size_t runtime_ident(const struct runtime_scan *sc)
{
	size_t n = 0;
	if (!runtime_ident_start(runtime_at(sc, 0)))
		return 0;
	while (runtime_ident_part(runtime_at(sc, n)))
		n++;
	return n;
}

/* Appends code point cp as UTF-8 (out NULL: nowhere).  0 or the buf error. */
static int runtime_put_utf8(struct buf *out, unsigned long cp)
{
	char u[4];
	size_t n;
	if (!out)
		return 0;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_add(out, u, n);
}

/* Hex digits at p (up to max of them, exactly max unless braced). */
static long runtime_hex(const char *p, const char *end, int max, int *used)
{
	long v = 0;
	int n = 0;
	for (; n < max && p + n < end && isxdigit((unsigned char)p[n]); n++)
		v = v * 16 + (isdigit((unsigned char)p[n]) ? p[n] - '0' : (p[n] | 0x20) - 'a' + 10);
	*used = n;
	return v;
}

/* One escape sequence after the backslash, decoded into out (NULL: just
 * measured); returns the bytes used, 0 if malformed. */
static size_t runtime_escape(const char *p, const char *end, struct buf *out)
{
	static const char from[] = "nrtbfv0", to[] = "\n\r\t\b\f\v";
	int used;
	long v;
	if (p >= end)
		return 0;
	const char *k = strchr(from, *p);
	if (k && *p) {
		return runtime_put_utf8(out, k - from == 6 ? 0 : (unsigned long)to[k - from]) ? 0
											      : 1;
	}
	if (*p == 'x') {
		v = runtime_hex(p + 1, end, 2, &used);
		if (used != 2)
			return 0;
		return runtime_put_utf8(out, (unsigned long)v) ? 0 : 3;
	}
	if (*p == 'u' && p + 1 < end && p[1] == '{') {
		v = runtime_hex(p + 2, end, 6, &used);
		if (!used || p + 2 + used >= end || p[2 + used] != '}' || v > 0x10ffff)
			return 0;
		return runtime_put_utf8(out, (unsigned long)v) ? 0 : (size_t)used + 3;
	}
	if (*p == 'u') {
		v = runtime_hex(p + 1, end, 4, &used);
		if (used != 4)
			return 0;
		return runtime_put_utf8(out, (unsigned long)v) ? 0 : 5;
	}
	if (*p == '\n')
		return 1; /* a line continuation */
	return out && buf_addc(out, *p) ? 0 : 1;
}

/* Reads a string literal at the cursor into out (when not NULL) and moves
 * past it.  Template literals with substitutions are not literals here.
 * Returns 1 for a well-formed literal. */
static int runtime_string(struct runtime_scan *sc, struct buf *out)
{
	char q = *sc->p;
	int ok = 1;
	runtime_step(sc);
	while (sc->p < sc->end && *sc->p != q) {
		if (q != '`' && (*sc->p == '\n' || *sc->p == '\r'))
			return 0;
		if (q == '`' && *sc->p == '$' && runtime_at(sc, 1) == '{')
			ok = 0;
		if (*sc->p == '\\') {
			runtime_step(sc);
			size_t n = runtime_escape(sc->p, sc->end, out);
			if (!n)
				ok = 0;
			for (size_t i = 0; i < n && sc->p < sc->end; i++)
				runtime_step(sc);
			continue;
		}
		if (out && buf_addc(out, *sc->p))
			ok = 0;
		runtime_step(sc);
	}
	if (sc->p >= sc->end)
		return 0;
	runtime_step(sc);
	return ok;
}

/* After "console": ".profile(" or ".profileEnd(" with no argument or a
 * string literal first.  V8 reports the call at the method name, and the
 * event's location is 1-based: console.profile('x') at 0:0 is line 1,
 * column 9 (docs/chrome.md §6.4). */
static void runtime_console_call(struct runtime_scan *sc)
{
	runtime_skip_space(sc);
	if (runtime_at(sc, 0) != '.')
		return;
	runtime_step(sc);
	runtime_skip_space(sc);
	struct profiler_location loc = {sc->script_id, sc->line + 1, sc->col + 1};
	size_t n = runtime_ident(sc);
	int end;
	if (n == 7 && !memcmp(sc->p, "profile", 7))
		end = 0;
	else if (n == 10 && !memcmp(sc->p, "profileEnd", 10))
		end = 1;
	else
		return;
	for (size_t i = 0; i < n; i++)
		runtime_step(sc);
	runtime_skip_space(sc);
	if (runtime_at(sc, 0) != '(')
		return;
	runtime_step(sc);
	runtime_skip_space(sc);
	struct buf title;
	buf_init(&title, RUNTIME_MAX_TITLE);
	int ch = runtime_at(sc, 0), has_title = 0;
	if (ch == '\'' || ch == '"' || ch == '`') {
		if (!runtime_string(sc, &title))
			goto out;
		has_title = 1;
		runtime_skip_space(sc);
		ch = runtime_at(sc, 0);
	}
	if (ch != ')' && !(has_title && ch == ','))
		goto out;
	sc->calls++;
	/* An empty title is no title: Chrome shows "default". */
	const char *t = has_title && title.len ? title.data : NULL;
	if (end)
		profiler_console_end(sc->pt->target, t, &loc, NULL);
	else
		profiler_console_start(sc->pt->target, t, &loc);
out:
	buf_clear(&title);
}

static void runtime_scan(struct runtime_scan *sc)
{
	int after_dot = 0;
	while (sc->p < sc->end) {
		runtime_skip_space(sc);
		int ch = runtime_at(sc, 0);
		if (ch < 0)
			break;
		if (ch == '\'' || ch == '"' || ch == '`') {
			runtime_string(sc, NULL);
			after_dot = 0;
			continue;
		}
		size_t n = runtime_ident(sc);
		if (!n) {
			after_dot = ch == '.';
			runtime_step(sc);
			continue;
		}
		int console = n == 7 && !memcmp(sc->p, "console", 7) && !after_dot;
		for (size_t i = 0; i < n; i++)
			runtime_step(sc);
		after_dot = 0;
		if (console)
			runtime_console_call(sc);
	}
}

/* {"result":RemoteObject} for an expression that is one literal (number,
 * string, true, false, null); anything else is undefined, since nothing
 * runs. */
static void runtime_result(struct buf *b, const char *e, size_t n)
{
	while (n && (isspace((unsigned char)e[n - 1]) || e[n - 1] == ';'))
		n--;
	while (n && isspace((unsigned char)*e)) {
		e++;
		n--;
	}
	struct runtime_scan sc = {.p = e, .end = e + n};
	struct buf s;
	buf_init(&s, 0);
	char *num_end = NULL;
	double v = n && (isdigit((unsigned char)*e) || *e == '-') ? strtod(e, &num_end) : 0;
	if (num_end == e + n && isfinite(v) && !(v == 0 && signbit(v))) {
		/* The value as crdtp writes a double, the description as
		 * Number::toString: the same text. */
		buf_adds(b, "{\"result\":{\"type\":\"number\",\"value\":");
		numfmt_add(b, v);
		buf_adds(b, ",\"description\":\"");
		numfmt_add(b, v);
		buf_adds(b, "\"}}");
	} else if (n && strchr("'\"`", *e) && runtime_string(&sc, &s) && sc.p == sc.end) {
		buf_adds(b, "{\"result\":{\"type\":\"string\",\"value\":");
		buf_add_json_str(b, s.data ? s.data : "", s.len, 1);
		buf_adds(b, "}}");
	} else if ((n == 4 && !memcmp(e, "true", 4)) || (n == 5 && !memcmp(e, "false", 5))) {
		buf_printf(b, "{\"result\":{\"type\":\"boolean\",\"value\":%.*s}}", (int)n, e);
	} else if (n == 4 && !memcmp(e, "null", 4)) {
		buf_adds(b,
			 "{\"result\":{\"type\":\"object\",\"subtype\":\"null\",\"value\":null}}");
	} else {
		buf_adds(b, "{\"result\":{\"type\":\"undefined\"}}");
	}
	buf_clear(&s);
}

/* ---- scripted results ---- */

/* The code as its author wrote it, for matching: white space around it and
 * a last "//# sourceURL=" (or "//@ sourceURL=") line, which puppeteer adds
 * to everything it evaluates, dropped.  Heap, NUL-terminated; NULL on
 * ENOMEM. */
static char *runtime_code_key(const char *s, size_t n)
{
	for (int pass = 0; pass < 2; pass++) {
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		size_t ls = n;
		while (ls && s[ls - 1] != '\n')
			ls--;
		if (pass == 0 && (!strncmp(s + ls, "//# sourceURL=", 14) ||
				  !strncmp(s + ls, "//@ sourceURL=", 14)))
			n = ls;
	}
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	return strndup(s, n);
}

/* 1 if one string among callFunctionOn's arguments matches pat (NULL:
 * no condition).  Playwright passes the user's function this way. */
static int runtime_argument_fits(const char *pat, const json_t *args)
{
	if (!pat)
		return 1;
	for (size_t i = 0; i < json_array_size(args); i++) {
		const json_t *a = json_array_get(args, i);
		const char *v = json_string_value(json_object_get(a, "value"));
		if (v && wildcard_match(pat, v))
			return 1;
	}
	return 0;
}

/* The first runtime.results entry for this code (a runtime_code_key())
 * and arguments (callFunctionOn's; NULL for an evaluate), or NULL. */
static const struct scenario_eval *runtime_scripted(enum scenario_eval_on on, const char *key,
						    const json_t *args)
{
	const struct scenario_runtime *r = &scenario_current()->runtime;
	for (size_t i = 0; i < r->n_results; i++)
		if (r->results[i].on == on && wildcard_match(r->results[i].pattern, key) &&
		    runtime_argument_fits(r->results[i].argument, args))
			return &r->results[i];
	return NULL;
}

/* Appends the whole result object for entry e, run as script script_id in
 * context ctx_id. */
static int runtime_scripted_result(struct pagestate *pt, const struct scenario_eval *e,
				   int ctx_id, const char *script_id, int by_value,
				   struct buf *b)
{
	buf_addc(b, '{');
	if (e->exception) {
		remote_exception(pt, ctx_id, script_id, e->exception, b);
	} else if (e->result) {
		buf_adds(b, "\"result\":");
		jsonw_dump(b, e->result);
	} else {
		buf_adds(b, "\"result\":");
		remote_value(pt, ctx_id, e->value, by_value, b);
	}
	buf_addc(b, '}');
	return buf_finish(b);
}

/* The context with this id in pt's current document, or NULL. */
static const struct pagestate_context *runtime_context(const struct pagestate *pt, json_int_t id)
{
	for (size_t i = 0; i < pt->nctx; i++)
		if (pt->ctx[i].id == id)
			return &pt->ctx[i];
	return NULL;
}

static const struct pagestate_context *runtime_unique_context(const struct pagestate *pt,
							      const char *uid)
{
	for (size_t i = 0; uid && i < pt->nctx; i++)
		if (!strcmp(pt->ctx[i].unique_id, uid))
			return &pt->ctx[i];
	return NULL;
}

/* V8's answer when a context named in the params is gone. */
#define RUNTIME_NO_CONTEXT "Cannot find context with specified id"

/* Sends {"id":…,"result":…} for the code's outcome: the scripted entry e,
 * or literal (Runtime.evaluate's own guess; NULL: undefined). */
static int runtime_answer(struct call *c, struct pagestate *pt, const struct scenario_eval *e,
			  int ctx_id, const char *script_id, const char *literal, size_t n)
{
	int by_value = json_is_true(json_object_get(c->params, "returnByValue"));
	struct buf b;
	call_reply_begin(c, &b);
	if (e)
		runtime_scripted_result(pt, e, ctx_id, script_id, by_value, &b);
	else if (literal)
		runtime_result(&b, literal, n);
	else
		buf_adds(&b, "{\"result\":{\"type\":\"undefined\"}}");
	return call_reply_end(c, &b);
}

static int runtime_evaluate(struct call *c)
{
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!pt)
		return CDPM_ENOMEM;
	const json_t *cid = json_object_get(c->params, "contextId");
	const char *uid = json_string_value(json_object_get(c->params, "uniqueContextId"));
	const struct pagestate_context *ctx = NULL;
	if (cid && uid)
		return call_error(c, CDP_SERVER_ERROR,
				  "contextId and uniqueContextId are mutually exclusive", NULL);
	if (cid && !(ctx = runtime_context(pt, json_integer_value(cid))))
		return call_error(c, CDP_SERVER_ERROR, RUNTIME_NO_CONTEXT, NULL);
	if (uid && !(ctx = runtime_unique_context(pt, uid)))
		return call_error(c, CDP_SERVER_ERROR, RUNTIME_NO_CONTEXT, NULL);
	const char *e = json_string_value(json_object_get(c->params, "expression"));
	size_t n = json_string_length(json_object_get(c->params, "expression"));
	/* Each evaluate compiles a new script with the next scriptId; the
	 * console events all go out before the reply (docs/chrome.md §6.4). */
	struct runtime_scan sc = {.p = e, .end = e + n, .pt = pt};
	snprintf(sc.script_id, sizeof(sc.script_id), "%u", pt->next_script_id++);
	runtime_scan(&sc);
	char *key = runtime_code_key(e, n);
	if (!key)
		return CDPM_ENOMEM;
	const struct scenario_eval *se = runtime_scripted(SCENARIO_EVAL_EXPRESSION, key, NULL);
	int ctx_id = ctx ? ctx->id : pt->nctx ? pt->ctx[0].id : 1;
	int rc = runtime_answer(c, pt, se, ctx_id, sc.script_id, key, strlen(key));
	free(key);
	return rc;
}

/* The function runs in the context of its objectId, or of
 * executionContextId, or of uniqueContextId: V8 wants one of them. */
static int runtime_call_function(struct call *c)
{
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!pt)
		return CDPM_ENOMEM;
	const char *oid = json_string_value(json_object_get(c->params, "objectId"));
	const json_t *cid = json_object_get(c->params, "executionContextId");
	const char *uid = json_string_value(json_object_get(c->params, "uniqueContextId"));
	const struct pagestate_context *ctx = NULL;
	if (oid) {
		int k = remote_object_context(oid);
		if (k < 0)
			return call_error(c, CDP_SERVER_ERROR, "Invalid remote object id", NULL);
		if (!(ctx = runtime_context(pt, k)))
			return call_error(c, CDP_SERVER_ERROR,
					  "Could not find object with given id", NULL);
	} else if (cid) {
		if (!(ctx = runtime_context(pt, json_integer_value(cid))))
			return call_error(c, CDP_SERVER_ERROR, RUNTIME_NO_CONTEXT, NULL);
	} else if (uid) {
		if (!(ctx = runtime_unique_context(pt, uid)))
			return call_error(c, CDP_SERVER_ERROR, RUNTIME_NO_CONTEXT, NULL);
	} else {
		return call_error(c, CDP_SERVER_ERROR,
				  "Either ObjectId or executionContextId or uniqueContextId "
				  "must be specified",
				  NULL);
	}
	const json_t *fd = json_object_get(c->params, "functionDeclaration");
	char script_id[16];
	snprintf(script_id, sizeof(script_id), "%u", pt->next_script_id++);
	char *key = runtime_code_key(json_string_value(fd), json_string_length(fd));
	if (!key)
		return CDPM_ENOMEM;
	const struct scenario_eval *se = runtime_scripted(SCENARIO_EVAL_FUNCTION, key,
							  json_object_get(c->params, "arguments"));
	free(key);
	return runtime_answer(c, pt, se, ctx->id, script_id, NULL, 0);
}

static int runtime_ok(struct call *c)
{
	return call_reply(c, NULL);
}

static const struct method runtime_methods[] = {
    {"addBinding", runtime_ok},
    {"callFunctionOn", runtime_call_function},
    {"disable", runtime_disable},
    {"discardConsoleEntries", runtime_ok},
    {"enable", runtime_enable},
    {"evaluate", runtime_evaluate},
    {"releaseObject", runtime_ok},
    {"releaseObjectGroup", runtime_ok},
    {"runIfWaitingForDebugger", runtime_ok},
};

const struct domain runtime_domain = {
	.name = "Runtime",
	.targets = TARGET_PAGE,
	.methods = runtime_methods,
	.n_methods = CDPM_ARRAY_LEN(runtime_methods),
	.session_gone = runtime_session_gone,
};
