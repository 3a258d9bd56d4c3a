/* protocol.c - command lookup and parameter checks against the generated
 * descriptor table, and the embedded descriptor bytes (see protocol.h).
 * It mirrors crdtp's DeserializerDescriptor and ProtocolTypeTraits walking
 * the CBOR form of params; positions come from cbor.c.  It checks types
 * only: values (enums, ranges) are the handlers' business. */
#include "cdp/protocol.h"

#include <stdlib.h>
#include <string.h>

#include "cdp/cbor.h"
#include "cdpm.h"
#include "editdist.h"
#include "wildcard.h"

/* Deeper than crdtp's JSON nesting limit (300), so every path fits. */
#define PROTOCOL_MAX_DEPTH 320

/* The bytes of third_party/devtools-protocol/protocol.json (Makefile). */
extern const char protocol_blob[], protocol_blob_end[];

/* The first error found, as crdtp's DeserializerState records it. */
struct protocol_err {
	const char *msg; /* crdtp's Status text */
	size_t pos;      /* offset into the CBOR form of params */
	size_t nnames;
	const char *names[PROTOCOL_MAX_DEPTH]; /* field path, innermost first */
};

static int protocol_check(const struct protocol_type *t, const json_t *v, size_t pos,
			  size_t *end, struct protocol_err *err);

static int protocol_method_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct protocol_method *)elem)->name);
}

const struct protocol_method *protocol_find(const char *method)
{
	return bsearch(method, protocol_table_methods, protocol_table_nmethods,
		       sizeof(protocol_table_methods[0]), protocol_method_cmp);
}

static int protocol_name_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

#define PROTOCOL_MAX_DECLARED 32

static struct {
	const char *name;
	unsigned which;
} protocol_declared[PROTOCOL_MAX_DECLARED];
static size_t protocol_ndeclared;

void protocol_declare(const char *name, unsigned which)
{
	if (!name)
		protocol_ndeclared = 0;
	else if (protocol_ndeclared < PROTOCOL_MAX_DECLARED)
		protocol_declared[protocol_ndeclared++].name = name,
			protocol_declared[protocol_ndeclared - 1].which = which;
}

static int protocol_is_declared(const char *name, unsigned which)
{
	for (size_t i = 0; i < protocol_ndeclared; i++)
		if ((protocol_declared[i].which & which) && !strcmp(protocol_declared[i].name, name))
			return 1;
	return 0;
}

int protocol_command_known(const char *name)
{
	return protocol_find(name) || protocol_is_declared(name, PROTOCOL_COMMANDS);
}

int protocol_event_known(const char *name)
{
	return bsearch(name, protocol_table_events, protocol_table_nevents,
		       sizeof(protocol_table_events[0]), protocol_name_cmp) != NULL ||
	       protocol_is_declared(name, PROTOCOL_EVENTS);
}

/* Calls fn on every name of the kinds in which until it returns nonzero. */
static void protocol_each_name(unsigned which, int (*fn)(const char *name, void *arg), void *arg)
{
	for (size_t i = 0; i < protocol_ndeclared; i++)
		if ((protocol_declared[i].which & which) && fn(protocol_declared[i].name, arg))
			return;
	if (which & PROTOCOL_COMMANDS)
		for (size_t i = 0; i < protocol_table_nmethods; i++)
			if (fn(protocol_table_methods[i].name, arg))
				return;
	if (which & PROTOCOL_EVENTS)
		for (size_t i = 0; i < protocol_table_nevents; i++)
			if (fn(protocol_table_events[i], arg))
				return;
}

struct protocol_glob {
	const char *pat;
	size_t n;
};

static int protocol_glob_one(const char *name, void *arg)
{
	struct protocol_glob *g = arg;
	g->n += (size_t)wildcard_match(g->pat, name);
	return 0;
}

size_t protocol_names_matching(const char *pat, unsigned which)
{
	struct protocol_glob g = {pat, 0};
	protocol_each_name(which, protocol_glob_one, &g);
	return g.n;
}

struct protocol_near {
	const char *name;
	size_t len;
	const char *best;
	size_t best_d;
};

static int protocol_near_one(const char *name, void *arg)
{
	struct protocol_near *n = arg;
	size_t d = editdist_ci(n->name, n->len, name, strlen(name));
	if (d < n->best_d) {
		n->best = name;
		n->best_d = d;
	}
	return 0;
}

const char *protocol_suggest(const char *name, unsigned which)
{
	struct protocol_near n = {name, strlen(name), NULL, (size_t)-1};
	protocol_each_name(which, protocol_near_one, &n);
	return n.best && editdist_near(n.best_d, n.len) ? n.best : NULL;
}

const char *protocol_blob_get(size_t *len)
{
	*len = (size_t)(protocol_blob_end - protocol_blob);
	return protocol_blob;
}

