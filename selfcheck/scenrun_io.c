/* scenrun_io.c - the check steps that read a whole stream ("readStream":
 * IO.read until eof, then IO.close) or a whole trace ("collectEvents":
 * Tracing.dataCollected up to tracingComplete) and judge it by its totals
 * (see scenrun_int.h).  Not a trace parser: events are counted, not read. */
#include "scenrun_int.h"

#include <string.h>

#include "cdpclient.h"
#include "cdpm.h"

/* Decoded size of base64 text. */
static size_t sr_b64_len(const char *s, size_t n)
{
	size_t pad = n >= 1 && s[n - 1] == '=' ? (n >= 2 && s[n - 2] == '=' ? 2 : 1) : 0;
	return n / 4 * 3 - pad;
}

struct sr_stream {
	size_t reads, bytes;
	int eof, base64, first_gzip;
	struct buf content; /* for "json": the whole text (capped) */
};

/* One IO.read; 1 at eof, 0 for more, -1 on failure. */
static int sr_read_once(struct sr *r, struct sr_conn *k, const json_t *o, const char *sid,
			json_t *handle, int within, struct sr_stream *st)
{
	json_t *params = json_pack("{s:O}", "handle", handle), *reply = NULL;
	const json_t *size = json_object_get(o, "size");
	if (size)
		json_object_set(params, "size", (json_t *)size);
	int rc = cdpc_call(k->c, "IO.read", params, sid, within, &reply);
	json_decref(params);
	if (!rc)
		sr_called(k, "IO.read", sid);
	if (rc)
		return sr_fail(r, "IO.read #%zu: %s", st->reads + 1, cdpm_strerror(rc));
	st->reads++;
	const json_t *err = json_object_get(o, "error");
	if (err || cdpc_error(reply, NULL, NULL)) {
		struct buf why;
		buf_init(&why, 0);
		int ok = err && sr_match(r, k, err, json_object_get(reply, "error"), ".error", &why);
		size_t rl;
		const char *raw = cdpc_last_raw(k->c, &rl);
		if (!ok)
			sr_fail(r, "IO.read #%zu: %.300s %s", st->reads, raw, why.data ? why.data : "");
		buf_clear(&why);
		json_decref(reply);
		return ok ? 1 : -1;
	}
	const json_t *res = cdpc_result(reply);
	const char *data = json_string_value(json_object_get(res, "data"));
	size_t n = json_string_length(json_object_get(res, "data"));
	st->base64 = json_is_true(json_object_get(res, "base64Encoded"));
	if (!data) {
		json_decref(reply);
		return sr_fail(r, "IO.read #%zu: no data", st->reads);
	}
	if (st->reads == 1 && n >= 4 && st->base64)
		st->first_gzip = !strncmp(data, "H4sI", 4);
	st->bytes += st->base64 ? sr_b64_len(data, n) : n;
	if (!st->base64 && st->content.len + n < ((size_t)64 << 20))
		buf_add(&st->content, data, n);
	st->eof = json_is_true(json_object_get(res, "eof"));
	json_decref(reply);
	return st->eof;
}

static int sr_stream_verdict(struct sr *r, const json_t *o, const struct sr_stream *st)
{
	const json_t *v;
	if ((v = json_object_get(o, "reads")) && st->reads != (size_t)json_integer_value(v))
		return sr_fail(r, "%zu reads, expected %lld", st->reads,
			       (long long)json_integer_value(v));
	if ((v = json_object_get(o, "bytes")) && st->bytes != (size_t)json_integer_value(v))
		return sr_fail(r, "%zu bytes, expected %lld", st->bytes,
			       (long long)json_integer_value(v));
	if ((v = json_object_get(o, "minBytes")) && st->bytes < (size_t)json_integer_value(v))
		return sr_fail(r, "%zu bytes, expected at least %lld", st->bytes,
			       (long long)json_integer_value(v));
	if ((v = json_object_get(o, "maxBytes")) && st->bytes > (size_t)json_integer_value(v))
		return sr_fail(r, "%zu bytes, expected at most %lld", st->bytes,
			       (long long)json_integer_value(v));
	if ((v = json_object_get(o, "base64")) && json_is_true(v) != st->base64)
		return sr_fail(r, "base64Encoded was %d", st->base64);
	if ((v = json_object_get(o, "gzip")) && json_is_true(v) != st->first_gzip)
		return sr_fail(r, "the stream %s gzip", st->first_gzip ? "is" : "is not");
	if (json_is_true(json_object_get(o, "json"))) {
		json_error_t e;
		json_t *doc = json_loadb(st->content.data ? st->content.data : "", st->content.len,
					 0, &e);
		json_decref(doc);
		if (!doc)
			return sr_fail(r, "the stream is not JSON: %s", e.text);
	}
	return 0;
}

