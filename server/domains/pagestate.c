/* pagestate.c - the renderer state of page targets (pagestate.h): created
 * on first use, freed when the page goes.  It models one main frame with no
 * network and no DOM.  It sends no events: the domains that read this state
 * (page.c, runtime.c, profiler.c, shell.c) announce its changes. */
#include "domains/pagestate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "cdpm.h"
#include "clock.h"
#include "net/conn.h"
#include "server.h"
#include "cdp/slots.h"
#include "cdp/targets.h"

/* Per-session worlds (SLOT_WORLDS). */
struct pagestate_worlds {
	char *name[PAGESTATE_MAX_WORLDS];
	size_t n;
};

/* Every live page target touched so far; each is freed when its target
 * goes (pagestate_target_gone). */
static struct pagestate *pagestate_all;

void pagestate_target_gone(struct target *t)
{
	for (struct pagestate **pp = &pagestate_all; *pp; pp = &(*pp)->next) {
		struct pagestate *pt = *pp;
		if (pt->target != t)
			continue;
		*pp = pt->next;
		scripts_free(pt->scripts);
		free(pt->script_hash);
		for (size_t i = 0; i < pt->nhistory; i++)
			free(pt->history[i].url);
		free(pt);
		return;
	}
}

static void pagestate_hex_id(struct rng *r, char out[33])
{
	static const char hex[] = "0123456789ABCDEF";
	for (int i = 0; i < 32; i++)
		out[i] = hex[rng_below(r, 16)];
	out[32] = '\0';
}

void pagestate_next_loader(struct pagestate *pt)
{
	pagestate_hex_id(&pt->rng, pt->loader_id);
}

void pagestate_mark_loaded(struct pagestate *pt)
{
	int64_t now = clock_now_us();
	for (int i = 0; i < PAGESTATE_POINTS; i++)
		pt->at_us[i] = now;
}

struct pagestate *pagestate_get(struct target *t)
{
	struct pagestate *pt;
	if (t->closed)
		return NULL;
	for (pt = pagestate_all; pt; pt = pt->next)
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
	pagestate_next_loader(pt);
	snprintf(pt->debugger_id, sizeof(pt->debugger_id), "%llu.%llu",
		 (unsigned long long)(rng_next(&pt->rng) >> 1),
		 (unsigned long long)(rng_next(&pt->rng) >> 1));
	/* Runtime.evaluate scripts come after the page's own. */
	pt->next_script_id = 3;
	if (pt->scripts->nscripts)
		pt->next_script_id =
		    (unsigned)strtoul(pt->scripts->script[pt->scripts->nscripts - 1].id, NULL, 10) +
		    1;
	pagestate_mark_loaded(pt);
	pt->created_us = pt->at_us[PAGESTATE_INIT];
	pt->documents = 1;
	if (pagestate_history_push(pt, t->url)) {
		scripts_free(pt->scripts);
		free(pt);
		return NULL;
	}
	pt->next = pagestate_all;
	pagestate_all = pt;
	/* The first document's contexts go unannounced: Runtime.enable is
	 * the only way to have them reported, and it creates this state
	 * before it marks its session, so no session of t can be listening
	 * yet (the state then lives as long as t). */
	pagestate_document_contexts(pt);
	return pt;
}

struct session *pagestate_each_session(struct target *t, struct session *prev)
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

int pagestate_context_new(struct pagestate *pt, const char *name, int is_default,
			  const struct pagestate_context **out)
{
	if (pt->nctx == PAGESTATE_MAX_CONTEXTS)
		return CDPM_ETOOBIG;
	struct pagestate_context *ctx = &pt->ctx[pt->nctx++];
	ctx->id = ++pt->next_context_id;
	snprintf(ctx->name, sizeof(ctx->name), "%s", name);
	/* V8 prints a context's uniqueId as two random 64-bit halves. */
	snprintf(ctx->unique_id, sizeof(ctx->unique_id), "%llu.%llu",
		 (unsigned long long)(rng_next(&pt->rng) >> 1),
		 (unsigned long long)(rng_next(&pt->rng) >> 1));
	ctx->is_default = is_default;
	if (out)
		*out = ctx;
	return 0;
}

