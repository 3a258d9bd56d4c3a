/* fuzz_gen.c - what cdpconform fuzz mutates and how: the templates (every
 * kind of message the mock sent in a discovery run of the task, from its
 * journal), the protocol descriptor built into the binary, and the seeded
 * generator that turns them into a plan of scenario rules at four layers
 * (transport, JSON syntax, schema, semantics).  Nothing here knows a
 * client: every mutation is drawn from the descriptor and the live message. */
#include "fuzz.h"

#include "conform.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* The descriptor cdpmock serves at /json/protocol, linked in as bytes. */
extern const char protocol_blob[], protocol_blob_end[];

#define FUZZ_PLACEHOLDER "@@cdpconform-fuzz@@"

/* ---- the model ---- */

static struct fuzz_tmpl *gen_tmpl(struct fuzz_model *m, const char *kind, const char *method)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->t[i].kind, kind) && !strcmp(m->t[i].method, method))
			return &m->t[i];
	struct fuzz_tmpl *t = realloc(m->t, (m->n + 1) * sizeof(*t));
	if (!t) {
		fputs("cdpconform: out of memory\n", stderr);
		exit(2);
	}
	m->t = t;
	t = &m->t[m->n++];
	memset(t, 0, sizeof(*t));
	t->kind = util_strdup(kind);
	t->method = util_strdup(method);
	return t;
}

int fuzz_model_load(struct fuzz_model *m, const char *journal)
{
	json_error_t err;
	memset(m, 0, sizeof(*m));
	m->proto = json_loadb(protocol_blob, (size_t)(protocol_blob_end - protocol_blob), 0, &err);
	if (!m->proto) {
		fprintf(stderr, "cdpconform: the built-in protocol descriptor: %s\n", err.text);
		return -1;
	}
	FILE *f = fopen(journal, "r");
	if (!f) {
		fprintf(stderr, "cdpconform: cannot read the discovery journal %s\n", journal);
		return -1;
	}
	json_t *methods = json_object(); /* "conn:id" -> method */
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	size_t seq = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		json_t *l = json_loadb(line, (size_t)n, 0, NULL);
		const char *dir = json_string_value(json_object_get(l, "dir"));
		json_t *msg = json_object_get(l, "msg");
		long long conn = (long long)json_integer_value(json_object_get(l, "conn"));
		if (!dir) {
			json_decref(l);
			continue;
		}
		if (!strcmp(dir, "in") && json_is_object(msg)) {
			json_t *id = json_object_get(msg, "id");
			const char *meth = json_string_value(json_object_get(msg, "method"));
			if (json_is_integer(id) && meth) {
				char *k = util_printf("%lld:%lld", conn,
						      (long long)json_integer_value(id));
				json_object_set_new(methods, k, json_string(meth));
				free(k);
			}
		} else if (!strcmp(dir, "out")) {
			/* Big messages are abbreviated: "len" and the first bytes. */
			const char *head = json_string_value(json_object_get(l, "head"));
			json_t *parsed = msg;
			json_t *hp = NULL;
			if (!parsed && head) {
				/* The head starts the message: enough for its id or method. */
				const char *p = strstr(head, "\"id\":");
				if (!strncmp(head, "{\"id\":", 6) && p)
					hp = json_pack("{s:I}", "id",
						       (json_int_t)strtoll(p + 5, NULL, 10));
				else if (!strncmp(head, "{\"method\":\"", 11))
					hp = json_pack("{s:s%}", "method", head + 11,
						       strcspn(head + 11, "\""));
				parsed = hp;
			}
			const char *kind = NULL, *meth = NULL;
			json_t *id = json_object_get(parsed, "id");
			if (json_is_integer(id)) {
				char *k = util_printf("%lld:%lld", conn,
						      (long long)json_integer_value(id));
				meth = json_string_value(json_object_get(methods, k));
				free(k);
				kind = json_object_get(parsed, "error") ? "error" : "reply";
			} else {
				meth = json_string_value(json_object_get(parsed, "method"));
				kind = "event";
			}
			if (meth && strchr(meth, '.')) {
				struct fuzz_tmpl *t = gen_tmpl(m, kind, meth);
				json_t *len = json_object_get(l, "len");
				if (t->count < 4 && msg)
					t->live[t->count] = json_incref(msg);
				if (!t->count) {
					char *s = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
					t->len = len ? (size_t)json_integer_value(len)
						     : (s ? strlen(s) : 0);
					free(s);
					t->child = json_object_get(parsed, "sessionId") != NULL;
					t->first = seq;
				}
				t->last = seq;
				t->count++;
			}
			seq++;
			json_decref(hp);
		}
		json_decref(l);
	}
	free(line);
	fclose(f);
	json_decref(methods);
	if (!m->n) {
		fprintf(stderr, "cdpconform: the discovery run sent no message to mutate (%s)\n",
			journal);
		return -1;
	}
	return 0;
}

void fuzz_model_clear(struct fuzz_model *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->t[i].kind);
		free(m->t[i].method);
		for (size_t k = 0; k < 4; k++)
			json_decref(m->t[i].live[k]);
	}
	free(m->t);
	json_decref(m->proto);
	memset(m, 0, sizeof(*m));
}

int fuzz_model_compare(struct fuzz_model *m, const char *journal)
{
	struct fuzz_model m2;
	if (fuzz_model_load(&m2, journal))
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		struct fuzz_tmpl *t = &m->t[i], *u = NULL;
		for (size_t k = 0; k < m2.n && !u; k++)
			if (!strcmp(m2.t[k].kind, t->kind) && !strcmp(m2.t[k].method, t->method))
				u = &m2.t[k];
		if (!u || u->count != t->count) {
			t->unstable = 1;
			continue;
		}
		for (size_t k = 0; k < 4; k++)
			if (!t->live[k] != !u->live[k] ||
			    (t->live[k] && !json_equal(t->live[k], u->live[k])))
				t->unstable = 1;
	}
	fuzz_model_clear(&m2);
	return 0;
}

/* ---- the descriptor ---- */

static json_t *gen_domain(const struct fuzz_model *m, const char *name, size_t len)
{
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(m->proto, "domains"), i, d)
	{
		const char *dn = json_string_value(json_object_get(d, "domain"));
		if (dn && strlen(dn) == len && !strncmp(dn, name, len))
			return d;
	}
	return NULL;
}

static json_t *gen_named(json_t *list, const char *name)
{
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e)
	{
		const char *n = json_string_value(json_object_get(e, "name"));
		if (!n)
			n = json_string_value(json_object_get(e, "id"));
		if (n && !strcmp(n, name))
			return e;
	}
	return NULL;
}

