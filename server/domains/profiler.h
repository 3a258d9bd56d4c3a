/* profiler.h - what other modules may ask of the Profiler domain
 * (domains/profiler.c): console.profile / console.profileEnd as the page's
 * JavaScript would run them, and coverage delta updates at page lifecycle
 * points.  Runtime.evaluate, navigations and scenario timelines use these;
 * the Profiler.* commands themselves are not exported. */
#ifndef CDPM_PROFILER_H
#define CDPM_PROFILER_H

#include <stdint.h>

struct session;
struct target;

/* Where a console.profile call sits, as the events print it: Chrome's
 * location here is 1-based in both line and column (docs/chrome.md §6.4). */
struct profiler_location {
	const char *script_id; /* NULL: a fresh scriptId, as a new evaluate gets */
	int32_t line, column;  /* 1-based */
};

/* The size of a console profile's Profile; 0 fields take the scenario's
 * profiler knobs (then the generator's defaults). */
struct profiler_size {
	uint32_t nodes;
	uint32_t depth;
	int64_t duration_us; /* > 0: the profile covers this long, not the clock */
	int empty;	     /* root only and "samples":[] */
};

/* profiler_running() - 1 while session s has a Profiler.start recording. */
int profiler_running(const struct session *s);

/* profiler_console_start() - console.profile(title) on page t: every
 * session attached to t with Profiler enabled starts a console profile with
 * its own id from t's renderer-wide counter and gets
 * Profiler.consoleProfileStarted.  title NULL or "" means "default"; loc
 * NULL means line 1, column 9 of a fresh script.  Sessions without Profiler
 * get nothing.  0, or CDPM_ENOMEM (events to some sessions may be lost). */
int profiler_console_start(struct target *t, const char *title,
			   const struct profiler_location *loc);

/* profiler_console_end() - console.profileEnd(title) on page t: in every
 * Profiler-enabled session, the oldest open console profile with that
 * title (title NULL: the newest one of any title) is finished and
 * Profiler.consoleProfileFinished sent with a generated profile of the
 * given size (NULL: from the clock and the scenario).  Sessions with no
 * such profile get nothing.  0, or CDPM_ENOMEM / CDPM_ETOOBIG. */
int profiler_console_end(struct target *t, const char *title, const struct profiler_location *loc,
			 const struct profiler_size *size);

/* profiler_coverage_update() - a page lifecycle point named occasion
 * ("DomContentLoaded", "firstPaint", ...): every session of t that runs
 * precise coverage with allowTriggeredUpdates gets
 * Profiler.preciseCoverageDeltaUpdate with the deltas since its last take,
 * which are consumed.  0, or CDPM_ENOMEM / CDPM_ETOOBIG. */
int profiler_coverage_update(struct target *t, const char *occasion);

#endif