static int pagestate_has_world(const struct pagestate *pt, const char *name)
{
	for (size_t i = 0; i < pt->nctx; i++)
		if (!pt->ctx[i].is_default && !strcmp(pt->ctx[i].name, name))
			return 1;
	return 0;
}

void pagestate_document_contexts(struct pagestate *pt)
{
	struct target *t = pt->target;
	pagestate_context_new(pt, "", 1, NULL);
	for (struct session *s = pagestate_each_session(t, NULL); s;
	     s = pagestate_each_session(t, s)) {
		size_t n;
		const char *const *w = pagestate_worlds(s, &n);
		for (size_t i = 0; i < n; i++)
			if (!pagestate_has_world(pt, w[i]))
				pagestate_context_new(pt, w[i], 0, NULL);
	}
}

/* ---- URLs: what the frame object and the contexts' origin report ---- */

static int pagestate_is_ip(const char *h, size_t n)
{
	if (n && h[0] == '[')
		return 1;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)h[i]) && h[i] != '.')
			return 0;
	return n > 0;
}

static int pagestate_is_localhost(const char *h, size_t n)
{
	if (n == 9 && !strncasecmp(h, "localhost", 9))
		return 1;
	if (n > 10 && !strncasecmp(h + n - 10, ".localhost", 10))
		return 1;
	if (n == 5 && !memcmp(h, "[::1]", 5))
		return 1;
	return n >= 4 && !memcmp(h, "127.", 4) && pagestate_is_ip(h, n);
}

/* The last two labels: a rough eTLD+1 (no public suffix list). */
static void pagestate_registrable(const char *h, size_t n, char *out, size_t cap)
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

void pagestate_url(const char *url, struct pagestate_url *u)
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
	u->localhost = pagestate_is_localhost(host, name_len);
	if (!u->localhost && !pagestate_is_ip(host, name_len))
		pagestate_registrable(host, name_len, u->domain, sizeof(u->domain));
	if (!strcmp(scheme, "https") || !strcmp(scheme, "wss"))
		u->secure = "Secure";
	else if (u->localhost)
		u->secure = "SecureLocalhost";
}

/* ---- URLs as Page.navigate takes them ---- */

/* url::kMaxURLChars: longer URLs are invalid. */
#define PAGESTATE_MAX_URL ((size_t)2 * 1024 * 1024)

/* The schemes GURL parses as "standard": authority, host, path. */
static int pagestate_web_scheme(const char *s, size_t n)
{
	static const char *const web[] = {"http", "https", "ws", "wss", "ftp"};
	for (size_t i = 0; i < CDPM_ARRAY_LEN(web); i++)
		if (strlen(web[i]) == n && !strncmp(s, web[i], n))
			return 1;
	return 0;
}

/* Appends s[0..n), percent-escaping what GURL escapes in that part: a
 * space and the bytes in esc, and every non-ASCII byte. */
static void pagestate_escape(struct buf *out, const char *s, size_t n, const char *esc)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == ' ' || ch >= 0x80 || (ch && strchr(esc, ch)))
			buf_printf(out, "%%%02X", ch);
		else
			buf_addc(out, (char)ch);
	}
}

