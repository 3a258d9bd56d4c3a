/* router.h - from a complete text message to a domain handler and back.
 * It runs the envelope checks (envelope.c), finds the session and the
 * method, validates params against the protocol descriptor, calls the
 * handler, and turns every error into Chrome's error object - that happens
 * here and nowhere else.  Replies and events are built here too, with
 * sessionId as the last key. */
#ifndef CDPM_ROUTER_H
#define CDPM_ROUTER_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

struct conn;
struct session;

/* CDP error codes (CHROMIUM.md 2). */
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

/* A handler returns 0 after call_reply*(), or the value of call_error(). */
typedef int (*method_fn)(struct call *c);

struct method {
	const char *name;      /* "enable" (the domain adds "Profiler.") */
	method_fn fn;
};

struct domain {
	const char *name;      /* "Profiler" */
	unsigned targets;      /* TARGET_* bits where the domain exists */
	const struct method *methods;
	size_t n_methods;
	void (*session_gone)(struct session *s); /* may be NULL */
};

struct envelope;

/* router_on_message() - handles one complete text message from c: the
 * journal, Chrome's envelope checks, then the scenario's rules (script_in),
 * which run the command through router_run() or answer it themselves. */
void router_on_message(struct conn *c, const char *text, size_t len);
/* router_run() - dispatches a checked envelope to its domain handler and
 * sends the reply (or the error). */
void router_run(struct conn *c, struct envelope *e);
/* router_reply_result() - sends {"id":id,"result":result} (NULL: {}) on
 * session s (NULL: no sessionId): a scenario's scripted reply. */
int router_reply_result(struct conn *c, const struct session *s, int id, const json_t *result);
/* router_reply_error() - sends an error reply; with has_id 0 there is no
 * "id" key.  The one place error objects are written.  data may be NULL. */
int router_reply_error(struct conn *c, const struct session *s, int has_id, int id, int code,
		       const char *message, const char *data);
/* router_event_begin() - builds {"method":M,"params":P[,"sessionId":S]} in b
 * (from conn_msg_begin), params given as compact JSON; not sent. */
int router_event_build(struct buf *b, const struct session *s, const char *method,
		       const char *params, size_t len);

/* call_reply() - replies with result (stolen; NULL means {}). */
int call_reply(struct call *c, json_t *result);
/* call_reply_raw() - replies with a result object given as compact JSON. */
int call_reply_raw(struct call *c, const char *json, size_t len);
/* call_reply_buf() - like call_reply_raw for a result built in a buf that
 * started with conn_msg_begin() and already holds `{"id":N,"result":` ...
 * (see call_reply_begin); finishes and sends it; takes the storage. */
int call_reply_begin(struct call *c, struct buf *b);
int call_reply_end(struct call *c, struct buf *b);
/* call_error() - records an error; the router formats it.  data may be NULL.
 * Returns CDPM_EPROTO so a handler can `return call_error(...)`. */
int call_error(struct call *c, int code, const char *message, const char *data);

/* session_event() - sends {"method":...,"params":...,"sessionId":...} on s;
 * params is stolen (NULL means {}). */
int session_event(struct session *s, const char *method, json_t *params);
/* session_event_raw() - the same with params given as compact JSON. */
int session_event_raw(struct session *s, const char *method, const char *params, size_t len);
/* router_dump() - appends v as compact ASCII-only JSON, keys in order. */
int router_dump(struct buf *b, const json_t *v);

/* router_domains() - the domain table (for session_gone hooks). */
const struct domain *const *router_domains(size_t *n);

#endif
