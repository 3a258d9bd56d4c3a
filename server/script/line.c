/* line.c - a connection's line through the script layer (see line.h).
 *
 * Messages on the line are classified from their first bytes, which is
 * cheap even for a 10 MiB IO.read reply; only a pattern that looks at
 * params parses one.  Held messages count as queued bytes in conn.c, so
 * producers and reading pause instead of memory growing.  Nothing here
 * decides what a rule does: script.c does, and hands the held messages in. */
#include "script/line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "jsubset.h"
#include "wildcard.h"
#include "journal.h"
#include "net/loop.h"
#include "cdp/targets.h"
#include "domains/io.h"
#include "domains/profiler.h"
#include "domains/tracing/tracing.h"

unsigned line_conn_number(const struct conn *c)
{
	return c->script ? c->script->number : 0;
}

/* ---- what a message is ---- */

enum scenario_kind line_classify(const char *t, size_t len, int *id, char *method, size_t n)
{
	method[0] = '\0';
	if (len > 7 && !memcmp(t, "{\"id\":", 6)) {
		char *end;
		long v = strtol(t + 6, &end, 10);
		*id = (int)v;
		if ((size_t)(end - t) + 9 < len && !memcmp(end, ",\"error\"", 8))
			return SCENARIO_KIND_ERROR;
		return SCENARIO_KIND_REPLY;
	}
	if (len > 12 && !memcmp(t, "{\"method\":\"", 11)) {
		size_t i = 0;
		for (const char *p = t + 11; p < t + len && *p != '"' && i + 1 < n; p++)
			method[i++] = *p;
		method[i] = '\0';
		return SCENARIO_KIND_EVENT;
	}
	return SCENARIO_KIND_ANY;
}

/* For the journal: an event's method, or the method of the command a
 * reply answers, copied into out; NULL when unknown.  *pending gets the
 * reply's entry of the pending table (NULL when none). */
static const char *line_method_of(struct conn *c, const char *text, size_t len, char *out,
				  size_t n, struct line_pending **pending)
{
	int id = 0;
	enum scenario_kind k = line_classify(text, len, &id, out, n);
	*pending = NULL;
	if (k == SCENARIO_KIND_EVENT)
		return out;
	if ((k == SCENARIO_KIND_REPLY || k == SCENARIO_KIND_ERROR) && c->script) {
		/* The reply's session is not parsed here; any pending id will do. */
		struct line_pending *p = line_pending_find(c->script, id, NULL);
		if (p) {
			*pending = p;
			snprintf(out, n, "%s", p->method);
			return out;
		}
	}
	return NULL;
}

/* ---- the pending-command table ---- */

static size_t line_pending_slot(int id)
{
	return (size_t)(unsigned)id & (LINE_PENDING - 1);
}

struct line_pending *line_pending_find(struct line_conn *sc, int id, const char *sid)
{
	struct line_pending *any = NULL;
	for (size_t i = 0, at = line_pending_slot(id); i < LINE_PENDING; i++) {
		struct line_pending *p = &sc->pend[(at + i) & (LINE_PENDING - 1)];
		if (!p->used && !p->tomb)
			break; /* never used since the table emptied: the probe ends */
		if (!p->used || p->id != id)
			continue;
		if (!strcmp(p->sid, sid ? sid : ""))
			return p;
		any = any ? any : p;
	}
	return any;
}

struct line_pending *line_pending_add(struct line_conn *sc, int id, const char *sid,
				      const char *method)
{
	size_t at = line_pending_slot(id);
	struct line_pending *p = NULL;
	for (size_t i = 0; i < LINE_PENDING && !p; i++)
		if (!sc->pend[(at + i) & (LINE_PENDING - 1)].used)
			p = &sc->pend[(at + i) & (LINE_PENDING - 1)];
	if (!p) { /* full: this slot's command is forgotten */
		p = &sc->pend[at];
		sc->pend_used--;
	}
	memset(p, 0, sizeof(*p));
	p->used = 1;
	p->id = id;
	snprintf(p->sid, sizeof(p->sid), "%s", sid ? sid : "");
	snprintf(p->method, sizeof(p->method), "%s", method);
	sc->pend_used++;
	return p;
}

