/* wstate.h - the model state scenario rules match on, as the wire shows it:
 * whether a trace is recording or ending and which session owns it,
 * which sessions run Profiler.start, which IO streams are open.  It is
 * derived from the replies and events that go out (a Tracing.start that got
 * a result, a tracingComplete with a stream, an IO.close that got a result),
 * so it needs nothing from the domains and sees what the client sees. */
#ifndef CDPM_WSTATE_H
#define CDPM_WSTATE_H

#include <stddef.h>

#include "scenario/scenario.h"

struct conn;
struct session;

/* Tracked at most (older entries are forgotten). */
#define WSTATE_MAX_STREAMS 256
#define WSTATE_MAX_PROFILING 256

/* wstate_reset() - nothing recording, no streams (scenario reset). */
void wstate_reset(void);
/* wstate_out() - a message went out on c: kind and method as script.c
 * classified it (method: the command a reply answers), arg the command's
 * handle parameter (IO.close), text the message. */
void wstate_out(struct conn *c, const char *sid, enum scenario_kind kind, const char *method,
		const char *arg, const char *text, size_t len);
/* wstate_conn_gone() - forgets c's trace, profiles and streams. */
void wstate_conn_gone(struct conn *c);

enum scenario_tstate wstate_tracing(void);
/* wstate_tracing_session() - the owner of the current trace, or NULL. */
struct session *wstate_tracing_session(void);
/* wstate_profiling() - 1 if session sid of c has a Profiler.start running. */
int wstate_profiling(const struct conn *c, const char *sid);
/* wstate_open_streams() - 1 if c has IO streams not closed yet. */
int wstate_open_streams(const struct conn *c);

#endif
