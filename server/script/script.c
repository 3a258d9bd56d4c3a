/* script.c - the scenario's rules on the wire (see script.h).
 *
 * Incoming: every valid command is counted against each rule's pattern, and
 * the first rule whose pattern, nth range and use limit all fit acts on it;
 * other commands go to router_run().  A delayed command is copied and run
 * later (Chrome answers commands of one target in order, so "stall" makes
 * later commands of the connection wait behind it; without it they
 * overtake).  What a rule does to the command's reply is remembered in the
 * pending-command table and applied when that reply passes script_out().
 *
 * Outgoing: each message is classified from its first bytes (reply to id N,
 * error, or event), which is cheap even for a 10 MiB IO.read reply; only a
 * rule that looks at params or changes the message parses it.  Held
 * messages (delay, stall, reorder) count as queued bytes in conn.c, so
 * producers and reading pause instead of memory growing.  Classifying,
 * matching, holding and the ordered send are line.c's, which emit.c and
 * timeline.c use too; here is what the rules decide. */
#include "script/script.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "net/conn.h"
#include "script/emit.h"
#include "cdp/envelope.h"
#include "journal.h"
#include "script/line.h"
#include "net/loop.h"
#include "script/mutate.h"
#include "cdp/router.h"
#include "scenario/scenario.h"
#include "server.h"
#include "cdp/targets.h"
#include "script/timeline.h"

/* An incoming command held back. */
struct script_defer {
	struct script_defer *next;
	struct loop_timer timer;
	struct conn *c;
	char *text;
	size_t len;
	const struct scenario_rule *rule; /* NULL: queued behind a stall */
	int stall;
};

struct script_rule_state {
	uint64_t seen; /* messages that matched the pattern */
	uint64_t used; /* times the rule acted */
};

static struct script_rule_state *script_rules;
static size_t script_n_rules;
static unsigned script_conns;
static struct rng script_rng;

static int script_out_process(struct conn *c, struct buf *b, struct conn_lazy *lazy,
			      const char *sid, const struct conn_wire *w, int scripted);
static void script_after(const struct scenario_action *a, struct conn *c, const char *sid);

/* ---- setup and reset ---- */

static int script_rules_reset(void)
{
	const struct scenario *sc = scenario_current();
	free(script_rules);
	script_rules = calloc(sc->n_rules ? sc->n_rules : 1, sizeof(*script_rules));
	script_n_rules = sc->n_rules;
	script_conns = 0;
	/* Delays draw from their own stream so they never shift ids. */
	rng_init(&script_rng, server.opts.seed ^ UINT64_C(0x5ce7a210d1e5c0de));
	return script_rules ? 0 : CDPM_ENOMEM;
}

int script_start(void)
{
	int rc = script_rules_reset();
	if (!rc)
		rc = timeline_reset();
	if (!rc)
		rc = timeline_load();
	return rc;
}

void script_fini(void)
{
	timeline_fini();
	free(script_rules);
	script_rules = NULL;
	script_n_rules = 0;
}

int script_reset(struct conn *except)
{
	for (struct conn *c = conn_list(); c; c = c->next) {
		if (c == except || c->kind != CONN_WS || c->gone)
			continue;
		/* Free the sessions now: the targets they point to are replaced. */
		script_conn_free(c);
		session_close_all(c);
		c->page = NULL;
		conn_drop(c, 0);
	}
	timeline_reset();
	journal_ring_clear();
	const struct scenario *sc = scenario_current();
	int rc = targets_reset(sc->pages_set ? sc->pages : NULL, sc->pages_set ? sc->n_pages : 0);
	if (!rc)
		rc = script_rules_reset();
	if (!rc)
		rc = timeline_load();
	journal_note(0, "scenario %s: reset", sc->name);
	return rc;
}

