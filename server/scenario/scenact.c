/* scenact.c - reads the "action" of rules and timeline steps (see
 * docs/scenario-format.md, "action"): emits and their destinations, delays,
 * mutations, reply changes and connection effects, with what each context
 * (incoming rule, outgoing rule, byte trigger, timeline step) allows.
 * Rules, timelines and the knobs are read in scenload.c. */
#include <math.h>
#include <string.h>

#include "b64.h"
#include "cdpm.h"
#include "scenario/jcheck.h"
#include "scenario/scenario.h"
#include "scenario/scenload_int.h"

static int sa_hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decodes hex (spaces allowed) or base64 (B64_LOOSE: padding optional,
 * URL-safe digits too) into out; returns the length, or -1 when s is not
 * valid. */
static long sa_decode(const char *s, int hex, unsigned char *out)
{
	long n = 0;
	if (hex) {
		int hi = -1;
		for (; *s; s++) {
			if (*s == ' ' || *s == ':')
				continue;
			int v = sa_hexval((unsigned char)*s);
			if (v < 0)
				return -1;
			if (hi < 0) {
				hi = v;
			} else {
				out[n++] = (unsigned char)(hi << 4 | v);
				hi = -1;
			}
		}
		return hi < 0 ? n : -1;
	}
	size_t len;
	if (b64_decode(s, strlen(s), B64_LOOSE, out, &len))
		return -1;
	return (long)len;
}

/* Bytes: a string (its UTF-8), {"hex": ...} or {"base64": ...}. */
static void sa_bytes(struct sl *L, const json_t *v, const json_t *parent, const char *key,
		     const unsigned char **out, size_t *len)
{
	static const char *const keys[] = {"hex", "base64", NULL};
	if (json_is_string(v)) {
		*out = (const unsigned char *)json_string_value(v);
		*len = json_string_length(v);
		return;
	}
	if (!json_is_object(v) || json_object_size(v) != 1) {
		jcheck_fail(&L->j, v, parent, key,
			    "a string, {\"hex\": \"...\"} or {\"base64\": \"...\"}");
		return;
	}
	if (jcheck_object(&L->j, v, parent, key, keys))
		return;
	int hex = json_object_get(v, "hex") != NULL;
	const char *s = NULL;
	jcheck_string(&L->j, v, hex ? "hex" : "base64", &s);
	if (!s)
		return;
	unsigned char *b = scenload_alloc(L, strlen(s) + 1);
	long n = b ? sa_decode(s, hex, b) : 0;
	if (n < 0) {
		size_t m = jcheck_push_key(&L->j, hex ? "hex" : "base64");
		jcheck_fail(&L->j, json_object_get(v, hex ? "hex" : "base64"), v, NULL,
			    hex ? "hex digits" : "base64");
		jcheck_pop(&L->j, m);
		return;
	}
	*out = b;
	*len = (size_t)n;
}

/* Element i of array a as a number of ms from min to a day. */
static int sa_number_at(struct sl *L, const json_t *a, size_t i, double min, double *out)
{
	size_t m = jcheck_push_index(&L->j, i);
	int rc = jcheck_is_number(&L->j, json_array_get(a, i), a, NULL, min, SL_MAX_MS, out);
	jcheck_pop(&L->j, m);
	return rc;
}

