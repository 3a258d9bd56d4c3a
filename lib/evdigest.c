/* evdigest.c - order- and spelling-independent digests of JSON values (see
 * evdigest.h).  A structural hash over jansson trees: what both sides parse
 * the same way hashes the same way. */
#include "evdigest.h"

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
		json_object_foreach((json_t *)v, key, m)
			sum += evdigest_mix(evdigest_bytes(key, strlen(key)) * 3 ^ evdigest_value(m));
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
