/* page.h - the renderer side of a page target as the page-shell domains
 * (Page, Runtime, Profiler, Debugger) share it: the current document's
 * loaderId and lifecycle times, execution contexts, the seeded script set,
 * the renderer-wide id counters.  Defined in domains/page.c, which also
 * runs navigations.  Not the target registry (targets.c). */
#ifndef CDPM_PAGE_H
#define CDPM_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "gen/scripts.h"
#include "rng.h"

struct session;
struct target;

#define PAGE_MAX_CONTEXTS 64 /* execution contexts per document (cap) */
#define PAGE_MAX_WORLDS 16   /* addScriptToEvaluateOnNewDocument worlds per session */

/* An execution context of the current document (Runtime.ExecutionContext). */
struct page_context {
	int id;
	char name[64];	    /* "" for the main world */
	char unique_id[48]; /* "N.N", as V8 prints it */
	int is_default;
};

/* Lifecycle points of the current document, in µs on the monotonic clock. */
enum page_point {
	PAGE_INIT,
	PAGE_COMMIT,
	PAGE_DCL,
	PAGE_LOAD,
	PAGE_NET_ALMOST_IDLE,
	PAGE_NET_IDLE,
	PAGE_POINTS,
};

struct page_target {
	struct target *target; /* borrowed: targets live until targets_fini() */
	uint64_t seed;	       /* from --seed and the target's creation order */
	struct rng rng;	       /* uniqueIds and debuggerIds */
	char loader_id[33];    /* the current document's */
	char debugger_id[48];  /* Debugger.enable's debuggerId: one per isolate */
	int64_t at_us[PAGE_POINTS];
	struct scripts *scripts; /* the page's JS, shared by profiles and coverage */
	/* Runtime (domains/runtime.c) */
	struct page_context ctx[PAGE_MAX_CONTEXTS];
	size_t nctx;
	int next_context_id;	 /* last id handed out */
	unsigned next_script_id; /* scriptId of the next Runtime.evaluate */
	/* Profiler (domains/profiler.c) */
	unsigned profile_ids; /* last Profiler.start / console.profile id handed out */
	uint64_t profiles;    /* profiles generated: part of each profile's seed */
	struct page_target *next;
};

/* page_target_get() - the renderer state of page target t, created on first
 * use (the current document counts as loaded then).  Owned by page.c and
 * kept until the target goes (the domain's target_gone hook).  NULL on
 * ENOMEM, or when t is closed. */
struct page_target *page_target_get(struct target *t);

/* page_each_session() - iterates the sessions attached to t, in connection
 * order and then attach order: pass NULL to start. */
struct session *page_each_session(struct target *t, struct session *prev);

/* page_add_seconds() - appends a time in µs as Chrome prints seconds: the
 * shortest decimal that reads back to the same double (505.019963).
 * Returns buf_finish(b): 0, or b's first append error. */
int page_add_seconds(struct buf *b, int64_t us);

/* page_add_frame() - appends the Page.Frame object of t's main frame;
 * returns buf_finish(b). */
int page_add_frame(struct buf *b, struct page_target *pt);

/* page_origin() - the security origin of url ("://" for about:blank and
 * other opaque origins) into out. */
void page_origin(const char *url, char *out, size_t n);

/* page_session_worlds() - the world names s registered with
 * Page.addScriptToEvaluateOnNewDocument; *n receives the count.  Borrowed
 * until s goes away.  NULL when none. */
const char *const *page_session_worlds(const struct session *s, size_t *n);

#endif