/* The properties of a template's params (event) or result (reply). */
static json_t *gen_props(const struct fuzz_model *m, const struct fuzz_tmpl *t, json_t **domain)
{
	const char *dot = strchr(t->method, '.');
	json_t *d = gen_domain(m, t->method, (size_t)(dot - t->method));
	*domain = d;
	if (!d)
		return NULL;
	if (!strcmp(t->kind, "event"))
		return json_object_get(gen_named(json_object_get(d, "events"), dot + 1),
				       "parameters");
	return json_object_get(gen_named(json_object_get(d, "commands"), dot + 1), "returns");
}

/* A property's own spec, $ref resolved (one level: types are named). */
static json_t *gen_resolve(const struct fuzz_model *m, json_t *domain, json_t *spec)
{
	const char *ref = json_string_value(json_object_get(spec, "$ref"));
	if (!ref)
		return spec;
	const char *dot = strchr(ref, '.');
	json_t *d = dot ? gen_domain(m, ref, (size_t)(dot - ref)) : domain;
	json_t *ty = gen_named(json_object_get(d, "types"), dot ? dot + 1 : ref);
	return ty ? ty : spec;
}

static const char *gen_type(json_t *spec)
{
	const char *t = json_string_value(json_object_get(spec, "type"));
	return t ? t : "any";
}

/* ---- values ---- */

static const char *gen_pick(struct rng *r, const char *const *list, size_t n)
{
	return list[rng_below(r, n)];
}
#define PICK(r, list) gen_pick(r, list, sizeof(list) / sizeof(*list))

/* A value of the spec's type (schema-valid as far as the type goes). */
static json_t *gen_value(const struct fuzz_model *m, json_t *domain, json_t *spec,
			 struct rng *r, int depth)
{
	spec = gen_resolve(m, domain, spec);
	const char *t = gen_type(spec);
	json_t *en = json_object_get(spec, "enum");
	if (json_array_size(en))
		return json_incref(json_array_get(en, rng_below(r, json_array_size(en))));
	if (!strcmp(t, "string")) {
		static const char *const s[] = {"", "fuzz", "0", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
						"\xc3\xa9\xe2\x82\xac", "null"};
		return json_string(PICK(r, s));
	}
	if (!strcmp(t, "integer")) {
		static const json_int_t v[] = {0, 1, -1, 2147483647, 2147483648LL,
					       9007199254740993LL};
		return json_integer(v[rng_below(r, 6)]);
	}
	if (!strcmp(t, "number")) {
		static const double v[] = {0, -1, 0.5, 2, 1e308, -1e-300};
		return json_real(v[rng_below(r, 6)]);
	}
	if (!strcmp(t, "boolean"))
		return json_boolean(rng_below(r, 2));
	if (!strcmp(t, "array")) {
		json_t *a = json_array();
		if (depth < 3 && rng_below(r, 2))
			json_array_append_new(
			    a, gen_value(m, domain, json_object_get(spec, "items"), r, depth + 1));
		return a;
	}
	json_t *o = json_object();
	size_t i;
	json_t *p;
	if (depth < 3)
		json_array_foreach(json_object_get(spec, "properties"), i, p)
		{
			if (json_is_true(json_object_get(p, "optional")) && rng_below(r, 2))
				continue;
			json_object_set_new(o, json_string_value(json_object_get(p, "name")),
					    gen_value(m, domain, p, r, depth + 1));
		}
	return o;
}

/* A value of another type than spec's. */
static json_t *gen_other(json_t *spec, struct rng *r)
{
	const char *t = gen_type(spec);
	for (;;) {
		json_t *v;
		switch (rng_below(r, 6)) {
		case 0: v = json_string("fuzz"); break;
		case 1: v = json_integer(-1); break;
		case 2: v = json_real(1.5); break;
		case 3: v = json_true(); break;
		case 4: v = json_array(); break;
		default: v = rng_below(r, 2) ? json_object() : json_null(); break;
		}
		int same = (json_is_string(v) && !strcmp(t, "string")) ||
			   (json_is_integer(v) && (!strcmp(t, "integer") || !strcmp(t, "number"))) ||
			   (json_is_real(v) && !strcmp(t, "number")) ||
			   (json_is_boolean(v) && !strcmp(t, "boolean")) ||
			   (json_is_array(v) && !strcmp(t, "array")) ||
			   (json_is_object(v) && !strcmp(t, "object"));
		if (!same)
			return v;
		json_decref(v);
	}
}

/* ---- choosing a target ---- */

/* A field of the message to mutate. */
struct field {
	char *path;   /* "params.value" */
	json_t *spec; /* resolved descriptor spec, or NULL (a key the descriptor lacks) */
	json_t *live; /* its value in the first live message, or NULL */
	int optional; /* the descriptor says optional */
	int present;  /* present in the live message (or assumed, when none) */
	int envelope; /* id, sessionId, method, result or params itself */
};

struct target {
	const struct fuzz_tmpl *t;
	json_t *domain;
	json_t *props;	 /* descriptor properties */
	const char *root; /* "params" or "result" */
	json_t *live;	 /* the live message (the nth one when known), or NULL */
	size_t nth;	 /* 0: every occurrence */
};

/* Whether a field of this spec, optionality and presence is what want
 * asks for (see gen_field()). */
static int gen_wanted(const char *want, json_t *spec, int opt, int present)
{
	const char *ty = gen_type(spec);
	return !want || (!strcmp(want, "optional-absent") && opt && !present) ||
	       (!strcmp(want, "optional-present") && opt && present) ||
	       (!strcmp(want, "required") && !opt) ||
	       (!strcmp(want, "enum") && json_array_size(json_object_get(spec, "enum"))) ||
	       (!strcmp(want, "string") && present && !strcmp(ty, "string")) ||
	       (!strcmp(want, "number") && present &&
		(!strcmp(ty, "integer") || !strcmp(ty, "number"))) ||
	       (!strcmp(want, "present") && present);
}

static void gen_cand(json_t *cands, const char *name, json_t *spec, json_t *live, int opt,
		     int present)
{
	json_array_append_new(cands, json_pack("{s:s, s:O?, s:O?, s:b, s:b}", "name", name, "spec",
					       spec, "live", live, "optional", opt, "present",
					       present));
}

/* The envelope's fields as candidates: a reply's id, result (or error)
 * and sessionId, an event's method, params and sessionId.  They are the
 * message's fields as much as the ones the descriptor lists: a client
 * routes by them before it reads anything else.  A sessionId is required
 * on a child session's message (without it the message goes to another
 * session) and optional, absent, on the root's. */