int script_load(struct scenario *sc, struct conn *except)
{
	/* Drop what points into the old scenario before freeing it. */
	for (struct conn *c = conn_list(); c; c = c->next)
		if (c != except && c->kind == CONN_WS)
			script_conn_free(c);
	timeline_reset();
	scenario_install(sc);
	/* As a fresh start with this file would: its seed, else 0, unless
	 * --seed was given. */
	uint64_t seed = sc->seed_set ? sc->seed : 0;
	if (!server.opts.seed_set && seed != server.opts.seed) {
		server.opts.seed = seed;
		targets_reseed(seed);
	}
	journal_note(0, "scenario %s loaded", sc->name);
	return script_reset(except);
}

/* ---- per-connection state ---- */

static int script_tap_out(struct conn *c, struct buf *b, const char *sid, const char *method)
{
	(void)method; /* replies are classified from their bytes and the pending table */
	return c->script ? script_out(c, b, sid) : CONN_PASS;
}

static uint64_t script_tap_next_byte(struct conn *c)
{
	return c->script ? script_next_byte_trigger(c) : 0;
}

/* The filter every outgoing message of a CDP connection passes. */
static const struct conn_tap script_tap = {
	.out = script_tap_out,
	.next_byte = script_tap_next_byte,
	.on_byte = script_on_byte,
	.gone = script_conn_free,
};

int script_conn_open(struct conn *c)
{
	if (c->script)
		return 0;
	c->script = calloc(1, sizeof(*c->script));
	if (!c->script)
		return CDPM_ENOMEM;
	c->script->number = ++script_conns;
	/* line.c releases reorders while it sends, and cannot call emit.c. */
	c->script->after = script_after;
	conn_set_tap(c, &script_tap);
	timeline_connect(c);
	return 0;
}

static void script_held_list_free(struct line_held *h)
{
	for (struct line_held *n; h; h = n) {
		n = h->next;
		line_held_free(h);
	}
}

static void script_defer_list_free(struct script_defer *d)
{
	for (struct script_defer *n; d; d = n) {
		n = d->next;
		loop_timer_cancel(&d->timer);
		free(d->text);
		free(d);
	}
}

void script_conn_free(struct conn *c)
{
	struct line_conn *sc = c->script;
	if (!sc)
		return;
	timeline_conn_gone(c);
	script_held_list_free(sc->delayed);
	script_held_list_free(sc->reorder);
	script_held_list_free(sc->stall_head);
	script_defer_list_free(sc->defers);
	script_defer_list_free(sc->inq_head);
	free(sc);
	c->script = NULL;
}

/* ---- matching ---- */

/* Counts msg against every rule of its direction and returns the first
 * that acts on it (its use is recorded), or NULL. */
static const struct scenario_rule *script_find(struct line_msg *msg)
{
	const struct scenario *sc = scenario_current();
	const struct scenario_rule *hit = NULL;
	for (size_t i = 0; i < sc->n_rules && i < script_n_rules; i++) {
		const struct scenario_rule *r = &sc->rules[i];
		struct script_rule_state *st = &script_rules[i];
		if (!line_match(&r->match, msg))
			continue;
		st->seen++;
		if (hit || (r->times && st->used >= r->times))
			continue;
		if (r->match.nth_from && (st->seen < r->match.nth_from || st->seen > r->match.nth_to))
			continue;
		st->used++;
		hit = r;
	}
	if (hit) {
		if (hit->name)
			journal_note(conn_id(msg->c), "scenario: rule \"%s\" acts on %s", hit->name,
				     msg->method ? msg->method : "a message");
		else
			journal_note(conn_id(msg->c), "scenario: rules[%u] acts on %s", hit->index,
				     msg->method ? msg->method : "a message");
	}
	return hit;
}

