/* tracing.c - the Tracing domain on browser and page targets (docs/chrome.md
 * 4): one browser-wide trace owned by the session that started it, the
 * bufferUsage ticks while it records, and its delivery after Tracing.end as
 * dataCollected chunks (written only as fast as the client reads, through a
 * conn_producer) or as an IO stream (io.h).  The events themselves come
 * from gen/trace.c; the start parameters are read by tracing_cfg.c. */
#include "domains/tracing/tracing.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "cdpm.h"
#include "numfmt.h"
#include "clock.h"
#include "net/conn.h"
#include "gen/trace.h"
#include "gen/tstream.h"
#include "domains/io.h"
#include "domains/pagestate.h"
#include "journal.h"
#include "net/loop.h"
#include "cdp/router.h"
#include "server.h"
#include "cdp/slots.h"
#include "cdp/targets.h"
#include "domains/tracing/tracing_cfg.h"
#include "domains/tracing/tracing_digest.h"

/* The buffer bufferUsage measures against when traceBufferSizeInKb is not
 * given (the protocol's documented default). */
#define TRACING_DEFAULT_BUFFER_BYTES (200.0 * 1024 * 1024)

/* Trace bytes written per turn of the event loop before the producer lets
 * the loop read commands (replies then interleave with the chunks). */
#define TRACING_BURST_BYTES ((size_t)1 << 20)

#define TRACING_E_STARTED "Tracing has already been started (possibly in another tab)."
#define TRACING_E_NOT_STARTED "Tracing is not started"

enum tracing_phase {
	TRACING_IDLE,
	TRACING_RECORDING,  /* between start and end */
	TRACING_ENDING,	    /* end answered; the data is not out yet (delay, never_complete) */
	TRACING_DELIVERING, /* ReportEvents: dataCollected chunks are being written */
};

/* Per-session state (SLOT_TRACING): only the system-backend failure, after
 * which Chrome's handler keeps saying "already been started". */
struct tracing_session {
	int stuck;
};

/* The one trace of the browser. */
struct tracing_trace {
	enum tracing_phase phase;
	struct session *owner;
	struct tracing_cfg cfg;
	uint64_t seed;
	int64_t start_us, end_us;
	struct trace_sync *syncs; /* ids owned */
	size_t n_syncs;
	struct trace_dump *dumps;
	size_t n_dumps;
	struct loop_timer usage;    /* Tracing.bufferUsage */
	double usage_rate;	    /* body events per µs while recording (estimate) */
	double usage_cost;	    /* buffer bytes per event (estimate) */
	size_t usage_ticks;	    /* bufferUsage events sent (tracing.buffer_usage series) */
	struct loop_timer delay;    /* tracing.complete_delay_us */
	struct tracing_knobs knobs; /* as they were at Tracing.end */
	struct trace_gen *g;	    /* ReportEvents delivery */
	int data_loss;
	struct conn_producer producer;
	size_t burst;		 /* bytes pulled since the producer was attached */
	struct loop_timer yield; /* re-attaches the producer after a burst */
};

static struct tracing_trace tracing_now;
static uint64_t tracing_started;   /* traces so far: part of each seed */
static uint64_t tracing_last_dump; /* dumpGuid counter, browser-wide */

enum tracing_state tracing_state(void)
{
	switch (tracing_now.phase) {
	case TRACING_RECORDING:
		return TRACING_STATE_RECORDING;
	case TRACING_ENDING:
	case TRACING_DELIVERING:
		return TRACING_STATE_ENDING;
	case TRACING_IDLE:
		break;
	}
	return TRACING_STATE_IDLE;
}

struct session *tracing_owner(void)
{
	return tracing_now.phase == TRACING_IDLE ? NULL : tracing_now.owner;
}

/* ---- the trace's life ---- */

