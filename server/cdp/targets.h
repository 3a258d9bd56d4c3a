/* targets.h - the browser's targets (the browser itself, its tabs and the
 * page in each tab), its browser contexts, and the sessions attached to
 * them.  A session belongs to one connection; the root session of a socket
 * has the empty id.  Domain state hangs off the session and is released
 * through the router's domain hooks.  The events that creating, attaching
 * and closing send are attach.c's; the Target.* command handlers are
 * domains/target.c.  docs/chrome.md §5 describes the model. */
#ifndef CDPM_TARGETS_H
#define CDPM_TARGETS_H

#include <stddef.h>
#include <stdint.h>

struct conn;

enum target_type { TARGET_BROWSER = 1, TARGET_PAGE = 2, TARGET_TAB = 4 };

/* A page to create at start and on reset (a scenario's "targets"). */
struct target_page {
	const char *url;
	const char *title;       /* NULL: none (Chrome shows the URL) */
};

/* A target.  Every page lives in a tab, as in Chrome 156: the tab is a
 * second target (type "tab") whose id is derived from its page's, so tabs
 * draw nothing from the rng and page ids stay what a seed gives.  Tabs are
 * not in the list targets_next() walks (the browser and the pages); reach
 * a tab through its page, or by id with targets_find(). */
struct target {
	char id[40];            /* browser: lowercase uuid; page, tab: 32 uppercase hex */
	enum target_type type;
	char *url;              /* a tab shows its page's url and title instead */
	char *title;            /* "" until the page "loads" */
	char context_id[33];    /* browserContextId */
	unsigned seq;           /* creation order; /json/list is newest first */
	int closed;
	int announced;          /* tab: its page was announced (url shown) */
	struct target *tab;     /* page: its tab; tab: its page */
	struct target *next;
};

enum { SESSION_DOMAINS = 12 }; /* slots for per-session domain state */

struct session {
	char id[33];            /* 32 uppercase hex, or "" for a root session */
	struct conn *conn;
	struct target *target;
	struct session *next;   /* in the connection's list */
	struct session *parent; /* the session it was attached through (NULL:
				 * a root session, or its parent went) */
	void *dom[SESSION_DOMAINS];
	int auto_attach;        /* Target.setAutoAttach on this session */
	int wait_on_start;      /* ... with waitForDebuggerOnStart */
	unsigned attach_allow;  /* TARGET_* bits its auto-attach filter admits */
	int auto_child;         /* attached by its parent's auto-attach */
	int discover;           /* Target.setDiscoverTargets on this session */
	unsigned discover_allow; /* TARGET_* bits its discovery filter admits */
	int *inflight;          /* ids of its page commands not answered yet */
	size_t n_inflight, cap_inflight;
};

/* A browser context made by Target.createBrowserContext (the default
 * context is the browser target's context_id and is not listed). */
struct bcontext {
	char id[33];
	struct conn *owner;     /* disposeOnDetach: disposed when it closes */
	struct bcontext *next;
};

/* targets_init() - creates the browser target and pages[0..n) (pages NULL:
 * one about:blank page; server.opts.url replaces the first URL) from the rng
 * (ids are reproducible with --seed).  pages is copied.  0 or CDPM_ENOMEM. */
int targets_init(const struct target_page *pages, size_t n);
/* targets_reset() - closes every page and creates pages[0..n) again with
 * the ids a fresh start would give them; the browser target stays.
 * Connections must have been dropped first (their sessions freed).  0 or
 * CDPM_ENOMEM. */
int targets_reset(const struct target_page *pages, size_t n);
/* targets_reseed() - a new seed for the pages targets_reset() creates (the
 * browser target keeps its id): the rng is positioned where a fresh start
 * with that seed would have it after creating the browser target. */
void targets_reseed(uint64_t seed);
/* targets_fini() - frees every target.  Sessions must be gone already. */
void targets_fini(void);