int64_t script_delay_us(const struct scenario_dist *d)
{
	double us = d->a;
	if (d->kind == SCENARIO_DIST_UNIFORM) {
		us = d->a + (d->b - d->a) * rng_double(&script_rng);
	} else if (d->kind == SCENARIO_DIST_LOGNORMAL) {
		/* Box-Muller: a standard normal from two uniforms. */
		double u1 = rng_double(&script_rng), u2 = rng_double(&script_rng);
		double z = sqrt(-2.0 * log(u1 > 0 ? u1 : 1e-300)) * cos(2 * M_PI * u2);
		us = d->a * exp(d->b * z);
	}
	if (us > 86400e6)
		us = 86400e6;
	return us < 0 ? 0 : (int64_t)us;
}

/* ---- outgoing ---- */

static void script_emits(const struct scenario_action *a, int after, struct conn *c,
			 const char *sid)
{
	for (size_t i = 0; i < a->n_emits; i++)
		if (a->emits[i].after == after)
			emit_message(&a->emits[i], c, sid);
}

/* What follows a message an action shaped: its duplicates were sent by the
 * caller; here the after-emits and the connection effects. */
static void script_after(const struct scenario_action *a, struct conn *c, const char *sid)
{
	if (!a)
		return;
	script_emits(a, 1, c, sid);
	emit_effects(a, c);
}

static void script_unlink(struct line_held **list, struct line_held *h)
{
	for (struct line_held **pp = list; *pp; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			return;
		}
}

/* Sends what waited behind stalled messages, until the line stalls again. */
static void script_drain_stalled(struct conn *c)
{
	struct line_conn *sc = c->script;
	while (sc && !sc->stalls && sc->stall_head && !c->gone) {
		struct line_held *h = sc->stall_head;
		sc->stall_head = h->next;
		if (!sc->stall_head)
			sc->stall_tail = NULL;
		line_held_done(h);
		if (h->unprocessed)
			script_out_process(c, &h->b, NULL, h->sid, NULL, 0);
		else
			line_send(c, &h->b, h->lazy, h->sid, &h->wire);
		h->lazy = NULL;
		line_held_free(h);
		sc = c->script;
	}
}

static void script_send_copies(struct conn *c, struct buf *b, struct conn_lazy *lazy,
			       const char *sid, const struct conn_wire *w, unsigned extra)
{
	for (unsigned i = 0; i < extra; i++) {
		struct buf copy;
		struct conn_lazy *lc = NULL;
		if (lazy) {
			if (!(lc = mutate_lazy_copy(lazy)))
				break;
		} else if (conn_msg_begin(&copy) ||
			   buf_add(&copy, b->data + CONN_HEADROOM, b->len - CONN_HEADROOM)) {
			buf_clear(&copy);
			break;
		}
		if (lc)
			buf_init(&copy, 0);
		line_send(c, &copy, lc, sid, w);
	}
	line_send(c, b, lazy, sid, w);
}

static void script_delay_fired(struct loop_timer *t)
{
	struct line_held *h = container_of(t, struct line_held, timer);
	struct conn *c = h->c;
	struct line_conn *sc = c->script;
	script_unlink(&sc->delayed, h);
	line_held_done(h);
	if (h->stall)
		sc->stalls--;
	/* A stalling message goes out before what queued behind it. */
	sc->releasing = h->stall;
	unsigned dup = h->after ? h->after->duplicate : 0;
	script_send_copies(c, &h->b, h->lazy, h->sid, &h->wire, dup);
	sc = c->script;
	if (sc)
		sc->releasing = 0;
	h->lazy = NULL;
	script_after(h->after, c, h->sid);
	line_held_free(h);
	script_drain_stalled(c);
}

