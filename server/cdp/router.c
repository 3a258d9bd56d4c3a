/* router.c - from a message to its domain handler (see router.h); replies
 * and errors are written by call.c. */
#include "cdp/router.h"

#include <string.h>

#include "cdpm.h"
#include "net/conn.h"
#include "cdp/envelope.h"
#include "journal.h"
#include "cdp/protocol.h"
#include "cdp/targets.h"

static const struct domain *const *router_table;
static size_t router_n;

/* With no hook installed, every checked command runs at once. */
static void router_run_now(struct conn *c, struct envelope *e, const char *text, size_t len)
{
	(void)text;
	(void)len;
	router_run(c, e);
}

static router_dispatch_fn router_dispatch = router_run_now;

void router_init(const struct domain *const *domains, size_t n, router_dispatch_fn dispatch)
{
	router_table = domains;
	router_n = n;
	router_dispatch = dispatch ? dispatch : router_run_now;
}

const struct domain *const *router_domains(size_t *n)
{
	*n = router_n;
	return router_table;
}

/* Finds the handler for "Domain.method" on a target of the given type. */
static method_fn router_find(const char *name, enum target_type type)
{
	const char *dot = strrchr(name, '.');
	if (!dot || dot == name || !dot[1])
		return NULL;
	size_t dl = (size_t)(dot - name);
	for (size_t i = 0; i < router_n; i++) {
		const struct domain *d = router_table[i];
		if (strlen(d->name) != dl || memcmp(d->name, name, dl) || !(d->targets & type))
			continue;
		for (size_t j = 0; j < d->n_methods; j++)
			if (!strcmp(d->methods[j].name, dot + 1))
				return d->methods[j].fn;
	}
	return NULL;
}

void router_run(struct conn *c, struct envelope *e)
{
	struct call call;
	struct buf notfound;
	memset(&call, 0, sizeof(call));
	buf_init(&call.err_data, 65536);
	buf_init(&notfound, 0);
	json_t *empty = NULL;

	struct session *s = session_find(c, e->session_id);
	if (!s) {
		call_send_error(c, NULL, e->method, 1, e->id, CDP_SESSION_NOT_FOUND,
				"Session with given id not found.", NULL);
		goto out;
	}
	/* A NUL inside the name finds nothing, and is quoted whole:
	 * "'Browser.getVersion\u0000junk' wasn't found". */
	method_fn fn = strlen(e->method) == e->method_len ? router_find(e->method, s->target->type)
							  : NULL;
	if (!fn) {
		buf_addc(&notfound, '\'');
		buf_add(&notfound, e->method, e->method_len);
		buf_adds(&notfound, "' wasn't found");
		call_send_error_n(c, s, e->method, 1, e->id, CDP_METHOD_NOT_FOUND, notfound.data,
				  notfound.len, NULL);
		goto out;
	}
	/* Absent params (also null and []) are validated as absent: crdtp then
	 * fails only commands with a mandatory field ("map start expected"). */
	const struct protocol_method *pm = protocol_find(e->method);
	if (pm && protocol_validate(pm, e->params, &call.err_data)) {
		call_send_error(c, s, e->method, 1, e->id, CDP_INVALID_PARAMS, "Invalid parameters",
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
		call_send_error(c, call.session, e->method, 1, e->id, call.err_code,
				call.err_message, call.err_data.len ? call.err_data.data : NULL);
	else if (rc)
		call_send_error(c, call.session, e->method, 1, e->id, CDP_SERVER_ERROR,
				cdpm_strerror(rc), NULL);
	else
		call_reply(&call, NULL);
out:
	json_decref(empty);
	buf_clear(&call.err_data);
	buf_clear(&notfound);
}

/* A page answers its commands from the renderer, and a second command with
 * the id of one still running there is refused at once (Chrome's
 * DevToolsSession): the error comes before the first one's reply.  The
 * browser and its tabs answer in the browser process and run both.  In
 * cdpmock a page command is still running while a scenario rule delays it
 * or holds it unanswered (its reply, once built, ends it: call.c).
 * Returns 1 when it answered the duplicate. */
static int router_duplicate(struct conn *c, const struct envelope *e)
{
	struct session *s = session_find(c, e->session_id);
	if (!s || s->target->type != TARGET_PAGE || !session_inflight_add(s, e->id))
		return 0;
	call_send_error(c, s, e->method, 1, e->id, CDP_INVALID_REQUEST,
			"Duplicate `id` in protocol request", NULL);
	/* That reply cleared the id; the first command is still running. */
	session_inflight_add(s, e->id);
	return 1;
}

void router_on_message(struct conn *c, const char *text, size_t len)
{
	struct envelope e;
	int rc = envelope_parse(&e, text, len);
	c->rx_messages++;
	journal_in(conn_id(c), text, len, e.root != NULL, e.session_id, rc ? NULL : e.method);
	if (rc == CDPM_EPROTO)
		call_send_error(c, NULL, NULL, e.has_id, e.id, e.err_code, e.err_message.data,
				NULL);
	else if (rc == 0 && router_duplicate(c, &e))
		;
	else if (rc == 0)
		router_dispatch(c, &e, text, len);
	envelope_clear(&e);
}
