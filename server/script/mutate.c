/* mutate.c - outgoing message mutations (see mutate.h).  Tree changes go
 * through jansson; byte-level ones (invalid UTF-8, padding, truncation) put
 * a marker string in the tree, dump it, and then work on the bytes around
 * the marker, since a JSON tree cannot hold invalid UTF-8 or a 255 MiB
 * string we do not want to allocate. */
#include "script/mutate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "jsonw.h"
#include "numfmt.h"
#include "net/conn.h"
#include "scenario/scenario.h"

/* Markers as they appear once dumped (control characters are escaped). */
#define MUTATE_UTF8_MARK "\x01" "cdpmock-utf8\x01"
#define MUTATE_UTF8_DUMPED "\\u0001cdpmock-utf8\\u0001"
#define MUTATE_PAD_MARK "\x01" "cdpmock-pad\x01"
#define MUTATE_PAD_DUMPED "\\u0001cdpmock-pad\\u0001"

/* A truncated 3-byte sequence: what a text chunk cut inside a UTF-8
 * character looks like (docs/clients.md §2-§3: it kills the connection). */
static const char mutate_bad_utf8[] = "\xE2\x82";

static const char mutate_filler[] = "abcdefghijklmnopqrstuvwxyz0123456789";

/* An oversized message: head, pad filler bytes, tail. */
struct mutate_lazy {
	struct conn_lazy base;
	char *head, *tail;
	size_t head_len, tail_len;
	uint64_t pad;
};

static void mutate_lazy_fill(struct conn_lazy *l, uint64_t pos, char *dst, size_t n)
{
	struct mutate_lazy *m = (struct mutate_lazy *)l;
	size_t flen = sizeof(mutate_filler) - 1;
	while (n) {
		size_t k;
		if (pos < m->head_len) {
			k = m->head_len - (size_t)pos < n ? m->head_len - (size_t)pos : n;
			memcpy(dst, m->head + pos, k);
		} else if (pos < m->head_len + m->pad) {
			uint64_t p = pos - m->head_len;
			uint64_t left = m->pad - p;
			k = left < n ? (size_t)left : n;
			for (size_t i = 0; i < k; i++)
				dst[i] = mutate_filler[(p + i) % flen];
		} else {
			size_t t = (size_t)(pos - m->head_len - m->pad);
			k = m->tail_len - t < n ? m->tail_len - t : n;
			memcpy(dst, m->tail + t, k);
		}
		dst += k;
		pos += k;
		n -= k;
	}
}

static void mutate_lazy_free(struct conn_lazy *l)
{
	struct mutate_lazy *m = (struct mutate_lazy *)l;
	free(m->head);
	free(m->tail);
	free(m);
}

static struct mutate_lazy *mutate_lazy_new(const char *head, size_t hl, const char *tail,
					   size_t tl, uint64_t pad)
{
	struct mutate_lazy *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->head = malloc(hl + 1);
	m->tail = malloc(tl + 1);
	if (!m->head || !m->tail) {
		mutate_lazy_free(&m->base);
		return NULL;
	}
	memcpy(m->head, head, hl);
	memcpy(m->tail, tail, tl);
	m->head_len = hl;
	m->tail_len = tl;
	m->pad = pad;
	m->base.size = hl + pad + tl;
	m->base.fill = mutate_lazy_fill;
	m->base.free = mutate_lazy_free;
	return m;
}

struct conn_lazy *mutate_lazy_copy(const struct conn_lazy *l)
{
	const struct mutate_lazy *m = (const struct mutate_lazy *)l;
	struct mutate_lazy *c = mutate_lazy_new(m->head, m->head_len, m->tail, m->tail_len, m->pad);
	return c ? &c->base : NULL;
}

/* ---- dumping ---- */

int mutate_dump(struct buf *b, const json_t *v)
{
	return jsonw_dump(b, v);
}

/* ---- tree changes ---- */

/* RFC 7386: null deletes, objects merge, anything else replaces. */
static int mutate_merge(json_t *target, const json_t *patch)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)patch, k, v)
	{
		json_t *cur = json_object_get(target, k);
		if (json_is_null(v)) {
			json_object_del(target, k);
		} else if (json_is_object(v) && json_is_object(cur)) {
			if (mutate_merge(cur, v))
				return CDPM_ENOMEM;
		} else if (json_object_set_new(target, k, json_deep_copy(v))) {
			return CDPM_ENOMEM;
		}
	}
	return 0;
}

/* Finds the container holding the last segment of path; *last gets that
 * segment.  NULL when the path does not exist. */