static void sa_dist(struct sl *L, const json_t *o, const char *key, struct scenario_dist *d)
{
	static const char *const keys[] = {"ms", "uniform", "lognormal", NULL};
	static const char *const ln_keys[] = {"medianMs", "sigma", NULL};
	const json_t *v = json_object_get(o, key);
	if (!v)
		return;
	size_t mark = jcheck_push_key(&L->j, key);
	double a = 0, b = 0;
	if (json_is_number(v)) {
		if (jcheck_is_number(&L->j, v, o, key, 0, SL_MAX_MS, &a) == 1)
			*d = (struct scenario_dist){SCENARIO_DIST_FIXED, a * 1000, 0};
	} else if (json_is_object(v) && json_object_size(v) == 1 &&
		   !jcheck_object(&L->j, v, o, key, keys)) {
		const json_t *u = json_object_get(v, "uniform");
		const json_t *ln = json_object_get(v, "lognormal");
		if (jcheck_number(&L->j, v, "ms", 0, SL_MAX_MS, &a) == 1) {
			*d = (struct scenario_dist){SCENARIO_DIST_FIXED, a * 1000, 0};
		} else if (u) {
			size_t m2 = jcheck_push_key(&L->j, "uniform");
			if (!json_is_array(u) || json_array_size(u) != 2)
				jcheck_fail(&L->j, u, v, "uniform", "[minMs, maxMs]");
			else if (sa_number_at(L, u, 0, 0, &a) == 1 &&
				 sa_number_at(L, u, 1, a, &b) == 1)
				*d = (struct scenario_dist){SCENARIO_DIST_UNIFORM, a * 1000,
							    b * 1000};
			jcheck_pop(&L->j, m2);
		} else if (ln) {
			size_t m2 = jcheck_push_key(&L->j, "lognormal");
			if (!jcheck_object(&L->j, ln, v, "lognormal", ln_keys) &&
			    jcheck_required(&L->j, ln, "medianMs") &&
			    jcheck_number(&L->j, ln, "medianMs", 0, SL_MAX_MS, &a) == 1) {
				b = 0.5;
				jcheck_number(&L->j, ln, "sigma", 0, 10, &b);
				*d = (struct scenario_dist){SCENARIO_DIST_LOGNORMAL, a * 1000, b};
			}
			jcheck_pop(&L->j, m2);
		}
	} else if (!json_is_object(v) || json_object_size(v) != 1) {
		jcheck_fail(&L->j, v, o, key,
			    "milliseconds, {\"ms\": N}, {\"uniform\": [a, b]} or "
			    "{\"lognormal\": {\"medianMs\": N, \"sigma\": S}}");
	}
	jcheck_pop(&L->j, mark);
}

/* A dotted path into a message: "params.stream", "result.value.0". */
static int sa_path_ok(const char *p)
{
	if (!*p || *p == '.')
		return 0;
	for (; *p; p++)
		if (*p == '.' && (p[1] == '.' || p[1] == '\0'))
			return 0;
	return 1;
}

static void sa_mutation(struct sl *L, const json_t *e, const json_t *arr,
			struct scenario_mutation *mu)
{
	static const char *const keys[] = {"drop",	  "set",      "retype", "invalidUtf8",
					   "oversize",	  "truncate", NULL};
	static const char *const set_keys[] = {"path", "value", NULL};
	static const char *const ov_keys[] = {"bytes", "path", NULL};
	if (jcheck_object(&L->j, e, arr, NULL, keys))
		return;
	if (json_object_size(e) != 1) {
		jcheck_fail(&L->j, e, arr, NULL, "exactly one mutation per object");
		return;
	}
	const char *k = json_object_iter_key(json_object_iter((json_t *)e));
	const json_t *v = json_object_get(e, k);
	size_t mark = jcheck_push_key(&L->j, k);
	int64_t n;
	if (!strcmp(k, "drop") || !strcmp(k, "retype") || !strcmp(k, "invalidUtf8")) {
		mu->op = !strcmp(k, "drop")     ? SCENARIO_MUT_DROP
			 : !strcmp(k, "retype") ? SCENARIO_MUT_RETYPE
						: SCENARIO_MUT_INVALID_UTF8;
		if (json_is_string(v) && sa_path_ok(json_string_value(v)))
			mu->path = json_string_value(v);
		else
			jcheck_fail(&L->j, v, e, k, "a dotted path such as \"params.stream\"");
	} else if (!strcmp(k, "set")) {
		mu->op = SCENARIO_MUT_SET;
		if (!jcheck_object(&L->j, v, e, k, set_keys) && jcheck_required(&L->j, v, "path") &&
		    jcheck_required(&L->j, v, "value") &&
		    jcheck_string(&L->j, v, "path", &mu->path) == 1) {
			mu->value = json_object_get(v, "value");
			if (!sa_path_ok(mu->path))
				scenload_fail_at(L, v, "path", "a dotted path");
		}
	} else if (!strcmp(k, "oversize")) {
		mu->op = SCENARIO_MUT_OVERSIZE;
		if (!jcheck_object(&L->j, v, e, k, ov_keys) && jcheck_required(&L->j, v, "bytes") &&
		    jcheck_int(&L->j, v, "bytes", 16, (int64_t)SCENARIO_MAX_MESSAGE, &n) == 1) {
			mu->bytes = (uint64_t)n;
			mu->path = "params.data";
			if (jcheck_string(&L->j, v, "path", &mu->path) == 1 && !sa_path_ok(mu->path))
				scenload_fail_at(L, v, "path", "a dotted path");
		}
	} else {
		mu->op = SCENARIO_MUT_TRUNCATE;
		if (jcheck_is_int(&L->j, v, e, k, 0, INT32_MAX, &n) == 1)
			mu->bytes = (uint64_t)n;
	}
	jcheck_pop(&L->j, mark);
}