/* Forgets the trace, whatever its phase: nothing more is sent. */
static void tracing_reset(struct tracing_trace *t)
{
	loop_timer_cancel(&t->usage);
	loop_timer_cancel(&t->delay);
	loop_timer_cancel(&t->yield);
	if (t->owner && t->owner->conn->producer == &t->producer)
		conn_set_producer(t->owner->conn, NULL);
	trace_gen_free(t->g);
	tracing_cfg_clear(&t->cfg);
	for (size_t i = 0; i < t->n_syncs; i++)
		free((char *)t->syncs[i].id);
	free(t->syncs);
	free(t->dumps);
	struct conn_producer p = t->producer;
	memset(t, 0, sizeof(*t));
	t->producer = p;
	t->phase = TRACING_IDLE;
}

/* The page whose frame TracingStartedInBrowser names: the traced page, or
 * for a browser trace the newest page. */
static const struct target *tracing_page(const struct tracing_trace *t)
{
	if (t->owner->target->type == TARGET_PAGE)
		return t->owner->target;
	return targets_first_page();
}

/* The page renderer's part: its scripts (the ones Profiler.stop samples),
 * a Page.navigate made while tracing, and the scenario's page knobs. */
static void tracing_page_params(const struct tracing_trace *t, const struct target *pg,
				const struct scenario_tracing *sc, struct trace_params *p)
{
	struct pagestate *pt = pg ? pagestate_get((struct target *)pg) : NULL;
	if (pt) {
		p->scripts = pt->scripts;
		/* documents > 1: the current one came from a navigation, not from
		 * the page's creation. */
		if (pt->documents > 1 && pt->at_us[PAGESTATE_INIT] >= t->start_us &&
		    pt->at_us[PAGESTATE_INIT] <= t->end_us) {
			p->has_nav = 1;
			p->nav_us = pt->at_us[PAGESTATE_INIT];
			p->dcl_us = pt->at_us[PAGESTATE_DCL];
			p->load_us = pt->at_us[PAGESTATE_LOAD];
		}
	}
	p->long_task_us = sc->long_task_us;
	p->lcp_us = sc->lcp_us;
	p->screenshots = sc->screenshots;
	p->empty_samples = sc->empty_samples;
}

/* Fills p for the generator.  duration_us < 0: from start to end (or the
 * knob); else as given (the bufferUsage probe). */
static void tracing_params(const struct tracing_trace *t, const struct tracing_knobs *k,
			   int64_t duration_us, struct trace_params *p)
{
	const struct target *pg = tracing_page(t);
	memset(p, 0, sizeof(*p));
	p->seed = t->seed;
	p->start_us = t->start_us < 0 ? 0 : t->start_us;
	if (duration_us < 0)
		duration_us =
		    k->tracing.duration_us > 0 ? k->tracing.duration_us : t->end_us - t->start_us;
	p->duration_us = duration_us < 0 ? 0 : duration_us;
	if (p->duration_us > TRACE_MAX_DURATION_US)
		p->duration_us = TRACE_MAX_DURATION_US;
	p->n_events = k->tracing.events > TRACE_MAX_EVENTS ? TRACE_MAX_EVENTS : k->tracing.events;
	p->events_per_s = k->tracing.rate;
	p->included = (const char *const *)t->cfg.included;
	p->n_included = t->cfg.n_included;
	/* tracing.categories replaces the client's included categories; read
	 * from the scenario in force now (the generator copies them). */
	const struct scenario_tracing *sc = &scenario_current()->tracing;
	if (sc->n_categories) {
		p->included = sc->categories;
		p->n_included = sc->n_categories;
	}
	p->excluded = (const char *const *)t->cfg.excluded;
	p->n_excluded = t->cfg.n_excluded;
	p->page_only = t->owner->target->type == TARGET_PAGE;
	if (pg && strlen(pg->id) <= TRACE_MAX_STRLEN)
		p->frame_id = pg->id;
	if (pg && pg->url && strlen(pg->url) <= TRACE_MAX_STRLEN)
		p->page_url = pg->url;
	p->dumps = t->dumps;
	p->n_dumps = t->n_dumps;
	p->periodic_dump_ms = t->cfg.periodic_dump_ms;
	p->syncs = t->syncs;
	p->n_syncs = t->n_syncs;
	p->record_mode = t->cfg.record_mode;
	p->buffer_kb = t->cfg.buffer_kb;
	tracing_page_params(t, pg, &k->tracing, p);
	if (k->tracing.stuck_full) {
		/* The buffer is full from the start: nothing past the metadata. */
		p->n_events = 0;
		p->duration_us = 0;
	}
}

