/* pagestate.h - the renderer side of a page target, as the page-shell
 * domains (Page, Runtime, Profiler, Debugger) all read it: the current
 * document's loaderId and lifecycle times, its execution contexts, the
 * seeded script set, the renderer-wide id counters, and the isolated worlds
 * sessions asked new documents to have.  A model only: it sends nothing and
 * calls none of the domains, so each of them can build on it.  Not the
 * target registry (targets.c). */
#ifndef CDPM_PAGESTATE_H
#define CDPM_PAGESTATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "gen/scripts.h"
#include "rng.h"
#include "sha256.h"

struct session;
struct target;

#define PAGESTATE_MAX_CONTEXTS 64 /* execution contexts per document (cap) */
#define PAGESTATE_MAX_WORLDS 16	  /* addScriptToEvaluateOnNewDocument worlds per session */
#define PAGESTATE_MAX_HISTORY 50  /* session history entries (Chrome keeps 50) */

/* A session history entry (Page.NavigationEntry). */
struct pagestate_entry {
	int id;
	char *url; /* owned */
};

/* An execution context of the current document (Runtime.ExecutionContext). */
struct pagestate_context {
	int id;
	char name[256];	    /* "" for the main world (longer names are cut) */
	char unique_id[48]; /* "N.N", as V8 prints it */
	int is_default;
};

/* Lifecycle points of the current document, in µs on the monotonic clock. */
enum pagestate_point {
	PAGESTATE_INIT,
	PAGESTATE_COMMIT,
	PAGESTATE_DCL,
	PAGESTATE_LOAD,
	PAGESTATE_NET_ALMOST_IDLE,
	PAGESTATE_NET_IDLE,
	PAGESTATE_POINTS,
};

struct pagestate {
	struct target *target; /* borrowed: freed right after target_gone */
	uint64_t seed;	       /* from --seed and the target's creation order */
	struct rng rng;	       /* loaderIds, uniqueIds and debuggerIds */
	char loader_id[33];    /* the current document's */
	char debugger_id[48];  /* Debugger.enable's debuggerId: one per isolate */
	int64_t at_us[PAGESTATE_POINTS];
	struct scripts *scripts; /* the page's JS, shared by profiles and coverage */
	/* Execution contexts (Runtime reports them) */
	struct pagestate_context ctx[PAGESTATE_MAX_CONTEXTS];
	size_t nctx;
	int next_context_id;	 /* last id handed out */
	unsigned next_script_id; /* scriptId of the next Runtime.evaluate */
	/* Profiler ids */
	unsigned profile_ids; /* last Profiler.start / console.profile id handed out */
	uint64_t profiles;    /* profiles generated: part of each profile's seed */
	/* Runtime remote objects (objectIds) and thrown exceptions */
	unsigned next_object_id;
	unsigned exception_ids;
	/* What Emulation set: 0 means Chrome's headless window, 800 x 600 at
	 * scale 1; bg_set: a default background colour override (RGBA). */
	uint32_t vp_width, vp_height;
	double vp_scale;
	int bg_set;
	uint8_t bg[4];
	/* For Performance.getMetrics */
	int64_t created_us; /* when the renderer state was made */
	unsigned documents; /* documents committed, the first included */
	char (*script_hash)[SHA256_HEX]; /* per script, filled on first use */
	/* Session history: entries oldest first, the current one's index */
	struct pagestate_entry history[PAGESTATE_MAX_HISTORY];
	size_t nhistory, current;
	int next_entry_id;
	struct pagestate *next;
};

/* pagestate_get() - the renderer state of page target t, created on first
 * use: the current document counts as loaded then, and has its main world
 * and the worlds t's sessions registered (pagestate_document_contexts()).
 * Owned here and kept until pagestate_target_gone(t).  NULL on ENOMEM, or
 * when t is closed. */
struct pagestate *pagestate_get(struct target *t);

/* pagestate_target_gone() - frees t's state, if any: the Page domain's
 * target_gone hook, since the state lives exactly as long as the page. */
void pagestate_target_gone(struct target *t);

/* pagestate_each_session() - iterates the sessions attached to t, in
 * connection order and then attach order: pass NULL to start. */
struct session *pagestate_each_session(struct target *t, struct session *prev);

/* pagestate_mark_loaded() - the current document reached every lifecycle
 * point now: there is no network to wait for. */
void pagestate_mark_loaded(struct pagestate *pt);

/* pagestate_next_loader() - a navigation's new loaderId, drawn from pt's
 * rng into pt->loader_id. */
