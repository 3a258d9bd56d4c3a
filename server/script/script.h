/* script.h - runs the scenario's rules and timelines: it sees every command
 * before its domain does (script_in) and every message before it is framed
 * (script_out), and may answer, delay, hold, change, split, duplicate,
 * reorder or drop them, emit messages, or break the connection.  It also
 * keeps the wire-derived model state that rules match on (is a trace
 * recording, which streams are open).  Loading files is scenload.c's job;
 * changing message bytes is mutate.c's; timelines are timeline.c's. */
#ifndef CDPM_SCRIPT_H
#define CDPM_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "net/conn.h"

struct conn;
struct conn_lazy;
struct conn_wire;
struct scenario_dist;
struct scenario_match;
struct envelope;
struct scenario;
struct scenario_action;
struct scenario_emit;
struct scenario_dest;
struct session;

/* Bounds per connection: beyond them a message goes out at once (noted in
 * the journal) instead of being held. */
#define SCRIPT_MAX_HELD 4096     /* delayed, stalled and reordered messages */
#define SCRIPT_MAX_DEFERRED 1024 /* delayed and queued commands */
#define SCRIPT_PENDING 256       /* commands awaiting a reply, remembered */

/* script_start() - starts the scenario in force: counters, "load"
 * timelines.  Call once the loop exists.  0 or CDPM_ENOMEM. */
int script_start(void);
/* script_fini() - frees global state (after loop_fini()). */
void script_fini(void);
/* script_reset() - POST /mock/reset: drops every CDP connection (keeping
 * except), recreates the scenario's pages, zeroes rule and timeline state,
 * empties the journal ring, restarts "load" timelines. */
int script_reset(struct conn *except);
/* script_load() - PUT /mock/scenario: installs sc (taken) and resets. */
int script_load(struct scenario *sc, struct conn *except);

/* script_conn_open() - a CDP connection (WebSocket or pipe) is ready: gives
 * it rule state, installs the rules' filter on its outgoing messages
 * (conn_set_tap) and starts "connect" timelines.  0 or CDPM_ENOMEM. */
int script_conn_open(struct conn *c);
/* script_conn_number() - c's rank among the CDP connections opened since
 * the scenario was loaded or reset (1, 2, ...), 0 when it has no state. */
unsigned script_conn_number(const struct conn *c);
/* script_conn_free() - the connection is going: cancels its timers, frees
 * held messages and deferred commands.  NULL state is fine. */
void script_conn_free(struct conn *c);

/* script_in() - a valid command (the router's dispatch hook, installed by
 * script_start): applies the first matching rule, or runs the command with
 * router_run(). */
void script_in(struct conn *c, struct envelope *e, const char *text, size_t len);
/* script_out() - a message about to be framed (conn.c): takes b and
 * returns 0 (or an error), or returns CONN_PASS to let conn_send() frame
 * it untouched. */
int script_out(struct conn *c, struct buf *b, const char *session_id);

/* script_next_byte_trigger() - the next rx byte count at which a byte rule
 * fires on c (0: none). */
uint64_t script_next_byte_trigger(struct conn *c);
/* script_on_byte() - c->rx_bytes reached a trigger: fires its rules. */
void script_on_byte(struct conn *c);

/* script_send() - sends a message the scenario made (b, or lazy when not
 * NULL; either is taken) with wire options w (may be NULL): in order behind
 * any stalled message, without applying rules to it.  0 or CDPM_E*. */
int script_send(struct conn *c, struct buf *b, struct conn_lazy *lazy, const char *sid,
		const struct conn_wire *w);

/* What script_match() looks at (timeline.c uses it too). */
struct script_msg {
	struct conn *c;
	int dir;                  /* SCENARIO_IN or SCENARIO_OUT */
	int kind;                 /* out: SCENARIO_KIND_REPLY, _ERROR, _EVENT or _ANY */
	const char *method;       /* the command's, the event's, or NULL */
	const char *sid;          /* "" or NULL: the root session */
	const char *text;         /* the raw message, for params of outgoing ones */
	size_t len;
	const json_t *params;     /* in: the command's params */
	json_t *parsed;           /* out: parsed on demand (owned; see script_msg_clear) */
};

/* script_match() - 1 if msg matches m apart from nth (which the caller
 * counts).  May parse msg->text. */
int script_match(const struct scenario_match *m, struct script_msg *msg);
/* script_msg_clear() - frees what script_match() parsed. */
void script_msg_clear(struct script_msg *msg);
/* script_delay_us() - draws a delay from d with the scenario's seeded rng. */
int64_t script_delay_us(const struct scenario_dist *d);

#endif