/* ---- Tracing.bufferUsage ---- */

/* Measures what the trace costs per µs, for percentFull while recording:
 * a one-second trace of the same configuration, thrown away. */
static void tracing_usage_estimate(struct tracing_trace *t)
{
	struct tracing_knobs k;
	struct trace_params p;
	tracing_knobs(&k);
	int fixed = k.tracing.events && k.tracing.duration_us > 0;
	if (!fixed)
		k.tracing.events = 0;
	k.tracing.stuck_full = 0;
	tracing_params(t, &k, fixed ? k.tracing.duration_us : 1000000, &p);
	p.buffer_kb = 0;
	p.record_mode = TRACE_RECORD_AS_MUCH_AS_POSSIBLE;
	p.n_dumps = p.n_syncs = 0;
	struct trace_gen *g = trace_gen_new(&p);
	if (!g) {
		t->usage_rate = TRACE_DEFAULT_RATE / 1e6;
		t->usage_cost = 100;
		return;
	}
	uint64_t body = trace_gen_count(g) - trace_gen_head_count(g);
	t->usage_rate = (double)body / (double)(p.duration_us ? p.duration_us : 1);
	/* gen/trace.h: an event costs about half its JSON size in Chrome's
	 * protobuf buffer. */
	t->usage_cost = trace_gen_avg_bytes(g) / 2;
	trace_gen_free(g);
}

static double tracing_percent_full(const struct tracing_trace *t)
{
	struct tracing_knobs k;
	tracing_knobs(&k);
	if (k.tracing.n_buffer_usage) {
		/* a scripted series; its last value repeats */
		size_t i = t->usage_ticks < k.tracing.n_buffer_usage ? t->usage_ticks
								     : k.tracing.n_buffer_usage - 1;
		return k.tracing.buffer_usage[i];
	}
	if (k.tracing.percent_full > 0)
		return k.tracing.percent_full;
	if (k.tracing.stuck_full)
		return 1;
	double size =
	    t->cfg.buffer_kb ? (double)t->cfg.buffer_kb * 1024 : TRACING_DEFAULT_BUFFER_BYTES;
	double used = t->usage_rate * (double)(clock_now_us() - t->start_us) * t->usage_cost;
	/* Full stays full: recordUntilFull stops, a ring buffer wraps. */
	return used >= size ? 1 : used / size;
}

static void tracing_usage_tick(struct loop_timer *tm)
{
	struct tracing_trace *t = &tracing_now;
	(void)tm;
	if (t->phase != TRACING_RECORDING)
		return;
	double pf = tracing_percent_full(t);
	t->usage_ticks++;
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "{\"percentFull\":");
	numfmt_add(&b, pf);
	buf_adds(&b, ",\"eventCount\":0,\"value\":");
	numfmt_add(&b, pf);
	buf_addc(&b, '}');
	int rc = buf_finish(&b);
	if (rc)
		journal_note(conn_id(t->owner->conn), "Tracing.bufferUsage not sent: %s", cdpm_strerror(rc));
	else
		call_event_raw(t->owner, "Tracing.bufferUsage", b.data, b.len);
	buf_clear(&b);
	/* Each tick is one period after the last (Chrome: +508, +1009, +1510 ms). */
	loop_timer_arm(&t->usage, t->cfg.usage_period_us, tracing_usage_tick);
}

