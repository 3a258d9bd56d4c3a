/* scripts.h - a synthetic, seeded set of JavaScript scripts: scriptIds, urls,
 * source lengths and functions with nested source ranges.  The profile and
 * coverage generators both draw their call frames from it, so that scriptIds
 * and urls agree within a page.  It runs nothing; the source text of a
 * script is made on demand (scripts_source()). */
#ifndef CDPM_SCRIPTS_H
#define CDPM_SCRIPTS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SCRIPTS_MAX_SCRIPTS 12u /* scripts per set */
#define SCRIPTS_MAX_FNS 40u	/* functions per script, the top level included */
#define SCRIPTS_MAX_BLOCKS 6u	/* block ranges per function */
#define SCRIPTS_NONE UINT32_MAX /* "no such index" */

/* A block (branch, loop body) inside a function: [start, end) lies strictly
 * inside the function and outside its nested functions; blocks nest only
 * within their parent block. */
struct scripts_block {
	uint32_t start, end;
	uint32_t parent; /* enclosing block index in scripts.block[], or SCRIPTS_NONE */
};

/* A function.  Functions of a script are stored in source pre-order, so the
 * functions nested in fn[i] are exactly fn[i + 1 .. nested_end). */
struct scripts_fn {
	const char *name; /* static storage; "" for the top level and anonymous ones */
	uint32_t script;  /* index in scripts.script[] */
	uint32_t parent;  /* enclosing function index, SCRIPTS_NONE at the top level */
	uint32_t nested_end;
	uint32_t start, end;	       /* [start, end) source offsets */
	int32_t line, column;	       /* 0-based position of start */
	int32_t end_line;	       /* 0-based line of the last byte */
	uint32_t first_block, nblocks; /* its blocks: block[first_block ..] */
};

struct scripts_script {
	char id[12];		 /* decimal scriptId, "3" upwards, increasing */
	char url[80];		 /* "https://example.test/...js", or "" for eval'd code */
	uint32_t length;	 /* source length in bytes */
	uint32_t line_len;	 /* the virtual layout: an offset o is at line o / line_len */
	uint32_t first_fn, nfns; /* fn[first_fn] is its top level: name "", [0, length) */
};

struct scripts {
	struct scripts_script *script;
	size_t nscripts;
	struct scripts_fn *fn;
	size_t nfns;
	struct scripts_block *block;
	size_t nblocks;
};

/* scripts_new() - builds the set for seed into *out (free with
 * scripts_free()).  The same seed always gives the same set.  Fails only
 * with CDPM_ENOMEM, leaving *out NULL. */
int scripts_new(uint64_t seed, struct scripts **out);
/* scripts_free() - frees a set; NULL is fine. */
void scripts_free(struct scripts *s);
/* scripts_position() - the 0-based line and column of offset off in script
 * index si. */
void scripts_position(const struct scripts *s, uint32_t si, uint32_t off, int32_t *line,
		      int32_t *column);
/* scripts_source() - appends the source text of script index si: exactly
 * its length in bytes of ASCII, with a line break wherever the virtual
 * layout ends a line (so scripts_position() holds for every offset), each
 * function's header ("function name(){", or "()=>{" where that does not
 * fit) at its start and "}" at its last byte, each block's "{" and "}".
 * The text between is filler statements: it reads like code and is sliced
 * sensibly by coverage ranges, but it is not a program that would run.
 * The same set always gives the same text.  0, or out's error. */
int scripts_source(const struct scripts *s, uint32_t si, struct buf *out);

#endif
