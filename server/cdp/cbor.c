/* cbor.c - CBOR sizes of JSON values, as crdtp's JSON-to-CBOR encoder would
 * produce them (see cbor.h and docs/chrome.md section 2). */
#include "cdp/cbor.h"

#include <stdint.h>

size_t cbor_header_size(unsigned long long n)
{
	if (n < 24)
		return 1;
	if (n <= UINT8_MAX)
		return 2;
	if (n <= UINT16_MAX)
		return 3;
	if (n <= UINT32_MAX)
		return 5;
	return 9;
}

size_t cbor_string_size(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t units = 0, i;
	int ascii = 1;

	/* crdtp parses JSON strings into UTF-16 and keeps them 8-bit only when
	 * every unit is <= 0x7f (EncodeFromUTF16). */
	for (i = 0; i < len; i++) {
		if (p[i] >= 0x80)
			ascii = 0;
		/* One unit per UTF-8 sequence, two for the 4-byte ones
		 * (surrogate pairs); continuation bytes add nothing. */
		if ((p[i] & 0xc0) != 0x80)
			units++;
		if (p[i] >= 0xf0)
			units++;
	}
	if (ascii)
		return cbor_header_size(len) + len;
	return cbor_header_size(2 * (unsigned long long)units) + 2 * units;
}

static size_t cbor_int_size(json_int_t v)
{
	/* crdtp only has int32; wider integers travel as doubles. */
	if (v > INT32_MAX || v < INT32_MIN)
		return 9;
	if (v >= 0)
		return cbor_header_size((unsigned long long)v);
	/* Major type 1 carries -1 - v. */
	return cbor_header_size((unsigned long long)(-(v + 1)));
}

static size_t cbor_object_size(const json_t *v)
{
	size_t n = CBOR_ENVELOPE_SIZE + 2;
	void *it;

	for (it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it))
		n += cbor_string_size(json_object_iter_key(it), json_object_iter_key_len(it)) +
		     cbor_size(json_object_iter_value(it));
	return n;
}

size_t cbor_size(const json_t *v)
{
	size_t n, i;

	if (!v)
		return 0;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return cbor_object_size(v);
	case JSON_ARRAY:
		n = CBOR_ENVELOPE_SIZE + 2;
		for (i = 0; i < json_array_size(v); i++)
			n += cbor_size(json_array_get(v, i));
		return n;
	case JSON_STRING:
		return cbor_string_size(json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return cbor_int_size(json_integer_value(v));
	case JSON_REAL:
		return 9;
	case JSON_TRUE:
	case JSON_FALSE:
	case JSON_NULL:
		return 1;
	}
	return 0;
}
