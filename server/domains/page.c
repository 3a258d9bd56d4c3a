/* page.c - the Page domain of a page target: the main frame, its
 * lifecycle events, navigations and screenshots.  A navigation commits at
 * once and runs its lifecycle to networkIdle (docs/clients.md §5-§6),
 * telling Network, Runtime, Debugger and Profiler as it goes.  The state it
 * changes is the page's renderer state (pagestate.h), which is not kept
 * here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "cdpm.h"
#include "net/conn.h"
#include "journal.h"
#include "numfmt.h"
#include "gen/image.h"
#include "domains/debugger.h"
#include "domains/io.h"
#include "domains/network.h"
#include "domains/pagestate.h"
#include "domains/profiler.h"
#include "cdp/attach.h"
#include "cdp/envelope.h"
#include "cdp/router.h"
#include "domains/runtime.h"
#include "cdp/slots.h"
#include "cdp/targets.h"

/* Per-session Page state (SLOT_PAGE). */
struct page_session {
	int enabled;		  /* Page.enable */
	int lifecycle;		  /* Page.setLifecycleEventsEnabled */
	unsigned next_identifier; /* addScriptToEvaluateOnNewDocument ids */
};

/* Appends the Page.Frame object of pt's main frame; returns buf_finish(b). */
static int page_add_frame(struct buf *b, struct pagestate *pt)
{
	const char *url = pt->target->url;
	const char *hash = strchr(url, '#');
	size_t ul = hash ? (size_t)(hash - url) : strlen(url);
	struct pagestate_url u;
	struct pagestate_data_url d;
	pagestate_url(url, &u);
	const char *mime = pagestate_data_url(url, &d) ? d.mime : "text/html";
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
	buf_adds(b, "},\"mimeType\":");
	buf_add_json_str(b, mime, strlen(mime), 1);
	buf_adds(b, ",\"adFrameStatus\":{\"adFrameType\":\"none\"},\"secureContextType\":\"");
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

/* The worlds s registered (pagestate_world_add) are part of the page's
 * renderer state, but Page.addScriptToEvaluateOnNewDocument put them there,
 * so Page's hook frees them with its own. */
static void page_session_gone(struct session *s)
{
	struct page_session *ps = s->dom[SLOT_PAGE];
	pagestate_session_gone(s);
	if (!ps)
		return;
	free(ps);
	s->dom[SLOT_PAGE] = NULL;
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
static void page_broadcast(struct pagestate *pt, int (*want)(const struct session *),
			   const char *method, const struct buf *params)
{
	struct target *t = pt->target;
	int rc = buf_finish(params);
	for (struct session *s = pagestate_each_session(t, NULL); s;
	     s = pagestate_each_session(t, s)) {
		if (!want(s))
			continue;
		if (rc)
			journal_note(conn_id(s->conn), "%s not sent: %s", method, cdpm_strerror(rc));
		else
			call_event_raw(s, method, params->data, params->len);
	}
}

static const char *const page_point_names[PAGESTATE_POINTS] = {
    "init", "commit", "DOMContentLoaded", "load", "networkAlmostIdle", "networkIdle",
};

static void page_lifecycle_params(struct buf *p, struct pagestate *pt, int point)
{
	buf_reset(p);
	buf_printf(p, "{\"frameId\":\"%s\",\"loaderId\":\"%s\",\"name\":\"%s\",\"timestamp\":",
		   pt->target->id, pt->loader_id, page_point_names[point]);
	numfmt_add_seconds(p, pt->at_us[point]);
	buf_addc(p, '}');
}

static void page_lifecycle(struct pagestate *pt, int point)
{
	struct buf p;
	buf_init(&p, 0);
	page_lifecycle_params(&p, pt, point);
	page_broadcast(pt, page_lifecycle_on, "Page.lifecycleEvent", &p);
	buf_clear(&p);
}

/* Page-enabled sessions get {"frameId":...} or {"timestamp":...}. */
static void page_simple(struct pagestate *pt, const char *method, int64_t at_us)
{
	struct buf p;
	buf_init(&p, 0);
	if (at_us < 0) {
		buf_printf(&p, "{\"frameId\":\"%s\"}", pt->target->id);
	} else {
		buf_adds(&p, "{\"timestamp\":");
		numfmt_add_seconds(&p, at_us);
		buf_addc(&p, '}');
	}
	page_broadcast(pt, page_enabled, method, &p);
	buf_clear(&p);
}

static void page_frame_navigated(struct pagestate *pt)
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
 * deltas go out just before domContentEventFired (docs/chrome.md §6.5-§6.6).
 * The document's response comes as it commits, its scripts once its main
 * world exists, and its last bytes before DOMContentLoaded (§11.1). */
static void page_run_document(struct pagestate *pt)
{
	pagestate_mark_loaded(pt);
	page_simple(pt, "Page.frameStartedLoading", -1);
	page_lifecycle(pt, PAGESTATE_INIT);
	network_document_response(pt);
	runtime_document_cleared(pt);
	page_frame_navigated(pt);
	/* Discovering sessions hear of the new url and title (Chrome sends it
	 * between frameNavigated and domContentEventFired). */
	attach_send_info(pt->target, "Target.targetInfoChanged", 0);
	runtime_document_created(pt);
	debugger_document_created(pt);
	page_lifecycle(pt, PAGESTATE_COMMIT);
	network_document_loaded(pt);
	profiler_coverage_update(pt->target, "DomContentLoaded");
	page_simple(pt, "Page.domContentEventFired", pt->at_us[PAGESTATE_DCL]);
	page_lifecycle(pt, PAGESTATE_DCL);
	page_simple(pt, "Page.loadEventFired", pt->at_us[PAGESTATE_LOAD]);
	page_lifecycle(pt, PAGESTATE_LOAD);
	page_simple(pt, "Page.frameStoppedLoading", -1);
	page_lifecycle(pt, PAGESTATE_NET_ALMOST_IDLE);
	page_lifecycle(pt, PAGESTATE_NET_IDLE);
}

/* How a document is loaded: its navigationType and its reply. */
enum page_nav { PAGE_NAV_NEW, PAGE_NAV_RELOAD, PAGE_NAV_HISTORY };

/* Navigate, reload or go to a history entry: frameStartedNavigating goes
 * out before the reply (the browser starts the navigation before it
 * answers), the document after. */
static int page_load(struct call *c, struct pagestate *pt, const char *url, enum page_nav how)
{
	static const char *const types[] = {"differentDocument", "reload",
					    "historyDifferentDocument"};
	struct target *t = pt->target;
	if (url != t->url) {
		char *u = strdup(url);
		char *title = strdup("");
		if (!u || !title) {
			free(u);
			free(title);
			return CDPM_ENOMEM;
		}
		free(t->url);
		t->url = u;
		/* The new document has no <title> cdpmock could read: its
		 * title is shown as its URL, as Chrome does until one loads. */
		free(t->title);
		t->title = title;
	}
	pagestate_next_loader(pt);
	pt->documents++;
	struct buf p;
	buf_init(&p, 0);
	buf_printf(&p, "{\"frameId\":\"%s\",\"url\":", t->id);
	buf_add_json_str(&p, t->url, strlen(t->url), 1);
	buf_printf(&p, ",\"loaderId\":\"%s\",\"navigationType\":\"%s\"}", pt->loader_id,
		   types[how]);
	page_broadcast(pt, page_enabled, "Page.frameStartedNavigating", &p);
	network_document_start(pt);
	buf_reset(&p);
	if (how == PAGE_NAV_NEW)
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

static struct pagestate *page_of(struct call *c)
{
	return pagestate_get(c->session->target);
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
	struct pagestate *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	struct buf b;
	call_reply_begin(c, &b);
	buf_adds(&b, "{\"frameTree\":{\"frame\":");
	page_add_frame(&b, pt);
	buf_adds(&b, "}}");
	return call_reply_end(c, &b);
}

static int page_set_lifecycle(struct call *c)
{
	struct page_session *ps = page_session_get(c->session);
	struct pagestate *pt = page_of(c);
	if (!ps || !pt)
		return CDPM_ENOMEM;
	ps->lifecycle = json_is_true(json_object_get(c->params, "enabled"));
	if (ps->lifecycle) {
		/* Chrome replays the current document's points that have
		 * happened, on this session only, before the reply. */
		struct buf p;
		int rc = 0;
		buf_init(&p, 0);
		for (int i = PAGESTATE_COMMIT; i < PAGESTATE_POINTS && !rc; i++) {
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
		int rc = pagestate_world_add(c->session, world);
		if (rc == CDPM_ETOOBIG)
			journal_note(conn_id(c->conn),
				     "Page.addScriptToEvaluateOnNewDocument: more than %d "
				     "worlds; '%s' will not be created on navigation",
				     PAGESTATE_MAX_WORLDS, world);
		else if (rc)
			return rc;
	}
	char r[40];
	snprintf(r, sizeof(r), "{\"identifier\":\"%u\"}", ++ps->next_identifier);
	return call_reply_raw(c, r, strlen(r));
}

/* A frameId other than the page's is refused with why: navigate's words
 * are Chromium 156's as the differential run saw them ("with");
 * createIsolatedWorld keeps its earlier "for", not yet checked. */
static int page_check_frame(struct call *c, const char *why)
{
	const json_t *fv = json_object_get(c->params, "frameId");
	const char *f = envelope_string(fv);
	if (fv && (!f || strcmp(f, c->session->target->id)))
		return call_error(c, CDP_SERVER_ERROR, why, NULL);
	return 0;
}

static int page_create_world(struct call *c)
{
	struct pagestate *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	int rc = page_check_frame(c, "No frame for given id found");
	if (rc)
		return rc;
	const char *name = json_string_value(json_object_get(c->params, "worldName"));
	const struct pagestate_context *ctx;
	if (runtime_context_new(pt, name ? name : "", 0, &ctx))
		return call_error(c, CDP_SERVER_ERROR, "Could not create isolated world", NULL);
	char r[48];
	snprintf(r, sizeof(r), "{\"executionContextId\":%d}", ctx->id);
	return call_reply_raw(c, r, strlen(r));
}

static int page_navigate(struct call *c)
{
	struct pagestate *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	int rc = page_check_frame(c, "No frame with given id found");
	if (rc)
		return rc;
	/* The page gets the URL as GURL writes it; GURL's invalid ones are
	 * refused.  (data: URLs, spaces and all, are valid.) */
	struct buf url;
	buf_init(&url, 0);
	rc = pagestate_url_canon(json_string_value(json_object_get(c->params, "url")), &url);
	if (rc == CDPM_EINVAL)
		rc = call_error(c, CDP_SERVER_ERROR, "Cannot navigate to invalid URL", NULL);
	else if (!rc)
		rc = pagestate_history_push(pt, url.data);
	if (!rc)
		rc = page_load(c, pt, url.data, PAGE_NAV_NEW);
	buf_clear(&url);
	return rc;
}

static int page_reload(struct call *c)
{
	struct pagestate *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	return page_load(c, pt, pt->target->url, PAGE_NAV_RELOAD);
}

static int page_ok(struct call *c)
{
	return call_reply(c, NULL);
}

/* ---- session history ---- */

/* Titles are not modelled: every entry's is "", as about:blank's is. */
static int page_get_history(struct call *c)
{
	struct pagestate *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	struct buf b;
	call_reply_begin(c, &b);
	buf_printf(&b, "{\"currentIndex\":%zu,\"entries\":[", pt->current);
	for (size_t i = 0; i < pt->nhistory; i++) {
		const char *u = pt->history[i].url;
		buf_printf(&b, "%s{\"id\":%d,\"url\":", i ? "," : "", pt->history[i].id);
		buf_add_json_str(&b, u, strlen(u), 1);
		buf_adds(&b, ",\"userTypedURL\":");
		buf_add_json_str(&b, u, strlen(u), 1);
		buf_adds(&b, ",\"title\":\"\",\"transitionType\":\"typed\"}");
	}
	buf_adds(&b, "]}");
	return call_reply_end(c, &b);
}

static int page_go_to_entry(struct call *c)
{
	struct pagestate *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	json_int_t id = json_integer_value(json_object_get(c->params, "entryId"));
	for (size_t i = 0; i < pt->nhistory; i++) {
		if (pt->history[i].id != id)
			continue;
		pt->current = i;
		return page_load(c, pt, pt->history[i].url, PAGE_NAV_HISTORY);
	}
	return call_error(c, CDP_INVALID_PARAMS, "No entry with passed id", NULL);
}

/* Only the current entry stays. */
static int page_reset_history(struct call *c)
{
	struct pagestate *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	for (size_t i = 0; i < pt->nhistory; i++)
		if (i != pt->current)
			free(pt->history[i].url);
	pt->history[0] = pt->history[pt->current];
	pt->nhistory = 1;
	pt->current = 0;
	return call_reply(c, NULL);
}

/* ---- the viewport: layout metrics and screenshots ---- */

/* Headless Chrome's window, when Emulation overrides nothing. */
#define PAGE_WINDOW_WIDTH 800
#define PAGE_WINDOW_HEIGHT 600

static void page_viewport(const struct pagestate *pt, uint32_t *w, uint32_t *h, double *scale)
{
	*w = pt->vp_width ? pt->vp_width : PAGE_WINDOW_WIDTH;
	*h = pt->vp_height ? pt->vp_height : PAGE_WINDOW_HEIGHT;
	*scale = pt->vp_scale > 0 ? pt->vp_scale : 1;
}

/* An empty page: the content is the viewport, nothing is scrolled. */
static int page_get_layout_metrics(struct call *c)
{
	struct pagestate *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	uint32_t w, h;
	double scale;
	page_viewport(pt, &w, &h, &scale);
	struct buf b;
	call_reply_begin(c, &b);
	for (int css = 0; css < 2; css++) {
		buf_printf(&b,
			   "%s\"%s\":{\"pageX\":0,\"pageY\":0,\"clientWidth\":%u,"
			   "\"clientHeight\":%u},"
			   "\"%s\":{\"offsetX\":0,\"offsetY\":0,\"pageX\":0,\"pageY\":0,"
			   "\"clientWidth\":%u,\"clientHeight\":%u,\"scale\":1,\"zoom\":1},"
			   "\"%s\":{\"x\":0,\"y\":0,\"width\":%u,\"height\":%u}",
			   css ? "," : "{", css ? "cssLayoutViewport" : "layoutViewport", w, h,
			   css ? "cssVisualViewport" : "visualViewport", w, h,
			   css ? "cssContentSize" : "contentSize", w, h);
	}
	buf_addc(&b, '}');
	return call_reply_end(c, &b);
}

/* A side of the picture in device pixels, within what the encoders take. */
static uint32_t page_pixels(double css, double scale)
{
	double px = ceil(css * scale);
	return px < 1 ? 1 : px > IMAGE_MAX_SIDE ? IMAGE_MAX_SIDE : (uint32_t)px;
}

/* The viewport (or the clip) in one colour: the page's white, or the
 * background override, whose alpha PNG and WebP keep. */
static int page_capture_screenshot(struct call *c)
{
	struct pagestate *pt = page_of(c);
	if (!pt)
		return CDPM_ENOMEM;
	const char *format = json_string_value(json_object_get(c->params, "format"));
	enum image_format f = IMAGE_PNG;
	if (format && !strcmp(format, "jpeg"))
		f = IMAGE_JPEG;
	else if (format && !strcmp(format, "webp"))
		f = IMAGE_WEBP;
	else if (format && strcmp(format, "png"))
		return call_error(c, CDP_INVALID_PARAMS, "Invalid image format", NULL);
	uint32_t w, h;
	double scale;
	page_viewport(pt, &w, &h, &scale);
	struct image_fill im = {page_pixels(w, scale), page_pixels(h, scale), 255, 255, 255, 255};
	const json_t *clip = json_object_get(c->params, "clip");
	if (clip) {
		double cw = json_number_value(json_object_get(clip, "width"));
		double ch = json_number_value(json_object_get(clip, "height"));
		double cs = json_number_value(json_object_get(clip, "scale"));
		if (cw <= 0)
			return call_error(c, CDP_SERVER_ERROR,
					  "Cannot take screenshot with 0 width.", NULL);
		if (ch <= 0)
			return call_error(c, CDP_SERVER_ERROR,
					  "Cannot take screenshot with 0 height.", NULL);
		cs = cs > 0 ? cs : 1;
		im.width = page_pixels(cw, cs * scale);
		im.height = page_pixels(ch, cs * scale);
	}
	if (pt->bg_set) {
		im.r = pt->bg[0];
		im.g = pt->bg[1];
		im.b = pt->bg[2];
		im.a = pt->bg[3];
	}
	struct buf img, b;
	buf_init(&img, 0);
	int rc = image_write(f, &im, &img);
	if (!rc) {
		call_reply_begin(c, &b);
		buf_adds(&b, "{\"data\":\"");
		b64_encode_buf(&b, img.data, img.len);
		buf_adds(&b, "\"}");
		rc = buf_finish(&b);
		if (rc)
			buf_clear(&b);
		else
			rc = call_reply_end(c, &b);
	}
	buf_clear(&img);
	return rc;
}

static const struct method page_methods[] = {
    {"addScriptToEvaluateOnNewDocument", page_add_script},
    {"bringToFront", page_ok},
    {"captureScreenshot", page_capture_screenshot},
    {"createIsolatedWorld", page_create_world},
    {"disable", page_disable},
    {"enable", page_enable},
    {"getFrameTree", page_get_frame_tree},
    {"getLayoutMetrics", page_get_layout_metrics},
    {"getNavigationHistory", page_get_history},
    {"navigate", page_navigate},
    {"navigateToHistoryEntry", page_go_to_entry},
    {"reload", page_reload},
    {"removeScriptToEvaluateOnNewDocument", page_ok},
    {"resetNavigationHistory", page_reset_history},
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
	/* The renderer state goes with the page: one domain's hook must free
	 * it, and Page's is the one that runs its documents. */
	.target_gone = pagestate_target_gone,
};