static void sa_mutations(struct sl *L, const json_t *o, const struct scenario_mutation **out,
			 size_t *n_out)
{
	const json_t *v = json_object_get(o, "mutate");
	if (!v)
		return;
	size_t mark = jcheck_push_key(&L->j, "mutate");
	if (json_is_object(v)) {
		struct scenario_mutation *mu = scenload_alloc(L, sizeof(*mu));
		if (mu)
			sa_mutation(L, v, o, mu);
		*out = mu;
		*n_out = 1;
	} else if (!json_is_array(v) || !json_array_size(v) || json_array_size(v) > 64) {
		jcheck_fail(&L->j, v, o, "mutate", "a mutation or an array of 1 to 64");
	} else {
		size_t n = json_array_size(v);
		struct scenario_mutation *mu = scenload_alloc(L, n * sizeof(*mu));
		for (size_t i = 0; mu && i < n; i++) {
			size_t mi = jcheck_push_index(&L->j, i);
			sa_mutation(L, json_array_get(v, i), v, &mu[i]);
			jcheck_pop(&L->j, mi);
		}
		*out = mu;
		*n_out = n;
	}
	jcheck_pop(&L->j, mark);
}

/* "to": "trigger" | "root" | "all" | "tracing" | {"target": T} | {"session": S} */
void scenact_dest(struct sl *L, const json_t *o, struct scenario_dest *d)
{
	static const char *const names[] = {"trigger", "root", "all", "tracing", NULL};
	static const char *const keys[] = {"target", "session", NULL};
	static const enum scenario_to map[] = {SCENARIO_TO_TRIGGER, SCENARIO_TO_ROOT,
					       SCENARIO_TO_ALL, SCENARIO_TO_TRACING};
	const json_t *v = json_object_get(o, "to");
	if (!v)
		return;
	int e;
	if (json_is_string(v)) {
		if (jcheck_enum(&L->j, o, "to", names, &e) == 1)
			d->to = map[e];
		return;
	}
	size_t mark = jcheck_push_key(&L->j, "to");
	if (!json_is_object(v) || json_object_size(v) != 1) {
		jcheck_fail(&L->j, v, o, "to",
			    "\"trigger\", \"root\", \"all\", \"tracing\", {\"target\": ...} or "
			    "{\"session\": ...}");
	} else if (!jcheck_object(&L->j, v, o, "to", keys)) {
		if (json_object_get(v, "session")) {
			d->to = SCENARIO_TO_SESSION;
			jcheck_string(&L->j, v, "session", &d->id);
		} else {
			d->to = SCENARIO_TO_TARGET;
			d->target = SCENARIO_WHO_PAGE;
			scenload_who(L, v, "target", 1, &d->target, &d->id);
		}
	}
	jcheck_pop(&L->j, mark);
}

static void sa_emit(struct sl *L, const json_t *e, const json_t *arr, enum sl_ctx ctx,
		    struct scenario_emit *em)
{
	static const char *const keys[] = {"method", "params", "message", "text", "when",
					   "to",     "mutate", "binary",  "atMs", NULL};
	static const char *const whens[] = {"before", "after", NULL};
	em->after = 1;
	if (jcheck_object(&L->j, e, arr, NULL, keys))
		return;
	int kinds = !!json_object_get(e, "method") + !!json_object_get(e, "message") +
		    !!json_object_get(e, "text");
	if (kinds != 1)
		jcheck_fail(&L->j, e, arr, NULL,
			    "exactly one of \"method\", \"message\" and \"text\"");
	jcheck_string(&L->j, e, "method", &em->method);
	const json_t *p = json_object_get(e, "params");
	if (p) {
		size_t m = jcheck_push_key(&L->j, "params");
		if (!json_is_object(p) || !em->method)
			jcheck_fail(&L->j, p, e, "params", "an object, beside \"method\"");
		jcheck_pop(&L->j, m);
		em->params = p;
	}
	em->message = json_object_get(e, "message");
	if (jcheck_string(&L->j, e, "text", &em->text) == 1)
		em->text_len = json_string_length(json_object_get(e, "text"));
	int w;
	if (jcheck_enum(&L->j, e, "when", whens, &w) == 1) {
		em->after = w;
		if (ctx != SL_IN && ctx != SL_OUT)
			scenload_fail_at(L, e, "when", "no \"when\" outside rules");
	}
	/* A recorded time: only --replay-timing real reads it (record/replay.c). */
	double at;
	if (jcheck_number(&L->j, e, "atMs", 0, 1e9, &at) == 1 && ctx != SL_IN)
		scenload_fail_at(L, e, "atMs", "no \"atMs\" outside incoming rules");
	jcheck_bool(&L->j, e, "binary", &em->binary);
	scenact_dest(L, e, &em->dest);
	sa_mutations(L, e, &em->mutations, &em->n_mutations);
}