/* ---- delivery ---- */

static void tracing_send_complete(struct tracing_trace *t, const char *stream)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "{\"dataLossOccurred\":%s", t->data_loss ? "true" : "false");
	if (stream)
		buf_printf(&b,
			   ",\"stream\":\"%s\",\"traceFormat\":\"%s\",\"streamCompression\":\"%s\"",
			   stream, t->cfg.format == TSTREAM_PROTO ? "proto" : "json",
			   t->cfg.compression == TSTREAM_GZIP ? "gzip" : "none");
	buf_addc(&b, '}');
	int rc = buf_finish(&b);
	if (rc)
		journal_note(conn_id(t->owner->conn), "Tracing.tracingComplete not sent: %s",
			     cdpm_strerror(rc));
	else
		call_event_raw(t->owner, "Tracing.tracingComplete", b.data, b.len);
	buf_clear(&b);
}

static void tracing_resume(struct loop_timer *tm)
{
	struct tracing_trace *t = &tracing_now;
	(void)tm;
	t->burst = 0;
	if (t->phase == TRACING_DELIVERING && !t->owner->conn->gone)
		conn_set_producer(t->owner->conn, &t->producer);
}

/* One Tracing.dataCollected frame per pull, then tracingComplete. */
static int tracing_pull(struct conn_producer *p, struct conn *c)
{
	struct tracing_trace *t = &tracing_now;
	const struct scenario_tracing *k = &t->knobs.tracing;
	struct buf b;
	size_t n = 0;
	(void)p;
	conn_msg_begin(&b);
	buf_reserve(&b, trace_gen_next_room(t->g, k->chunk_bytes, 1) + 256);
	buf_adds(&b, "{\"method\":\"Tracing.dataCollected\",\"params\":{\"value\":[");
	/* On a failed buffer this takes no event and returns the failure. */
	int rc = trace_gen_next(t->g, &b, k->chunk_bytes, k->chunk_events, &n);
	if (!rc && n) {
		buf_adds(&b, "]}");
		call_close_msg(&b, t->owner);
		rc = buf_finish(&b);
		t->burst += b.len;
		if (!rc && conn_send(c, &b, t->owner->id, "Tracing.dataCollected"))
			return -1;
		if (!rc && t->burst >= TRACING_BURST_BYTES) {
			/* A client that reads as fast as we write would keep the
			 * writable callback going to the end of the trace, and
			 * commands sent meanwhile would wait for it: step out of
			 * the loop and come back on the next turn. */
			conn_set_producer(c, NULL);
			loop_timer_arm(&t->yield, 0, tracing_resume);
		}
		if (!rc)
			return 1;
	}
	buf_clear(&b);
	if (rc) {
		/* The rest of the trace is lost; the client still hears the end. */
		journal_note(conn_id(c), "Tracing.dataCollected: %s; ending the trace", cdpm_strerror(rc));
		t->data_loss = 1;
	}
	conn_set_producer(c, NULL);
	tracing_send_complete(t, NULL);
	tracing_reset(t);
	return 0;
}

/* ReturnAsStream: the stream is made now and read lazily through IO.read. */
static void tracing_deliver_stream(struct tracing_trace *t, const struct trace_params *p)
{
	char handle[IO_HANDLE_MAX];
	struct tstream *ts = tstream_new(p, t->cfg.format, t->cfg.compression);
	int rc = CDPM_ENOMEM;
	if (ts) {
		struct trace_loss loss;
		trace_gen_loss(tstream_gen(ts), &loss);
		t->data_loss |= loss.data_loss;
		rc = io_stream_open(
		    t->owner, ts,
		    t->cfg.format == TSTREAM_PROTO || t->cfg.compression == TSTREAM_GZIP, handle);
	}
	if (rc) {
		/* A defined failure: no stream, and the loss is reported. */
		journal_note(conn_id(t->owner->conn), "ReturnAsStream: no stream (%s)", cdpm_strerror(rc));
		t->data_loss = 1;
	}
	tracing_send_complete(t, rc ? NULL : handle);
	tracing_reset(t);
}

