/* b64.c - base64 decoding, strict or loose (see b64.h).  One table-free
 * character mapping and one loop for both modes; the checks that differ
 * are done before the loop. */
#include "b64.h"
#include "cdpm.h"

#include <stdint.h>

/* The value of one base64 digit, or -1.  loose also takes base64url's. */
static int b64_value(unsigned char c, int loose)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || (loose && c == '-'))
		return 62;
	if (c == '/' || (loose && c == '_'))
		return 63;
	return -1;
}

/* How many of the n characters are digits, or -1 when the length breaks
 * the mode's rules.  Strict: n % 4 == 0, and at most "==" comes off the end
 * (a third '=' is then a non-digit, and fails).  Loose: up to the first
 * '='. */
static long b64_digits(const char *s, size_t n, enum b64_mode mode)
{
	size_t d = 0;
	if (mode == B64_LOOSE) {
		while (d < n && s[d] != '=')
			d++;
		return (long)d;
	}
	if (n % 4)
		return -1;
	d = n;
	while (d > 0 && n - d < 2 && s[d - 1] == '=')
		d--;
	return (long)d;
}

/* The bytes d digits decode to: 3 per 4, then 1 for 2 or 2 for 3 (a
 * lone digit carries no whole byte). */
static size_t b64_bytes(size_t d)
{
	return d / 4 * 3 + (d % 4 ? d % 4 - 1 : 0);
}

size_t b64_decoded_max(size_t n)
{
	return b64_bytes(n);
}

int b64_decode(const char *s, size_t n, enum b64_mode mode, unsigned char *out, size_t *outlen)
{
	long d = b64_digits(s, n, mode);
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	if (d < 0)
		return CDPM_EINVAL;
	for (size_t i = 0; i < (size_t)d; i++) {
		int v = b64_value((unsigned char)s[i], mode == B64_LOOSE);
		if (v < 0)
			return CDPM_EINVAL;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	*outlen = o;
	return 0;
}

int b64_decode_buf(struct buf *b, const char *s, size_t n, enum b64_mode mode)
{
	long d = b64_digits(s, n, mode);
	size_t len;
	if (d < 0)
		return CDPM_EINVAL;
	/* Exactly what it decodes to, so a cap is hit only by real bytes. */
	int rc = buf_reserve(b, b64_bytes((size_t)d));
	if (rc)
		return rc;
	rc = b64_decode(s, n, mode, (unsigned char *)b->data + b->len, &len);
	if (!rc)
		b->len += len;
	/* Keep the NUL that buf promises, whatever the decoder wrote. */
	b->data[b->len] = '\0';
	return rc;
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_encode_buf(struct buf *b, const void *data, size_t n)
{
	const unsigned char *p = data;
	int rc = buf_reserve(b, (n + 2) / 3 * 4);
	if (rc)
		return rc;
	char *o = b->data + b->len;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[(v >> 12) & 63];
		*o++ = b64_alphabet[(v >> 6) & 63];
		*o++ = b64_alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
	return 0;
}