static void sa_emits(struct sl *L, const json_t *o, enum sl_ctx ctx, struct scenario_action *a)
{
	const json_t *v = json_object_get(o, "emit");
	if (!v)
		return;
	size_t mark = jcheck_push_key(&L->j, "emit");
	if (json_is_object(v)) {
		struct scenario_emit *em = scenload_alloc(L, sizeof(*em));
		if (em)
			sa_emit(L, v, o, ctx, em);
		a->emits = em;
		a->n_emits = 1;
	} else if (!json_is_array(v) || !json_array_size(v) || json_array_size(v) > 100000) {
		jcheck_fail(&L->j, v, o, "emit", "a message or an array of messages");
	} else {
		size_t n = json_array_size(v);
		struct scenario_emit *em = scenload_alloc(L, n * sizeof(*em));
		for (size_t i = 0; em && i < n; i++) {
			size_t mi = jcheck_push_index(&L->j, i);
			sa_emit(L, json_array_get(v, i), v, ctx, &em[i]);
			jcheck_pop(&L->j, mi);
		}
		a->emits = em;
		a->n_emits = n;
	}
	jcheck_pop(&L->j, mark);
}

static void sa_reply(struct sl *L, const json_t *o, struct scenario_action *a)
{
	static const char *const keys[] = {"result", "error", NULL};
	static const char *const err_keys[] = {"code", "message", "data", NULL};
	const json_t *v = json_object_get(o, "reply");
	if (!v)
		return;
	size_t mark = jcheck_push_key(&L->j, "reply");
	if (!json_is_object(v) || json_object_size(v) != 1) {
		jcheck_fail(&L->j, v, o, "reply", "{\"result\": {...}} or {\"error\": {...}}");
	} else if (!jcheck_object(&L->j, v, o, "reply", keys)) {
		const json_t *r = json_object_get(v, "result");
		const json_t *e = json_object_get(v, "error");
		if (r && !json_is_object(r)) {
			size_t m2 = jcheck_push_key(&L->j, "result");
			jcheck_fail(&L->j, r, v, "result", "an object");
			jcheck_pop(&L->j, m2);
		}
		a->reply_result = r;
		if (e) {
			size_t m2 = jcheck_push_key(&L->j, "error");
			int64_t code;
			const char *msg;
			if (!jcheck_object(&L->j, e, v, "error", err_keys) &&
			    jcheck_required(&L->j, e, "code") && jcheck_required(&L->j, e, "message")) {
				jcheck_int(&L->j, e, "code", INT32_MIN, INT32_MAX, &code);
				jcheck_string(&L->j, e, "message", &msg);
				jcheck_string(&L->j, e, "data", &msg);
			}
			a->reply_error = e;
			jcheck_pop(&L->j, m2);
		}
	}
	jcheck_pop(&L->j, mark);
}

