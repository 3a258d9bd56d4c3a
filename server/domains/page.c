/* page.c - the Page domain of a page target, and the renderer state the
 * page-shell domains share (page.h): the main frame, its loaderId and
 * lifecycle, and navigations.  It models one main frame with no network and
 * no DOM: a navigation commits at once and runs its lifecycle to
 * networkIdle (docs/clients.md §5-§6).  Not the target registry (targets.c). */
#include "domains/page.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdpm.h"
#include "clock.h"
#include "net/conn.h"
#include "journal.h"
#include "domains/profiler.h"
#include "cdp/envelope.h"
#include "cdp/router.h"
#include "domains/runtime.h"
#include "server.h"
#include "cdp/slots.h"
#include "cdp/targets.h"

/* Per-session Page state (SLOT_PAGE). */
struct page_session {
	int enabled;		  /* Page.enable */
	int lifecycle;		  /* Page.setLifecycleEventsEnabled */
	unsigned next_identifier; /* addScriptToEvaluateOnNewDocument ids */
	char *worlds[PAGE_MAX_WORLDS];
	size_t nworlds;
};

/* Every live page target touched so far; each is freed when its target
 * goes (page_target_gone, the domain's target_gone hook). */
static struct page_target *page_targets;

static void page_target_gone(struct target *t)
{
	for (struct page_target **pp = &page_targets; *pp; pp = &(*pp)->next) {
		struct page_target *pt = *pp;
		if (pt->target != t)
			continue;
		*pp = pt->next;
		scripts_free(pt->scripts);
		free(pt);
		return;
	}
}

static void page_hex_id(struct rng *r, char out[33])
{
	static const char hex[] = "0123456789ABCDEF";
	for (int i = 0; i < 32; i++)
		out[i] = hex[rng_below(r, 16)];
	out[32] = '\0';
}

static void page_mark_loaded(struct page_target *pt)
{
	int64_t now = clock_now_us();
	for (int i = 0; i < PAGE_POINTS; i++)
		pt->at_us[i] = now;
}

struct page_target *page_target_get(struct target *t)
{
	struct page_target *pt;
	if (t->closed)
		return NULL;
	for (pt = page_targets; pt; pt = pt->next)
		if (pt->target == t)
			return pt;
	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return NULL;
	/* Everything a page generates follows from --seed and the order in
	 * which targets were created, so reruns give the same bytes. */
	pt->target = t;
	pt->seed = server.opts.seed ^ ((uint64_t)t->seq * UINT64_C(0x9e3779b97f4a7c15));
	rng_init(&pt->rng, pt->seed);
	if (scripts_new(pt->seed, &pt->scripts)) {
		free(pt);
		return NULL;
	}
	page_hex_id(&pt->rng, pt->loader_id);
	snprintf(pt->debugger_id, sizeof(pt->debugger_id), "%llu.%llu",
		 (unsigned long long)(rng_next(&pt->rng) >> 1),
		 (unsigned long long)(rng_next(&pt->rng) >> 1));
	/* Runtime.evaluate scripts come after the page's own. */
	pt->next_script_id = 3;
	if (pt->scripts->nscripts)
		pt->next_script_id =
		    (unsigned)strtoul(pt->scripts->script[pt->scripts->nscripts - 1].id, NULL, 10) +
		    1;
	page_mark_loaded(pt);
	pt->next = page_targets;
	page_targets = pt;
	runtime_document_created(pt);
	return pt;
}

struct session *page_each_session(struct target *t, struct session *prev)
{
	struct conn *c = prev ? prev->conn : conn_list();
	struct session *s = prev ? prev->next : c ? c->sessions : NULL;
	for (;;) {
		for (; s; s = s->next)
			if (s->target == t)
				return s;
		if (!c || !(c = c->next))
			return NULL;
		s = c->sessions;
	}
}

int page_add_seconds(struct buf *b, int64_t us)
{
	/* An integral number of µs divided by 1e6 always reads back from its
	 * six-decimal form, and no shorter decimal lands on the same double,
	 * so trimming trailing zeros gives the shortest round trip. */
	if (us < 0) {
		buf_addc(b, '-');
		us = -us;
	}
	buf_add_i64(b, us / 1000000);
	int64_t f = us % 1000000;
	if (!f)
		return buf_finish(b);
	char d[8];
	snprintf(d, sizeof(d), "%06lld", (long long)f);
	size_t n = 6;
	while (d[n - 1] == '0')
		n--;
	buf_addc(b, '.');
	buf_add(b, d, n);
	return buf_finish(b);
}