void line_pending_done(struct line_conn *sc, struct line_pending *p)
{
	if (!p->used)
		return;
	p->used = 0;
	p->tomb = 1;
	if (--sc->pend_used == 0)
		for (size_t i = 0; i < LINE_PENDING; i++)
			sc->pend[i].tomb = 0;
}

/* ---- matching ---- */

/* A rule's "state": what the domains hold now (they are the one source of
 * truth; the reply that reports a change has already been decided when it
 * passes here). */
static int line_state_fits(const struct scenario_match *m, const struct line_msg *msg)
{
	static const enum scenario_tstate ts[] = {
		[TRACING_STATE_IDLE] = SCENARIO_TS_IDLE,
		[TRACING_STATE_RECORDING] = SCENARIO_TS_RECORDING,
		[TRACING_STATE_ENDING] = SCENARIO_TS_ENDING,
	};
	if (m->tracing && ts[tracing_state()] != m->tracing)
		return 0;
	if (m->profiling >= 0) {
		const struct session *s = session_find(msg->c, msg->sid);
		if ((s && profiler_running(s)) != m->profiling)
			return 0;
	}
	if (m->open_streams >= 0 && (io_streams_of(msg->c) > 0) != m->open_streams)
		return 0;
	return 1;
}

static int line_who(enum scenario_who who, const char *id, const struct session *s)
{
	switch (who) {
	case SCENARIO_WHO_ROOT:
		return s && !s->id[0];
	case SCENARIO_WHO_CHILD:
		return s && s->id[0];
	case SCENARIO_WHO_BROWSER:
		return s && s->target->type == TARGET_BROWSER;
	case SCENARIO_WHO_PAGE:
		return s && s->target->type == TARGET_PAGE;
	case SCENARIO_WHO_ID:
		return s && id && (!strcmp(s->id, id) || !strcmp(s->target->id, id));
	default:
		return 1;
	}
}