static void sa_split(struct sl *L, const json_t *o, struct scenario_action *a)
{
	static const char *const keys[] = {"chunk", "sizes", "gapMs", NULL};
	const json_t *v = json_object_get(o, "split");
	if (!v)
		return;
	size_t mark = jcheck_push_key(&L->j, "split");
	if (!jcheck_object(&L->j, v, o, "split", keys)) {
		const json_t *sz = json_object_get(v, "sizes");
		if (!!sz == !!json_object_get(v, "chunk"))
			jcheck_fail(&L->j, v, o, "split", "exactly one of \"chunk\" and \"sizes\"");
		scenload_size(L, v, "chunk", 1, INT32_MAX, &a->split_chunk);
		if (sz && (!json_is_array(sz) || !json_array_size(sz) ||
			   json_array_size(sz) > 4096)) {
			size_t m2 = jcheck_push_key(&L->j, "sizes");
			jcheck_fail(&L->j, sz, v, "sizes", "an array of 1 to 4096 byte counts");
			jcheck_pop(&L->j, m2);
		} else if (sz) {
			size_t n = json_array_size(sz);
			size_t *s = scenload_alloc(L, n * sizeof(*s));
			for (size_t i = 0; s && i < n; i++) {
				int64_t x = 1;
				size_t m2 = jcheck_push_key(&L->j, "sizes");
				size_t m3 = jcheck_push_index(&L->j, i);
				jcheck_is_int(&L->j, json_array_get(sz, i), sz, NULL, 1, INT32_MAX, &x);
				jcheck_pop(&L->j, m3);
				jcheck_pop(&L->j, m2);
				s[i] = (size_t)x;
			}
			a->split_sizes = s;
			a->n_split_sizes = n;
		}
		scenload_ms(L, v, "gapMs", &a->split_gap_us);
	}
	jcheck_pop(&L->j, mark);
}

static void sa_close(struct sl *L, const json_t *o, struct scenario_action *a)
{
	static const char *const keys[] = {"code", "reason", NULL};
	const json_t *v = json_object_get(o, "close");
	if (!v)
		return;
	size_t mark = jcheck_push_key(&L->j, "close");
	if (json_is_true(v)) {
		a->close = 1;
		a->close_code = 1000;
	} else if (json_is_object(v)) {
		if (!jcheck_object(&L->j, v, o, "close", keys)) {
			int64_t code;
			a->close = 1;
			if (jcheck_int(&L->j, v, "code", 1000, 4999, &code) != 1) {
			} else if ((code >= 1004 && code <= 1006) || (code > 1014 && code < 3000)) {
				/* RFC 6455 7.4: these never go in a close frame. */
				size_t m2 = jcheck_push_key(&L->j, "code");
				jcheck_fail(&L->j, json_object_get(v, "code"), v, "code",
					    "a code a close frame may carry (1000-1003, 1007-1014, "
					    "3000-4999)");
				jcheck_pop(&L->j, m2);
			} else {
				a->close_code = (int)code;
			}
			if (jcheck_string(&L->j, v, "reason", &a->close_reason) == 1 &&
			    (strlen(a->close_reason) > 123 || !a->close_code))
				scenload_fail_at(L, v, "reason", "at most 123 bytes, with a \"code\"");
		}
	} else {
		jcheck_fail(&L->j, v, o, "close", "true or {\"code\": N, \"reason\": \"...\"}");
	}
	jcheck_pop(&L->j, mark);
}

static void sa_frame(struct sl *L, const json_t *o, struct scenario_action *a)
{
	static const char *const keys[] = {"opcode", "payload", "fin", "rsv", "masked", NULL};
	const json_t *v = json_object_get(o, "frame");
	if (!v)
		return;
	size_t mark = jcheck_push_key(&L->j, "frame");
	struct scenario_frame *f = scenload_alloc(L, sizeof(*f));
	if (f && !jcheck_object(&L->j, v, o, "frame", keys) && jcheck_required(&L->j, v, "opcode")) {
		int64_t n;
		f->fin = 1;
		if (jcheck_int(&L->j, v, "opcode", 0, 15, &n) == 1)
			f->opcode = (int)n;
		if (jcheck_int(&L->j, v, "rsv", 0, 7, &n) == 1)
			f->rsv = (int)n;
		jcheck_bool(&L->j, v, "fin", &f->fin);
		jcheck_bool(&L->j, v, "masked", &f->masked);
		const json_t *p = json_object_get(v, "payload");
		if (p) {
			size_t m2 = jcheck_push_key(&L->j, "payload");
			sa_bytes(L, p, v, "payload", &f->payload, &f->len);
			jcheck_pop(&L->j, m2);
		}
		a->frame = f;
	}
	jcheck_pop(&L->j, mark);
}

