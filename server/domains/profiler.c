/* profiler.c - the Profiler domain of a page target (docs/chrome.md §6): the
 * CPU profile of Profiler.start/stop, precise and best-effort coverage,
 * console.profile events (profiler.h) and coverage delta updates.  State is
 * per session, as in V8's profiler agent; the id counter is per renderer
 * (pagestate.h).  The data itself comes from gen/profile.c and gen/coverage.c. */
#include "domains/profiler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "net/conn.h"
#include "clock.h"
#include "gen/coverage.h"
#include "gen/profile.h"
#include "journal.h"
#include "numfmt.h"
#include "domains/pagestate.h"
#include "cdp/router.h"
#include "scenario/scenario.h"
#include "cdp/slots.h"
#include "cdp/targets.h"

/* Open console profiles per session (Chrome has no limit; past this one
 * a console.profile is noted in the journal and ignored). */
#define PROFILER_MAX_CONSOLE 1024

#define PROFILER_SEED_COVERAGE UINT64_C(0x636f7665726167e5)
#define PROFILER_SEED_BEST_EFFORT UINT64_C(0x62657374656666f7)

/* A console.profile that has not ended yet. */
struct profiler_console {
	unsigned id;
	char *title;
	int64_t start_us;
	struct profiler_console *next; /* oldest first */
};

/* Per-session Profiler state (SLOT_PROFILER). */
struct profiler_session {
	struct session *session;
	int enabled;
	int profiling; /* Profiler.start is recording */
	int64_t start_us;
	int64_t interval_us;  /* setSamplingInterval */
	struct coverage *cov; /* precise coverage, when started */
	int triggered;	      /* allowTriggeredUpdates */
	int64_t cov_us;	      /* clock when the coverage last advanced */
	struct profiler_console *consoles;
	size_t nconsoles;
	struct profiler_session *next; /* profiler_all, in creation order */
};

/* Every session's state, oldest first: console events go out in this order,
 * so that the first session to use the Profiler gets the lower id. */
static struct profiler_session *profiler_all;

int profiler_running(const struct session *s)
{
	const struct profiler_session *ps = s->dom[SLOT_PROFILER];
	return ps && ps->profiling;
}

static struct profiler_session *profiler_get(struct session *s)
{
	struct profiler_session *ps = s->dom[SLOT_PROFILER];
	if (ps)
		return ps;
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return NULL;
	ps->session = s;
	ps->interval_us = scenario_current()->profiler.interval_us;
	struct profiler_session **pp = &profiler_all;
	while (*pp)
		pp = &(*pp)->next;
	*pp = ps;
	s->dom[SLOT_PROFILER] = ps;
	return ps;
}

static void profiler_drop_consoles(struct profiler_session *ps)
{
	struct profiler_console *k = ps->consoles, *n;
	for (; k; k = n) {
		n = k->next;
		free(k->title);
		free(k);
	}
	ps->consoles = NULL;
	ps->nconsoles = 0;
}

static void profiler_session_gone(struct session *s)
{
	struct profiler_session *ps = s->dom[SLOT_PROFILER];
	if (!ps)
		return;
	for (struct profiler_session **pp = &profiler_all; *pp; pp = &(*pp)->next) {
		if (*pp == ps) {
			*pp = ps->next;
			break;
		}
	}
	profiler_drop_consoles(ps);
	coverage_free(ps->cov);
	free(ps);
	s->dom[SLOT_PROFILER] = NULL;
}

/* Appends a Profile for [start_us, now] of page pt.  size (may be NULL)
 * overrides the scenario's knobs.  console: a profile that saw less than
 * one sample is root-only with "samples":[], as Chrome's quick console
 * profiles are. */