static const json_t *line_msg_params(struct line_msg *msg)
{
	if (msg->dir == SCENARIO_IN)
		return msg->params;
	if (!msg->parsed)
		msg->parsed = json_loadb(msg->text, msg->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	const json_t *p = json_object_get(msg->parsed, "params");
	if (!p)
		p = json_object_get(msg->parsed, "result");
	if (!p)
		p = json_object_get(msg->parsed, "error");
	return p;
}

void line_msg_clear(struct line_msg *msg)
{
	json_decref(msg->parsed);
	msg->parsed = NULL;
}

int line_match(const struct scenario_match *m, struct line_msg *msg)
{
	if ((int)m->dir != msg->dir || m->byte)
		return 0;
	if (m->dir == SCENARIO_OUT && m->kind && (int)m->kind != msg->kind)
		return 0;
	if (m->method && (!msg->method || !wildcard_match(m->method, msg->method)))
		return 0;
	if (m->connection && (!msg->c->script || msg->c->script->number != m->connection))
		return 0;
	if (m->message && msg->c->rx_messages != m->message)
		return 0;
	if (m->session || m->target) {
		const struct session *s = session_find(msg->c, msg->sid);
		if (!line_who(m->session, m->session_id, s) ||
		    !line_who(m->target, m->target_id, s))
			return 0;
	}
	if (!line_state_fits(m, msg))
		return 0;
	if (m->params) {
		const json_t *p = line_msg_params(msg);
		json_t *empty = p ? NULL : json_object();
		int ok = jsubset_match(m->params, p ? p : empty);
		json_decref(empty);
		if (!ok)
			return 0;
	}
	return 1;
}

/* ---- held messages ---- */

struct line_held *line_held_new(struct conn *c, enum line_hold_kind kind, struct buf *b,
				struct conn_lazy *lazy, const char *sid, const struct conn_wire *w)
{
	struct line_conn *sc = c->script;
	if (sc->n_held >= LINE_MAX_HELD)
		return NULL;
	struct line_held *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->c = c;
	h->kind = kind;
	h->b = *b;
	buf_init(b, 0);
	h->lazy = lazy;
	snprintf(h->sid, sizeof(h->sid), "%s", sid ? sid : "");
	if (w)
		h->wire = *w;
	h->bytes = h->b.len + (lazy ? 65536 : 0);
	conn_held(c, (long long)h->bytes);
	sc->n_held++;
	/* A held reply keeps its command's pending entry until it is sent. */
	int id = 0;
	char m[8];
	if (!lazy && h->b.data) {
		enum scenario_kind k = line_classify(h->b.data + CONN_HEADROOM,
						     h->b.len - CONN_HEADROOM, &id, m, sizeof(m));
		struct line_pending *p = k == SCENARIO_KIND_REPLY || k == SCENARIO_KIND_ERROR
					     ? line_pending_find(sc, id, sid)
					     : NULL;
		if (p)
			p->held = 1;
	}
	return h;
}

void line_held_done(struct line_held *h)
{
	h->c->script->n_held--;
	conn_held(h->c, -(long long)h->bytes);
	h->bytes = 0;
}

void line_held_free(struct line_held *h)
{
	loop_timer_cancel(&h->timer);
	conn_held(h->c, -(long long)h->bytes);
	buf_clear(&h->b);
	if (h->lazy && h->lazy->free)
		h->lazy->free(h->lazy);
	free(h);
}

/* ---- the ordered send path ---- */

/* Past the rules: the message goes on the wire as it is now, named in the
 * journal by what it is now (a mutation may have changed it). */
static int line_send_now(struct conn *c, struct buf *b, const char *sid,
			 const struct conn_wire *w)
{
	char method[64];
	struct line_pending *p;
	const char *m = line_method_of(c, b->data + CONN_HEADROOM, b->len - CONN_HEADROOM, method,
				       sizeof(method), &p);
	int rc = conn_send_now(c, b, sid, m, w);
	/* A reply that was held kept its command's entry until now, so that
	 * the journal (and the digests read from it) still name it. */
	if (p && p->held && c->script)
		line_pending_done(c->script, p);
	return rc;
}

static int line_send_wire(struct conn *c, struct buf *b, struct conn_lazy *lazy,
			  const char *sid, const struct conn_wire *w)
{
	if (!lazy)
		return line_send_now(c, b, sid, w);
	char head[256];
	size_t hl = lazy->size < sizeof(head) ? (size_t)lazy->size : sizeof(head);
	lazy->fill(lazy, 0, head, hl);
	return conn_send_lazy(c, lazy, head, hl, sid);
}

/* Counts a sent message against held reorders and releases those due. */
static void line_reorder_tick(struct conn *c)
{
	struct line_conn *sc = c->script;
	/* Taken before anything is sent: the loop below never looks at c's
	 * script state again, since sending and the after-part may change it. */
	line_after_fn *after = sc->after;
	struct line_held *due = NULL, **tail = &due;
	for (struct line_held **pp = &sc->reorder; *pp;) {
		struct line_held *h = *pp;
		if (--h->countdown) {
			pp = &h->next;
			continue;
		}
		*pp = h->next;
		h->next = NULL;
		*tail = h;
		tail = &h->next;
	}
	for (struct line_held *h = due, *n; h; h = n) {
		n = h->next;
		line_held_done(h);
		/* Its copies go with it (they do not count as later messages). */
		for (unsigned i = 0; h->after && i < h->after->duplicate && h->b.data; i++) {
			struct buf copy;
			if (!conn_msg_begin(&copy) &&
			    !buf_add(&copy, h->b.data + CONN_HEADROOM, h->b.len - CONN_HEADROOM))
				line_send_now(c, &copy, h->sid, &h->wire);
			else
				buf_clear(&copy);
		}
		line_send_wire(c, &h->b, h->lazy, h->sid, &h->wire);
		h->lazy = NULL;
		if (h->after && after)
			after(h->after, c, h->sid);
		line_held_free(h);
	}
}

int line_send(struct conn *c, struct buf *b, struct conn_lazy *lazy, const char *sid,
	      const struct conn_wire *w)
{
	struct line_conn *sc = c->script;
	if (!sc)
		return line_send_wire(c, b, lazy, sid, w);
	if (sc->stalls && !sc->releasing) {
		struct line_held *h = line_held_new(c, LINE_HOLD_STALLQ, b, lazy, sid, w);
		if (h) {
			if (sc->stall_tail)
				sc->stall_tail->next = h;
			else
				sc->stall_head = h;
			sc->stall_tail = h;
			return 0;
		}
		journal_note(conn_id(c), "scenario: too many held messages; sending at once");
	}
	int rc = line_send_wire(c, b, lazy, sid, w);
	if (sc->reorder && !c->gone)
		line_reorder_tick(c);
	return rc;
}
