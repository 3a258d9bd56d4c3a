/* line.h - the line a CDP connection's messages take through the script
 * layer, below the rules: the connection's script state (its number, the
 * pending-command table, held messages), what a message on it is (its kind
 * from its first bytes, and whether a rule's or timeline's pattern matches
 * it), and the ordered send that makes a scenario-made message wait behind
 * a stalled one.  Choosing which rule acts is script.c's, building what a
 * scenario sends is emit.c's; this file calls neither (script.c installs
 * the one hook it needs, line_after_fn). */
#ifndef CDPM_LINE_H
#define CDPM_LINE_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "net/conn.h"
#include "scenario/scenario.h"

/* Bounds per connection: beyond them a message goes out at once (noted in
 * the journal) instead of being held. */
#define LINE_MAX_HELD 4096 /* delayed, stalled and reordered messages */
#define LINE_PENDING 256   /* commands awaiting a reply, remembered (a power of 2) */

/* A command awaiting its reply, in a table hashed on id (open addressing,
 * linear probing from id % LINE_PENDING; a freed slot is a tombstone until
 * the table empties, so a probe stops only at a slot never used). */
struct line_pending {
	int used;
	int tomb;       /* freed since the table last emptied */
	int held;       /* its reply is held: freed when that is sent */
	int id;
	char sid[33];
	char method[64];
	const struct scenario_rule *rule; /* an in-rule whose action shapes the reply */
	int discard;			  /* the built-in reply is dropped */
};

enum line_hold_kind { LINE_HOLD_DELAY = 1, LINE_HOLD_STALLQ, LINE_HOLD_REORDER };

/* An outgoing message held back. */
struct line_held {
	struct line_held *next;
	struct loop_timer timer;
	struct conn *c;
	enum line_hold_kind kind;
	struct buf b;
	struct conn_lazy *lazy;
	char sid[33];
	struct conn_wire wire;
	const struct scenario_action *after; /* duplicates, after-emits, effects */
	int from_in;			     /* after belongs to an in-rule */
	int unprocessed;		     /* LINE_HOLD_STALLQ: rules not applied yet */
	int stall;			     /* LINE_HOLD_DELAY: the line waits behind it */
	unsigned countdown;		     /* LINE_HOLD_REORDER */
	size_t bytes;
};

/* What follows a released message that an action shaped: its after-emits
 * and connection effects.  Sending those is emit.c's, above this file, so
 * script.c hands its function in with each connection's state. */
typedef void line_after_fn(const struct scenario_action *a, struct conn *c, const char *sid);

struct script_defer; /* script.c's: an incoming command held back */

/* The script layer's state of one CDP connection (conn->script), made by
 * script_conn_open() and freed by script_conn_free().  The deferred
 * commands are script.c's alone; they live here so that one allocation
 * holds all of it. */
struct line_conn {
	unsigned number; /* 1 for the first CDP connection since load/reset */
	line_after_fn *after;
	struct line_pending pend[LINE_PENDING];
	size_t pend_used;       /* slots used */
	struct line_held *delayed, *reorder;
	struct line_held *stall_head, *stall_tail;
	int stalls; /* delayed messages the line waits behind */
	size_t n_held;
	struct script_defer *defers;
	struct script_defer *inq_head, *inq_tail;
	int in_stalls;
	size_t n_deferred;
	int releasing; /* a stalling message is going out ahead of its queue */
};

/* line_conn_number() - c's rank among the CDP connections opened since
 * the scenario was loaded or reset (1, 2, ...), 0 when it has no state. */
unsigned line_conn_number(const struct conn *c);

/* line_classify() - the kind of the outgoing message t (len bytes) from its
 * head alone: {"id":N,"result" (a reply; *id = N), {"id":N,"error" (an
 * error), {"method":"X" (an event; X copied into method, n bytes, cut to
 * fit), else SCENARIO_KIND_ANY.  method is "" unless it is an event. */
enum scenario_kind line_classify(const char *t, size_t len, int *id, char *method, size_t n);

/* line_held_new() - takes b (or lazy, when not NULL) and w (may be NULL)
 * into a new held message of c, counted as queued bytes in conn.c; the
 * caller links it into a list.  NULL when c holds LINE_MAX_HELD already or
 * on ENOMEM (b and lazy are then still the caller's). */
struct line_held *line_held_new(struct conn *c, enum line_hold_kind kind, struct buf *b,
				struct conn_lazy *lazy, const char *sid, const struct conn_wire *w);
/* line_held_done() - takes h off the connection's books (held count and
 * queued bytes), not off its list: it is about to go out. */
void line_held_done(struct line_held *h);
/* line_held_free() - cancels h's timer, settles its books and frees it
 * with its message.  h must be off every list. */
void line_held_free(struct line_held *h);

/* line_send() - sends a message the scenario made or released (b, or lazy
 * when not NULL; either is taken) with wire options w (may be NULL): in
 * order behind any stalled message, without applying rules to it.  Each
 * message sent counts down the held reorders; those due go out after it,
 * followed by their action's after-part (the connection's after hook).
 * 0 or CDPM_E*. */
int line_send(struct conn *c, struct buf *b, struct conn_lazy *lazy, const char *sid,
	      const struct conn_wire *w);

/* What line_match() looks at (script.c's rules and timeline.c's starts). */
struct line_msg {
	struct conn *c;
	int dir;                  /* SCENARIO_IN or SCENARIO_OUT */
	int kind;                 /* out: SCENARIO_KIND_REPLY, _ERROR, _EVENT or _ANY */
	const char *method;       /* the command's, the event's, or NULL */
	const char *sid;          /* "" or NULL: the root session */
	const char *text;         /* the raw message, for params of outgoing ones */
	size_t len;
	const json_t *params;     /* in: the command's params */
	json_t *parsed;           /* out: parsed on demand (owned; see line_msg_clear) */
};

/* line_match() - 1 if msg matches m apart from nth (which the caller
 * counts).  May parse msg->text. */
int line_match(const struct scenario_match *m, struct line_msg *msg);
/* line_msg_clear() - frees what line_match() parsed. */
void line_msg_clear(struct line_msg *msg);

/* line_pending_find() - the pending command id on session sid (NULL or ""
 * for none), or with any session when none matches both; NULL when
 * unknown. */
struct line_pending *line_pending_find(struct line_conn *sc, int id, const char *sid);
/* line_pending_add() - records a command; when the table is full the slot
 * its id hashes to is forgotten (that reply goes out untouched). */
struct line_pending *line_pending_add(struct line_conn *sc, int id, const char *sid,
				      const char *method);
/* line_pending_done() - frees p's slot. */
void line_pending_done(struct line_conn *sc, struct line_pending *p);

#endif
