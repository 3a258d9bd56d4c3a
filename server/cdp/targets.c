/* targets.c - targets and sessions (see targets.h). */
#include "cdp/targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cdp/attach.h"
#include "cdpm.h"
#include "journal.h"
#include "net/conn.h"
#include "cdp/router.h"
#include "server.h"

static struct target *targets_all; /* the browser and the pages, newest first */
static struct target *targets_tabs; /* the tabs, newest first */
static struct target *targets_the_browser;
static struct bcontext *targets_ctx; /* oldest first */

/* Most page commands one session may have unanswered (a scenario that
 * holds commands): past it the oldest id is forgotten. */
enum { TARGETS_MAX_INFLIGHT = 4096 };

static void targets_hex(char *out, size_t digits, int upper)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	for (size_t i = 0; i < digits; i++)
		out[i] = hex[rng_below(&server.rng, 16)];
	out[digits] = '\0';
}

void session_new_id(char out[33])
{
	targets_hex(out, 32, 1);
}

static void targets_free(struct target *t)
{
	free(t->url);
	free(t->title);
	free(t);
}

/* Frees the closed pages: nothing points at them any more (their sessions
 * and page sockets went with targets_close()), and a client that opens and
 * closes pages in a loop must not grow the server. */
static void targets_reap_list(struct target **list)
{
	for (struct target **pp = list; *pp;) {
		struct target *t = *pp;
		if (t->closed) {
			*pp = t->next;
			targets_free(t);
		} else {
			pp = &t->next;
		}
	}
}

static void targets_reap(void)
{
	targets_reap_list(&targets_all);
	targets_reap_list(&targets_tabs);
}

/* A tab's id: its page's id through a fixed permutation of the hex
 * digits, so that making tabs draws nothing from the rng. */
static void targets_tab_id(char *out, const char *page_id)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	for (i = 0; page_id[i]; i++) {
		const char *d = strchr(hex, page_id[i]);
		unsigned v = d ? (unsigned)(d - hex) : 0;
		out[i] = hex[(v * 7 + 3) & 15];
	}
	out[i] = '\0';
}

static struct target *targets_add_tab(struct target *page)
{
	struct target *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->type = TARGET_TAB;
	t->url = strdup("");
	t->title = strdup("");
	if (!t->url || !t->title) {
		targets_free(t);
		return NULL;
	}
	targets_tab_id(t->id, page->id);
	memcpy(t->context_id, page->context_id, sizeof(t->context_id));
	t->seq = page->seq;
	t->announced = 1;
	t->tab = page;
	page->tab = t;
	t->next = targets_tabs;
	targets_tabs = t;
	return t;
}

static struct target *targets_add(enum target_type type, const char *url,
				  const struct bcontext *ctx)
{
	struct target *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->type = type;
	t->url = strdup(url);
	t->title = strdup("");
	if (!t->url || !t->title) {
		targets_free(t);
		return NULL;
	}
	if (type == TARGET_BROWSER) {
		/* A lowercase 8-4-4-4-12 uuid, as in the DevTools banner. */
		char h[33];
		targets_hex(h, 32, 0);
		snprintf(t->id, sizeof(t->id), "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12,
			 h + 16, h + 20);
	} else {
		targets_hex(t->id, 32, 1);
	}
	if (ctx)
		memcpy(t->context_id, ctx->id, sizeof(t->context_id));
	else if (targets_the_browser)
		memcpy(t->context_id, targets_the_browser->context_id, sizeof(t->context_id));
	else
		targets_hex(t->context_id, 32, 1);
	t->seq = server.next_target_seq++;
	if (type == TARGET_PAGE && !targets_add_tab(t)) {
		targets_free(t);
		return NULL;
	}
	t->next = targets_all;
	targets_all = t;
	return t;
}

/* The initial pages.  They are listed as /json/list shows them, newest
 * first, so they are created from the last one. */
static int targets_pages(const struct target_page *pages, size_t n_pages)
{
	size_t n = pages ? n_pages : 1;
	for (size_t i = n; i-- > 0;) {
		const char *url = pages ? pages[i].url : "about:blank";
		if (i == 0 && server.opts.url)
			url = server.opts.url;
		struct target *t = targets_new_page(url);
		if (!t)
			return CDPM_ENOMEM;
		if (pages && pages[i].title) {
			char *title = strdup(pages[i].title);
			if (!title)
				return CDPM_ENOMEM;
			free(t->title);
			t->title = title;
		}
	}
	return 0;
}

/* A page is gone: the domains drop what they kept for it (its sessions
 * are gone already). */
static void targets_gone(struct target *t)
{
	size_t nd;
	const struct domain *const *d = router_domains(&nd);
	for (size_t i = 0; i < nd; i++)
		if (d[i]->target_gone)
			d[i]->target_gone(t);
}

int targets_init(const struct target_page *pages, size_t n)
{
	targets_the_browser = targets_add(TARGET_BROWSER, "", NULL);
	if (!targets_the_browser)
		return CDPM_ENOMEM;
	server.rng_pages = server.rng;
	server.next_page_seq = server.next_target_seq;
	return targets_pages(pages, n);
}