static int protocol_fail(struct protocol_err *err, const char *msg, size_t pos)
{
	err->msg = msg;
	err->pos = pos;
	err->nnames = 0;
	return CDPM_EINVAL;
}

/* Records one more (outer) step of the field path of a failure. */
static int protocol_unwind(struct protocol_err *err, const char *name)
{
	if (err->nnames < PROTOCOL_MAX_DEPTH)
		err->names[err->nnames++] = name;
	return CDPM_EINVAL;
}

static int protocol_is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* base::Base64Decode's strict policy (modp_b64 kStrict): a length divisible
 * by 4, the standard alphabet, and at most two '=' only at the very end. */
static int protocol_is_base64(const char *s, size_t len)
{
	size_t pad = 0;

	if (len % 4)
		return 0;
	while (pad < len && s[len - 1 - pad] == '=')
		pad++;
	if (pad > 2)
		return 0;
	for (size_t i = 0; i < len - pad; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/'))
			return 0;
	}
	return 1;
}

/* A free-form value (base::Value): anything goes, except that every map key
 * at any depth must be 8-bit (crdtp's DeserializeDict takes STRING8 only).
 * Nothing here adds to the field path. */
static int protocol_check_free(const json_t *v, size_t pos, size_t *end,
			       struct protocol_err *err)
{
	size_t p = pos + CBOR_ENVELOPE_SIZE + 1;
	int rc;

	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			if ((rc = protocol_check_free(json_array_get(v, i), p, &p, err)))
				return rc;
		*end = p + 1;
		return 0;
	}
	if (!json_is_object(v)) {
		*end = pos + cbor_size(v);
		return 0;
	}
	for (void *it = json_object_iter((json_t *)v); it;
	     it = json_object_iter_next((json_t *)v, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);
		if (!protocol_is_ascii(key, klen))
			return protocol_fail(err, "CBOR: invalid map key", p);
		p += cbor_string_size(key, klen);
		if ((rc = protocol_check_free(json_object_iter_value(it), p, &p, err)))
			return rc;
	}
	*end = p + 1;
	return 0;
}

/* The field of t (a PROTOCOL_OBJECT) named key, or NULL. */
static const struct protocol_field *protocol_field_find(const struct protocol_type *t,
							 const char *key, size_t klen)
{
	const struct protocol_field *f = protocol_table_fields + t->arg;
	size_t lo = 0, hi = t->nfields;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t nlen = strlen(f[mid].name);
		int c = memcmp(f[mid].name, key, nlen < klen ? nlen : klen);
		if (!c)
			c = nlen < klen ? -1 : nlen > klen;
		if (!c)
			return &f[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* After the map: the first mandatory field (by name) that is absent.  Every
 * key present was deserialized already, so present means seen. */
static const struct protocol_field *protocol_missing(const struct protocol_type *t,
						      const json_t *v)
{
	const struct protocol_field *f = protocol_table_fields + t->arg;

	for (size_t i = 0; i < t->nfields; i++)
		if (!f[i].optional && !json_object_get(v, f[i].name))
			return &f[i];
	return NULL;
}

/* crdtp DeserializerDescriptor::Deserialize: an (enveloped) map whose known
 * keys are checked in message order; unknown keys are skipped whole. */
static int protocol_check_object(const struct protocol_type *t, const json_t *v, size_t pos,
				 size_t *end, struct protocol_err *err)
{
	const struct protocol_field *f;
	size_t p = pos + CBOR_ENVELOPE_SIZE + 1;
	int rc;

	/* An array is enveloped too: the check happens inside the envelope. */
	if (json_is_array(v))
		return protocol_fail(err, "CBOR: map start expected", pos + CBOR_ENVELOPE_SIZE);
	if (!json_is_object(v))
		return protocol_fail(err, "CBOR: map start expected", pos);
	for (void *it = json_object_iter((json_t *)v); it;
	     it = json_object_iter_next((json_t *)v, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);
		const json_t *val = json_object_iter_value(it);
		/* Non-ASCII keys are UTF-16 byte strings, not STRING8. */
		if (!protocol_is_ascii(key, klen))
			return protocol_fail(err, "CBOR: invalid map key", p);
		p += cbor_string_size(key, klen);
		f = protocol_field_find(t, key, klen);
		if (!f) {
			p += cbor_size(val);
			continue;
		}
		rc = protocol_check(&protocol_table_types[f->type], val, p, &p, err);
		if (rc)
			return protocol_unwind(err, f->name);
	}
	if ((f = protocol_missing(t, v))) {
		protocol_fail(err, "BINDINGS: mandatory field missing", p);
		return protocol_unwind(err, f->name);
	}
	*end = p + 1;
	return 0;
}

/* crdtp DeserializeArray: elements are checked in order; the path does not
 * name the index. */
static int protocol_check_array(const struct protocol_type *t, const json_t *v, size_t pos,
				size_t *end, struct protocol_err *err)
{
	const struct protocol_type *item = &protocol_table_types[t->arg];
	size_t p = pos + CBOR_ENVELOPE_SIZE + 1;
	int rc;

	if (json_is_object(v))
		return protocol_fail(err, "CBOR: array start expected",
				     pos + CBOR_ENVELOPE_SIZE);
	if (!json_is_array(v))
		return protocol_fail(err, "CBOR: array start expected", pos);
	for (size_t i = 0; i < json_array_size(v); i++)
		if ((rc = protocol_check(item, json_array_get(v, i), p, &p, err)))
			return rc;
	*end = p + 1;
	return 0;
}

static int protocol_is_int32(const json_t *v)
{
	json_int_t i = json_integer_value(v);
	return json_is_integer(v) && i >= INT32_MIN && i <= INT32_MAX;
}

/* Binary (crdtp/chromium/protocol_traits.cc): an 8-bit string that decodes
 * as base64; anything else, a non-ASCII string included, is not binary. */
static int protocol_check_binary(const json_t *v, size_t pos, struct protocol_err *err)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);

	if (!s || !protocol_is_ascii(s, len))
		return protocol_fail(err, "BINDINGS: binary value expected", pos);
	if (!protocol_is_base64(s, len))
		return protocol_fail(err, "BINDINGS: invalid base64 string", pos);
	return 0;
}