static void gen_envelope(const struct fuzz_model *m, const struct target *tg, const char *want,
			 json_t *cands)
{
	int event = !strcmp(tg->t->kind, "event");
	int child = tg->live ? json_object_get(tg->live, "sessionId") != NULL : tg->t->child;
	const char *names[3] = {event ? "method" : "id", tg->root, "sessionId"};
	const char *types[3] = {event ? "string" : "integer", "object", "string"};
	(void)m;
	for (int i = 0; i < 3; i++) {
		json_t *spec = json_pack("{s:s}", "type", types[i]);
		if (i == 1 && tg->props)
			json_object_set(spec, "properties", tg->props);
		json_t *lv = tg->live ? json_object_get(tg->live, names[i]) : NULL;
		int opt = i == 2 && !child;
		int present = tg->live ? lv != NULL : !opt;
		if (gen_wanted(want, spec, opt, present))
			gen_cand(cands, names[i], spec, lv, opt, present);
		json_decref(spec);
	}
}

/* Picks a field: a descriptor property or a live key, or one of the
 * envelope's (one time in three when both have one that fits).  want:
 * NULL (any), or "optional-absent", "optional-present", "required",
 * "enum", "string", "number", "present".  f->path is "result.data" for a
 * field of the body, "sessionId" for one of the envelope.  0 when none
 * fits. */
static int gen_field(const struct fuzz_model *m, const struct target *tg, struct rng *r,
		     const char *want, struct field *f)
{
	json_t *cands = json_array(), *env = json_array();
	json_t *lroot = tg->live ? json_object_get(tg->live, tg->root) : NULL;
	size_t i;
	json_t *p;
	json_array_foreach(tg->props, i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));
		json_t *spec = gen_resolve(m, tg->domain, p);
		int opt = json_is_true(json_object_get(p, "optional"));
		json_t *lv = lroot ? json_object_get(lroot, name) : NULL;
		int present = lroot ? lv != NULL : !opt;
		if (gen_wanted(want, spec, opt, present))
			gen_cand(cands, name, spec, lv, opt, present);
	}
	/* Keys the live message has and the descriptor does not. */
	const char *k;
	json_t *v;
	if (lroot && (!want || !strcmp(want, "present") ||
		      (!strcmp(want, "string") || !strcmp(want, "number"))))
		json_object_foreach(lroot, k, v)
		{
			if (gen_named(tg->props, k))
				continue;
			if (want && !strcmp(want, "string") && !json_is_string(v))
				continue;
			if (want && !strcmp(want, "number") && !json_is_number(v))
				continue;
			gen_cand(cands, k, NULL, v, 1, 1);
		}
	gen_envelope(m, tg, want, env);
	size_t n = json_array_size(cands), ne = json_array_size(env);
	int in_env = ne && (!n || rng_below(r, 3) == 0);
	json_t *list = in_env ? env : cands;
	if (!json_array_size(list)) {
		json_decref(cands);
		json_decref(env);
		return 0;
	}
	json_t *c = json_array_get(list, rng_below(r, json_array_size(list)));
	const char *name = json_string_value(json_object_get(c, "name"));
	f->path = in_env ? util_strdup(name) : util_printf("%s.%s", tg->root, name);
	f->spec = json_object_get(c, "spec");
	if (json_is_null(f->spec))
		f->spec = NULL;
	f->live = json_object_get(c, "live");
	f->optional = json_is_true(json_object_get(c, "optional"));
	f->present = json_is_true(json_object_get(c, "present"));
	f->envelope = in_env;
	/* keep what f borrows alive as long as the plan step is being made */
	json_incref(f->spec);
	json_incref(f->live);
	json_decref(cands);
	json_decref(env);
	return 1;
}

/* The key of a field's path within its parent: "data" of "result.data",
 * "sessionId" of "sessionId". */
static const char *gen_key(const struct field *f)
{
	const char *dot = strchr(f->path, '.');
	return dot ? dot + 1 : f->path;
}

static void gen_field_clear(struct field *f)
{
	free(f->path);
	json_decref(f->spec);
	json_decref(f->live);
	memset(f, 0, sizeof(*f));
}

static json_t *gen_match(const struct target *tg)
{
	json_t *m = json_pack("{s:s, s:s, s:s}", "direction", "out", "kind", tg->t->kind, "method",
			      tg->t->method);
	if (tg->nth)
		json_object_set_new(m, "nth", json_integer((json_int_t)tg->nth));
	return m;
}

static char *gen_where(const struct target *tg)
{
	if (tg->nth)
		return util_printf("%s %s #%zu", tg->t->method, tg->t->kind, tg->nth);
	return util_printf("every %s %s", tg->t->method, tg->t->kind);
}

/* ---- text-level (JSON syntax) edits of a live message ---- */

/* The live message with the value at path (root.key) replaced by raw
 * bytes: dumped as Chrome would, then the placeholder swapped.  Heap. */
static char *gen_text_with(json_t *live, const char *path, const char *raw)
{
	json_t *copy = json_deep_copy(live);
	const char *dot = strchr(path, '.');
	char *rootname = util_printf("%.*s", (int)(dot ? dot - path : (long)strlen(path)), path);
	json_t *parent = dot ? json_object_get(copy, rootname) : copy;
	const char *key = dot ? dot + 1 : path;
	char *out = NULL;
	if (json_is_object(parent)) {
		json_object_set_new(parent, key, json_string(FUZZ_PLACEHOLDER));
		char *s = json_dumps(copy, JSON_COMPACT | JSON_ENSURE_ASCII);
		char *at = s ? strstr(s, "\"" FUZZ_PLACEHOLDER "\"") : NULL;
		if (at)
			out = util_printf("%.*s%s%s", (int)(at - s), s, raw,
					  at + strlen(FUZZ_PLACEHOLDER) + 2);
		free(s);
	}
	free(rootname);
	json_decref(copy);
	return out;
}

static json_t *gen_reversed(json_t *v)
{
	if (json_is_object(v)) {
		const char *keys[256];
		size_t n = 0;
		const char *k;
		json_t *e;
		json_object_foreach(v, k, e) if (n < 256) keys[n++] = k;
		json_t *o = json_object();
		while (n--)
			json_object_set_new(o, keys[n], gen_reversed(json_object_get(v, keys[n])));
		return o;
	}
	return json_incref(v);
}

static char *gen_dump(json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
}

/* ---- the four layers ---- */

struct step_out {
	json_t *action;
	json_t *match; /* NULL: the target's */
	char *label;
	int flags;
};

/* Whether a message with these descriptor properties hands out a stream
 * (a field of type IO.StreamHandle, as tracingComplete's "stream"). */
static int gen_props_stream(json_t *props)
{
	size_t i;
	json_t *p;
	json_array_foreach(props, i, p)
	{
		const char *ref = json_string_value(json_object_get(p, "$ref"));
		if (ref && !strcmp(ref, "IO.StreamHandle"))
			return 1;
	}
	return 0;
}