void pagestate_next_loader(struct pagestate *pt);

/* pagestate_context_new() - adds an execution context to pt's current
 * document (name "" and is_default for the main world) with the next id and
 * a fresh uniqueId.  Announcing it is left to the Runtime domain.
 * *out (may be NULL) borrows the context until the next navigation.
 * CDPM_ETOOBIG past PAGESTATE_MAX_CONTEXTS. */
int pagestate_context_new(struct pagestate *pt, const char *name, int is_default,
			  const struct pagestate_context **out);

/* pagestate_document_contexts() - the contexts a new document starts with:
 * its main world, then one isolated world per distinct name that t's
 * sessions registered (pagestate_world_add()) and pt does not have yet.
 * Those past the cap are not made.  The new ones are pt->ctx[n..nctx),
 * where n is nctx before the call. */
void pagestate_document_contexts(struct pagestate *pt);

/* The parts of a page URL the frame and its contexts report. */
struct pagestate_url {
	char origin[256];   /* securityOrigin; "://" for opaque origins */
	char domain[128];   /* domainAndRegistry */
	int localhost;	    /* securityOriginDetails.isLocalhost */
	const char *secure; /* secureContextType, static */
};

/* pagestate_url() - fills u from url, as url::Origin would see it (a
 * default port dropped, the host lowercased; no public suffix list).
 * Never fails: anything but an http(s) or ws(s) URL is an opaque origin. */
void pagestate_url(const char *url, struct pagestate_url *u);

/* pagestate_url_canon() - what GURL makes of a URL Page.navigate was
 * given, into out (reset first): surrounding spaces and control characters
 * trimmed, tabs and line breaks dropped, the scheme lowercased; for http,
 * https, ws, wss and ftp the host lowercased, a default port dropped, "/"
 * for an empty path and spaces in the path escaped as %20.  Returns 0,
 * CDPM_EINVAL when the URL is invalid (no scheme, or a web scheme with no
 * host or a space in it), or out's error. */
int pagestate_url_canon(const char *url, struct buf *out);

/* A data: URL taken apart (RFC 2397, as Chrome's net::DataURL reads it). */
struct pagestate_data_url {
	char mime[128];	   /* lowercased; "text/plain" when none is given */
	char charset[64];  /* "" when none is given */
	char type[256];	   /* the media type as written, for Content-Type */
	int base64;	   /* ";base64" */
	const char *data;  /* borrowed: the part after the comma */
};

/* pagestate_data_url() - 1 and u filled when url is a data: URL with a
 * comma, else 0. */
int pagestate_data_url(const char *url, struct pagestate_data_url *u);

/* pagestate_document_body() - the bytes of the document at url, appended
 * to out: a data: URL's payload, percent- or base64-decoded; nothing for
 * any other URL (there is no network).  *mime (may be NULL) gets the
 * document's MIME type (static or borrowed from u's storage the caller
 * passes in; "text/html" for non-data URLs).  0, CDPM_EINVAL for bad
 * base64, or out's error. */
int pagestate_document_body(const char *url, struct pagestate_data_url *u, struct buf *out);

/* pagestate_script_hash() - the SHA-256 V8 reports for script index si of
 * pt's set (scripts_source()), computed once.  NULL on ENOMEM. */
const char *pagestate_script_hash(struct pagestate *pt, uint32_t si);

/* pagestate_history_push() - a new navigation to url: the entries after
 * the current one go, url's entry is added and becomes current (the
 * oldest goes when there are PAGESTATE_MAX_HISTORY).  0 or CDPM_ENOMEM
 * (the history is left as it was). */
int pagestate_history_push(struct pagestate *pt, const char *url);

/* pagestate_world_add() - session s asked, through
 * Page.addScriptToEvaluateOnNewDocument {worldName}, for an isolated world
 * named name in every new document of its page.  A name s has already
 * asked for is not added again.  0, CDPM_ENOMEM, or CDPM_ETOOBIG when s has
 * PAGESTATE_MAX_WORLDS names already. */
int pagestate_world_add(struct session *s, const char *name);

/* pagestate_worlds() - the world names s registered; *n receives the
 * count.  Borrowed until s goes away.  NULL when none. */
const char *const *pagestate_worlds(const struct session *s, size_t *n);

/* pagestate_session_gone() - frees what s registered: the Page domain's
 * session_gone hook calls it. */
void pagestate_session_gone(struct session *s);

#endif
