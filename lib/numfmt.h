/* numfmt.h - writes a double the way Chrome writes one into protocol JSON:
 * the shortest decimal that reads back to the same double, in ECMAScript
 * Number.prototype.toString notation (V8's DoubleToCString, which crdtp's
 * JSON writer gets through base::NumberToString): 0.1, 1e+21, 1.5e-7, 100,
 * 123456789012345680000, 5e-324.  -0 is written 0.  Not for integers that
 * are stored as integers (buf_add_i64 is faster and exact past 2^53).
 * Times kept in µs and sent in seconds have their own writer. */
#ifndef CDPM_NUMFMT_H
#define CDPM_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The longest text numfmt_double() writes, with its NUL, is 26 bytes
 * ("-0.0000012345678901234567"); this leaves room. */
#define NUMFMT_MAX 32

/* numfmt_double() - writes d into out, NUL-terminated, and returns its
 * length.  Never fails.  NaN and the infinities, which JSON cannot hold,
 * are written null, as JSON.stringify and Chrome's protocol JSON writer
 * do; a caller that must not send null checks isfinite() first. */
size_t numfmt_double(char out[NUMFMT_MAX], double d);

/* numfmt_add() - appends numfmt_double()'s text to b.  Returns 0, or
 * CDPM_ENOMEM / CDPM_ETOOBIG from the buffer (b unchanged). */
int numfmt_add(struct buf *b, double d);

/* numfmt_add_seconds() - appends a time in µs as Chrome prints it in
 * seconds (lifecycle and profiler timestamps): the shortest decimal that
 * reads back to the same double (505.019963).
 * Returns buf_finish(b): 0, or b's first append error. */
int numfmt_add_seconds(struct buf *b, int64_t us);

#endif