void targets_reseed(uint64_t seed)
{
	/* The same draws targets_add() makes for the browser: its uuid, then
	 * its browserContextId. */
	char tmp[33];
	rng_init(&server.rng, seed);
	targets_hex(tmp, 32, 0);
	targets_hex(tmp, 32, 1);
	server.rng_pages = server.rng;
}

/* Sessions still attached to t (a pipe's flat sessions) go silently. */
static void targets_drop_sessions(struct target *t)
{
	for (struct conn *c = conn_list(); c; c = c->next)
		for (struct session *s = c->sessions, *nx; s; s = nx) {
			nx = s->next;
			if (s->target == t && s->id[0])
				session_free(s);
		}
}

static void targets_contexts_free(void)
{
	while (targets_ctx) {
		struct bcontext *x = targets_ctx;
		targets_ctx = x->next;
		free(x);
	}
}

int targets_reset(const struct target_page *pages, size_t n)
{
	for (struct target *t = targets_all; t; t = t->next) {
		if (t->type == TARGET_BROWSER || t->closed)
			continue;
		/* The scenario starts over: no events. */
		t->closed = 1;
		targets_drop_sessions(t);
		targets_gone(t);
		if (t->tab && !t->tab->closed) {
			t->tab->closed = 1;
			targets_drop_sessions(t->tab);
		}
	}
	targets_reap();
	targets_contexts_free();
	server.rng = server.rng_pages;
	server.next_target_seq = server.next_page_seq;
	return targets_pages(pages, n);
}

void targets_fini(void)
{
	struct target *t = targets_all, *n;
	for (t = targets_all; t; t = t->next)
		if (t->type != TARGET_BROWSER && !t->closed)
			targets_gone(t);
	for (t = targets_all; t; t = n) {
		n = t->next;
		targets_free(t);
	}
	for (t = targets_tabs; t; t = n) {
		n = t->next;
		targets_free(t);
	}
	targets_all = NULL;
	targets_tabs = NULL;
	targets_the_browser = NULL;
	targets_contexts_free();
}

struct target *targets_browser(void)
{
	return targets_the_browser;
}

struct target *targets_next(struct target *prev)
{
	struct target *t = prev ? prev->next : targets_all;
	while (t && t->closed)
		t = t->next;
	return t;
}

struct target *targets_find(const char *id)
{
	for (struct target *t = targets_next(NULL); t; t = targets_next(t))
		if (!strcmp(t->id, id))
			return t;
	for (struct target *t = targets_tabs; t; t = t->next)
		if (!t->closed && !strcmp(t->id, id))
			return t;
	return NULL;
}

unsigned targets_tab_index(const struct target *tab)
{
	unsigned n = 0;
	for (struct target *t = targets_tabs; t; t = t->next)
		n += !t->closed && t->seq < tab->seq && !strcmp(t->context_id, tab->context_id);
	return n;
}

struct target *targets_first_page(void)
{
	for (struct target *t = targets_next(NULL); t; t = targets_next(t))
		if (t->type == TARGET_PAGE)
			return t;
	return NULL;
}

int targets_room(void)
{
	size_t open = 0;
	for (struct target *t = targets_all; t; t = t->next)
		open += t->type == TARGET_PAGE && !t->closed;
	if (!server.opts.max_targets || open < server.opts.max_targets)
		return 0;
	journal_note(0, "%zu pages are open; no more (--max-targets)", open);
	return CDPM_ETOOBIG;
}

struct target *targets_new_page_in(const char *url, const struct bcontext *ctx)
{
	return targets_add(TARGET_PAGE, url ? url : "about:blank", ctx);
}

struct target *targets_new_page(const char *url)
{
	return targets_new_page_in(url, NULL);
}

