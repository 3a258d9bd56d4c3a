/* test_tracing_util.c - helpers for the Tracing and IO suites (see
 * test_tracing_util.h).  It defines no suite. */
#include "test_tracing_util.h"
#include "b64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int tt_slow(void)
{
	return getenv("CDPM_SLOW") != NULL;
}

long long tt_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long tt_rss_kb(int pid)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

void tt_start(struct harness_server *srv, const char *knobs, const char *const *extra)
{
	if (knobs)
		setenv("CDPM_KNOBS", knobs, 1);
	itest_start(srv, extra);
	unsetenv("CDPM_KNOBS");
}

void tt_browser(struct ptest *p, const struct harness_server *srv)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->msg, 0);
	p->fd = ptest_browser(srv);
	p->own_fd = 1;
}

void tt_send(struct ptest *p, int id, const char *method, const char *params)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "{\"id\":%d,\"method\":\"%s\"%s%s}", id, method,
		   params ? ",\"params\":" : "", params ? params : "");
	ptest_send(p, b.data);
	buf_clear(&b);
}

void tt_call(struct ptest *p, int id, const char *method, const char *params, const char *want)
{
	struct buf w;
	buf_init(&w, 0);
	const char *d = strstr(want, "%d");
	if (d) {
		buf_add(&w, want, (size_t)(d - want));
		buf_printf(&w, "%d%s", id, d + 2);
	} else {
		buf_adds(&w, want);
	}
	tt_send(p, id, method, params);
	ptest_expect(p, w.data);
	buf_clear(&w);
}

void tt_ok(struct ptest *p, int id, const char *method, const char *params)
{
	tt_call(p, id, method, params, "{\"id\":%d,\"result\":{}}");
}

void tt_err(struct ptest *p, int id, const char *method, const char *params, int code,
	    const char *message)
{
	struct buf w;
	buf_init(&w, 0);
	buf_printf(&w, "{\"id\":%d,\"error\":{\"code\":%d,\"message\":\"%s\"}}", id, code, message);
	tt_send(p, id, method, params);
	ptest_expect(p, w.data);
	buf_clear(&w);
}

int tt_event_ok(const json_t *ev)
{
	const char *key, *prev = NULL;
	json_t *v;
	if (!json_is_object(ev))
		return 0;
	json_object_foreach((json_t *)ev, key, v)
	{
		if (prev && strcmp(prev, key) >= 0)
			return 0;
		prev = key;
	}
	const json_t *ph = json_object_get(ev, "ph");
	return json_is_object(json_object_get(ev, "args")) &&
	       json_is_string(json_object_get(ev, "cat")) &&
	       json_is_string(json_object_get(ev, "name")) && json_is_string(ph) &&
	       json_string_length(ph) == 1 && json_is_integer(json_object_get(ev, "pid")) &&
	       json_is_integer(json_object_get(ev, "tid")) &&
	       json_is_integer(json_object_get(ev, "ts"));
}

/* Checks one dataCollected frame and adds its events to tr. */
static void tt_chunk(struct ptest *p, struct tt_trace *tr, size_t max_bytes, size_t max_events,
		     int keep)
{
	static const char pre[] = "{\"method\":\"Tracing.dataCollected\",\"params\":{\"value\":";
	const char *m = p->msg.data;
	size_t len = p->msg.len;
	struct buf tail;
	buf_init(&tail, 0);
	ptest_want(p, "}}", &tail);
	ck_assert_msg(len > sizeof(pre) + tail.len &&
			  !memcmp(m + len - tail.len, tail.data, tail.len),
		      "bad dataCollected tail: %.200s", m + (len > 200 ? len - 200 : 0));
	/* No ck_assert in per-byte or per-event loops: Check records every
	 * assertion it passes, which would cost more than the trace. */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)m[i] >= 0x80)
			ck_abort_msg("non-ASCII byte in dataCollected");
	const char *arr = m + sizeof(pre) - 1;
	size_t alen = len - tail.len - (sizeof(pre) - 1); /* "[...]" */
	buf_clear(&tail);
	json_error_t err;
	json_t *value = json_loadb(arr, alen, 0, &err);
	ck_assert_msg(json_is_array(value), "dataCollected value: %s", err.text);
	size_t n = json_array_size(value);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_le(n, max_events);
	if (n > 1)
		ck_assert_uint_le(alen - 2, max_bytes);
	if (alen - 2 > tr->max_bytes)
		tr->max_bytes = alen - 2;
	if (n > tr->max_events)
		tr->max_events = n;
	for (size_t i = 0; i < n; i++) {
		json_t *ev = json_array_get(value, i);
		if (!tt_event_ok(ev))
			ck_abort_msg("bad event %zu of frame %zu", i, tr->frames);
		int meta = !strcmp(json_string_value(json_object_get(ev, "ph")), "M");
		if (meta) {
			/* All metadata comes first (CHROMIUM.md 4.3). */
			if (tr->head != tr->events)
				ck_abort_msg("metadata event %zu after other events", tr->events);
			tr->head++;
		}
		tr->events++;
		if (keep)
			json_array_append(tr->all, ev);
	}
	tr->frames++;
	json_decref(value);
}

void tt_collect(struct ptest *p, struct tt_trace *tr, size_t max_bytes, size_t max_events, int keep,
		void (*other_fn)(const char *frame, void *arg), void *arg)
{
	struct buf done_f, done_t;
	memset(tr, 0, sizeof(*tr));
	buf_init(&tr->complete, 0);
	buf_init(&done_f, 0);
	buf_init(&done_t, 0);
	if (keep)
		tr->all = json_array();
	ptest_want(
	    p, "{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":false}}",
	    &done_f);
	ptest_want(
	    p, "{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":true}}",
	    &done_t);
	for (;;) {
		const char *m = ptest_next(p);
		if (!strncmp(m, "{\"method\":\"Tracing.dataCollected\"", 33)) {
			tt_chunk(p, tr, max_bytes, max_events, keep);
			continue;
		}
		if (!strncmp(m, "{\"method\":\"Tracing.tracingComplete\"", 35)) {
			buf_adds(&tr->complete, m);
			ck_assert_msg(!strcmp(m, done_f.data) || !strcmp(m, done_t.data),
				      "tracingComplete: %s", m);
			tr->data_loss = !strcmp(m, done_t.data);
			break;
		}
		tr->others++;
		if (other_fn)
			other_fn(m, arg);
		else
			ck_abort_msg("unexpected frame during the trace: %.300s", m);
	}
	buf_clear(&done_f);
	buf_clear(&done_t);
}

void tt_trace_clear(struct tt_trace *tr)
{
	json_decref(tr->all);
	tr->all = NULL;
	buf_clear(&tr->complete);
}

int tt_b64_decode(const char *s, size_t n, struct buf *out)
{
	return b64_decode_buf(out, s, n, B64_STRICT) ? -1 : 0;
}
