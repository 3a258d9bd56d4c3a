/* emit.h - what a scenario sends on its own: events, whole messages and raw
 * text to the sessions a destination names, and the connection effects of
 * an action (throttle, raw bytes, hand-made frames, close, FIN, RST).
 * Messages go out through line.c's ordered path, so they queue behind a
 * stalled message like everything else.  Choosing *when* is script.c's and
 * timeline.c's job. */
#ifndef CDPM_EMIT_H
#define CDPM_EMIT_H

#include <stddef.h>

struct conn;
struct session;
struct scenario_action;
struct scenario_dest;
struct scenario_emit;

/* emit_sessions() - calls fn for each live session dest names, relative to
 * the trigger (connection c and session sid; either may be NULL, and then
 * "trigger" means every root session).  Returns how many. */
int emit_sessions(const struct scenario_dest *dest, struct conn *c, const char *sid,
		  void (*fn)(struct session *s, void *arg), void *arg);

/* emit_message() - sends em to its destination (an event per session; a
 * whole message or raw text once per connection), mutations applied.
 * Returns the number of copies sent. */
int emit_message(const struct scenario_emit *em, struct conn *c, const char *sid);

/* emit_event() - sends {"method":method,"params":<params>} (params given as
 * compact JSON) to dest.  Returns the number of copies. */
int emit_event(const struct scenario_dest *dest, struct conn *c, const char *sid,
	       const char *method, const char *params, size_t len);

/* emit_effects() - applies a's connection effects to c, in this order:
 * throttle, raw bytes, frame, then close / FIN / RST.  c NULL: nothing. */
void emit_effects(const struct scenario_action *a, struct conn *c);

#endif
