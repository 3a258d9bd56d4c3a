/* evdigest.h - digests of JSON values that ignore how the values were
 * written: key order, whitespace, string escapes and number spelling (1,
 * 1.0, 1e0) do not change them.  The server records the digests of the
 * traces, profiles and coverage it sends; cdpconform computes them on what a
 * client wrote and compares ("events, not bytes").  Not a cryptographic
 * hash: it catches a lost, doubled or altered value, not an adversary. */
#ifndef CDPM_EVDIGEST_H
#define CDPM_EVDIGEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* A multiset of values: their count and the sum of their hashes, so that
 * the order in which they were added does not matter but a value added
 * twice does. */
struct evdigest {
	uint64_t count;
	uint64_t sum;
};

/* Hex digits in evdigest_hex()'s output, without the NUL. */
#define EVDIGEST_HEX_LEN 16

/* evdigest_value() - the hash of v (borrowed).  Objects hash their members
 * in any order; arrays in order; every number as the double it denotes
 * (-0 as 0); strings by their UTF-8 bytes. */
uint64_t evdigest_value(const json_t *v);

/* evdigest_init() - an empty multiset. */
void evdigest_init(struct evdigest *d);

/* evdigest_add() - adds v (borrowed) to d. */
void evdigest_add(struct evdigest *d, const json_t *v);

/* evdigest_add_text() - parses len bytes of JSON text holding one value
 * and adds it.  0, or CDPM_EINVAL when the text is not JSON (d unchanged). */
int evdigest_add_text(struct evdigest *d, const char *text, size_t len);

/* evdigest_add_items() - adds each element of a JSON array to d, reading
 * the text directly (no tree: about ten times faster than jansson, for
 * traces of any size).  The array is the text itself, or, when key is not
 * NULL and the text is an object, its member key ({"traceEvents": [...]}).
 * Hashes equal evdigest_value() of the parsed elements.  0, or
 * CDPM_EINVAL when the text is not such JSON (d may then hold part of the
 * items). */
int evdigest_add_items(struct evdigest *d, const char *text, size_t len, const char *key);

/* evdigest_hex() - d's sum as 16 lowercase hex digits and a NUL in out. */
void evdigest_hex(const struct evdigest *d, char out[EVDIGEST_HEX_LEN + 1]);

struct buf;

/* evdigest_note() - appends {"digest":KIND,"count":N,"sum":HEX} to b: the
 * journal record cdpmock writes and cdpconform reads (server/digest.h).
 * 0 or CDPM_ENOMEM/CDPM_ETOOBIG. */
int evdigest_note(struct buf *b, const char *kind, const struct evdigest *d);

#endif