static int profiler_write(struct pagestate *pt, int64_t start_us, int64_t interval_us,
			  const struct profiler_size *size, int console, struct buf *out)
{
	const struct scenario_profiler *k = &scenario_current()->profiler;
	struct profile_shape sh = {
	    .seed = pt->seed ^ (++pt->profiles * UINT64_C(0xbf58476d1ce4e5b9)),
	    .start_us = start_us,
	    .end_us = clock_now_us(),
	    .interval_us = interval_us,
	    .node_count = size && size->nodes ? size->nodes : k->nodes,
	    .max_depth = size && size->depth ? size->depth : k->depth,
	    .idle_permille = k->idle_permille,
	    .empty = (size && size->empty) || k->empty,
	    .scripts = pt->scripts,
	};
	if (size && size->duration_us > 0)
		sh.end_us = start_us + size->duration_us;
	else if (k->duration_us > 0)
		sh.end_us = start_us + k->duration_us;
	if (sh.end_us < sh.start_us)
		sh.end_us = sh.start_us;
	int64_t iv = interval_us > 0 ? interval_us : PROFILE_DEFAULT_INTERVAL_US;
	if (console && !(size && size->nodes) && sh.end_us - sh.start_us < iv)
		sh.empty = true;
	return profile_write(&sh, out);
}

/* ---- console.profile (profiler.h) ---- */

static void profiler_add_location(struct buf *b, const char *script_id,
				  const struct profiler_location *loc)
{
	buf_adds(b, "\"location\":{\"scriptId\":");
	buf_add_json_str(b, script_id, strlen(script_id), 1);
	buf_printf(b, ",\"lineNumber\":%d,\"columnNumber\":%d}", loc ? (int)loc->line : 1,
		   loc ? (int)loc->column : 9);
}

/* The scriptId of the location: the caller's, or a fresh one. */
static const char *profiler_script_id(struct pagestate *pt, const struct profiler_location *loc,
				      char *tmp, size_t n)
{
	if (loc && loc->script_id)
		return loc->script_id;
	snprintf(tmp, n, "%u", pt->next_script_id++);
	return tmp;
}

int profiler_console_start(struct target *t, const char *title, const struct profiler_location *loc)
{
	struct pagestate *pt = pagestate_get(t);
	if (!pt)
		return CDPM_ENOMEM;
	if (!title || !*title)
		title = "default";
	char tmp[16];
	const char *sid = profiler_script_id(pt, loc, tmp, sizeof(tmp));
	int rc = 0;
	struct buf p;
	buf_init(&p, 0);
	for (struct profiler_session *ps = profiler_all; ps; ps = ps->next) {
		if (ps->session->target != t || !ps->enabled)
			continue;
		if (ps->nconsoles == PROFILER_MAX_CONSOLE) {
			journal_note(conn_id(ps->session->conn),
				     "console.profile('%s'): %d profiles already "
				     "open; ignored",
				     title, PROFILER_MAX_CONSOLE);
			continue;
		}
		struct profiler_console *k = calloc(1, sizeof(*k)), **pp = &ps->consoles;
		if (!k || !(k->title = strdup(title))) {
			free(k);
			rc = CDPM_ENOMEM;
			continue;
		}
		/* Each session's copy takes its own id (docs/chrome.md §6.4). */
		k->id = ++pt->profile_ids;
		k->start_us = clock_now_us();
		while (*pp)
			pp = &(*pp)->next;
		*pp = k;
		ps->nconsoles++;
		buf_reset(&p);
		buf_printf(&p, "{\"id\":\"%u\",", k->id);
		profiler_add_location(&p, sid, loc);
		buf_adds(&p, ",\"title\":");
		buf_add_json_str(&p, title, strlen(title), 1);
		buf_addc(&p, '}');
		int r = buf_finish(&p);
		if (r) {
			journal_note(conn_id(ps->session->conn), "consoleProfileStarted '%s' not sent: %s",
				     title, cdpm_strerror(r));
			if (!rc)
				rc = r;
			continue;
		}
		call_event_raw(ps->session, "Profiler.consoleProfileStarted", p.data, p.len);
	}
	buf_clear(&p);
	return rc;
}

/* Unlinks the console profile profileEnd(title) ends in ps: the oldest with
 * that title, or the newest of all when title is NULL (V8 takes the last
 * one started when no title is given). */
