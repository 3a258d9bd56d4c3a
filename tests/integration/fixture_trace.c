/* fixture_trace.c - traces and streams for the Tracing and IO suites (see
 * fixture.h): the dataCollected collector that checks every frame as it
 * reads it, the trace event shape, and IO.read of a stream. */
#include "fixture.h"

#include "b64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fx_event_ok(const json_t *ev)
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
static void fx_chunk(struct fx_conn *p, struct fx_trace *tr, size_t max_bytes, size_t max_events,
		     int keep)
{
	static const char pre[] = "{\"method\":\"Tracing.dataCollected\",\"params\":{\"value\":";
	const char *m = p->msg.data;
	size_t len = p->msg.len;
	struct buf tail;
	buf_init(&tail, 0);
	fx_want(p, "}}", &tail);
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
		if (!fx_event_ok(ev))
			ck_abort_msg("bad event %zu of frame %zu", i, tr->frames);
		int meta = !strcmp(json_string_value(json_object_get(ev, "ph")), "M");
		if (meta) {
			/* All metadata comes first (docs/chrome.md §7.5). */
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

void fx_collect(struct fx_conn *p, struct fx_trace *tr, size_t max_bytes, size_t max_events,
		int keep, void (*other_fn)(const char *frame, void *arg), void *arg)
{
	struct buf done_f, done_t;
	memset(tr, 0, sizeof(*tr));
	buf_init(&tr->complete, 0);
	buf_init(&done_f, 0);
	buf_init(&done_t, 0);
	if (keep)
		tr->all = json_array();
	fx_want(p,
		"{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":false}}",
		&done_f);
	fx_want(p,
		"{\"method\":\"Tracing.tracingComplete\",\"params\":{\"dataLossOccurred\":true}}",
		&done_t);
	for (;;) {
		const char *m = fx_next(p);
		if (!strncmp(m, "{\"method\":\"Tracing.dataCollected\"", 33)) {
			fx_chunk(p, tr, max_bytes, max_events, keep);
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

void fx_trace_clear(struct fx_trace *tr)
{
	json_decref(tr->all);
	tr->all = NULL;
	buf_clear(&tr->complete);
}

/* One IO.read; the decoded data is appended to out (base64 undone), and
 * the reply's flags returned. */
void fx_io_read(struct fx_conn *p, int id, const char *params, struct buf *out, int *b64, int *eof)
{
	fx_cmd(p, id, "IO.read", params);
	const char *m = fx_next(p);
	char pre[64];
	snprintf(pre, sizeof(pre), "{\"id\":%d,\"result\":{\"base64Encoded\":", id);
	ck_assert_msg(!strncmp(m, pre, strlen(pre)), "IO.read reply: %.300s", m);
	json_t *v = json_loads(m, 0, NULL);
	json_t *r = json_object_get(v, "result");
	/* Exactly these keys, in this order. */
	const char *keys[3] = {"base64Encoded", "data", "eof"};
	const char *key;
	json_t *val;
	int k = 0;
	json_object_foreach(r, key, val)
	{
		ck_assert_int_lt(k, 3);
		ck_assert_str_eq(key, keys[k++]);
	}
	*b64 = json_is_true(json_object_get(r, "base64Encoded"));
	*eof = json_is_true(json_object_get(r, "eof"));
	json_t *data = json_object_get(r, "data");
	if (*b64)
		ck_assert_int_eq(
		    tt_b64_decode(json_string_value(data), json_string_length(data), out), 0);
	else
		buf_add(out, json_string_value(data), json_string_length(data));
	json_decref(v);
}

/* Reads handle to eof with default reads; returns the number of reads. */
int fx_read_stream(struct fx_conn *p, int id, const char *handle, struct buf *out, int want_b64)
{
	char params[64];
	int b64, eof, n = 0;
	snprintf(params, sizeof(params), "{\"handle\":\"%s\"}", handle);
	do {
		size_t before = out->len;
		fx_io_read(p, id + n, params, out, &b64, &eof);
		ck_assert_int_eq(b64, want_b64);
		/* eof comes only with an empty read. */
		ck_assert(eof ? out->len == before : out->len > before);
		n++;
	} while (!eof);
	return n;
}

int tt_b64_decode(const char *s, size_t n, struct buf *out)
{
	return b64_decode_buf(out, s, n, B64_STRICT) ? -1 : 0;
}