static int gen_hands_stream(const struct target *tg)
{
	return gen_props_stream(tg->props);
}

/* A message sent elsewhere: for the client it is a message lost (an event
 * of another session, a reply to no request), which a correct client
 * cannot make up for; and a stream it handed out is one the client was
 * never given, so it cannot close it either. */
static void gen_elsewhere(const struct target *tg, struct step_out *o)
{
	o->flags = (o->flags & ~FUZZ_BENIGN) | FUZZ_LOSSY;
	if (gen_hands_stream(tg))
		o->flags |= FUZZ_DROPCONN;
}

/* Whether bytes made from tg->live are the targeted message's own: the
 * one kept copy of that very message, or of the only one of its kind.  A
 * step on every message of a kind, or on one past the four kept, sends
 * the first one's bytes in its place: another id (a second Tracing.start
 * answered as the first), another stream handle. */
static int gen_exact(const struct target *tg)
{
	if (tg->nth >= 1 && tg->nth <= 4)
		return tg->t->live[tg->nth - 1] != NULL;
	return tg->t->count == 1;
}

/* A mutation of an envelope field (a sessionId, an id, a method) sends the
 * message elsewhere. */
static void gen_envelope_lossy(const struct target *tg, const struct field *f,
			       struct step_out *o)
{
	if (f->envelope)
		gen_elsewhere(tg, o);
}

static json_t *gen_mutate(json_t *mut)
{
	return json_pack("{s:o}", "mutate", mut);
}

/* Appends one unmasked server frame (FIN bit, opcode) holding p[0..n) to
 * b as hex. */
static void gen_frame_hex(struct buf *b, int fin, int opcode, const unsigned char *p, size_t n)
{
	unsigned char h[10];
	size_t hl = 2;
	h[0] = (unsigned char)((fin ? 0x80 : 0) | opcode);
	if (n < 126) {
		h[1] = (unsigned char)n;
	} else if (n < 65536) {
		h[1] = 126;
		h[2] = (unsigned char)(n >> 8);
		h[3] = (unsigned char)n;
		hl = 4;
	} else {
		h[1] = 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
		hl = 10;
	}
	for (size_t i = 0; i < hl; i++)
		buf_printf(b, "%02x", h[i]);
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%02x", p[i]);
}

/* The live message as 2-4 WebSocket fragments written by hand (a text
 * frame and continuations), maybe with a ping between two of them, maybe
 * with a string made of multi-byte UTF-8 cut by a fragment boundary (valid
 * as a whole, in an extra top-level key: noise that changes no data), or
 * with invalid UTF-8 right at a boundary (in a string field of it). */
static int gen_fragments(const struct fuzz_model *m, const struct target *tg, struct rng *r,
			 struct step_out *o)
{
	struct field f = {0};
	int utf = (int)rng_below(r, 3); /* 0 ASCII, 1 valid multi-byte, 2 invalid */
	char *text = NULL;
	size_t cut = 0; /* a boundary the UTF-8 variants need, inside their bytes */
	int envelope = 0;
	if (utf == 1 || (utf == 2 && gen_field(m, tg, r, "string", &f))) {
		const char *raw = utf == 1 ? "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"" : "\"x\xe2\x82x\"";
		text = gen_text_with(tg->live, utf == 1 ? "fuzzExtra" : f.path, raw);
		char *at = text ? strstr(text, raw) : NULL;
		if (at)
			cut = (size_t)(at - text) + (utf == 1 ? 3 : 4); /* inside the euro sign / after E2 82 */
		envelope = f.envelope;
		gen_field_clear(&f);
	}
	if (!cut) {
		free(text);
		utf = 0;
		text = gen_dump(tg->live);
	}
	size_t len = strlen(text);
	if (len < 4) {
		free(text);
		return 0;
	}
	size_t k = 2 + rng_below(r, 3), cuts[4];
	size_t nc = 0;
	for (size_t i = 0; i + 1 < k; i++)
		cuts[nc++] = 1 + rng_below(r, len - 1);
	if (cut)
		cuts[0] = cut;
	for (size_t i = 1; i < nc; i++) /* sort, small */
		for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
			size_t t = cuts[j];
			cuts[j] = cuts[j - 1];
			cuts[j - 1] = t;
		}
	int ping = (int)rng_below(r, 2);
	size_t ping_after = rng_below(r, nc);
	struct buf b;
	buf_init(&b, 0);
	size_t from = 0;
	for (size_t i = 0; i <= nc; i++) {
		size_t to = i < nc ? cuts[i] : len;
		if (to < from)
			to = from;
		gen_frame_hex(&b, i == nc, i ? 0 : 1, (const unsigned char *)text + from, to - from);
		if (ping && i == ping_after && i < nc)
			gen_frame_hex(&b, 1, 9, (const unsigned char *)"fuzz", 4);
		from = to;
	}
	buf_addc(&b, '\0');
	free(text);
	if (buf_finish(&b)) {
		buf_clear(&b);
		return 0;
	}
	o->action = json_pack("{s:b, s:{s:s}}", "drop", 1, "raw", "hex", b.data);
	buf_clear(&b);
	o->label = util_printf("transport: %zu fragments%s%s", nc + 1,
			       ping ? ", a ping between two" : "",
			       utf == 1   ? ", a multi-byte character cut by a boundary"
			       : utf == 2 ? ", invalid UTF-8 at a boundary"
					  : "");
	o->flags = utf == 2 ? FUZZ_DROPCONN : FUZZ_BENIGN;
	/* Frames written by hand are not in the mock's journal as a message:
	 * the judge cannot see a stream they hand out, nor the data they
	 * carry.  Still noise: the client must succeed all the same. */
	if (gen_hands_stream(tg))
		o->flags |= FUZZ_LOSSY;
	if (tg->t->unstable) /* as gen_text_step */
		o->flags = (o->flags & ~FUZZ_BENIGN) | FUZZ_LOSSY;
	if (envelope || !gen_exact(tg))
		gen_elsewhere(tg, o);
	return 1;
}

