/* traceproto.h - encodes a generated trace as a Perfetto "Trace" protobuf
 * (streamFormat "proto"): a ClockSnapshot packet, process and thread
 * TrackDescriptors, then TrackEvent packets with interned names and
 * categories, produced incrementally.  Not the stream's framing or
 * compression (tstream.h). */
#ifndef CDPM_TRACEPROTO_H
#define CDPM_TRACEPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "gen/trace.h"

struct traceproto {
	struct trace_gen *g; /* borrowed */
	int64_t wall_us;     /* REALTIME clock of the snapshot at the trace start */
	int state;	     /* 0 preamble, 1 events, 2 done */
	uint32_t pre;	     /* next preamble packet */
	uint8_t *seen;	     /* per iid: bit 0 interned, bit 1 counter track declared */
	uint32_t max_iid;
};

/* traceproto_init() - an encoder of g (borrowed; it must outlive pe) from
 * its first event.  wall_us pairs the trace clock with wall time in the
 * ClockSnapshot.  0 or CDPM_ENOMEM. */
int traceproto_init(struct traceproto *pe, struct trace_gen *g, int64_t wall_us);

/* traceproto_clear() - frees pe's memory (not g). */
void traceproto_clear(struct traceproto *pe);

/* traceproto_rewind() - starts over from the first byte (seeks g to 0). */
void traceproto_rewind(struct traceproto *pe);

/* traceproto_fill() - appends whole TracePacket records (each a field-1
 * length-delimited entry of Trace) to out until it grew by at least want
 * bytes or the trace is over; *done is set once nothing remains.
 * 0, or CDPM_ENOMEM/CDPM_ETOOBIG from out (out keeps whole packets). */
int traceproto_fill(struct traceproto *pe, struct buf *out, size_t want, int *done);

#endif
