/* trace.h - the lazy, seeded generator of a fake Chrome trace: metadata
 * events first, then a realistic mix of trace events, produced on demand as
 * Chrome's trace-event JSON (or as structured events for other encoders),
 * never holding the whole trace.  Every event is a function of (seed,
 * index), so any position can be reached in O(log n) and re-read.  Not the
 * Tracing domain (it decides when and how to deliver) nor the stream
 * encodings (tstream.h, traceproto.h). */
#ifndef CDPM_TRACE_H
#define CDPM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "gen/scripts.h"
#include "gen/traceproc.h"

/* 23,175 events in about 1.5 s with the default categories (docs/chrome.md §7.5). */
#define TRACE_DEFAULT_RATE 15450.0
#define TRACE_MAX_EVENTS (UINT64_C(1) << 40)	 /* body events, whatever the rate */
#define TRACE_MAX_DURATION_US (INT64_C(1) << 40) /* about 12.7 days */
#define TRACE_MAX_EXTRAS 65536u			 /* clock syncs + memory-dump rounds */
#define TRACE_MAX_STRLEN 4096u			 /* frame id, URL, sync id */
#define TRACE_MAX_SCREENSHOTS 450u /* Chrome's cap per trace */

enum trace_record_mode {
	TRACE_RECORD_UNTIL_FULL,	  /* Chrome's default: stop when the buffer is full */
	TRACE_RECORD_CONTINUOUSLY,	  /* ring buffer: keep the newest events */
	TRACE_RECORD_AS_MUCH_AS_POSSIBLE, /* no limit (behaves like a normal trace) */
};

enum trace_dump_level { TRACE_DUMP_BACKGROUND, TRACE_DUMP_LIGHT, TRACE_DUMP_DETAILED };

/* A Tracing.recordClockSyncMarker call. */
struct trace_sync {
	const char *id; /* syncId, UTF-8; copied */
	int64_t ts_us;
};

/* A Tracing.requestMemoryDump call (its dumpGuid). */
struct trace_dump {
	int64_t ts_us;
	uint64_t guid;
	enum trace_dump_level level;
};

struct trace_params {
	uint64_t seed;
	int64_t start_us;    /* ts of the first event: clock_now_us() at Tracing.start */
	int64_t duration_us; /* events spread over [start, start + duration) */
	/* Body events (besides metadata, clock syncs and dumps).  0: round(
	 * events_per_s * duration) scaled by the share of the default event
	 * mix the category filter and page_only keep, so that a narrow filter
	 * gives a small trace as in Chrome.  A non-zero n_events is exact (0
	 * only when the filter keeps no event template at all). */
	uint64_t n_events;
	double events_per_s; /* <= 0: TRACE_DEFAULT_RATE */
	/* traceConfig.includedCategories / excludedCategories (see tracecat.h);
	 * borrowed during trace_gen_new() only. */
	const char *const *included;
	size_t n_included;
	const char *const *excluded;
	size_t n_excluded;
	int page_only;	      /* a page-session trace: browser, GPU, page renderer */
	const char *frame_id; /* the page's main frame (its target id); NULL: seeded */
	const char *page_url; /* NULL: "about:blank" */
	/* Memory dumps appear only when "disabled-by-default-memory-infra" is
	 * enabled: each requested dump and, every periodic_dump_ms (0: never),
	 * a periodic one (every 8th detailed), as one "v" event per process. */
	const struct trace_dump *dumps;
	size_t n_dumps;
	uint32_t periodic_dump_ms;
	const struct trace_sync *syncs; /* "c" events; always recorded */
	size_t n_syncs;
	/* traceConfig.recordMode and traceBufferSizeInKb (0: unlimited).  An
	 * event costs about half its JSON size in Chrome's (protobuf) buffer:
	 * a 64 KB buffer held ~660 events. */
	enum trace_record_mode record_mode;
	uint64_t buffer_kb;
	/* The page renderer's activity (tracepage.c), each part only when its
	 * categories are on: main-thread tasks (toplevel RunTask, FunctionCall,
	 * v8.callFunction), the V8 sampling profile (Profile and ProfileChunk,
	 * disabled-by-default-v8.cpu_profiler), Screenshot events and, with
	 * has_nav, the page-load marks of a Page.navigate during the trace. */
	int has_nav;
	int64_t nav_us, dcl_us, load_us; /* navigationStart, DCL end, load end (µs) */
	int64_t lcp_us;		/* LCP after navigationStart; 0: default; < 0: no candidate */
	int64_t long_task_us;	/* the long task; 0: default; < 0: none */
	int32_t screenshots;	/* 0: default (one per 100 ms); < 0: none; capped at 450 */
	int empty_samples;	/* a profile with "samples":[] (a root-only chunk) */
	const struct scripts *scripts; /* the page's JS, borrowed during
					* trace_gen_new() only; NULL: seeded */
};

/* The outcome of the buffer emulation, for tracingComplete and bufferUsage. */
struct trace_loss {
	int data_loss;	     /* dataLossOccurred */
	uint64_t dropped;    /* events that did not fit */
	uint64_t kept;	     /* events delivered, metadata included */
	double percent_full; /* 0..1 (0 without a buffer size); estimated from the
			      * mean event size when nothing can be lost */
};

