/* timeline.c - scenario timelines (see timeline.h).  Each instance walks
 * its steps with one loop timer; step times count from the instance's
 * start, so a late timer does not shift the later steps. */
#include "script/timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "numfmt.h"
#include "clock.h"
#include "net/conn.h"
#include "script/emit.h"
#include "journal.h"
#include "net/loop.h"
#include "domains/profiler.h"
#include "scenario/scenario.h"
#include "script/line.h"
#include "cdp/targets.h"

struct timeline_run {
	struct loop_timer timer;
	const struct scenario_timeline *tl;
	struct conn *c; /* the trigger's connection, or NULL */
	char sid[33];	/* the trigger's session */
	int64_t t0;
	size_t step;
	struct timeline_run *next;
};

static struct timeline_run *timeline_runs;
static size_t timeline_n_runs;
static uint64_t *timeline_started; /* per timeline: instances started */
static uint64_t *timeline_seen;    /* per timeline: messages matching its start */
static size_t timeline_n;

static void timeline_free_run(struct timeline_run *r)
{
	loop_timer_cancel(&r->timer);
	free(r);
	timeline_n_runs--;
}

static void timeline_unlink(struct timeline_run *r)
{
	for (struct timeline_run **pp = &timeline_runs; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			return;
		}
}

int timeline_reset(void)
{
	while (timeline_runs) {
		struct timeline_run *r = timeline_runs;
		timeline_runs = r->next;
		timeline_free_run(r);
	}
	free(timeline_started);
	free(timeline_seen);
	timeline_n = scenario_current()->n_timelines;
	timeline_started = calloc(timeline_n ? timeline_n : 1, sizeof(*timeline_started));
	timeline_seen = calloc(timeline_n ? timeline_n : 1, sizeof(*timeline_seen));
	if (!timeline_started || !timeline_seen)
		timeline_n = 0;
	return timeline_n == scenario_current()->n_timelines ? 0 : CDPM_ENOMEM;
}

void timeline_fini(void)
{
	timeline_reset();
	free(timeline_started);
	free(timeline_seen);
	timeline_started = timeline_seen = NULL;
	timeline_n = 0;
}

void timeline_conn_gone(struct conn *c)
{
	for (struct timeline_run **pp = &timeline_runs; *pp;) {
		struct timeline_run *r = *pp;
		if (r->c != c) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		timeline_free_run(r);
	}
}

/* The page a console or coverage step acts on: the step's target, else
 * the trigger's page, else the newest page. */
static struct target *timeline_page(const struct timeline_run *r, const struct scenario_step *st)
{
	if (st->dest.to == SCENARIO_TO_TARGET && st->dest.target == SCENARIO_WHO_ID)
		return st->dest.id ? targets_find(st->dest.id) : NULL;
	struct session *s = r->c ? session_find(r->c, r->sid) : NULL;
	if (s && s->target->type == TARGET_PAGE && st->dest.to != SCENARIO_TO_TARGET)
		return s->target;
	if (r->c && r->c->page)
		return r->c->page;
	return targets_first_page();
}

static void timeline_buffer_usage(struct timeline_run *r, const struct scenario_step *st)
{
	char p[160], pf[NUMFMT_MAX];
	/* docs/chrome.md §7.4: key order percentFull, eventCount, value; the
	 * double as Chrome writes it (0.1, not 0.10000000000000001). */
	numfmt_double(pf, st->percent_full);
	int n = snprintf(p, sizeof(p), "{\"percentFull\":%s,\"eventCount\":%llu,\"value\":%s}",
			 pf, (unsigned long long)st->event_count, pf);
	emit_event(&st->dest, r->c, r->sid, "Tracing.bufferUsage", p, (size_t)n);
}

