/* fake.h - what the unit suites of the message pipeline stand on instead of
 * a socket and a server process: a tap that records every outgoing message
 * instead of framing it, the wire of a connection read back through a
 * socketpair, a process state set up and torn down per test, and a way to
 * drive the event loop to a virtual time.  Not a mock of the code under
 * test: conn.c, router.c, call.c, targets.c and script/ run for real. */
#ifndef CDPM_TEST_FAKE_H
#define CDPM_TEST_FAKE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cdp/router.h"
#include "net/conn.h"

#define FAKE_LOG_MAX 64

/* One message seen by the recording tap or read off a wire. */
struct fake_msg {
	struct conn *c;
	char *text;        /* NUL-terminated copy (owned by the log) */
	size_t len;
	char sid[40];      /* what conn_send() was told ("" for NULL) */
	char method[64];   /* likewise */
	int has_sid, has_method;
};

struct fake_log {
	struct fake_msg m[FAKE_LOG_MAX];
	size_t n;
};

/* Everything recorded since the last fake_log_clear(). */
extern struct fake_log fake_out;
/* A tap whose out records the message and takes it (nothing is framed). */
extern const struct conn_tap fake_tap_take;
/* A tap whose out records the message and lets conn_send() frame it. */
extern const struct conn_tap fake_tap_pass;

/* fake_log_clear() - forgets (and frees) what was recorded. */
void fake_log_clear(void);
/* fake_text() - the i-th recorded message ("" past the end, so a failing
 * comparison reports instead of crashing). */
const char *fake_text(size_t i);

/* fake_flush() - writes c's outbox through a socketpair (conn_on_writable)
 * and appends what came out to out.  Returns conn_on_writable()'s value. */
int fake_flush(struct conn *c, struct buf *out);
/* fake_wire() - fake_flush() for a pipe connection: each NUL-terminated
 * message on the wire is recorded in fake_out.  Returns how many. */
size_t fake_wire(struct conn *c);

/* fake_up() - a fresh process: server defaults, the virtual clock, seed
 * 0, the default scenario, the targets (one about:blank page), the router
 * with the given domains and dispatch hook, an empty log.  With loop set
 * the event loop exists too (timers). */
void fake_up(const struct domain *const *domains, size_t n, router_dispatch_fn dispatch,
	     int loop);
/* fake_down() - frees every connection still listed, the script state,
 * targets, scenario, journal ring, log and loop: nothing stays reachable. */
void fake_down(void);
/* fake_scenario() - loads text (a JSON object; its "description" is added)
 * as the scenario in force and starts it (script_start); fails the test
 * with the loader's errors. */
void fake_scenario(const char *text);
/* fake_cdp_conn() - a pipe connection (no socket) that speaks CDP as
 * main.c wires it (messages to router_on_message, sessions freed on
 * close): root session, and the script layer's tap when script is set. */
struct conn *fake_cdp_conn(int script);
/* fake_run_until() - drives the loop until the virtual clock reaches
 * CLOCK_VIRTUAL_START_US + at_us (timers due by then fire, in order).
 * The loop schedules virtual timers with real delays, so a timer armed
 * later in real time may fire after one due later in virtual time: keep
 * the virtual times a test compares a few hundred ms apart. */
void fake_run_until(int64_t at_us);

#endif