static void tracing_deliver(struct tracing_trace *t)
{
	struct trace_params p;
	tracing_params(t, &t->knobs, -1, &p);
	tracing_digest(conn_id(t->owner->conn), &p);
	/* tracing.compression: the stream's compression whatever was asked */
	if (t->knobs.tracing.compression == SCENARIO_COMPRESSION_NONE)
		t->cfg.compression = TSTREAM_NONE;
	else if (t->knobs.tracing.compression == SCENARIO_COMPRESSION_GZIP)
		t->cfg.compression = TSTREAM_GZIP;
	t->data_loss = t->knobs.tracing.data_loss || t->knobs.tracing.stuck_full;
	if (t->cfg.stream) {
		tracing_deliver_stream(t, &p);
		return;
	}
	t->g = trace_gen_new(&p);
	if (!t->g) {
		journal_note(conn_id(t->owner->conn), "Tracing.end: cannot generate the trace");
		t->data_loss = 1;
		tracing_send_complete(t, NULL);
		tracing_reset(t);
		return;
	}
	struct trace_loss loss;
	trace_gen_loss(t->g, &loss);
	t->data_loss |= loss.data_loss;
	t->phase = TRACING_DELIVERING;
	t->producer.pull = tracing_pull;
	if (!t->owner->conn->gone)
		conn_set_producer(t->owner->conn, &t->producer);
}

static void tracing_delay_fired(struct loop_timer *tm)
{
	(void)tm;
	if (tracing_now.phase == TRACING_ENDING)
		tracing_deliver(&tracing_now);
}

void tracing_restart(void)
{
	if (tracing_now.phase != TRACING_IDLE)
		tracing_reset(&tracing_now);
	tracing_started = 0;
	tracing_last_dump = 0;
	io_restart();
}

/* ---- commands ---- */

static struct tracing_session *tracing_session_of(const struct session *s)
{
	return s->dom[SLOT_TRACING];
}

static int tracing_owns(const struct call *c)
{
	return tracing_now.phase == TRACING_RECORDING && tracing_now.owner == c->session;
}

static int tracing_start(struct call *c)
{
	struct tracing_session *ts = tracing_session_of(c->session);
	struct tracing_trace *t = &tracing_now;
	struct tracing_cfg cfg;
	enum tracing_cfg_err err;
	int code;

	if (t->phase != TRACING_IDLE || (ts && ts->stuck))
		return call_error(c, CDP_SERVER_ERROR, TRACING_E_STARTED, NULL);
	memset(&cfg, 0, sizeof(cfg));
	int rc = tracing_cfg_parse(c->params, &cfg, &err);
	if (rc)
		return rc;
	if (err == TRACING_CFG_SYSTEM) {
		/* Chrome's handler stays "tracing" after the system consumer fails. */
		if (!ts && !(ts = c->session->dom[SLOT_TRACING] = calloc(1, sizeof(*ts))))
			return CDPM_ENOMEM;
		ts->stuck = 1;
	}
	if (err) {
		const char *msg = tracing_cfg_error(err, &code);
		return call_error(c, code, msg, NULL);
	}
	t->phase = TRACING_RECORDING;
	t->owner = c->session;
	t->cfg = cfg;
	tracing_knobs_force(&t->cfg);
	t->seed = server.opts.seed ^ (++tracing_started * UINT64_C(0x9e3779b97f4a7c15));
	t->start_us = clock_now_us();
	if (t->cfg.usage_period_us) {
		tracing_usage_estimate(t);
		loop_timer_arm(&t->usage, t->cfg.usage_period_us, tracing_usage_tick);
	}
	return call_reply(c, NULL);
}