/* Applies an action to an outgoing message (b or lazy, taken). */
static void script_out_act(struct conn *c, struct buf *b, const char *sid,
			   const struct scenario_action *a, int from_in)
{
	struct line_conn *sc = c->script;
	struct conn_lazy *lazy = NULL;
	if (!from_in)
		script_emits(a, 0, c, sid);
	if (a->drop || (a->hold && !from_in)) {
		buf_clear(b);
		script_after(a, c, sid);
		return;
	}
	if ((a->merge || a->replace || a->n_mutations) &&
	    mutate_message(b, a->merge, a->replace, a->mutations, a->n_mutations, &lazy))
		journal_note(conn_id(c), "scenario: a mutation did not apply; sent unchanged");
	struct conn_wire w = {a->split_sizes, a->n_split_sizes, a->split_chunk, a->split_gap_us, 0};
	struct line_held *h = NULL;
	if (!from_in && a->delay.kind)
		h = line_held_new(c, LINE_HOLD_DELAY, b, lazy, sid, &w);
	else if (a->reorder)
		h = line_held_new(c, LINE_HOLD_REORDER, b, lazy, sid, &w);
	if (h) {
		h->after = a;
		h->from_in = from_in;
		if (h->kind == LINE_HOLD_DELAY) {
			h->stall = a->stall;
			sc->stalls += a->stall;
			h->next = sc->delayed;
			sc->delayed = h;
			loop_timer_arm(&h->timer, script_delay_us(&a->delay), script_delay_fired);
		} else {
			h->countdown = a->reorder;
			h->next = sc->reorder;
			sc->reorder = h;
		}
		return;
	}
	if ((!from_in && a->delay.kind) || a->reorder)
		journal_note(conn_id(c), "scenario: too many held messages; sending at once");
	script_send_copies(c, b, lazy, sid, &w, a->duplicate);
	script_after(a, c, sid);
}

static int script_out_process(struct conn *c, struct buf *b, struct conn_lazy *lazy,
			      const char *sid, const struct conn_wire *w, int scripted)
{
	struct line_conn *sc = c->script;
	char method[64];
	int id = 0;
	const char *text = b->data ? b->data + CONN_HEADROOM : "";
	size_t len = b->data ? b->len - CONN_HEADROOM : 0;
	enum scenario_kind kind = lazy ? SCENARIO_KIND_ANY
				       : line_classify(text, len, &id, method, sizeof(method));
	struct line_pending *p = NULL;
	if (kind == SCENARIO_KIND_REPLY || kind == SCENARIO_KIND_ERROR) {
		p = line_pending_find(sc, id, sid);
		snprintf(method, sizeof(method), "%s", p ? p->method : "");
	}
	struct line_msg msg = {c, SCENARIO_OUT, kind, method[0] ? method : NULL, sid, text,
				 len, NULL, NULL};
	timeline_message(&msg);
	const struct scenario_action *a = NULL;
	int from_in = 0;
	if (p && p->discard) {
		line_pending_done(sc, p);
		buf_clear(b);
		line_msg_clear(&msg);
		return 0;
	}
	if (p && p->rule) {
		a = &p->rule->action;
		from_in = 1;
	} else if (!scripted && !lazy) {
		const struct scenario_rule *r = script_find(&msg);
		a = r ? &r->action : NULL;
	}
	line_msg_clear(&msg);
	int rc = 0;
	if (!a)
		rc = line_send(c, b, lazy, sid, w);
	else
		script_out_act(c, b, sid, a, from_in);
	/* Cleared only now, so the journal can still name the reply's method;
	 * a held reply keeps it until it goes out (line.c). */
	if (p && c->script && !p->held)
		line_pending_done(c->script, p);
	return rc;
}

/* A scenario with no rules and no timelines has nothing to match a message
 * against; unless something reads the journal (which names a reply by its
 * command, from the pending table), messages pass the engine untouched. */
static int script_idle(void)
{
	const struct scenario *sc = scenario_current();
	return !sc->n_rules && !sc->n_timelines && !journal_observed();
}

