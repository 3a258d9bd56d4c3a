/* tracing_knobs.c - the tracing and IO knobs in force (see tracing.h): the
 * scenario's, Chrome's defaults for what it leaves at 0, and the developer
 * overrides from the environment. */
#include "domains/tracing/tracing.h"
#include "domains/tracing/tracing_cfg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KNOBS_CHROME_CHUNK_BYTES 65536
#define KNOBS_CHROME_CHUNK_EVENTS 515
#define KNOBS_CHROME_READ_CHUNK 10485760

/* Parses an unsigned or signed decimal integer filling the whole string. */
static int knobs_int(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

static void knobs_set(struct tracing_knobs *k, const char *key, const char *val)
{
	struct scenario_tracing *t = &k->tracing;
	int64_t v;
	if (!strcmp(key, "tracing.percent_full")) {
		char *end;
		double d = strtod(val, &end);
		if (end != val && !*end && d >= 0 && d <= 1)
			t->percent_full = d;
		return;
	}
	if (!strcmp(key, "tracing.rate")) {
		char *end;
		double d = strtod(val, &end);
		if (end != val && !*end && d >= 0 && d < 1e12)
			t->rate = d;
		return;
	}
	if (knobs_int(val, &v) || v < 0)
		return;
	if (!strcmp(key, "tracing.events"))
		t->events = (uint64_t)v;
	else if (!strcmp(key, "tracing.duration_us"))
		t->duration_us = v;
	else if (!strcmp(key, "tracing.chunk_bytes"))
		t->chunk_bytes = (size_t)v;
	else if (!strcmp(key, "tracing.chunk_events"))
		t->chunk_events = (size_t)v;
	else if (!strcmp(key, "tracing.complete_delay_us"))
		t->complete_delay_us = v;
	else if (!strcmp(key, "tracing.never_complete"))
		t->never_complete = v != 0;
	else if (!strcmp(key, "tracing.data_loss"))
		t->data_loss = v != 0;
	else if (!strcmp(key, "tracing.stuck_full"))
		t->stuck_full = v != 0;
	else if (!strcmp(key, "tracing.long_task_us"))
		t->long_task_us = v ? v : -1;
	else if (!strcmp(key, "tracing.lcp_us"))
		t->lcp_us = v ? v : -1;
	else if (!strcmp(key, "tracing.screenshots"))
		t->screenshots = v ? (v > INT32_MAX ? INT32_MAX : (int32_t)v) : -1;
	else if (!strcmp(key, "tracing.empty_samples"))
		t->empty_samples = v != 0;
	else if (!strcmp(key, "io.read_chunk"))
		k->io.read_chunk = (size_t)v;
	else if (!strcmp(key, "io.never_eof"))
		k->io.never_eof = v != 0;
}

/* CDPM_KNOBS="key=value,key=value". */
static void knobs_env(struct tracing_knobs *k, const char *s)
{
	char pair[256];
	while (s && *s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		if (n < sizeof(pair)) {
			memcpy(pair, s, n);
			pair[n] = '\0';
			char *eq = strchr(pair, '=');
			if (eq) {
				*eq = '\0';
				knobs_set(k, pair, eq + 1);
			}
		}
		s = comma ? comma + 1 : NULL;
	}
}

void tracing_knobs(struct tracing_knobs *k)
{
	const struct scenario *sc = scenario_current();
	k->tracing = sc->tracing;
	k->io = sc->io;
	const char *ev = getenv("CDPM_TRACE_EVENTS");
	if (ev)
		knobs_set(k, "tracing.events", ev);
	knobs_env(k, getenv("CDPM_KNOBS"));
	if (!k->tracing.chunk_bytes)
		k->tracing.chunk_bytes = KNOBS_CHROME_CHUNK_BYTES;
	if (!k->tracing.chunk_events)
		k->tracing.chunk_events = KNOBS_CHROME_CHUNK_EVENTS;
	if (!k->io.read_chunk)
		k->io.read_chunk = KNOBS_CHROME_READ_CHUNK;
}

void tracing_knobs_force(struct tracing_cfg *cfg)
{
	static const enum trace_record_mode modes[] = {
	    [SCENARIO_RECORD_UNTIL_FULL] = TRACE_RECORD_UNTIL_FULL,
	    [SCENARIO_RECORD_CONTINUOUSLY] = TRACE_RECORD_CONTINUOUSLY,
	    [SCENARIO_RECORD_AS_MUCH_AS_POSSIBLE] = TRACE_RECORD_AS_MUCH_AS_POSSIBLE,
	};
	struct tracing_knobs k;
	tracing_knobs(&k);
	if (k.tracing.buffer_kb)
		cfg->buffer_kb = k.tracing.buffer_kb;
	if (k.tracing.record_mode != SCENARIO_RECORD_ASKED)
		cfg->record_mode = modes[k.tracing.record_mode];
}
