/* cdpc_trace.h - collecting a finished trace (after Tracing.end) from a cdpc
 * connection, in either transfer mode.  Starting and ending the trace is the
 * caller's job. */
#ifndef CDPC_TRACE_H
#define CDPC_TRACE_H

#include <stdio.h>

#include "cdpclient.h"

/* cdpc_trace_collect() - call after a successful Tracing.end on session_id
 * (may be NULL).  Consumes messages until the Tracing.tracingComplete of
 * that session that arrived after message number after: cdpc_received()
 * taken just before Tracing.end was sent.  One that came earlier (a stray,
 * or a previous trace's late one) cannot be this trace's: it goes to other
 * like any message it does not need.
 * - ReportEvents: the events of each Tracing.dataCollected go to out as one
 *   JSON array ("[\n", events one per line, compact and ASCII-only,
 *   "\n]\n"; "[]\n" when there were none).
 * - ReturnAsStream (tracingComplete has "stream"): the stream's bytes go to
 *   out as they are (cdpc_stream_read()).
 * Every other message, and tracingComplete itself, goes to other (may be
 * NULL) before it is dropped.  *complete (may be NULL) gets the
 * tracingComplete params (a new reference) on success.  timeout_ms bounds
 * each wait, not the whole transfer.  Fails with cdpc_next()'s errors,
 * CDPM_EPROTO (a non-JSON message, a malformed trace event, events and a
 * stream both), CDPM_EIO (writing), or as cdpc_stream_read(); a reason goes
 * to err (may be NULL). */
int cdpc_trace_collect(struct cdpc *c, const char *session_id, unsigned long long after,
		       int timeout_ms, FILE *out, json_t **complete, cdpc_msg_fn other, void *arg,
		       struct buf *err);

#endif
