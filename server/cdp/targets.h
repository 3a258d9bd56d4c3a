/* targets.h - the browser's targets (the browser itself and its pages) and
 * the sessions attached to them.  A session belongs to one connection; the
 * root session of a socket has the empty id.  Domain state hangs off the
 * session and is released through the router's domain hooks.  Not for the
 * Target.* command handlers (domains/target.c). */
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

struct target {
	char id[40];            /* browser: lowercase uuid; page: 32 uppercase hex */
	enum target_type type;
	char *url;
	char *title;            /* "" until the page "loads" */
	char context_id[33];    /* browserContextId */
	unsigned seq;           /* creation order; /json/list is newest first */
	int closed;
	struct target *next;
};

enum { SESSION_DOMAINS = 12 }; /* slots for per-session domain state */

struct session {
	char id[33];            /* 32 uppercase hex, or "" for a root session */
	struct conn *conn;
	struct target *target;
	struct session *next;   /* in the connection's list */
	void *dom[SESSION_DOMAINS];
	int auto_attach;        /* Target.setAutoAttach on this session */
	int discover;           /* Target.setDiscoverTargets on this session */
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
/* targets_new_page() - creates a page at url (NULL: about:blank). */
struct target *targets_new_page(const char *url);
/* targets_close() - closes a page: detaches its sessions (telling each parent
 * with Target.detachedFromTarget), drops page sockets, sends targetDestroyed
 * to discovering sessions, and frees it: t is invalid afterwards. */
void targets_close(struct target *t);
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
/* session_free() - runs the domains' session_gone hooks, unlinks, frees. */
void session_free(struct session *s);
/* session_new_id() - 32 uppercase hex digits from the seeded rng. */
void session_new_id(char out[33]);

#endif
