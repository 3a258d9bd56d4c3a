/* script.h - runs the scenario's rules and timelines: it sees every command
 * before its domain does (script_in) and every message before it is framed
 * (script_out), and may answer, delay, hold, change, split, duplicate,
 * reorder or drop them, emit messages, or break the connection.  It also
 * keeps the wire-derived model state that rules match on (is a trace
 * recording, which streams are open).  Loading files is scenload.c's job;
 * changing message bytes is mutate.c's; timelines are timeline.c's; the
 * per-connection state, matching and the ordered send are line.c's. */
#ifndef CDPM_SCRIPT_H
#define CDPM_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "net/conn.h"

struct conn;
struct scenario_dist;
struct envelope;
struct scenario;
struct scenario_action;
struct scenario_emit;
struct scenario_dest;
struct session;

/* Bound per connection: beyond it a command runs at once (noted in the
 * journal) instead of being held.  Held messages are bounded in line.h. */
#define SCRIPT_MAX_DEFERRED 1024 /* delayed and queued commands */

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

/* script_delay_us() - draws a delay from d with the scenario's seeded rng. */
int64_t script_delay_us(const struct scenario_dist *d);

#endif