int targets_display_title(const struct target *t, struct buf *out)
{
	if (t->title[0])
		return buf_adds(out, t->title);
	/* No <title>: Chrome shows the URL, HTML-escaped. */
	for (const char *p = t->url; *p; p++) {
		switch (*p) {
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '&': buf_adds(out, "&amp;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		default: buf_addc(out, *p);
		}
	}
	return out->data ? 0 : buf_adds(out, "");
}

/* One target of a closing tab: its page, then the tab itself. */
#define TARGETS_GONE "{\"reason\":\"Render process gone.\"}"
static void targets_close_one(struct target *t, int blank)
{
	int was_attached = attach_is_attached(t);
	if (t->type == TARGET_PAGE)
		for (struct conn *c = conn_list(); c; c = c->next)
			for (struct session *s = c->sessions; s; s = s->next)
				if (s->target == t && s->id[0])
					call_event_raw(s, "Inspector.detached", TARGETS_GONE,
						       strlen(TARGETS_GONE));
	if (was_attached)
		attach_send_info(t, "Target.targetInfoChanged",
				 ATTACH_INFO_DETACHED | (blank ? ATTACH_INFO_BLANK : 0));
	t->closed = 1;
	for (struct conn *c = conn_list(); c; c = c->next) {
		if (c->page == t) {
			/* Its sessions go now, not when the socket is reaped, so
			 * nothing of the page outlives targets_gone() below. */
			session_close_all(c);
			c->page = NULL;
			conn_drop(c, 0);
			continue;
		}
		struct session *s = c->sessions, *n;
		for (; s; s = n) {
			n = s->next;
			if (s->target != t || !s->id[0])
				continue;
			struct buf p;
			buf_init(&p, 0);
			buf_printf(&p, "{\"sessionId\":\"%s\",\"targetId\":\"%s\"}", s->id, t->id);
			call_event_raw(s->parent ? s->parent : c->sessions,
				       "Target.detachedFromTarget", p.data, p.len);
			buf_clear(&p);
			session_free(s);
		}
	}
	attach_send_destroyed(t);
	if (t->type == TARGET_PAGE)
		targets_gone(t);
}

void targets_close_how(struct target *t, int blank)
{
	struct target *page = t->type == TARGET_TAB ? t->tab : t;
	struct target *tab = t->type == TARGET_TAB ? t : t->tab;
	if (page && !page->closed)
		targets_close_one(page, blank);
	if (tab && !tab->closed)
		targets_close_one(tab, blank);
	targets_reap();
}

void targets_close(struct target *t)
{
	targets_close_how(t, 1);
}

struct bcontext *targets_context_new(struct conn *owner)
{
	struct bcontext *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	targets_hex(x->id, 32, 1);
	x->owner = owner;
	struct bcontext **pp = &targets_ctx;
	while (*pp)
		pp = &(*pp)->next;
	*pp = x;
	return x;
}

struct bcontext *targets_context_find(const char *id)
{
	for (struct bcontext *x = targets_ctx; x; x = x->next)
		if (!strcmp(x->id, id))
			return x;
	return NULL;
}

struct bcontext *targets_contexts(void)
{
	return targets_ctx;
}

void targets_context_dispose(struct bcontext *ctx)
{
	for (struct target *t = targets_next(NULL); t;) {
		if (t->type == TARGET_PAGE && !strcmp(t->context_id, ctx->id)) {
			targets_close_how(t, 0);
			t = targets_next(NULL); /* t is freed: start over */
		} else {
			t = targets_next(t);
		}
	}
	for (struct bcontext **pp = &targets_ctx; *pp; pp = &(*pp)->next)
		if (*pp == ctx) {
			*pp = ctx->next;
			break;
		}
	free(ctx);
}

void targets_conn_gone(struct conn *c)
{
	for (struct bcontext *x = targets_ctx; x;) {
		if (x->owner == c) {
			targets_context_dispose(x);
			x = targets_ctx;
		} else {
			x = x->next;
		}
	}
}

int session_open_root(struct conn *c)
{
	/* A page socket's root session is the page; every other connection
	 * (the browser socket, the pipe) is the browser's. */
	return session_new(c, c->page ? c->page : targets_browser(), 1) ? 0 : CDPM_ENOMEM;
}

void session_close_all(struct conn *c)
{
	while (c->sessions)
		session_free(c->sessions);
	targets_conn_gone(c);
}

struct session *session_new(struct conn *c, struct target *t, int root)
{
	struct session *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (!root)
		session_new_id(s->id);
	s->conn = c;
	s->target = t;
	/* The root session stays first; children follow in attach order. */
	struct session **pp = &c->sessions;
	while (*pp)
		pp = &(*pp)->next;
	*pp = s;
	return s;
}

struct session *session_find(struct conn *c, const char *id)
{
	if (!id || !*id)
		return c->sessions;
	for (struct session *s = c->sessions; s; s = s->next)
		if (s->id[0] && !strcmp(s->id, id))
			return s;
	return NULL;
}

void session_free(struct session *s)
{
	size_t n;
	const struct domain *const *d = router_domains(&n);
	for (size_t i = 0; i < n; i++)
		if (d[i]->session_gone)
			d[i]->session_gone(s);
	for (struct session **pp = &s->conn->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	for (struct session *k = s->conn->sessions; k; k = k->next)
		if (k->parent == s)
			k->parent = NULL;
	free(s->inflight);
	free(s);
}

int session_inflight_add(struct session *s, int id)
{
	for (size_t i = 0; i < s->n_inflight; i++)
		if (s->inflight[i] == id)
			return 1;
	if (s->n_inflight == TARGETS_MAX_INFLIGHT) {
		memmove(s->inflight, s->inflight + 1, (s->n_inflight - 1) * sizeof(int));
		s->n_inflight--;
	}
	if (s->n_inflight == s->cap_inflight) {
		size_t cap = s->cap_inflight ? 2 * s->cap_inflight : 8;
		int *p = realloc(s->inflight, cap * sizeof(int));
		if (!p)
			return 0; /* unrecorded: a duplicate then just runs */
		s->inflight = p;
		s->cap_inflight = cap;
	}
	s->inflight[s->n_inflight++] = id;
	return 0;
}

void session_inflight_done(struct session *s, int id)
{
	for (size_t i = 0; i < s->n_inflight; i++)
		if (s->inflight[i] == id) {
			s->inflight[i] = s->inflight[--s->n_inflight];
			return;
		}
}