static struct profiler_console *profiler_console_take(struct profiler_session *ps,
						      const char *title)
{
	struct profiler_console **found = NULL;
	for (struct profiler_console **pp = &ps->consoles; *pp; pp = &(*pp)->next) {
		if (!title)
			found = pp;
		else if (!strcmp((*pp)->title, title)) {
			found = pp;
			break;
		}
	}
	if (!found)
		return NULL;
	struct profiler_console *k = *found;
	*found = k->next;
	ps->nconsoles--;
	return k;
}

/* Sends consoleProfileFinished for k to ps. */
static int profiler_console_finish(struct profiler_session *ps, struct pagestate *pt,
				   struct profiler_console *k, const char *sid,
				   const struct profiler_location *loc,
				   const struct profiler_size *size)
{
	struct buf p;
	buf_init(&p, 0);
	buf_printf(&p, "{\"id\":\"%u\",", k->id);
	profiler_add_location(&p, sid, loc);
	buf_adds(&p, ",\"profile\":");
	int rc = profiler_write(pt, k->start_us, ps->interval_us, size, 1, &p);
	buf_adds(&p, ",\"title\":");
	buf_add_json_str(&p, k->title, strlen(k->title), 1);
	buf_addc(&p, '}');
	if (!rc)
		rc = buf_finish(&p);
	if (!rc)
		rc = call_event_raw(ps->session, "Profiler.consoleProfileFinished", p.data,
				       p.len);
	else
		journal_note(conn_id(ps->session->conn), "consoleProfileFinished '%s' not sent: %s",
			     k->title, cdpm_strerror(rc));
	buf_clear(&p);
	return rc;
}

int profiler_console_end(struct target *t, const char *title, const struct profiler_location *loc,
			 const struct profiler_size *size)
{
	struct pagestate *pt = pagestate_get(t);
	if (!pt)
		return CDPM_ENOMEM;
	char tmp[16];
	const char *sid = profiler_script_id(pt, loc, tmp, sizeof(tmp));
	int rc = 0;
	for (struct profiler_session *ps = profiler_all; ps; ps = ps->next) {
		if (ps->session->target != t || !ps->enabled)
			continue;
		struct profiler_console *k = profiler_console_take(ps, title);
		if (!k)
			continue; /* profileEnd of an unknown title sends nothing */
		int r = profiler_console_finish(ps, pt, k, sid, loc, size);
		if (r && !rc)
			rc = r;
		free(k->title);
		free(k);
	}
	return rc;
}

/* ---- coverage ---- */

/* Runs the simulated page forward to now (or by the scenario's fixed step).
 * The caller reports the same now as the timestamp, so that a client can
 * tell what time the data covers. */
static void profiler_cov_advance(struct coverage *cov, int64_t *since_us, int64_t now)
{
	int64_t step = scenario_current()->coverage.advance_us;
	if (step <= 0)
		step = now - *since_us;
	if (step > 0)
		coverage_advance(cov, step);
	*since_us = now;
}

/* Appends the ScriptCoverage array of what ran up to now since the last
 * take. */
static int profiler_cov_take(struct profiler_session *ps, int64_t now, struct buf *b)
{
	profiler_cov_advance(ps->cov, &ps->cov_us, now);
	return coverage_take(ps->cov, b);
}

int profiler_coverage_update(struct target *t, const char *occasion)
{
	int rc = 0;
	struct buf p;
	buf_init(&p, 0);
	for (struct profiler_session *ps = profiler_all; ps; ps = ps->next) {
		if (ps->session->target != t || !ps->cov || !ps->triggered)
			continue;
		int64_t now = clock_now_us();
		buf_reset(&p);
		buf_adds(&p, "{\"timestamp\":");
		numfmt_add_seconds(&p, now);
		buf_adds(&p, ",\"occasion\":");
		buf_add_json_str(&p, occasion, strlen(occasion), 1);
		buf_adds(&p, ",\"result\":");
		int r = profiler_cov_take(ps, now, &p);
		buf_addc(&p, '}');
		if (!r)
			r = buf_finish(&p);
		if (!r)
			r = call_event_raw(ps->session, "Profiler.preciseCoverageDeltaUpdate",
					      p.data, p.len);
		if (r && !rc)
			rc = r;
	}
	buf_clear(&p);
	return rc;
}

