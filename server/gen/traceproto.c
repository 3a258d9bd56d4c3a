/* traceproto.c - Perfetto protobuf encoding of a generated trace (see
 * traceproto.h).  Field numbers are those of perfetto's trace_packet.proto,
 * track_event.proto, track_descriptor.proto and clock_snapshot.proto.
 * Messages are written straight into reserved buffer space; a nested
 * message reserves three bytes for its length and is slid back once the
 * length is known. */
#include "gen/traceproto.h"

#include <stdlib.h>
#include <string.h>

#include "cdpm.h"

enum {
	/* Trace */
	F_TRACE_PACKET = 1,
	/* TracePacket */
	F_CLOCK_SNAPSHOT = 6,
	F_TIMESTAMP = 8,
	F_SEQ_ID = 10,
	F_TRACK_EVENT = 11,
	F_INTERNED = 12,
	F_SEQ_FLAGS = 13,
	F_TRACK_DESC = 60,
	/* ClockSnapshot / Clock */
	F_CS_CLOCKS = 1,
	F_CLOCK_ID = 1,
	F_CLOCK_TS = 2,
	/* TrackDescriptor */
	F_TD_UUID = 1,
	F_TD_NAME = 2,
	F_TD_PROCESS = 3,
	F_TD_THREAD = 4,
	F_TD_PARENT = 5,
	F_TD_COUNTER = 8,
	/* ProcessDescriptor / ThreadDescriptor */
	F_PD_PID = 1,
	F_PD_NAME = 6,
	F_THD_PID = 1,
	F_THD_TID = 2,
	F_THD_NAME = 5,
	/* TrackEvent */
	F_TE_CAT_IIDS = 3,
	F_TE_DEBUG = 4,
	F_TE_TYPE = 9,
	F_TE_NAME_IID = 10,
	F_TE_TRACK = 11,
	F_TE_COUNTER = 30,
	F_TE_FLOW = 47,
	F_TE_FLOW_END = 48,
	/* DebugAnnotation */
	F_DA_STRING = 6,
	F_DA_NAME = 10,
	/* InternedData / EventCategory / EventName */
	F_ID_CATS = 1,
	F_ID_NAMES = 2,
	F_IID = 1,
	F_IID_NAME = 2,
};

enum { TYPE_BEGIN = 1, TYPE_END = 2, TYPE_INSTANT = 3, TYPE_COUNTER = 4 };
enum { SEQ_CLEARED = 1, SEQ_NEEDS = 2 };
#define SEQ_ID 1

/* Track uuids: small, distinct ranges. */
#define UUID_PROC(i) (UINT64_C(0x10000) + (i))
#define UUID_THREAD(i) (UINT64_C(0x20000) + (i))
#define UUID_COUNTER(iid) (UINT64_C(0x30000) + (iid))
#define UUID_ASYNC(id) ((UINT64_C(1) << 40) + (id))

#define SEEN_NAME 1
#define SEEN_COUNTER 2
#define SEEN_CAT 4

static uint8_t *pb_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static uint8_t *pb_uint(uint8_t *p, uint32_t field, uint64_t v)
{
	p = pb_varint(p, (uint64_t)field << 3);
	return pb_varint(p, v);
}

