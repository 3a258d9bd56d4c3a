/* emit.c - scenario-made messages and connection effects (see emit.h). */
#include "script/emit.h"

#include <string.h>

#include "cdpm.h"
#include "net/conn.h"
#include "journal.h"
#include "script/mutate.h"
#include "cdp/router.h"
#include "scenario/scenario.h"
#include "script/line.h"
#include "cdp/targets.h"
#include "domains/tracing/tracing.h"

static int emit_target_matches(const struct scenario_dest *d, const struct target *t)
{
	switch (d->target) {
	case SCENARIO_WHO_BROWSER:
		return t->type == TARGET_BROWSER;
	case SCENARIO_WHO_PAGE:
		return t->type == TARGET_PAGE;
	case SCENARIO_WHO_ID:
		return d->id && !strcmp(t->id, d->id);
	default:
		return 1;
	}
}

static int emit_each(struct conn *only, int roots, const struct scenario_dest *d,
		     void (*fn)(struct session *, void *), void *arg)
{
	int n = 0;
	for (struct conn *k = conn_list(); k; k = k->next) {
		if (k->gone || k->close_after_flush || (only && k != only))
			continue;
		for (struct session *s = k->sessions, *next; s; s = next) {
			next = s->next;
			if (roots && s != k->sessions)
				continue;
			if (d && d->to == SCENARIO_TO_TARGET && !emit_target_matches(d, s->target))
				continue;
			if (d && d->to == SCENARIO_TO_SESSION &&
			    (!d->id || !s->id[0] || strcmp(s->id, d->id)))
				continue;
			fn(s, arg);
			n++;
		}
	}
	return n;
}

int emit_sessions(const struct scenario_dest *dest, struct conn *c, const char *sid,
		  void (*fn)(struct session *s, void *arg), void *arg)
{
	struct session *s;
	switch (dest->to) {
	case SCENARIO_TO_TRACING:
		if ((s = tracing_owner())) {
			fn(s, arg);
			return 1;
		}
		/* No trace: the trigger gets it. */
		/* fall through */
	case SCENARIO_TO_TRIGGER:
		if (!c)
			return emit_each(NULL, 1, NULL, fn, arg);
		if ((s = session_find(c, sid)) && !c->gone) {
			fn(s, arg);
			return 1;
		}
		return 0;
	case SCENARIO_TO_ROOT:
		return c ? emit_each(c, 1, NULL, fn, arg) : emit_each(NULL, 1, NULL, fn, arg);
	case SCENARIO_TO_ALL:
	case SCENARIO_TO_TARGET:
	case SCENARIO_TO_SESSION:
		return emit_each(NULL, dest->to == SCENARIO_TO_ALL, dest, fn, arg);
	}
	return 0;
}

struct emit_ctx {
	const struct scenario_emit *em;
	const char *method;  /* emit_event() */
	const char *params;
	size_t len;
	struct conn *done[64]; /* connections that got a message/text emit */
	size_t n_done;
	int sent;
};

/* Builds the message for session s into b. */
static int emit_build(struct emit_ctx *x, struct session *s, struct buf *b)
{
	const struct scenario_emit *em = x->em;
	if (x->method)
		return call_event_build(b, s, x->method, x->params, x->len);
	if (em->method) {
		struct buf p;
		buf_init(&p, 0);
		if (em->params)
			mutate_dump(&p, em->params);
		else
			buf_adds(&p, "{}");
		int rc = buf_finish(&p);
		if (!rc)
			rc = call_event_build(b, s, em->method, p.data, p.len);
		buf_clear(&p);
		return rc;
	}
	conn_msg_begin(b);
	if (em->message)
		mutate_dump(b, em->message);
	else
		buf_add(b, em->text, em->text_len);
	int rc = buf_finish(b);
	if (rc)
		buf_clear(b);
	return rc;
}

static void emit_one(struct session *s, void *arg)
{
	struct emit_ctx *x = arg;
	const struct scenario_emit *em = x->em;
	struct conn *c = s->conn;
	struct conn_lazy *lazy = NULL;
	struct buf b;
	if (em && !em->method && !x->method) {
		/* A whole message or raw text goes once per connection. */
		for (size_t i = 0; i < x->n_done; i++)
			if (x->done[i] == c)
				return;
		if (x->n_done < CDPM_ARRAY_LEN(x->done))
			x->done[x->n_done++] = c;
	}
	if (emit_build(x, s, &b))
		return;
	if (em && em->n_mutations && mutate_message(&b, NULL, NULL, em->mutations,
						    em->n_mutations, &lazy)) {
		journal_note(conn_id(c), "scenario: a mutation did not apply; sent unchanged");
	}
	struct conn_wire w = {.binary = em && em->binary};
	if (line_send(c, &b, lazy, s->id, &w) == 0)
		x->sent++;
}

int emit_message(const struct scenario_emit *em, struct conn *c, const char *sid)
{
	struct emit_ctx x = {.em = em};
	emit_sessions(&em->dest, c, sid, emit_one, &x);
	return x.sent;
}

int emit_event(const struct scenario_dest *dest, struct conn *c, const char *sid,
	       const char *method, const char *params, size_t len)
{
	struct emit_ctx x = {.method = method, .params = params, .len = len};
	emit_sessions(dest, c, sid, emit_one, &x);
	return x.sent;
}

void emit_effects(const struct scenario_action *a, struct conn *c)
{
	if (!c || c->gone)
		return;
	if (a->throttle_bps >= 0)
		conn_set_throttle(c, a->throttle_bps);
	if (a->raw)
		conn_send_bytes(c, a->raw, a->raw_len);
	if (a->frame) {
		const struct scenario_frame *f = a->frame;
		conn_send_frame_ex(c, f->opcode, f->fin, f->rsv, f->masked, f->payload, f->len);
	}
	if (a->close) {
		journal_note(conn_id(c), "scenario: closing with code %d", a->close_code);
		conn_close_code(c, a->close_code, a->close_reason);
	} else if (a->fin) {
		journal_note(conn_id(c), "scenario: closing TCP without a close frame");
		conn_close_after_flush(c);
	} else if (a->reset) {
		journal_note(conn_id(c), "scenario: resetting TCP");
		conn_drop(c, 1);
	}
}