int script_out(struct conn *c, struct buf *b, const char *session_id)
{
	struct line_conn *sc = c->script;
	if (script_idle() && !sc->stalls && !sc->reorder)
		return conn_send_now(c, b, session_id, NULL, NULL);
	if (sc->stalls && !sc->releasing) {
		/* Rules apply when it is released, in order. */
		struct line_held *h = line_held_new(c, LINE_HOLD_STALLQ, b, NULL, session_id, NULL);
		if (h) {
			h->unprocessed = 1;
			if (sc->stall_tail)
				sc->stall_tail->next = h;
			else
				sc->stall_head = h;
			sc->stall_tail = h;
			return 0;
		}
	}
	return script_out_process(c, b, NULL, session_id, NULL, 0);
}

/* ---- incoming ---- */

static int script_action_shapes_reply(const struct scenario_action *a)
{
	for (size_t i = 0; i < a->n_emits; i++)
		if (a->emits[i].after)
			return 1;
	return a->merge || a->replace || a->n_mutations || a->duplicate || a->reorder ||
	       a->split_chunk || a->n_split_sizes || a->close || a->fin || a->reset || a->raw ||
	       a->frame;
}

static void script_in_act(struct conn *c, struct envelope *e, const struct scenario_rule *r)
{
	const struct scenario_action *a = &r->action;
	struct line_pending *p = c->script ? line_pending_find(c->script, e->id, e->session_id)
					      : NULL;
	const char *sid = e->session_id;
	int scripted = a->reply_result || a->reply_error;
	int effects = a->close || a->fin || a->reset;
	/* drop runs the command and drops its reply: hold plus builtin. */
	int no_reply = a->hold || a->drop || (effects && !scripted && !a->builtin);
	int builtin = !scripted && (!no_reply || a->builtin || a->drop);
	script_emits(a, 0, c, sid);
	/* The reply itself already goes at the new rate. */
	if (a->throttle_bps >= 0)
		conn_set_throttle(c, a->throttle_bps);
	if (p && !no_reply && script_action_shapes_reply(a))
		p->rule = r;
	if (scripted) {
		struct session *s = session_find(c, sid);
		if (a->reply_error) {
			const json_t *er = a->reply_error;
			call_send_error(c, s, e->method, 1, e->id,
					(int)json_integer_value(json_object_get(er, "code")),
					json_string_value(json_object_get(er, "message")),
					json_string_value(json_object_get(er, "data")));
		} else {
			call_send_result(c, s, e->method, e->id, a->reply_result);
		}
	} else if (builtin) {
		if (no_reply && p)
			p->discard = 1;
		router_run(c, e);
	}
	if (no_reply) {
		/* No reply will carry the after-part: do it now. */
		if (p && !builtin)
			line_pending_done(c->script, p);
		script_after(a, c, sid);
	}
}

static void script_in_process(struct conn *c, struct envelope *e, const char *text, size_t len);

