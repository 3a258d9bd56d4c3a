/* buf.h - a growable byte buffer with a hard cap, in the spirit of curl's
 * dynbuf and SQLite's StrAccum.  Growing past the cap is the defined error
 * CDPM_ETOOBIG.  The first failed append is remembered (a sticky error):
 * build a message with as many appends as it takes, then check once with
 * buf_finish() before the bytes are used or sent.  Not for sharing between
 * threads. */
#ifndef CDPM_BUF_H
#define CDPM_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;   /* owned; always NUL-terminated when non-NULL */
	size_t len;   /* bytes used, not counting the NUL */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* maximum len; 0 means the default, BUF_DEFAULT_CAP */
	int err;      /* 0, or the first append's error (sticky; see buf_finish) */
};

#define BUF_DEFAULT_CAP ((size_t)1 << 30)

/* The append contract, for every function from buf_reserve() to
 * buf_add_json_str():
 * - It returns 0, or CDPM_ENOMEM / CDPM_ETOOBIG (past the cap) /
 *   CDPM_EINVAL (a bad printf format), and a failed append leaves the
 *   content exactly as it was: no half of a number or a string is kept.
 * - The first failure sticks.  Every later append is a no-op that returns
 *   the same error, so the content stays what it was before that failure,
 *   and buf_finish() reports it.  Callers may ignore the return values of
 *   a run of appends and check buf_finish() once, before they use or send
 *   the bytes; a buffer whose buf_finish() fails must never be sent.
 * - buf_init(), buf_reset(), buf_clear(), buf_take() and buf_rewind()
 *   clear the error. */

/* buf_init() - an empty, healthy buffer that may grow to cap bytes (0: the
 * default cap). */
void buf_init(struct buf *b, size_t cap);
/* buf_clear() - frees the storage; the buffer is empty, healthy, reusable. */
void buf_clear(struct buf *b);
/* buf_reset() - empties the buffer and clears its error, keeping storage. */
void buf_reset(struct buf *b);
/* buf_finish() - 0 if every append since the buffer was last initialised,
 * reset or emptied succeeded, else the first one's error.  Changes nothing:
 * the caller still owns b and clears it as usual. */
int buf_finish(const struct buf *b);
/* buf_set_error() - makes b fail with err (a negative CDPM_E*) as if an
 * append had, unless it failed already; the content is kept.  For a failure
 * elsewhere that b's text depends on, such as a temporary buffer whose text
 * was to be copied in, so that b's owner sees it at buf_finish(). */
void buf_set_error(struct buf *b, int err);
/* buf_rewind() - cuts the content back to len bytes (len <= b->len) and
 * clears the error.  Only for undoing a trial append whose failure the
 * caller has handled itself, as the trace generator does when an event
 * does not fit and the batch simply ends there; never to ignore a failure. */
void buf_rewind(struct buf *b, size_t len);
/* buf_reserve() - makes room for n more bytes (and the NUL) without adding
 * any; callers may then write into data + len and advance len themselves.
 * 0 or CDPM_ENOMEM/ETOOBIG, sticky like an append. */
int buf_reserve(struct buf *b, size_t n);
/* buf_add() - appends n bytes.  0 or CDPM_ENOMEM/CDPM_ETOOBIG. */
int buf_add(struct buf *b, const void *p, size_t n);
/* buf_adds() - appends a NUL-terminated string. */
int buf_adds(struct buf *b, const char *s);
/* buf_addc() - appends one byte. */
int buf_addc(struct buf *b, char c);
/* buf_printf() - appends formatted text (vsnprintf semantics); a format
 * vsnprintf rejects is CDPM_EINVAL, sticky like the others. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* buf_add_i64() / buf_add_u64() - appends a decimal integer, fast. */
int buf_add_i64(struct buf *b, int64_t v);
int buf_add_u64(struct buf *b, uint64_t v);
/* buf_add_json_str() - appends s (n bytes of UTF-8) as a quoted JSON string.
 * ascii_only: escape every non-ASCII code point as \uXXXX (surrogate pairs
 * for astral ones), as Chrome's trace writer does.  Invalid UTF-8 becomes
 * U+FFFD.  '<', '>' and '&' are not escaped.  All or nothing: on failure
 * no part of the string is kept. */
int buf_add_json_str(struct buf *b, const char *s, size_t n, int ascii_only);
/* buf_take() - hands the storage to the caller (free() it); the buffer is
 * left empty and healthy.  *len receives the length.  May return NULL when
 * empty.  Check buf_finish() first: take() does not. */
char *buf_take(struct buf *b, size_t *len);

/* buf_set_alloc_hook() - for tests only: every buffer grows its storage
 * through fn (realloc's contract) instead of realloc(), so that a test can
 * fail the Nth allocation.  Storage is still released with free().  NULL
 * restores realloc().  Process-wide; not thread-safe. */
void buf_set_alloc_hook(void *(*fn)(void *ptr, size_t size));

#endif