/* The authority and the rest of a web URL (after "scheme:"), into out. */
static int pagestate_canon_web(const char *scheme, const char *p, struct buf *out)
{
	while (*p == '/' || *p == '\\')
		p++;
	size_t al = strcspn(p, "/\\?#");
	const char *at = NULL;
	for (size_t i = 0; i < al; i++)
		if (p[i] == '@')
			at = p + i;
	const char *host = at ? at + 1 : p;
	size_t hl = al - (size_t)(host - p);
	const char *colon = host[0] == '[' ? memchr(host, ']', hl) : host;
	colon = colon ? memchr(colon, ':', hl - (size_t)(colon - host)) : NULL;
	size_t name = colon ? (size_t)(colon - host) : hl;
	if (!name || memchr(host, ' ', name) || memchr(host, '%', name) ||
	    memchr(host, '<', name) || memchr(host, '>', name))
		return CDPM_EINVAL;
	if (at)
		buf_add(out, p, (size_t)(at - p) + 1);
	for (size_t i = 0; i < name; i++)
		buf_addc(out, (char)tolower((unsigned char)host[i]));
	if (colon) {
		const char *port = colon + 1;
		size_t pl = hl - name - 1;
		for (size_t i = 0; i < pl; i++)
			if (!isdigit((unsigned char)port[i]))
				return CDPM_EINVAL;
		while (pl > 1 && *port == '0') {
			port++;
			pl--;
		}
		int dflt = !pl || (pl == 2 && !memcmp(port, "80", 2) &&
				   (!strcmp(scheme, "http") || !strcmp(scheme, "ws"))) ||
			   (pl == 3 && !memcmp(port, "443", 3) &&
			    (!strcmp(scheme, "https") || !strcmp(scheme, "wss"))) ||
			   (pl == 2 && !memcmp(port, "21", 2) && !strcmp(scheme, "ftp"));
		if (!dflt) {
			buf_addc(out, ':');
			buf_add(out, port, pl);
		}
	}
	p += al;
	size_t path = strcspn(p, "?#");
	if (!path || *p != '/')
		buf_addc(out, '/');
	for (size_t i = 0; i < path; i++)
		if (p[i] == '\\')
			buf_addc(out, '/');
		else
			pagestate_escape(out, p + i, 1, "\"<>`{}");
	p += path;
	size_t query = *p == '?' ? strcspn(p, "#") : 0;
	pagestate_escape(out, p, query, "\"<>'");
	p += query;
	pagestate_escape(out, p, strlen(p), "\"<>`");
	return buf_finish(out);
}

int pagestate_url_canon(const char *url, struct buf *out)
{
	buf_reset(out);
	size_t n = strlen(url);
	while (n && (unsigned char)url[n - 1] <= ' ')
		n--;
	while (n && (unsigned char)*url <= ' ') {
		url++;
		n--;
	}
	struct buf clean;
	buf_init(&clean, 0);
	for (size_t i = 0; i < n; i++)
		if (url[i] != '\t' && url[i] != '\n' && url[i] != '\r')
			buf_addc(&clean, url[i]);
	int rc = buf_finish(&clean);
	const char *u = clean.data ? clean.data : "";
	size_t sl = 0;
	if (!rc && !isalpha((unsigned char)u[0]))
		rc = CDPM_EINVAL;
	while (!rc && (isalnum((unsigned char)u[sl]) || u[sl] == '+' || u[sl] == '-' ||
		       u[sl] == '.'))
		sl++;
	if (!rc && (u[sl] != ':' || clean.len > PAGESTATE_MAX_URL))
		rc = CDPM_EINVAL;
	if (!rc) {
		char scheme[16] = "";
		for (size_t i = 0; i < sl; i++)
			buf_addc(out, (char)tolower((unsigned char)u[i]));
		buf_addc(out, ':');
		if (sl < sizeof(scheme))
			memcpy(scheme, out->data, sl);
		if (pagestate_web_scheme(scheme, sl)) {
			buf_adds(out, "//");
			rc = pagestate_canon_web(scheme, u + sl + 1, out);
		} else {
			buf_adds(out, u + sl + 1);
			rc = buf_finish(out);
		}
	}
	buf_clear(&clean);
	return rc;
}

int pagestate_data_url(const char *url, struct pagestate_data_url *u)
{
	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "data:", 5))
		return 0;
	const char *head = url + 5, *comma = strchr(head, ',');
	if (!comma)
		return 0;
	u->data = comma + 1;
	size_t hl = (size_t)(comma - head);
	if (hl >= 7 && !strncasecmp(comma - 7, ";base64", 7)) {
		u->base64 = 1;
		hl -= 7;
	}
	/* type/subtype, then ;name=value parameters; charset is the one kept. */
	size_t tl = strcspn(head, ";,");
	if (tl > hl)
		tl = hl;
	const char *slash = memchr(head, '/', tl);
	if (tl && tl < sizeof(u->mime) && slash && slash > head && slash < head + tl - 1 &&
	    !memchr(head, ' ', tl)) {
		for (size_t i = 0; i < tl; i++)
			u->mime[i] = (char)tolower((unsigned char)head[i]);
		for (const char *p = head + tl; p < head + hl;) {
			p++;
			size_t pl = strcspn(p, ";,");
			if (pl > (size_t)(head + hl - p))
				pl = (size_t)(head + hl - p);
			if (pl > 8 && !strncasecmp(p, "charset=", 8))
				snprintf(u->charset, sizeof(u->charset), "%.*s", (int)(pl - 8),
					 p + 8);
			p += pl;
		}
	} else {
		/* No valid type: net::DataURL falls back to US-ASCII text. */
		snprintf(u->mime, sizeof(u->mime), "text/plain");
		snprintf(u->charset, sizeof(u->charset), "US-ASCII");
	}
	snprintf(u->type, sizeof(u->type), "%s%s%s", u->mime, *u->charset ? ";charset=" : "",
		 u->charset);
	return 1;
}

