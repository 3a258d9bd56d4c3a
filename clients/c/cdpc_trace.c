/* cdpc_trace.c - the receiving end of a trace (see cdpc_trace.h): events
 * from Tracing.dataCollected, or an IO stream named by
 * Tracing.tracingComplete.  Events are re-serialised by jansson, so the file
 * holds the same events as the wire, not the same bytes. */
#include "cdpc_trace.h"
#include "cdpc_stream.h"
#include "cdpm.h"

#include <string.h>

/* Whether msg belongs to session_id (NULL: the browser connection itself,
 * i.e. messages without a sessionId). */
static int same_session(json_t *msg, const char *session_id)
{
	const char *s = json_string_value(json_object_get(msg, "sessionId"));
	if (!session_id)
		return s == NULL;
	return s && !strcmp(s, session_id);
}

/* Appends the events of one dataCollected params object to the array. */
static int write_events(FILE *out, json_t *params, size_t *count, struct buf *err)
{
	json_t *value = json_object_get(params, "value"), *ev;
	size_t i;

	if (!json_is_array(value)) {
		if (err)
			buf_adds(err, "Tracing.dataCollected without a value array");
		return CDPM_EPROTO;
	}
	json_array_foreach(value, i, ev) {
		/* Chrome escapes non-ASCII in trace JSON; so do we. */
		if (fputs(*count ? ",\n" : "[\n", out) == EOF ||
		    json_dumpf(ev, out, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY)) {
			if (err)
				buf_adds(err, "writing the trace failed");
			return CDPM_EIO;
		}
		(*count)++;
	}
	return 0;
}

/* Waits for this session's tracingComplete, writing events on the way.
 * On success *done is the complete message (a new reference). */
static int read_events(struct cdpc *c, const char *session_id, unsigned long long after,
		       int timeout_ms, FILE *out, size_t *count, json_t **done, cdpc_msg_fn other,
		       void *arg, struct buf *err)
{
	for (;;) {
		json_t *msg = NULL;
		int rc = cdpc_next(c, timeout_ms, &msg);
		if (rc) {
			if (err)
				buf_printf(err, "waiting for Tracing.tracingComplete: %s",
					   rc == CDPM_EPROTO ? "a message is not JSON"
							     : cdpm_strerror(rc));
			return rc;
		}
		const char *method = json_string_value(json_object_get(msg, "method"));
		if (method && same_session(msg, session_id)) {
			/* One that came before Tracing.end was sent is not
			 * this trace's: a stray, or an earlier trace's. */
			if (!strcmp(method, "Tracing.tracingComplete") && cdpc_last_seq(c) > after) {
				*done = msg;
				return 0;
			}
			if (!strcmp(method, "Tracing.dataCollected")) {
				rc = write_events(out, json_object_get(msg, "params"), count, err);
				json_decref(msg);
				if (rc)
					return rc;
				continue;
			}
		}
		if (other)
			other(arg, msg);
		json_decref(msg);
	}
}

int cdpc_trace_collect(struct cdpc *c, const char *session_id, unsigned long long after,
		       int timeout_ms, FILE *out, json_t **complete, cdpc_msg_fn other, void *arg,
		       struct buf *err)
{
	json_auto_t *done = NULL;
	size_t count = 0;
	int rc;

	if (complete)
		*complete = NULL;
	rc = read_events(c, session_id, after, timeout_ms, out, &count, &done, other, arg, err);
	if (rc)
		return rc;
	json_t *params = json_object_get(done, "params");
	const char *stream = json_string_value(json_object_get(params, "stream"));
	if (other)
		other(arg, done);
	if (stream && count) {
		if (err)
			buf_adds(err, "Tracing.tracingComplete names a stream after dataCollected");
		return CDPM_EPROTO;
	}
	if (stream) {
		rc = cdpc_stream_read(c, stream, session_id, timeout_ms, out, NULL, err);
	} else if (fputs(count ? "\n]\n" : "[]\n", out) == EOF || fflush(out)) {
		if (err)
			buf_adds(err, "writing the trace failed");
		rc = CDPM_EIO;
	}
	if (!rc && complete && params)
		*complete = json_incref(params);
	return rc;
}