static void script_defer_fired(struct loop_timer *t)
{
	struct script_defer *d = container_of(t, struct script_defer, timer);
	struct conn *c = d->c;
	struct line_conn *sc = c->script;
	for (struct script_defer **pp = &sc->defers; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	sc->n_deferred--;
	if (d->stall)
		sc->in_stalls--;
	struct envelope e;
	if (!envelope_parse(&e, d->text, d->len))
		script_in_act(c, &e, d->rule);
	envelope_clear(&e);
	free(d->text);
	free(d);
	/* Commands that waited behind a stall run now, in order. */
	while ((sc = c->script) && !sc->in_stalls && sc->inq_head && !c->gone) {
		struct script_defer *q = sc->inq_head;
		sc->inq_head = q->next;
		if (!sc->inq_head)
			sc->inq_tail = NULL;
		sc->n_deferred--;
		if (!envelope_parse(&e, q->text, q->len))
			script_in_process(c, &e, q->text, q->len);
		envelope_clear(&e);
		free(q->text);
		free(q);
	}
}

static struct script_defer *script_defer_new(struct conn *c, const char *text, size_t len)
{
	struct line_conn *sc = c->script;
	if (sc->n_deferred >= SCRIPT_MAX_DEFERRED)
		return NULL;
	struct script_defer *d = calloc(1, sizeof(*d));
	if (!d || !(d->text = malloc(len + 1))) {
		free(d);
		return NULL;
	}
	memcpy(d->text, text, len);
	d->text[len] = '\0';
	d->len = len;
	d->c = c;
	sc->n_deferred++;
	return d;
}

static void script_in_process(struct conn *c, struct envelope *e, const char *text, size_t len)
{
	struct line_conn *sc = c->script;
	if (script_idle()) {
		router_run(c, e);
		return;
	}
	line_pending_add(sc, e->id, e->session_id, e->method);
	/* A method with a NUL inside matches no rule's method (router_run then
	 * answers that it wasn't found). */
	const char *method = strlen(e->method) == e->method_len ? e->method : NULL;
	struct line_msg msg = {c, SCENARIO_IN, SCENARIO_KIND_ANY, method, e->session_id,
				 text, len, e->params, NULL};
	const struct scenario_rule *r = script_find(&msg);
	struct script_defer *d = r && r->action.delay.kind ? script_defer_new(c, text, len) : NULL;
	if (d) {
		d->rule = r;
		d->stall = r->action.stall;
		sc->in_stalls += d->stall;
		d->next = sc->defers;
		sc->defers = d;
		loop_timer_arm(&d->timer, script_delay_us(&r->action.delay), script_defer_fired);
	}
	/* Timelines this command starts begin after a delay it gets was armed:
	 * a step due as late as that delay, or later, then comes after the
	 * delayed reply whatever the time between the two (a recording
	 * replayed with --replay-timing real puts its events 1 ms after). */
	timeline_message(&msg);
	line_msg_clear(&msg);
	if (!r) {
		router_run(c, e);
		return;
	}
	if (!d) {
		if (r->action.delay.kind)
			journal_note(conn_id(c),
				     "scenario: too many deferred commands; running at once");
		script_in_act(c, e, r);
	}
}

void script_in(struct conn *c, struct envelope *e, const char *text, size_t len)
{
	struct line_conn *sc = c->script;
	if (!sc) {
		router_run(c, e);
		return;
	}
	if (sc->in_stalls) {
		struct script_defer *d = script_defer_new(c, text, len);
		if (d) {
			if (sc->inq_tail)
				sc->inq_tail->next = d;
			else
				sc->inq_head = d;
			sc->inq_tail = d;
			return;
		}
		journal_note(conn_id(c), "scenario: too many deferred commands; running at once");
	}
	script_in_process(c, e, text, len);
}

/* ---- byte triggers ---- */

static int script_byte_rule(const struct scenario_rule *r, const struct script_rule_state *st,
			    const struct conn *c)
{
	return r->match.byte && (!r->times || st->used < r->times) &&
	       (!r->match.connection || c->script->number == r->match.connection);
}

uint64_t script_next_byte_trigger(struct conn *c)
{
	const struct scenario *sc = scenario_current();
	uint64_t next = 0;
	for (size_t i = 0; i < sc->n_rules && i < script_n_rules; i++) {
		const struct scenario_rule *r = &sc->rules[i];
		if (script_byte_rule(r, &script_rules[i], c) && r->match.byte > c->rx_bytes &&
		    (!next || r->match.byte < next))
			next = r->match.byte;
	}
	return next;
}

void script_on_byte(struct conn *c)
{
	const struct scenario *sc = scenario_current();
	for (size_t i = 0; i < sc->n_rules && i < script_n_rules && c->script; i++) {
		const struct scenario_rule *r = &sc->rules[i];
		if (!script_byte_rule(r, &script_rules[i], c) || r->match.byte != c->rx_bytes)
			continue;
		script_rules[i].used++;
		journal_note(conn_id(c), "scenario: rules[%u] fires at byte %llu", r->index,
			     (unsigned long long)c->rx_bytes);
		script_emits(&r->action, 0, c, NULL);
		script_emits(&r->action, 1, c, NULL);
		emit_effects(&r->action, c);
	}
}