/* One event in structured form, for encoders other than JSON. */
struct trace_ev {
	char ph;		    /* Chrome's phase: M X I R s f b e n B C v c */
	char scope;		    /* I/R: 't' or 'g'; else 0 */
	uint32_t name_iid, cat_iid; /* 1..trace_gen_max_iid(); same iid, same string */
	const char *name, *cat;	    /* UTF-8; borrowed until trace_gen_free() */
	uint32_t thread;	    /* index into trace_gen_procs()->threads; UINT32_MAX: pid 0 */
	int32_t pid, tid;
	int64_t ts, dur;    /* µs; dur for X */
	int64_t tts, tdur;  /* thread time, µs; -1 when absent */
	uint64_t id;	    /* s/f, b/e, n and v ids */
	int64_t value;	    /* C: the counter value */
	const char *detail; /* M: the name/uptime arg; c: sync id; v: level; else NULL */
};

struct trace_gen;

/* trace_gen_new() - a generator positioned at the first event.  The params
 * and their strings are copied.  Cost: O(#dumps + #syncs), plus, when a
 * buffer size makes data loss possible, one pass over the events that fit
 * (O(buffer size)).  NULL when out of memory or the params are invalid
 * (negative duration, more than TRACE_MAX_* of something, a string longer
 * than TRACE_MAX_STRLEN). */
struct trace_gen *trace_gen_new(const struct trace_params *p);

/* trace_gen_free() - releases g; NULL is fine. */
void trace_gen_free(struct trace_gen *g);

/* trace_gen_next() - appends the next complete events to out as trace-event
 * JSON objects separated by ',' (no brackets, no leading separator), until
 * one more would make this call's output exceed max_bytes or the count
 * exceed max_events (SIZE_MAX: no limit).  At least one event is appended
 * when any remains, even if it alone is larger than max_bytes.  *n_events
 * receives the count: 0 means the trace is over.  Output is ASCII with
 * sorted keys and integer numbers.  Returns 0, or CDPM_ENOMEM/CDPM_ETOOBIG
 * from out (out keeps only whole events; the position stays after them). */
int trace_gen_next(struct trace_gen *g, struct buf *out, size_t max_bytes, size_t max_events,
		   size_t *n_events);

/* trace_gen_next_room() - the room a trace_gen_next_sep() call of up to
 * max_bytes may ask of its buffer, so that a caller reserving it first
 * gets a block of the message's size instead of one doubled past it (a
 * head event larger than the body bound may still grow it). */
size_t trace_gen_next_room(const struct trace_gen *g, size_t max_bytes, size_t sep_len);

/* trace_gen_next_sep() - trace_gen_next() with another separator (the
 * stream writer uses ",\n"); sep is put between the events of this call. */
int trace_gen_next_sep(struct trace_gen *g, struct buf *out, size_t max_bytes, size_t max_events,
		       const char *sep, size_t sep_len, size_t *n_events);

/* trace_gen_next_ev() - the next event in structured form; 1 when *ev was
 * filled, 0 at the end.  Shares the position with trace_gen_next(). */
int trace_gen_next_ev(struct trace_gen *g, struct trace_ev *ev);

/* trace_gen_seek() - positions g before event index (0 = first metadata
 * event); past the end means at the end.  O(log #extras). */
void trace_gen_seek(struct trace_gen *g, uint64_t index);

/* trace_gen_skip() - skips n events (generate-and-discard, in O(log)). */
void trace_gen_skip(struct trace_gen *g, uint64_t n);

/* trace_gen_tell() - the index of the next event. */
uint64_t trace_gen_tell(const struct trace_gen *g);

/* trace_gen_count() - events in the trace, metadata included, after the
 * buffer emulation dropped what did not fit. */
uint64_t trace_gen_count(const struct trace_gen *g);

/* trace_gen_head_count() - the leading metadata-like events (ph M, then
 * ActiveProcesses and TracingStartedInBrowser); always delivered. */
uint64_t trace_gen_head_count(const struct trace_gen *g);

/* trace_gen_measure() - *bytes receives the JSON size of events
 * [first, first + n) without separators; the position is kept.  O(n).
 * 0 or CDPM_ENOMEM. */
int trace_gen_measure(struct trace_gen *g, uint64_t first, uint64_t n, uint64_t *bytes);

/* trace_gen_loss() - what the recordMode / traceBufferSizeInKb emulation
 * decided at trace_gen_new(). */
void trace_gen_loss(const struct trace_gen *g, struct trace_loss *loss);

/* trace_gen_avg_bytes() - mean JSON size of a body event, measured on a
 * sample of the trace (computed once); 0 for a trace without body events.
 * For bufferUsage estimates while "recording". */
double trace_gen_avg_bytes(struct trace_gen *g);

/* trace_gen_start_us() - params.start_us: the trace's first timestamp. */
int64_t trace_gen_start_us(const struct trace_gen *g);

/* trace_gen_procs() - the process layout; borrowed until trace_gen_free(). */
const struct traceproc *trace_gen_procs(const struct trace_gen *g);

/* trace_gen_max_iid() - the largest name/category iid trace_ev may carry. */
uint32_t trace_gen_max_iid(const struct trace_gen *g);

/* trace_gen_cat_enabled() - whether the generator's category filter
 * records the group (e.g. "disabled-by-default-memory-infra", for
 * Tracing.requestMemoryDump's success flag). */
int trace_gen_cat_enabled(const struct trace_gen *g, const char *group);

#endif