/* The connection effects every kind of action may have. */
static void sa_effects(struct sl *L, const json_t *v, struct scenario_action *a)
{
	sa_close(L, v, a);
	jcheck_bool(&L->j, v, "fin", &a->fin);
	jcheck_bool(&L->j, v, "reset", &a->reset);
	const json_t *raw = json_object_get(v, "raw");
	if (raw) {
		size_t m = jcheck_push_key(&L->j, "raw");
		sa_bytes(L, raw, v, "raw", &a->raw, &a->raw_len);
		jcheck_pop(&L->j, m);
	}
	sa_frame(L, v, a);
	jcheck_int(&L->j, v, "throttle", 0, INT64_C(1) << 40, &a->throttle_bps);
	if (a->close + a->fin + a->reset > 1)
		jcheck_fail(&L->j, v, NULL, NULL, "at most one of \"close\", \"fin\" and \"reset\"");
}

void scenact_action(struct sl *L, const json_t *v, const json_t *parent, const char *key,
		      enum sl_ctx ctx, struct scenario_action *a)
{
	static const char *const in_keys[] = {
	    "emit",  "delay",	"stall",  "hold",     "builtin", "reply", "merge",
	    "replace", "drop",	"duplicate", "reorder", "split", "mutate", "close",
	    "fin",   "reset",	"raw",	  "frame",    "throttle", "replyAtMs", NULL};
	static const char *const out_keys[] = {
	    "emit",  "delay", "stall",  "hold",  "drop",  "merge", "replace", "duplicate",
	    "reorder", "split", "mutate", "close", "fin",	  "reset", "raw",     "frame",
	    "throttle", NULL};
	static const char *const effect_keys[] = {"emit", "close", "fin",      "reset",
						  "raw",  "frame", "throttle", NULL};
	a->throttle_bps = -1;
	const char *const *keys = ctx == SL_IN ? in_keys : ctx == SL_OUT ? out_keys : effect_keys;
	/* Actions that only a command can take, on a rule that matches what
	 * the server sends: say why rather than list the keys. */
	static const char *const in_only[] = {"reply", "builtin", NULL};
	for (size_t i = 0; ctx == SL_OUT && json_is_object(v) && in_only[i]; i++)
		if (json_object_get(v, in_only[i])) {
			scenload_fail_at(L, v, in_only[i],
					 "an action for what the server sends (\"reply\" and "
					 "\"builtin\" act on a command: they need \"direction\": "
					 "\"in\")");
			return;
		}
	/* A step's keys were checked with the step's own list. */
	if (ctx == SL_STEP ? !json_is_object(v) : !!jcheck_object(&L->j, v, parent, key, keys))
		return;
	sa_emits(L, v, ctx, a);
	sa_effects(L, v, a);
	if (ctx != SL_IN && ctx != SL_OUT)
		return; /* the other keys were reported as unknown */
	sa_dist(L, v, "delay", &a->delay);
	jcheck_bool(&L->j, v, "stall", &a->stall);
	jcheck_bool(&L->j, v, "hold", &a->hold);
	jcheck_bool(&L->j, v, "drop", &a->drop);
	if (ctx == SL_IN) {
		jcheck_bool(&L->j, v, "builtin", &a->builtin);
		sa_reply(L, v, a);
		/* A recorded time: only --replay-timing real reads it. */
		double at;
		jcheck_number(&L->j, v, "replyAtMs", 0, 1e9, &at);
	}
	const json_t *mg = json_object_get(v, "merge"), *rp = json_object_get(v, "replace");
	if ((mg && !json_is_object(mg)) || (rp && !json_is_object(rp)))
		scenload_fail_at(L, v, mg && !json_is_object(mg) ? "merge" : "replace", "an object");
	a->merge = mg;
	a->replace = rp;
	if ((a->reply_result || a->reply_error) && (mg || rp))
		jcheck_fail(&L->j, v, parent, key, "\"reply\" or \"merge\"/\"replace\", not both");
	int64_t n;
	if (jcheck_int(&L->j, v, "duplicate", 1, 1000, &n) == 1)
		a->duplicate = (unsigned)n;
	if (jcheck_int(&L->j, v, "reorder", 1, 1000, &n) == 1)
		a->reorder = (unsigned)n;
	sa_split(L, v, a);
	sa_mutations(L, v, &a->mutations, &a->n_mutations);
}