static json_t *mutate_parent(json_t *root, const char *path, char *last, size_t n)
{
	json_t *cur = root;
	const char *p = path;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (len >= n)
			return NULL;
		memcpy(last, p, len);
		last[len] = '\0';
		if (!dot)
			return cur;
		if (json_is_object(cur))
			cur = json_object_get(cur, last);
		else if (json_is_array(cur))
			cur = json_array_get(cur, strtoul(last, NULL, 10));
		else
			return NULL;
		if (!cur)
			return NULL;
		p = dot + 1;
	}
}

static json_t *mutate_get(json_t *parent, const char *key)
{
	if (json_is_object(parent))
		return json_object_get(parent, key);
	if (json_is_array(parent))
		return json_array_get(parent, strtoul(key, NULL, 10));
	return NULL;
}

static int mutate_put(json_t *parent, const char *key, json_t *v)
{
	if (json_is_object(parent))
		return json_object_set_new(parent, key, v) ? CDPM_ENOMEM : 0;
	if (json_is_array(parent)) {
		size_t i = strtoul(key, NULL, 10);
		if (i < json_array_size(parent))
			return json_array_set_new(parent, i, v) ? CDPM_ENOMEM : 0;
		if (i == json_array_size(parent))
			return json_array_append_new(parent, v) ? CDPM_ENOMEM : 0;
	}
	json_decref(v);
	return 0;
}

/* Another type for v: string <-> number, bool -> string, null -> {},
 * object -> [], array -> {}. */
static json_t *mutate_other_type(const json_t *v)
{
	char tmp[64];
	switch (json_typeof(v)) {
	case JSON_STRING: {
		char *end;
		double d = strtod(json_string_value(v), &end);
		if (*json_string_value(v) && !*end && d == floor(d) && fabs(d) < 9e15)
			return json_integer((json_int_t)d);
		return *json_string_value(v) && !*end ? json_real(d) : json_integer(0);
	}
	case JSON_INTEGER:
		snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
		return json_string(tmp);
	case JSON_REAL:
		numfmt_double(tmp, json_real_value(v));
		return json_string(tmp);
	case JSON_TRUE:
		return json_string("true");
	case JSON_FALSE:
		return json_string("false");
	case JSON_NULL:
		return json_object();
	case JSON_OBJECT:
		return json_array();
	case JSON_ARRAY:
		return json_object();
	}
	return json_null();
}

/* Appends a marker to the string at path (made a string if it is not). */
static int mutate_mark(json_t *root, const char *path, const char *mark)
{
	char key[256];
	json_t *parent = mutate_parent(root, path, key, sizeof(key));
	if (!parent)
		return 0;
	json_t *v = mutate_get(parent, key);
	struct buf s;
	buf_init(&s, 0);
	if (json_is_string(v))
		buf_add(&s, json_string_value(v), json_string_length(v));
	buf_adds(&s, mark);
	json_t *nv = buf_finish(&s) ? NULL : json_stringn(s.data, s.len);
	buf_clear(&s);
	return nv ? mutate_put(parent, key, nv) : CDPM_ENOMEM;
}

static int mutate_tree(json_t *root, const struct scenario_mutation *mu)
{
	char key[256];
	if (!mu->path) /* truncate works on bytes only */
		return 0;
	json_t *parent = mutate_parent(root, mu->path, key, sizeof(key));
	json_t *v = parent ? mutate_get(parent, key) : NULL;
	switch (mu->op) {
	case SCENARIO_MUT_DROP:
		if (json_is_object(parent))
			json_object_del(parent, key);
		else if (json_is_array(parent) && v)
			json_array_remove(parent, strtoul(key, NULL, 10));
		return 0;
	case SCENARIO_MUT_SET:
		return parent ? mutate_put(parent, key, json_deep_copy(mu->value)) : 0;
	case SCENARIO_MUT_RETYPE:
		return v ? mutate_put(parent, key, mutate_other_type(v)) : 0;
	case SCENARIO_MUT_INVALID_UTF8:
		return mutate_mark(root, mu->path, MUTATE_UTF8_MARK);
	case SCENARIO_MUT_OVERSIZE:
		return mutate_mark(root, mu->path, MUTATE_PAD_MARK);
	case SCENARIO_MUT_TRUNCATE:
		return 0;
	}
	return 0;
}