static int gen_transport(const struct fuzz_model *m, const struct target *tg, struct rng *r,
			 struct step_out *o)
{
	struct field f = {0};
	switch (rng_below(r, 8)) {
	case 7:
		if (!tg->live)
			return 0;
		return gen_fragments(m, tg, r, o);
	case 0: {
		json_int_t chunk = (json_int_t)(1 + rng_below(r, 64));
		/* a gap between writes only when they are few: the mock must not
		 * be the slow one */
		json_int_t gap = tg->t->len / (size_t)chunk < 64 ? (json_int_t)rng_below(r, 4) : 0;
		if (!tg->nth && gap * 64 * (json_int_t)tg->t->count > m->time_limit_ms / 4)
			gap = 0;
		o->action = json_pack("{s:{s:I, s:I}}", "split", "chunk", chunk, "gapMs", gap);
		o->label = util_printf("transport: split into %lld-byte writes", (long long)chunk);
		o->flags = FUZZ_BENIGN;
		return 1;
	}
	case 1: {
		json_int_t a = (json_int_t)(1 + rng_below(r, tg->t->len ? tg->t->len : 16));
		o->action = json_pack("{s:{s:[I, I]}}", "split", "sizes", a, (json_int_t)1 << 20);
		o->label = util_printf("transport: split after byte %lld", (long long)a);
		o->flags = FUZZ_BENIGN;
		return 1;
	}
	case 2: {
		int pong = (int)rng_below(r, 2);
		o->action = json_pack("{s:{s:i, s:s}}", "frame", "opcode", pong ? 10 : 9, "payload",
				      "fuzz");
		o->label = util_printf("transport: an unsolicited %s frame after it",
				       pong ? "pong" : "ping");
		o->flags = FUZZ_BENIGN;
		return 1;
	}
	case 3:
		if (!gen_field(m, tg, r, "string", &f))
			return 0;
		o->action = gen_mutate(json_pack("{s:s}", "invalidUtf8", f.path));
		o->label = util_printf("transport: invalid UTF-8 at the end of %s", f.path);
		o->flags = FUZZ_DROPCONN;
		gen_envelope_lossy(tg, &f, o);
		gen_field_clear(&f);
		return 1;
	case 4: {
		if (!gen_field(m, tg, r, "string", &f))
			return 0;
		/* Around the limits clients set: 1 MiB, 16 MiB, 100 MB, 256 MiB. */
		static const long long lim[] = {1LL << 20, 16LL << 20, 100000000LL, 256LL << 20};
		size_t k = rng_below(r, 10) < 8 ? rng_below(r, 2) : 2 + rng_below(r, 2);
		long long bytes = lim[k] + (rng_below(r, 2) ? 1 : -1);
		if ((size_t)bytes <= tg->t->len + 64) {
			gen_field_clear(&f);
			return 0;
		}
		o->action = gen_mutate(
		    json_pack("{s:{s:I, s:s}}", "oversize", "bytes", (json_int_t)bytes, "path", f.path));
		o->label = util_printf("transport: padded to %lld bytes through %s", bytes, f.path);
		o->flags = FUZZ_DROPCONN | FUZZ_LOSSY; /* the padding is data */
		gen_field_clear(&f);
		return 1;
	}
	case 5: {
		static const char *const how[] = {"close", "fin", "reset"};
		const char *h = PICK(r, how);
		if (!strcmp(h, "close"))
			o->action = json_pack("{s:{s:i, s:s}}", "close", "code",
					      rng_below(r, 2) ? 1000 : 1011, "reason", "fuzz");
		else
			o->action = json_pack("{s:b}", h, 1);
		o->label = util_printf("transport: %s the connection after it", h);
		o->flags = 0;
		return 1;
	}
	default: {
		json_int_t byte = (json_int_t)(1 + rng_below(r, 400));
		o->match = json_pack("{s:I}", "byte", byte);
		o->action = json_pack("{s:b}", "reset", 1);
		o->label = util_printf("transport: reset at the client's byte %lld", (long long)byte);
		o->flags = 0;
		return 1;
	}
	}
}

/* Whether b differs from a only in values of the same JSON type: objects
 * with the same keys, arrays of any length whose elements pair up so.  A
 * text edit that lands there (a stray byte inside a string, a string spelt
 * another way) made a valid message with other data, not a malformed one. */
static int gen_same_types(json_t *a, json_t *b)
{
	if (json_typeof(a) != json_typeof(b))
		return 0;
	if (json_is_object(a)) {
		const char *k;
		json_t *v;
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach(a, k, v)
		{
			json_t *w = json_object_get(b, k);
			if (!w || !gen_same_types(v, w))
				return 0;
		}
	} else if (json_is_array(a)) {
		for (size_t i = 0; i < json_array_size(a) && i < json_array_size(b); i++)
			if (!gen_same_types(json_array_get(a, i), json_array_get(b, i)))
				return 0;
	}
	return 1;
}

static int gen_text_step(const struct target *tg, struct step_out *o, char *text,
			 const char *what, int flags)
{
	if (!text)
		return 0;
	o->action = json_pack("{s:b, s:[{s:s}]}", "drop", 1, "emit", "text", text);
	o->label = util_printf("json: %s", what);
	/* The text is the discovery run's message: when the mock generates its
	 * data again with other values (trace events, timestamps), what the
	 * client hands over cannot be held against the mock's digests, and
	 * no noise is noise any more.  So too when the edit still parses and
	 * only changed a value for another of its type (a stray "]" inside a
	 * session id): no client can see that the data is not the mock's. */
	json_t *parsed = tg->live ? json_loads(text, 0, NULL) : NULL;
	if (tg->t->unstable || (parsed && !json_equal(parsed, tg->live) &&
				gen_same_types(tg->live, parsed)))
		flags = (flags & ~FUZZ_BENIGN) | FUZZ_LOSSY;
	json_decref(parsed);
	o->flags = flags;
	if (!gen_exact(tg)) /* another message's bytes: this one went elsewhere */
		gen_elsewhere(tg, o);
	free(text);
	return 1;
}

