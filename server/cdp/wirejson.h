/* wirejson.h - the JSON parser for incoming CDP text frames.  It builds a
 * jansson tree and fails with exactly the error texts and byte positions of
 * Chromium's crdtp JSON parser (third_party/inspector_protocol/crdtp/json.cc),
 * so that "JSON: <error> at position <pos>" replies match Chrome.  It is not
 * a general JSON library: no comments, no streaming, no serialising. */
#ifndef CDPM_WIREJSON_H
#define CDPM_WIREJSON_H

#include <jansson.h>
#include <stddef.h>

/* Deepest nesting crdtp accepts: the top-level value is at depth 0, and a
 * value at a depth above this fails with "stack limit exceeded". */
#define WIREJSON_STACK_LIMIT 300

/* Flags for wirejson_parse_ex(). */
/* Any repeated key in any object is the error "duplicate key", positioned at
 * the repeated key's opening quote (for scenario files; Chrome itself only
 * rejects repeats among the top-level keys, see dup_member). */
#define WIREJSON_DUPLICATE_ERROR 0x1u

struct wirejson_result {
	const char *error; /* NULL on success, else a static crdtp text such as "invalid token" */
	size_t pos;        /* byte offset of the error in the input */
	long dup_member;   /* -1, or index of the first duplicated top-level member */
};

/* A side-table from the values of one parsed tree to the byte offsets where
 * they start in the source, for "file:line:column" diagnostics. */
struct wirejson_posmap;

/* wirejson_parse() - parses buf[0..len), which need not be NUL-terminated.
 * On success returns 0 and *out gets a new reference to the tree:
 *  - numbers follow crdtp: an integral value in the int32 range becomes a
 *    json_integer (also "3.0" and "1e2"), anything else a json_real;
 *  - strings are decoded (\uXXXX, surrogate pairs, \v) into UTF-8; a lone
 *    surrogate becomes U+FFFD, which is what Chrome makes of it later;
 *  - objects keep source order, and of repeated keys the first one wins.
 *    If the top-level value is an object, res->dup_member is the 0-based
 *    source index of its first member whose key repeats an earlier key
 *    (Chrome's envelope then fails with "CBOR: duplicate map key"), else -1.
 * On a syntax error returns CDPM_EPROTO with res->error and res->pos set (a
 * static text, e.g. "invalid token") and *out = NULL.  On allocation failure
 * returns CDPM_ENOMEM with res->error = NULL.  res may be NULL. */
int wirejson_parse(const char *buf, size_t len, json_t **out, struct wirejson_result *res);

/* wirejson_parse_ex() - wirejson_parse() with flags (WIREJSON_*) and an
 * optional position map.  When map is not NULL it is emptied first and then
 * filled for the returned tree (it is left empty on failure).  The map may
 * also fail with CDPM_ETOOBIG past 64M entries. */
int wirejson_parse_ex(const char *buf, size_t len, unsigned flags, json_t **out,
		      struct wirejson_result *res, struct wirejson_posmap *map);

/* wirejson_posmap_new() - an empty map, or NULL when out of memory. */
struct wirejson_posmap *wirejson_posmap_new(void);
/* wirejson_posmap_free() - frees the map; NULL is fine. */
void wirejson_posmap_free(struct wirejson_posmap *map);

/* wirejson_posmap_find() - the byte offset where value v starts (its first
 * byte: the quote of a string, the '{' of an object).  The map holds borrowed
 * pointers: answers are right only while the parsed tree is alive and not
 * modified.  true, false and null are shared jansson singletons and are not
 * recorded: ask wirejson_posmap_find_key() or use the container instead.
 * Returns 0, or CDPM_ENOENT when v is not in the map. */
int wirejson_posmap_find(const struct wirejson_posmap *map, const json_t *v, size_t *offset);

/* wirejson_posmap_find_key() - the byte offset of the opening quote of the
 * key of member `key` (NUL-terminated) of object obj; with repeated keys,
 * the first one (the one whose value was kept).  Same lifetime rules as
 * wirejson_posmap_find().  Returns 0, or CDPM_ENOENT. */
int wirejson_posmap_find_key(const struct wirejson_posmap *map, const json_t *obj,
			     const char *key, size_t *offset);

/* wirejson_line_col() - 1-based line and column of byte offset in buf[0..len).
 * Lines end at '\n'; the column counts UTF-8 characters, not bytes.  An
 * offset equal to len (end of input) is allowed.  Returns 0, or CDPM_EINVAL
 * when offset > len. */
int wirejson_line_col(const char *buf, size_t len, size_t offset, size_t *line, size_t *col);

#endif