/* Checks the value v, whose CBOR form starts at pos, against t.  On success
 * *end is the offset just past it.  On failure fills err. */
static int protocol_check(const struct protocol_type *t, const json_t *v, size_t pos,
			  size_t *end, struct protocol_err *err)
{
	int rc = 0;

	switch ((enum protocol_kind)t->kind) {
	case PROTOCOL_OBJECT:
		return protocol_check_object(t, v, pos, end, err);
	case PROTOCOL_ARRAY:
		return protocol_check_array(t, v, pos, end, err);
	case PROTOCOL_ANY:
		return protocol_check_free(v, pos, end, err);
	case PROTOCOL_DICT:
		if (json_is_array(v))
			return protocol_fail(err, "CBOR: map start expected",
					     pos + CBOR_ENVELOPE_SIZE);
		if (!json_is_object(v))
			return protocol_fail(err, "CBOR: map start expected", pos);
		return protocol_check_free(v, pos, end, err);
	case PROTOCOL_INTEGER:
		if (!protocol_is_int32(v))
			rc = protocol_fail(err, "BINDINGS: int32 value expected", pos);
		break;
	case PROTOCOL_NUMBER:
		/* crdtp's double traits accept INT32 tokens too. */
		if (!json_is_number(v))
			rc = protocol_fail(err, "BINDINGS: double value expected", pos);
		break;
	case PROTOCOL_STRING:
		if (!json_is_string(v))
			rc = protocol_fail(err, "BINDINGS: string value expected", pos);
		break;
	case PROTOCOL_BOOLEAN:
		if (!json_is_boolean(v))
			rc = protocol_fail(err, "BINDINGS: bool value expected", pos);
		break;
	case PROTOCOL_BINARY:
		rc = protocol_check_binary(v, pos, err);
		break;
	}
	*end = pos + cbor_size(v);
	return rc;
}

static int protocol_has_mandatory(const struct protocol_method *m)
{
	for (size_t i = 0; i < m->nparams; i++)
		if (!protocol_table_fields[m->params + i].optional)
			return 1;
	return 0;
}

/* "Failed to deserialize params.a.b - <status> at position N"
 * (crdtp DeserializerState::ErrorMessage). */
static int protocol_format(const struct protocol_err *err, struct buf *data)
{
	int rc = buf_adds(data, "Failed to deserialize params");
	for (size_t i = err->nnames; !rc && i > 0; i--) {
		if (!(rc = buf_addc(data, '.')))
			rc = buf_adds(data, err->names[i - 1]);
	}
	if (!rc)
		rc = buf_printf(data, " - %s at position %zu", err->msg, err->pos);
	return rc;
}

int protocol_validate(const struct protocol_method *m, const json_t *params, struct buf *data)
{
	struct protocol_type top = { PROTOCOL_OBJECT, m->nparams, m->params };
	struct protocol_err err;
	size_t end;
	int rc;

	/* Chrome deserializes params only for commands that declare some. */
	if (!m->has_params)
		return 0;
	if (!params || json_is_null(params)) {
		/* An empty params span: crdtp's "no mandatory fields" quirk
		 * accepts it; otherwise the map start is missing at 0. */
		if (!protocol_has_mandatory(m))
			return 0;
		rc = protocol_fail(&err, "CBOR: map start expected", 0);
	} else {
		rc = protocol_check_object(&top, params, 0, &end, &err);
	}
	if (!rc)
		return 0;
	buf_reset(data);
	if ((rc = protocol_format(&err, data)))
		return rc;
	return CDPM_EINVAL;
}
