/* wstate.c - wire-derived model state for scenario rules (see wstate.h). */
#include "script/wstate.h"

#include <stdio.h>
#include <string.h>

#include "net/conn.h"
#include "cdp/targets.h"

struct wstate_key {
	const struct conn *c; /* NULL: a free slot */
	char id[33];          /* a session id, or a stream handle */
};

static enum scenario_tstate wstate_trace = SCENARIO_TS_IDLE;
static struct wstate_key wstate_owner;
static struct wstate_key wstate_streams[WSTATE_MAX_STREAMS];
static struct wstate_key wstate_profiles[WSTATE_MAX_PROFILING];
static size_t wstate_stream_next, wstate_profile_next;

void wstate_reset(void)
{
	wstate_trace = SCENARIO_TS_IDLE;
	memset(&wstate_owner, 0, sizeof(wstate_owner));
	memset(wstate_streams, 0, sizeof(wstate_streams));
	memset(wstate_profiles, 0, sizeof(wstate_profiles));
	wstate_stream_next = wstate_profile_next = 0;
}

static struct wstate_key *wstate_find(struct wstate_key *set, size_t n, const struct conn *c,
				      const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (set[i].c == c && !strcmp(set[i].id, id ? id : ""))
			return &set[i];
	return NULL;
}

/* Adds to a ring-like set: a free slot, else the oldest entry goes. */
static void wstate_add(struct wstate_key *set, size_t n, size_t *next, const struct conn *c,
		       const char *id)
{
	if (wstate_find(set, n, c, id))
		return;
	struct wstate_key *k = NULL;
	for (size_t i = 0; i < n && !k; i++)
		if (!set[i].c)
			k = &set[i];
	if (!k)
		k = &set[(*next)++ % n];
	k->c = c;
	snprintf(k->id, sizeof(k->id), "%s", id ? id : "");
}

/* The value of "key":"..." in text (the first one), into out. */
static int wstate_string(const char *text, size_t len, const char *key, char *out, size_t n)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	const char *p = memmem(text, len, pat, strlen(pat));
	if (!p)
		return 0;
	p += strlen(pat);
	size_t i = 0;
	while (p < text + len && *p != '"' && i + 1 < n)
		out[i++] = *p++;
	out[i] = '\0';
	return 1;
}

void wstate_out(struct conn *c, const char *sid, enum scenario_kind kind, const char *method,
		const char *arg, const char *text, size_t len)
{
	if (!method)
		return;
	if (kind == SCENARIO_KIND_EVENT && !strcmp(method, "Tracing.tracingComplete")) {
		char handle[33];
		wstate_trace = SCENARIO_TS_IDLE;
		memset(&wstate_owner, 0, sizeof(wstate_owner));
		if (wstate_string(text, len, "stream", handle, sizeof(handle)))
			wstate_add(wstate_streams, WSTATE_MAX_STREAMS, &wstate_stream_next, c, handle);
		return;
	}
	if (kind != SCENARIO_KIND_REPLY)
		return;
	if (!strcmp(method, "Tracing.start")) {
		wstate_trace = SCENARIO_TS_RECORDING;
		wstate_owner.c = c;
		snprintf(wstate_owner.id, sizeof(wstate_owner.id), "%s", sid ? sid : "");
	} else if (!strcmp(method, "Tracing.end")) {
		wstate_trace = SCENARIO_TS_ENDING;
	} else if (!strcmp(method, "Profiler.start")) {
		wstate_add(wstate_profiles, WSTATE_MAX_PROFILING, &wstate_profile_next, c, sid);
	} else if (!strcmp(method, "Profiler.stop") || !strcmp(method, "Profiler.disable")) {
		struct wstate_key *k = wstate_find(wstate_profiles, WSTATE_MAX_PROFILING, c, sid);
		if (k)
			k->c = NULL;
	} else if (!strcmp(method, "IO.close") && arg) {
		struct wstate_key *k = wstate_find(wstate_streams, WSTATE_MAX_STREAMS, c, arg);
		if (k)
			k->c = NULL;
	}
}

void wstate_conn_gone(struct conn *c)
{
	/* Chrome discards the trace when its client goes (CHROMIUM.md 4.7). */
	if (wstate_owner.c == c) {
		wstate_trace = SCENARIO_TS_IDLE;
		memset(&wstate_owner, 0, sizeof(wstate_owner));
	}
	for (size_t i = 0; i < WSTATE_MAX_STREAMS; i++)
		if (wstate_streams[i].c == c)
			wstate_streams[i].c = NULL;
	for (size_t i = 0; i < WSTATE_MAX_PROFILING; i++)
		if (wstate_profiles[i].c == c)
			wstate_profiles[i].c = NULL;
}

enum scenario_tstate wstate_tracing(void)
{
	return wstate_trace;
}

struct session *wstate_tracing_session(void)
{
	if (wstate_trace == SCENARIO_TS_IDLE || !wstate_owner.c)
		return NULL;
	return session_find((struct conn *)wstate_owner.c, wstate_owner.id);
}

int wstate_profiling(const struct conn *c, const char *sid)
{
	return wstate_find(wstate_profiles, WSTATE_MAX_PROFILING, c, sid) != NULL;
}

int wstate_open_streams(const struct conn *c)
{
	for (size_t i = 0; i < WSTATE_MAX_STREAMS; i++)
		if (wstate_streams[i].c == c)
			return 1;
	return 0;
}
