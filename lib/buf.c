/* buf.c - growable capped byte buffer with a sticky error (see buf.h). */
#include "buf.h"
#include "cdpm.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *(*buf_realloc)(void *, size_t) = realloc;

void buf_set_alloc_hook(void *(*fn)(void *ptr, size_t size))
{
	buf_realloc = fn ? fn : realloc;
}

/* Remembers the first failure; the content is already as it was. */
static int buf_fail(struct buf *b, int rc)
{
	b->err = rc;
	return rc;
}

void buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap ? cap : BUF_DEFAULT_CAP;
	b->err = 0;
}

void buf_clear(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->err = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data)
		b->data[0] = '\0';
}

int buf_finish(const struct buf *b)
{
	return b->err;
}

void buf_set_error(struct buf *b, int err)
{
	if (!b->err)
		b->err = err;
}

void buf_rewind(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
	b->err = 0;
}

int buf_reserve(struct buf *b, size_t n)
{
	if (b->err)
		return b->err;
	if (n > b->cap || b->len > b->cap - n)
		return buf_fail(b, CDPM_ETOOBIG);
	size_t need = b->len + n + 1;
	if (need <= b->alloc)
		return 0;
	/* Doubling keeps a run of small appends linear; a reservation past
	 * double is taken as asked, so that a builder that knows its size
	 * gets a block of that size and no slack to give back later. */
	size_t a = !b->alloc ? 256 : b->alloc <= SIZE_MAX / 2 ? b->alloc * 2 : need;
	if (a < need)
		a = need;
	char *p = buf_realloc(b->data, a);
	if (!p)
		return buf_fail(b, CDPM_ENOMEM);
	b->data = p;
	b->alloc = a;
	return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	if (b->err)
		return b->err;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return buf_fail(b, CDPM_EINVAL);
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	int rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* Writes v's digits ending at end; returns where they start. */
static char *u64_digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

int buf_add_u64(struct buf *b, uint64_t v)
{
	char tmp[24];
	char *p = u64_digits(tmp + sizeof(tmp), v);
	return buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

int buf_add_i64(struct buf *b, int64_t v)
{
	/* One append for sign and digits: a failure keeps no lone '-'. */
	char tmp[24];
	char *p = u64_digits(tmp + sizeof(tmp), v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	return buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Decodes one UTF-8 sequence at s[0..n); returns its length, or 1 with
 * *cp = 0xFFFD when the bytes are not valid UTF-8. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2, v = c & 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3, v = c & 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		goto bad;
	}
	if (len > n)
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto bad;
	*cp = v;
	return len;
bad:
	*cp = 0xFFFD;
	return 1;
}

static int add_u16_escape(struct buf *b, unsigned v)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[6] = {'\\', 'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15],
		     hex[v & 15]};
	return buf_add(b, e, sizeof(e));
}

int buf_add_json_str(struct buf *b, const char *s, size_t n, int ascii_only)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t start = b->len;
	int rc = buf_reserve(b, n + 2);
	if (rc)
		return rc;
	buf_addc(b, '"');
	size_t i = 0;
	while (i < n && !rc) {
		/* Copy the longest run that needs no escaping in one go. */
		size_t j = i;
		while (j < n && p[j] >= 0x20 && p[j] < 0x80 && p[j] != '"' && p[j] != '\\')
			j++;
		if (j > i) {
			rc = buf_add(b, p + i, j - i);
			i = j;
			continue;
		}
		unsigned c = p[i];
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			rc = buf_add(b, e, 2);
			i++;
		} else if (c < 0x20) {
			const char *e = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
				      : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
			rc = e ? buf_add(b, e, 2) : add_u16_escape(b, c);
			i++;
		} else {
			uint32_t cp;
			size_t len = utf8_decode(p + i, n - i, &cp);
			if (!ascii_only && cp != 0xFFFD) {
				rc = buf_add(b, p + i, len);
			} else if (!ascii_only) {
				rc = buf_add(b, "\xEF\xBF\xBD", 3);
			} else if (cp >= 0x10000) {
				cp -= 0x10000;
				rc = add_u16_escape(b, 0xD800 + (cp >> 10));
				if (!rc)
					rc = add_u16_escape(b, 0xDC00 + (cp & 0x3FF));
			} else {
				rc = add_u16_escape(b, cp);
			}
			i += len;
		}
	}
	if (!rc)
		rc = buf_addc(b, '"');
	if (rc && b->data) {
		/* All or nothing: drop the half-escaped string, keep the error. */
		b->len = start;
		b->data[start] = '\0';
	}
	return rc;
}

char *buf_take(struct buf *b, size_t *len)
{
	char *p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->err = 0;
	return p;
}