static uint8_t *pb_fixed64(uint8_t *p, uint32_t field, uint64_t v)
{
	p = pb_varint(p, (uint64_t)field << 3 | 1);
	for (int i = 0; i < 8; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

static uint8_t *pb_str(uint8_t *p, uint32_t field, const char *s)
{
	size_t n = strlen(s);
	p = pb_varint(p, (uint64_t)field << 3 | 2);
	p = pb_varint(p, n);
	memcpy(p, s, n);
	return p + n;
}

/* Opens a length-delimited field; its body starts at the returned pointer. */
static uint8_t *nest_begin(uint8_t *p, uint32_t field)
{
	p = pb_varint(p, (uint64_t)field << 3 | 2);
	return p + 3;
}

/* Closes a field opened at body (bodies stay under 2 MiB). */
static uint8_t *nest_end(uint8_t *body, uint8_t *end)
{
	size_t len = (size_t)(end - body);
	uint8_t *q = pb_varint(body - 3, len);
	memmove(q, body, len);
	return q + len;
}

int traceproto_init(struct traceproto *pe, struct trace_gen *g, int64_t wall_us)
{
	memset(pe, 0, sizeof(*pe));
	pe->g = g;
	pe->wall_us = wall_us;
	pe->max_iid = trace_gen_max_iid(g);
	pe->seen = calloc((size_t)pe->max_iid + 1, 1);
	if (!pe->seen)
		return CDPM_ENOMEM;
	traceproto_rewind(pe);
	return 0;
}

void traceproto_clear(struct traceproto *pe)
{
	free(pe->seen);
	pe->seen = NULL;
}

void traceproto_rewind(struct traceproto *pe)
{
	pe->state = 0;
	pe->pre = 0;
	memset(pe->seen, 0, (size_t)pe->max_iid + 1);
	trace_gen_seek(pe->g, 0);
}

static uint8_t *clock_snapshot(const struct traceproto *pe, uint8_t *p)
{
	/* BOOTTIME (the default trace clock), REALTIME, ..., MONOTONIC:
	 * the trace's µs are CLOCK_MONOTONIC, BOOTTIME is taken equal. */
	static const uint32_t ids[] = {6, 1, 2, 3, 4, 5};
	uint64_t mono_ns = (uint64_t)trace_gen_start_us(pe->g) * 1000;
	uint64_t wall_ns = (uint64_t)pe->wall_us * 1000;
	uint8_t *cs = nest_begin(p, F_CLOCK_SNAPSHOT), *q = cs;

	for (size_t i = 0; i < CDPM_ARRAY_LEN(ids); i++) {
		uint8_t *c = nest_begin(q, F_CS_CLOCKS);
		uint8_t *e = pb_uint(c, F_CLOCK_ID, ids[i]);
		e = pb_uint(e, F_CLOCK_TS, ids[i] == 1 || ids[i] == 2 ? wall_ns : mono_ns);
		q = nest_end(c, e);
	}
	return nest_end(cs, q);
}

/* One preamble packet: the clock snapshot, then process and thread tracks. */
static uint8_t *preamble_packet(struct traceproto *pe, uint8_t *p)
{
	const struct traceproc *m = trace_gen_procs(pe->g);
	uint8_t *pk = nest_begin(p, F_TRACE_PACKET), *q = pk;
	uint32_t i = pe->pre;

	if (i == 0) {
		q = clock_snapshot(pe, q);
		q = pb_uint(q, F_SEQ_ID, SEQ_ID);
		q = pb_uint(q, F_SEQ_FLAGS, SEQ_CLEARED);
	} else if (i <= m->n_procs) {
		const struct traceproc_proc *pr = &m->procs[i - 1];
		uint8_t *td = nest_begin(q, F_TRACK_DESC), *e;
		e = pb_uint(td, F_TD_UUID, UUID_PROC(i - 1));
		uint8_t *pd = nest_begin(e, F_TD_PROCESS);
		e = pb_uint(pd, F_PD_PID, (uint64_t)pr->pid);
		e = pb_str(e, F_PD_NAME, pr->name);
		e = nest_end(pd, e);
		q = nest_end(td, e);
		q = pb_uint(q, F_SEQ_ID, SEQ_ID);
	} else {
		uint32_t t = i - 1 - (uint32_t)m->n_procs;
		const struct traceproc_thread *th = &m->threads[t];
		uint8_t *td = nest_begin(q, F_TRACK_DESC), *e;
		e = pb_uint(td, F_TD_UUID, UUID_THREAD(t));
		e = pb_uint(e, F_TD_PARENT, UUID_PROC(th->proc));
		uint8_t *thd = nest_begin(e, F_TD_THREAD);
		e = pb_uint(thd, F_THD_PID, (uint64_t)th->pid);
		e = pb_uint(e, F_THD_TID, (uint64_t)th->tid);
		e = pb_str(e, F_THD_NAME, th->name);
		e = nest_end(thd, e);
		q = nest_end(td, e);
		q = pb_uint(q, F_SEQ_ID, SEQ_ID);
	}
	if (++pe->pre > m->n_procs + m->n_threads)
		pe->state = 1;
	return nest_end(pk, q);
}

/* A TrackDescriptor packet for an async slice or a counter track. */
static uint8_t *track_packet(uint8_t *p, uint64_t uuid, uint64_t parent, const char *name,
			     int counter)
{
	uint8_t *pk = nest_begin(p, F_TRACE_PACKET);
	uint8_t *td = nest_begin(pk, F_TRACK_DESC), *e;

	e = pb_uint(td, F_TD_UUID, uuid);
	e = pb_uint(e, F_TD_PARENT, parent);
	e = pb_str(e, F_TD_NAME, name);
	if (counter) {
		e = pb_varint(e, F_TD_COUNTER << 3 | 2);
		*e++ = 0; /* an empty CounterDescriptor */
	}
	e = nest_end(td, e);
	e = pb_uint(e, F_SEQ_ID, SEQ_ID);
	return nest_end(pk, e);
}

/* Interned names and categories this event introduces, if any. */
static uint8_t *interned(struct traceproto *pe, uint8_t *p, const struct trace_ev *ev)
{
	int cat = !(pe->seen[ev->cat_iid] & SEEN_CAT), name = !(pe->seen[ev->name_iid] & SEEN_NAME);
	uint8_t *id, *e, *q;

	if (!cat && !name)
		return p;
	id = nest_begin(p, F_INTERNED);
	q = id;
	if (cat) {
		e = nest_begin(q, F_ID_CATS);
		q = nest_end(e, pb_str(pb_uint(e, F_IID, ev->cat_iid), F_IID_NAME, ev->cat));
		pe->seen[ev->cat_iid] |= SEEN_CAT;
	}
	if (name) {
		e = nest_begin(q, F_ID_NAMES);
		q = nest_end(e, pb_str(pb_uint(e, F_IID, ev->name_iid), F_IID_NAME, ev->name));
		pe->seen[ev->name_iid] |= SEEN_NAME;
	}
	return nest_end(id, q);
}

/* One TracePacket with a TrackEvent of the given type. */
static uint8_t *event_packet(struct traceproto *pe, uint8_t *p, const struct trace_ev *ev, int type,
			     int64_t ts, uint64_t track)
{
	uint8_t *pk = nest_begin(p, F_TRACE_PACKET), *q, *te, *e;

	q = pb_uint(pk, F_TIMESTAMP, (uint64_t)ts * 1000);
	q = pb_uint(q, F_SEQ_ID, SEQ_ID);
	if (type != TYPE_END && type != TYPE_COUNTER)
		q = interned(pe, q, ev);
	te = nest_begin(q, F_TRACK_EVENT);
	e = te;
	if (type != TYPE_END && type != TYPE_COUNTER) {
		e = pb_uint(e, F_TE_CAT_IIDS, ev->cat_iid);
		e = pb_uint(e, F_TE_NAME_IID, ev->name_iid);
	}
	e = pb_uint(e, F_TE_TYPE, (uint64_t)type);
	if (track)
		e = pb_uint(e, F_TE_TRACK, track);
	if (type == TYPE_COUNTER)
		e = pb_uint(e, F_TE_COUNTER, (uint64_t)ev->value);
	if (ev->ph == 's')
		e = pb_fixed64(e, F_TE_FLOW, ev->id);
	else if (ev->ph == 'f')
		e = pb_fixed64(e, F_TE_FLOW_END, ev->id);
	if (ev->detail && (ev->ph == 'c' || ev->ph == 'v')) {
		uint8_t *da = nest_begin(e, F_TE_DEBUG), *d;
		d = pb_str(da, F_DA_NAME, ev->ph == 'c' ? "sync_id" : "level_of_detail");
		d = pb_str(d, F_DA_STRING, ev->detail);
		e = nest_end(da, d);
	}
	q = nest_end(te, e);
	q = pb_uint(q, F_SEQ_FLAGS, SEQ_NEEDS);
	return nest_end(pk, q);
}

static int put_event(struct traceproto *pe, struct buf *out, const struct trace_ev *ev)
{
	const struct traceproc *m = trace_gen_procs(pe->g);
	uint64_t track = ev->thread == UINT32_MAX ? 0 : UUID_THREAD(ev->thread);
	uint64_t proc = ev->thread == UINT32_MAX ? 0 : UUID_PROC(m->threads[ev->thread].proc);
	size_t bound =
	    1024 + 3 * strlen(ev->name) + strlen(ev->cat) + (ev->detail ? strlen(ev->detail) : 0);
	int rc = buf_reserve(out, bound);
	uint8_t *p0, *p;

	if (rc)
		return rc;
	p0 = (uint8_t *)out->data + out->len;
	p = p0;
	switch (ev->ph) {
	case 'M':
		return 0; /* the track descriptors carry the names */
	case 'X':
		p = event_packet(pe, p, ev, TYPE_BEGIN, ev->ts, track);
		p = event_packet(pe, p, ev, TYPE_END, ev->ts + ev->dur, track);
		break;
	case 'B':
		p = event_packet(pe, p, ev, TYPE_BEGIN, ev->ts, track);
		break;
	case 'b':
		p = track_packet(p, UUID_ASYNC(ev->id), proc, ev->name, 0);
		p = event_packet(pe, p, ev, TYPE_BEGIN, ev->ts, UUID_ASYNC(ev->id));
		break;
	case 'e':
		p = event_packet(pe, p, ev, TYPE_END, ev->ts, UUID_ASYNC(ev->id));
		break;
	case 'C':
		/* One counter track per counter name (each runs in one process). */
		if (!(pe->seen[ev->name_iid] & SEEN_COUNTER)) {
			p = track_packet(p, UUID_COUNTER(ev->name_iid), proc, ev->name, 1);
			pe->seen[ev->name_iid] |= SEEN_COUNTER;
		}
		p = event_packet(pe, p, ev, TYPE_COUNTER, ev->ts, UUID_COUNTER(ev->name_iid));
		break;
	default: /* I R n s f c v */
		p = event_packet(pe, p, ev, TYPE_INSTANT, ev->ts, track);
		break;
	}
	out->len += (size_t)(p - p0);
	out->data[out->len] = '\0';
	return 0;
}

int traceproto_fill(struct traceproto *pe, struct buf *out, size_t want, int *done)
{
	size_t start = out->len;
	int rc = 0;

	while (pe->state < 2 && out->len - start < want && !rc) {
		if (pe->state == 0) {
			rc = buf_reserve(out, 4096);
			if (rc)
				break;
			uint8_t *p0 = (uint8_t *)out->data + out->len;
			out->len += (size_t)(preamble_packet(pe, p0) - p0);
			out->data[out->len] = '\0';
		} else {
			struct trace_ev ev;
			uint64_t at = trace_gen_tell(pe->g);
			if (!trace_gen_next_ev(pe->g, &ev)) {
				pe->state = 2;
				break;
			}
			rc = put_event(pe, out, &ev);
			if (rc)
				trace_gen_seek(pe->g, at);
		}
	}
	*done = pe->state == 2;
	return rc;
}
