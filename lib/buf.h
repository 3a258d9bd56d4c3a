/* buf.h - a growable byte buffer with a hard cap, in the spirit of curl's
 * dynbuf.  Growing past the cap is the defined error CDPM_ETOOBIG; the
 * buffer is left as it was.  Not for sharing between threads. */
#ifndef CDPM_BUF_H
#define CDPM_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;   /* owned; always NUL-terminated when non-NULL */
	size_t len;   /* bytes used, not counting the NUL */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* maximum len; 0 means the default, BUF_DEFAULT_CAP */
};

#define BUF_DEFAULT_CAP ((size_t)1 << 30)

/* buf_init() - an empty buffer that may grow to cap bytes (0: default). */
void buf_init(struct buf *b, size_t cap);
/* buf_clear() - frees the storage; the buffer is empty and reusable. */
void buf_clear(struct buf *b);
/* buf_reset() - empties the buffer but keeps its storage. */
void buf_reset(struct buf *b);
/* buf_reserve() - makes room for n more bytes; 0 or CDPM_ENOMEM/ETOOBIG. */
int buf_reserve(struct buf *b, size_t n);
/* buf_add() - appends n bytes.  0 or CDPM_ENOMEM/CDPM_ETOOBIG. */
int buf_add(struct buf *b, const void *p, size_t n);
/* buf_adds() - appends a NUL-terminated string. */
int buf_adds(struct buf *b, const char *s);
/* buf_addc() - appends one byte. */
int buf_addc(struct buf *b, char c);
/* buf_printf() - appends formatted text (vsnprintf semantics). */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* buf_add_i64() / buf_add_u64() - appends a decimal integer, fast. */
int buf_add_i64(struct buf *b, int64_t v);
int buf_add_u64(struct buf *b, uint64_t v);
/* buf_add_json_str() - appends s (n bytes of UTF-8) as a quoted JSON string.
 * ascii_only: escape every non-ASCII code point as \uXXXX (surrogate pairs
 * for astral ones), as Chrome's trace writer does.  Invalid UTF-8 becomes
 * U+FFFD.  '<', '>' and '&' are not escaped. */
int buf_add_json_str(struct buf *b, const char *s, size_t n, int ascii_only);
/* buf_take() - hands the storage to the caller (free() it); the buffer is
 * left empty.  *len receives the length.  May return NULL when empty. */
char *buf_take(struct buf *b, size_t *len);

#endif