/* The parts of a URL that the frame object reports. */
struct page_url_info {
	char origin[256];
	char domain[128]; /* domainAndRegistry */
	int localhost;
	const char *secure; /* secureContextType */
};

static int page_is_ip(const char *h, size_t n)
{
	if (n && h[0] == '[')
		return 1;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)h[i]) && h[i] != '.')
			return 0;
	return n > 0;
}

static int page_is_localhost(const char *h, size_t n)
{
	if (n == 9 && !strncasecmp(h, "localhost", 9))
		return 1;
	if (n > 10 && !strncasecmp(h + n - 10, ".localhost", 10))
		return 1;
	if (n == 5 && !memcmp(h, "[::1]", 5))
		return 1;
	return n >= 4 && !memcmp(h, "127.", 4) && page_is_ip(h, n);
}

/* The last two labels: a rough eTLD+1 (no public suffix list). */
static void page_registrable(const char *h, size_t n, char *out, size_t cap)
{
	size_t dots = 0, start = 0;
	for (size_t i = n; i > 0; i--) {
		if (h[i - 1] == '.' && ++dots == 2) {
			start = i;
			break;
		}
	}
	if (!dots)
		n = 0;
	snprintf(out, cap, "%.*s", (int)(n - start), h + start);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

static void page_url(const char *url, struct page_url_info *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->origin, sizeof(u->origin), "://");
	u->secure = "InsecureScheme";
	const char *colon = strchr(url, ':');
	if (!colon || strncmp(colon, "://", 3))
		return;
	size_t sl = (size_t)(colon - url);
	char scheme[16];
	if (sl >= sizeof(scheme))
		return;
	for (size_t i = 0; i < sl; i++)
		scheme[i] = (char)tolower((unsigned char)url[i]);
	scheme[sl] = '\0';
	int web = !strcmp(scheme, "http") || !strcmp(scheme, "https") || !strcmp(scheme, "ws") ||
		  !strcmp(scheme, "wss");
	if (!web)
		return;
	const char *host = colon + 3;
	size_t hl = strcspn(host, "/?#");
	const char *at = memchr(host, '@', hl);
	if (at) {
		hl -= (size_t)(at + 1 - host);
		host = at + 1;
	}
	/* Drop a default port, as url::Origin does. */
	size_t name_len = hl;
	const char *pc = host[0] == '[' ? memchr(host, ']', hl) : host;
	pc = pc ? memchr(pc, ':', hl - (size_t)(pc - host)) : NULL;
	if (pc) {
		name_len = (size_t)(pc - host);
		const char *port = pc + 1;
		size_t pl = hl - name_len - 1;
		int dflt = (pl == 2 && !memcmp(port, "80", 2) &&
			    (!strcmp(scheme, "http") || !strcmp(scheme, "ws"))) ||
			   (pl == 3 && !memcmp(port, "443", 3) &&
			    (!strcmp(scheme, "https") || !strcmp(scheme, "wss"))) ||
			   pl == 0;
		if (dflt)
			hl = name_len;
	}
	snprintf(u->origin, sizeof(u->origin), "%s://%.*s", scheme, (int)hl, host);
	for (char *p = u->origin + sl + 3; *p && p < u->origin + sl + 3 + name_len; p++)
		*p = (char)tolower((unsigned char)*p);
	u->localhost = page_is_localhost(host, name_len);
	if (!u->localhost && !page_is_ip(host, name_len))
		page_registrable(host, name_len, u->domain, sizeof(u->domain));
	if (!strcmp(scheme, "https") || !strcmp(scheme, "wss"))
		u->secure = "Secure";
	else if (u->localhost)
		u->secure = "SecureLocalhost";
}

void page_origin(const char *url, char *out, size_t n)
{
	struct page_url_info u;
	page_url(url, &u);
	snprintf(out, n, "%s", u.origin);
}

