/* jsubset.h - does a JSON value contain a pattern?  Objects match by subset
 * (each key of the pattern, recursively; the value may have more), arrays
 * element by element with the same length, numbers by value (1 matches
 * 1.0), and other scalars by equality.  This is the rule of a scenario
 * rule's "params" and of the patterns in its checks (docs/scenario-format.md);
 * a hook lets a caller give some pattern nodes a meaning of their own
 * ("$any", "$save:NAME", ...).  Not a JSON Schema validator. */
#ifndef CDPM_JSUBSET_H
#define CDPM_JSUBSET_H

#include <jansson.h>

#include "buf.h"

/* What a hook says about one pattern node. */
enum jsubset_verdict {
	JSUBSET_NO = 0,	  /* v does not match (the hook has said why, if it cares) */
	JSUBSET_YES = 1,  /* v matches; nothing below this node is looked at */
	JSUBSET_PASS = 2, /* not the hook's business: apply the rule above */
};

/* jsubset_hook - sees every pattern node before the rule does; v is NULL
 * when the value has no such key or element.  path names the node (".a[2]",
 * after the root's name); why is jsubset_opts.why, possibly NULL.  Returns
 * an enum jsubset_verdict. */
typedef int (*jsubset_hook)(void *ctx, const json_t *pat, const json_t *v, const char *path,
			    struct buf *why);

struct jsubset_opts {
	jsubset_hook hook; /* NULL: none */
	void *ctx;	   /* passed to hook */
	struct buf *why;   /* NULL, or gets "PATH: reason" on a mismatch */
	const char *path;  /* the root's name in paths ("", ".params"); NULL: "" */
};

/* Paths longer than this are cut short in explanations. */
#define JSUBSET_PATH_MAX 512

/* jsubset_match() - 1 if v (NULL: absent, which never matches) contains
 * pat, else 0.  Borrows both. */
int jsubset_match(const json_t *pat, const json_t *v);

/* jsubset_match_ex() - the same with a hook and an explanation; o may be
 * NULL.  The explanation of the first mismatch is appended to o->why (one
 * line, no newline): "PATH: missing", "PATH: expected an object",
 * "PATH: expected an array of N", or "PATH: expected VALUE". */
int jsubset_match_ex(const json_t *pat, const json_t *v, const struct jsubset_opts *o);

#endif