/* ---- commands ---- */

static struct profiler_session *profiler_of(struct call *c)
{
	return profiler_get(c->session);
}

static int profiler_enable(struct call *c)
{
	struct profiler_session *ps = profiler_of(c);
	if (!ps || !pagestate_get(c->session->target))
		return CDPM_ENOMEM;
	ps->enabled = 1;
	return call_reply(c, NULL);
}

static int profiler_disable(struct call *c)
{
	/* The running profile, the precise coverage and open console profiles
	 * are dropped without an event (docs/chrome.md §6.1-§6.2, 3.3). */
	struct profiler_session *ps = c->session->dom[SLOT_PROFILER];
	if (ps) {
		ps->enabled = 0;
		ps->profiling = 0;
		coverage_free(ps->cov);
		ps->cov = NULL;
		ps->triggered = 0;
		profiler_drop_consoles(ps);
	}
	return call_reply(c, NULL);
}

static int profiler_set_interval(struct call *c)
{
	struct profiler_session *ps = profiler_of(c);
	if (!ps)
		return CDPM_ENOMEM;
	if (ps->profiling)
		return call_error(c, CDP_SERVER_ERROR,
				  "Cannot change sampling interval when profiling.", NULL);
	ps->interval_us = json_integer_value(json_object_get(c->params, "interval"));
	return call_reply(c, NULL);
}

static int profiler_start(struct call *c)
{
	struct profiler_session *ps = profiler_of(c);
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!ps || !pt)
		return CDPM_ENOMEM;
	if (!ps->enabled)
		return call_error(c, CDP_SERVER_ERROR, "Profiler is not enabled", NULL);
	if (!ps->profiling) {
		/* A real start takes an id from the renderer's counter; a
		 * repeated one is a no-op and takes none (docs/chrome.md §6.4). */
		++pt->profile_ids;
		ps->profiling = 1;
		ps->start_us = clock_now_us();
	}
	return call_reply(c, NULL);
}

static int profiler_stop(struct call *c)
{
	struct profiler_session *ps = profiler_of(c);
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!ps || !pt)
		return CDPM_ENOMEM;
	if (!ps->profiling)
		return call_error(c, CDP_SERVER_ERROR, "No recording profiles found", NULL);
	struct buf b;
	call_reply_begin(c, &b);
	buf_adds(&b, "{\"profile\":");
	int rc = profiler_write(pt, ps->start_us, ps->interval_us, NULL, 0, &b);
	buf_addc(&b, '}');
	if (!rc)
		rc = buf_finish(&b);
	/* The profile is gone either way, as when V8 fails to build one. */
	ps->profiling = 0;
	if (rc) {
		buf_clear(&b);
		return rc;
	}
	return call_reply_end(c, &b);
}

static int profiler_reply_timestamp(struct call *c, int64_t now)
{
	struct buf b;
	call_reply_begin(c, &b);
	buf_adds(&b, "{\"timestamp\":");
	numfmt_add_seconds(&b, now);
	buf_addc(&b, '}');
	return call_reply_end(c, &b);
}