/* Replaces the dumped UTF-8 marker with the invalid bytes. */
static void mutate_bytes_utf8(struct buf *b, size_t from)
{
	size_t ml = sizeof(MUTATE_UTF8_DUMPED) - 1, bl = sizeof(mutate_bad_utf8) - 1;
	char *at;
	while ((at = memmem(b->data + from, b->len - from, MUTATE_UTF8_DUMPED, ml))) {
		memcpy(at, mutate_bad_utf8, bl);
		memmove(at + bl, at + ml, (size_t)(b->data + b->len - (at + ml)));
		b->len -= ml - bl;
		b->data[b->len] = '\0';
	}
}

/* The padding: small ones in place, big ones as a lazy generator. */
static int mutate_bytes_pad(struct buf *b, size_t from, uint64_t total, struct conn_lazy **lazy)
{
	size_t ml = sizeof(MUTATE_PAD_DUMPED) - 1;
	char *at = memmem(b->data + from, b->len - from, MUTATE_PAD_DUMPED, ml);
	if (!at)
		return 0;
	size_t hl = (size_t)(at - (b->data + from));
	size_t tl = b->len - from - hl - ml;
	if (total < hl + tl)
		return CDPM_EINVAL;
	uint64_t pad = total - hl - tl;
	if (pad < MUTATE_LAZY_MIN) {
		struct buf o;
		buf_init(&o, 0);
		buf_reserve(&o, from + hl + (size_t)pad + tl);
		buf_add(&o, b->data, from + hl);
		for (uint64_t i = 0; i < pad; i++)
			buf_addc(&o, mutate_filler[i % (sizeof(mutate_filler) - 1)]);
		buf_add(&o, at + ml, tl);
		int rc = buf_finish(&o);
		if (rc) {
			buf_clear(&o);
			return rc;
		}
		buf_clear(b);
		*b = o;
		return 0;
	}
	struct mutate_lazy *m = mutate_lazy_new(b->data + from, hl, at + ml, tl, pad);
	if (!m)
		return CDPM_ENOMEM;
	*lazy = &m->base;
	return 0;
}

static int mutate_tree_all(json_t *root, const json_t *merge, const json_t *replace,
			   const struct scenario_mutation *mut, size_t n_mut)
{
	/* A reply's result, an event's params, else the message itself. */
	const char *part = json_object_get(root, "result")   ? "result"
			   : json_object_get(root, "params") ? "params"
							     : NULL;
	int rc = 0;
	if (replace)
		rc = part ? (json_object_set_new(root, part, json_deep_copy(replace)) ? CDPM_ENOMEM : 0)
			  : mutate_merge(root, replace);
	if (!rc && merge) {
		json_t *t = part ? json_object_get(root, part) : root;
		if (!json_is_object(t)) {
			t = json_object();
			if (!t || json_object_set_new(root, part, t))
				return CDPM_ENOMEM;
		}
		rc = mutate_merge(t, merge);
	}
	for (size_t i = 0; !rc && i < n_mut; i++)
		rc = mutate_tree(root, &mut[i]);
	return rc;
}

int mutate_message(struct buf *b, const json_t *merge, const json_t *replace,
		   const struct scenario_mutation *mut, size_t n_mut, struct conn_lazy **lazy)
{
	json_error_t err;
	*lazy = NULL;
	json_t *root = json_loadb(b->data + CONN_HEADROOM, b->len - CONN_HEADROOM,
				  JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	struct buf o;
	int rc = 0;
	conn_msg_begin(&o);
	if (json_is_object(root)) {
		rc = mutate_tree_all(root, merge, replace, mut, n_mut);
		if (!rc)
			mutate_dump(&o, root);
	} else {
		buf_add(&o, b->data + CONN_HEADROOM, b->len - CONN_HEADROOM);
	}
	/* The byte mutations below work in place: only on a whole message. */
	if (!rc)
		rc = buf_finish(&o);
	for (size_t i = 0; !rc && i < n_mut; i++) {
		if (mut[i].op == SCENARIO_MUT_INVALID_UTF8)
			mutate_bytes_utf8(&o, CONN_HEADROOM);
		else if (mut[i].op == SCENARIO_MUT_OVERSIZE && !*lazy)
			rc = mutate_bytes_pad(&o, CONN_HEADROOM, mut[i].bytes, lazy);
		else if (mut[i].op == SCENARIO_MUT_TRUNCATE && !*lazy &&
			 o.len - CONN_HEADROOM > mut[i].bytes)
			o.len = CONN_HEADROOM + (size_t)mut[i].bytes;
	}
	if (rc)
		goto out;
	if (*lazy) {
		buf_clear(&o);
		buf_clear(b);
	} else {
		o.data[o.len] = '\0';
		buf_clear(b);
		*b = o;
		o.data = NULL;
	}
out:
	buf_clear(&o);
	json_decref(root);
	return rc;
}