static int gen_json(const struct fuzz_model *m, const struct target *tg, struct rng *r,
		    struct step_out *o)
{
	struct field f = {0};
	int kind = (int)rng_below(r, 7);
	if (!tg->live || kind == 0) {
		size_t len = tg->t->len ? tg->t->len : 32;
		json_int_t n = (json_int_t)rng_below(r, len > 1 ? len - 1 : 1);
		o->action = gen_mutate(json_pack("{s:I}", "truncate", n));
		o->label = util_printf("json: truncated to %lld bytes", (long long)n);
		o->flags = 0;
		return 1;
	}
	if (kind == 1) {
		static const char *const stray[] = {"}", "]", ",", "\"", "\\", "{", ":", "x",
						    " \x01", "\xef\xbb\xbf", "\n"};
		char *s = gen_dump(tg->live);
		size_t at = rng_below(r, strlen(s) + 1);
		const char *b = PICK(r, stray);
		char *t = util_printf("%.*s%s%s", (int)at, s, b, s + at);
		free(s);
		return gen_text_step(tg, o, t, "a stray byte in the text", 0);
	}
	if (kind == 6) {
		json_t *rev = gen_reversed(tg->live);
		char *t = gen_dump(rev);
		json_decref(rev);
		return gen_text_step(tg, o, t, "keys in reverse order", FUZZ_BENIGN);
	}
	const char *want = kind == 3 ? "number" : kind == 4 ? "string" : "present";
	if (!gen_field(m, tg, r, want, &f) && !gen_field(m, tg, r, "present", &f))
		return 0;
	char *raw = NULL, *what = NULL;
	if (kind == 2) {
		static const int depth[] = {64, 1000, 10000, 100000};
		int d = depth[rng_below(r, 4)];
		raw = malloc((size_t)d * 2 + 1);
		if (!raw)
			exit(2);
		memset(raw, '[', (size_t)d);
		memset(raw + d, ']', (size_t)d);
		raw[d * 2] = '\0';
		what = util_printf("%s nested %d arrays deep", f.path, d);
	} else if (kind == 3) {
		static const char *const num[] = {"1e400", "-1", "1.5", "18446744073709551616",
						  "-0", "1E2", "123456789012345678901234567890",
						  "-9223372036854775809", "0.1e-400"};
		raw = util_strdup(PICK(r, num));
		what = util_printf("%s is the number %s", f.path, raw);
	} else if (kind == 4) {
		static const char *const esc[] = {"\"\\ud800\"", "\"\\udfff\\ud800\"",
						  "\"a\\u0000b\"", "\"\\u00e9\\u20ac\\ud83d\\ude00\"",
						  "\"\\ud83d\""};
		if (rng_below(r, 3) == 0 && json_is_string(f.live)) {
			/* the same string, every character escaped */
			const char *s = json_string_value(f.live);
			size_t n = strlen(s);
			raw = malloc(n * 6 + 3);
			if (!raw)
				exit(2);
			char *w = raw;
			*w++ = '"';
			for (size_t i = 0; i < n; i++)
				w += sprintf(w, "\\u%04x", (unsigned char)s[i]);
			*w++ = '"';
			*w = '\0';
			what = util_printf("%s spelt with \\u escapes", f.path);
		} else {
			raw = util_strdup(PICK(r, esc));
			what = util_printf("%s is %s", f.path, raw);
		}
	} else {
		/* a duplicate key: another value first, the real one last */
		json_t *other = gen_other(f.spec ? f.spec : f.live, r);
		char *ov = gen_dump(other), *orig = f.live ? gen_dump(f.live) : util_strdup("null");
		const char *key = gen_key(&f);
		raw = util_printf("%s,\"%s\":%s", ov, key, orig);
		what = util_printf("%s twice (first %s)", f.path, ov);
		json_decref(other);
		free(ov);
		free(orig);
	}
	char *text = f.present || kind != 5 ? gen_text_with(tg->live, f.path, raw) : NULL;
	int ok = gen_text_step(tg, o, text, what, 0);
	gen_envelope_lossy(tg, &f, o);
	free(raw);
	free(what);
	gen_field_clear(&f);
	return ok;
}

static int gen_schema(const struct fuzz_model *m, const struct target *tg, struct rng *r,
		      struct step_out *o)
{
	struct field f = {0};
	/* Cases 0-4 pick a field of the body or of the envelope (gen_field()):
	 * a reply without its sessionId or id is "required sessionId
	 * dropped". */
	switch (rng_below(r, 9)) {
	case 0:
		if (!gen_field(m, tg, r, "required", &f))
			return 0;
		o->action = gen_mutate(json_pack("{s:s}", "drop", f.path));
		o->label = util_printf("schema: required %s dropped", f.path);
		break;
	case 1:
		if (!gen_field(m, tg, r, "optional-absent", &f))
			return 0;
		o->action = gen_mutate(json_pack("{s:{s:s, s:o}}", "set", "path", f.path, "value",
						 gen_value(m, tg->domain, f.spec, r, 0)));
		o->label = util_printf("schema: optional %s added", f.path);
		o->flags = FUZZ_LOSSY;
		break;
	case 2:
		if (!gen_field(m, tg, r, "optional-present", &f))
			return 0;
		o->action = gen_mutate(json_pack("{s:s}", "drop", f.path));
		o->label = util_printf("schema: optional %s dropped", f.path);
		o->flags = FUZZ_LOSSY;
		break;
	case 3:
		if (!gen_field(m, tg, r, "present", &f))
			return 0;
		if (rng_below(r, 2))
			o->action = gen_mutate(json_pack("{s:s}", "retype", f.path));
		else
			o->action = gen_mutate(json_pack("{s:{s:s, s:o}}", "set", "path", f.path,
							 "value", gen_other(f.spec ? f.spec : f.live, r)));
		o->label = util_printf("schema: %s of a wrong type", f.path);
		break;
	case 4:
		if (!gen_field(m, tg, r, "enum", &f))
			return 0;
		o->action = gen_mutate(json_pack("{s:{s:s, s:s}}", "set", "path", f.path, "value",
						 "fuzzUnknownValue"));
		o->label = util_printf("schema: %s an unknown enum value", f.path);
		break;
	case 5: {
		int known = (int)rng_below(r, 2);
		const char *dot = strchr(tg->t->method, '.');
		char *ev = known ? util_printf("%.*s.fuzzUnknown%u", (int)(dot - tg->t->method),
					       tg->t->method, (unsigned)rng_below(r, 100))
				 : util_printf("Fuzz%u.unknownEvent", (unsigned)rng_below(r, 100));
		o->action = json_pack("{s:[{s:s, s:{s:i}, s:s}]}", "emit", "method", ev, "params",
				      "x", 1, "when", rng_below(r, 2) ? "before" : "after");
		o->label = util_printf("schema: unknown event %s", ev);
		o->flags = FUZZ_BENIGN;
		free(ev);
		return 1;
	}
	case 6:
		o->action = gen_mutate(
		    json_pack("{s:{s:s, s:o}}", "set", "path", "fuzzExtra", "value",
			      rng_below(r, 2) ? json_integer(1) : json_pack("{s:[]}", "a")));
		o->label = util_printf("schema: an extra top-level key");
		o->flags = FUZZ_BENIGN;
		return 1;
	case 7: {
		char sid[33];
		for (int i = 0; i < 32; i++)
			sid[i] = "0123456789ABCDEF"[rng_below(r, 16)];
		sid[32] = '\0';
		o->action =
		    gen_mutate(json_pack("{s:{s:s, s:s}}", "set", "path", "sessionId", "value", sid));
		o->label = util_printf("schema: unknown sessionId %s", sid);
		gen_elsewhere(tg, o);
		return 1;
	}
	default:
		if (strcmp(tg->t->kind, "event") && rng_below(r, 2)) {
			o->action = gen_mutate(json_pack("{s:{s:s, s:I}}", "set", "path", "id", "value",
							 (json_int_t)(900000 + rng_below(r, 1000))));
			o->label = util_printf("schema: its id changed to one no request had");
			gen_elsewhere(tg, o);
			return 1;
		}
		o->action = json_pack("{s:[{s:{s:I, s:{}}, s:s}]}", "emit", "message", "id",
				      (json_int_t)(900000 + rng_below(r, 1000)), "result", "when",
				      "before");
		o->label = util_printf("schema: a reply to an id no request had, before it");
		o->flags = FUZZ_BENIGN;
		return 1;
	}
	gen_envelope_lossy(tg, &f, o);
	gen_field_clear(&f);
	return 1;
}