struct target *targets_browser(void);
/* targets_find() - a live target by id, or NULL.  Borrowed. */
struct target *targets_find(const char *id);
/* targets_each() - iterates live targets newest first: pass NULL to start. */
struct target *targets_next(struct target *prev);
/* targets_first_page() - the newest live page, or NULL. */
struct target *targets_first_page(void);
/* targets_room() - 0 when one more page may open, or CDPM_ETOOBIG (noted in
 * the journal) when --max-targets pages are open already: the limit that
 * keeps PUT /json/new and Target.createTarget from growing memory without
 * end.  The callers answer the client. */
int targets_room(void);
/* targets_new_page() - creates a page at url (NULL: about:blank) in the
 * default context, with its tab.  No events (attach_announce() sends
 * them). */
struct target *targets_new_page(const char *url);
/* targets_new_page_in() - the same in browser context ctx (NULL: the
 * default one). */
struct target *targets_new_page_in(const char *url, const struct bcontext *ctx);
/* targets_close() - closes a page or a tab, and with it the other one:
 * the page first, then its tab.  For each: Inspector.detached on the
 * page's flat sessions, targetInfoChanged (attached:false) to discoverers
 * when it was attached, Target.detachedFromTarget to each session's
 * parent, targetDestroyed to discoverers; page sockets drop.  Both are
 * freed: t is invalid afterwards.  targets_close_how(): blank 1 (what
 * targets_close() does) shows an empty url and title in that last
 * TargetInfo, as after Target.closeTarget; a context's disposal keeps them
 * (blank 0). */
void targets_close_how(struct target *t, int blank);
void targets_close(struct target *t);

/* targets_tab_index() - a tab's tabStripIndex: how many older tabs its
 * context has. */
unsigned targets_tab_index(const struct target *tab);

/* Browser contexts.  targets_context_new() - a new context (owner: the
 * connection whose closing disposes of it, or NULL); NULL on ENOMEM.
 * targets_context_find() - by id, or NULL.  targets_contexts() - the
 * first, oldest first through ->next.  targets_context_dispose() - closes
 * its pages (targets_close_how(t, 0)) and frees it.
 * targets_conn_gone() - disposes of the contexts c owned (session_close_all
 * calls it). */
struct bcontext *targets_context_new(struct conn *owner);
struct bcontext *targets_context_find(const char *id);
struct bcontext *targets_contexts(void);
void targets_context_dispose(struct bcontext *ctx);
void targets_conn_gone(struct conn *c);
/* targets_display_title() - the title /json/list shows (title, else the URL
 * HTML-escaped), written into out. */
struct buf;
int targets_display_title(const struct target *t, struct buf *out);

/* session_open_root() - c speaks CDP now: gives it its root session, on the
 * page its path named (c->page) or else the browser.  0 or CDPM_ENOMEM. */
int session_open_root(struct conn *c);
/* session_close_all() - frees every session of c (it is going). */
void session_close_all(struct conn *c);

/* session_new() - attaches a new session to t on connection c; root sessions
 * get the empty id.  The connection owns it.  NULL on ENOMEM. */
struct session *session_new(struct conn *c, struct target *t, int root);
/* session_find() - a session of c by id ("" or NULL: the root). */
struct session *session_find(struct conn *c, const char *id);
/* session_free() - runs the domains' session_gone hooks, unlinks, frees.
 * Sessions attached through it lose their parent (they report to the
 * root from then on). */
void session_free(struct session *s);
/* session_inflight_add() - records command id as running on s: 0, or 1
 * when a command with that id is running there already (Chrome's
 * "Duplicate `id` in protocol request").  session_inflight_done() - the
 * reply to id went out. */
int session_inflight_add(struct session *s, int id);
void session_inflight_done(struct session *s, int id);
/* session_new_id() - 32 uppercase hex digits from the seeded rng. */
void session_new_id(char out[33]);

#endif
