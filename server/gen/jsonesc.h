/* jsonesc.h - fast escaping of (mostly ASCII) text as the contents of a JSON
 * string, for IO.read's "data" of a trace stream: trace JSON has a quote
 * every few bytes, which makes a byte-at-a-time escaper with branches
 * crawl.  Not a UTF-8 validator: bytes >= 0x80 pass through unchanged (use
 * buf_add_json_str() for arbitrary text). */
#ifndef CDPM_JSONESC_H
#define CDPM_JSONESC_H

#include <stddef.h>

#include "buf.h"

/* jsonesc_append() - appends src[0..n) to out with '"', '\\' and control
 * characters escaped (\n, \t, ... or \u00XX), without surrounding quotes.
 * 0, or CDPM_ENOMEM/CDPM_ETOOBIG from out (out unchanged then). */
int jsonesc_append(struct buf *out, const char *src, size_t n);

#endif