/* Tracing.end: the reply first, then (after tracing.complete_delay_us) the
 * data and tracingComplete (docs/chrome.md §7.5). */
static int tracing_end(struct call *c)
{
	struct tracing_trace *t = &tracing_now;
	if (!tracing_owns(c))
		return call_error(c, CDP_SERVER_ERROR, TRACING_E_NOT_STARTED, NULL);
	loop_timer_cancel(&t->usage);
	tracing_knobs(&t->knobs);
	t->end_us = clock_now_us();
	t->phase = TRACING_ENDING;
	int rc = call_reply(c, NULL);
	if (t->knobs.tracing.never_complete) {
		/* Held until the owner goes away, like a Chrome that never
		 * finishes flushing: later starts say "already been started". */
		journal_note(conn_id(c->conn), "Tracing.end: tracingComplete held (scenario tracing.neverComplete)");
		return rc;
	}
	if (t->knobs.tracing.complete_delay_us > 0)
		loop_timer_arm(&t->delay, t->knobs.tracing.complete_delay_us, tracing_delay_fired);
	else
		tracing_deliver(t);
	return rc;
}

static int tracing_get_categories(struct call *c)
{
	struct buf b;
	call_reply_begin(c, &b);
	buf_adds(&b, "{\"categories\":[");
	for (size_t i = 0; i < tracing_cats_n; i++)
		buf_printf(&b, "%s\"%s\"", i ? "," : "", tracing_cats[i]);
	buf_adds(&b, "]}");
	return call_reply_end(c, &b);
}

/* Appends a protobuf length-delimited field (tag < 128, len < 16384). */
static void tracing_pb_bytes(struct buf *b, unsigned tag, const void *p, size_t n)
{
	buf_addc(b, (char)(tag << 3 | 2));
	if (n >= 128)
		buf_addc(b, (char)(0x80 | (n & 0x7f)));
	buf_addc(b, (char)(n >= 128 ? n >> 7 : n));
	buf_add(b, p, n);
}

/* Tracing.getTrackEventDescriptor: a perfetto.protos.TrackEventDescriptor
 * listing the categories (name = 1, tags = 3 "slow" for the
 * disabled-by-default ones).  Chrome's also carries descriptions, so its
 * descriptor is longer (14,228 base64 characters). */
static int tracing_get_descriptor(struct call *c)
{
	struct buf pb, cat, b;
	int rc = 0;
	buf_init(&pb, 0);
	buf_init(&cat, 0);
	for (size_t i = 0; i < tracing_cats_n && !rc; i++) {
		const char *name = tracing_cats[i];
		buf_reset(&cat);
		tracing_pb_bytes(&cat, 1, name, strlen(name));
		if (!strncmp(name, "disabled-by-default-", 20))
			tracing_pb_bytes(&cat, 3, "slow", 4);
		rc = buf_finish(&cat);
		if (!rc)
			tracing_pb_bytes(&pb, 1, cat.data, cat.len);
	}
	if (!rc)
		rc = buf_finish(&pb);
	if (!rc) {
		call_reply_begin(c, &b);
		buf_adds(&b, "{\"descriptor\":\"");
		b64_encode_buf(&b, pb.data, pb.len);
		buf_adds(&b, "\"}");
		rc = buf_finish(&b);
		if (rc)
			buf_clear(&b);
	}
	buf_clear(&pb);
	buf_clear(&cat);
	return rc ? rc : call_reply_end(c, &b);
}

/* The room left for clock syncs and memory dumps (gen/trace.h's cap). */
static int tracing_extras_full(const struct call *c)
{
	if (tracing_now.n_syncs + tracing_now.n_dumps < TRACE_MAX_EXTRAS)
		return 0;
	journal_note(conn_id(c->conn), "%s: %u clock syncs and memory dumps already; not recorded",
		     c->method, TRACE_MAX_EXTRAS);
	return 1;
}

