/* evdigest.c - order- and spelling-independent digests of JSON values (see
 * evdigest.h).  A structural hash over jansson trees: what both sides parse
 * the same way hashes the same way. */
#include "evdigest.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cdpm.h"

/* Type tags keep "1", 1 and [1] apart. */
enum { EVD_NULL = 1, EVD_TRUE, EVD_FALSE, EVD_NUM, EVD_STR, EVD_ARR, EVD_OBJ };

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t evdigest_mix(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static uint64_t evdigest_bytes(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325); /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(0x100000001b3);
	return evdigest_mix(h ^ ((uint64_t)n << 8) ^ EVD_STR);
}

static uint64_t evdigest_number(double d)
{
	uint64_t bits;
	if (d == 0)
		d = 0; /* -0 and 0 are one number */
	memcpy(&bits, &d, sizeof(bits));
	return evdigest_mix(bits ^ EVD_NUM);
}

uint64_t evdigest_value(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
		return evdigest_mix(EVD_NULL);
	case JSON_TRUE:
		return evdigest_mix(EVD_TRUE);
	case JSON_FALSE:
		return evdigest_mix(EVD_FALSE);
	case JSON_INTEGER:
		return evdigest_number((double)json_integer_value(v));
	case JSON_REAL:
		return evdigest_number(json_real_value(v));
	case JSON_STRING:
		return evdigest_bytes(json_string_value(v), json_string_length(v));
	case JSON_ARRAY: {
		uint64_t h = evdigest_mix(EVD_ARR);
		for (size_t i = 0; i < json_array_size(v); i++)
			h = evdigest_mix(h * 31 + evdigest_value(json_array_get(v, i)));
		return h;
	}
	case JSON_OBJECT: {
		/* A sum of member hashes: key order does not matter. */
		uint64_t sum = 0;
		const char *key;
		json_t *m;
		json_object_foreach((json_t *)v, key, m) sum +=
		    evdigest_mix(evdigest_bytes(key, strlen(key)) * 3 ^ evdigest_value(m));
		return evdigest_mix(sum ^ EVD_OBJ ^ ((uint64_t)json_object_size(v) << 8));
	}
	}
	return 0;
}

void evdigest_init(struct evdigest *d)
{
	d->count = 0;
	d->sum = 0;
}

void evdigest_add(struct evdigest *d, const json_t *v)
{
	d->count++;
	d->sum += evdigest_value(v);
}

int evdigest_add_text(struct evdigest *d, const char *text, size_t len)
{
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!v)
		return CDPM_EINVAL;
	evdigest_add(d, v);
	json_decref(v);
	return 0;
}

void evdigest_hex(const struct evdigest *d, char out[EVDIGEST_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < EVDIGEST_HEX_LEN; i++)
		out[i] = digits[(d->sum >> (60 - 4 * i)) & 15];
	out[EVDIGEST_HEX_LEN] = '\0';
}

int evdigest_note(struct buf *b, const char *kind, const struct evdigest *d)
{
	char hex[EVDIGEST_HEX_LEN + 1];
	evdigest_hex(d, hex);
	return buf_printf(b, "{\"digest\":\"%s\",\"count\":%llu,\"sum\":\"%s\"}", kind,
			  (unsigned long long)d->count, hex);
}

/* ---- hashing JSON text without a tree ---- */

/* Deeper than this is refused, as jansson refuses it (JSON_PARSER_MAX_DEPTH). */
#define EVDIGEST_MAX_DEPTH 2048

struct evdigest_parse {
	const char *p, *end;
	int err;
};

