/* jcheck.h - typed reads from a parsed JSON document with diagnostics in
 * the form "file:line:column: JSON path: expected X, found Y", one line per
 * error, for scenario files (scenload.c) and admin requests.  Unknown keys
 * are errors.  It checks and reads values; it does not own the tree, and it
 * knows nothing about scenarios. */
#ifndef CDPM_JCHECK_H
#define CDPM_JCHECK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct wirejson_posmap;

/* Errors past this many are counted, not printed. */
#define JCHECK_MAX_ERRORS 100
#define JCHECK_MAX_PATH 512

struct jcheck {
	const char *file;            /* the name in messages */
	const char *text;            /* the source, for line:column */
	size_t len;
	const struct wirejson_posmap *map;
	struct buf *errors;          /* lines are appended here */
	unsigned n_errors;
	char path[JCHECK_MAX_PATH];  /* ".rules[2].match" ("" is the root) */
	size_t path_len;
};

/* jcheck_init() - checks against the tree parsed from text[0..len) with map
 * (both borrowed for j's lifetime); errors go to errors. */
void jcheck_init(struct jcheck *j, const char *file, const char *text, size_t len,
		 const struct wirejson_posmap *map, struct buf *errors);

/* jcheck_push_key() / jcheck_push_index() - extend the path; each returns
 * the length to give jcheck_pop() to undo it. */
size_t jcheck_push_key(struct jcheck *j, const char *key);
size_t jcheck_push_index(struct jcheck *j, size_t i);
void jcheck_pop(struct jcheck *j, size_t mark);

/* jcheck_fail() - records an error at v (the value at the current path; when
 * v is a true/false/null singleton, give its parent and key so the key's
 * position is used).  expected is free text ("an integer from 1 to 10").
 * Returns -1 so a reader can `return jcheck_fail(...)`. */
int jcheck_fail(struct jcheck *j, const json_t *v, const json_t *parent, const char *key,
		const char *expected);
/* jcheck_failf() - the same with a formatted "expected" text. */
int jcheck_failf(struct jcheck *j, const json_t *v, const json_t *parent, const char *key,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* jcheck_object() - v must be an object whose keys are all in known
 * (NULL-terminated); an unknown key is an error at that key.  Returns 0 or
 * -1 (not an object; unknown keys count as errors but return 0). */
int jcheck_object(struct jcheck *j, const json_t *v, const json_t *parent, const char *key,
		  const char *const *known);
/* jcheck_required() - obj must have key; returns the value or NULL (error). */
const json_t *jcheck_required(struct jcheck *j, const json_t *obj, const char *key);

/* Typed members.  Each returns 1 when obj has key and it is valid (*out
 * set), 0 when absent (*out untouched), -1 when present and invalid (an
 * error is recorded). */
int jcheck_bool(struct jcheck *j, const json_t *obj, const char *key, int *out);
int jcheck_string(struct jcheck *j, const json_t *obj, const char *key, const char **out);
int jcheck_int(struct jcheck *j, const json_t *obj, const char *key, int64_t min, int64_t max,
	       int64_t *out);
int jcheck_number(struct jcheck *j, const json_t *obj, const char *key, double min, double max,
		  double *out);
/* jcheck_enum() - a string from names (NULL-terminated); *out gets its index. */
int jcheck_enum(struct jcheck *j, const json_t *obj, const char *key, const char *const *names,
		int *out);

/* The same checks on a value already in hand (v non-NULL; parent/key as
 * for jcheck_fail). */
int jcheck_is_int(struct jcheck *j, const json_t *v, const json_t *parent, const char *key,
		  int64_t min, int64_t max, int64_t *out);
int jcheck_is_number(struct jcheck *j, const json_t *v, const json_t *parent, const char *key,
		     double min, double max, double *out);

/* jcheck_describe() - "string \"abc\"", "3", "an object", "true" ... for
 * "found" texts; appended to out. */
void jcheck_describe(const json_t *v, struct buf *out);

#endif