static int tracing_clock_sync(struct call *c)
{
	struct tracing_trace *t = &tracing_now;
	if (!tracing_owns(c))
		return call_error(c, CDP_SERVER_ERROR, TRACING_E_NOT_STARTED, NULL);
	if (tracing_extras_full(c))
		return call_reply(c, NULL);
	const json_t *id = json_object_get(c->params, "syncId");
	size_t len = json_string_length(id);
	/* The generator takes ids up to TRACE_MAX_STRLEN bytes: cut longer
	 * ones at a UTF-8 character boundary. */
	if (len > TRACE_MAX_STRLEN) {
		len = TRACE_MAX_STRLEN;
		while (len && (json_string_value(id)[len] & 0xC0) == 0x80)
			len--;
	}
	char *copy = strndup(json_string_value(id), len);
	struct trace_sync *s = realloc(t->syncs, (t->n_syncs + 1) * sizeof(*s));
	if (!copy || !s) {
		free(copy);
		if (s)
			t->syncs = s;
		return CDPM_ENOMEM;
	}
	t->syncs = s;
	s[t->n_syncs].id = copy;
	s[t->n_syncs].ts_us = clock_now_us();
	t->n_syncs++;
	return call_reply(c, NULL);
}

static int tracing_memory_dump(struct call *c)
{
	static const char *const levels[] = {"background", "light", "detailed"};
	struct tracing_trace *t = &tracing_now;
	if (!tracing_owns(c))
		return call_error(c, CDP_SERVER_ERROR, TRACING_E_NOT_STARTED, NULL);
	const json_t *lv = json_object_get(c->params, "levelOfDetail");
	const char *level = lv ? json_string_value(lv) : "detailed";
	size_t i = 0;
	while (i < CDPM_ARRAY_LEN(levels) && strcmp(levels[i], level))
		i++;
	if (i == CDPM_ARRAY_LEN(levels))
		return call_error(c, CDP_SERVER_ERROR, "Invalid levelOfDetail specified.", NULL);
	uint64_t guid = ++tracing_last_dump;
	if (!tracing_extras_full(c)) {
		struct trace_dump *d = realloc(t->dumps, (t->n_dumps + 1) * sizeof(*d));
		if (!d)
			return CDPM_ENOMEM;
		t->dumps = d;
		d[t->n_dumps].ts_us = clock_now_us();
		d[t->n_dumps].guid = guid;
		d[t->n_dumps].level = (enum trace_dump_level)i;
		t->n_dumps++;
	}
	char out[64];
	int n = snprintf(out, sizeof(out), "{\"dumpGuid\":\"0x%llx\",\"success\":true}",
			 (unsigned long long)guid);
	return call_reply_raw(c, out, (size_t)n);
}

/* The owner's session detaching or its connection closing discards the
 * trace at once, in every phase: no tracingComplete (docs/chrome.md §7.1). */
static void tracing_session_gone(struct session *s)
{
	if (tracing_now.owner == s && tracing_now.phase != TRACING_IDLE)
		tracing_reset(&tracing_now);
	free(s->dom[SLOT_TRACING]);
	s->dom[SLOT_TRACING] = NULL;
}

static const struct method tracing_methods[] = {
    {"end", tracing_end},
    {"getCategories", tracing_get_categories},
    {"getTrackEventDescriptor", tracing_get_descriptor},
    {"recordClockSyncMarker", tracing_clock_sync},
    {"requestMemoryDump", tracing_memory_dump},
    {"start", tracing_start},
};

const struct domain tracing_domain = {
	.name = "Tracing",
	.targets = TARGET_BROWSER | TARGET_PAGE,
	.methods = tracing_methods,
	.n_methods = CDPM_ARRAY_LEN(tracing_methods),
	.session_gone = tracing_session_gone,
};