static void evdigest_ws(struct evdigest_parse *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static int evdigest_hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* FNV-1a over the decoded bytes, as evdigest_bytes() does over a string. */
struct evdigest_fnv {
	uint64_t h;
	size_t n;
};

static void evdigest_fnv_add(struct evdigest_fnv *f, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		f->h = (f->h ^ b[i]) * UINT64_C(0x100000001b3);
	f->n += n;
}

static void evdigest_fnv_cp(struct evdigest_fnv *f, unsigned cp)
{
	unsigned char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	evdigest_fnv_add(f, b, n);
}

/* A string at s->p (on the quote); its hash, and its raw span (between
 * the quotes) in *raw / *raw_len for key comparisons. */
static uint64_t evdigest_pstring(struct evdigest_parse *s, const char **raw, size_t *raw_len)
{
	struct evdigest_fnv f = {UINT64_C(0xcbf29ce484222325), 0};
	const char *run = ++s->p;
	*raw = run;
	while (s->p < s->end && *s->p != '"') {
		if (*s->p != '\\') {
			s->p++;
			continue;
		}
		evdigest_fnv_add(&f, (const unsigned char *)run, (size_t)(s->p - run));
		if (s->end - s->p < 2)
			break;
		char e = s->p[1];
		unsigned cp, lo;
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *k = strchr(from, e);
		if (e && k) {
			evdigest_fnv_add(&f, (const unsigned char *)&to[k - from], 1);
			s->p += 2;
		} else if (e == 'u' && s->end - s->p >= 6 && !evdigest_hex4(s->p + 2, &cp)) {
			s->p += 6;
			if (cp >= 0xd800 && cp < 0xdc00 && s->end - s->p >= 6 && s->p[0] == '\\' &&
			    s->p[1] == 'u' && !evdigest_hex4(s->p + 2, &lo) && lo >= 0xdc00 &&
			    lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				s->p += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				s->err = 1; /* a lone surrogate: jansson refuses it too */
				return 0;
			}
			evdigest_fnv_cp(&f, cp);
		} else {
			s->err = 1;
			return 0;
		}
		run = s->p;
	}
	if (s->p >= s->end) {
		s->err = 1;
		return 0;
	}
	evdigest_fnv_add(&f, (const unsigned char *)run, (size_t)(s->p - run));
	*raw_len = (size_t)(s->p - *raw);
	s->p++;
	return evdigest_mix(f.h ^ ((uint64_t)f.n << 8) ^ EVD_STR);
}

static uint64_t evdigest_pvalue(struct evdigest_parse *s, int depth);

static uint64_t evdigest_parray(struct evdigest_parse *s, int depth, struct evdigest *items)
{
	uint64_t h = evdigest_mix(EVD_ARR);
	s->p++;
	evdigest_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return h;
	}
	while (!s->err) {
		uint64_t v = evdigest_pvalue(s, depth + 1);
		if (items) {
			items->count++;
			items->sum += v;
		}
		h = evdigest_mix(h * 31 + v);
		evdigest_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return h;
		}
		s->err = 1;
	}
	return 0;
}

/* An object; with key and items, the elements of member key (an array)
 * go to items. */
static uint64_t evdigest_pobject(struct evdigest_parse *s, int depth, const char *key,
				 struct evdigest *items, int *found)
{
	uint64_t sum = 0, n = 0;
	s->p++;
	evdigest_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return evdigest_mix(EVD_OBJ);
	}
	while (!s->err) {
		const char *raw;
		size_t raw_len = 0;
		evdigest_ws(s);
		if (s->p >= s->end || *s->p != '"') {
			s->err = 1;
			break;
		}
		uint64_t kh = evdigest_pstring(s, &raw, &raw_len);
		evdigest_ws(s);
		if (s->err || s->p >= s->end || *s->p != ':') {
			s->err = 1;
			break;
		}
		s->p++;
		evdigest_ws(s);
		uint64_t v;
		if (key && !*found && raw_len == strlen(key) && !memcmp(raw, key, raw_len) &&
		    s->p < s->end && *s->p == '[') {
			*found = 1;
			v = evdigest_parray(s, depth + 1, items);
		} else {
			v = evdigest_pvalue(s, depth + 1);
		}
		sum += evdigest_mix(kh * 3 ^ v);
		n++;
		evdigest_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return evdigest_mix(sum ^ EVD_OBJ ^ (n << 8));
		}
		s->err = 1;
	}
	return 0;
}

static uint64_t evdigest_pnumber(struct evdigest_parse *s)
{
	char *after;
	double d = strtod(s->p, &after);
	if (after == s->p || after > s->end) {
		s->err = 1;
		return 0;
	}
	s->p = after;
	return evdigest_number(d);
}

static int evdigest_word(struct evdigest_parse *s, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n)) {
		s->err = 1;
		return 0;
	}
	s->p += n;
	return 1;
}

static uint64_t evdigest_pvalue(struct evdigest_parse *s, int depth)
{
	const char *raw;
	size_t raw_len;
	int found = 0;
	evdigest_ws(s);
	if (s->p >= s->end || depth > EVDIGEST_MAX_DEPTH) {
		s->err = 1;
		return 0;
	}
	switch (*s->p) {
	case '{':
		return evdigest_pobject(s, depth, NULL, NULL, &found);
	case '[':
		return evdigest_parray(s, depth, NULL);
	case '"':
		return evdigest_pstring(s, &raw, &raw_len);
	case 't':
		return evdigest_word(s, "true") ? evdigest_mix(EVD_TRUE) : 0;
	case 'f':
		return evdigest_word(s, "false") ? evdigest_mix(EVD_FALSE) : 0;
	case 'n':
		return evdigest_word(s, "null") ? evdigest_mix(EVD_NULL) : 0;
	default:
		return evdigest_pnumber(s);
	}
}

int evdigest_add_items(struct evdigest *d, const char *text, size_t len, const char *key)
{
	struct evdigest_parse s = {text, text + len, 0};
	int found = 0;
	evdigest_ws(&s);
	if (s.p < s.end && *s.p == '[') {
		evdigest_parray(&s, 0, d);
	} else if (key && s.p < s.end && *s.p == '{') {
		evdigest_pobject(&s, 0, key, d, &found);
		if (!found)
			s.err = 1;
	} else {
		s.err = 1;
	}
	evdigest_ws(&s);
	return s.err || s.p != s.end ? CDPM_EINVAL : 0;
}
