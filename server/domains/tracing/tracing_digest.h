/* tracing_digest.h - the digest of a trace as it is delivered (see
 * server/digest.h), computed on a second generator built from the same
 * parameters: the events are a function of those, so the replica yields
 * exactly what the client is sent. */
#ifndef CDPM_TRACING_DIGEST_H
#define CDPM_TRACING_DIGEST_H

struct trace_params;

/* tracing_digest_enable() - turns tracing_digest() on (--digests). */
void tracing_digest_enable(void);

/* tracing_digest() - records the count and digest of the trace p describes
 * for connection conn (its id) when --digests is on; otherwise does nothing.  Costs a
 * full generation and parse of the trace.  A failure (memory) is noted in
 * the journal instead. */
void tracing_digest(unsigned conn, const struct trace_params *p);

#endif
