/* test_tracing_util.h - helpers shared by the Tracing and IO suites
 * (test_tracing*.c, test_io*.c): servers started with the developer knobs,
 * a browser socket wrapped as a ptest, exact-frame commands, and a
 * collector that checks every Tracing.dataCollected frame as it reads it. */
#ifndef CDPM_TEST_TRACING_UTIL_H
#define CDPM_TEST_TRACING_UTIL_H

#include <jansson.h>

#include "ptest.h"

/* tt_start() - starts srv with CDPM_KNOBS=knobs (NULL: none) in its
 * environment and the extra args. */
void tt_start(struct harness_server *srv, const char *knobs, const char *const *extra);

/* tt_browser() - a new browser socket as a ptest (sid ""; closed by
 * ptest_close). */
void tt_browser(struct ptest *p, const struct harness_server *srv);

/* tt_send() - sends {"id":id,"method":method[,"params":params]} on p. */
void tt_send(struct ptest *p, int id, const char *method, const char *params);
/* tt_call() - tt_send() and the next frame must be want (glob, '*'), with
 * "%d" in want standing for id. */
void tt_call(struct ptest *p, int id, const char *method, const char *params, const char *want);
/* tt_ok() - tt_call() expecting {"id":id,"result":{}}. */
void tt_ok(struct ptest *p, int id, const char *method, const char *params);
/* tt_err() - tt_call() expecting an error with code and message. */
void tt_err(struct ptest *p, int id, const char *method, const char *params, int code,
	    const char *message);

/* What tt_collect() saw. */
struct tt_trace {
	size_t frames;	     /* dataCollected frames */
	size_t events;	     /* events in them */
	size_t max_events;   /* most events in one frame */
	size_t max_bytes;    /* largest value array, in bytes */
	size_t head;	     /* leading ph:"M" events */
	size_t others;	     /* frames that were not trace data (replies...) */
	int data_loss;	     /* tracingComplete's dataLossOccurred */
	json_t *all;	     /* every event, when keep was set; else NULL */
	struct buf complete; /* the tracingComplete frame */
};

/* tt_collect() - reads frames on p after the Tracing.end reply until
 * Tracing.tracingComplete, checking that each dataCollected frame is
 * exactly {"method":"Tracing.dataCollected","params":{"value":[...]}} plus
 * p's sessionId, holds at most max_events events and (unless one event is
 * alone) at most max_bytes bytes of them, that every event has sorted keys
 * and the mandatory ones, that the output is ASCII and that metadata comes
 * first.  Frames of other kinds are counted in others and passed to
 * other_fn (may be NULL).  tr is initialised here; tt_trace_clear() it. */
void tt_collect(struct ptest *p, struct tt_trace *tr, size_t max_bytes, size_t max_events, int keep,
		void (*other_fn)(const char *frame, void *arg), void *arg);
void tt_trace_clear(struct tt_trace *tr);

/* tt_event_ok() - 1 when ev is a trace event object with sorted keys and
 * args, cat, name, ph, pid, tid and ts of the right types. */
int tt_event_ok(const json_t *ev);

/* tt_b64_decode() - appends the bytes of base64 text s to out; -1 if it is
 * not strict base64. */
int tt_b64_decode(const char *s, size_t n, struct buf *out);

/* tt_slow() - 1 under valgrind (CDPM_SLOW): size traces down. */
int tt_slow(void);

/* tt_rss_kb() - VmRSS of process pid in kB, or -1. */
long tt_rss_kb(int pid);

/* tt_now_ms() - a monotonic clock for timing checks. */
long long tt_now_ms(void);

#endif