int page_add_frame(struct buf *b, struct page_target *pt)
{
	const char *url = pt->target->url;
	const char *hash = strchr(url, '#');
	size_t ul = hash ? (size_t)(hash - url) : strlen(url);
	struct page_url_info u;
	page_url(url, &u);
	buf_adds(b, "{\"id\":\"");
	buf_adds(b, pt->target->id);
	buf_adds(b, "\",\"loaderId\":\"");
	buf_adds(b, pt->loader_id);
	buf_adds(b, "\",\"url\":");
	buf_add_json_str(b, url, ul, 1);
	if (hash) {
		buf_adds(b, ",\"urlFragment\":");
		buf_add_json_str(b, hash, strlen(hash), 1);
	}
	buf_adds(b, ",\"domainAndRegistry\":");
	buf_add_json_str(b, u.domain, strlen(u.domain), 1);
	buf_adds(b, ",\"securityOrigin\":");
	buf_add_json_str(b, u.origin, strlen(u.origin), 1);
	buf_adds(b, ",\"securityOriginDetails\":{\"isLocalhost\":");
	buf_adds(b, u.localhost ? "true" : "false");
	buf_adds(b, "},\"mimeType\":\"text/html\",\"adFrameStatus\":{\"adFrameType\":\"none\"},"
		    "\"secureContextType\":\"");
	buf_adds(b, u.secure);
	buf_adds(b, "\",\"crossOriginIsolatedContextType\":\"NotIsolated\","
		    "\"gatedAPIFeatures\":[]}");
	return buf_finish(b);
}

static struct page_session *page_session_get(struct session *s)
{
	if (!s->dom[SLOT_PAGE])
		s->dom[SLOT_PAGE] = calloc(1, sizeof(struct page_session));
	return s->dom[SLOT_PAGE];
}

static void page_session_gone(struct session *s)
{
	struct page_session *ps = s->dom[SLOT_PAGE];
	if (!ps)
		return;
	for (size_t i = 0; i < ps->nworlds; i++)
		free(ps->worlds[i]);
	free(ps);
	s->dom[SLOT_PAGE] = NULL;
}

const char *const *page_session_worlds(const struct session *s, size_t *n)
{
	const struct page_session *ps = s->dom[SLOT_PAGE];
	*n = ps ? ps->nworlds : 0;
	return ps && ps->nworlds ? (const char *const *)ps->worlds : NULL;
}

static int page_enabled(const struct session *s)
{
	const struct page_session *ps = s->dom[SLOT_PAGE];
	return ps && ps->enabled;
}

static int page_lifecycle_on(const struct session *s)
{
	const struct page_session *ps = s->dom[SLOT_PAGE];
	return ps && ps->enabled && ps->lifecycle;
}

/* Sends one event to every session of the page that want() accepts; params
 * that failed to build are noted in each one's journal instead. */
static void page_broadcast(struct page_target *pt, int (*want)(const struct session *),
			   const char *method, const struct buf *params)
{
	struct target *t = pt->target;
	int rc = buf_finish(params);
	for (struct session *s = page_each_session(t, NULL); s; s = page_each_session(t, s)) {
		if (!want(s))
			continue;
		if (rc)
			journal_note(conn_id(s->conn), "%s not sent: %s", method, cdpm_strerror(rc));
		else
			call_event_raw(s, method, params->data, params->len);
	}
}

static const char *const page_point_names[PAGE_POINTS] = {
    "init", "commit", "DOMContentLoaded", "load", "networkAlmostIdle", "networkIdle",
};

static void page_lifecycle_params(struct buf *p, struct page_target *pt, int point)
{
	buf_reset(p);
	buf_printf(p, "{\"frameId\":\"%s\",\"loaderId\":\"%s\",\"name\":\"%s\",\"timestamp\":",
		   pt->target->id, pt->loader_id, page_point_names[point]);
	page_add_seconds(p, pt->at_us[point]);
	buf_addc(p, '}');
}

static void page_lifecycle(struct page_target *pt, int point)
{
	struct buf p;
	buf_init(&p, 0);
	page_lifecycle_params(&p, pt, point);
	page_broadcast(pt, page_lifecycle_on, "Page.lifecycleEvent", &p);
	buf_clear(&p);
}

/* Page-enabled sessions get {"frameId":...} or {"timestamp":...}. */
static void page_simple(struct page_target *pt, const char *method, int64_t at_us)
{
	struct buf p;
	buf_init(&p, 0);
	if (at_us < 0) {
		buf_printf(&p, "{\"frameId\":\"%s\"}", pt->target->id);
	} else {
		buf_adds(&p, "{\"timestamp\":");
		page_add_seconds(&p, at_us);
		buf_addc(&p, '}');
	}
	page_broadcast(pt, page_enabled, method, &p);
	buf_clear(&p);
}

