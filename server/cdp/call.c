/* call.c - the one module that writes what goes back to a client: replies,
 * error objects and events, with sessionId as the last key (see call.h).
 * Which handler runs is router.c's business. */
#include "cdp/call.h"

#include <string.h>

#include "cdpm.h"
#include "jsonw.h"
#include "cdp/targets.h"
#include "net/conn.h"

/* crdtp writes compact JSON, escapes every non-ASCII character and writes
 * a double in its shortest form: 29373698426, not jansson's
 * 29373698426.0 (a scenario's numbers past int32 are doubles, as Chrome
 * parses them). */
int call_dump(struct buf *b, const json_t *v)
{
	return jsonw_dump(b, v) ? CDPM_ENOMEM : 0;
}

int call_close_msg(struct buf *b, const struct session *s)
{
	if (s && s->id[0]) {
		buf_adds(b, ",\"sessionId\":\"");
		buf_adds(b, s->id);
		buf_addc(b, '"');
	}
	return buf_addc(b, '}');
}

/* A reply to command id on s went out: it no longer runs there (the
 * duplicate-id check, router.c). */
static void call_answered(struct conn *c, const struct session *s, int id)
{
	struct session *live = session_find(c, s->id);
	if (live)
		session_inflight_done(live, id);
}

/* The one place a CDP error object is written. */
int call_send_error_n(struct conn *c, const struct session *s, const char *method, int has_id,
		      int id, int code, const char *message, size_t mlen, const char *data)
{
	struct buf b;
	int rc = conn_msg_begin(&b);
	if (rc)
		return rc;
	buf_addc(&b, '{');
	if (has_id) {
		buf_adds(&b, "\"id\":");
		buf_add_i64(&b, id);
		buf_addc(&b, ',');
	}
	buf_adds(&b, "\"error\":{\"code\":");
	buf_add_i64(&b, code);
	buf_adds(&b, ",\"message\":");
	buf_add_json_str(&b, message, mlen, 1);
	if (data) {
		buf_adds(&b, ",\"data\":");
		buf_add_json_str(&b, data, strlen(data), 1);
	}
	buf_addc(&b, '}');
	rc = call_close_msg(&b, s);
	if (s && has_id)
		call_answered(c, s, id);
	if (!rc)
		return conn_send(c, &b, s ? s->id : NULL, method);
	buf_clear(&b);
	return rc;
}

int call_send_error(struct conn *c, const struct session *s, const char *method, int has_id,
		    int id, int code, const char *message, const char *data)
{
	return call_send_error_n(c, s, method, has_id, id, code, message, strlen(message), data);
}

int call_error(struct call *c, int code, const char *message, const char *data)
{
	c->err_code = code;
	c->err_message = message;
	buf_reset(&c->err_data);
	if (data)
		buf_adds(&c->err_data, data);
	return CDPM_EPROTO;
}

int call_reply_begin(struct call *c, struct buf *b)
{
	int rc = conn_msg_begin(b);
	if (rc)
		return rc;
	buf_adds(b, "{\"id\":");
	buf_add_i64(b, c->id);
	return buf_adds(b, ",\"result\":");
}

int call_reply_end(struct call *c, struct buf *b)
{
	/* The builder's status: any append that failed since begin sticks. */
	call_close_msg(b, c->session);
	int rc = buf_finish(b);
	if (rc) {
		buf_clear(b);
		return rc;
	}
	c->replied = 1;
	call_answered(c->conn, c->session, c->id);
	return conn_send(c->conn, b, c->session->id, c->method);
}

int call_reply_raw(struct call *c, const char *json, size_t len)
{
	struct buf b;
	int rc = call_reply_begin(c, &b);
	if (!rc)
		rc = buf_add(&b, json, len);
	if (rc) {
		buf_clear(&b);
		return rc;
	}
	return call_reply_end(c, &b);
}

int call_reply(struct call *c, json_t *result)
{
	struct buf b;
	int rc = call_reply_begin(c, &b);
	if (!rc)
		rc = result ? call_dump(&b, result) : buf_adds(&b, "{}");
	json_decref(result);
	if (rc) {
		buf_clear(&b);
		return rc;
	}
	return call_reply_end(c, &b);
}

int call_send_result(struct conn *c, const struct session *s, const char *method, int id,
		     const json_t *result)
{
	struct buf b;
	int rc = conn_msg_begin(&b);
	if (rc)
		return rc;
	buf_adds(&b, "{\"id\":");
	buf_add_i64(&b, id);
	buf_adds(&b, ",\"result\":");
	rc = result ? call_dump(&b, result) : buf_adds(&b, "{}");
	if (!rc)
		rc = call_close_msg(&b, s);
	if (s)
		call_answered(c, s, id);
	if (rc) {
		buf_clear(&b);
		return rc;
	}
	return conn_send(c, &b, s ? s->id : NULL, method);
}

int call_event_build(struct buf *b, const struct session *s, const char *method,
		       const char *params, size_t len)
{
	int rc = conn_msg_begin(b);
	if (rc)
		return rc;
	buf_adds(b, "{\"method\":");
	buf_add_json_str(b, method, strlen(method), 1);
	buf_adds(b, ",\"params\":");
	rc = buf_add(b, params, len);
	if (!rc)
		rc = call_close_msg(b, s);
	if (rc)
		buf_clear(b);
	return rc;
}

int call_event_raw(struct session *s, const char *method, const char *params, size_t len)
{
	struct buf b;
	int rc = call_event_build(&b, s, method, params, len);
	if (rc)
		return rc;
	return conn_send(s->conn, &b, s->id, method);
}

int call_event(struct session *s, const char *method, json_t *params)
{
	struct buf b;
	buf_init(&b, 0);
	int rc = params ? call_dump(&b, params) : buf_adds(&b, "{}");
	json_decref(params);
	if (!rc)
		rc = call_event_raw(s, method, b.data, b.len);
	buf_clear(&b);
	return rc;
}