static int pagestate_unhex(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? (c | 0x20) - 'a' + 10 : -1;
}

int pagestate_document_body(const char *url, struct pagestate_data_url *u, struct buf *out)
{
	if (!pagestate_data_url(url, u)) {
		snprintf(u->mime, sizeof(u->mime), "text/html");
		return buf_finish(out);
	}
	/* Percent escapes first, then (for base64) white space goes. */
	struct buf raw;
	buf_init(&raw, 0);
	for (const char *p = u->data; *p; p++) {
		int hi, lo;
		if (*p == '%' && (hi = pagestate_unhex((unsigned char)p[1])) >= 0 &&
		    (lo = pagestate_unhex((unsigned char)p[2])) >= 0) {
			buf_addc(&raw, (char)(hi << 4 | lo));
			p += 2;
		} else if (!u->base64 || !isspace((unsigned char)*p)) {
			buf_addc(&raw, *p);
		}
	}
	int rc = buf_finish(&raw);
	if (!rc && u->base64)
		rc = b64_decode_buf(out, raw.data ? raw.data : "", raw.len, B64_LOOSE);
	else if (!rc)
		rc = buf_add(out, raw.data ? raw.data : "", raw.len);
	buf_clear(&raw);
	return rc;
}

const char *pagestate_script_hash(struct pagestate *pt, uint32_t si)
{
	if (!pt->script_hash &&
	    !(pt->script_hash = calloc(pt->scripts->nscripts, sizeof(*pt->script_hash))))
		return NULL;
	if (!pt->script_hash[si][0]) {
		struct buf src;
		buf_init(&src, 0);
		if (scripts_source(pt->scripts, si, &src)) {
			buf_clear(&src);
			return NULL;
		}
		sha256_hex(src.data, src.len, pt->script_hash[si]);
		buf_clear(&src);
	}
	return pt->script_hash[si];
}

/* ---- session history ---- */

int pagestate_history_push(struct pagestate *pt, const char *url)
{
	char *u = strdup(url);
	if (!u)
		return CDPM_ENOMEM;
	while (pt->nhistory > (pt->nhistory ? pt->current + 1 : 0))
		free(pt->history[--pt->nhistory].url);
	if (pt->nhistory == PAGESTATE_MAX_HISTORY) {
		free(pt->history[0].url);
		memmove(pt->history, pt->history + 1,
			(PAGESTATE_MAX_HISTORY - 1) * sizeof(pt->history[0]));
		pt->nhistory--;
	}
	/* Entry ids count up per page from 1; Chrome's are unique per browser. */
	pt->history[pt->nhistory].id = ++pt->next_entry_id;
	pt->history[pt->nhistory].url = u;
	pt->current = pt->nhistory++;
	return 0;
}

/* ---- worlds registered per session ---- */

int pagestate_world_add(struct session *s, const char *name)
{
	struct pagestate_worlds *w = s->dom[SLOT_WORLDS];
	if (!w && !(w = s->dom[SLOT_WORLDS] = calloc(1, sizeof(*w))))
		return CDPM_ENOMEM;
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->name[i], name))
			return 0;
	if (w->n == PAGESTATE_MAX_WORLDS)
		return CDPM_ETOOBIG;
	if (!(w->name[w->n] = strdup(name)))
		return CDPM_ENOMEM;
	w->n++;
	return 0;
}

const char *const *pagestate_worlds(const struct session *s, size_t *n)
{
	const struct pagestate_worlds *w = s->dom[SLOT_WORLDS];
	*n = w ? w->n : 0;
	return w && w->n ? (const char *const *)w->name : NULL;
}

void pagestate_session_gone(struct session *s)
{
	struct pagestate_worlds *w = s->dom[SLOT_WORLDS];
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		free(w->name[i]);
	free(w);
	s->dom[SLOT_WORLDS] = NULL;
}