static int gen_semantics(const struct fuzz_model *m, const struct target *tg, struct rng *r,
			 struct step_out *o)
{
	struct field f = {0};
	int reply = strcmp(tg->t->kind, "event") != 0;
	switch (rng_below(r, 11)) {
	case 0: {
		json_int_t n = (json_int_t)(1 + rng_below(r, 2));
		o->action = json_pack("{s:I}", "duplicate", n);
		o->label = util_printf("semantics: sent %lld more time(s)", (long long)n);
		/* A second reply to one id is noise a client must ignore, but
		 * the mock's digests count the data of every copy it sent (a
		 * profile, a coverage): the judge cannot hold the client to
		 * them. */
		o->flags = reply ? FUZZ_BENIGN | FUZZ_LOSSY : FUZZ_LOSSY;
		return 1;
	}
	case 1: {
		json_int_t n = (json_int_t)(1 + rng_below(r, 3));
		o->action = json_pack("{s:I}", "reorder", n);
		o->label = util_printf("semantics: sent after the next %lld message(s)", (long long)n);
		o->flags = FUZZ_LOSSY;
		return 1;
	}
	case 2:
		o->action = json_pack("{s:b}", "drop", 1);
		o->label = util_printf("semantics: dropped");
		o->flags = FUZZ_LOSSY;
		return 1;
	case 3: {
		static const int ms[] = {20, 200, 500, 1500, 4000};
		int d = ms[rng_below(r, 5)];
		/* all the delays together stay under a quarter of the limit: a
		 * client is not to blame for a mock slower than its limit */
		size_t times = tg->nth ? 1 : tg->t->count;
		while (d > 20 && (long)d * (long)times > m->time_limit_ms / 4)
			d /= 2;
		o->action = json_pack("{s:i}", "delay", d);
		o->label = util_printf("semantics: delayed %d ms", d);
		o->flags = d <= 500 && reply ? FUZZ_BENIGN : FUZZ_LOSSY;
		return 1;
	}
	case 4: {
		/* an event the client saw earlier, again, after this message:
		 * dataCollected after tracingComplete, tracingComplete twice */
		size_t ev[64], n = 0;
		for (size_t i = 0; i < m->n && n < 64; i++)
			if (!strcmp(m->t[i].kind, "event") && m->t[i].live[0])
				ev[n++] = i;
		if (!n)
			return 0;
		const struct fuzz_tmpl *e = &m->t[ev[rng_below(r, n)]];
		o->action = json_pack("{s:[{s:O}]}", "emit", "message", e->live[0]);
		o->label = util_printf("semantics: an extra %s after it", e->method);
		/* Replayed after its time, a correct client keeps its data as
		 * it was: after another kind of message that came only once
		 * every one of its kind had (dataCollected after
		 * tracingComplete), or a one-shot event again (tracingComplete
		 * twice).  Replayed among its own kind (a dataCollected after
		 * another, the last one included) it is data like any other,
		 * and sent before its time it ends things early: no client can
		 * know better. */
		int after = (tg->t != e && tg->t->first > e->last) || (tg->t == e && e->count == 1);
		o->flags = after ? 0 : FUZZ_LOSSY;
		return 1;
	}
	case 5: {
		/* an event of the same domain, built from the descriptor */
		const char *dot = strchr(tg->t->method, '.');
		json_t *evs = json_object_get(tg->domain, "events");
		if (!dot || !json_array_size(evs))
			return 0;
		json_t *e = json_array_get(evs, rng_below(r, json_array_size(evs)));
		json_t *params = json_object();
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(e, "parameters"), i, p)
		{
			if (json_is_true(json_object_get(p, "optional")) && rng_below(r, 2))
				continue;
			json_object_set_new(params, json_string_value(json_object_get(p, "name")),
					    gen_value(m, tg->domain, p, r, 0));
		}
		char *meth = util_printf("%.*s.%s", (int)(dot - tg->t->method), tg->t->method,
					 json_string_value(json_object_get(e, "name")));
		o->action = json_pack("{s:[{s:s, s:o}]}", "emit", "method", meth, "params", params);
		o->label = util_printf("semantics: an unasked %s after it", meth);
		/* it may be data (a dataCollected) or an end (a tracingComplete)
		 * as good as the real ones: no client can tell, and one that
		 * takes a made-up stream never sees the real one to close it */
		o->flags = FUZZ_LOSSY;
		if (gen_props_stream(json_object_get(e, "parameters")))
			o->flags |= FUZZ_DROPCONN;
		free(meth);
		return 1;
	}
	case 6:
	case 7:
	case 10: {
		/* a value of the right type that means something else: empty,
		 * a flipped boolean, an out-of-range number, an earlier value */
		if (!gen_field(m, tg, r, "present", &f))
			return 0;
		const char *ty = f.spec ? gen_type(f.spec) : "any";
		json_t *v = NULL;
		if (json_is_boolean(f.live) || !strcmp(ty, "boolean"))
			v = json_boolean(!json_is_true(f.live));
		else if (json_is_string(f.live) || !strcmp(ty, "string"))
			v = json_string("");
		else if (json_is_array(f.live) || !strcmp(ty, "array"))
			v = json_array();
		else if (json_is_object(f.live) || !strcmp(ty, "object"))
			v = json_object();
		else if (!strcmp(ty, "integer") || json_is_integer(f.live))
			v = json_integer(rng_below(r, 2) ? -1 : 0);
		else
			v = json_real(rng_below(r, 2) ? -0.5 : 1.5);
		char *vs = gen_dump(v);
		o->action =
		    gen_mutate(json_pack("{s:{s:s, s:o}}", "set", "path", f.path, "value", v));
		o->label = util_printf("semantics: %s is %s", f.path, vs);
		o->flags = FUZZ_LOSSY;
		free(vs);
		break;
	}
	case 8: {
		/* a value an earlier message of the same kind had (a stream
		 * that goes backwards, a stale state) */
		if (tg->nth < 2 || tg->nth - 2 >= sizeof(tg->t->live) / sizeof(*tg->t->live) ||
		    !tg->t->live[tg->nth - 2] || !gen_field(m, tg, r, "present", &f))
			return 0;
		json_t *prev = tg->t->live[tg->nth - 2];
		if (strchr(f.path, '.'))
			prev = json_object_get(prev, tg->root);
		json_t *pv = json_object_get(prev, gen_key(&f));
		if (!pv) {
			gen_field_clear(&f);
			return 0;
		}
		o->action = gen_mutate(json_pack("{s:{s:s, s:O}}", "set", "path", f.path, "value", pv));
		o->label = util_printf("semantics: %s as in the message before", f.path);
		o->flags = FUZZ_LOSSY;
		break;
	}
	default:
		o->action = json_pack("{s:b}", "hold", 1);
		o->label = util_printf("semantics: never sent");
		o->flags = FUZZ_LOSSY;
		return 1;
	}
	gen_field_clear(&f);
	return 1;
}