static void page_frame_navigated(struct page_target *pt)
{
	struct buf p;
	buf_init(&p, 0);
	buf_adds(&p, "{\"frame\":");
	page_add_frame(&p, pt);
	buf_adds(&p, ",\"type\":\"Navigation\"}");
	page_broadcast(pt, page_enabled, "Page.frameNavigated", &p);
	buf_clear(&p);
}

/* The new document, from commit to network idle, all at once: there is no
 * network to wait for.  The order is Chrome's for about:blank; coverage
 * deltas go out just before domContentEventFired (docs/chrome.md §6.5-§6.6). */
static void page_run_document(struct page_target *pt)
{
	page_mark_loaded(pt);
	page_simple(pt, "Page.frameStartedLoading", -1);
	page_lifecycle(pt, PAGE_INIT);
	runtime_document_cleared(pt);
	page_frame_navigated(pt);
	runtime_document_created(pt);
	page_lifecycle(pt, PAGE_COMMIT);
	profiler_coverage_update(pt->target, "DomContentLoaded");
	page_simple(pt, "Page.domContentEventFired", pt->at_us[PAGE_DCL]);
	page_lifecycle(pt, PAGE_DCL);
	page_simple(pt, "Page.loadEventFired", pt->at_us[PAGE_LOAD]);
	page_lifecycle(pt, PAGE_LOAD);
	page_simple(pt, "Page.frameStoppedLoading", -1);
	page_lifecycle(pt, PAGE_NET_ALMOST_IDLE);
	page_lifecycle(pt, PAGE_NET_IDLE);
}

/* A URL Chrome can navigate to: a scheme (letter, then letters, digits,
 * "+-.") and a colon.  Chrome answers anything else with an error. */
static int page_url_valid(const char *url)
{
	if (!isalpha((unsigned char)url[0]))
		return 0;
	const char *p = url + 1;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':' && !strpbrk(url, " \t\r\n");
}

/* Navigate or reload: frameStartedNavigating goes out before the reply (the
 * browser starts the navigation before it answers), the document after. */
static int page_load(struct call *c, struct page_target *pt, const char *url, int reload)
{
	struct target *t = pt->target;
	if (url != t->url) {
		char *u = strdup(url);
		if (!u)
			return CDPM_ENOMEM;
		free(t->url);
		t->url = u;
	}
	page_hex_id(&pt->rng, pt->loader_id);
	struct buf p;
	buf_init(&p, 0);
	buf_printf(&p, "{\"frameId\":\"%s\",\"url\":", t->id);
	buf_add_json_str(&p, t->url, strlen(t->url), 1);
	buf_printf(&p, ",\"loaderId\":\"%s\",\"navigationType\":\"%s\"}", pt->loader_id,
		   reload ? "reload" : "differentDocument");
	page_broadcast(pt, page_enabled, "Page.frameStartedNavigating", &p);
	buf_reset(&p);
	if (!reload)
		buf_printf(&p, "{\"frameId\":\"%s\",\"loaderId\":\"%s\",\"isDownload\":false}",
			   t->id, pt->loader_id);
	else
		buf_adds(&p, "{}");
	int rc = buf_finish(&p);
	if (!rc)
		rc = call_reply_raw(c, p.data, p.len);
	buf_clear(&p);
	page_run_document(pt);
	return rc;
}

static struct page_target *page_of(struct call *c)
{
	return page_target_get(c->session->target);
}

static int page_enable(struct call *c)
{
	struct page_session *ps = page_session_get(c->session);
	if (!ps || !page_of(c))
		return CDPM_ENOMEM;
	ps->enabled = 1;
	return call_reply(c, NULL);
}

static int page_disable(struct call *c)
{
	struct page_session *ps = c->session->dom[SLOT_PAGE];
	if (ps)
		ps->enabled = 0;
	return call_reply(c, NULL);
}

static int page_get_frame_tree(struct call *c)
{
	struct page_target *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	struct buf b;
	call_reply_begin(c, &b);
	buf_adds(&b, "{\"frameTree\":{\"frame\":");
	page_add_frame(&b, pt);
	buf_adds(&b, "}}");
	int rc = buf_finish(&b);
	if (rc) {
		buf_clear(&b);
		return rc;
	}
	return call_reply_end(c, &b);
}

