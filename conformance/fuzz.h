/* fuzz.h - cdpconform fuzz: seeded mutation plans turned into ordinary
 * scenario files, run against an adapter with the case machinery of
 * runcase.c, judged by oracles, shrunk and written as findings (see
 * docs/fuzzing.md). */
#ifndef CONFORM_FUZZ_H
#define CONFORM_FUZZ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "rng.h"

/* What a correct client may do with a message a mutation made. */
#define FUZZ_BENIGN 1	/* noise: a correct client still succeeds, with the same data */
#define FUZZ_LOSSY 2	/* the data changes in a way no client can see (a dropped event) */
/* A correct client may be left with a stream it cannot close: it may drop
 * the connection, or the message that handed the stream out went to
 * another session. */
#define FUZZ_DROPCONN 4

/* One entry of a plan: one scenario rule. */
struct fuzz_step {
	json_t *rule;  /* the rule, as the scenario holds it */
	char *label;   /* "schema: wrong type of params.value (Tracing.dataCollected #2)" */
	int flags;     /* FUZZ_* */
	int layer;     /* 0 transport, 1 json, 2 schema, 3 semantics */
};

struct fuzz_plan {
	struct fuzz_step *steps;
	size_t n;
};

/* An outgoing message seen in the discovery run: a template to mutate. */
struct fuzz_tmpl {
	char *kind;   /* "reply", "error", "event" */
	char *method; /* the command a reply answers, or the event */
	size_t count; /* how many went out */
	size_t len;   /* bytes of the first one */
	json_t *live[4]; /* the first occurrences in full (NULL when the journal abbreviated them) */
	int child;	 /* on a flat session */
	size_t first;	 /* where the first one was among all the messages sent */
	size_t last;	 /* and where the last one was */
	int unstable;	 /* a second discovery run sent other bytes (generated data) */
};

struct fuzz_model {
	json_t *proto; /* the protocol descriptor */
	struct fuzz_tmpl *t;
	size_t n;
	long time_limit_ms; /* a case's limit: what the mock itself delays stays well below it */
};

/* ---- fuzz.c ---- */
/* fuzz_main() - cdpconform fuzz ...: argv[1] is "fuzz".  The exit status. */
int fuzz_main(int argc, char **argv);

/* ---- fuzz_gen.c ---- */
/* fuzz_model_load() - the descriptor (built in) and the templates of a
 * discovery run's journal.  0, or -1 with a line on stderr. */
int fuzz_model_load(struct fuzz_model *m, const char *journal);
void fuzz_model_clear(struct fuzz_model *m);
/* fuzz_model_compare() - marks the templates whose messages a second
 * discovery run (its journal) sent differently: their bytes cannot stand
 * in for this run's.  0 or -1. */
int fuzz_model_compare(struct fuzz_model *m, const char *journal);
/* fuzz_plan_make() - a plan of 1..max_steps steps drawn from r. */
void fuzz_plan_make(struct fuzz_plan *p, const struct fuzz_model *m, struct rng *r,
		    size_t max_steps);
/* fuzz_step_make() - one fresh step drawn from r. */
void fuzz_step_make(const struct fuzz_model *m, struct rng *r, struct fuzz_step *s);
/* fuzz_plan_copy() - a deep copy of the steps of p whose bit is set in keep
 * (NULL: all). */
void fuzz_plan_copy(struct fuzz_plan *dst, const struct fuzz_plan *src, const unsigned char *keep);
void fuzz_plan_clear(struct fuzz_plan *p);
/* fuzz_plan_flags() - the union of its steps' flags, but FUZZ_BENIGN only
 * when every step is benign. */
int fuzz_plan_flags(const struct fuzz_plan *p);
/* fuzz_plan_bytes() - the bytes its steps pad messages with (oversize
 * mutations), once per step; a case gets 1 ms more of its time limit for
 * each FUZZ_SLOW_BYTES_PER_MS of them (8 MB/s: slow JSON parsers, such as
 * jansson's on one long string, manage about 15). */
long long fuzz_plan_bytes(const struct fuzz_plan *p);
#define FUZZ_SLOW_BYTES_PER_MS 8000
/* fuzz_step_shrink() - a smaller variant of one of step's numbers (try =
 * 0, 1, ...: which number): 1 when one was made into *out (a new step), 0
 * when that number cannot shrink, -1 when there are no more to try. */
int fuzz_step_shrink(const struct fuzz_step *s, int try, struct fuzz_step *out);

/* ---- fuzz_cov.c ---- */
/* The features seen so far: a set of 64-bit hashes. */
struct fuzz_cov {
	uint64_t *slots;
	size_t cap, n;
};
/* fuzz_cov_features() - the features of the V8 coverage files in dir (what
 * NODE_V8_COVERAGE=dir leaves): one hash per script range and hit-count
 * bucket, node's own scripts left out; sorted, unique, into *out (heap,
 * NULL when none); their count. */
size_t fuzz_cov_features(const char *dir, uint64_t **out);
/* fuzz_cov_add() - adds features to the set; how many were new. */
size_t fuzz_cov_add(struct fuzz_cov *c, const uint64_t *f, size_t n);
void fuzz_cov_clear(struct fuzz_cov *c);

#endif