static void timeline_do(struct timeline_run *r, const struct scenario_step *st)
{
	struct target *t;
	struct profiler_location loc = {NULL, st->line ? st->line : 1, st->column ? st->column : 9};
	struct profiler_size size = {st->nodes, st->depth, st->duration_us, st->empty};
	switch (st->op) {
	case SCENARIO_STEP_ACTION:
		for (size_t i = 0; i < st->action.n_emits; i++)
			emit_message(&st->action.emits[i], r->c, r->sid);
		emit_effects(&st->action, r->c);
		break;
	case SCENARIO_STEP_CONSOLE_START:
		if ((t = timeline_page(r, st)))
			profiler_console_start(t, st->title, &loc);
		break;
	case SCENARIO_STEP_CONSOLE_END:
		if ((t = timeline_page(r, st)))
			profiler_console_end(t, st->title, &loc, &size);
		break;
	case SCENARIO_STEP_COVERAGE:
		if ((t = timeline_page(r, st)))
			profiler_coverage_update(t, st->occasion);
		break;
	case SCENARIO_STEP_BUFFER_USAGE:
		timeline_buffer_usage(r, st);
		break;
	}
}

static void timeline_arm(struct timeline_run *r);

static void timeline_fired(struct loop_timer *t)
{
	struct timeline_run *r = (struct timeline_run *)t;
	const struct scenario_step *st = &r->tl->steps[r->step++];
	/* Steps due at the same time run together, in order. */
	timeline_do(r, st);
	while (r->step < r->tl->n_steps && r->tl->steps[r->step].at_us == st->at_us &&
	       (!r->c || !r->c->gone))
		timeline_do(r, &r->tl->steps[r->step++]);
	if (r->step < r->tl->n_steps && (!r->c || !r->c->gone)) {
		timeline_arm(r);
		return;
	}
	timeline_unlink(r);
	timeline_free_run(r);
}

static void timeline_arm(struct timeline_run *r)
{
	int64_t due = r->t0 + r->tl->steps[r->step].at_us;
	loop_timer_arm(&r->timer, due - clock_now_us(), timeline_fired);
}

static void timeline_begin(const struct scenario_timeline *tl, struct conn *c, const char *sid)
{
	uint64_t *started = &timeline_started[tl->index];
	if (tl->times && *started >= tl->times)
		return;
	if (timeline_n_runs >= TIMELINE_MAX_RUNNING) {
		journal_note(conn_id(c), "scenario: too many running timelines; timelines[%u] not started",
			     tl->index);
		return;
	}
	struct timeline_run *r = calloc(1, sizeof(*r));
	if (!r)
		return;
	(*started)++;
	timeline_n_runs++;
	r->tl = tl;
	r->c = c;
	snprintf(r->sid, sizeof(r->sid), "%s", sid ? sid : "");
	r->t0 = clock_now_us();
	r->next = timeline_runs;
	timeline_runs = r;
	journal_note(conn_id(c), "scenario: timelines[%u] starts", tl->index);
	timeline_arm(r);
}

int timeline_load(void)
{
	const struct scenario *sc = scenario_current();
	for (size_t i = 0; i < sc->n_timelines && i < timeline_n; i++)
		if (sc->timelines[i].start == SCENARIO_START_LOAD)
			timeline_begin(&sc->timelines[i], NULL, NULL);
	return 0;
}

void timeline_connect(struct conn *c)
{
	const struct scenario *sc = scenario_current();
	for (size_t i = 0; i < sc->n_timelines && i < timeline_n; i++) {
		const struct scenario_timeline *tl = &sc->timelines[i];
		if (tl->start == SCENARIO_START_CONNECT &&
		    (!tl->match.connection || tl->match.connection == line_conn_number(c)))
			timeline_begin(tl, c, NULL);
	}
}

void timeline_message(struct line_msg *msg)
{
	const struct scenario *sc = scenario_current();
	for (size_t i = 0; i < sc->n_timelines && i < timeline_n; i++) {
		const struct scenario_timeline *tl = &sc->timelines[i];
		if (tl->start != SCENARIO_START_MATCH || !line_match(&tl->match, msg))
			continue;
		uint64_t n = ++timeline_seen[i];
		if (!tl->match.nth_from || (n >= tl->match.nth_from && n <= tl->match.nth_to))
			timeline_begin(tl, msg->c, msg->sid);
	}
}