static int page_set_lifecycle(struct call *c)
{
	struct page_session *ps = page_session_get(c->session);
	struct page_target *pt = page_of(c);
	if (!ps || !pt)
		return CDPM_ENOMEM;
	ps->lifecycle = json_is_true(json_object_get(c->params, "enabled"));
	if (ps->lifecycle) {
		/* Chrome replays the current document's points that have
		 * happened, on this session only, before the reply. */
		struct buf p;
		int rc = 0;
		buf_init(&p, 0);
		for (int i = PAGE_COMMIT; i < PAGE_POINTS && !rc; i++) {
			page_lifecycle_params(&p, pt, i);
			rc = buf_finish(&p);
			if (!rc)
				call_event_raw(c->session, "Page.lifecycleEvent", p.data,
						  p.len);
		}
		buf_clear(&p);
		if (rc)
			return rc;
	}
	return call_reply(c, NULL);
}

static int page_add_script(struct call *c)
{
	struct page_session *ps = page_session_get(c->session);
	if (!ps)
		return CDPM_ENOMEM;
	const char *world = json_string_value(json_object_get(c->params, "worldName"));
	if (world && *world) {
		int known = 0;
		for (size_t i = 0; i < ps->nworlds && !known; i++)
			known = !strcmp(ps->worlds[i], world);
		if (!known && ps->nworlds == PAGE_MAX_WORLDS) {
			journal_note(conn_id(c->conn),
				     "Page.addScriptToEvaluateOnNewDocument: more than %d "
				     "worlds; '%s' will not be created on navigation",
				     PAGE_MAX_WORLDS, world);
		} else if (!known) {
			if (!(ps->worlds[ps->nworlds] = strdup(world)))
				return CDPM_ENOMEM;
			ps->nworlds++;
		}
	}
	char r[40];
	snprintf(r, sizeof(r), "{\"identifier\":\"%u\"}", ++ps->next_identifier);
	return call_reply_raw(c, r, strlen(r));
}

static int page_check_frame(struct call *c)
{
	const json_t *fv = json_object_get(c->params, "frameId");
	const char *f = envelope_string(fv);
	if (fv && (!f || strcmp(f, c->session->target->id)))
		return call_error(c, CDP_SERVER_ERROR, "No frame for given id found", NULL);
	return 0;
}

static int page_create_world(struct call *c)
{
	struct page_target *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	int rc = page_check_frame(c);
	if (rc)
		return rc;
	const char *name = json_string_value(json_object_get(c->params, "worldName"));
	const struct page_context *ctx;
	if (runtime_context_new(pt, name ? name : "", 0, &ctx))
		return call_error(c, CDP_SERVER_ERROR, "Could not create isolated world", NULL);
	char r[48];
	snprintf(r, sizeof(r), "{\"executionContextId\":%d}", ctx->id);
	return call_reply_raw(c, r, strlen(r));
}

static int page_navigate(struct call *c)
{
	struct page_target *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	int rc = page_check_frame(c);
	if (rc)
		return rc;
	const char *url = json_string_value(json_object_get(c->params, "url"));
	if (!page_url_valid(url))
		return call_error(c, CDP_SERVER_ERROR, "Cannot navigate to invalid URL", NULL);
	return page_load(c, pt, url, 0);
}

static int page_reload(struct call *c)
{
	struct page_target *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	return page_load(c, pt, pt->target->url, 1);
}

static int page_ok(struct call *c)
{
	return call_reply(c, NULL);
}

static const struct method page_methods[] = {
    {"addScriptToEvaluateOnNewDocument", page_add_script},
    {"bringToFront", page_ok},
    {"createIsolatedWorld", page_create_world},
    {"disable", page_disable},
    {"enable", page_enable},
    {"getFrameTree", page_get_frame_tree},
    {"navigate", page_navigate},
    {"reload", page_reload},
    {"removeScriptToEvaluateOnNewDocument", page_ok},
    {"setBypassCSP", page_ok},
    {"setFontFamilies", page_ok},
    {"setLifecycleEventsEnabled", page_set_lifecycle},
    {"stopLoading", page_ok},
};

const struct domain page_domain = {
	.name = "Page",
	.targets = TARGET_PAGE,
	.methods = page_methods,
	.n_methods = CDPM_ARRAY_LEN(page_methods),
	.session_gone = page_session_gone,
	.target_gone = page_target_gone,
};
