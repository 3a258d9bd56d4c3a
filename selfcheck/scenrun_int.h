/* scenrun_int.h - the step runner's insides, shared by scenrun.c (a file
 * from start to verdict), scenrun_steps.c (the message steps and the
 * queue under them) and scenrun_io.c (the stream and trace steps).  Not
 * for anyone else: scenrun.h is the interface. */
#ifndef CDPM_SCENRUN_INT_H
#define CDPM_SCENRUN_INT_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "launch.h"
#include "scenrun.h"

#define SR_MAX_CONNS 8
#define SR_MAX_VARS 32
#define SR_DEFAULT_WITHIN_MS 5000

/* One message read, kept in a connection's queue until a step takes it. */
struct sr_msg {
	struct sr_msg *next;
	json_t *j; /* NULL when the message was not JSON */
	char *raw;
	size_t len;
	int binary;
};

struct sr_conn {
	char name[32];
	struct cdpc *c;
	int last_id;
	char sid[40]; /* the session "attach" made */
	struct sr_msg *q, *q_tail;
	int closed; /* cdpc reported the end */
	const struct scenrun_opts *opts; /* for on_message */
};

/* One check being run. */
struct sr {
	struct launch srv;
	struct sr_conn conns[SR_MAX_CONNS];
	size_t n_conns;
	char *var_name[SR_MAX_VARS];
	json_t *var_value[SR_MAX_VARS];
	size_t n_vars;
	struct buf why; /* the failed step's reason */
	int slow;
	const struct scenrun_opts *opts;
};

/* sr_fail() - sets the step's reason (the first one wins); returns -1. */
int sr_fail(struct sr *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* sr_ms() - a monotonic clock in ms. */
int64_t sr_ms(void);
/* sr_within() - the step's time limit in ms: its withinMs plus slack, or
 * the default; ten times longer when the server is slow. */
int sr_within(const struct sr *r, const json_t *step);
/* sr_conn() - the connection the step names ("conn", default "main"), or
 * NULL. */
struct sr_conn *sr_conn(struct sr *r, const json_t *step);
/* sr_subst() - a new copy of v with "$sid", "$page", "$browser" and
 * "${NAME}" strings replaced. */
json_t *sr_subst(struct sr *r, struct sr_conn *k, const json_t *v);
/* sr_match() - 1 when v matches the pattern (the format's "Checks"); on a
 * mismatch the reason is appended to why. */
int sr_match(struct sr *r, struct sr_conn *k, const json_t *pat, const json_t *v,
	     const char *path, struct buf *why);
/* sr_next() - the next message on k that the step does not skip, by
 * deadline (sr_ms()): 0 with *out (sr_msg_free() it), CDPM_EAGAIN or
 * CDPM_ECLOSED. */
int sr_next(struct sr_conn *k, const json_t *step, int64_t deadline, struct sr_msg **out);
void sr_msg_free(struct sr_msg *m);
/* sr_drain() - reads every connection until it is quiet for quiet_ms (or
 * closed), dropping what it reads. */
void sr_drain(struct sr *r, int quiet_ms);
/* sr_sent() - tells the caller's on_message about a command sent on k. */
void sr_sent(struct sr_conn *k, const char *method, int id, const char *sid);
/* sr_called() - after a cdpc_call() on k: tells on_message about the
 * command and its reply (cdpc's last message). */
void sr_called(struct sr_conn *k, const char *method, const char *sid);

/* The steps; each returns 0, or -1 after sr_fail().  started is when the
 * step began (sr_ms()). */
int sr_connect(struct sr *r, const json_t *step);
int sr_attach(struct sr *r, const json_t *step);
int sr_send(struct sr *r, const json_t *step);
int sr_send_text(struct sr *r, const json_t *step);
int sr_expect(struct sr *r, const json_t *step, int64_t started);
int sr_expect_invalid(struct sr *r, const json_t *step, int64_t started);
int sr_expect_close(struct sr *r, const json_t *step, int64_t started);
int sr_quiet(struct sr *r, const json_t *step);
int sr_read_stream(struct sr *r, const json_t *step);	/* scenrun_io.c */
int sr_collect(struct sr *r, const json_t *step);	/* scenrun_io.c */

/* sr_clear() - closes every connection and forgets every variable. */
void sr_clear(struct sr *r);

#endif