int sr_read_stream(struct sr *r, const json_t *step)
{
	struct sr_conn *k = sr_conn(r, step);
	if (!k)
		return sr_fail(r, "no such connection");
	const json_t *o = json_object_get(step, "readStream");
	const char *session = json_string_value(json_object_get(o, "session"));
	const char *sid = k->sid[0] && !(session && !strcmp(session, "root")) ? k->sid : NULL;
	json_t *handle = sr_subst(r, k, json_object_get(o, "handle"));
	const json_t *mr = json_object_get(o, "maxReads");
	size_t max = mr ? (size_t)json_integer_value(mr) : 100000;
	struct sr_stream st;
	memset(&st, 0, sizeof(st));
	buf_init(&st.content, (size_t)64 << 20);
	int rc = 0;
	while (st.reads < max && !(rc = sr_read_once(r, k, o, sid, handle, sr_within(r, step), &st)))
		;
	if (rc >= 0 && json_object_get(o, "maxReads") && st.reads >= max && st.eof)
		rc = sr_fail(r, "eof after %zu reads, expected none", st.reads);
	if (rc >= 0 && !mr && !st.eof && !json_object_get(o, "error"))
		rc = sr_fail(r, "no eof after %zu reads", st.reads);
	if (rc >= 0)
		rc = sr_stream_verdict(r, o, &st);
	if (rc >= 0 && !json_is_false(json_object_get(o, "close"))) {
		json_t *params = json_pack("{s:O}", "handle", handle), *reply = NULL;
		if (cdpc_call(k->c, "IO.close", params, sid, sr_within(r, step), &reply))
			rc = sr_fail(r, "IO.close got no reply");
		else
			sr_called(k, "IO.close", sid);
		json_decref(reply);
		json_decref(params);
	}
	buf_clear(&st.content);
	json_decref(handle);
	return rc < 0 ? -1 : 0;
}

int sr_collect(struct sr *r, const json_t *step)
{
	struct sr_conn *k = sr_conn(r, step);
	if (!k)
		return sr_fail(r, "no such connection");
	const json_t *o = json_object_get(step, "collectEvents");
	size_t events = 0, batches = 0;
	for (;;) {
		struct sr_msg *m;
		int rc = sr_next(k, step, sr_ms() + sr_within(r, step), &m);
		if (rc)
			return sr_fail(r, "collectEvents: %s after %zu batches",
				       rc == CDPM_EAGAIN ? "nothing more in time" : "closed", batches);
		const char *meth = m->j ? json_string_value(json_object_get(m->j, "method")) : NULL;
		const json_t *params = m->j ? json_object_get(m->j, "params") : NULL;
		if (meth && !strcmp(meth, "Tracing.dataCollected")) {
			batches++;
			events += json_array_size(json_object_get(params, "value"));
			sr_msg_free(m);
			continue;
		}
		if (!meth || strcmp(meth, "Tracing.tracingComplete")) {
			rc = sr_fail(r, "collectEvents: unexpected %.300s", m->raw);
			sr_msg_free(m);
			return rc;
		}
		struct buf why;
		buf_init(&why, 0);
		const json_t *c = json_object_get(o, "complete");
		if (c && !sr_match(r, k, c, params, ".params", &why))
			rc = sr_fail(r, "tracingComplete %.300s (%s)", m->raw, why.data);
		buf_clear(&why);
		sr_msg_free(m);
		if (rc)
			return rc;
		break;
	}
	static const char *const keys[] = {"minEvents", "maxEvents", "minBatches", "maxBatches"};
	size_t got[] = {events, events, batches, batches};
	for (int i = 0; i < 4; i++) {
		const json_t *v = json_object_get(o, keys[i]);
		if (v && (i % 2 == 0 ? got[i] < (size_t)json_integer_value(v)
				     : got[i] > (size_t)json_integer_value(v)))
			return sr_fail(r, "%zu events in %zu batches; %s is %lld", events, batches,
				       keys[i], (long long)json_integer_value(v));
	}
	return 0;
}