static int profiler_start_coverage(struct call *c)
{
	struct profiler_session *ps = profiler_of(c);
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!ps || !pt)
		return CDPM_ENOMEM;
	if (!ps->enabled)
		return call_error(c, CDP_SERVER_ERROR, "Profiler is not enabled", NULL);
	unsigned flags = 0;
	if (json_is_true(json_object_get(c->params, "callCount")))
		flags |= COVERAGE_CALL_COUNT;
	if (json_is_true(json_object_get(c->params, "detailed")))
		flags |= COVERAGE_DETAILED;
	int rc;
	int64_t now = clock_now_us();
	if (ps->cov) {
		/* Already started: later takes report the new way. */
		profiler_cov_advance(ps->cov, &ps->cov_us, now);
		rc = coverage_set_flags(ps->cov, flags);
	} else {
		uint64_t seed = pt->seed ^ PROFILER_SEED_COVERAGE ^
				(++pt->profiles * UINT64_C(0x94d049bb133111eb));
		rc = coverage_new(seed, flags, pt->scripts, &ps->cov);
		ps->cov_us = now;
	}
	if (rc)
		return rc;
	ps->triggered = json_is_true(json_object_get(c->params, "allowTriggeredUpdates"));
	return profiler_reply_timestamp(c, now);
}

static int profiler_take_coverage(struct call *c)
{
	struct profiler_session *ps = profiler_of(c);
	if (!ps)
		return CDPM_ENOMEM;
	if (!ps->cov)
		return call_error(c, CDP_SERVER_ERROR, "Precise coverage has not been started.",
				  NULL);
	struct buf b;
	int64_t now = clock_now_us();
	call_reply_begin(c, &b);
	buf_adds(&b, "{\"result\":");
	int rc = profiler_cov_take(ps, now, &b);
	buf_adds(&b, ",\"timestamp\":");
	numfmt_add_seconds(&b, now);
	buf_addc(&b, '}');
	if (!rc)
		rc = buf_finish(&b);
	if (rc) {
		buf_clear(&b);
		return rc;
	}
	return call_reply_end(c, &b);
}

static int profiler_stop_coverage(struct call *c)
{
	struct profiler_session *ps = profiler_of(c);
	if (!ps)
		return CDPM_ENOMEM;
	if (!ps->enabled)
		return call_error(c, CDP_SERVER_ERROR, "Profiler is not enabled", NULL);
	coverage_free(ps->cov);
	ps->cov = NULL;
	ps->triggered = 0;
	return call_reply(c, NULL);
}

/* getBestEffortCoverage works in any state.  Without precise coverage it
 * reports what the page ran since its document loaded. */
static int profiler_best_effort(struct call *c)
{
	struct profiler_session *ps = profiler_of(c);
	struct pagestate *pt = pagestate_get(c->session->target);
	if (!ps || !pt)
		return CDPM_ENOMEM;
	struct coverage *tmp = NULL;
	const struct coverage *cov = ps->cov;
	int rc = 0;
	int64_t now = clock_now_us();
	if (cov) {
		profiler_cov_advance(ps->cov, &ps->cov_us, now);
	} else {
		rc = coverage_new(pt->seed ^ PROFILER_SEED_BEST_EFFORT, 0, pt->scripts, &tmp);
		int64_t since = pt->at_us[PAGESTATE_COMMIT];
		if (!rc)
			profiler_cov_advance(tmp, &since, now);
		cov = tmp;
	}
	struct buf b;
	buf_init(&b, 0);
	if (!rc) {
		call_reply_begin(c, &b);
		buf_adds(&b, "{\"result\":");
		rc = coverage_best_effort(cov, &b);
		buf_addc(&b, '}');
		if (!rc)
			rc = buf_finish(&b);
	}
	coverage_free(tmp);
	if (rc) {
		buf_clear(&b);
		return rc;
	}
	return call_reply_end(c, &b);
}

static const struct method profiler_methods[] = {
    {"disable", profiler_disable},
    {"enable", profiler_enable},
    {"getBestEffortCoverage", profiler_best_effort},
    {"setSamplingInterval", profiler_set_interval},
    {"start", profiler_start},
    {"startPreciseCoverage", profiler_start_coverage},
    {"stop", profiler_stop},
    {"stopPreciseCoverage", profiler_stop_coverage},
    {"takePreciseCoverage", profiler_take_coverage},
};

const struct domain profiler_domain = {
	.name = "Profiler",
	.targets = TARGET_PAGE,
	.methods = profiler_methods,
	.n_methods = CDPM_ARRAY_LEN(profiler_methods),
	.session_gone = profiler_session_gone,
};
