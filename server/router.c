/* router.c - message dispatch, reply/event building and the single place
 * where errors become CDP error objects (see router.h). */
#include "router.h"

#include <string.h>

#include "cdpm.h"
#include "conn.h"
#include "envelope.h"
#include "journal.h"
#include "protocol.h"
#include "targets.h"

extern const struct domain browser_domain;
extern const struct domain target_domain;

static const struct domain *const router_table[] = {
	&browser_domain,
	&target_domain,
};

const struct domain *const *router_domains(size_t *n)
{
	*n = CDPM_ARRAY_LEN(router_table);
	return router_table;
}

static int router_dump_cb(const char *p, size_t n, void *ud)
{
	return buf_add(ud, p, n) ? -1 : 0;
}

int router_dump(struct buf *b, const json_t *v)
{
	/* crdtp writes compact JSON and escapes every non-ASCII character. */
	if (json_dump_callback(v, router_dump_cb, b,
			       JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY))
		return CDPM_ENOMEM;
	return 0;
}

/* Appends `,"sessionId":"S"` when s is a child session, then `}`. */
static int router_close_msg(struct buf *b, const struct session *s)
{
	if (s && s->id[0]) {
		buf_adds(b, ",\"sessionId\":\"");
		buf_adds(b, s->id);
		buf_addc(b, '"');
	}
	return buf_addc(b, '}');
}

/* The one place a CDP error object is written. */
static int router_send_error(struct conn *c, const struct session *s, int has_id, int id,
			     int code, const char *message, const char *data)
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
	buf_add_json_str(&b, message, strlen(message), 1);
	if (data) {
		buf_adds(&b, ",\"data\":");
		buf_add_json_str(&b, data, strlen(data), 1);
	}
	buf_addc(&b, '}');
	rc = router_close_msg(&b, s);
	if (!rc)
		return conn_send(c, &b, s ? s->id : NULL);
	buf_clear(&b);
	return rc;
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
	int rc = router_close_msg(b, c->session);
	if (rc) {
		buf_clear(b);
		return rc;
	}
	c->replied = 1;
	return conn_send(c->conn, b, c->session->id);
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
		rc = result ? router_dump(&b, result) : buf_adds(&b, "{}");
	json_decref(result);
	if (rc) {
		buf_clear(&b);
		return rc;
	}
	return call_reply_end(c, &b);
}

int session_event_raw(struct session *s, const char *method, const char *params, size_t len)
{
	struct buf b;
	int rc = conn_msg_begin(&b);
	if (rc)
		return rc;
	buf_adds(&b, "{\"method\":\"");
	buf_adds(&b, method);
	buf_adds(&b, "\",\"params\":");
	rc = buf_add(&b, params, len);
	if (!rc)
		rc = router_close_msg(&b, s);
	if (rc) {
		buf_clear(&b);
		return rc;
	}
	return conn_send(s->conn, &b, s->id);
}

int session_event(struct session *s, const char *method, json_t *params)
{
	struct buf b;
	buf_init(&b, 0);
	int rc = params ? router_dump(&b, params) : buf_adds(&b, "{}");
	json_decref(params);
	if (!rc)
		rc = session_event_raw(s, method, b.data, b.len);
	buf_clear(&b);
	return rc;
}

/* Finds the handler for "Domain.method" on a target of the given type. */
static method_fn router_find(const char *name, enum target_type type)
{
	const char *dot = strrchr(name, '.');
	if (!dot || dot == name || !dot[1])
		return NULL;
	size_t dl = (size_t)(dot - name);
	for (size_t i = 0; i < CDPM_ARRAY_LEN(router_table); i++) {
		const struct domain *d = router_table[i];
		if (strlen(d->name) != dl || memcmp(d->name, name, dl) || !(d->targets & type))
			continue;
		for (size_t j = 0; j < d->n_methods; j++)
			if (!strcmp(d->methods[j].name, dot + 1))
				return d->methods[j].fn;
	}
	return NULL;
}

static void router_dispatch(struct conn *c, struct envelope *e)
{
	struct call call;
	struct buf notfound;
	memset(&call, 0, sizeof(call));
	buf_init(&call.err_data, 65536);
	buf_init(&notfound, 0);
	json_t *empty = NULL;

	struct session *s = session_find(c, e->session_id);
	if (!s) {
		router_send_error(c, NULL, 1, e->id, CDP_SESSION_NOT_FOUND,
				  "Session with given id not found.", NULL);
		goto out;
	}
	method_fn fn = router_find(e->method, s->target->type);
	if (!fn) {
		buf_printf(&notfound, "'%s' wasn't found", e->method);
		router_send_error(c, s, 1, e->id, CDP_METHOD_NOT_FOUND, notfound.data, NULL);
		goto out;
	}
	/* Absent params (also null and []) are validated as absent: crdtp then
	 * fails only commands with a mandatory field ("map start expected"). */
	const struct protocol_method *pm = protocol_find(e->method);
	if (pm && protocol_validate(pm, e->params, &call.err_data)) {
		router_send_error(c, s, 1, e->id, CDP_INVALID_PARAMS, "Invalid parameters",
				  call.err_data.data);
		goto out;
	}
	if (!e->params)
		e->params = empty = json_object();
	call.conn = c;
	call.session = s;
	call.id = e->id;
	call.method = e->method;
	call.params = e->params;
	int rc = fn(&call);
	if (call.deferred || call.replied)
		goto out;
	if (rc == CDPM_EPROTO && call.err_message)
		router_send_error(c, call.session, 1, e->id, call.err_code, call.err_message,
				  call.err_data.len ? call.err_data.data : NULL);
	else if (rc)
		router_send_error(c, call.session, 1, e->id, CDP_SERVER_ERROR, cdpm_strerror(rc),
				  NULL);
	else
		call_reply(&call, NULL);
out:
	json_decref(empty);
	buf_clear(&call.err_data);
	buf_clear(&notfound);
}

void router_on_message(struct conn *c, const char *text, size_t len)
{
	struct envelope e;
	int rc = envelope_parse(&e, text, len);
	journal_in(c, text, len, e.root != NULL, e.session_id);
	if (rc == CDPM_EPROTO)
		router_send_error(c, NULL, e.has_id, e.id, e.err_code, e.err_message.data, NULL);
	else if (rc == 0)
		router_dispatch(c, &e);
	envelope_clear(&e);
}