/* ---- plans ---- */

void fuzz_step_make(const struct fuzz_model *m, struct rng *r, struct fuzz_step *s)
{
	for (;;) {
		/* A message of the discovery run, each one as likely: the kinds
		 * that come often (data chunks, stream reads) get most steps. */
		struct target tg = {0};
		size_t total = 0, k;
		for (size_t i = 0; i < m->n; i++)
			total += m->t[i].count;
		k = rng_below(r, total);
		for (size_t i = 0; i < m->n; i++) {
			if (k < m->t[i].count) {
				tg.t = &m->t[i];
				break;
			}
			k -= m->t[i].count;
		}
		tg.props = gen_props(m, tg.t, &tg.domain);
		tg.root = strcmp(tg.t->kind, "event") ? "result" : "params";
		if (!strcmp(tg.t->kind, "error"))
			tg.root = "error";
		/* that one only, or (one time in four) every one of its kind */
		tg.nth = rng_below(r, 4) ? k + 1 : 0;
		tg.live = tg.t->live[tg.nth ? (tg.nth - 1 < 4 ? tg.nth - 1 : 0) : 0];
		if (!tg.live)
			tg.live = tg.nth > 4 ? NULL : tg.t->live[0];
		struct step_out o = {0};
		int layer = (int)rng_below(r, 4);
		int ok = layer == 0   ? gen_transport(m, &tg, r, &o)
			 : layer == 1 ? gen_json(m, &tg, r, &o)
			 : layer == 2 ? gen_schema(m, &tg, r, &o)
				      : gen_semantics(m, &tg, r, &o);
		if (!ok)
			continue;
		json_t *match = o.match ? o.match : gen_match(&tg);
		int on_target = o.match == NULL;
		char *where = on_target ? gen_where(&tg) : NULL;
		s->label = where ? util_printf("%s (%s)", o.label, where) : util_strdup(o.label);
		s->rule = json_pack("{s:s, s:o, s:o}", "name", s->label, "match", match, "action",
				    o.action);
		if (!on_target || tg.nth)
			json_object_set_new(s->rule, "times", json_integer(1));
		s->flags = o.flags;
		s->layer = layer;
		free(where);
		free(o.label);
		return;
	}
}

void fuzz_plan_make(struct fuzz_plan *p, const struct fuzz_model *m, struct rng *r,
		    size_t max_steps)
{
	p->n = 1 + rng_below(r, max_steps);
	p->steps = calloc(p->n, sizeof(*p->steps));
	if (!p->steps)
		exit(2);
	for (size_t i = 0; i < p->n; i++)
		fuzz_step_make(m, r, &p->steps[i]);
}

void fuzz_plan_copy(struct fuzz_plan *dst, const struct fuzz_plan *src, const unsigned char *keep)
{
	dst->n = 0;
	dst->steps = calloc(src->n ? src->n : 1, sizeof(*dst->steps));
	if (!dst->steps)
		exit(2);
	for (size_t i = 0; i < src->n; i++) {
		if (keep && !keep[i])
			continue;
		struct fuzz_step *d = &dst->steps[dst->n++];
		d->rule = json_deep_copy(src->steps[i].rule);
		d->label = util_strdup(src->steps[i].label);
		d->flags = src->steps[i].flags;
		d->layer = src->steps[i].layer;
	}
}

void fuzz_plan_clear(struct fuzz_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		json_decref(p->steps[i].rule);
		free(p->steps[i].label);
	}
	free(p->steps);
	p->steps = NULL;
	p->n = 0;
}

int fuzz_plan_flags(const struct fuzz_plan *p)
{
	int f = FUZZ_BENIGN;
	for (size_t i = 0; i < p->n; i++) {
		if (!(p->steps[i].flags & FUZZ_BENIGN))
			f &= ~FUZZ_BENIGN;
		f |= p->steps[i].flags & ~FUZZ_BENIGN;
	}
	return f;
}

long long fuzz_plan_bytes(const struct fuzz_plan *p)
{
	long long n = 0;
	for (size_t i = 0; i < p->n; i++) {
		json_t *o = json_object_get(json_object_get(json_object_get(p->steps[i].rule, "action"),
							    "mutate"),
					    "oversize");
		json_int_t b = json_integer_value(json_object_get(o, "bytes"));
		if (b > 0)
			n += b;
	}
	return n;
}

/* ---- shrinking the bytes of one step ---- */

/* Halves the numbers a step is made of (split sizes, a truncation, a
 * duplicate count, a delay, a text replacement's length is left alone:
 * cutting it would make another mutation). */
int fuzz_step_shrink(const struct fuzz_step *s, int try, struct fuzz_step *out)
{
	static const char *const paths[][2] = {{"mutate", "truncate"}, {"duplicate", NULL},
						{"reorder", NULL},	  {"delay", NULL},
						{"split", "gapMs"}};
	if (try < 0 || (size_t)try >= sizeof(paths) / sizeof(*paths))
		return -1;
	json_t *action = json_object_get(s->rule, "action");
	json_t *v = json_object_get(action, paths[try][0]);
	const char *key = paths[try][0];
	if (paths[try][1]) {
		key = paths[try][1];
		v = json_object_get(v, key);
	}
	if (!json_is_integer(v) || json_integer_value(v) <= 1)
		return 0;
	out->rule = json_deep_copy(s->rule);
	json_t *na = json_object_get(out->rule, "action");
	json_t *np = paths[try][1] ? json_object_get(na, paths[try][0]) : na;
	json_int_t was = json_integer_value(v), now = was / 2;
	json_object_set_new(np, key, json_integer(now));
	/* the label says the number too: "truncated to 16 bytes" */
	char ws[32];
	snprintf(ws, sizeof(ws), "%lld", (long long)was);
	char *at = strstr(s->label, ws);
	out->label = at ? util_printf("%.*s%lld%s", (int)(at - s->label), s->label, (long long)now,
				      at + strlen(ws))
			: util_strdup(s->label);
	json_object_set_new(out->rule, "name", json_string(out->label));
	out->flags = s->flags;
	out->layer = s->layer;
	return 1;
}
