/* call.h - one incoming command while its handler runs, and the one module
 * that writes replies, error objects and events.  Every message cdpmock
 * sends on its own account is built here, with sessionId as the last key,
 * and goes out through conn_send(), which names its method for the journal.
 * Turning an error into Chrome's error object happens here and nowhere
 * else. */
#ifndef CDPM_CALL_H
#define CDPM_CALL_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

struct conn;
struct session;

/* CDP error codes (docs/chrome.md: the envelope). */
enum {
	CDP_PARSE_ERROR = -32700,
	CDP_INVALID_REQUEST = -32600,
	CDP_METHOD_NOT_FOUND = -32601,
	CDP_INVALID_PARAMS = -32602,
	CDP_SERVER_ERROR = -32000,
	CDP_SESSION_NOT_FOUND = -32001,
};

/* One incoming command while its handler runs. */
struct call {
	struct conn *conn;
	struct session *session;
	int id;
	const char *method;
	const json_t *params;  /* never NULL: {} when absent */
	/* the outcome, set through call_reply*() / call_error() */
	int replied;
	int err_code;
	const char *err_message;
	struct buf err_data;
	int deferred;          /* the handler keeps the call and replies later */
};

/* call_reply() - replies with result (stolen; NULL means {}). */
int call_reply(struct call *c, json_t *result);
/* call_reply_raw() - replies with a result object given as compact JSON. */
int call_reply_raw(struct call *c, const char *json, size_t len);
/* call_reply_begin() / call_reply_end() - a result built in place: begin
 * starts b (conn_msg_begin) with `{"id":N,"result":`; the caller appends
 * the result object; end closes the message and sends it, taking b's
 * storage (also on failure).  end takes the builder's status: if any
 * append since begin failed (buf_finish), nothing is sent and the first
 * error is returned. */
int call_reply_begin(struct call *c, struct buf *b);
int call_reply_end(struct call *c, struct buf *b);
/* call_error() - records an error; the router formats it.  data may be NULL.
 * Returns CDPM_EPROTO so a handler can `return call_error(...)`. */
int call_error(struct call *c, int code, const char *message, const char *data);

/* call_send_error() - sends an error reply on session s (NULL: no
 * sessionId); with has_id 0 there is no "id" key.  method is the command's
 * (NULL when unknown), for the journal.  data may be NULL. */
int call_send_error(struct conn *c, const struct session *s, const char *method, int has_id,
		    int id, int code, const char *message, const char *data);
/* call_send_error_n() - the same with a message of mlen bytes, which may
 * hold a NUL (a method name quoted in "'...' wasn't found"). */
int call_send_error_n(struct conn *c, const struct session *s, const char *method, int has_id,
		      int id, int code, const char *message, size_t mlen, const char *data);
/* call_send_result() - sends {"id":id,"result":result} (NULL: {}) on
 * session s (NULL: no sessionId): a scenario's scripted reply. */
int call_send_result(struct conn *c, const struct session *s, const char *method, int id,
		     const json_t *result);
/* call_event_build() - builds {"method":M,"params":P[,"sessionId":S]} in b
 * (it calls conn_msg_begin), params given as compact JSON; not sent. */
int call_event_build(struct buf *b, const struct session *s, const char *method,
		     const char *params, size_t len);
/* call_event() - sends {"method":...,"params":...,"sessionId":...} on s;
 * params is stolen (NULL means {}). */
int call_event(struct session *s, const char *method, json_t *params);
/* call_event_raw() - the same with params given as compact JSON. */
int call_event_raw(struct session *s, const char *method, const char *params, size_t len);
/* call_close_msg() - appends `,"sessionId":"S"` when s is a child session,
 * then the closing `}`. */
int call_close_msg(struct buf *b, const struct session *s);
/* call_dump() - appends v as compact ASCII-only JSON, keys in order (crdtp
 * writes compact JSON and escapes every non-ASCII character). */
int call_dump(struct buf *b, const json_t *v);

#endif
