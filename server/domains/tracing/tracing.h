/* tracing.h - what the Tracing domain (domains/tracing.c) shares with its
 * helpers and the IO domain: the tracing and IO knobs in force (the
 * scenario's values with the developer overrides from the environment
 * applied) and Chrome's category list. */
#ifndef CDPM_TRACING_H
#define CDPM_TRACING_H

#include <stddef.h>

#include "scenario/scenario.h"

/* Tracing.getCategories: Chromium 156's 293 names in order (tracing_cats.c). */
extern const char *const tracing_cats[];
extern const size_t tracing_cats_n;

struct session;

/* Where the browser's one trace is (for scenario matches and the journal). */
enum tracing_state {
	TRACING_STATE_IDLE,	 /* no trace: Tracing.start would succeed */
	TRACING_STATE_RECORDING, /* started, not ended */
	TRACING_STATE_ENDING,	 /* ended; its data or tracingComplete is not out yet */
};

/* tracing_state() - the state of the trace now. */
enum tracing_state tracing_state(void);
/* tracing_owner() - the session that started the trace, or NULL when idle.
 * Borrowed: valid until the trace ends or the session goes away. */
struct session *tracing_owner(void);

/* tracing_restart() - forgets the browser-wide counters (trace seeds,
 * dumpGuids, stream handles) so that the next traces are what a fresh
 * start would give.  Call when every connection is gone (admin reset). */
void tracing_restart(void);

/* The knobs with Chrome's values filled in where the scenario leaves 0. */
struct tracing_knobs {
	struct scenario_tracing tracing;
	struct scenario_io io;
};

/* tracing_knobs() - fills k from scenario_current(), then applies the
 * developer overrides (documented in docs/tracing.md; meant for benchmarks
 * and tests until every knob can be set from a scenario file):
 *   CDPM_TRACE_EVENTS=N            tracing.events
 *   CDPM_KNOBS=key=value,...       tracing.events, tracing.rate,
 *       tracing.duration_us, tracing.chunk_bytes, tracing.chunk_events,
 *       tracing.complete_delay_us, tracing.never_complete,
 *       tracing.data_loss, tracing.percent_full, tracing.stuck_full,
 *       io.read_chunk, io.never_eof
 * Unknown keys and unparsable values are ignored. */
void tracing_knobs(struct tracing_knobs *k);

struct tracing_cfg;
/* tracing_knobs_force() - applies the tracing.bufferKb and
 * tracing.recordMode knobs to a client's trace config, so that a scenario
 * loses data whatever the client asked for. */
void tracing_knobs_force(struct tracing_cfg *cfg);

#endif
